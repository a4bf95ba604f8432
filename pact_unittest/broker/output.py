"""The texts the broker commands print, as the Ruby ``pact-broker`` CLI prints them.

* :func:`table` -- the ``table_print`` gem's layout: upper-case headers joined by
  `` | ``, a ``-|-`` rule, cells padded (and cut to 30 characters with ``...`` unless a
  column's width is given).
* :func:`describe` -- the YAML-ish ``Key: value`` listing of ``describe-environment`` and
  ``describe-pacticipant`` (keys turned into display names: ``displayName`` ->
  ``Display Name``).
* :func:`matrix_text` -- ``can-i-deploy``'s "Computer says yes/no", matrix table,
  verification result URLs and the broker's notices (or its reason).

Colours: Ruby colours always; we colour only a terminal (and never with ``NO_COLOR``), so
logs and captured output stay plain. :class:`Style` decides.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any, Dict, List, Optional, Sequence, TextIO, Tuple

from .matrix import Matrix

_COLOURS = {"red": 31, "green": 32, "yellow": 33, "magenta": 35}
DEFAULT_MAX_WIDTH = 30


class Style:
    """ANSI colours on or off (on only for a terminal without ``NO_COLOR``)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream: TextIO) -> "Style":
        isatty = getattr(stream, "isatty", None)
        return cls(bool(isatty and isatty()) and "NO_COLOR" not in os.environ)

    def colour(self, name: Optional[str], text: str) -> str:
        if not self.enabled or not name:
            return text
        return f"\x1b[{_COLOURS[name]}m{text}\x1b[0m"

    def red(self, text: str) -> str:
        return self.colour("red", text)

    def green(self, text: str) -> str:
        return self.colour("green", text)

    def yellow(self, text: str) -> str:
        return self.colour("yellow", text)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str],
          widths: Optional[Sequence[Optional[int]]] = None) -> str:
    """Rows under upper-cased headers, ``table_print`` style; "" for no rows."""
    if not rows:
        return ""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    sizes = []
    for i, head in enumerate(headers):
        fixed = widths[i] if widths and i < len(widths) else None
        natural = max([len(head)] + [len(r[i]) for r in cells])
        sizes.append(fixed if fixed is not None else min(natural, DEFAULT_MAX_WIDTH))

    def line(values: Sequence[str]) -> str:
        return " | ".join(_cut(v, w).ljust(w) for v, w in zip(values, sizes))

    out = [line([h.upper() for h in headers]), "-|-".join("-" * w for w in sizes)]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def _cut(value: str, width: int) -> str:
    return value if len(value) <= width else value[:max(width - 3, 0)] + "..."


def display_name(key: str) -> str:
    """``displayName`` -> ``Display Name``, ``createdAt`` -> ``Created At`` (Ruby's rule)."""
    text = re.sub(r"([A-Z])([A-Z])([a-z])", r"\1 \2\3", key)
    text = re.sub(r"([a-z\d])([A-Z])(\S)", r"\1 \2\3", text)
    text = re.sub(r"(\S)([\-_\s.])(\S)", r"\1 \3", text)
    return " ".join(w[:1].upper() + w[1:] for w in text.split())


def describe(properties: Dict[str, Any]) -> str:
    """``Key: value`` lines, nested mappings and lists indented as YAML would."""
    lines: List[str] = []
    _describe(properties, 0, lines)
    return "\n".join(lines)


