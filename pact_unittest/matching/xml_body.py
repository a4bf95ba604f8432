"""XML body comparison (SEMANTICS §8): names by namespace URI, attributes as a map,
children grouped by element name, text trimmed; iterative so deep documents are safe.

Runtime paths are ``$.root.child['@attr']`` / ``$.root.child['#text']`` (no indices,
like Pact-JVM), and ``[*]`` tokens in rule paths are ignored for XML (§8.4), which is the
reading under which all 803 official cases pass.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Dict, List, Optional, Tuple

from .leaf import check_rule
from .mismatch import Mismatch, make, show
from .paths import RtPath, render
from .selection import BodyRules, State


def parse_xml(text: Any) -> ET.Element:
    """Parse an XML body (str or bytes); ValueError with the parser's reason on failure."""
    if isinstance(text, str):
        data = text.encode("utf-8")
        # ElementTree refuses a str with an encoding declaration only when given str.
    elif isinstance(text, (bytes, bytearray)):
        data = bytes(text)
    else:
        raise ValueError(f"expected an XML document but got {type(text).__name__}")
    try:
        return ET.fromstring(data)
    except (ET.ParseError, RecursionError) as exc:
        raise ValueError(f"invalid XML: {exc}") from None


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1] if name.startswith("{") else name


def _tag(name: str) -> str:
    """An element as a person writes it: ``<two/>``, ``<two/> (namespace urn:x)``."""
    if name.startswith("{"):
        uri, local = name[1:].split("}", 1)
        return f"<{local}/> (namespace {uri})"
    return f"<{name}/>"


def _attr(name: str, value: str) -> str:
    """An attribute as the Rust core's messages show it: ``'id'='1'``."""
    return f"'{_local(name)}'={show(value)}" if not name.startswith("{") else \
        f"'{_local(name)}' (namespace {name[1:].split('}', 1)[0]})={show(value)}"


def _text(element: ET.Element) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append(child.tail or "")
    return "".join(parts).strip()


def compare_xml(expected: Any, actual: Any, rules: Optional[BodyRules], *, strict: bool,
                partial: bool = False) -> List[Mismatch]:
    """All mismatches between two XML documents (given as text)."""
    try:
        exp_root = parse_xml(expected)
    except ValueError as exc:
        raise ValueError(f"expected body: {exc}") from None
    try:
        act_root = parse_xml(actual)
    except ValueError as exc:
        return [make("body", "$", expected, actual, f"actual body is not valid XML: {exc}")]
    compiled = (rules or BodyRules([])).for_xml()
    out: List[Mismatch] = []
    name = _local(exp_root.tag)
    path: RtPath = (None, name)
    state = compiled.root.child(name)
    if exp_root.tag != act_root.tag:
        out.append(make("body", render(path), exp_root.tag, act_root.tag,
                        f"Expected root element {_tag(exp_root.tag)} but received "
                        f"{_tag(act_root.tag)}"))
        return out
    stack: List[Tuple[ET.Element, ET.Element, RtPath, State]] = [(exp_root, act_root, path, state)]
    while stack:
        exp, act, path, state = stack.pop()
        _compare_element(exp, act, path, state, strict, partial, out, stack)
    return out


def _compare_element(exp: ET.Element, act: ET.Element, path: RtPath, state: State,
                     strict: bool, partial: bool, out: List[Mismatch], stack: list) -> None:
    rule = state.rule
    exp_children = list(exp)
    act_children = list(act)
    if rule is not None and state.is_exact:
        for matcher in rule.matchers:
            if matcher.kind != "type":
                continue
            count = len(act_children)
            if matcher.min is not None and count < matcher.min:
                out.append(make("body", render(path), len(exp_children), count,
                                f"Expected {_tag(exp.tag)} to have at least {matcher.min} "
                                f"child element(s) but it has {count}"))
            if matcher.max is not None and count > matcher.max:
                out.append(make("body", render(path), len(exp_children), count,
                                f"Expected {_tag(exp.tag)} to have at most {matcher.max} "
                                f"child element(s) but it has {count}"))
    _compare_attributes(exp, act, path, state, strict, partial, out)
    exp_text, act_text = _text(exp), _text(act)
    text_state = state.child("#text")
    text_rule = text_state.rule
    if text_rule is not None and text_rule.kinds != {"equality"}:
        if exp_text or act_text:
            for error in check_rule(text_rule, exp_text, act_text, text=True, partial=partial):
                out.append(make("body", render((path, "#text")), exp_text, act_text, error))
    elif exp_text != act_text:
        if not act_text:
            detail = f"Expected text {show(exp_text)} but there was none"
        elif not exp_text:
            detail = f"Unexpected text {show(act_text)}"
        else:
            detail = f"Expected text {show(exp_text)} but received {show(act_text)}"
        out.append(make("body", render((path, "#text")), exp_text, act_text, detail))
    groups: Dict[str, List[ET.Element]] = {}
    for child in exp_children:
        groups.setdefault(child.tag, []).append(child)
    actual_groups: Dict[str, List[ET.Element]] = {}
    for child in act_children:
        actual_groups.setdefault(child.tag, []).append(child)
    for tag, wanted in groups.items():
        local = _local(tag)
        child_path: RtPath = (path, local)
        child_state = state.child(local)
        got = actual_groups.get(tag, [])
        child_rule = child_state.rule
        if child_rule is not None and child_rule.kinds != {"equality"} and got:
            for item in got:
                stack.append((wanted[0], item, child_path, child_state))
            continue
        if len(got) < len(wanted):
            if not got and len(wanted) == 1:  # the Rust core's words
                detail = f"Expected child {_tag(tag)} but was missing"
            else:
                detail = (f"Expected {len(wanted)} child elements {_tag(tag)} but "
                          f"received {len(got)}: {len(wanted) - len(got)} missing")
            out.append(make("body", render(child_path), _tag(tag), None if not got else
                            len(got), detail))
        elif len(got) > len(wanted) and strict:
            extra = len(got) - len(wanted)
            detail = f"Unexpected child {_tag(tag)}" + (
                f" ({extra} more than the {len(wanted)} expected)" if len(wanted) else "")
            out.append(make("body", render(child_path), len(wanted), _tag(tag), detail))
        for exp_child, act_child in zip(wanted, got):
            stack.append((exp_child, act_child, child_path, child_state))
    for tag in actual_groups:
        if tag in groups:
            continue
        local = _local(tag)
        if strict or state.child(local).rule is not None:
            out.append(make("body", render((path, local)), None, _tag(tag),
                            f"Unexpected child {_tag(tag)}"))


def _compare_attributes(exp: ET.Element, act: ET.Element, path: RtPath, state: State,
                        strict: bool, partial: bool, out: List[Mismatch]) -> None:
    for name, value in exp.attrib.items():
        local = "@" + _local(name)
        attr_path: RtPath = (path, local)
        if name not in act.attrib:
            out.append(make("body", render(attr_path), value, None,
                            f"Expected attribute {_attr(name, value)} but was missing"))
            continue
        got = act.attrib[name]
        rule = state.child(local).rule
        if rule is not None and rule.kinds != {"equality"}:
            for error in check_rule(rule, value, got, text=True, partial=partial):
                out.append(make("body", render(attr_path), value, got, error))
        elif got != value:
            out.append(make("body", render(attr_path), value, got,
                            f"Expected attribute {_attr(name, value)} but received "
                            f"{_attr(name, got)}"))
    if strict:
        for name, value in act.attrib.items():
            if name not in exp.attrib:
                out.append(make("body", render((path, "@" + _local(name))), None, value,
                                f"Unexpected attribute {_attr(name, value)}"))
