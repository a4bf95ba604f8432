"""The result type of the engine: one :class:`Mismatch` per thing that differs.

Kept tiny and dependency-free so that the mock service, the verification report and
pickled test failures (Django's parallel runner sends them between processes) can all
carry mismatches around without pulling in the engine.
"""
from __future__ import annotations

import json
import reprlib
from dataclasses import dataclass
from typing import Any, Optional

KINDS = (
    "method",
    "path",
    "query",
    "header",
    "status",
    "body",
    "body-content-type",
    "metadata",
)

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlist = 6
_REPR.maxdict = 6


@dataclass(frozen=True)
class Mismatch:
    """One difference between an expected and an actual request, response or message.

    ``path`` is a JSON path from the body root (``$.items[0].id``) for body mismatches,
    the header, query parameter or metadata name for those kinds, and ``""`` for
    method, path and status. ``message`` is one human line that already names the path.
    ``rule`` names the matching rule that applied at that place (``"type"``,
    ``"regex"``, ``"integer"``, ...; several joined with ``"|"``), or None for plain
    equality. It lets a report say *why* something failed without parsing ``message``:
    Ruby's diff shows a key missing under ``Like`` as ``{"EXPECTED_TYPE": "String"}``.
    Optional and last, so ``Mismatch(kind, path, expected, actual, message)`` and
    mismatches pickled before it existed still work.
    """

    kind: str
    path: str
    expected: Any
    actual: Any
    message: str
    rule: Optional[str] = None

    def __str__(self) -> str:
        return self.message


def type_name(value: Any) -> str:
    """The JSON type name used in messages ("integer", "string", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "decimal"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, (bytes, bytearray)):
        return "bytes"
    return type(value).__name__


def show(value: Any) -> str:
    """A short one-line rendering of a value: strings quoted, JSON for the rest."""
    if isinstance(value, str):
        text = _REPR.repr(value)
    elif value is None or isinstance(value, (bool, int, float)):
        text = json.dumps(value)
    else:
        try:
            text = _REPR.repr(value)
        except (RecursionError, ValueError):  # pragma: no cover - defensive
            text = "<" + type_name(value) + ">"
    return text.replace("\n", "\\n")


def show_typed(value: Any) -> str:
    """``show(value)`` followed by its JSON type: ``'1' (string)``."""
    return f"{show(value)} ({type_name(value)})"


def where(kind: str, path: str) -> str:
    """The place a message starts with: ``$.a``, ``header 'X-Key'``, ``method``."""
    if kind == "body-content-type":
        return "body content type"
    if kind in ("method", "path", "status", "query") and not path:
        return kind
    return path if kind == "body" or not path else f"{kind} {path!r}"


def make(kind: str, path: str, expected: Any, actual: Any, detail: str,
         rule: Optional[str] = None) -> Mismatch:
    """Build a mismatch whose message is ``"<where>: <detail>"``."""
    message = f"{where(kind, path)}: {detail}".replace("\r", "\\r").replace("\n", "\\n")
    return Mismatch(kind, path, expected, actual, message, rule)


def rule_name(rule: Any) -> Optional[str]:
    """The ``rule`` field for a :class:`~.rules.RuleList` (None for equality or no rule)."""
    if rule is None or rule.kinds == {"equality"}:
        return None
    return "|".join(m.kind for m in rule.matchers)
