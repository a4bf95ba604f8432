"""Ruby's diff encodings, rebuilt from our :class:`~pact_unittest.matching.Mismatch` list.

Clients of the Ruby mock service read two things we must keep: the ``interaction_diffs``
JSON in a 500 "No interaction found" answer (ruby-mock-service.md §7.4) and the verification
text with its "Diff with interaction" blocks (§4.6). Our engine reports flat mismatches with
JSON paths; this module nests them back into Ruby's shape. The texts are as close to Ruby's
as the information allows (Ruby's differ prints a few Ruby class names we do not have).
"""
from __future__ import annotations

import difflib
import json
import re
from typing import TYPE_CHECKING, Any, Dict, List, Sequence, Union

if TYPE_CHECKING:  # pragma: no cover
    from ..matching import Mismatch
    from ..verification import CandidateDiff, Verification

NO_DIFF = "<no difference at this index>"
KEY_NOT_FOUND = "<key not found>"
KEY_NOT_TO_EXIST = "<key not to exist>"
ITEM_NOT_FOUND = "<item not found>"
ITEM_NOT_TO_EXIST = "<item not to exist>"
_ORDER = ("method", "path", "headers", "query", "body")
_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\[\"((?:[^\"\\]|\\.)*)\"\]|\[\*\]")

Path = List[Union[str, int]]


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


def _leaf(expected: Any, actual: Any, message: str = "") -> Dict[str, Any]:
    """Ruby's leaf; our messages tell an absent value from a null one."""
    lowered = message.lower()
    if expected is None and "unexpected" in lowered:
        expected = KEY_NOT_TO_EXIST
    if actual is None and ("missing" in lowered or "not found" in lowered or not message):
        actual = KEY_NOT_FOUND
    return {"EXPECTED": expected, "ACTUAL": actual}


def _array_diff(expected: List[Any], actual: List[Any]) -> List[Any]:
    """Two plain arrays compared index by index, as Ruby's differ shows them."""
    out: List[Any] = []
    for i in range(max(len(expected), len(actual))):
        if i >= len(actual):
            out.append({"EXPECTED": expected[i], "ACTUAL": ITEM_NOT_FOUND})
        elif i >= len(expected):
            out.append({"EXPECTED": ITEM_NOT_TO_EXIST, "ACTUAL": actual[i]})
        elif expected[i] == actual[i] and type(expected[i]) is type(actual[i]):
            out.append(NO_DIFF)
        else:
            out.append({"EXPECTED": expected[i], "ACTUAL": actual[i]})
    return out


def _insert(tree: Dict[str, Any], tokens: Path, leaf: Any) -> None:
    node: Any = tree
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        if isinstance(node, list) and isinstance(token, int):
            while len(node) <= token:
                node.append(NO_DIFF)
            if last:
                node[token] = leaf
                return
            if not isinstance(node[token], (dict, list)):
                node[token] = [] if isinstance(tokens[i + 1], int) else {}
            node = node[token]
        else:
            if not isinstance(node, dict):
                return  # a leaf already covers this place
            key = str(token)
            if last:
                node[key] = leaf
                return
            child = node.get(key)
            if not isinstance(child, (dict, list)):
                child = [] if isinstance(tokens[i + 1], int) else {}
                node[key] = child
            node = child


