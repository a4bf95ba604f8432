"""Ruby's ``interaction_diffs`` tree, rebuilt from our :class:`~pact_unittest.matching.Mismatch` list.

Clients of the Ruby mock service read the ``interaction_diffs`` JSON of a 500 "No
interaction found" answer (ruby-mock-service.md §7.4), and the verification text's diff
blocks (:mod:`.ruby_text`) are drawn from the same tree. Our engine reports flat
mismatches with JSON paths; this module nests them back into Ruby's shape: objects by key,
arrays by index with ``"<no difference at this index>"`` where an index matched, and one
leaf per difference:

* ``{"EXPECTED": e, "ACTUAL": a}`` for a value, with the placeholders ``<key not found>``,
  ``<key not to exist>``, ``<item not found>``, ``<item not to exist>``;
* ``{"EXPECTED_TYPE": "Integer", "ACTUAL_TYPE": "String"}`` for a type mismatch under
  Like/EachLike (Ruby class names: they are part of the wire format);
* ``{"EXPECTED_TO_MATCH": "/re/", "ACTUAL": a}`` for a regex mismatch.

What kind of difference a mismatch is comes from its message, compared *exactly* with the
text the engine builds for that kind from the mismatch's own values (``show_typed`` and
friends), so a changed engine wording degrades to a plain value leaf, never to a wrong one
(``tests/test_mock_service_ruby_diff.py`` runs the real engine to keep them in step).

A missing key (or header) under a rule is drawn from the mismatch's ``rule``, as Ruby
does: ``{"EXPECTED_TYPE": "String", "ACTUAL": "<key not found>"}`` under Like (for a
scalar example; an object or array stays a value leaf), ``{"EXPECTED_TO_MATCH": "/re/",
"ACTUAL": "<key not found>"}`` for a Term.

Where Ruby leaks its internals we do not follow (§14.16): a missing array item under type
matching is ``{"EXPECTED": <example>, "ACTUAL": "<item not found>"}`` as Ruby writes it for
objects, never a ``Pact::IndexNotFound`` type name.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Union

from ..matching.mismatch import show, show_typed, type_name, where
from ..matching.query import parse_query

if TYPE_CHECKING:  # pragma: no cover
    from ..matching import Mismatch
    from .verification import RequestSummary

NO_DIFF = "<no difference at this index>"
KEY_NOT_FOUND = "<key not found>"
KEY_NOT_TO_EXIST = "<key not to exist>"
ITEM_NOT_FOUND = "<item not found>"
ITEM_NOT_TO_EXIST = "<item not to exist>"
_ORDER = ("method", "path", "headers", "query", "body")
_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\[\"((?:[^\"\\]|\\.)*)\"\]|\[\*\]")
_MIN = re.compile(r": expected at least (\d+) element\(s\) but got (\d+)\Z")

Path = List[Union[str, int]]


class Leaf(Dict[str, Any]):
    """One Ruby leaf: the dict is what Ruby sends; the attributes are what our texts need.

    ``kind``: "value", "type", "regex", "missing" (key not found), "unexpected" (key not
    to exist), "short" (item not found), "long" (item not to exist), "said" (an XML
    difference, told in the engine's own sentence: :attr:`said`). ``expected`` and
    ``actual`` are the values compared; ``present`` the actual keys next to a missing one
    (None when unknown).
    """

    def __init__(self, fields: Dict[str, Any], kind: str, expected: Any = None,
                 actual: Any = None, present: Optional[List[str]] = None,
                 said: Optional[str] = None) -> None:
        super().__init__(fields)
        self.kind = kind
        self.expected = expected
        self.actual = actual
        self.present = present
        #: kind "said": the engine's own sentence (XML), which the Ruby text repeats.
        self.said = said


def ruby_class(value: Any) -> str:
    """The Ruby class name of a JSON value, as Ruby's type leaves and messages name it."""
    if value is None:
        return "NilClass"
    if value is True:
        return "TrueClass"
    if value is False:
        return "FalseClass"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, dict):
        return "Hash"
    if isinstance(value, (list, tuple)):
        return "Array"
    return type(value).__name__


def split_json_path(path: str) -> Path:
    """``$.a.b[0]['c.d']`` -> ``['a', 'b', 0, 'c.d']``; ``$`` -> ``[]``.

    Anything it cannot read becomes one key, so a diff is still produced.
    """
    text = (path or "").strip()
    if text.startswith("$"):
        text = text[1:]
    tokens: Path = []
    pos = 0
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if not found:
            tokens.append(text[pos:].lstrip("."))
            break
        name, index, quoted, dquoted = found.groups()
        if index is not None:
            tokens.append(int(index))
        elif name is not None:
            tokens.append(name)
        elif quoted is not None or dquoted is not None:
            tokens.append(quoted if quoted is not None else dquoted)
        pos = found.end()
    return tokens


# ---------------------------------------------------------------- leaves


def value_leaf(expected: Any, actual: Any) -> Leaf:
    return Leaf({"EXPECTED": expected, "ACTUAL": actual}, "value", expected, actual)


