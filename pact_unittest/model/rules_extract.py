"""Matching rules extracted from a hydrated tree (values + Matcher objects).

Two walkers, one per pact-file family:

* :func:`extract_v2` reproduces the Ruby mock service's ``Pact::MatchingRules::Extract``
  exactly (pact-support 1.20.0), because spec-2 pact files must come out the same as the
  ones pact-python 2.3.3 wrote: ``$.body.a`` / ``['a.b']`` paths, ``{"match": "type"}`` for
  a Like, ``{"min": n}`` plus ``P[*].*`` type for an EachLike, regex sources shown as Ruby's
  ``Regexp#inspect`` shows them (``/`` as ``\\/``), keys in walk order.
* :func:`extract_v3` writes the nested v3 form as the Rust core does: ``{"matchers": [...],
  "combine": "AND"}`` per path, EachLike as one ``{"match": "type", "min": n}`` rule (rules
  cascade in v3, so no ``[*].*`` rule is needed), plus generators.
"""
from __future__ import annotations

import re
from typing import Any, Dict

from .hydrate import AllOf, FfiType
from ..matchers import EachLike, Like, Matcher, Term
from ..matchers.v3 import ArrayContaining, V3Matcher

__all__ = ["extract_v2", "extract_v3", "ruby_regex_source", "v2_key", "v3_key", "V3OnlyError"]

_V3_IDENT = re.compile(r"[A-Za-z0-9_\-]+")
_RUBY_SPACE = " \t\n\v\f\r"


class V3OnlyError(ValueError):
    """A spec-3/4 matcher met while writing a spec-1/2 interaction."""


def v2_key(key: str) -> str:
    """Ruby's path part for a hash key: ``.key``, or ``['key']`` when it contains a dot."""
    return f"['{key}']" if "." in key else f".{key}"


def v3_key(key: str) -> str:
    """The Rust core's path part: ``.key`` for identifier-like keys, else ``['key']``."""
    return f".{key}" if _V3_IDENT.fullmatch(key) else f"['{key}']"


def ruby_regex_source(source: str) -> str:
    """``Regexp#inspect`` without the slashes, as Ruby writes a regex into a v2 pact file.

    Only when the source holds a ``/`` or an ASCII control character does Ruby escape
    anything: then ``/`` becomes ``\\/``, controls ``\\xHH`` and non-ASCII ``\\uXXXX``;
    escaped pairs (``\\/``) are copied as they are.
    """
    if not any(c == "/" or (ord(c) < 128 and not (" " <= c <= "~")) for c in source):
        return source
    out = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n:
            out.append(source[i:i + 2])
            i += 2
            continue
        code = ord(c)
        if code >= 128:
            out.append(f"\\u{code:04X}" if code < 0x10000 else f"\\u{{{code:X}}}")
        elif c == "/":
            out.append("\\/")
        elif " " <= c <= "~" or c in _RUBY_SPACE:
            out.append(c)
        else:
            out.append(f"\\x{code:02X}")
        i += 1
    return "".join(out)


def _v3_only(node: Matcher, where: str) -> V3OnlyError:
    return V3OnlyError(
        f"{where}: {node!r} needs pact specification 3 or later; "
        'use specification_version="3.0.0"'
    )


def extract_v2(node: Any, path: str, rules: Dict[str, Dict[str, Any]], where: str) -> None:
    """Add the v2 rules of ``node`` at ``path`` to ``rules`` (in place, Ruby's order)."""
    if isinstance(node, dict):
        for key, value in node.items():
            extract_v2(value, path + v2_key(key), rules, where)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            extract_v2(value, f"{path}[{index}]", rules, where)
    elif isinstance(node, EachLike):
        _array_like(path, {"min": node.minimum}, rules)
        extract_v2(node.matcher, path + "[*]", rules, where)
    elif isinstance(node, Like):
        rules.setdefault(path, {})["match"] = "type"
        extract_v2(node.matcher, path, rules, where)
    elif isinstance(node, Term):
        _regex(path, node.matcher, rules)
    elif isinstance(node, FfiType):
        limits: Dict[str, Any] = {k: node.attrs[k] for k in ("min", "max") if k in node.attrs}
        if limits and isinstance(node.value, list):
            _array_like(path, limits, rules)
            for item in node.value:
                extract_v2(item, path + "[*]", rules, where)
        else:
            rules.setdefault(path, {})["match"] = "type"
            rules[path].update(limits)
            extract_v2(node.value, path, rules, where)
    elif isinstance(node, V3Matcher) and node.matcher_type == "regex":
        _regex(path, node.attrs["regex"], rules)
    elif isinstance(node, Matcher):
        raise _v3_only(node, where)


def _array_like(path: str, limits: Dict[str, Any], rules: Dict[str, Dict[str, Any]]) -> None:
    rules.setdefault(path, {}).update(limits)
    rules.setdefault(path + "[*].*", {})["match"] = "type"


def _regex(path: str, source: str, rules: Dict[str, Dict[str, Any]]) -> None:
    rule = rules.setdefault(path, {})
    rule["match"] = "regex"
    rule["regex"] = ruby_regex_source(source)


def _add(rules: Dict[str, Dict[str, Any]], path: str, rule: Dict[str, Any]) -> None:
    entry = rules.setdefault(path, {"matchers": [], "combine": "AND"})
    if rule not in entry["matchers"]:
        entry["matchers"].append(rule)


def extract_v3(node: Any, path: str, rules: Dict[str, Dict[str, Any]],
               generators: Dict[str, Dict[str, Any]], star_lists: bool = False) -> None:
    """Add the v3 rules (and generators) of ``node`` at ``path``, in walk order.

    ``star_lists``: the items of this list are addressed ``[*]`` (inside an FFI type
    matcher, as the Rust core reads it).
    """
    if isinstance(node, dict):
        for key, value in node.items():
            extract_v3(value, path + v3_key(key), rules, generators)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            extract_v3(value, path + ("[*]" if star_lists else f"[{index}]"), rules, generators)
    elif isinstance(node, EachLike):
        _add(rules, path, {"match": "type", "min": node.minimum})
        extract_v3(node.matcher, path + "[*]", rules, generators)
    elif isinstance(node, Like):
        _add(rules, path, {"match": "type"})
        extract_v3(node.matcher, path, rules, generators)
    elif isinstance(node, Term):
        _add(rules, path, {"match": "regex", "regex": node.matcher})
    elif isinstance(node, AllOf):
        for rule in node.rules():
            _add(rules, path, rule)
        extract_v3(node.value, path, rules, generators)
    elif isinstance(node, ArrayContaining):
        _add(rules, path, {"match": "arrayContains", "variants": _variants(node)})
    elif isinstance(node, V3Matcher):
        _add(rules, path, node.rule())
        if node.generator:
            generators[path] = dict(node.generator)
        extract_v3(node.value, path, rules, generators, star_lists=isinstance(node, FfiType))


def _variants(node: ArrayContaining) -> list:
    """Each variant's own rules and generators, relative to the variant (``$``)."""
    out = []
    for index, variant in enumerate(node.attrs["variants"]):
        sub_rules: Dict[str, Dict[str, Any]] = {}
        sub_gens: Dict[str, Dict[str, Any]] = {}
        extract_v3(variant, "$", sub_rules, sub_gens)
        out.append({"index": index, "rules": sub_rules, "generators": sub_gens})
    return out

