"""How big an interaction's examples become once its matchers are expanded, bounded.

``Pact::ArrayLike`` (``EachLike``) stands for ``min`` copies of its contents in the example
the mock answers with, and nesting multiplies: three nested ``min: 1000`` in a 308-byte
PUT are 10^9 elements (23 s, then ``MemoryError``; without a memory limit the machine runs
out: issue 14). So the size is computed from the wire form (or matcher objects) before
anything is expanded, and an interaction over :data:`MAX_ELEMENTS` values or about
:data:`MAX_BYTES` of JSON is refused with a ``ValueError`` naming the limit.
"""
from __future__ import annotations

from typing import Any, Tuple

from ..matchers import EachLike, Like, Matcher
from .interaction import MAX_DEPTH

__all__ = ["MAX_ELEMENTS", "MAX_BYTES", "check_example_size"]

#: Values (scalars, objects, arrays) in one expanded request or response.
MAX_ELEMENTS = 1_000_000
#: About this many bytes of JSON in one expanded request or response (the request body
#: limit of the mock service, 64 MiB).
MAX_BYTES = 64 * 1024 * 1024


def _size(value: Any, depth: int) -> Tuple[int, int]:
    """``(values, bytes)`` of ``value`` expanded; a rough but never low byte count."""
    if depth > MAX_DEPTH:  # too deep: refused later with its own message
        return 1, 1
    if isinstance(value, EachLike):
        count, size = _size(value.matcher, depth + 1)
        copies = max(int(value.minimum), 1)
        return copies * count + 1, copies * (size + 1) + 2
    if isinstance(value, Like):
        return _size(value.matcher, depth + 1)
    if isinstance(value, Matcher):
        return 1, len(str(getattr(value, "_generate", "") or ""))
    if isinstance(value, dict):
        kind = value.get("json_class")
        if kind == "Pact::ArrayLike":
            count, size = _size(value.get("contents"), depth + 1)
            minimum = value.get("min", 1)
            copies = max(minimum, 1) if isinstance(minimum, int) and not isinstance(minimum, bool) else 1
            return copies * count + 1, copies * (size + 1) + 2
        if kind == "Pact::SomethingLike":
            return _size(value.get("contents"), depth + 1)
        total_count, total_size = 1, 2
        for key, child in value.items():
            count, size = _size(child, depth + 1)
            total_count += count
            total_size += size + len(str(key)) + 4
        return total_count, total_size
    if isinstance(value, (list, tuple)):
        total_count, total_size = 1, 2
        for child in value:
            count, size = _size(child, depth + 1)
            total_count += count
            total_size += size + 1
        return total_count, total_size
    if isinstance(value, (str, bytes)):
        return 1, len(value) + 2
    return 1, 8


def check_example_size(part: Any, where: str) -> None:
    """Raise ``ValueError`` naming the limit when ``part`` expands past it."""
    count, size = _size(part, 0)
    if count > MAX_ELEMENTS:
        raise ValueError(f"{where}: its matchers expand to {count:,} values, over the limit "
                         f"of {MAX_ELEMENTS:,} values per request or response (nested "
                         "EachLike / Pact::ArrayLike minimums multiply)")
    if size > MAX_BYTES:
        raise ValueError(f"{where}: its matchers expand to about {size:,} bytes, over the "
                         f"limit of {MAX_BYTES:,} bytes ({MAX_BYTES // (1024 * 1024)} MiB) "
                         "per request or response (nested EachLike / Pact::ArrayLike "
                         "minimums multiply)")
