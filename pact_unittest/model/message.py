"""Message interactions: what a consumer expects to receive from a queue, a topic or a hook.

A message has no request and no response: it is *contents* (the payload) plus *metadata*
(the transport's headers: ``contentType``, a topic, a key), each with its matching rules and
generators split out, as :class:`~pact_unittest.model.Interaction` holds an HTTP request. The
two kinds of the spec:

* :class:`Message` -- an asynchronous message (spec 3 ``messages``, spec 4
  ``Asynchronous/Messages``): one :class:`MessageContents`.
* :class:`SynchronousMessage` -- spec 4 ``Synchronous/Messages``: a request message and the
  response messages it is answered with.

Internal form (shared by the wire parser, the unittest layer and the pact writer):
``contents`` is the example value (a JSON value, a text, or ``bytes``); ``matching_rules``
are v3-nested by category, ``{"body": {"$.id": {"matchers": [...], "combine": "AND"}},
"metadata": {"key": {...}}}``; ``generators`` likewise, ``{"body": {"$.id": {...}},
"metadata": {"key": {...}}}``. The writer renames ``body`` as each layout needs.

:meth:`MessageContents.reified` is what a consumer test receives: the examples with the
generators applied (consumer mode), the message as a provider could send it.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from ..matchers.generators import apply_generators
from .http_forms import sniff_content_type
from .interaction import ProviderState, interaction_label

__all__ = ["ASYNC_TYPE", "SYNC_TYPE", "MessageContents", "Message", "SynchronousMessage",
           "ReifiedMessage", "content_type_of"]

ASYNC_TYPE = "Asynchronous/Messages"
SYNC_TYPE = "Synchronous/Messages"
_CONTENT_TYPE_KEYS = ("contenttype", "content-type", "content_type")


def content_type_of(contents: Any, metadata: Dict[str, Any], explicit: Optional[str] = None) -> str:
    """The content type of a message: explicit, else the metadata's ``contentType`` (or
    ``Content-Type``), else what the contents look like (JSON for objects, lists, numbers;
    ``application/octet-stream`` for bytes; ``text/plain`` for other text)."""
    if explicit:
        return explicit
    for key, value in metadata.items():
        if key.lower() in _CONTENT_TYPE_KEYS and isinstance(value, str) and value:
            return value
    return sniff_content_type(contents)


@dataclass(frozen=True)
class ReifiedMessage:
    """A message as the test receives it: example values with generators applied.

    ``contents`` is the payload (parsed JSON, text or bytes), ``metadata`` the message's
    metadata, ``content_type`` what the payload is. For a synchronous message the test gets
    one of these per part: ``request`` and ``responses`` on the :class:`ReifiedExchange`
    handed to it.
    """

    description: str
    contents: Any
    metadata: Dict[str, Any]
    content_type: str
    provider_states: Tuple[ProviderState, ...] = ()

    @property
    def body(self) -> bytes:
        """The payload as the bytes a transport carries (JSON encoded for JSON)."""
        if isinstance(self.contents, (bytes, bytearray)):
            return bytes(self.contents)
        if isinstance(self.contents, str) and "json" not in self.content_type:
            return self.contents.encode("utf-8")
        return json.dumps(self.contents).encode("utf-8")


@dataclass(frozen=True)
class ReifiedExchange:
    """A synchronous message as the test receives it: the request and its responses."""

    description: str
    request: ReifiedMessage
    responses: Tuple[ReifiedMessage, ...]
    provider_states: Tuple[ProviderState, ...] = ()

    @property
    def response(self) -> Optional[ReifiedMessage]:
        """The first response message (most exchanges have one)."""
        return self.responses[0] if self.responses else None


@dataclass(frozen=True)
class MessageContents:
    """The payload and metadata of one message, rules and generators split out."""

    contents: Any = None
    metadata: Dict[str, Any] = field(default_factory=dict)
    matching_rules: Dict[str, Any] = field(default_factory=dict)
    generators: Dict[str, Any] = field(default_factory=dict)
    #: The content type given explicitly (a v4 body object's ``contentType``), else None.
    explicit_content_type: Optional[str] = None
    #: False when the message has no contents at all (spec 4 may omit them).
    has_contents: bool = True
    #: False when no metadata was given (Ruby's layout then writes no ``metaData``).
    has_metadata: bool = field(default=True, compare=False)

    @property
    def content_type(self) -> str:
        return content_type_of(self.contents, self.metadata, self.explicit_content_type)

    def reified(self, description: str, states: Tuple[ProviderState, ...] = ()) -> ReifiedMessage:
        """The message with its generators applied (consumer mode), for the test."""
        part = {"body": copy.deepcopy(self.contents), "metadata": copy.deepcopy(self.metadata)}
        if self.generators:
            context = {"providerState": {k: v for s in states for k, v in (s.params or {}).items()}}
            part = apply_generators(part, self.generators, mode="consumer", context=context)
        return ReifiedMessage(description, part.get("body"), part.get("metadata") or {},
                              self.content_type, states)

    def canonical(self) -> Dict[str, Any]:
        contents = self.contents
        if isinstance(contents, (bytes, bytearray)):
            contents = {"bytes": bytes(contents).hex()}
        return {"contents": contents, "metadata": self.metadata, "rules": self.matching_rules,
                "generators": self.generators, "type": self.explicit_content_type,
                "present": self.has_contents}


@dataclass
class _MessageBase:
    description: str
    spec_version: str = "3.0.0"
    provider_states: Tuple[ProviderState, ...] = ()
    #: v4 only: comments ({"text": [...]}), the pending flag and a key the user chose.
    comments: Optional[Dict[str, Any]] = None
    pending: bool = False
    v4_key: Optional[str] = None
    #: Written as pact-python 2.3.3 + Ruby ``pact-message`` wrote spec 3 files
    #: (``metaData``, ``params: null``, ``matchingRules`` always): the v2 API sets it.
    ruby_layout: bool = False
    origin: Optional[str] = field(default=None, compare=False)

    kind = ASYNC_TYPE

    @property
    def provider_state(self) -> Optional[str]:
        return self.provider_states[0].name if self.provider_states else None

    def key(self) -> Tuple[str, str, str]:
        """Identity in a pact file: description plus provider states (as for HTTP), and the
        kind, so that a message never clashes with an HTTP interaction of the same name."""
        states = json.dumps([s.to_json() for s in self.provider_states], sort_keys=True)
        return (self.description, states, self.kind)

    def label(self) -> str:
        return "message " + interaction_label(self.description, [s.name for s in self.provider_states])

    def _content_parts(self) -> Dict[str, Any]:
        raise NotImplementedError

    def content(self) -> str:
        """A canonical text of everything that matters, to compare two same-key messages."""
        data = self._content_parts()
        data.update({"comments": self.comments, "pending": self.pending, "kind": self.kind})
        return json.dumps(data, sort_keys=True, default=str)


@dataclass
class Message(_MessageBase):
    """An asynchronous message interaction (spec 3 ``messages``, v4 ``Asynchronous/Messages``)."""

    message: MessageContents = field(default_factory=MessageContents)

    kind = ASYNC_TYPE

    def _content_parts(self) -> Dict[str, Any]:
        return {"message": self.message.canonical()}

    def reified(self) -> ReifiedMessage:
        """What the consumer test receives (examples, generators applied)."""
        return self.message.reified(self.description, self.provider_states)


@dataclass
class SynchronousMessage(_MessageBase):
    """A v4 ``Synchronous/Messages`` interaction: a request message and its responses."""

    request: MessageContents = field(default_factory=MessageContents)
    responses: Tuple[MessageContents, ...] = ()

    kind = SYNC_TYPE

    def _content_parts(self) -> Dict[str, Any]:
        return {"request": self.request.canonical(),
                "responses": [r.canonical() for r in self.responses]}

    def reified(self) -> ReifiedExchange:
        states = self.provider_states
        return ReifiedExchange(self.description, self.request.reified(self.description, states),
                               tuple(r.reified(self.description, states) for r in self.responses),
                               states)