def missing_leaf(expected: Any, present: Optional[List[str]] = None) -> Leaf:
    return Leaf({"EXPECTED": expected, "ACTUAL": KEY_NOT_FOUND}, "missing", expected, None, present)


def unexpected_leaf(actual: Any) -> Leaf:
    return Leaf({"EXPECTED": KEY_NOT_TO_EXIST, "ACTUAL": actual}, "unexpected", None, actual)


def _short_leaf(expected: Any) -> Leaf:
    return Leaf({"EXPECTED": expected, "ACTUAL": ITEM_NOT_FOUND}, "short", expected)


def _long_leaf(actual: Any) -> Leaf:
    return Leaf({"EXPECTED": ITEM_NOT_TO_EXIST, "ACTUAL": actual}, "long", None, actual)


def _lengths(expected: List[Any], actual: List[Any]) -> List[Any]:
    """Equal prefix unmarked, then one leaf per missing or extra item (Ruby's array diff)."""
    out: List[Any] = [NO_DIFF] * min(len(expected), len(actual))
    out += [_short_leaf(item) for item in expected[len(actual):]]
    out += [_long_leaf(item) for item in actual[len(expected):]]
    return out


def _elementwise(expected: List[Any], actual: List[Any]) -> List[Any]:
    """Two plain arrays compared index by index (query values, or an unclassified list)."""
    out = _lengths(expected, actual)
    for i in range(min(len(expected), len(actual))):
        if not (expected[i] == actual[i] and type(expected[i]) is type(actual[i])):
            out[i] = value_leaf(expected[i], actual[i])
    return out


def _detail_is(m: "Mismatch", detail: str) -> bool:
    return (m.message or "").endswith(": " + detail)


def _regex_source(m: "Mismatch") -> Optional[str]:
    """The regex of a regex mismatch, read between the engine's fixed head and tail."""
    message = m.message or ""
    prefix = where(m.kind, m.path) + ": "
    if not message.startswith(prefix):
        return None
    detail = message[len(prefix):]
    tokens = split_json_path(m.path) if m.kind == "body" else []
    heads = ["expected a value matching /", "expected a string matching /"]
    if tokens:
        heads.append(f"expected key {show(tokens[-1])} matching /")
    head = next((h for h in heads if detail.startswith(h)), None)
    if head is None:
        return None
    rest = detail[len(head):]
    like = f" (like {show(m.expected)})"
    got = [f" but got {show_typed(m.actual)}", f" but got {show(m.actual)}",
           " but it was missing", " but the header was missing"]
    for tail in [f"/{x}{g}" for x in (like, "") for g in got]:
        if rest.endswith(tail):
            source = rest[:len(rest) - len(tail)]
            return re.sub(r"(?<!\\)/", r"\/", source)  # Ruby's Regexp#inspect escapes "/"
    return None


#: The XML engine's sentences (matching.xml_body): Ruby compared XML as text, so it has no
#: words of its own for them, and a JSON "key not found" would misname an element.
_XML_SAID = re.compile(r"(?:Expected (?:child|root element|attribute|text) |Unexpected "
                       r"(?:child|attribute|text) |Expected \d+ child elements <|Expected <[^>]*/>"
                       r" to have at )")


def _xml_said(m: "Mismatch") -> Optional[str]:
    prefix = where(m.kind, m.path) + ": "
    message = m.message or ""
    if m.kind != "body" or not message.startswith(prefix):
        return None
    detail = message[len(prefix):]
    return detail if _XML_SAID.match(detail) else None


def _is_missing(m: "Mismatch") -> bool:
    return m.actual is None and (m.message or "").endswith("was missing")


def _is_unexpected(m: "Mismatch") -> bool:
    text = m.message or ""
    return m.expected is None and (": unexpected key " in text or ": unexpected parameter " in text)


def _classify(m: "Mismatch") -> Any:
    """The Ruby leaf (or list of leaves, for an array's length) for one mismatch."""
    exp, act = m.expected, m.actual
    said = _xml_said(m)
    if said is not None:
        return Leaf({"EXPECTED": exp, "ACTUAL": act}, "said", exp, act, said=said)
    if _is_unexpected(m):
        return unexpected_leaf(act)
    if _is_missing(m):
        return _missing_under_rule(m) or missing_leaf(exp)
    if _detail_is(m, f"expected a value of type {type_name(exp)} but got {show_typed(act)}"):
        return Leaf({"EXPECTED_TYPE": ruby_class(exp), "ACTUAL_TYPE": ruby_class(act)},
                    "type", exp, act)
    source = _regex_source(m)
    if source is not None:
        return Leaf({"EXPECTED_TO_MATCH": f"/{source}/", "ACTUAL": act}, "regex", exp, act)
    if isinstance(exp, list) and isinstance(act, list):
        found = _MIN.search(m.message or "")
        if found and int(found.group(2)) == len(act):
            return _lengths(exp, act)  # EachLike below its min: exp holds min examples
        if _detail_is(m, f"expected an array of {len(exp)} element(s) but got {len(act)}: {show(act)}"):
            return _lengths(exp, act)  # the items of the common prefix are reported apart
        return _elementwise(exp, act)
    return value_leaf(exp, act)


