"""JSON body comparison (SEMANTICS §6), iterative so any nesting depth is safe.

One explicit stack of ``(expected, actual, path, state)`` replaces recursion: a 100 000
deep list costs memory proportional to its depth, never a RecursionError. ``state`` is the
rule-selection state of :mod:`.selection`, derived per child in O(1) amortised.

Numbers: from spec 3 on, equality keeps JSON types apart (``1`` is not ``1.0``), as the
v3/v4 implementations do. For spec 1.x/2.x (``loose_numbers=True``) an integer and a
float of equal value are equal, as in the Ruby differ the v2 tooling used
(``treat_all_number_classes_as_equivalent``): a v2 contract written with ``1.0`` is
satisfied by ``1`` and the other way round. No official v1/v1.1/v2 case says otherwise
(only ``matches with floats`` has floats, with equal values on both sides). Booleans are
never numbers. Under a ``type`` rule all numbers are one type in every version.

Regexes: a number or boolean is matched by its JSON text (Rust, spec 3/4). For spec
1.x/2.x (``string_regex=True``) a regex whose example is a string also wants a string,
as Ruby does (:func:`.leaf.check`).
"""
from __future__ import annotations

import json
from typing import Any, List, Optional, Tuple

from .leaf import check, check_rule, rule_errors, same_json_type, size_errors
from .mismatch import Mismatch, make, rule_name, show, show_typed
from .paths import RtPath, render
from .rules import RuleList
from .selection import BodyRules, State

_EMPTY_RULES = BodyRules([])


class _Ctx:
    __slots__ = ("strict", "partial", "loose_numbers", "string_regex", "out")

    def __init__(self, strict: bool, partial: bool, loose_numbers: bool,
                 string_regex: bool) -> None:
        self.strict = strict
        self.partial = partial
        self.loose_numbers = loose_numbers
        self.string_regex = string_regex
        self.out: List[Mismatch] = []

    def add(self, path: RtPath, expected: Any, actual: Any, detail: str,
            rule: Optional[str] = None) -> None:
        self.out.append(make("body", render(path), expected, actual, detail, rule))


def compare_json(expected: Any, actual: Any, rules: Optional[BodyRules], *, strict: bool,
                 partial: bool = False, root: RtPath = None,
                 loose_numbers: bool = False, string_regex: bool = False) -> List[Mismatch]:
    """All mismatches between two parsed JSON values under ``rules``.

    ``loose_numbers`` (spec 1.x/2.x) makes ``1`` and ``1.0`` equal; ``string_regex``
    (spec 1.x/2.x) makes a regex with a string example reject non-strings (module
    docstring).
    """
    ctx = _Ctx(strict, partial, loose_numbers, string_regex)
    state = (rules or _EMPTY_RULES).root
    if state.empty and isinstance(expected, (dict, list)) and _same_json(expected, actual):
        return ctx.out
    _walk(expected, actual, root, state, ctx)
    return ctx.out


def _same_json(expected: Any, actual: Any) -> bool:
    """Fast path for rule-free bodies: identical canonical JSON text (done in C).

    ``json.dumps`` keeps 1, 1.0 and true apart, so equal text means a strict match; on
    any doubt (deep nesting, non-JSON values) the caller walks the values instead.
    """
    try:
        return json.dumps(expected, sort_keys=True) == json.dumps(actual, sort_keys=True)
    except (RecursionError, TypeError, ValueError):
        return False


