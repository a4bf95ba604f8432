"""Any interaction wire form in, the shared :class:`~pact_unittest.model.Interaction` out.

Accepted, in any mix: pact-python v2's admin-API JSON (``provider_state``, ``json_class``
matchers, query as dict or string, method in any case); pact-file JSON of spec 2
(``providerState``, flat ``matchingRules``), spec 3 (``providerStates`` with params, nested
rules, ``generators``) and spec 4 (``type``, ``pending``, ``comments``, body objects); FFI
``pact:matcher:type`` matchers anywhere a value goes; and matcher objects built in Python.
A binary body is sent as the v4 body object ``{"content": "<base64>", "contentType": ...,
"encoded": "base64"}`` for every spec version (spec 1-3 JSON has no other form for bytes);
for spec 1-3 it becomes ``bytes`` in the internal form, with its ``contentType`` as the
``Content-Type`` header when none is given.

The result is in the internal form of the target spec family (see
:mod:`pact_unittest.model`): example values with the rules split out. For spec 1/2 the
rules are exactly what the Ruby mock service writes, so pact files compare equal with
pact-python 2.3.3's. Everything is validated first and a ValueError names the field and the
problem; nothing is half-built.

Deliberate differences from Ruby (each documented for users): scalar query and header values
are coerced to strings (Ruby could never match ``{"limit": 2}``), a ``None`` query value is
written as a bare key instead of vanishing, spec-3 files keep ``provider_state`` and write
nested v3 rules, and bad input is rejected at registration instead of crashing later.
"""
from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import json
import warnings
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .rules_convert import check_nested, check_rules, flat_to_nested, is_flat, nested_to_flat
from .rules_extract import extract_v2, extract_v3, v2_key
from .hydrate import hydrate, plain_str, reify, to_wire
from .http_forms import encode_form, parse_query, query_hash, render_query, scalar_text
from ..matching.spec import normalize_spec_version, spec_family
from .interaction import Interaction, ProviderState
from .limits import check_example_size, check_writable
from ..matchers import Matcher

__all__ = ["parse_interaction", "reify", "to_wire"]

_BODY_OBJECT_KEYS = {"content", "contentType", "encoded", "contentTypeHint"}
_FORM = "application/x-www-form-urlencoded"


def _fail(where: str, problem: str) -> ValueError:
    return ValueError(f"{where}: {problem}")


def parse_interaction(data: Any, spec_version: str = "2.0.0") -> Interaction:
    """Build an :class:`Interaction` for ``spec_version`` from any accepted wire form.

    Raises ValueError, naming the field and the problem, for anything invalid.
    """
    spec = normalize_spec_version(spec_version)
    family = spec_family(spec)
    if isinstance(data, Interaction):
        if spec_family(data.spec_version) == family:
            return dataclasses.replace(data, spec_version=spec)
        data = _as_file_form(data)
    if not isinstance(data, Mapping):
        raise ValueError(f"interaction must be a JSON object, got {type(data).__name__}")
    kind = data.get("type")
    if kind is not None and kind != "Synchronous/HTTP":
        raise _fail("interaction type", f"{kind!r} is not supported here; only Synchronous/HTTP")
    description = plain_str(data.get("description"))
    if not isinstance(description, str) or not description:
        if description is None:
            raise ValueError("description is missing")
        raise _fail("description", f"must be a non-empty string, got {description!r}")
    states = _provider_states(data, family)
    for part in ("request", "response"):
        if part not in data:
            raise ValueError(f"{part} is missing")
        if not isinstance(data[part], Mapping):
            raise _fail(part, f"must be an object, got {type(data[part]).__name__}")
    check_writable({k: v for k, v in data.items() if k not in ("request", "response")},
                   "interaction")
    for part in ("request", "response"):
        check_writable(data[part], part)
        check_example_size(data[part], part)  # before anything expands
    v4 = kind is not None or spec == "4.0.0"
    request = _Part(family, "request", v4).request(data["request"])
    response = _Part(family, "response", v4).response(data["response"])
    comments, pending, key = v4_fields(data)
    if spec != "4.0.0":
        _warn_v4_only(spec, comments=bool(comments), pending=pending)
    return Interaction(description=description, request=request, response=response,
                       spec_version=spec, provider_states=states, comments=comments,
                       pending=pending, v4_key=key if family == 3 else None)


