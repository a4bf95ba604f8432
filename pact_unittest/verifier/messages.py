"""Message interactions verified: the provider produces the message, ``match_message`` checks it.

Where the message comes from (a :class:`MessageSource`):

* :class:`MessageFunctions` -- Python callables in this process, looked up by the
  interaction's description first, then by each of its provider states' names (pact-python
  v2's ``MessageProvider`` keyed its handlers by provider state). An asynchronous message's
  producer is called with no argument; a synchronous (v4) message's with the request
  contents. It returns the contents (a dict or list is JSON, a str text, bytes binary), a
  ``(contents, metadata)`` pair, or a :class:`ProducedMessage`.
* :class:`MessageEndpoint` -- the official verifiers' HTTP protocol, through the provider's
  transport: a POST of ``{"description", "providerStates"}`` (plus ``"request"`` for a
  synchronous message); the answer's body is the message, its Content-Type the
  ``contentType``, and a ``Pact-Message-Metadata`` header (base64 JSON) the rest of the
  metadata.

The expected message is the pact's own JSON (v3 ``messages``, v4 ``Asynchronous/Messages``
and the first response of ``Synchronous/Messages``) and the actual one is put in the same
shape, so the engine compares like with like under the pact's spec version.
"""
from __future__ import annotations

import base64
import binascii
import inspect
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ..matching import Mismatch, match_message
from ..matching.contenttype import family
from ..model.received import join_headers, read_body
from .interactions import PactInteraction
from .request import ProviderRequest
from .transport import Transport

__all__ = ["ProducedMessage", "MessageSource", "MessageFunctions", "MessageEndpoint",
           "MessageProductionError", "expected_message", "check_message", "SYNC"]

SYNC = "Synchronous/Messages"
METADATA_HEADER = "Pact-Message-Metadata"


class MessageProductionError(Exception):
    """The provider could not produce the message (no producer, it raised, a bad answer)."""


@dataclass
class ProducedMessage:
    """A message as the provider produced it. ``metadata=None`` means the producer gives no
    metadata, so none is checked (pact-python v2's handlers returned the contents only)."""

    contents: Any
    metadata: Optional[Dict[str, Any]] = field(default_factory=dict)
    content_type: Optional[str] = None


class MessageSource:
    def produce(self, item: PactInteraction, request: Optional[Dict[str, Any]]) -> ProducedMessage:
        raise NotImplementedError  # pragma: no cover - abstract


def _default_type(contents: Any) -> str:
    if isinstance(contents, bytes):
        return "application/octet-stream"
    if isinstance(contents, str):
        return "text/plain"
    return "application/json"


class MessageFunctions(MessageSource):
    """Producers by description or provider state name (see the module docstring)."""

    def __init__(self, producers: Mapping[str, Callable[..., Any]]):
        self.producers = dict(producers)

    def _find(self, item: PactInteraction) -> Callable[..., Any]:
        for key in [item.description] + item.state_names:
            if key in self.producers:
                return self.producers[key]
        known = ", ".join(repr(k) for k in sorted(self.producers)) or "none"
        raise MessageProductionError(
            f"no message producer for {item.description!r}"
            + (f" or its provider states {item.state_names!r}" if item.state_names else "")
            + f" (producers: {known})")

    def produce(self, item: PactInteraction, request: Optional[Dict[str, Any]]) -> ProducedMessage:
        func = self._find(item)
        try:
            takes = len(inspect.signature(func).parameters) > 0
        except (TypeError, ValueError):
            takes = False
        try:
            produced = func(request.get("contents") if request else None) if takes and request \
                is not None else func()
        except Exception as exc:
            raise MessageProductionError(f"the producer of {item.description!r} raised "
                                         f"{type(exc).__name__}: {exc}") from exc
        if isinstance(produced, ProducedMessage):
            return produced
        if isinstance(produced, tuple) and len(produced) == 2 and isinstance(produced[1], Mapping):
            return ProducedMessage(produced[0], dict(produced[1]))
        return ProducedMessage(produced)


class MessageEndpoint(MessageSource):
    """The official verifiers' message protocol over the provider's transport."""

    def __init__(self, transport: Transport, path: str = "/"):
        self.transport = transport
        self.path = path

    def produce(self, item: PactInteraction, request: Optional[Dict[str, Any]]) -> ProducedMessage:
        payload: Dict[str, Any] = {"description": item.description}
        if item.states:
            payload["providerStates"] = [s.to_json() for s in item.states]
        if request is not None:
            payload["request"] = request
        sent = ProviderRequest("POST", self.path, headers={"Content-Type": "application/json"},
                               body=json.dumps(payload).encode("utf-8"))
        from .transport import ProviderUnreachable

        try:
            answer = self.transport.send(sent)
        except ProviderUnreachable as exc:
            raise MessageProductionError(str(exc)) from None
        if not 200 <= answer.status < 300:
            raise MessageProductionError(f"POST {self.path} for message {item.description!r} "
                                         f"answered {answer.status}: {answer.body[:300]!r}")
        headers = join_headers(answer.headers)
        lowered = {k.lower(): v for k, v in headers.items()}
        content_type = lowered.get("content-type")
        metadata: Dict[str, Any] = {"contentType": content_type} if content_type else {}
        if METADATA_HEADER.lower() in lowered:
            try:
                extra = json.loads(base64.b64decode(lowered[METADATA_HEADER.lower()]))
            except (binascii.Error, ValueError) as exc:
                raise MessageProductionError(f"the {METADATA_HEADER} header is not base64 JSON: "
                                             f"{exc}") from None
            if isinstance(extra, dict):
                metadata.update(extra)
        _has, contents, error = read_body(schema_registry_payload(answer.body, content_type),
                                          content_type)
        if error:
            raise MessageProductionError(f"the message body: {error.replace('the body ', '')}")
        return ProducedMessage(contents, metadata, content_type)


