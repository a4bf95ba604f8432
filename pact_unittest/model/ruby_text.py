"""Ruby's verification text (ruby-mock-service.md §4.6), drawn from the :mod:`.ruby_diff` tree.

A failed ``GET /interactions/verification`` answers Ruby's text: the Incorrect, Missing and
Unexpected request lines, then one "Diff with interaction" block per mismatched request:
a unified diff of the expected and actual sides of the diff tree, and one ``* <message>``
line per difference. Clients (pact-python v2 prints it into the test failure) show it as
is, so the messages follow Ruby's wording per kind of difference:

* value: ``Expected 1 but got "1"``; an expected object or array of another type:
  ``Expected a Hash but got nil`` (class names, with the value in brackets for scalars);
* type (under Like/EachLike): ``Expected an Integer (like 1) but got a String ("99")``;
* regex: ``Expected a String matching /re/ (like "example") but got "x"``;
* ``Could not find key "k" (keys present are: a, b)`` (``in empty Hash``),
  ``Did not expect the key "k" to exist``, ``Actual array is too short and should have
  contained a Hash``, ``Actual array is too long and should not contain 3``.

Values are shown as Ruby's ``inspect`` would (``nil``, ``{"a"=>1}``) because clients and
users compare these texts with what Ruby printed.
"""
from __future__ import annotations

import difflib
import json
import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

from ..matching.query import parse_query
from .ruby_diff import (
    ITEM_NOT_FOUND,
    ITEM_NOT_TO_EXIST,
    KEY_NOT_FOUND,
    KEY_NOT_TO_EXIST,
    NO_DIFF,
    Leaf,
    ruby_class,
    ruby_diff,
)

if TYPE_CHECKING:  # pragma: no cover
    from .verification import CandidateDiff, RequestSummary, Verification

_RULE = "--------------------------------------"


def _inspect(value: Any) -> str:
    """Ruby's ``inspect`` of a JSON value: ``nil``, ``"s"``, ``{"a"=>1}``, ``[1, nil]``."""
    if value is None:
        return "nil"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        text = repr(value)
        return text if "e" in text or "." in text or "n" in text else text + ".0"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_inspect(k)}=>{_inspect(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_inspect(v) for v in value) + "]"
    return str(value)


def _short(value: Any) -> str:
    """Ruby's short description: ``a Hash``, ``an Array``, else the inspected value."""
    if isinstance(value, dict):
        return "a Hash"
    if isinstance(value, list):
        return "an Array"
    return _inspect(value)


def _class_and_value(value: Any) -> str:
    """``an Integer (5)``, ``a Hash`` (a long one gets its value too), ``nil``."""
    if value is None:
        return "nil"
    name = ruby_class(value)
    article = "an" if name[0] in "AEIOU" else "a"
    text = _inspect(value)
    if isinstance(value, (dict, list)) and len(text) < 100:
        return f"{article} {name}"
    return f"{article} {name} ({text})"


def _like(value: Any) -> str:
    return _class_and_value(value).replace("(", "(like ")


def _message(leaf: Leaf, path: str) -> str:
    parent, _, name = path.rpartition(".")
    kind, exp, act = leaf.kind, leaf.expected, leaf.actual
    if kind == "said":  # the engine's sentence (XML: "Expected child <two/> but was missing")
        return f"{leaf.said} at {path}"
    if kind == "missing":
        if leaf.present is None:
            hint = ""
        elif leaf.present:
            hint = f" (keys present are: {', '.join(leaf.present)})"
        else:
            hint = " in empty Hash"
        return f"Could not find key {json.dumps(name, ensure_ascii=False)}{hint} at {parent}"
    if kind == "unexpected":
        return f"Did not expect the key {json.dumps(name, ensure_ascii=False)} to exist at {parent}"
    if kind == "short":
        return f"Actual array is too short and should have contained {_short(exp)} at {path}"
    if kind == "long":
        return f"Actual array is too long and should not contain {_short(act)} at {path}"
    if kind == "type":
        return f"Expected {_like(exp)} but got {_class_and_value(act)} at {path}"
    if kind == "regex":
        got = _inspect(act) if isinstance(act, str) else _class_and_value(act)
        return (f"Expected a String matching {leaf['EXPECTED_TO_MATCH']} (like {_inspect(exp)}) "
                f"but got {got} at {path}")
    if isinstance(exp, (dict, list)):  # an object or array against another type
        return f"Expected {_like(exp)} but got {_class_and_value(act)} at {path}"
    return f"Expected {_short(exp)} but got {_short(act)} at {path}"


def _messages(tree: Any, path: str, out: List[str]) -> None:
    if isinstance(tree, Leaf):
        out.append(_message(tree, path))
    elif isinstance(tree, dict):
        for key, value in tree.items():
            part = json.dumps(key) if re.search(r"\s", key) else key
            _messages(value, f"{path}.{part}", out)
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            if value != NO_DIFF:
                _messages(value, f"{path}[{index}]", out)


def _present_keys(tree: Any, tokens: List[Any], request: "RequestSummary") -> None:
    """Fill ``present`` of each missing-key leaf from the actual request (Ruby's hint)."""
    if isinstance(tree, Leaf):
        if tree.kind == "missing" and tokens:
            parent = _actual_at(request, tokens[:-1])
            if isinstance(parent, dict):
                tree.present = [str(k) for k in parent]
    elif isinstance(tree, dict):
        for key, value in tree.items():
            _present_keys(value, tokens + [key], request)
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            _present_keys(value, tokens + [index], request)


def _actual_at(request: "RequestSummary", tokens: List[Any]) -> Any:
    if tokens == ["headers"]:
        return dict(request.headers)
    if tokens == ["query"]:
        return dict.fromkeys(parse_query(request.query or "", legacy=True))
    if not tokens or tokens[0] != "body":
        return None
    node = request.body
    for token in tokens[1:]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and isinstance(token, int) and token < len(node):
            node = node[token]
        else:
            return None
    return node


class _Bare:
    """A value printed without quotes in the diff: a Ruby class name or a regex."""

    def __init__(self, text: str) -> None:
        self.text = text


class _NoDiffMarker:
    pass


_NoDiff = _NoDiffMarker()
_SKIP = (KEY_NOT_FOUND, KEY_NOT_TO_EXIST, ITEM_NOT_FOUND, ITEM_NOT_TO_EXIST)


def _side(tree: Any, side: str) -> Any:
    """The expected or the actual document of the diff (placeholders left out)."""
    if isinstance(tree, Leaf):
        type_key = "EXPECTED_TYPE" if side == "expected" else "ACTUAL_TYPE"
        if type_key in tree:  # a type leaf, or a key missing under Like
            return _Bare(tree[type_key])
        if "EXPECTED_TO_MATCH" in tree and side == "expected":
            return _Bare(tree["EXPECTED_TO_MATCH"])
        value = tree.get("EXPECTED") if side == "expected" else tree.get("ACTUAL")
        return _side(value, side) if isinstance(value, (dict, list)) else value
    if isinstance(tree, dict):
        result = {}
        for key, value in tree.items():
            inner = _side(value, side)
            if not (isinstance(inner, str) and inner in _SKIP):
                result[key] = inner
        return result
    if isinstance(tree, list):
        out = []
        for value in tree:
            inner = _side(value, side)
            if isinstance(inner, str) and inner in (ITEM_NOT_FOUND, ITEM_NOT_TO_EXIST):
                continue
            out.append(_NoDiff if isinstance(inner, str) and inner == NO_DIFF else inner)
        return out
    return tree


def _placeholder(value: Any) -> str:
    if value is _NoDiff:
        return "\x00NODIFF\x00"
    if isinstance(value, _Bare):
        return "\x00BARE\x00" + value.text + "\x00"
    return repr(value)


def _pretty(value: Any) -> str:
    """``JSON.pretty_generate`` as Ruby's differ uses it: empty containers on two lines."""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=_placeholder)
    text = text.replace('"\\u0000NODIFF\\u0000"', "... ")
    text = re.sub(r'"\\u0000BARE\\u0000((?:[^"\\]|\\.)*)\\u0000"',
                  lambda m: json.loads('"' + m.group(1) + '"'), text)
    text = re.sub(r"(?m)^(\s*)(.*)\{\}(,?)$", lambda m: f"{m[1]}{m[2]}{{\n{m[1]}}}{m[3]}", text)
    text = re.sub(r"(?m)^(\s*)(.*)\[\](,?)$", lambda m: f"{m[1]}{m[2]}[\n\n{m[1]}]{m[3]}", text)
    return re.sub(r"(\n\s*\])", r",\1", text)  # Ruby adds commas, diffs, then removes them