def v4_fields(data: Mapping[str, Any]) -> Tuple[Optional[Dict[str, Any]], bool, Optional[str]]:
    """An interaction's v4 ``comments``, ``pending`` and ``key``, checked (HTTP and messages)."""
    comments = data.get("comments")
    if comments is not None and not isinstance(comments, dict):
        raise _fail("comments", f"must be an object, got {comments!r}")
    pending = data.get("pending", False)
    if not isinstance(pending, bool):
        raise _fail("pending", f"must be true or false, got {pending!r}")
    key = data.get("key")
    if key is not None and not isinstance(key, str):
        raise _fail("key", f"must be a string, got {key!r}")
    return comments, pending, key


def _warn_v4_only(spec: str, **given: bool) -> None:
    """Say that a spec-4-only setting will not reach the pact file, instead of dropping it
    silently. The text names the setting and the version but no interaction, so Python's
    default warning filter shows it once per place, not once per test."""
    for name, is_set in given.items():
        if is_set:
            warnings.warn(
                f"{name}= is written only into spec 4 pact files; it is ignored under "
                f"specification_version {spec!r} (use '4.0' to keep it)",
                UserWarning, stacklevel=3)


def _as_file_form(interaction: Interaction) -> Dict[str, Any]:
    return {
        "description": interaction.description,
        "providerStates": [s.to_json() for s in interaction.provider_states],
        "request": interaction.request,
        "response": interaction.response,
        "comments": interaction.comments,
        "pending": interaction.pending,
        "key": interaction.v4_key,
    }


def _provider_states(data: Mapping, family: int) -> Tuple[ProviderState, ...]:
    """Provider states from ``provider_state``/``providerState`` and ``providerStates``.

    Spec 1/2 have one state and no params. Spec 3 keeps params, and keeps pact-python's
    ``provider_state`` (Ruby dropped it in v3 mode).
    """
    states: List[ProviderState] = []
    for key in ("provider_state", "providerState"):
        name = plain_str(data.get(key))
        if name is not None:
            if not isinstance(name, str):
                raise _fail(key, f"must be a string, got {name!r}")
            states.append(ProviderState(name))
            break
    listed = data.get("providerStates") or []
    if not isinstance(listed, list):
        raise _fail("providerStates", f"must be a list, got {listed!r}")
    for index, item in enumerate(listed):
        where = f"providerStates[{index}]"
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _fail(where, f"must be an object with a string 'name', got {item!r}")
        params = item.get("params")
        if params is not None and not isinstance(params, dict):
            raise _fail(where + ".params", f"must be an object, got {params!r}")
        state = ProviderState(plain_str(item["name"]), params or None)
        if not any(s.name == state.name for s in states):
            states.append(state)
        elif params:  # same name given both ways: keep the params
            states = [state if s.name == state.name else s for s in states]
    if family == 2:
        return (ProviderState(states[0].name),) if states else ()
    return tuple(states)


