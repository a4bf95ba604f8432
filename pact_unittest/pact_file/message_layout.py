"""The JSON layout of message interactions, per specification version.

* spec 3.0.0, as the Rust core writes it: the file's list is ``messages`` (a spec 3 file
  holds HTTP interactions or messages, never both: the Rust core reads a v3 file with
  ``messages`` as a message pact); a message is ``description, providerStates?, contents,
  metadata, matchingRules?, generators?``; JSON contents are written as JSON, bytes as base64
  text, anything else as text; rules in the ``body`` and ``metadata`` categories.
* spec 3.0.0 from the v2 API (``ruby_layout``): as pact-python 2.3.3 + Ruby ``pact-message``
  wrote it, so that a v2 suite's file stays equal: ``description, providerStates`` (always;
  every state with ``params``, ``null`` when none), ``contents, matchingRules`` (always,
  ``{}`` when none; pact-python v2's rules, each in ``{"matchers": [rule]}``), ``metaData``
  (when given). Unlike Ruby, matchers in the metadata become ``metadata`` rules (Ruby
  left the ``json_class`` objects in the metadata, where no verifier reads them as matchers).
* spec 4.0.0: in the ``interactions`` list beside HTTP ones, as the Rust core writes them:
  ``type`` ``Asynchronous/Messages`` with ``contents`` as a ``{"content", "contentType",
  "encoded"}`` body object, ``metadata``, ``matchingRules`` (the contents' rules under
  ``content``, the Rust core's v4 name for ``body``), ``generators``; ``Synchronous/Messages``
  with a ``request`` part and a ``response`` list of parts of that shape. ``key``,
  ``pending`` and ``comments`` as for HTTP (see :mod:`.layout`).
"""
from __future__ import annotations

import base64
from typing import Any, Dict, Iterable, Optional, Tuple

from ..model import normalize_spec_version
from ..model.message import ASYNC_TYPE, SYNC_TYPE, Message, MessageContents, SynchronousMessage
from .layout import _v4_body, compact_json, render_interaction_json, v4_key

__all__ = ["Rendered", "is_message", "render_any", "render_item", "list_name"]


def is_message(item: Any) -> bool:
    if isinstance(item, Rendered):
        return item.message
    return isinstance(item, (Message, SynchronousMessage))


class Rendered:
    """An interaction or message already rendered for one spec version, as compact text.

    What a caller that writes much later keeps instead of the model (a test class until its
    class cleanup): the compact JSON, the file identity, whether it is a message (it picks a
    spec 3 file's list) and who it came from (for conflict messages). Pass it to
    :func:`~.writer.write_pact` with the same spec version, in place of the model.
    """

    __slots__ = ("entry", "spec_version", "message", "origin", "digest")

    def __init__(self, entry: Any, spec_version: str, message: bool,
                 origin: Optional[str] = None) -> None:
        self.entry, self.spec_version, self.message, self.origin = entry, spec_version, message, origin
        #: A digest of the model's content, for a holder's same-key check (a test class's).
        self.digest: Optional[bytes] = None


def render_item(item: Any, spec_version: str) -> Rendered:
    """``item`` (an Interaction or a message) rendered for ``spec_version``, dict dropped.

    ValueError as :func:`render_any` for what the file cannot hold.
    """
    from .text import Entry

    full = normalize_spec_version(spec_version)
    if full == spec_version:
        full = spec_version  # the caller's one string, not a new one per item
    data, compact = render_any(item, full)
    return Rendered(Entry(data, compact, keep_item=False), full, is_message(item),
                    getattr(item, "origin", None))


def list_name(spec_version: str, items: Iterable[Any]) -> str:
    """``messages`` for a spec 3 file of messages, ``interactions`` otherwise.

    ValueError for a spec 3 file that would need both (use spec 4 to mix them).
    """
    major = normalize_spec_version(spec_version).split(".")[0]
    kinds = {is_message(item) for item in items}
    if major != "3" or kinds != {True, False}:
        return "messages" if major == "3" and kinds == {True} else "interactions"
    raise ValueError("a spec 3 pact file holds either HTTP interactions or messages, not both: "
                     "use specification version 4.0.0 for one file with both, or give the "
                     "messages their own provider name")


def render_any(item: Any, spec_version: str) -> Tuple[Dict[str, Any], str]:
    """The pact-file dict of an HTTP interaction or a message, and its compact JSON."""
    if not is_message(item):
        return render_interaction_json(item, spec_version)
    full = normalize_spec_version(spec_version)
    major = full.split(".")[0]
    if major not in ("3", "4"):
        raise ValueError(f"{item.label()}: message pacts need specification 3.0.0 or 4.0.0, not {full}")
    if major == "3":
        if isinstance(item, SynchronousMessage):
            raise ValueError(f"{item.label()}: synchronous messages need specification 4.0.0")
        data = _render_ruby(item) if item.ruby_layout else _render_v3(item)
    else:
        data = _render_v4(item)
    return data, compact_json(data, item.label())


def _v3_contents(part: MessageContents) -> Any:
    if isinstance(part.contents, (bytes, bytearray)):
        return base64.b64encode(bytes(part.contents)).decode("ascii")
    return part.contents


def _render_v3(message: Message) -> Dict[str, Any]:
    part = message.message
    data: Dict[str, Any] = {"description": message.description}
    if message.provider_states:
        data["providerStates"] = [state.to_json() for state in message.provider_states]
    if part.has_contents:
        data["contents"] = _v3_contents(part)
    data["metadata"] = dict(part.metadata)
    if part.matching_rules:
        data["matchingRules"] = part.matching_rules
    if part.generators:
        data["generators"] = part.generators
    return data


def _render_ruby(message: Message) -> Dict[str, Any]:
    part = message.message
    data: Dict[str, Any] = {"description": message.description}
    data["providerStates"] = [{"name": s.name, "params": s.params or None}
                              for s in message.provider_states]
    if part.has_contents:
        data["contents"] = _v3_contents(part)
    data["matchingRules"] = dict(part.matching_rules)
    if part.generators:
        data["generators"] = part.generators
    if part.has_metadata or part.metadata:
        data["metaData"] = dict(part.metadata)
    return data


def _v4_part(part: MessageContents) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if part.has_contents:
        out["contents"] = _v4_body(part.contents, {"Content-Type": part.content_type})
    if part.metadata:
        out["metadata"] = dict(part.metadata)
    if part.matching_rules:
        out["matchingRules"] = {("content" if k == "body" else k): v
                                for k, v in part.matching_rules.items()}
    if part.generators:
        out["generators"] = {("content" if k == "body" else k): v for k, v in part.generators.items()}
    return out


def _render_v4(message: Any) -> Dict[str, Any]:
    kind = SYNC_TYPE if isinstance(message, SynchronousMessage) else ASYNC_TYPE
    data: Dict[str, Any] = {"description": message.description, "type": kind, "key": ""}
    data["pending"] = bool(message.pending)
    if message.comments:
        data["comments"] = message.comments
    if message.provider_states:
        data["providerStates"] = [state.to_json() for state in message.provider_states]
    if isinstance(message, SynchronousMessage):
        data["request"] = _v4_part(message.request)
        data["response"] = [_v4_part(part) for part in message.responses]
    else:
        data.update(_v4_part(message.message))
    data["key"] = str(message.v4_key) if message.v4_key else v4_key(data)
    return data
