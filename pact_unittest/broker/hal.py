"""Navigating the broker's HAL resources: the index, links by relation, embedded lists.

Every broker command goes through here. The official clients find most URLs by following
the relations of the index (``pb:environments``, ``pb:pacticipant-version``, ...), which is
what keeps them working behind a path prefix or a proxy that rewrites hosts; a few older
commands of the Ruby CLI (``can-i-deploy``, ``describe-version --version``,
``create-version-tag``) build ``base URL + /matrix`` or ``/pacticipants/...`` directly
instead. :meth:`Hal.path` does the latter, so each command sends the very requests the
Ruby CLI sends (the recordings in ``shared/broker/transcripts`` are the check).

Failures are :class:`~pact_unittest.broker.errors.BrokerError` subclasses from the
transport (retries of 5xx/429 and connection errors included); a 404 for a resource the
command names becomes a :class:`~pact_unittest.broker.errors.BrokerNotFoundError` that
says which one is missing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union
from urllib.parse import quote

from .errors import BrokerError, BrokerNotFoundError, BrokerProtocolError
from .transport import Reply, Transport

#: Query parameters as ordered ``(name, value)`` pairs (Rails style names allowed:
#: ``q[][pacticipant]``), or a plain mapping.
Query = Union[Sequence[Tuple[str, str]], Dict[str, str], None]


def encode_query(params: Query) -> str:
    """``a=1&q[][b]=2``: values fully escaped, the ``[]`` of names kept as the Ruby CLI
    sends them (the broker parses both forms)."""
    if not params:
        return ""
    pairs = params.items() if isinstance(params, dict) else params
    return "&".join(f"{quote(str(k), safe='[]')}={quote(str(v), safe='')}" for k, v in pairs)


def with_query(url: str, params: Query) -> str:
    query = encode_query(params)
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + query


@dataclass(frozen=True)
class Link:
    """One HAL link: ``href`` (maybe a ``{name}`` template), with its ``name``/``title``."""

    href: str
    name: Optional[str] = None
    title: Optional[str] = None

    def expand(self, **values: Any) -> "Link":
        """Fill the template's ``{name}`` parts, each value fully URL-escaped."""
        href = self.href
        for key, value in values.items():
            href = href.replace("{" + key + "}", quote(str(value), safe=""))
        return Link(href, self.name, self.title)


def _as_links(raw: Any) -> List[Link]:
    items = raw if isinstance(raw, list) else [raw]
    return [Link(i["href"], i.get("name"), i.get("title"))
            for i in items if isinstance(i, dict) and isinstance(i.get("href"), str)]


@dataclass
class Resource:
    """A broker answer: its URL, status, JSON body (``{}`` when empty) and headers."""

    url: str
    status: int
    data: Dict[str, Any] = field(default_factory=dict)
    headers: Dict[str, str] = field(default_factory=dict)
    raw: Any = None

    @classmethod
    def from_reply(cls, reply: Reply) -> "Resource":
        data = reply.json if isinstance(reply.json, dict) else {}
        return cls(reply.url, reply.status, data, reply.headers, reply.json)

    def links(self, rel: str) -> List[Link]:
        raw = (self.data.get("_links") or {}).get(rel)
        return _as_links(raw) if raw is not None else []

    def link(self, rel: str, *fallbacks: str) -> Optional[Link]:
        for name in (rel, *fallbacks):
            found = self.links(name)
            if found:
                return found[0]
        return None

    def require(self, rel: str, *fallbacks: str) -> Link:
        """The link, or a :class:`BrokerProtocolError` naming the missing relation."""
        found = self.link(rel, *fallbacks)
        if found is None:
            raise BrokerProtocolError(
                f"The Pact Broker resource at {self.url} has no {rel!r} relation: this broker "
                "is too old for the command, or the base URL is not a Pact Broker.",
                status=self.status, url=self.url, method="GET")
        return found

    def find(self, rel: str, name: str) -> Optional[Link]:
        """The link of relation ``rel`` whose ``name`` is ``name`` (Ruby's ``find``)."""
        return next((l for l in self.links(rel) if l.name == name), None)

    def embedded(self, key: str) -> List[Dict[str, Any]]:
        items = (self.data.get("_embedded") or {}).get(key)
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


class Hal:
    """HAL navigation over one :class:`Transport`; the index is fetched once, on first use."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.base_url = transport.config.base_url.rstrip("/")
        self._index: Optional[Resource] = None

    @property
    def index(self) -> Resource:
        if self._index is None:
            resource = self.get(self.transport.config.base_url)
            if "_links" not in resource.data:
                raise BrokerProtocolError(
                    f"GET {resource.url} did not return a Pact Broker HAL index (no _links). "
                    "What to do: check PACT_BROKER_BASE_URL points at the Pact Broker.",
                    status=resource.status, url=resource.url, method="GET")
            self._index = resource
        return self._index

    def path(self, *segments: str) -> str:
        """``base URL/seg1/seg2``: each segment fully escaped (``feat/x`` -> ``feat%2Fx``)."""
        return self.base_url + "".join("/" + quote(str(s), safe="") for s in segments)

    def index_link(self, rel: str, **values: Any) -> str:
        return self.index.require(rel).expand(**values).href

    @property
    def is_pactflow(self) -> bool:
        """As the Ruby CLI decides: a response header of the index names PactFlow."""
        return any("pactflow" in name for name in self.index.headers)

    @property
    def name(self) -> str:
        """How messages name the broker: ``the Pact Broker`` or ``PactFlow``."""
        return "PactFlow" if self.is_pactflow else "the Pact Broker"

    # -- requests ----------------------------------------------------------------

    def get(self, url: str, params: Query = None, *, missing: Optional[str] = None) -> Resource:
        """``GET``; with ``missing``, a 404 raises :class:`BrokerNotFoundError` with it."""
        return self.send("GET", url, params=params, missing=missing)

    def get_or_none(self, url: str, params: Query = None) -> Optional[Resource]:
        """``GET``, or None when the broker answers 404 (a resource that does not exist)."""
        try:
            return self.get(url, params)
        except BrokerError as exc:
            if exc.status == 404:
                return None
            raise

    def send(self, method: str, url: str, body: Any = None, *, params: Query = None,
             missing: Optional[str] = None, empty_body: bool = False) -> Resource:
        """One request (JSON ``body``; ``empty_body`` sends a PUT with no body at all)."""
        target = with_query(url, params)
        try:
            if empty_body or body is None:
                reply = self.transport.request(method, target)
            else:
                reply = self.transport.request(method, target, json_body=body)
        except BrokerError as exc:
            if exc.status == 404 and missing:
                raise BrokerNotFoundError(
                    f"{missing} (404 from {method} {target}).", status=404, url=target,
                    method=method, notices=exc.notices, errors=exc.errors) from None
            raise
        return Resource.from_reply(reply)


def names(links: Iterable[Link]) -> List[str]:
    return [l.name for l in links if l.name]