def ruby_diff(mismatches: Sequence["Mismatch"]) -> Dict[str, Any]:
    """Nest our mismatches into Ruby's diff tree: ``{"query": {"x": [{"EXPECTED": ..}]}}``."""
    tree: Dict[str, Any] = {}
    ordered = [m for m in mismatches if "unexpected" not in (m.message or "").lower()]
    ordered += [m for m in mismatches if "unexpected" in (m.message or "").lower()]
    for m in ordered:
        kind = m.kind
        if kind in ("method", "path"):
            tree[kind] = _leaf(m.expected, m.actual, m.message)
        elif kind in ("header", "query"):
            section = tree.setdefault("headers" if kind == "header" else "query", {})
            name = m.path or ""
            if kind == "query" and isinstance(m.expected, list) and isinstance(m.actual, list):
                items: List[Any] = []
                for i in range(max(len(m.expected), len(m.actual))):
                    exp = m.expected[i] if i < len(m.expected) else "<item not to exist>"
                    act = m.actual[i] if i < len(m.actual) else "<item not found>"
                    items.append(NO_DIFF if exp == act else {"EXPECTED": exp, "ACTUAL": act})
                section[name] = items
            elif kind == "query" and name and m.actual is not None and not isinstance(m.expected, list):
                section[name] = [_leaf(m.expected, m.actual, m.message)]
            elif isinstance(section, dict):
                section[name] = _leaf(m.expected, m.actual, m.message)
        else:  # body, body-content-type and anything else lands under body
            tokens = split_json_path(m.path) if kind == "body" else []
            if not tokens:
                tree["body"] = _leaf(m.expected, m.actual, m.message)
                continue
            where: Path = ["body", *tokens]
            if isinstance(m.expected, list) and isinstance(m.actual, list):
                _insert(tree, where, _array_diff(m.expected, m.actual))
            else:
                _insert(tree, where, _leaf(m.expected, m.actual, m.message))
    return {key: tree[key] for key in _ORDER if key in tree}


def interaction_diff(description: str, provider_state: Any, mismatches: Sequence["Mismatch"]) -> Dict[str, Any]:
    """One entry of ``interaction_diffs``: description, provider_state if set, the diff."""
    entry: Dict[str, Any] = {"description": description}
    if provider_state is not None:
        entry["provider_state"] = provider_state
    entry.update(ruby_diff(mismatches))
    return entry


# ---------------------------------------------------------------- verification text (§4.6)

def _ruby_inspect(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=repr)


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "a Hash"
    if isinstance(value, list):
        return "an Array"
    return _ruby_inspect(value)


def _join_and(items: Sequence[str]) -> str:
    text = ", ".join(items)
    head, sep, tail = text.rpartition(",")
    return head + " and" + tail if sep else text


def _messages(tree: Any, path: str, out: List[str], headers: Sequence[str] = ()) -> None:
    if isinstance(tree, dict) and ("EXPECTED" in tree or "EXPECTED_TYPE" in tree):
        exp, act = tree.get("EXPECTED"), tree.get("ACTUAL")
        parent, _, name = path.rpartition(".")
        if act == KEY_NOT_FOUND:
            present = f" (keys present are: {', '.join(headers)})" if parent == "$.headers" else ""
            out.append(f"Could not find key {_ruby_inspect(name)}{present} at {parent}")
        elif act == ITEM_NOT_FOUND:
            out.append(f"Actual array is too short and should have contained {_short(exp)} at {path}")
        elif exp == ITEM_NOT_TO_EXIST:
            out.append(f"Actual array is too long and should not contain {_short(act)} at {path}")
        elif exp == KEY_NOT_TO_EXIST:
            out.append(f"Did not expect the key {_ruby_inspect(name)} to exist at {parent}")
        else:
            out.append(f"Expected {_ruby_inspect(exp)} but got {_ruby_inspect(act)} at {path}")
    elif isinstance(tree, dict):
        for key, value in tree.items():
            part = json.dumps(key) if re.search(r"\s", key) else key
            _messages(value, f"{path}.{part}", out, headers)
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            if value != NO_DIFF:
                _messages(value, f"{path}[{index}]", out, headers)


