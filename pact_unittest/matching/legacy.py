"""Ruby/pact-python v2 ``json_class`` matchers inside an expected request or response.

pact-python v2 and the Ruby mock service send matchers inline:
``{"json_class": "Pact::Term", "data": {"generate": "x", "matcher": {"json_class":
"Regexp", "s": "\\d+", "o": 0}}}``, ``{"json_class": "Pact::SomethingLike", "contents":
...}`` and ``{"json_class": "Pact::ArrayLike", "contents": ..., "min": 1}``. The engine
understands them wherever they appear by splitting them, once per call, into the example
value plus body rules (the same thing the pact writer does), so the walkers never see them.
"""
from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

from .paths import ANY_INDEX, Token
from .rules import RuleList

_CLASSES = ("Pact::Term", "Pact::SomethingLike", "Pact::ArrayLike")


def is_legacy(value: Any) -> bool:
    return isinstance(value, dict) and value.get("json_class") in _CLASSES


def ruby_regex(source: str) -> str:
    """Translate the few Ruby regex spellings Python lacks (``\\z``, ``(?<name>``, ``\\h``)."""
    text = source.replace("\\z", "\\Z").replace("\\h", "[0-9a-fA-F]")
    return re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", text)


def _term_parts(value: dict, where: str) -> Tuple[Any, str]:
    data = value.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("matcher"), dict):
        raise ValueError(f"{where}: Pact::Term needs data.matcher, got {value!r}")
    matcher = data["matcher"]
    source = matcher.get("s", matcher.get("source"))
    if not isinstance(source, str):
        raise ValueError(f"{where}: Pact::Term regex must be a string, got {source!r}")
    return data.get("generate"), ruby_regex(source)


def split(value: Any, where: str = "body") -> Tuple[Any, List[Tuple[Tuple[Token, ...], RuleList]]]:
    """Return ``(example, rules)`` for a value that may hold json_class matchers.

    Rule paths are token tuples relative to ``value``; elements of an ``ArrayLike`` are
    addressed with ``[*]`` so a Term inside applies to every element, as in Ruby.
    Iterative, so deeply nested values are safe.
    """
    rules: List[Tuple[Tuple[Token, ...], RuleList]] = []
    holder: List[Any] = [None]
    # (value, container, slot, linked path)
    stack: List[Tuple[Any, Any, Any, Optional[tuple]]] = [(value, holder, 0, None)]
    while stack:
        item, container, slot, path = stack.pop()
        while is_legacy(item):
            kind = item["json_class"]
            tokens = _tokens(path)
            if kind == "Pact::Term":
                example, regex = _term_parts(item, where)
                rules.append((tokens, RuleList({"match": "regex", "regex": regex}, where)))
                item = example
            elif kind == "Pact::SomethingLike":
                rules.append((tokens, RuleList({"match": "type"}, where)))
                item = item.get("contents")
            else:
                minimum = item.get("min", 1)
                raw = {"match": "type", "min": minimum}
                rules.append((tokens, RuleList(raw, where)))
                count = max(int(RuleList(raw, where).matchers[0].min or 1), 1)
                contents = item.get("contents")
                new_list: List[Any] = [None] * count
                container[slot] = new_list
                for i in range(count):
                    stack.append((contents, new_list, i, (path, ANY_INDEX)))
                item = _DONE
                break
        if item is _DONE:
            continue
        if isinstance(item, dict):
            new_dict: dict = {}
            container[slot] = new_dict
            for key, child in item.items():
                new_dict[key] = None
                stack.append((child, new_dict, key, (path, key)))
        elif isinstance(item, list):
            new_items: List[Any] = [None] * len(item)
            container[slot] = new_items
            for i, child in enumerate(item):
                stack.append((child, new_items, i, (path, i)))
        else:
            container[slot] = item
    return holder[0], rules


_DONE = object()


def _tokens(path: Optional[tuple]) -> Tuple[Token, ...]:
    out: List[Token] = []
    while path is not None:
        path, token = path
        out.append(token)
    out.reverse()
    return tuple(out)


def contains_legacy(value: Any) -> bool:
    """Whether any json_class matcher occurs in ``value`` (iterative scan)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("json_class") in _CLASSES:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def scalar(value: Any, where: str) -> Tuple[Any, Optional[RuleList]]:
    """A path, header or query value that may be a Term: ``(example, rule or None)``."""
    if is_legacy(value):
        example, rules = split(value, where)
        for tokens, rule in rules:
            if not tokens:
                return example, rule
        return example, None
    return value, None
