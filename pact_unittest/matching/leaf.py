"""Leaf matchers: one matcher applied to one value, returning what is wrong (or None).

The functions here never see paths or build :class:`Mismatch` objects; they return the
detail text ("expected an integer but got '1' (string)") and the caller adds where.
``text`` is True for header, query, path and metadata values, which are always strings:
there ``integer`` accepts ``"100"`` and ``boolean`` accepts ``"true"`` (compat suite).

A regex sees a number or boolean as its JSON text (``5`` -> ``"5"``), as the Rust core
does in spec 3/4 (``actual_value.to_string()`` in pact_matching's JSON matcher) and as the
official v2 case "matches with integers" needs (a number example, a number actual).
``string_regex`` (spec 1.x/2.x JSON bodies) adds Ruby's rule: when the regex's example is
a string, the actual must be a string too (``Expected a String matching /re/ ... but got
an Integer (5)``), so a Term written for ``"1"`` does not accept ``5`` or ``true``.
"""
from __future__ import annotations

import json
import re
from typing import Any, List, Optional, Tuple

from .contenttype import same_type, sniff
from .mismatch import show, show_typed, type_name
from .rules import Matcher, RuleList
from .user_regex import RegexTimeout, user_fullmatch, user_search

_INT_TEXT = re.compile(r"[+-]?\d+\Z")
_DECIMAL_TEXT = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?\Z|[+-]?\d+[eE][+-]?\d+\Z")
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\Z"
)


def strict_equal(expected: Any, actual: Any) -> bool:
    """Equality that keeps JSON types apart: 1 != 1.0 != True != "1"."""
    if type(expected) is not type(actual):
        return False
    return bool(expected == actual)


_CATEGORY = {int: "number", float: "number", bool: "boolean", str: "string",
             type(None): "null", dict: "object", list: "array", tuple: "array"}


def same_json_type(expected: Any, actual: Any) -> bool:
    """The ``type`` matcher: same JSON type, all numbers being one type."""
    cat = _CATEGORY.get(type(expected))
    if cat is None:
        return type(expected) is type(actual)
    return cat == _CATEGORY.get(type(actual))


