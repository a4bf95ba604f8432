"""Publishing pact files: discovery, the modern request, the older-API fallback.

1. ``GET`` the broker's HAL index and follow its links (never concatenate paths: a
   broker behind a path prefix works only that way).
2. With ``pb:publish-contracts`` (brokers >= 2.86): one ``POST`` per consumer carrying
   all its pacts, which the broker applies in one transaction.
3. Without it: ``PUT`` the branch version (when the index has
   ``pb:pacticipant-branch-version``), ``PUT`` each tag, then ``PUT`` (``PATCH`` with
   ``merge``) each pact to ``pb:publish-pact``. Tags go first so that webhooks fired by
   the pact see them. A build URL cannot be sent this way: it is dropped with a warning.
"""
from __future__ import annotations

import logging
import time
import warnings
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union, cast
from urllib.parse import quote

import requests

from .config import BrokerConfig, MASK
from .contracts import (
    ConsumerOutcome,
    Notice,
    PactFile,
    PathLike,
    PublishedPact,
    PublishResult,
    collect_pact_files,
    contracts_body,
    group_by_consumer,
    summarise_body,
    validate_version_properties,
)
from .errors import BrokerConflictError, BrokerProtocolError
from .responses import parse_notices
from .transport import Reply, RetryPolicy, Transport

logger = logging.getLogger("pact_unittest.broker")

DEFAULT_VERSION_WARNING = (
    "Publishing pacts for consumer version '0.0.0', pact-python v2's default version. A "
    "broker refuses (409) a changed pact under a version it already has: set the "
    "consumer's version (e.g. the git commit SHA, or auto_detect_version_properties=True)."
)


def expand(template: str, **values: str) -> str:
    """Fill a HAL href template's ``{name}`` parts, each value fully URL-escaped."""
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", quote(str(value), safe=""))
    return out


def warn_default_version(version: Optional[str]) -> None:
    """Warn (``warnings`` and ``logging``) when the version is v2's default ``0.0.0``."""
    if version == "0.0.0":
        logger.warning(DEFAULT_VERSION_WARNING)
        warnings.warn(DEFAULT_VERSION_WARNING, UserWarning, stacklevel=3)