def _describe(value: Any, indent: int, lines: List[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            name = display_name(str(key))
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{name}:")
                _describe(item, indent + (0 if isinstance(item, list) else 2), lines)
            else:
                lines.append(f"{pad}{name}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            sub: List[str] = []
            _describe(item, indent + 2, sub)
            if sub:
                sub[0] = pad + "- " + sub[0][indent + 2:]
            lines.extend(sub)
    else:
        lines.append(pad + _scalar(value))


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"
    text = str(value)
    if re.match(r"^\d{4}-\d\d-\d\d", text) or text in ("true", "false", "null", "") \
            or ": " in text or text[:1] in "!&*'\"[]{}#|>%@`":
        return "'" + text.replace("'", "''") + "'"
    return text


def pretty_json(raw: Any) -> str:
    """The JSON a ``-o json`` command prints: the broker's body, indented."""
    return json.dumps(raw if raw is not None else {}, indent=2, ensure_ascii=False)


# -- can-i-deploy ------------------------------------------------------------------

_SHA = re.compile(r"[A-Za-z0-9]{40}")
_SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


def abbreviate_version(number: Optional[str]) -> Optional[str]:
    """Git SHAs shortened to 7 characters, other numbers cut at 60 (as the Ruby table)."""
    if number is None:
        return None
    if _SHA.search(number) and (_SEMVER.search(number) or _SHA.fullmatch(number)):
        return _SHA.sub(lambda m: m.group(0)[:7] + "...", number)
    return number[:60] + "..." if len(number) > 60 else number


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _sort_key(row: Dict[str, Any]) -> Tuple[str, str, str, str]:
    return ((_dig(row, "consumer", "name") or "").lower(),
            (_dig(row, "provider", "name") or "").lower(),
            _dig(row, "consumer", "version", "number") or "",
            _dig(row, "provider", "version", "number") or "")


def matrix_table(matrix: Matrix) -> str:
    """The matrix table and the numbered verification result URLs ("" without rows)."""
    rows = sorted(matrix.rows, key=_sort_key)
    if not rows:
        return ""
    lines, urls = [], []
    for row in rows:
        url = _dig(row, "verificationResult", "_links", "self", "href")
        success = _dig(row, "verificationResult", "success")
        if url:
            urls.append((url, success))
        ok = "???" if success is None else ("true" if success else "false")
        lines.append([
            _dig(row, "consumer", "name") or "???",
            abbreviate_version(_dig(row, "consumer", "version", "number")) or "???",
            _dig(row, "provider", "name") or "???",
            abbreviate_version(_dig(row, "provider", "version", "number")) or "???",
            ok + (" [ignored]" if row.get("ignored") else ""),
            len(urls) if url else "",
        ])
    headers = ["CONSUMER", "C.VERSION", "PROVIDER", "P.VERSION", "SUCCESS?", "RESULT#"]
    widths = [max(len(str(r[i])) for r in lines + [headers]) for i in range(4)] + [None, None]
    text = table(lines, headers, widths)
    if urls:
        text += "\n\nVERIFICATION RESULTS\n--------------------\n" + "\n".join(
            f"{i}. {url} ({'success' if ok else 'failure'})" for i, (url, ok) in enumerate(urls, 1))
    return text


_NOTICE_COLOURS = {"warning": "yellow", "prompt": "yellow", "error": "red", "danger": "red",
                   "success": "green"}


def matrix_text(matrix: Matrix, style: Style, *, dry_run: bool = False) -> str:
    """The whole text answer of ``can-i-deploy`` (Ruby's wording, dry-run prefixes too)."""
    ok = matrix.deployable
    if dry_run:
        says = ("Computer says yes \\o/ (and maybe you don't need to enable dry run)" if ok else
                "Computer says no ¯\\_(ツ)_/¯ (but you're ignoring this by enabling dry run)")
    else:
        says = style.green("Computer says yes \\o/ ") if ok else style.red("Computer says no ¯\\_(ツ)_/¯")
    body = matrix_table(matrix)
    notices = matrix.notices
    if notices is not None:
        tail = "\n".join(style.colour(_NOTICE_COLOURS.get(str(n.get("type"))), str(n.get("text", "")))
                         for n in notices)
    else:
        tail = style.green(matrix.reason) if ok else style.red(matrix.reason)
    text = says + ("\n\n" + body if body else "") + "\n\n" + tail
    if not dry_run:
        return text
    prefix = style.yellow("[dry-run] ")
    plain = re.sub(r"\x1b\[\d+m", "", text)
    return "\n".join(prefix + line for line in plain.split("\n")) + "\n" + prefix + "\n" + \
        prefix + style.green("Dry run enabled - ignoring any failures")
