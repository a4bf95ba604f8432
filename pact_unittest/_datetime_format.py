"""Java ``DateTimeFormatter``-style patterns (``yyyy-MM-dd'T'HH:mm:ss``), as Pact uses them.

The spec-3 ``date``/``time``/``datetime`` matchers carry such a pattern. The matchers need
two things from it: an example value when the user gave none, and a check that a given
example fits. Both are done here without the C library's locale (``%a``/``%b`` would change
with ``LC_TIME``), so an example is the same bytes on every machine.
"""
from __future__ import annotations

import datetime
import re
from typing import List, Tuple

__all__ = ["format_java", "java_pattern_regex", "REFERENCE_INSTANT"]

#: The instant examples are made from. Fixed, so pact files do not change from day to day
#: (pact-python v2's ``Format()`` used the same date).
REFERENCE_INSTANT = datetime.datetime(2000, 2, 1, 12, 30, 0, tzinfo=datetime.timezone.utc)

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_LETTERS = set("GuyYDMLdQqwWEecFaBhKkHmsSAnNVvzOXxZ")


def _tokens(pattern: str) -> List[Tuple[str, str]]:
    """Split a pattern into ("field", "yyyy") and ("lit", "-") tokens."""
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"date/time format must be a non-empty string, got {pattern!r}")
    out: List[Tuple[str, str]] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "'":
            end = i + 1
            text = ""
            while True:
                if end >= n:
                    raise ValueError(f"unterminated quote in date/time format {pattern!r}")
                if pattern[end] == "'":
                    if end + 1 < n and pattern[end + 1] == "'":
                        text += "'"
                        end += 2
                        continue
                    break
                text += pattern[end]
                end += 1
            out.append(("lit", text if end > i + 1 else "'"))
            i = end + 1
        elif ch.isascii() and ch.isalpha():
            if ch not in _LETTERS:
                raise ValueError(f"unknown pattern letter {ch!r} in date/time format {pattern!r}")
            j = i
            while j < n and pattern[j] == ch:
                j += 1
            out.append(("field", pattern[i:j]))
            i = j
        elif ch in "[]#{}":
            raise ValueError(f"optional sections/reserved {ch!r} not supported in {pattern!r}")
        else:
            out.append(("lit", ch))
            i += 1
    return out


def _offset(dt: datetime.datetime, colon: bool, short: bool = False) -> str:
    off = dt.utcoffset() or datetime.timedelta(0)
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    if short and mm == 0:
        return f"{sign}{hh:02d}"
    return f"{sign}{hh:02d}:{mm:02d}" if colon else f"{sign}{hh:02d}{mm:02d}"


def _field(tok: str, dt: datetime.datetime) -> str:  # noqa: C901  (one branch per letter)
    ch, width = tok[0], len(tok)
    if ch == "G":
        return "AD"
    if ch in "yuY":
        return f"{dt.year % 100:02d}" if width == 2 else str(dt.year).zfill(width)
    if ch in "ML":
        if width >= 4:
            return _MONTHS[dt.month - 1]
        if width == 3:
            return _MONTHS[dt.month - 1][:3]
        return str(dt.month).zfill(width)
    if ch == "d":
        return str(dt.day).zfill(width)
    if ch == "D":
        return str(dt.timetuple().tm_yday).zfill(width)
    if ch == "E":
        name = _DAYS[dt.weekday()]
        return name if width >= 4 else name[:3]
    if ch in "ec":
        return str(dt.isoweekday()).zfill(width) if width <= 2 else _DAYS[dt.weekday()][:3]
    if ch == "a":
        return "AM" if dt.hour < 12 else "PM"
    if ch == "H":
        return str(dt.hour).zfill(width)
    if ch == "k":
        return str(dt.hour or 24).zfill(width)
    if ch == "K":
        return str(dt.hour % 12).zfill(width)
    if ch == "h":
        return str(dt.hour % 12 or 12).zfill(width)
    if ch == "m":
        return str(dt.minute).zfill(width)
    if ch == "s":
        return str(dt.second).zfill(width)
    if ch == "S":
        return f"{dt.microsecond:06d}{'0' * 3}"[:width].ljust(width, "0")
    if ch == "n":
        return str(dt.microsecond * 1000).zfill(width)
    if ch in "zVvO":
        return "UTC" if ch != "O" else "GMT"
    if ch == "Z":
        return _offset(dt, colon=width >= 5) if width != 4 else "GMT" + _offset(dt, True)
    if ch in "Xx":
        if ch == "X" and not dt.utcoffset():
            return "Z"
        return _offset(dt, colon=width in (3, 5), short=width == 1)
    if ch in "QqwWFANB":
        return "1"
    raise ValueError(f"unsupported pattern letter {ch!r}")  # pragma: no cover  (checked above)


def format_java(pattern: str, dt: datetime.datetime = REFERENCE_INSTANT) -> str:
    """Format ``dt`` with a Java-style pattern, locale-free (English names)."""
    parts = []
    for kind, text in _tokens(pattern):
        parts.append(text if kind == "lit" else _field(text, dt))
    return "".join(parts)


def _field_regex(tok: str) -> str:  # noqa: C901
    ch, width = tok[0], len(tok)
    if ch in "yuY":
        return r"\d{2}" if width == 2 else r"[+-]?\d{%d,}" % max(width, 1)
    if ch in "ML" and width >= 3:
        return r"[A-Za-z]{3}" if width == 3 else r"[A-Za-z]+"
    if ch == "E" or (ch in "ec" and width >= 3):
        return r"[A-Za-z]{3}" if width <= 3 else r"[A-Za-z]+"
    if ch == "a":
        return r"(?:AM|PM|am|pm)"
    if ch == "G":
        return r"[A-Za-z]+"
    if ch in "zVv":
        return r"[A-Za-z][A-Za-z0-9_/+\-]*"
    if ch == "O":
        return r"GMT(?:[+-]\d{1,2}(?::\d{2})?)?"
    if ch == "Z":
        return r"(?:[+-]\d{2}:?\d{2}|Z|GMT[+-]\d{2}:\d{2})"
    if ch in "Xx":
        return r"(?:Z|[+-]\d{2}(?::?\d{2})?)"
    if ch == "S":
        return r"\d{%d}" % width
    if ch == "n":
        return r"\d+"
    return r"\d{%d,%d}" % (width, max(width, 2 if ch != "D" else 3))


def java_pattern_regex(pattern: str) -> "re.Pattern[str]":
    """A regex accepting the strings the pattern describes (a shape check, not calendar)."""
    parts = []
    for kind, text in _tokens(pattern):
        parts.append(re.escape(text) if kind == "lit" else _field_regex(text))
    return re.compile("".join(parts))
