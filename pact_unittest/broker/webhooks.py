"""``create-webhook``, ``create-or-update-webhook`` and ``test-webhook``: what they send.

As pact_broker-client 1.75's ``Webhooks::Create``: a webhook for one consumer *and* one
provider without a UUID is POSTed to ``{base}/webhooks/provider/P/consumer/C`` (no index
read, the oldest API); with a UUID it is PUT to the index's ``pb:webhook``; otherwise
POSTed to ``pb:webhooks`` with the optional ``consumer``/``provider`` (by name or label)
and ``teamUuid``. The curl-like options become the webhook's request: ``-X`` method,
``-H "Name: value"`` headers, ``-d`` body (JSON when it parses, else the text; ``@file``
reads a file), ``--user name:password``. ``test-webhook`` follows ``pb:webhook`` and POSTs
its ``pb:execute``, printing the broker's execution logs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from .commands import CommandError, Context, Outcome
from .errors import BrokerError
from .hal import Resource

#: Event flags in the order the Ruby CLI lists them in the body.
EVENTS = ("contract_content_changed", "contract_published", "provider_verification_published",
          "provider_verification_succeeded", "provider_verification_failed",
          "contract_requiring_verification_published")

NO_EVENTS = ("You must specify at least one of --contract-content-changed, --contract-published, "
             "--provider-verification-published, --provider-verification-succeeded or "
             "--provider-verification-failed")
UUID_NOT_SUPPORTED = ("This version of the Pact Broker does not support creating webhooks with a "
                      "specified UUID. Please upgrade your broker to >= 2.49.0 or use the "
                      "create-webhook command.")
OPTIONAL_PACTICIPANTS_NOT_SUPPORTED = (
    "This version of the Pact Broker requires that both consumer and provider are specified for "
    "a webhook. Please upgrade your broker to >= 2.22.0 to create a webhook with optional "
    "consumer and provider.")


@dataclass
class WebhookSpec:
    """A webhook as the command line describes it."""

    url: str
    method: str
    events: List[str]
    headers: Sequence[str] = ()
    data: Optional[str] = None
    user: Optional[str] = None
    description: Optional[str] = None
    consumer: Optional[str] = None
    consumer_label: Optional[str] = None
    provider: Optional[str] = None
    provider_label: Optional[str] = None
    team_uuid: Optional[str] = None
    uuid: Optional[str] = None
    #: The ``-d`` payload once read (:meth:`check` reads it, after Ruby's other checks).
    payload: Any = field(default=None, init=False)

    def check(self) -> None:
        """The Ruby CLI's refusals, before any request."""
        if self.consumer and self.consumer_label:
            raise CommandError("Consumer name (--consumer) and label (--consumer_label) options "
                               "are mutually exclusive")
        if self.provider and self.provider_label:
            raise CommandError("Provider name (--provider) and label (--provider_label) options "
                               "are mutually exclusive")
        if not self.events:
            raise CommandError(NO_EVENTS)
        self.payload = _payload(self.data)  # a missing @file fails before any request

    def request(self) -> Dict[str, Any]:
        """The ``request`` of the webhook body (absent values left out, as Ruby's compact);
        after :meth:`check`."""
        headers: Dict[str, str] = {}
        for header in self.headers:
            name, _, value = header.partition(":")
            headers[name.strip()] = value.strip()
        out: Dict[str, Any] = {"url": self.url, "method": self.method, "headers": headers}
        if self.payload is not None:
            out["body"] = self.payload
        if self.user is not None:
            name, _, password = self.user.partition(":")
            out["username"] = name
            out["password"] = password if ":" in self.user else name
        return out

    def body(self, with_pacticipants: bool) -> Dict[str, Any]:
        out: Dict[str, Any] = {"events": [{"name": e} for e in self.events],
                               "request": self.request()}
        if self.description:
            out["description"] = self.description
        if with_pacticipants:
            for side, name, label in (("consumer", self.consumer, self.consumer_label),
                                      ("provider", self.provider, self.provider_label)):
                if name:
                    out[side] = {"name": name}
                elif label:
                    out[side] = {"label": label}
            if self.team_uuid:
                out["teamUuid"] = self.team_uuid
        return out


def _payload(data: Optional[str]) -> Any:
    """``-d``: ``@path`` reads the file; JSON text becomes JSON, anything else stays text."""
    if data is None:
        return None
    if data.startswith("@"):
        path = data[1:]
        try:
            with open(path, encoding="utf-8") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f'Couldn\'t read data from file "{path}" due to '
                               f"{type(exc).__name__} {exc.strerror or exc}") from None
    try:
        return json.loads(data)
    except ValueError:
        return data


def create_webhook(ctx: Context, spec: WebhookSpec) -> Outcome:
    """Create (or, with ``spec.uuid``, create or update) the webhook."""
    spec.check()
    hal = ctx.hal
    try:
        if spec.consumer and spec.provider and not spec.uuid:
            url = hal.path("webhooks", "provider", spec.provider, "consumer", spec.consumer)
            saved = hal.send("POST", url, spec.body(False))
        elif spec.uuid:
            link = hal.index.link("pb:webhook")
            if link is None:
                return Outcome(False, UUID_NOT_SUPPORTED)
            saved = hal.send("PUT", link.expand(uuid=spec.uuid).href, spec.body(True))
        else:
            saved = hal.send("POST", hal.index_link("pb:webhooks"), spec.body(True))
    except BrokerError as exc:
        if exc.status == 405:
            return Outcome(False, OPTIONAL_PACTICIPANTS_NOT_SUPPORTED)
        if exc.status is None:
            raise
        return Outcome(False, f"Error creating webhook. {exc}")
    return Outcome(True, _saved_text(saved))


def _saved_text(saved: Resource) -> str:
    action = "created" if saved.status == 201 else "updated"
    name = saved.data.get("description")
    if not name:
        self_link = saved.link("self")
        name = (self_link.title or self_link.name) if self_link else ""
    return f"Webhook {json.dumps(str(name or ''), ensure_ascii=False)} {action}"


def test_webhook(ctx: Context, uuid: str) -> Outcome:
    """Execute the webhook once (the broker picks the latest matching pact or result)."""
    hal = ctx.hal
    webhook = hal.get(hal.index_link("pb:webhook", uuid=uuid),
                      missing=f"No webhook with UUID {uuid!r} exists")
    executed = hal.send("POST", webhook.require("pb:execute").href)
    logs = executed.data.get("logs")
    return Outcome(True, str(logs) if logs is not None else "")


test_webhook.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