def _walk(expected: Any, actual: Any, path: RtPath, state: State, ctx: _Ctx) -> None:
    # Items are (expected, actual, path, state), or (Mismatch, None, None, None) for a
    # report queued so that mismatches come out in document order.
    stack: List[Tuple[Any, Any, Any, Any]] = [(expected, actual, path, state)]
    pop, push = stack.pop, stack.append
    partial = ctx.partial
    string_regex = ctx.string_regex
    while stack:
        exp, act, path, state = pop()
        if state is None:
            ctx.out.append(exp)
            continue
        rule = state.rule
        if isinstance(exp, dict):
            mode = _open(exp, act, path, state, rule, ctx, dict)
            if mode == "stop":
                continue
            if mode is not None:
                _loose_map(exp, act, path, state, rule, mode, push, ctx)
                continue
            if ctx.strict:
                extra = [key for key in act if key not in exp]
                for key in reversed(extra):
                    push((_report(path, key, None, act[key], "unexpected key "
                                  f"{show(key)} with {show_typed(act[key])}"), None, None, None))
            for key in reversed(exp):
                value = exp[key]
                if key in act:
                    push((value, act[key], (path, key), state.child(key)))
                else:
                    push((_missing(path, key, value, state.child(key).rule), None, None, None))
        elif isinstance(exp, list):
            if _open(exp, act, path, state, rule, ctx, list) == "stop":
                continue
            if rule is not None and rule.kinds != _EQ:
                if "eachValue" in rule.kinds:
                    _each_value(exp, enumerate(act), state, rule, path, push)
                    continue
                if not exp:
                    continue
                first = exp[0]
                n_exp = len(exp)
                for i in range(len(act) - 1, -1, -1):
                    push((exp[i] if i < n_exp else first, act[i], (path, i), state.child(i)))
                continue
            if len(exp) != len(act):
                ctx.add(path, exp, act,
                        f"expected an array of {len(exp)} element(s) but got {len(act)}: "
                        f"{show(act)}")
            for i in range(min(len(exp), len(act)) - 1, -1, -1):
                push((exp[i], act[i], (path, i), state.child(i)))
        elif rule is None or rule.kinds == _EQ:
            if (type(exp) is not type(act) or exp != act) and not (
                    ctx.loose_numbers and _same_number(exp, act)):
                ctx.add(path, exp, act, f"expected {show_typed(exp)} but got {show_typed(act)}")
        elif rule.single is not None:
            error = check(rule.single, exp, act, partial=partial, string_regex=string_regex)
            if error is not None:
                ctx.add(path, exp, act, error, rule.single.kind)
        else:
            for kind, error in rule_errors(rule, exp, act, partial=partial,
                                           string_regex=string_regex):
                ctx.add(path, exp, act, error, kind)


_EQ = frozenset({"equality"})
_NUMBER_TYPES = (int, float)


def _same_number(expected: Any, actual: Any) -> bool:
    """An int and a float of equal value (spec < 3); booleans are not numbers here."""
    return (type(expected) in _NUMBER_TYPES and type(actual) in _NUMBER_TYPES
            and expected == actual)


def _report(path: RtPath, key: Any, expected: Any, actual: Any, detail: str) -> Mismatch:
    """A mismatch queued on the stack so reports come out in document order."""
    return make("body", render((path, key)), expected, actual, detail)


def _missing(path: RtPath, key: Any, expected: Any, rule: Optional[RuleList]) -> Mismatch:
    """An expected key absent from the actual object; ``rule`` is the one for the key's
    place (a ``Like`` around it makes it ``type``: Ruby's diff then shows the type)."""
    name = rule_name(rule)
    regex = rule.single.regex if rule is not None and rule.single is not None else None
    if regex is not None:
        what = f"matching /{regex.pattern}/ (like {show(expected)})"
    else:
        what = f"with {show_typed(expected)}"
    return make("body", render((path, key)), expected, None,
                f"expected key {show(key)} {what} but it was missing", name)


def _open(exp: Any, act: Any, path: RtPath, state: State, rule: Optional[RuleList],
          ctx: _Ctx, kind: type) -> Optional[str]:
    """Enter an object or array: its collection-level rules, then the actual's type.

    Returns "stop" when the node is fully handled (a mismatch was reported), else the
    map mode of :func:`_container_rule` (None: compare member by member).
    """
    mode = None
    if rule is not None:
        mode = _container_rule(exp, act, path, state, rule, ctx)
        if mode == "stop":
            return mode
    if not isinstance(act, kind):
        ctx.add(path, exp, act, f"expected {'an object' if kind is dict else 'an array'} "
                                f"but got {show_typed(act)}")
        return "stop"
    return mode