_SCHEMA_REGISTRY = "application/vnd.schemaregistry."


def schema_registry_payload(raw: bytes, content_type: Optional[str]) -> bytes:
    """A Kafka schema-registry message without its 5-byte wire header (a zero magic byte and
    a 4-byte schema id), so its JSON payload is what is compared: what a consumer decodes."""
    if content_type and content_type.lower().startswith(_SCHEMA_REGISTRY) and \
            len(raw) > 5 and raw[:1] == b"\x00":
        return raw[5:]
    return raw


def expected_message(item: PactInteraction) -> Tuple[Dict[str, Any], Optional[Dict[str, Any]]]:
    """The expected message (pact JSON) and, for a synchronous message, the request part."""
    raw = item.raw or {}
    if item.kind == SYNC:
        responses = raw.get("response")
        if not isinstance(responses, list) or not responses or not isinstance(responses[0], dict):
            raise ValueError("a synchronous message needs at least one response message")
        request = raw.get("request")
        return responses[0], _plain_contents(request if isinstance(request, dict) else {})
    return raw, None


def _plain_contents(part: Mapping[str, Any]) -> Dict[str, Any]:
    """A message part as the provider should receive it: v4 body objects unwrapped."""
    out = {k: v for k, v in part.items() if k in ("contents", "metadata")}
    contents = out.get("contents")
    if isinstance(contents, dict) and "content" in contents and (
            "contentType" in contents or "encoded" in contents):
        value = contents.get("content")
        if contents.get("encoded") in ("base64", True) and isinstance(value, str):
            try:
                value = base64.b64decode(value).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                pass
        out["contents"] = value
    return out


def _is_body_object(value: Any) -> bool:
    return isinstance(value, dict) and "content" in value and (
        "contentType" in value or "encoded" in value)


def _binary_contents_decoded(expected: Mapping[str, Any]) -> Mapping[str, Any]:
    """A v3 message has no binary form: binary contents are written as base64 text under a
    binary ``contentType`` (by our writer and the Rust core), so they are compared as the
    bytes they stand for, as the Rust verifier does."""
    contents = expected.get("contents")
    meta = expected.get("metadata", expected.get("metaData")) or {}
    content_type = next((v for k, v in meta.items() if str(k).lower() in ("contenttype", "content-type")),
                        None) if isinstance(meta, Mapping) else None
    if not isinstance(contents, str) or not content_type or family(str(content_type)) != "binary":
        return expected
    try:
        return dict(expected, contents=base64.b64decode(contents.encode("ascii"), validate=True))
    except (binascii.Error, UnicodeEncodeError):
        return expected


def check_message(expected: Mapping[str, Any], produced: ProducedMessage,
                  spec_version: str) -> Tuple[List[Mismatch], Dict[str, Any]]:
    """The mismatches of ``produced`` against the ``expected`` message, and the actual form."""
    if produced.metadata is None:
        expected = {k: v for k, v in expected.items() if k not in ("metadata", "metaData")}
    expected = _binary_contents_decoded(expected)
    metadata = dict(produced.metadata or {})
    content_type = produced.content_type or metadata.get("contentType") or \
        metadata.get("content-type") or metadata.get("Content-Type") or _default_type(produced.contents)
    metadata.setdefault("contentType", content_type)
    contents = produced.contents
    if isinstance(contents, bytes):
        contents = schema_registry_payload(contents, str(content_type))
        if "json" in str(content_type).lower():
            try:
                contents = json.loads(contents.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                pass
    if isinstance(contents, str) and "json" in str(content_type).lower():
        try:
            contents = json.loads(contents)
        except ValueError:
            pass
    actual: Dict[str, Any] = {"metadata": metadata}
    if _is_body_object(expected.get("contents")):
        if isinstance(contents, bytes):
            actual["contents"] = {"content": base64.b64encode(contents).decode("ascii"),
                                  "contentType": content_type, "encoded": "base64"}
        else:
            actual["contents"] = {"content": contents, "contentType": content_type,
                                  "encoded": False}
    else:
        actual["contents"] = contents
    if "metaData" in expected:
        actual["metaData"] = actual.pop("metadata")
    return match_message(expected, actual, spec_version=spec_version), actual
