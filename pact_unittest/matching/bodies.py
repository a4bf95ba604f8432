"""Bodies: presence and emptiness (SEMANTICS §5), content type, dispatch by kind.

The expected side's content type (v4 body object, else ``Content-Type`` header, else a
sniff of the expected body) decides the comparison: JSON, XML, plain text, form
(``application/x-www-form-urlencoded``, compared like a query string) or other. A body
that cannot be parsed is a mismatch, never an exception.
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .contenttype import family, same_type, sniff
from .json_body import compare_json
from .leaf import check_rule
from .legacy import contains_legacy, split
from .mismatch import Mismatch, make, show
from .multipart import compare_multipart, describe_bytes
from .query import compare_query
from .rules import ParamRules, RuleList, Rules, add_param_rule
from .selection import BodyRules
from .xml_body import compare_xml

_BODY_KEYS = frozenset({"contentType", "encoded", "content", "contentTypeHint"})


def is_body_object(body: Any) -> bool:
    """A v4 body object ``{"contentType", "encoded", "content"}`` (not a plain JSON body)."""
    return isinstance(body, dict) and "content" in body and set(body) <= _BODY_KEYS


def unwrap(body: Any, v4: bool) -> Tuple[Any, Optional[str]]:
    """The raw content and declared content type of a (possibly v4-wrapped) body."""
    if not (v4 and is_body_object(body)):
        return body, None
    content = body.get("content")
    ctype = body.get("contentType")
    encoded = body.get("encoded")
    if isinstance(encoded, str) and encoded.lower() == "base64" and isinstance(content, str):
        try:
            content = base64.b64decode(content.encode("ascii"), validate=False)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            pass
        else:
            if family(ctype) in ("json", "xml", "text", "form"):
                content = content.decode("utf-8", "replace")
    elif isinstance(encoded, str) and encoded.lower() == "json" and isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            pass
    return content, ctype if isinstance(ctype, str) else None


def _header(headers: Any, name: str) -> Optional[str]:
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if str(key).lower() == name:
            if isinstance(value, (list, tuple)):
                return str(value[0]) if value else None
            return None if value is None else str(value)
    return None


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == b""


def compare_body(expected: Mapping[str, Any], actual: Mapping[str, Any], rules: Rules, *,
                 strict: bool, partial: bool, v4: bool, key: str = "body",
                 exp_type: Optional[str] = None, act_type: Optional[str] = None,
                 loose_numbers: bool = False, string_regex: bool = False) -> List[Mismatch]:
    """All body mismatches of one request, response or message.

    ``loose_numbers`` (spec 1.x/2.x): ``1`` equals ``1.0`` in JSON bodies;
    ``string_regex`` (spec 1.x/2.x): a regex with a string example wants a string (see
    :mod:`.json_body`).
    """
    if key not in expected:
        return []
    exp_body, declared = unwrap(expected[key], v4)
    declared = declared or exp_type or _header(expected.get("headers"), "content-type")
    present = key in actual
    act_body, act_declared = unwrap(actual.get(key), v4)
    act_declared = act_declared or act_type or _header(actual.get("headers"), "content-type")
    if exp_body is None or exp_body == "" or exp_body == b"":
        if not present or _is_empty(act_body):
            return []
        return [make("body", "$", exp_body, act_body,
                     f"expected an empty body but got {show(act_body)}")]
    if not present:
        return [make("body", "$", exp_body, None, "expected a body but got none")]
    kind = declared or sniff(exp_body)
    if declared and act_declared and not same_type(declared, act_declared):
        return [make("body-content-type", "", declared, act_declared,
                     f"expected a body of type {show(declared)} but got one of type "
                     f"{show(act_declared)}, so the body was not compared")]
    fam = family(kind)
    body_rules = rules.body
    if contains_legacy(exp_body):
        exp_body, extra = split(exp_body)
        body_rules = body_rules + extra
    compiled = BodyRules(body_rules)
    if fam == "json" or (fam == "binary" and not isinstance(exp_body, (str, bytes, bytearray))):
        return _json(exp_body, act_body, compiled, strict, partial, loose_numbers, string_regex)
    if fam == "xml":
        try:
            return compare_xml(_as_text(exp_body), _as_text(act_body), compiled,
                               strict=strict, partial=partial)
        except ValueError:
            return _text(exp_body, act_body, compiled, partial)
    if fam == "form":
        return compare_query(exp_body, act_body, _form_rules(body_rules), kind="body",
                             partial=partial, allow_unexpected=not strict)
    if fam == "multipart" and compiled.root.rule is None:
        found = compare_multipart(exp_body, act_body, kind, act_declared)
        if found is not None:
            return found
    return _text(exp_body, act_body, compiled, partial, kind, act_declared)


def _as_text(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return value


def _load(value: Any) -> Tuple[Any, bool]:
    if isinstance(value, (str, bytes, bytearray)):
        try:
            return json.loads(value), True
        except ValueError:
            return value, False
        except RecursionError:
            raise ValueError("body nested too deeply to parse as JSON") from None
    return value, True


def _json(exp_body: Any, act_body: Any, rules: BodyRules, strict: bool,
          partial: bool, loose_numbers: bool, string_regex: bool) -> List[Mismatch]:
    exp, _ = _load(exp_body)
    act = act_body
    if isinstance(act, (str, bytes, bytearray)) and not isinstance(exp, str):
        try:
            act, ok = _load(act)
        except ValueError as exc:  # nested too deeply: the actual's fault, so a mismatch
            return [make("body", "$", exp, None, f"actual body is not usable JSON: {exc}")]
        if not ok:
            return [make("body", "$", exp, act_body,
                         f"actual body is not valid JSON: {show(act_body)}")]
    return compare_json(exp, act, rules, strict=strict, partial=partial,
                        loose_numbers=loose_numbers, string_regex=string_regex)


def _text(exp_body: Any, act_body: Any, rules: BodyRules, partial: bool,
          exp_type: Optional[str] = None, act_type: Optional[str] = None) -> List[Mismatch]:
    """Plain text and other bodies: a rule on ``$`` if any, else equality."""
    root = rules.root
    if root.rule is not None and root.rule.kinds != {"equality"}:
        errors = check_rule(root.rule, exp_body, _as_text(act_body)
                            if root.rule.kinds.isdisjoint({"contentType", "notEmpty"})
                            else act_body, text=True, partial=partial)
        return [make("body", "$", exp_body, act_body, e) for e in errors]
    exp = exp_body if isinstance(exp_body, (bytes, bytearray)) else str(exp_body).encode()
    act = act_body if isinstance(act_body, (bytes, bytearray)) else (
        b"" if act_body is None else (act_body if isinstance(act_body, str)
                                      else json.dumps(act_body)).encode())
    if bytes(exp) == bytes(act):
        return []
    if isinstance(exp_body, (bytes, bytearray)) or isinstance(act_body, (bytes, bytearray)):
        # binary: content type, size and first bytes say more than a bytes repr
        # (compat V1 "Request with a binary body (negative case)")
        return [make("body", "$", exp_body, act_body,
                     f"expected body {describe_bytes(exp, exp_type)} "
                     f"but got {describe_bytes(act, act_type or exp_type)}")]
    return [make("body", "$", exp_body, act_body,
                 f"expected body {show(exp_body)} but got {show(act_body)}")]


def _form_rules(entries: List[Tuple[tuple, RuleList]]) -> Dict[str, ParamRules]:
    """Body rules of a form body, as query rules: ``$.name`` or ``$.name[0]``."""
    out: Dict[str, ParamRules] = {}
    for tokens, rule in entries:
        add_param_rule(out, tokens, rule)
    return out