def _container_rule(exp: Any, act: Any, path: RtPath, state: State, rule: RuleList,
                    ctx: _Ctx) -> Optional[str]:
    """Apply the collection-level matchers; "stop" when the node is fully handled."""
    mode = None
    for matcher in rule.matchers:
        kind = matcher.kind
        if kind == "type" or kind == "notEmpty":
            if not same_json_type(exp, act):
                ctx.add(path, exp, act,
                        f"expected {'an object' if isinstance(exp, dict) else 'an array'} "
                        f"but got {show_typed(act)}", kind)
                return "stop"
            if kind == "notEmpty" and not act:
                ctx.add(path, exp, act, f"expected a non-empty value but got {show(act)}", kind)
            if state.is_exact:
                for error in size_errors(matcher, len(act), "element(s)"):
                    ctx.add(path, exp, act, error, kind)
        elif kind in ("values", "eachKey", "eachValue") and isinstance(exp, dict):
            if not isinstance(act, dict):
                ctx.add(path, exp, act, f"expected an object but got {show_typed(act)}", kind)
                return "stop"
            if kind == "eachKey" and matcher.sub is not None:
                for key in act:
                    for error in check_rule(matcher.sub, None, key, text=True,
                                            partial=ctx.partial):
                        ctx.add((path, key), None, key, f"key {show(key)}: {error}", kind)
            mode = mode or kind
            if kind == "eachValue" or (kind == "values" and mode == "eachKey"):
                mode = kind
        elif kind == "arrayContains":
            _array_contains(exp, act, path, matcher, ctx)
            return "stop"
    return mode


def _loose_map(exp: dict, act: dict, path: RtPath, state: State, rule: Optional[RuleList],
               mode: str, push: Any, ctx: _Ctx) -> None:
    """values / eachKey / eachValue on a map: keys free, each value against a template."""
    if mode == "eachValue" and rule is not None:
        _each_value(exp, act.items(), state, rule, path, push)
        return
    template: Any = next(iter(exp.values())) if exp else None
    for key, value in act.items():
        if key not in exp and (mode == "eachKey" or not exp):
            continue  # eachKey alone checks keys only: a new key's value is free (Rust)
        push((exp[key] if key in exp else template, value, (path, key), state.child(key)))


def _each_value(exp: Any, members: Any, state: State, rule: RuleList, path: RtPath,
                push: Any) -> None:
    """eachValue on a map or a list: every actual member against the expected one at the
    same key/index, else the first expected member (or the matcher's own example when the
    expected collection is empty), under the matcher's rules when it has any."""
    sub: Optional[RuleList] = None
    template: Any = (next(iter(exp.values())) if isinstance(exp, dict) else exp[0]) if exp else None
    for matcher in rule.matchers:
        if matcher.kind == "eachValue":
            sub = matcher.sub
            if not exp:
                template = matcher.value
    known = exp if isinstance(exp, dict) else range(len(exp))
    for token, value in members:
        child = state.child(token)
        if sub is not None and sub.matchers:
            child = child.with_rule(sub)
        push((exp[token] if token in known else template, value, (path, token), child))


def _array_contains(exp: Any, act: Any, path: RtPath, matcher: Any, ctx: _Ctx) -> None:
    """Every variant must match at least one actual element, in any order."""
    if not isinstance(act, list):
        ctx.add(path, exp, act, f"expected an array but got {show_typed(act)}")
        return
    if not isinstance(exp, list):
        raise ValueError(f"arrayContains at {render(path)} needs an array example")
    for index, variant_rules in matcher.variants:
        if index >= len(exp):
            raise ValueError(f"arrayContains at {render(path)}: variant index {index} is "
                             f"outside the example array of {len(exp)} element(s)")
        wanted = exp[index]
        if not any(not compare_json(wanted, item, variant_rules, strict=ctx.strict,
                                    partial=ctx.partial, loose_numbers=ctx.loose_numbers,
                                    string_regex=ctx.string_regex)
                   for item in act):
            ctx.add(path, wanted, act,
                    f"variant at index {index} ({show(wanted)}) was not found in the actual list")
