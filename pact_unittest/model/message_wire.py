"""Any message wire form in, a :class:`~pact_unittest.model.message.Message` (or
:class:`~pact_unittest.model.message.SynchronousMessage`) out.

Accepted, in any mix, as for HTTP interactions (:mod:`.wire`): pact-python v2's
``MessagePact`` JSON (``providerStates``, ``json_class`` matchers in ``contents`` and
``metaData``); spec 3 message JSON (``contents``, ``metadata``/``metaData``, nested
``matchingRules`` with ``body`` and ``metadata`` categories, ``generators``); spec 4
``Asynchronous/Messages`` (``contents`` as a ``{"content", "contentType", "encoded"}`` body
object, ``key``, ``pending``, ``comments``) and ``Synchronous/Messages`` (``request`` and a
``response`` list of message parts); FFI ``pact:matcher:type`` matchers and matcher objects
anywhere a value goes. Everything is validated first; a ValueError names the field.
"""
from __future__ import annotations

import copy
import json
from typing import Any, Dict, Mapping, Optional, Tuple

from ..matching.spec import normalize_spec_version, spec_family
from .hydrate import hydrate, reify
from .message import ASYNC_TYPE, SYNC_TYPE, Message, MessageContents, SynchronousMessage
from .rules_convert import check_nested, flat_to_nested, is_flat
from .rules_extract import V3OnlyError, extract_v2, extract_v3
from .wire import _check_file_generator, _decode_base64, _provider_states, v4_fields

__all__ = ["parse_message", "is_message_form"]

_BODY_KEYS = {"content", "contentType", "encoded", "contentTypeHint"}


def _fail(where: str, problem: str) -> ValueError:
    return ValueError(f"{where}: {problem}")


def is_message_form(data: Any) -> bool:
    """Whether wire JSON is a message (a v4 message type, or ``contents`` with no request)."""
    if isinstance(data, (Message, SynchronousMessage)):
        return True
    if not isinstance(data, Mapping):
        return False
    if data.get("type") in (ASYNC_TYPE, SYNC_TYPE):
        return True
    return data.get("type") is None and "request" not in data and "response" not in data


def parse_message(data: Any, spec_version: str = "3.0.0", *, ruby_layout: bool = False) -> Any:
    """Build a :class:`Message` or :class:`SynchronousMessage` for ``spec_version``.

    ``ruby_layout``: write the message as pact-python 2.3.3 + Ruby did (the v2 API).
    Raises ValueError, naming the field and the problem, for anything invalid.
    """
    spec = normalize_spec_version(spec_version)
    if spec_family(spec) != 3:
        raise ValueError(f"message pacts need pact specification 3.0.0 or 4.0.0, not {spec}")
    if isinstance(data, (Message, SynchronousMessage)):
        data.spec_version = spec
        return data
    if not isinstance(data, Mapping):
        raise ValueError(f"message must be a JSON object, got {type(data).__name__}")
    kind = data.get("type", ASYNC_TYPE)
    if kind not in (ASYNC_TYPE, SYNC_TYPE):
        raise _fail("message type", f"{kind!r} is not a message type ({ASYNC_TYPE} or {SYNC_TYPE})")
    description = data.get("description")
    if not isinstance(description, str) or not description:
        raise (ValueError("message description is missing") if description is None else
               _fail("message description", f"must be a non-empty string, got {description!r}"))
    if kind == SYNC_TYPE and spec != "4.0.0":
        raise _fail(f"message {description!r}", "synchronous messages need pact specification 4.0.0")
    common: Dict[str, Any] = {
        "description": description, "spec_version": spec,
        "provider_states": _provider_states(data, 3), "ruby_layout": ruby_layout,
    }
    comments, pending, key = v4_fields(data)
    if spec == "4.0.0":
        common.update(comments=comments or None, pending=pending, v4_key=key)
    if kind == SYNC_TYPE:
        request = data.get("request")
        if not isinstance(request, Mapping):
            raise _fail(f"message {description!r} request", "must be an object with contents")
        responses = data.get("response", data.get("responses", []))
        if isinstance(responses, Mapping):
            responses = [responses]
        if not isinstance(responses, list):
            raise _fail(f"message {description!r} response", "must be a list of messages")
        return SynchronousMessage(
            request=parse_contents(request, "request"),
            responses=tuple(parse_contents(r, f"response[{i}]") for i, r in enumerate(responses)),
            **common)
    return Message(message=parse_contents(data, "message", ruby=ruby_layout), **common)