def _missing_under_rule(m: "Mismatch") -> Optional[Leaf]:
    """Ruby's leaf for a key missing where a Term or a Like applied (from ``m.rule``)."""
    kinds = (getattr(m, "rule", None) or "").split("|")
    exp = m.expected
    if "regex" in kinds:
        source = _regex_source(m)
        if source is not None:
            return Leaf({"EXPECTED_TO_MATCH": f"/{source}/", "ACTUAL": KEY_NOT_FOUND},
                        "missing", exp)
    if "type" in kinds and not isinstance(exp, (dict, list)):
        return Leaf({"EXPECTED_TYPE": ruby_class(exp), "ACTUAL": KEY_NOT_FOUND}, "missing", exp)
    return None


# ---------------------------------------------------------------- nesting


def _insert(tree: Dict[str, Any], tokens: Path, leaf: Any) -> None:
    node: Any = tree
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        if isinstance(node, list) and isinstance(token, int):
            while len(node) <= token:
                node.append(NO_DIFF)
            if last:
                node[token] = _merge(node[token], leaf)
                return
            if not isinstance(node[token], (dict, list)) or isinstance(node[token], Leaf):
                node[token] = [] if isinstance(tokens[i + 1], int) else {}
            node = node[token]
        else:
            if not isinstance(node, dict) or isinstance(node, Leaf):
                return  # a leaf already covers this place
            key = str(token)
            if last:
                node[key] = _merge(node.get(key), leaf)
                return
            child = node.get(key)
            if not isinstance(child, (dict, list)) or isinstance(child, Leaf):
                child = [] if isinstance(tokens[i + 1], int) else {}
                node[key] = child
            node = child


def _merge(old: Any, new: Any) -> Any:
    """An array's length leaves laid over the per-item differences already there."""
    if isinstance(old, list) and isinstance(new, list):
        merged = list(old) + [NO_DIFF] * (len(new) - len(old))
        for i, item in enumerate(new):
            if item != NO_DIFF or i >= len(old):
                merged[i] = item
        return merged
    return new


def _query_values(request: Optional["RequestSummary"], name: str) -> List[Any]:
    """The actual values of one parameter, parsed as Ruby (Rack) parses the raw query."""
    if request is None or not request.query:
        return []
    return parse_query(request.query, legacy=True).get(name, [])


def _query(section: Dict[str, Any], m: "Mismatch", request: Optional["RequestSummary"]) -> None:
    name = m.path or ""
    leaf = _classify(m)
    if isinstance(leaf, Leaf) and leaf.kind in ("value", "regex", "type") \
            and not isinstance(m.expected, list):
        # one value of a parameter with rules: Ruby nests it under the value's index
        values = _query_values(request, name)
        items = section.get(name) if isinstance(section.get(name), list) else None
        if items is None:
            items = [NO_DIFF] * max(len(values), 1)
        index = next((i for i, v in enumerate(values) if v == m.actual
                      and items[i] == NO_DIFF), 0) if values else 0
        while len(items) <= index:
            items.append(NO_DIFF)
        items[index] = leaf
        section[name] = items
    else:
        section[name] = leaf


def ruby_diff(mismatches: Sequence["Mismatch"],
              request: Optional["RequestSummary"] = None) -> Dict[str, Any]:
    """Nest our mismatches into Ruby's diff tree: ``{"query": {"x": [{"EXPECTED": ..}]}}``.

    ``request`` (the actual request, when known) places a query value's leaf at its index.
    """
    tree: Dict[str, Any] = {}
    ordered = [m for m in mismatches if not _is_unexpected(m)]
    ordered += [m for m in mismatches if _is_unexpected(m)]
    for m in ordered:
        kind = m.kind
        if kind in ("method", "path"):
            tree[kind] = _classify(m)
        elif kind == "query":
            _query(tree.setdefault("query", {}), m, request)
        elif kind == "header":
            tree.setdefault("headers", {})[m.path or ""] = _classify(m)
        elif kind == "body-content-type":
            # the engine reports a body of another type once, here; Ruby shows it as the
            # Content-Type header's value leaf (the body itself is not compared)
            tree.setdefault("headers", {})["Content-Type"] = value_leaf(m.expected, m.actual)
        else:  # body and anything else lands under body
            tokens = split_json_path(m.path) if kind == "body" else []
            leaf = _classify(m) if kind == "body" else value_leaf(m.expected, m.actual)
            if not tokens:
                tree["body"] = _merge(tree.get("body"), leaf)
            else:
                _insert(tree, ["body", *tokens], leaf)
    return {key: tree[key] for key in _ORDER if key in tree}


def interaction_diff(description: str, provider_state: Any, mismatches: Sequence["Mismatch"],
                     request: Optional["RequestSummary"] = None) -> Dict[str, Any]:
    """One entry of ``interaction_diffs``: description, provider_state if set, the diff."""
    entry: Dict[str, Any] = {"description": description}
    if provider_state is not None:
        entry["provider_state"] = provider_state
    entry.update(ruby_diff(mismatches, request))
    return entry
