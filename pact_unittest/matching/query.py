"""Query strings (SEMANTICS §3) and form bodies compared the same way.

Spec 1.0.0 compares the percent-decoded strings. From 1.1 on a query is a map of lists:
key order is free, repeated keys keep their order, empty segments (a trailing ``&``) are
ignored, missing and unexpected parameters fail. Either side may be given as a raw string
or as a map (of lists or of single values) in any version: the mock service passes the
actual query raw for v1/v2 and as a map for v3/v4.

Spec 1 and 2 parse as Ruby's Rack does (``legacy=True``): ``;`` separates parameters like
``&`` (spaces after either are dropped), and a parameter written without ``=`` has no value,
which is not the empty value: ``?flag`` is ``{"flag": []}``, ``?flag=`` is
``{"flag": [""]}``, and they do not match. Spec 3 and 4 follow the Rust core (``&`` only,
``flag`` and ``flag=`` both ``""``).

Rules are per parameter (:class:`~.rules.ParamRules`): on the whole parameter
(``$.query.n``, every value), or on one value (``$.query.n[0]``, which the Ruby mock
service writes for ``query={"n": Term(...)}``, or ``$.query.n[*]``). A v2 ``$.query``
rule (``query=Term(...)``) is applied to the whole query string instead.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Mapping, Optional
from urllib.parse import unquote, unquote_plus, urlencode

from .leaf import check_rule, rule_errors, size_errors
from .mismatch import Mismatch, make, show
from .paths import render_key
from .rules import ParamRules, RuleList


_LEGACY_SEPARATOR = re.compile(r"[&;] *")
_NO_VALUE = "no value (written without '=')"


def parse_query(query: Any, *, legacy: bool = False) -> Dict[str, List[Any]]:
    """A query string or map into ``{name: [values...]}`` (decoded, ``+`` = space).

    ``legacy`` (spec 1/2) parses as Rack: ``;`` separates too, and a value without ``=``
    is None; a parameter whose only value is None (``?flag``, or ``{"flag": None}`` in a
    map) has no values, ``[]``, as Ruby's ``[*nil]``.
    """
    if query is None:
        return {}
    out: Dict[str, List[Any]] = {}
    if isinstance(query, Mapping):
        for key, value in query.items():
            if legacy and value is None:
                out[str(key)] = []
            elif isinstance(value, (list, tuple)):
                out[str(key)] = [None if legacy and v is None else _text(v) for v in value]
            else:
                out[str(key)] = [_text(value)]
        return _bare_keys(out) if legacy else out
    if isinstance(query, bytes):
        query = query.decode("utf-8", "replace")
    if not isinstance(query, str):
        raise ValueError(f"a query must be a string or an object, got {query!r}")
    text = query.lstrip("?")
    for segment in _LEGACY_SEPARATOR.split(text) if legacy else text.split("&"):
        if not segment:
            continue
        key, equals, value = segment.partition("=")
        out.setdefault(unquote_plus(key), []).append(
            None if legacy and not equals else unquote_plus(value))
    return _bare_keys(out) if legacy else out


def _bare_keys(params: Dict[str, List[Any]]) -> Dict[str, List[Any]]:
    """``[None]`` (one occurrence without ``=``) becomes ``[]``, Ruby's form of it."""
    return {k: [] if v == [None] else v for k, v in params.items()}


def _show_values(values: Any) -> str:
    """``show`` for a parameter's values, saying what ``[]`` and None mean."""
    if values == []:
        return _NO_VALUE
    if isinstance(values, list) and None in values:
        return "[" + ", ".join(_show_one(v) for v in values) + "]"
    return show(values)