class _Part:
    """Builds one request or response dict of the target family, rules included."""

    def __init__(self, family: int, name: str, v4: bool = False) -> None:
        self.family = family
        self.name = name
        self.v4 = v4  # v4 form: bodies may be {"contentType", "encoded", "content"} objects
        self.flat: Dict[str, Dict[str, Any]] = {}          # v2 rules
        self.nested: Dict[str, Any] = {}                     # v3 rules by category
        self.generators: Dict[str, Any] = {}

    # -- the two entry points -----------------------------------------------------------
    def request(self, raw: Mapping) -> Dict[str, Any]:
        method = plain_str(raw.get("method"))
        if not isinstance(method, str) or not method.strip():
            raise (ValueError("request method is missing") if method is None
                   else _fail("request method", f"must be a string, got {method!r}"))
        if "path" not in raw or raw["path"] is None:
            raise ValueError("request path is missing")
        self._existing(raw)
        out: Dict[str, Any] = {"method": method if self.family == 2 else method.upper()}
        out["path"] = self._path(raw["path"])
        if raw.get("query") is not None:
            out["query"] = self._query(raw["query"])
        headers = self._headers(raw["headers"]) if raw.get("headers") is not None else None
        if headers is not None and (self.family == 2 or headers):
            out["headers"] = headers
        if "body" in raw:
            body = self._body(raw["body"], headers or {}, is_request=True)
            if not self.v4 and isinstance(body, bytes) and isinstance(raw["body"], dict):
                # Spec 1-3 files can name a body's content type only in the headers.
                content_type = raw["body"].get("contentType")
                headers = headers if headers is not None else {}
                if content_type and not any(k.lower() == "content-type" for k in headers):
                    headers["Content-Type"] = content_type
                    out["headers"] = headers
            out["body"] = body
        return self._finish(out)

    def response(self, raw: Mapping) -> Dict[str, Any]:
        status = raw.get("status")
        if status is None:
            raise ValueError("response status is missing")
        if isinstance(status, Matcher) or (isinstance(status, dict)
                                           and ("json_class" in status or "pact:matcher:type" in status)):
            raise _fail("response status", "cannot be a matcher; give the status code as an integer")
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise _fail("response status", f"must be an integer from 100 to 599, got {status!r}")
        self._existing(raw)
        out: Dict[str, Any] = {"status": status}
        headers = self._headers(raw["headers"]) if raw.get("headers") is not None else {}
        if self.family == 2 or headers:
            out["headers"] = headers
        if "body" in raw:
            body = self._body(raw["body"], headers, is_request=False)
            if isinstance(raw["body"], dict) and raw["body"].get("contentType") and self._is_body_object(raw["body"]):
                if not any(k.lower() == "content-type" for k in headers):
                    headers["Content-Type"] = raw["body"]["contentType"]
                    out["headers"] = headers
            out["body"] = body
        return self._finish(out)

    # -- fields ---------------------------------------------------------------------------
    def _path(self, value: Any) -> str:
        where = f"{self.name} path"
        node = hydrate(value, where)
        self._rules(node, "$.path", "path", None, where)
        text = scalar_text(reify(node))
        if text is None:
            raise _fail(where, f"must be a string, got {value!r}")
        return text

    def _query(self, value: Any) -> Any:
        where = f"{self.name} query"
        node = hydrate(value, where)
        if isinstance(node, str):
            return node if self.family == 2 else parse_query(node)
        if isinstance(node, Matcher):
            if self.family == 3:
                raise _fail(where, "a matcher on the whole query string cannot be written for "
                                   "spec 3; give the query as a dict with a matcher per parameter")
            self._rules(node, "$.query", "query", None, where)
            text = reify(node)
            if not isinstance(text, str):
                raise _fail(where, f"the matcher's example must be a string, got {text!r}")
            return text
        if not isinstance(node, dict):
            raise _fail(where, f"must be a string or an object, got {type(value).__name__}")
        params = query_hash(node)
        rendered: Dict[str, List[Optional[str]]] = {}
        for key, item in params.items():
            if self.family == 2:
                extract_v2(item, "$.query" + v2_key(key), self.flat, where)
            else:
                self._rules(item, "$.query" + v2_key(key), "query", key, where)
            values = reify(item)
            values = values if isinstance(values, list) else [values]
            texts: List[Optional[str]] = []
            for one in values:
                text = None if one is None and self.family == 2 else scalar_text(one)
                if text is None and one is not None:
                    raise _fail(f"{where} parameter {key!r}", f"values must be strings, got {one!r}")
                texts.append(text)
            rendered[key] = texts
        if self.family == 2:
            return render_query(rendered)
        return {k: [t if t is not None else "" for t in v] or [""] for k, v in rendered.items()}

    def _headers(self, value: Any) -> Dict[str, str]:
        where = f"{self.name} headers"
        if not isinstance(value, Mapping):
            raise _fail(where, f"must be an object, got {type(value).__name__}")
        seen: Dict[str, str] = {}
        out: Dict[str, str] = {}
        for name, raw in value.items():
            here = f"{self.name} header {name!r}"
            if not isinstance(name, str) or not name:
                raise _fail(where, f"header names must be non-empty strings, got {name!r}")
            if name.lower() in seen:
                raise _fail(where, f"{seen[name.lower()]!r} and {name!r} differ only in case")
            seen[name.lower()] = name
            node = hydrate(raw, here)
            self._rules(node, "$.headers" + v2_key(name), "header", name, here)
            example = reify(node)
            if isinstance(example, list) and all(isinstance(v, str) for v in example) and example:
                out[name] = ", ".join(example)  # v4 files hold header values as lists
                continue
            text = scalar_text(example)
            if text is None:
                raise _fail(here, f"must be a string (or number), got {example!r}")
            out[name] = text
        return out

    def _body(self, value: Any, headers: Dict[str, str], is_request: bool) -> Any:
        where = f"{self.name} body"
        if self._is_body_object(value):
            value = self._unwrap_body(value, where, is_request)
            if isinstance(value, _Raw):
                return value.body
        if not self.v4 and isinstance(value, str):
            decoded = _base64_under_binary_type(value, headers)
            if decoded is not None:
                return decoded
        node = hydrate(value, where)
        if self.family == 2:
            extract_v2(node, "$.body", self.flat, where)
        else:
            extract_v3(node, "$", self.nested.setdefault("body", {}),
                       self.generators.setdefault("body", {}))
        example = reify(node)
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if is_request and isinstance(example, dict) and content_type.split(";")[0].strip().lower() == _FORM:
            return encode_form(example)
        return example

    # -- v4 body objects ----------------------------------------------------------------------
    def _is_body_object(self, value: Any) -> bool:
        """A v4 body object; for spec 1-3 only the base64 one (see :func:`_is_base64_body`).

        Spec 1-3 JSON has no binary form, so a client of the admin API (another language)
        sends bytes the way v4 files hold them. Other v4-looking objects stay plain JSON
        bodies there: ``{"content": ..., "contentType": ...}`` is a legitimate v2 body.
        """
        if not (isinstance(value, dict) and "content" in value and set(value) <= _BODY_OBJECT_KEYS):
            return False
        if self.v4:
            return "contentType" in value or "encoded" in value
        return _is_base64_body(value)

    def _unwrap_body(self, value: Dict[str, Any], where: str, is_request: bool) -> Any:
        encoded = value.get("encoded", False)
        content = value["content"]
        if encoded in (False, None):
            return content
        if isinstance(encoded, str) and encoded.lower() == "json":
            if not isinstance(content, str):
                return content
            try:
                return json.loads(content)
            except ValueError as exc:
                raise _fail(where, f"encoded JSON content does not parse: {exc}") from None
        if isinstance(encoded, str) and encoded.lower() == "base64":
            decoded = _decode_base64(value["content"], where)
            if self.v4 and (is_request or "contentTypeHint" in value):
                # A v4 request keeps the body object: the engine reads its content type
                # even when the client's request has no Content-Type header.
                return _Raw(dict(value))
            # Bytes in the internal form (model.interaction: raw bodies), as a Python caller would
            # put them: the mock serves them as they are, the pact writer decides how the
            # file holds them (a v4 body object again, with the Content-Type header that
            # response() sets from the object's contentType).
            return _Raw(decoded)
        raise _fail(where, f"unsupported body encoding {encoded!r}")

    # -- rules ------------------------------------------------------------------------------
    def _rules(self, node: Any, v2_path: str, category: str, key: Optional[str],
               where: str) -> None:
        """Rules of a path/query/header value: at ``v2_path`` (v2) or under the category (v3)."""
        if self.family == 2:
            extract_v2(node, v2_path, self.flat, where)
            return
        rules: Dict[str, Dict[str, Any]] = {}
        gens: Dict[str, Dict[str, Any]] = {}
        extract_v3(node, "$", rules, gens)
        if rules:
            merged: Dict[str, Any] = {"matchers": [], "combine": "AND"}
            for entry in rules.values():
                merged["matchers"] += [m for m in entry["matchers"] if m not in merged["matchers"]]
            if key is None:
                self.nested[category] = merged
            else:
                self.nested.setdefault(category, {})[key] = merged
        if gens:
            gen = next(iter(gens.values()))
            if key is None:
                self.generators[category] = gen
            else:
                self.generators.setdefault(category, {})[key] = gen

    def _existing(self, raw: Mapping) -> None:
        """Rules and generators already in pact-file form, converted to our family."""
        rules = copy.deepcopy(raw.get("matchingRules"))  # never alias (or append to) input
        where = self.name
        if rules:
            if not isinstance(rules, dict):
                raise _fail(f"{where} matchingRules", "must be an object")
            if is_flat(rules):
                if self.family == 2:
                    for path, rule in rules.items():
                        check_rules(rule, f"{where} matchingRules {path!r}")
                        self.flat[path] = dict(rule)
                else:
                    self._merge_nested(flat_to_nested(rules, where))
            elif self.family == 2:
                self.flat.update(nested_to_flat(rules, where))
            else:
                self._merge_nested(check_nested(rules, where))
        generators = copy.deepcopy(raw.get("generators"))
        if generators and self.family == 3:
            if not isinstance(generators, dict):
                raise _fail(f"{where} generators", "must be an object")
            for category, content in generators.items():
                if isinstance(content, dict) and "type" not in content:
                    for key, generator in content.items():
                        _check_file_generator(generator, f"{where} generators {category} {key}")
                    self.generators.setdefault(category, {}).update(content)
                else:
                    _check_file_generator(content, f"{where} generators {category}")
                    self.generators[category] = content

    def _merge_nested(self, rules: Dict[str, Any]) -> None:
        for category, content in rules.items():
            if "matchers" in content:
                self.nested[category] = content
            else:
                self.nested.setdefault(category, {}).update(content)

    def _finish(self, out: Dict[str, Any]) -> Dict[str, Any]:
        if self.family == 2:
            if self.flat:
                out["matchingRules"] = self.flat
            return out
        rules = {k: v for k, v in self.nested.items() if v}
        if rules:
            out["matchingRules"] = rules
        generators = {k: v for k, v in self.generators.items() if v}
        if generators:
            out["generators"] = generators
        return out