def _side(tree: Any, side: str) -> Any:
    if isinstance(tree, dict) and "EXPECTED" in tree:
        value = tree["EXPECTED"] if side == "expected" else tree.get("ACTUAL")
        return _side(value, side) if isinstance(value, (dict, list)) else value
    if isinstance(tree, dict):
        result = {}
        for key, value in tree.items():
            inner = _side(value, side)
            if inner not in (KEY_NOT_FOUND, KEY_NOT_TO_EXIST):
                result[key] = inner
        return result
    if isinstance(tree, list):
        out = []
        for value in tree:
            inner = _side(value, side)
            if inner in (ITEM_NOT_FOUND, ITEM_NOT_TO_EXIST):
                continue
            out.append(_NoDiff if inner == NO_DIFF else inner)
        return out
    return tree


class _NoDiffMarker:
    pass


_NoDiff = _NoDiffMarker()


def _pretty(value: Any) -> str:
    """``JSON.pretty_generate`` as Ruby's differ uses it: empty containers on two lines."""
    text = json.dumps(value, indent=2, ensure_ascii=False,
                      default=lambda o: "__NODIFF__" if o is _NoDiff else repr(o))
    text = text.replace('"__NODIFF__"', "... ")
    text = re.sub(r"(?m)^(\s*)(.*)\{\}(,?)$", lambda m: f"{m[1]}{m[2]}{{\n{m[1]}}}{m[3]}", text)
    text = re.sub(r"(?m)^(\s*)(.*)\[\](,?)$", lambda m: f"{m[1]}{m[2]}[\n\n{m[1]}]{m[3]}", text)
    return re.sub(r"(\n\s*\])", r",\1", text)  # Ruby adds commas, diffs, then removes them


def _unix_diff(tree: Dict[str, Any], mismatches_text: List[str]) -> str:
    expected = _pretty(_side(tree, "expected")).split("\n")
    actual = _pretty(_side(tree, "actual")).split("\n")
    body_lines = []
    for line in difflib.unified_diff(expected, actual, lineterm="", n=3):
        if line.startswith(("---", "+++", "@@")):
            continue
        body_lines.append(line)
    diff = "\n".join(body_lines)
    diff = re.sub(r",(\n\s*\])", r"\1", diff)
    key = ("Diff\n--------------------------------------\n"
           "Key: - is expected \n     + is actual \nMatching keys and values are not shown\n")
    messages = "\n".join("* " + m for m in mismatches_text)
    return key + "\n" + diff + "\n\nDescription of differences\n" \
        "--------------------------------------\n" + messages + "\n"


def _diff_block(candidate: "CandidateDiff", headers: Sequence[str] = ()) -> str:
    tree = ruby_diff(candidate.mismatches)
    name = json.dumps(candidate.description, ensure_ascii=False)
    if candidate.provider_state is not None:
        name += " given " + json.dumps(candidate.provider_state, ensure_ascii=False)
    messages: List[str] = []
    _messages(tree, "$", messages, headers)
    return f"Diff with interaction: {name}\n" + _unix_diff(tree, messages)


def ruby_verification_text(verification: "Verification", log_description: str) -> str:
    """The 500 body of Ruby's verification endpoint (ruby-mock-service.md §4.6)."""
    incorrect = []
    blocks = []
    for item in verification.mismatched:
        keys: List[str] = []
        for cand in item.candidates:
            for key in ruby_diff(cand.mismatches):
                if key not in keys:
                    keys.append(key)
        reason = f"request {_join_and(keys)} did not match" if keys else \
            "request matched several interactions"
        incorrect.append(f"{item.request.line()} ({reason})")
        if not item.ambiguous:
            names = list(item.request.headers)
            blocks.append("\n".join(_diff_block(c, names) for c in item.candidates))
    sections = [
        ("Incorrect requests", incorrect),
        ("Missing requests", [m.line() for m in verification.missing]),
        ("Unexpected requests", [u.request.line() for u in verification.unexpected]),
    ]
    text = "".join(f"{title}:\n\t" + "\n\t".join(lines) + "\n\n" for title, lines in sections if lines)
    text += "\n\n".join(blocks) + "\n"
    return ("Actual interactions do not match expected interactions for mock MockService.\n\n"
            f"{text}See {log_description} for details.\n")