def _show_one(value: Optional[str]) -> str:
    return _NO_VALUE if value is None else show(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def query_string_v1(query: Any) -> str:
    """The v1 comparison form: the percent-decoded query string."""
    if query is None:
        return ""
    if isinstance(query, Mapping):
        pairs = [(k, v) for k, values in parse_query(query).items() for v in values]
        query = urlencode(pairs)
    return unquote(str(query))


def compare_query(expected: Any, actual: Any, rules: Mapping[str, ParamRules], *, v1: bool = False,
                  partial: bool = False, kind: str = "query",
                  allow_unexpected: bool = False, legacy: bool = False) -> List[Mismatch]:
    """All query (or form) mismatches; ``expected`` None means "not specified".

    ``legacy``: parse as spec 1/2 (Rack's rules, see the module docstring).
    """
    if expected is None:
        return []
    if v1 and not rules:
        exp_text, act_text = query_string_v1(expected), query_string_v1(actual)
        if exp_text == act_text:
            return []
        return [make(kind, "", exp_text, act_text,
                     f"expected query {show(exp_text)} but got {show(act_text)}")]
    if kind == "body":
        return [_as_body_path(m) for m in compare_query(
            expected, actual, rules, partial=partial, allow_unexpected=allow_unexpected)]
    exp = parse_query(expected, legacy=legacy)
    try:
        act = parse_query(actual, legacy=legacy)
    except ValueError as exc:
        return [make(kind, "", expected, actual, str(exc))]
    shown = _show_values if legacy else show
    out: List[Mismatch] = []
    for name, values in exp.items():
        if name not in act:
            out.append(make(kind, name, values, None,
                            f"expected {shown(values)} but the parameter was missing"))
            continue
        got = act[name]
        param = rules.get(name)
        if param is not None:
            _apply_rules(name, param, values, got, out, partial, kind, shown)
        elif values != got:
            out.append(make(kind, name, values, got,
                            f"expected {shown(values)} but got {shown(got)}"))
    if not allow_unexpected:
        for name, got in act.items():
            if name not in exp:
                out.append(make(kind, name, None, got,
                                f"unexpected parameter with {shown(got)}"))
    return out


def compare_query_text(expected: Any, actual: Any, rule: RuleList, *,
                       partial: bool = False) -> List[Mismatch]:
    """A v2 ``$.query`` rule: the whole actual query string against ``rule``.

    pact-python v2 and Ruby write it for ``query=Term(r"a=\\d+", "a=1")``; Ruby matches
    the regex against the raw query string. The percent-decoded string is accepted too
    (``q=a b`` and ``q=a%20b`` are the same query), and a map-form actual is rendered
    back to a string first.
    """
    if expected is None:
        return []
    if isinstance(expected, Mapping):
        raise ValueError("a $.query rule needs the expected query as a string")
    if actual is None:
        raw = ""
    elif isinstance(actual, Mapping):
        raw = urlencode([(k, v) for k, values in parse_query(actual).items() for v in values])
    else:
        raw = actual.decode("utf-8", "replace") if isinstance(actual, bytes) else str(actual)
    errors = rule_errors(rule, expected, raw, text=True, partial=partial)
    if errors and not check_rule(rule, expected, unquote_plus(raw), text=True, partial=partial):
        errors = []
    return [make("query", "", expected, raw, error, kind) for kind, error in errors]


def _as_body_path(mismatch: Mismatch) -> Mismatch:
    """A form-body mismatch: the parameter becomes a JSON path (``$.name``)."""
    path = "$" + render_key(mismatch.path) if mismatch.path else "$"
    detail = mismatch.message.split(": ", 1)[-1]
    return make("body", path, mismatch.expected, mismatch.actual, detail, mismatch.rule)


def _apply_rules(name: str, param: ParamRules, values: List[Any], got: List[Any],
                 out: List[Mismatch], partial: bool, kind: str,
                 shown: Callable[[Any], str] = show) -> None:
    """One parameter with rules: per value the most specific rule, else equality."""
    whole = param.whole
    if whole is not None:
        for matcher in whole.matchers:
            out.extend(make(kind, name, values, got, error, matcher.kind)
                       for error in size_errors(matcher, len(got), "value(s)"))
    elif len(got) != len(values):
        # rules on single values only: the number of values is still compared (§6 step 2)
        out.append(make(kind, name, values, got,
                        f"expected {len(values)} value(s) {shown(values)} but got "
                        f"{len(got)}: {shown(got)}"))
        return
    for i, value in enumerate(got):
        example = values[i] if i < len(values) else (values[0] if values else "")
        rule = param.for_value(i)
        if rule is None:
            if value != example:
                out.append(make(kind, name, example, value,
                                f"expected {_show_one(example)} but got {_show_one(value)}"))
            continue
        if value is None:  # spec 1/2 ``flag`` without ``=``: nothing for the rule to accept
            out.append(make(kind, name, example, value,
                            f"expected a value (like {_show_one(example)}) but got {_NO_VALUE}"))
            continue
        example = "" if example is None else example
        for rule_kind, error in rule_errors(rule, example, value, text=True, partial=partial):
            out.append(make(kind, name, example, value, error, rule_kind))