def _unix_diff(tree: Dict[str, Any], messages: List[str]) -> str:
    expected = _pretty(_side(tree, "expected")).split("\n")
    actual = _pretty(_side(tree, "actual")).split("\n")
    lines = [line for line in difflib.unified_diff(expected, actual, lineterm="", n=3)
             if not line.startswith(("---", "+++", "@@"))]
    diff = re.sub(r",(\n\s*\])", r"\1", "\n".join(lines))
    key = (f"Diff\n{_RULE}\nKey: - is expected \n     + is actual \n"
           "Matching keys and values are not shown\n")
    return (key + "\n" + diff + f"\n\nDescription of differences\n{_RULE}\n"
            + "\n".join("* " + m for m in messages) + "\n")


def _diff_block(candidate: "CandidateDiff", request: Optional["RequestSummary"]) -> str:
    tree = ruby_diff(candidate.mismatches, request)
    if request is not None:
        _present_keys(tree, [], request)
    name = json.dumps(candidate.description, ensure_ascii=False)
    if candidate.provider_state is not None:
        name += " given " + json.dumps(candidate.provider_state, ensure_ascii=False)
    messages: List[str] = []
    _messages(tree, "$", messages)
    return f"Diff with interaction: {name}\n" + _unix_diff(tree, messages)


def _join_and(items: Sequence[str]) -> str:
    text = ", ".join(items)
    head, sep, tail = text.rpartition(",")
    return head + " and" + tail if sep else text


def ruby_verification_text(verification: "Verification", log_description: str) -> str:
    """The 500 body of Ruby's verification endpoint (ruby-mock-service.md §4.6)."""
    incorrect = []
    blocks = []
    for item in verification.mismatched:
        keys: List[str] = []
        for cand in item.candidates:
            for key in ruby_diff(cand.mismatches, item.request):
                if key not in keys:
                    keys.append(key)
        reason = f"request {_join_and(keys)} did not match" if keys else \
            "request matched several interactions"
        incorrect.append(f"{item.request.line()} ({reason})")
        if not item.ambiguous:
            blocks.append("\n".join(_diff_block(c, item.request) for c in item.candidates))
    sections = [
        ("Incorrect requests", incorrect),
        ("Missing requests", [m.line() for m in verification.missing]),
        ("Unexpected requests", [u.request.line() for u in verification.unexpected]),
    ]
    text = "".join(f"{title}:\n\t" + "\n\t".join(lines) + "\n\n" for title, lines in sections if lines)
    text += "\n\n".join(blocks) + "\n"
    return ("Actual interactions do not match expected interactions for mock MockService.\n\n"
            f"{text}See {log_description} for details.\n")