def parse_contents(raw: Mapping, where: str, ruby: bool = False) -> MessageContents:
    """One message part: contents, metadata, their rules and generators.

    ``ruby``: the contents' rules as Ruby ``pact-message`` wrote them into spec 3 files
    (pact-python 2.3.3's v2 rules, each wrapped in ``{"matchers": [rule]}``).
    """
    if not isinstance(raw, Mapping):
        raise _fail(where, f"must be an object, got {type(raw).__name__}")
    rules: Dict[str, Any] = {}
    generators: Dict[str, Any] = {}
    _existing(raw, where, rules, generators)
    metadata_raw = raw.get("metadata", raw.get("metaData"))
    metadata: Dict[str, Any] = {}
    if metadata_raw is not None:
        if not isinstance(metadata_raw, Mapping):
            raise _fail(f"{where} metadata", f"must be an object, got {type(metadata_raw).__name__}")
        for name, value in metadata_raw.items():
            here = f"{where} metadata {name!r}"
            if not isinstance(name, str) or not name:
                raise _fail(f"{where} metadata", f"keys must be non-empty strings, got {name!r}")
            node = hydrate(value, here)
            _key_rules(node, name, rules, generators)
            metadata[name] = reify(node)
    explicit: Optional[str] = None
    present = "contents" in raw
    contents: Any = raw.get("contents")
    if isinstance(contents, dict) and _is_body_object(contents):
        contents, explicit = _unwrap(contents, f"{where} contents")
    elif isinstance(contents, (bytes, bytearray)):
        contents = _Bytes(bytes(contents))
    if present and not isinstance(contents, _Bytes):
        node = hydrate(contents, f"{where} contents")
        body_rules: Dict[str, Any] = {}
        body_gens: Dict[str, Any] = {}
        if ruby:
            _ruby_rules(node, f"{where} contents", body_rules, body_gens)
        else:
            extract_v3(node, "$", body_rules, body_gens)
        _merge(rules, "body", body_rules)
        _merge(generators, "body", body_gens)
        contents = reify(node)
    elif isinstance(contents, _Bytes):
        contents = contents.data
    return MessageContents(contents=contents, metadata=metadata,
                           matching_rules=_ordered(rules), generators=_ordered(generators),
                           explicit_content_type=explicit, has_contents=present,
                           has_metadata=metadata_raw is not None)


def _ordered(categories: Dict[str, Any]) -> Dict[str, Any]:
    """Non-empty categories, ``body`` first (as the Rust core writes them)."""
    names = sorted(categories, key=lambda name: (name != "body", name))
    return {name: categories[name] for name in names if categories[name]}


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self.data = data


def _is_body_object(value: Any) -> bool:
    return (isinstance(value, dict) and "content" in value and set(value) <= _BODY_KEYS
            and ("contentType" in value or "encoded" in value))


def _unwrap(value: Dict[str, Any], where: str) -> Tuple[Any, Optional[str]]:
    """A v4 body object's content (parsed JSON, text or bytes) and its content type."""
    content_type = value.get("contentType")
    if content_type is not None and not isinstance(content_type, str):
        raise _fail(where, f"contentType must be a string, got {content_type!r}")
    encoded = value.get("encoded", False)
    content = value["content"]
    if encoded in (False, None):
        return content, content_type
    if isinstance(encoded, str) and encoded.lower() == "json":
        if not isinstance(content, str):
            return content, content_type
        try:
            return json.loads(content), content_type
        except ValueError as exc:
            raise _fail(where, f"encoded JSON content does not parse: {exc}") from None
    if isinstance(encoded, str) and encoded.lower() == "base64":
        return _Bytes(_decode_base64(content, where)), content_type or "application/octet-stream"
    raise _fail(where, f"unsupported contents encoding {encoded!r}")


def _ruby_rules(node: Any, where: str, rules: Dict[str, Any], gens: Dict[str, Any]) -> None:
    flat: Dict[str, Dict[str, Any]] = {}
    try:
        extract_v2(node, "$", flat, where)
    except V3OnlyError:  # a v3 matcher in a v2 suite: Ruby never saw one; write v3 rules
        extract_v3(node, "$", rules, gens)
        return
    for path, rule in flat.items():
        rules[path] = {"matchers": [rule]}


def _key_rules(node: Any, name: str, rules: Dict[str, Any], generators: Dict[str, Any]) -> None:
    """The rules and generator of one metadata value, under its key (as the Rust core
    holds them: one rule list per metadata key)."""
    found: Dict[str, Dict[str, Any]] = {}
    gens: Dict[str, Dict[str, Any]] = {}
    extract_v3(node, "$", found, gens)
    if found:
        merged: Dict[str, Any] = {"matchers": [], "combine": "AND"}
        for entry in found.values():
            merged["matchers"] += [m for m in entry["matchers"] if m not in merged["matchers"]]
        rules.setdefault("metadata", {})[name] = merged
    if gens:
        generators.setdefault("metadata", {})[name] = next(iter(gens.values()))


def _merge(target: Dict[str, Any], category: str, found: Dict[str, Any]) -> None:
    if found:
        target.setdefault(category, {}).update(found)


def _existing(raw: Mapping, where: str, rules: Dict[str, Any], generators: Dict[str, Any]) -> None:
    """Rules and generators given in pact-file form (``content`` is the v4 name of ``body``)."""
    given = copy.deepcopy(raw.get("matchingRules"))
    if given:
        if not isinstance(given, dict):
            raise _fail(f"{where} matchingRules", "must be an object")
        if is_flat(given):
            given = flat_to_nested(given, where)
        for category, content in check_nested(given, where).items():
            name = "body" if category == "content" else category
            if category not in ("body", "content", "metadata"):
                raise _fail(f"{where} matchingRules", f"a message has no {category!r} category "
                                                     "(only body/content and metadata)")
            rules.setdefault(name, {}).update(content)
    given_gens = copy.deepcopy(raw.get("generators"))
    if given_gens:
        if not isinstance(given_gens, dict):
            raise _fail(f"{where} generators", "must be an object")
        for category, content in given_gens.items():
            name = "body" if category == "content" else category
            if name not in ("body", "metadata") or not isinstance(content, dict):
                raise _fail(f"{where} generators", f"a message has no {category!r} category "
                                                   "(only body/content and metadata)")
            for key, generator in content.items():
                _check_file_generator(generator, f"{where} generators {category} {key}")
            generators.setdefault(name, {}).update(content)
