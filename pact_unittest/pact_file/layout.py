"""The JSON layout of a pact file, per specification version.

Interactions hold the internal pact form (see :mod:`pact_unittest.model`), so most
of the work is copying fields into a fixed key order:

* spec 1.0.0/1.1.0/2.0.0: exactly the Ruby mock service's layout (``ruby-mock-service.md``
  §9.2): top level ``consumer, provider, interactions, metadata``; an interaction is
  ``description, providerState?, request, response``; a request ``method, path, query?,
  headers?, body?, matchingRules?``; a response ``status, headers`` (always, ``{}`` when
  none), ``body?, matchingRules?``. Spec 1 files carry no ``matchingRules``. The metadata
  version is ``"<major>.0.0"`` as Ruby writes it (1.1.0 files say "1.0.0").
* spec 3.0.0: the layout the Rust core and Pact-JVM write: ``providerStates`` with
  ``params``, query as a map of lists, ``matchingRules`` nested by category,
  ``generators``, metadata version "3.0.0".
* spec 4.0.0: metadata version "4.0" as the Rust core writes it; each interaction has
  ``type: "Synchronous/HTTP"``, a ``key``, ``pending``, ``comments`` when set; bodies are
  ``{"content", "contentType", "encoded"}`` objects; header and query values are lists.

Key order. Ruby's order for 1.x/2.x; for 3 and 4 we use the same reading order
(description first, request before response) rather than the Rust core's alphabetical
order: JSON readers ignore key order, and a fixed order is all determinism needs.
Interactions are sorted by (description, provider states as canonical JSON), so a
parallel run writes the same bytes as a serial one.

The v4 ``key``: the Rust core hashes its in-memory structs with Rust's ``DefaultHasher``,
which no other language can reproduce. Ours is the first 16 hex digits (the width of
Rust's u64 key) of SHA-256 over the canonical JSON (sorted keys, compact, UTF-8) of the
interaction as written minus ``key``, ``pending`` and ``comments``: stable across runs,
machines and Python versions, and it changes when the contract changes, not when a
comment does. An interaction object carrying a ``v4_key`` attribute (a key the user chose)
gets that key instead.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
from typing import Any, Dict, Iterable, List, Optional, Tuple

from ..matching.contenttype import family
from ..model import Interaction, normalize_spec_version, spec_family
from ..model.http_forms import sniff_content_type

logger = logging.getLogger(__name__)

HTTP_TYPE = "Synchronous/HTTP"
_V4_BODY_KEYS = {"content", "contentType", "encoded"}
_V4_BODY_OPTIONAL = {"contentTypeHint"}

#: A file interaction's identity: (type, description, provider states canonical JSON).
FileKey = Tuple[str, str, str]


def metadata_version(spec_version: str) -> str:
    """What ``metadata.pactSpecification.version`` says for a spec version."""
    full = normalize_spec_version(spec_version)
    major = full.split(".")[0]
    return "4.0" if major == "4" else major + ".0.0"


def assemble(
    consumer: str, provider: str, items: Iterable[Dict[str, Any]], spec_version: str,
    list_key: str = "interactions",
) -> Dict[str, Any]:
    """The top-level document around already-rendered interaction dicts (sorted here).

    ``list_key``: ``messages`` for a spec 3 message pact (see :mod:`.message_layout`).
    """
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        list_key: sorted(items, key=sort_key),
        "metadata": {"pactSpecification": {"version": metadata_version(spec_version)}},
    }


# -- one interaction ---------------------------------------------------------------------


def render_interaction_json(interaction: Interaction, spec_version: str) -> Tuple[Dict[str, Any], str]:
    """The pact-file dict of one interaction and its compact JSON (in the dict's key order).

    The compact text is the check that the interaction can be written at all (ValueError
    naming it if not) and the cache key of its indented text (:mod:`.text`).
    """
    full = normalize_spec_version(spec_version)
    own = getattr(interaction, "spec_version", full) or full
    if spec_family(own) != spec_family(full):
        raise ValueError(
            f"interaction {interaction.label()} is in the internal form of spec {own}, which "
            f"cannot be written as a spec {full} pact: build it for spec {full}"
        )
    major = full.split(".")[0]
    if major in ("1", "2"):
        data = _render_v2(interaction, with_rules=(major == "2"))
    elif major == "3":
        data = _render_v3(interaction)
    else:
        data = _render_v4(interaction)
    return data, compact_json(data, f"interaction {interaction.label()}")


def compact_json(data: Any, what: str) -> str:
    """``data`` as compact JSON (what sorting and merging compare), or a ValueError naming
    ``what`` cannot be written (NaN, a lone surrogate's neighbours, a non-JSON value)."""
    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} cannot be written as JSON: {exc}") from None


def _render_v2(interaction: Interaction, with_rules: bool) -> Dict[str, Any]:
    data: Dict[str, Any] = {"description": interaction.description}
    if interaction.provider_state is not None:
        data["providerState"] = interaction.provider_state
    req = interaction.request
    request: Dict[str, Any] = {"method": req.get("method"), "path": req.get("path")}
    if "query" in req:
        request["query"] = _query_string(req["query"])
    if "headers" in req:
        request["headers"] = _joined_headers(req["headers"])
    if "body" in req:
        request["body"] = _plain_body(req["body"], req.get("headers"))
    if with_rules and req.get("matchingRules"):
        request["matchingRules"] = req["matchingRules"]
    res = interaction.response
    response: Dict[str, Any] = {
        "status": res.get("status"),
        "headers": _joined_headers(res.get("headers") or {}),
    }
    if "body" in res:
        response["body"] = _plain_body(res["body"], res.get("headers"))
    if with_rules and res.get("matchingRules"):
        response["matchingRules"] = res["matchingRules"]
    data["request"] = request
    data["response"] = response
    return data


def _render_v3(interaction: Interaction) -> Dict[str, Any]:
    data: Dict[str, Any] = {"description": interaction.description}
    if interaction.provider_states:
        data["providerStates"] = [state.to_json() for state in interaction.provider_states]
    data["request"] = _v3_part(interaction.request, is_request=True, v4=False)
    data["response"] = _v3_part(interaction.response, is_request=False, v4=False)
    return data


def _render_v4(interaction: Interaction) -> Dict[str, Any]:
    data: Dict[str, Any] = {"description": interaction.description, "type": HTTP_TYPE, "key": ""}
    data["pending"] = bool(interaction.pending)
    if interaction.comments:
        data["comments"] = interaction.comments
    if interaction.provider_states:
        data["providerStates"] = [state.to_json() for state in interaction.provider_states]
    data["request"] = _v3_part(interaction.request, is_request=True, v4=True)
    data["response"] = _v3_part(interaction.response, is_request=False, v4=True)
    chosen = getattr(interaction, "v4_key", None)
    data["key"] = str(chosen) if chosen else v4_key(data)
    return data


def v4_key(data: Dict[str, Any]) -> str:
    """Our deterministic v4 ``key`` of a rendered interaction (see the module doc)."""
    core = {k: v for k, v in data.items() if k not in ("key", "pending", "comments")}
    text = json.dumps(core, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _v3_part(part: Dict[str, Any], is_request: bool, v4: bool) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if is_request:
        out["method"] = part.get("method")
        out["path"] = part.get("path")
        query = part.get("query")
        if query:
            out["query"] = _query_map(query)
    else:
        out["status"] = part.get("status")
    headers = part.get("headers")
    if headers:
        out["headers"] = _listed_headers(headers) if v4 else _joined_headers(headers)
    if "body" in part:
        out["body"] = _v4_body(part["body"], headers or {}) if v4 else _plain_body(part["body"], headers)
    for name in ("matchingRules", "generators"):
        if part.get(name):
            out[name] = part[name]
    return out


# -- values --------------------------------------------------------------------------------


def _query_string(query: Any) -> Any:
    """v1/v2 queries are strings; a map (of lists) is encoded in its own order."""
    if not isinstance(query, dict):
        return query
    from urllib.parse import urlencode

    pairs: List[Tuple[str, Any]] = []
    for name, values in query.items():
        for value in values if isinstance(values, (list, tuple)) else [values]:
            pairs.append((name, "" if value is None else value))
    return urlencode(pairs)


def _query_map(query: Any) -> Any:
    if isinstance(query, str):
        from urllib.parse import parse_qsl

        result: Dict[str, List[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            result.setdefault(name, []).append(value)
        return result
    return {
        name: list(values) if isinstance(values, (list, tuple)) else [values]
        for name, values in query.items()
    }


def _joined_headers(headers: Dict[str, Any]) -> Dict[str, Any]:
    return {
        name: ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else value
        for name, value in headers.items()
    }


def _listed_headers(headers: Dict[str, Any]) -> Dict[str, Any]:
    return {
        name: list(value) if isinstance(value, (list, tuple)) else [value]
        for name, value in headers.items()
    }


def _is_v4_body(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and _V4_BODY_KEYS <= set(body)
        and set(body) <= _V4_BODY_KEYS | _V4_BODY_OPTIONAL
    )


def _plain_body(body: Any, headers: Optional[Dict[str, Any]] = None) -> Any:
    """A body for spec 1-3 files, which have no binary form.

    Bytes under a textual content type (text, JSON, XML, form, multipart) are written as
    text when they are UTF-8; any other bytes as a base64 string, which is what the Rust
    core writes into v3 files and what its verifier decodes for a binary content type. A
    binary body that happens to be valid UTF-8 must still be base64, or the verifier would
    decode the text as base64 and send the provider the wrong bytes.
    """
    if isinstance(body, (bytes, bytearray)):
        content_type = _header_value(headers or {}, "content-type")
        if family(content_type) != "binary":
            try:
                return bytes(body).decode("utf-8")
            except UnicodeDecodeError:
                pass
        logger.warning("binary body written as base64 text: spec 1-3 pact files have no binary form")
        return base64.b64encode(bytes(body)).decode("ascii")
    return body


def _header_value(headers: Dict[str, Any], name: str) -> Optional[str]:
    for key, value in headers.items():
        if key.lower() == name:
            if isinstance(value, (list, tuple)):
                return str(value[0]) if value else None
            return None if value is None else str(value)
    return None


def _v4_body(body: Any, headers: Dict[str, Any]) -> Dict[str, Any]:
    if _is_v4_body(body):
        out = {"content": body["content"], "contentType": body["contentType"], "encoded": body["encoded"]}
        if "contentTypeHint" in body:
            out["contentTypeHint"] = body["contentTypeHint"]
        return out
    content_type = _header_value(headers, "content-type") or sniff_content_type(body)
    if isinstance(body, (bytes, bytearray)):
        return {
            "content": base64.b64encode(bytes(body)).decode("ascii"),
            "contentType": content_type,
            "encoded": "base64",
        }
    return {"content": body, "contentType": content_type, "encoded": False}


# -- file interactions -----------------------------------------------------------------------


def file_key(item: Dict[str, Any]) -> FileKey:
    """The identity of an interaction dict in a pact file, matching ``Interaction.key()``.

    Provider states are read from ``providerStates`` (v3/v4) or ``providerState`` (v1/v2);
    empty ``params`` count as none, as :meth:`ProviderState.to_json` writes them. The v4
    ``type`` is part of the identity so that message interactions never collide with ours.
    """
    states: List[Dict[str, Any]] = []
    if isinstance(item.get("providerStates"), list):
        for state in item["providerStates"]:
            if isinstance(state, dict):
                entry: Dict[str, Any] = {"name": state.get("name")}
                if state.get("params"):
                    entry["params"] = state["params"]
                states.append(entry)
    elif item.get("providerState") is not None:
        states.append({"name": item["providerState"]})
    return (
        str(item.get("type", HTTP_TYPE)),
        str(item.get("description", "")),
        json.dumps(states, sort_keys=True),
    )


def file_label(item: Dict[str, Any]) -> str:
    """How an interaction of a pact file is named in messages: ``'desc' (given 'state')``."""
    text = repr(item.get("description"))
    states = [s.get("name") for s in item.get("providerStates") or [] if isinstance(s, dict)]
    if not states and item.get("providerState") is not None:
        states = [item["providerState"]]
    if states:
        text += " (given " + ", ".join(repr(s) for s in states) + ")"
    return text


def sort_key(item: Dict[str, Any]) -> Tuple[str, str, str]:
    kind, description, states = file_key(item)
    return (description, states, kind)


def file_spec_major(document: Any) -> Optional[str]:
    """The major spec version a parsed pact file declares, or None if it doesn't say."""
    if not isinstance(document, dict):
        return None
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for name in ("pactSpecification", "pact-specification"):
        section = metadata.get(name)
        if isinstance(section, dict) and section.get("version") is not None:
            return str(section["version"]).strip().lstrip("vV").split(".")[0] or None
    if metadata.get("pactSpecificationVersion") is not None:
        return str(metadata["pactSpecificationVersion"]).split(".")[0] or None
    return None
