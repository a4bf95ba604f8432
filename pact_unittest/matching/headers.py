"""Header comparison (SEMANTICS §4).

Only expected headers are checked (extra ones are always fine); names are
case-insensitive, values case-sensitive; whitespace after commas is ignored but the order
of comma-separated values is not. From spec 3 on (the v3/v4 spec cases, the Rust core)
``Content-Type`` and ``Accept`` compare media-type parameters as an unordered,
case-insensitive subset; spec 1 and 2 compare them as any other header (``legacy``), as
Ruby does: ``application/json; charset=utf-8`` does not satisfy ``application/json``
(the v1/v2 spec cases and the compatibility suite say nothing on it). Values may be strings
or (v4) lists.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from .contenttype import parse_media_type
from .leaf import rule_errors
from .mismatch import Mismatch, make, rule_name, show
from .rules import Rules

_PARAMETERISED = ("content-type", "accept")


def header_text(value: Any) -> str:
    """A header value as one string (lists, as v4 writes them, joined with ', ')."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def lower_headers(headers: Any) -> Dict[str, str]:
    """Headers keyed by lower-case name; ValueError if they are not a map."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise ValueError(f"headers must be an object, got {headers!r}")
    return {str(k).lower(): header_text(v) for k, v in headers.items()}


def compare_headers(expected: Any, actual: Any, rules: Rules, *,
                    partial: bool = False, legacy: bool = False) -> List[Mismatch]:
    """All header mismatches; a missing header or a different value each count once.

    ``legacy`` (spec 1/2): media-type parameters are not special (see the module docstring).
    """
    if expected is None:
        return []
    if not isinstance(expected, Mapping):
        raise ValueError(f"expected headers must be an object, got {expected!r}")
    try:
        got = lower_headers(actual)
    except ValueError:
        got = {}
    out: List[Mismatch] = []
    for name, raw in expected.items():
        name = str(name)
        value = header_text(raw)
        key = name.lower()
        rule = rules.header_rule(name)
        if key not in got:
            regex = rule.single.regex if rule is not None and rule.single is not None else None
            wanted = (f"a value matching /{regex.pattern}/ (like {show(value)})"
                      if regex is not None else show(value))
            out.append(make("header", name, value, None,
                            f"expected {wanted} but the header was missing", rule_name(rule)))
            continue
        actual_value = got[key]
        if rule is not None:
            errors = [(actual_value, k, e) for k, e in rule_errors(
                rule, value, actual_value, text=True, partial=partial)]
            if errors and "," in actual_value:
                # Repeated header lines arrive joined with ", ": the rule holds for each
                # value (compat suite V2 "repeated request headers").
                errors = [(item, k, e) for item in _items(actual_value)
                          for k, e in rule_errors(rule, value, item, text=True, partial=partial)]
            for item, kind, error in errors:
                out.append(make("header", name, value, item, error, kind))
            continue
        problem = _compare_value(key, value, actual_value, legacy)
        if problem:
            out.append(make("header", name, value, actual_value, problem))
    return out


def _items(value: str) -> List[str]:
    return [item.strip() for item in value.split(",")]


def _compare_value(key: str, expected: str, actual: str, legacy: bool) -> Optional[str]:
    if key in _PARAMETERISED and not legacy:
        exp_items = _items(expected) if key == "accept" else [expected]
        act_items = _items(actual) if key == "accept" else [actual]
        if len(exp_items) == len(act_items) and all(
                media_type_matches(e, a) for e, a in zip(exp_items, act_items)):
            return None
        return f"expected {show(expected)} but got {show(actual)}"
    if _items(expected) == _items(actual):
        return None
    return f"expected {show(expected)} but got {show(actual)}"


def media_type_matches(expected: str, actual: str) -> bool:
    """Does a Content-Type-like value satisfy the expected one? Base value equal, and every
    expected parameter present with a case-insensitively equal value (extra ones allowed)."""
    exp_base = expected.split(";")[0].strip()
    act_base = actual.split(";")[0].strip()
    if exp_base != act_base:
        return False
    _, exp_params = parse_media_type(expected)
    _, act_params = parse_media_type(actual)
    for name, value in exp_params.items():
        if name not in act_params or act_params[name].lower() != value.lower():
            return False
    return True
