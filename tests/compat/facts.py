"""Checking a mismatch by its kind and the facts a Rust message names, not by its wording.

The compatibility suite quotes the Rust core's mismatch texts. We do not copy that wording
(README "Scenarios that assert the Rust reference's exact mismatch texts": Rust type names,
argument order, even a missing quote); instead each step checks that one of our mismatch
records has the right kind (and JSON path, header or parameter when the step names one)
and that every fact of the Rust text (the quoted values, the element names, the byte counts,
the rule's bound) appears in that record's path, expected value, actual value or message.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, List, Optional

# Rust texts whose facts are not quoted values: the facts we check instead.
_OVERRIDES = {
    # JSON map with a missing key: the missing key is the fact.
    "Expected a Map with keys [one, two] but received one with keys [one]": ["two"],
    # XML: the missing child element.
    "Expected child <two/> but was missing": ["two"],
    # min/max: the actual size and the bound.
    "Expected [] (size 0) to have minimum size of 1": ["[]", "1"],
    "Expected [1, 2, 3, 4, 5] (size 5) to have maximum size of 4": ["[1, 2, 3, 4, 5]", "4"],
    # status class: the status and the class.
    "Expected status code 400 to be a Successful response (200\u2013299)": ["400", "success"],
    # binary empty body.
    "Expected [] (0 bytes) to not be empty": ["empty"],
}
_TYPED = re.compile(r"(\S+) \((?:String|Integer|Decimal|Boolean|Null|Array)\)")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)(?:'|$)")
_BYTES = re.compile(r"\[([\w./+-]+), (\d+) bytes")


def facts_of(text: str) -> List[str]:
    """The facts a Rust mismatch text names."""
    if text in _OVERRIDES:
        return list(_OVERRIDES[text])
    found = _BYTES.findall(text)
    if found:  # binary bodies: the content type and both sizes
        return sorted({f for pair in found for f in pair})
    if text.startswith("Variant at index"):
        return ["1", "DELETE"]  # the variant's index and what tells it apart
    facts: List[str] = []
    for value in _TYPED.findall(text) + _QUOTED.findall(text):
        value = value.strip("'")
        if value not in facts:
            facts.append(value)
    return facts


def _haystack(mismatch: Any) -> str:
    return "\n".join(str(x) for x in (mismatch.path, mismatch.expected, mismatch.actual,
                                      mismatch.message))


def _present(fact: str, haystack: str) -> bool:
    try:  # a JSON value (["b"]) may be shown in Python form (['b'])
        alternatives = {fact, str(json.loads(fact)), repr(json.loads(fact))}
    except ValueError:
        alternatives = {fact}
    if len(alternatives) > 1:
        return any(_present_text(a, haystack) for a in alternatives)
    return _present_text(fact, haystack)


def _present_text(fact: str, haystack: str) -> bool:
    if "\\s*" in fact:  # V3 http_matching: the Rust text holds a pattern, not literal text
        pattern = r"\s*".join(re.escape(part) for part in fact.split("\\s*"))
        return re.search(pattern, haystack) is not None
    return fact in haystack or fact.lower() in haystack.lower()


def norm_path(path: str) -> str:
    """``$['100']`` and ``$[100]`` name the same key (the suite writes the latter)."""
    return re.sub(r"\['([^']*)'\]", r"[\1]", path or "")


def assert_mismatch(mismatches: Iterable[Any], text: str, kind: Optional[str] = None,
                    path: Optional[str] = None) -> Any:
    """The mismatch of ``kind`` (at ``path``) naming every fact of the Rust ``text``."""
    items = list(mismatches)
    facts = facts_of(text)
    candidates = [m for m in items if kind is None or m.kind == kind]
    if path is not None:
        candidates = [m for m in candidates
                      if norm_path(m.path) == norm_path(path) or m.path.lower() == path.lower()]
    for mismatch in candidates:
        hay = _haystack(mismatch)
        if all(_present(f, hay) for f in facts):
            return mismatch
    shown = "\n  ".join(f"{m.kind} {m.path!r}: {m.message}" for m in items) or "(none)"
    raise AssertionError(
        f"no {kind or ''} mismatch{' at ' + path if path else ''} naming {facts} "
        f"(Rust text: {text!r}); mismatches:\n  {shown}")