def _is_base64_body(value: Mapping) -> bool:
    encoded = value.get("encoded")
    return (isinstance(encoded, str) and encoded.lower() == "base64"
            and isinstance(value.get("content"), str))


def _base64_under_binary_type(text: str, headers: Mapping[str, Any]) -> Optional[bytes]:
    """The bytes a spec 1-3 string body stands for under a binary ``Content-Type``, or None.

    Spec 1-3 files have no binary form, so bytes are written there as a base64 string under
    their binary content type (``pact_file.layout``, as the Rust core writes and reads them;
    the compatibility suite's V1 binary body case expects it). Read back, such a string is
    those bytes again. A string that is not valid base64, or a body without an explicit
    binary ``Content-Type``, stays the text it is (what Ruby compared).
    """
    from ..matching.contenttype import family

    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if not text or not isinstance(content_type, str) or family(content_type) != "binary":
        return None
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


def _decode_base64(content: Any, where: str) -> bytes:
    if not isinstance(content, str):
        raise _fail(where, f"base64 content must be a string, got {type(content).__name__}")
    try:
        return base64.b64decode(content.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise _fail(where, "content is not valid base64 (the body object says "
                           "\"encoded\": \"base64\")") from None


class _Raw:
    """A body passed through untouched (a base64 v4 body object)."""

    def __init__(self, body: Any) -> None:
        self.body = body


def _describe_request_line(request: Mapping) -> str:
    """``"GET /a?x=1"`` for a request in any accepted form (for messages and logs)."""
    method = str(request.get("method") or "").upper()
    path = reify(request.get("path"))
    path = path if isinstance(path, str) and path else "/"
    query = request.get("query")
    text = ""
    if isinstance(query, dict) and not ("json_class" in query or "pact:matcher:type" in query):
        pairs = {}
        for key, values in query_hash(query).items():
            values = reify(values)
            values = values if isinstance(values, list) else [values]
            pairs[key] = [scalar_text(v) if scalar_text(v) is not None else str(v) for v in values]
        text = render_query(pairs)
    elif query is not None:
        text = str(reify(query))
    return f"{method} {path}" + (f"?{text}" if text else "")


def _check_file_generator(generator: Any, where: str) -> None:
    """A generator given in pact-file form must be able to generate (RandomInt min <= max,
    ...): refused when the interaction is read, not by the mock's first answer."""
    from ..matchers.v3 import check_generator

    if not isinstance(generator, dict) or not isinstance(generator.get("type"), str):
        raise _fail(where, f"must be an object with a 'type', got {generator!r}")
    try:
        check_generator(generator)
    except ValueError as exc:
        raise _fail(where, str(exc)) from None