def string_form(value: Any) -> Optional[str]:
    """The string a regex/include sees: strings as-is, scalars as JSON text."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return None


def regex_ok(matcher: Matcher, text: str, partial: bool) -> bool:
    """Whether ``text`` matches; :class:`RegexTimeout` when the regex runs out of time."""
    pattern = matcher.regex
    assert pattern is not None
    return user_search(pattern, text) if partial else user_fullmatch(pattern, text)


def check(matcher: Matcher, expected: Any, actual: Any, *, text: bool = False,
          partial: bool = False, string_regex: bool = False) -> Optional[str]:
    """Apply one matcher to a leaf value; the detail of the failure, or None.

    ``string_regex``: a regex whose example is a string rejects non-string actuals
    (spec 1.x/2.x, Ruby; see the module docstring).
    """
    kind = matcher.kind
    if kind == "type":
        if same_json_type(expected, actual) or (text and isinstance(actual, str)):
            return None
        return f"expected a value of type {type_name(expected)} but got {show_typed(actual)}"
    if kind == "equality":
        if strict_equal(expected, actual) or (text and str(expected) == str(actual)):
            return None
        return f"expected {show_typed(expected)} but got {show_typed(actual)}"
    if kind == "regex":
        assert matcher.regex is not None
        # The regex is what was asked for; the example shows what a good value looks like.
        like = "" if expected is None else f" (like {show(expected)})"
        if string_regex and isinstance(expected, str) and not isinstance(actual, str):
            return (f"expected a string matching /{matcher.regex.pattern}/{like} "
                    f"but got {show_typed(actual)}")
        value = string_form(actual)
        try:
            if value is not None and regex_ok(matcher, value, partial):
                return None
        except RegexTimeout as exc:  # no verdict: a mismatch saying why
            return str(exc)
        got = show(actual) if text and isinstance(actual, str) else show_typed(actual)
        return f"expected a value matching /{matcher.regex.pattern}/{like} but got {got}"
    if kind in ("values", "eachKey", "eachValue", "arrayContains"):
        if same_json_type(expected, actual) or (text and isinstance(actual, str)):
            return None
        return f"expected a value of type {type_name(expected)} but got {show_typed(actual)}"
    simple = _SIMPLE.get(kind)
    if simple is not None:
        return simple(matcher, expected, actual, text)
    if kind == "include":
        value = string_form(actual)
        if value is not None and matcher.value in value:
            return None
        return f"expected a value including {show(matcher.value)} but got {show_typed(actual)}"
    if kind in ("timestamp", "date", "time"):
        if isinstance(actual, str) and matcher.fmt.check(actual):
            return None
        return f"expected a {kind} in format {show(matcher.fmt.pattern)} but got {show_typed(actual)}"
    if kind == "contentType":
        if isinstance(actual, (str, bytes, bytearray)):
            detected = sniff(actual)
            if same_type(matcher.value, detected):
                return None
            return f"expected content of type {matcher.value} but got {detected}"
        return f"expected content of type {matcher.value} but got {show_typed(actual)}"
    if kind == "notEmpty":
        empty = actual is None or actual == "" or actual == [] or actual == {} or actual == b""
        if not empty and (expected is None or same_json_type(expected, actual)
                          or (text and isinstance(actual, str))):
            return None
        return f"expected a non-empty value but got {show_typed(actual)}"
    if kind == "semver":
        if isinstance(actual, str) and _SEMVER.match(actual):
            return None
        return f"expected a semantic version but got {show_typed(actual)}"
    if kind == "statusCode":
        code = _as_int(actual)
        if code is not None and any(lo <= code <= hi for lo, hi in matcher.statuses):
            return None
        return f"expected a status matching {matcher.raw.get('status')!r} but got {show(actual)}"
    raise ValueError(f"unsupported matcher {kind!r}")  # pragma: no cover - rules.py guards


def _as_int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_TEXT.match(value.strip()):
        return int(value)
    return None


def _integer(m: Matcher, e: Any, a: Any, text: bool) -> Optional[str]:
    if isinstance(a, int) and not isinstance(a, bool):
        return None
    if text and isinstance(a, str) and _INT_TEXT.match(a):
        return None
    return f"expected an integer but got {show_typed(a)}"


def _decimal(m: Matcher, e: Any, a: Any, text: bool) -> Optional[str]:
    if isinstance(a, float):
        return None
    if text and isinstance(a, str) and _DECIMAL_TEXT.match(a):
        return None
    return f"expected a decimal number but got {show_typed(a)}"


def _number(m: Matcher, e: Any, a: Any, text: bool) -> Optional[str]:
    if isinstance(a, (int, float)) and not isinstance(a, bool):
        return None
    if text and isinstance(a, str) and _NUMBER_TEXT.match(a):
        return None
    return f"expected a number but got {show_typed(a)}"


def _boolean(m: Matcher, e: Any, a: Any, text: bool) -> Optional[str]:
    if isinstance(a, bool) or a in ("true", "false"):
        return None
    return f"expected a boolean but got {show_typed(a)}"


def _null(m: Matcher, e: Any, a: Any, text: bool) -> Optional[str]:
    if a is None:
        return None
    return f"expected null but got {show_typed(a)}"


_SIMPLE = {"integer": _integer, "decimal": _decimal, "number": _number,
           "boolean": _boolean, "null": _null}


def size_errors(matcher: Matcher, count: int, unit: str) -> List[str]:
    """A matcher's ``min``/``max`` against the size of an actual collection."""
    errors = []
    if matcher.min is not None and count < matcher.min:
        errors.append(f"expected at least {matcher.min} {unit} but got {count}")
    if matcher.max is not None and count > matcher.max:
        errors.append(f"expected at most {matcher.max} {unit} but got {count}")
    return errors


def check_rule(rule: RuleList, expected: Any, actual: Any, *, text: bool = False,
               partial: bool = False, string_regex: bool = False) -> List[str]:
    """Apply a rule list (AND/OR) to a leaf; the failure details (empty = fine)."""
    return [detail for _, detail in rule_errors(rule, expected, actual, text=text,
                                                partial=partial, string_regex=string_regex)]


def rule_errors(rule: RuleList, expected: Any, actual: Any, *, text: bool = False,
                partial: bool = False, string_regex: bool = False) -> List[Tuple[str, str]]:
    """:func:`check_rule` with each detail's matcher kind (the Mismatch ``rule``):
    ``[("regex", "expected a value matching ...")]``; an OR failure is one entry whose
    kinds are joined with ``"|"``."""
    errors = []
    for matcher in rule.matchers:
        error = check(matcher, expected, actual, text=text, partial=partial,
                      string_regex=string_regex)
        if error is None:
            if rule.combine == "OR":
                return []
        else:
            errors.append((matcher.kind, error))
    if rule.combine == "OR" and errors:
        return [("|".join(k for k, _ in errors), " or ".join(e for _, e in errors))]
    return errors
