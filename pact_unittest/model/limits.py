"""What an interaction may hold: examples of bounded size, text that can be written.

**Size.** 
``Pact::ArrayLike`` (``EachLike``) stands for ``min`` copies of its contents in the example
the mock answers with, and nesting multiplies: three nested ``min: 1000`` in a 308-byte
PUT are 10^9 elements (23 s, then ``MemoryError``; without a memory limit the machine runs
out: issue 14). So the size is computed from the wire form (or matcher objects) before
anything is expanded, and an interaction over :data:`MAX_ELEMENTS` values or about
:data:`MAX_BYTES` of JSON is refused with a ``ValueError`` naming the limit.

**Text.** JSON may spell a lone surrogate (``"\ud800"``) and Python's reader accepts
``NaN``; neither can be written as UTF-8 or strict JSON, so such an interaction used to be
registered and then fail with 500 at the mock's answer, ``POST /pact`` or verification.
:func:`check_writable` refuses it at registration, naming where the value is.
"""
from __future__ import annotations

import math

from typing import Any, Tuple

from ..matchers import EachLike, Like, Matcher
from .interaction import MAX_DEPTH

__all__ = ["MAX_ELEMENTS", "MAX_BYTES", "check_example_size", "check_writable"]

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


def _bad_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_writable(value: Any, where: str, depth: int = 0) -> None:
    """Raise ``ValueError`` naming the place of a lone surrogate, NaN or infinity."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        if _bad_text(value):
            raise ValueError(f"{where}: {value!r} holds a lone surrogate (a \\ud800-\\udfff "
                             "escape without its pair), which cannot be written as UTF-8")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a JSON number (NaN and infinities "
                             "cannot be written to a pact file)")
    elif isinstance(value, dict):
        for key, child in value.items():
            name = f"{where}.{key}"
            if isinstance(key, str) and _bad_text(key):
                raise ValueError(f"{where}: the key {key!r} holds a lone surrogate, which "
                                 "cannot be written as UTF-8")
            check_writable(child, name, depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, child in enumerate(value):
            check_writable(child, f"{where}[{index}]", depth + 1)
