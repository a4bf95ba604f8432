"""Matching rules already in pact-file form, converted to the family being written.

A pact file of one version may be registered with a mock service running another (a v2
file replayed under spec 3, a v3 file under spec 2). v2 rules are one flat map keyed by
``$.body...``/``$.headers.X``/``$.query.x``/``$.path``; v3 rules are nested by category.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Optional, Tuple

from .rules_extract import v2_key
from ..matchers import compile_regex

__all__ = ["is_flat", "flat_to_nested", "nested_to_flat", "check_rules", "check_nested"]

_V2_OK = {"type", "regex"}
_NAME = re.compile(r"^(?:\.([^.\[]+)|\['([^']*)'\])(.*)$")


def is_flat(rules: Dict[str, Any]) -> bool:
    """v2 form when the first key starts with ``$`` (as the Rust core decides)."""
    return bool(rules) and next(iter(rules)).startswith("$")


def _infer(rule: Dict[str, Any]) -> Dict[str, Any]:
    """A rule with ``match`` filled in when the file left it out (readers must infer it)."""
    if "match" in rule:
        return dict(rule)
    for key, kind in (("regex", "regex"), ("min", "type"), ("max", "type"), ("date", "date"),
                      ("time", "time"), ("timestamp", "datetime")):
        if key in rule:
            return {"match": kind, **rule}
    return {"match": "type", **rule}


def check_rules(rule: Dict[str, Any], where: str) -> None:
    """Reject a rule that is not an object, or has an invalid regex."""
    if not isinstance(rule, dict):
        raise ValueError(f"{where}: a matching rule must be an object, got {rule!r}")
    if "regex" in rule:
        try:
            compile_regex(rule["regex"], "regex")
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None


def _split(path: str) -> Tuple[str, Optional[str], str]:
    """``$.headers.Accept`` -> ("headers", "Accept", ""); ``$.body.a[0]`` -> ("body", None, ".a[0]")."""
    if path == "$.path":
        return "path", None, ""
    for prefix, category in (("$.body", "body"), ("$.headers", "header"), ("$.header", "header"),
                             ("$.query", "query"), ("$.status", "status")):
        if path == prefix or path.startswith(prefix) and path[len(prefix)] in ".[":
            rest = path[len(prefix):]
            if category in ("body", "status") or not rest:
                return category, None, rest
            found = _NAME.match(rest)
            if not found:
                break
            name = found.group(1) if found.group(1) is not None else found.group(2)
            return category, name, found.group(3)
    raise ValueError(f"matchingRules: unsupported path {path!r}")


def flat_to_nested(rules: Dict[str, Any], where: str) -> Dict[str, Any]:
    """v2 flat rules as v3 categories."""
    out: Dict[str, Any] = {}
    for path, rule in rules.items():
        check_rules(rule, f"{where} matchingRules {path!r}")
        category, name, rest = _split(path)
        if category == "status":
            raise ValueError(f"{where} matchingRules: a rule on the status is not supported")
        entry = {"matchers": [_infer(rule)], "combine": "AND"}
        if category == "body":
            out.setdefault("body", {})["$" + rest] = entry
        elif category == "path":
            out["path"] = entry
        elif name is None:
            raise ValueError(
                f"{where} matchingRules {path!r}: a rule on the whole query string cannot be "
                "written for spec 3; put it on each parameter"
            )
        else:
            out.setdefault(category, {}).setdefault(name, entry)
    return out


def nested_to_flat(rules: Dict[str, Any], where: str) -> Dict[str, Any]:
    """v3 categories as v2 flat rules; ValueError for what v2 cannot express."""
    out: Dict[str, Any] = {}
    for category, content in rules.items():
        if not isinstance(content, dict):
            raise ValueError(f"{where} matchingRules.{category}: must be an object")
        if category == "path":
            out["$.path"] = _merge(content, f"{where} matchingRules.path")
        elif category == "body":
            for path, entry in content.items():
                tail = path[1:] if path.startswith("$") else "." + path
                out["$.body" + tail] = _merge(entry, f"{where} matchingRules.body {path!r}")
        elif category in ("header", "headers", "query"):
            prefix = "$.headers" if category != "query" else "$.query"
            for name, entry in content.items():
                out[prefix + v2_key(name)] = _merge(entry, f"{where} matchingRules.{category}.{name}")
        elif content:
            raise ValueError(
                f"{where} matchingRules.{category}: not expressible in spec 2; "
                'use specification_version="3.0.0"'
            )
    return out


def _merge(entry: Any, where: str) -> Dict[str, Any]:
    if not isinstance(entry, dict) or not isinstance(entry.get("matchers"), list):
        raise ValueError(f"{where}: expected {{\"matchers\": [...]}}, got {entry!r}")
    if entry.get("combine", "AND") != "AND" and len(entry["matchers"]) > 1:
        raise ValueError(f"{where}: combine OR cannot be written for spec 2")
    merged: Dict[str, Any] = {}
    for rule in entry["matchers"]:
        check_rules(rule, where)
        rule = _infer(rule)
        if rule["match"] not in _V2_OK:
            raise ValueError(
                f"{where}: matcher {rule['match']!r} needs pact specification 3 or later; "
                'use specification_version="3.0.0"'
            )
        for key, value in rule.items():
            if key == "match" and merged.get("match") == "regex":
                continue  # type + regex on one path: the regex is the stricter (Ruby writes it so)
            merged[key] = value
    return merged


def check_nested(rules: Dict[str, Any], where: str) -> Dict[str, Any]:
    """Validate v3 nested rules (objects, regexes) and return them (copied one level)."""
    out: Dict[str, Any] = {}
    for category, content in rules.items():
        if not isinstance(content, dict):
            raise ValueError(f"{where} matchingRules.{category}: must be an object")
        entries = {"": content} if "matchers" in content else content
        for key, entry in entries.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("matchers"), list):
                raise ValueError(f"{where} matchingRules.{category} {key!r}: expected matchers list")
            for rule in entry["matchers"]:
                check_rules(rule, f"{where} matchingRules.{category} {key!r}")
        out[category] = dict(content)
    return out
