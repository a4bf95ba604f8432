"""Merging rendered interactions: one per key, and a clear error when two differ.

Merging is by identity (description + provider states, and the v4 ``type``). Same key and
same content: kept once. Same key and different content: :class:`PactConflictError`
naming both and where they differ. Content is compared as written JSON, never by
re-parsing the file into matchers, so Ruby's spurious conflicts (regexes containing
``/``, form bodies, spec 1) cannot happen; the v4 ``key`` field is left out, since other
tools compute it differently.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from .layout import FileKey, file_label
from .text import Entry

__all__ = ["PactConflictError", "PactFileClashError", "Pair", "dedupe", "merge"]


class PactConflictError(ValueError):
    """Two interactions share a description and provider states but differ.

    A provider verifier could not tell which one the consumer means, so the write is
    refused and the file left untouched. ``first`` and ``second`` name the two, and
    ``differences`` lists where they differ (JSON paths with both values).
    """

    def __init__(
        self,
        message: str,
        first: Optional[str] = None,
        second: Optional[str] = None,
        differences: Sequence[str] = (),
        path: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.first = first
        self.second = second
        self.differences = tuple(differences)
        self.path = path

    def __reduce__(self) -> Any:
        return (
            self.__class__,
            (self.args[0], self.first, self.second, self.differences, self.path),
        )


class PactFileClashError(PactConflictError):
    """The pact file a pair's name gives holds another pair's contract (``a-b``/``c`` and
    ``a``/``b-c``; ``User``/``Svc`` and ``user``/``svc``): the write is refused, the file
    left untouched, and the message names both pairs."""


#: (rendered interaction, who it is: the Interaction or a text), for conflict messages.
Pair = Tuple[Entry, Any]


def _comparable(item: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in item.items() if k != "key"}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _short(value: Any) -> str:
    text = _canonical(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _differences(a: Any, b: Any, path: str = "", limit: int = 3) -> List[str]:
    """Where two JSON values differ, as "path: A != B" lines (at most ``limit``)."""
    found: List[str] = []
    if isinstance(a, dict) and isinstance(b, dict):
        for name in list(a) + [k for k in b if k not in a]:
            where = f"{path}.{name}" if path else str(name)
            if name not in a:
                found.append(f"{where}: absent != {_short(b[name])}")
            elif name not in b:
                found.append(f"{where}: {_short(a[name])} != absent")
            elif _canonical(a[name]) != _canonical(b[name]):
                found.extend(_differences(a[name], b[name], where, limit - len(found)))
            if len(found) >= limit:
                break
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b)):
            if _canonical(x) != _canonical(y):
                found.extend(_differences(x, y, f"{path}[{index}]", limit - len(found)))
            if len(found) >= limit:
                break
    elif _canonical(a) != _canonical(b):
        found.append(f"{path or '$'}: {_short(a)} != {_short(b)}")
    return found[:limit]


def _conflict(old: Pair, new: Pair, path: Optional[Path]) -> PactConflictError:
    first, second = _who(old[1]), _who(new[1])
    diffs = _differences(_comparable(old[0].item), _comparable(new[0].item))
    where = f" in {path}" if path else ""
    message = (
        f"two different interactions{where} share the description and provider states "
        f"{file_label(new[0].item)}: {first} and {second} differ in "
        + "; ".join(diffs or ["their content"])
        + ". Give them different descriptions or provider states, or make them equal"
        + ("; the file was left untouched" if path else "")
        + "."
    )
    return PactConflictError(message, first, second, diffs, str(path) if path else None)


def _who(interaction: Any) -> str:
    if isinstance(interaction, str):
        return interaction
    origin = getattr(interaction, "origin", None)
    return f"the one from {origin}" if origin else "the one given to this write"


def dedupe(pairs: Iterable[Pair], path: Optional[Path]) -> Dict[FileKey, Pair]:
    """Rendered interactions by key, duplicates (same key, same content) dropped.

    Raises PactConflictError for two with the same key and different content.
    """
    seen: Dict[FileKey, Pair] = {}
    for pair in pairs:
        old = seen.get(pair[0].key)
        if old is None:
            seen[pair[0].key] = pair
        elif not old[0].same(pair[0]):
            raise _conflict(old, pair, path)
    return seen


def merge(
    existing: Dict[FileKey, Entry], ours: Dict[FileKey, Pair], mode: str, path: Path
) -> Dict[FileKey, Entry]:
    merged = dict(existing)
    for key, pair in ours.items():
        old = merged.get(key)
        if old is not None and mode != "update" and not old.same(pair[0]):
            raise _conflict((old, "the one already in the file"), (pair[0], "the one written now"), path)
        merged[key] = pair[0]
    return merged