class BrokerClient:
    """A client for one Pact Broker.

    ``BrokerClient(base_url=None, username=None, password=None, token=None, *, ca_bundle=None,
    verify=None, timeout=None, max_retries=4, backoff=0.5, sleep=time.sleep, session=None)``:
    unset connection values come from the ``PACT_BROKER_*`` environment variables. ``sleep``
    is what waits between retries (tests pass a recorder). Use as a context manager or call
    :meth:`close`.
    """

    def __init__(
        self,
        base_url: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        token: Optional[str] = None,
        *,
        ca_bundle: Optional[str] = None,
        verify: Union[bool, str, None] = None,
        timeout: Optional[Tuple[float, float]] = None,
        max_retries: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        session: Optional[requests.Session] = None,
        config: Optional[BrokerConfig] = None,
    ) -> None:
        self.config = config or BrokerConfig.resolve(
            base_url, username, password, token, verify=verify, ca_bundle=ca_bundle,
            timeout=timeout)
        self._transport = Transport(self.config, retry=RetryPolicy(max_retries, backoff),
                                    sleep=sleep, session=session)

    def __repr__(self) -> str:
        return f"BrokerClient({self.config!r})"

    def __enter__(self) -> "BrokerClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    # -- public operations ---------------------------------------------------------

    def index(self) -> Reply:
        """``GET`` the HAL index (its ``json["_links"]`` maps relations to hrefs)."""
        reply = self._transport.request("GET", self.config.base_url)
        if not isinstance(reply.json, dict) or not isinstance(reply.json.get("_links"), dict):
            raise BrokerProtocolError(
                f"GET {self.config.base_url} did not return a Pact Broker HAL index (no "
                "_links). What to do: check PACT_BROKER_BASE_URL points at the Pact Broker.",
                status=reply.status, url=reply.url, method="GET")
        return reply

    def request(self, method: str, url: str, *, json_body: Any = None,
                accept: str = "application/hal+json") -> Reply:
        """Send one request with the client's credentials and retries; the 2xx reply or a
        :class:`BrokerError` (what the verifier and the CLI commands build on)."""
        return self._transport.request(method, url, json_body=json_body, accept=accept)

    def redact(self, text: str) -> str:
        """``text`` with every secret of this client's configuration masked."""
        return self._transport.redact(text)

    def publish_pacts(
        self,
        files: Union[PathLike, Iterable[PathLike]],
        consumer_version: str,
        *,
        branch: Optional[str] = None,
        tags: Sequence[str] = (),
        build_url: Optional[str] = None,
        merge: bool = False,
        consumer_name: Optional[str] = None,
        dry_run: bool = False,
        keep_going: bool = False,
    ) -> PublishResult:
        """Publish pact files (or directories of them) for one consumer version.

        Files of several consumers give one request per consumer. ``consumer_name``
        restricts directories to that consumer's files. ``merge`` asks the broker to merge
        with an existing pact (``onConflict: merge``; a default broker still answers 409
        to changed content). ``dry_run`` sends nothing and returns the planned requests.
        ``keep_going``: a consumer the broker refuses (409) is listed in the result's
        ``consumers``/``refused`` and the other consumers are still published, instead of
        raising :class:`~pact_unittest.broker.errors.BrokerConflictError` at once. Raises a :class:`~pact_unittest.broker.errors.BrokerError` subclass on failure.
        """
        paths = _as_paths(files)
        tag_tuple = tuple(tags)
        validate_version_properties(consumer_version, branch, tag_tuple, build_url)
        warn_default_version(consumer_version)
        pacts = collect_pact_files(paths, consumer_name)
        groups = group_by_consumer(pacts)
        if dry_run:
            return self._plan(groups, consumer_version, branch, tag_tuple, build_url, merge)
        reply = self.index()
        links = reply.json["_links"]
        if _href(links, "pb:publish-contracts"):
            return self._publish_contracts(links, groups, consumer_version, branch, tag_tuple,
                                           build_url, merge, reply.broker_version, keep_going)
        if _href(links, "pb:publish-pact"):
            return self._publish_legacy(links, groups, consumer_version, branch, tag_tuple,
                                        build_url, merge, reply.broker_version)
        raise BrokerProtocolError(
            f"The Pact Broker index at {reply.url} offers neither pb:publish-contracts nor "
            "pb:publish-pact. What to do: check PACT_BROKER_BASE_URL is the broker's base URL.",
            status=reply.status, url=reply.url, method="GET")

    # -- the two ways to publish ----------------------------------------------------

    def _publish_contracts(self, links: Dict[str, Any], groups: Dict[str, List[PactFile]],
                           version: str, branch: Optional[str], tags: Tuple[str, ...],
                           build_url: Optional[str], merge: bool,
                           broker_version: Optional[str], keep_going: bool = False
                           ) -> PublishResult:
        url = _href(links, "pb:publish-contracts") or ""
        notices: List[Notice] = []
        published: List[PublishedPact] = []
        responses: List[Any] = []
        outcomes: List[ConsumerOutcome] = []
        for consumer, pacts in groups.items():
            body = contracts_body(consumer, pacts, version, branch, tags, build_url, merge)
            providers = tuple(p.provider for p in pacts)
            try:
                reply = self._transport.request("POST", url, json_body=body)
            except BrokerConflictError as exc:
                if not keep_going:
                    raise
                said = "\n".join(t for _, t in exc.notices) or str(exc)
                outcomes.append(ConsumerOutcome(
                    consumer, "refused", providers, said,
                    {"notices": [{"type": k, "text": t} for k, t in exc.notices]}, str(exc)))
                continue
            responses.append(reply.json)
            texts = [t for _, t in parse_notices(reply.json)]
            changed = (any("successfully published" in t for t in texts)
                       or not any("no content changes" in t for t in texts))
            outcomes.append(ConsumerOutcome(consumer, "published" if changed else "unchanged",
                                            providers, response=reply.json))
            broker_version = reply.broker_version or broker_version
            notices.extend(Notice(t, x) for t, x in parse_notices(reply.json))
            urls = _contract_urls(reply.json)
            published.extend(PublishedPact(p.consumer, p.provider, p.path, urls.get(p.provider))
                             for p in pacts)
        for notice in notices:
            logger.info("Pact Broker: %s", notice.text)
        return PublishResult(version, branch, tags, build_url, tuple(published), tuple(notices),
                             broker_version, "contracts", tuple(responses),
                             consumers=tuple(outcomes))

    def _publish_legacy(self, links: Dict[str, Any], groups: Dict[str, List[PactFile]],
                        version: str, branch: Optional[str], tags: Tuple[str, ...],
                        build_url: Optional[str], merge: bool,
                        broker_version: Optional[str]) -> PublishResult:
        notices: List[Notice] = []
        published: List[PublishedPact] = []
        responses: List[Any] = []
        for step in self._legacy_steps(links, groups, version, branch, tags, build_url, merge):
            if step[0] == "warn":
                logger.warning("%s", step[1])
                notices.append(Notice("warning", step[1]))
                continue
            method, url, body, pact = step
            reply = self._transport.request(method, url, body=body,
                                            accept="application/hal+json, application/json")
            responses.append(reply.json)
            broker_version = reply.broker_version or broker_version
            if pact is not None:
                self_link = _href((reply.json or {}).get("_links", {}), "self") if isinstance(reply.json, dict) else None
                published.append(PublishedPact(pact.consumer, pact.provider, pact.path,
                                               self_link or url))
                notices.append(Notice("success", f"Pact successfully published for {pact.consumer} "
                                      f"version {version} and provider {pact.provider}."))
            else:
                notices.append(Notice("debug", f"{method} {url} -> {reply.status}"))
        return PublishResult(version, branch, tags, build_url, tuple(published), tuple(notices),
                             broker_version, "legacy", tuple(responses))

    def _legacy_steps(self, links: Dict[str, Any], groups: Dict[str, List[PactFile]],
                      version: str, branch: Optional[str], tags: Tuple[str, ...],
                      build_url: Optional[str], merge: bool) -> List[Tuple[Any, ...]]:
        steps: List[Tuple[Any, ...]] = []
        if build_url:
            steps.append(("warn", "This Pact Broker predates /contracts/publish (2.86.0): the "
                          "build URL cannot be recorded and was not sent."))
        branch_href = _href(links, "pb:pacticipant-branch-version")
        if branch and not branch_href:
            steps.append(("warn", "This Pact Broker does not support branches (no "
                          "pb:pacticipant-branch-version): the branch was not sent. Upgrade "
                          "the broker to 2.86.0 or later."))
        tag_href = _href(links, "pb:pacticipant-version-tag") or ""
        if tags and not tag_href:
            raise BrokerProtocolError("The Pact Broker index has no pb:pacticipant-version-tag"
                                      " relation, so tags cannot be published.")
        pact_href = _href(links, "pb:publish-pact") or ""
        for consumer, pacts in groups.items():
            if branch and branch_href:
                steps.append(("PUT", expand(branch_href, pacticipant=consumer, branch=branch,
                                            version=version), b"{}", None))
            for tag in tags:
                steps.append(("PUT", expand(tag_href, pacticipant=consumer, version=version,
                                            tag=tag), None, None))
            for pact in pacts:
                url = expand(pact_href, provider=pact.provider, consumer=pact.consumer,
                             consumerApplicationVersion=version)
                steps.append(("PATCH" if merge else "PUT", url, pact.raw, pact))
        return steps

    def _plan(self, groups: Dict[str, List[PactFile]], version: str, branch: Optional[str],
              tags: Tuple[str, ...], build_url: Optional[str], merge: bool) -> PublishResult:
        auth = self.config.auth_scheme
        headers = {"Accept": "application/hal+json", "Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"{auth} {MASK}"
        planned: List[Dict[str, Any]] = [{
            "method": "GET", "url": self.config.base_url,
            "headers": {k: v for k, v in headers.items() if k != "Content-Type"},
            "note": "discover pb:publish-contracts in the HAL index"}]
        published: List[PublishedPact] = []
        for consumer, pacts in groups.items():
            body = contracts_body(consumer, pacts, version, branch, tags, build_url, merge)
            planned.append({"method": "POST", "url": "<pb:publish-contracts href>",
                            "headers": dict(headers), "json": summarise_body(body)})
            published.extend(PublishedPact(p.consumer, p.provider, p.path) for p in pacts)
        return PublishResult(version, branch, tags, build_url, tuple(published), (), None,
                             "contracts", dry_run=True, planned=tuple(planned))


def _as_paths(files: Union[PathLike, Iterable[PathLike]]) -> List[PathLike]:
    if isinstance(files, str) or hasattr(files, "__fspath__"):
        return [cast(PathLike, files)]
    return list(cast(Iterable[PathLike], files))


def _href(links: Any, rel: str) -> Optional[str]:
    link = links.get(rel) if isinstance(links, dict) else None
    if isinstance(link, list):
        link = link[0] if link else None
    if isinstance(link, dict) and isinstance(link.get("href"), str):
        return link["href"]
    return None


def _contract_urls(payload: Any) -> Dict[str, str]:
    """Provider name -> published pact URL, from ``_links["pb:contracts"]`` names."""
    out: Dict[str, str] = {}
    links = payload.get("_links", {}) if isinstance(payload, dict) else {}
    for link in links.get("pb:contracts", []) or []:
        name, href = link.get("name", ""), link.get("href")
        if href and " and " in name:
            out[name.rsplit(" and ", 1)[1]] = href
    return out


def publish_pacts(
    files: Union[PathLike, Iterable[PathLike]],
    consumer_version: str,
    *,
    branch: Optional[str] = None,
    tags: Sequence[str] = (),
    build_url: Optional[str] = None,
    merge: bool = False,
    consumer_name: Optional[str] = None,
    dry_run: bool = False,
    broker_base_url: Optional[str] = None,
    broker_username: Optional[str] = None,
    broker_password: Optional[str] = None,
    broker_token: Optional[str] = None,
    **client_options: Any,
) -> PublishResult:
    """Publish pact files in one call: a :class:`BrokerClient` made from the arguments
    (and ``PACT_BROKER_*``), then :meth:`BrokerClient.publish_pacts`.

    ``client_options`` go to :class:`BrokerClient` (``ca_bundle``, ``timeout``,
    ``max_retries``, ``backoff``, ``sleep``, ``session``).
    """
    with BrokerClient(broker_base_url, broker_username, broker_password, broker_token,
                      **client_options) as client:
        return client.publish_pacts(files, consumer_version, branch=branch, tags=tags,
                                    build_url=build_url, merge=merge,
                                    consumer_name=consumer_name, dry_run=dry_run)
