"""Java ``DateTimeFormatter``-style patterns (``yyyy-MM-dd'T'HH:mm:ss.SSSXXX``): the one place.

Pact's ``date``/``time``/``timestamp`` matchers and ``Date``/``Time``/``DateTime``
generators carry the pattern language of Java's ``DateTimeFormatter`` (the JVM wrote the
first pacts); ``strptime`` cannot read it. Three users need three things from one pattern:

* the v3 matchers and the generators: an example value (:func:`format_java`), formatted
  without the C library's locale (``%a``/``%b`` change with ``LC_TIME``), so an example is
  the same bytes on every machine;
* the v3 matchers: whether a user's example fits (:func:`java_pattern_regex`);
* the matching engine: whether an actual value conforms (:meth:`JavaTimeFormat.check`:
  the regex plus field ranges and a real calendar day).

All three walk the tokens of :func:`tokenize`, so quoting (``'T'``, ``''``, ``'o''clock'``),
optional sections (``[.SSS]``) and the accepted letters are the same everywhere; an
unknown letter raises ValueError, as Java does.
"""
from __future__ import annotations

import datetime
import functools
import re
from typing import Dict, List, Optional, Tuple

__all__ = ["REFERENCE_INSTANT", "JavaTimeFormat", "format_java", "java_pattern_regex",
           "java_time_format", "tokenize"]

#: The instant examples are made from. Fixed, so pact files do not change from day to day
#: (pact-python v2's ``Format()`` used the same date).
REFERENCE_INSTANT = datetime.datetime(2000, 2, 1, 12, 30, 0, tzinfo=datetime.timezone.utc)

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_PERIODS = ["midnight", "noon", "at night", "in the morning", "in the afternoon",
            "in the evening"]
_LETTERS = frozenset("GuyYDMLdQqwWEecFaBhKkHmsSAnNVvzOXxZ")
#: Longest run Java accepts per letter ("Too many pattern letters" beyond it).
_MAX_RUN = {"d": 2, "H": 2, "h": 2, "K": 2, "k": 2, "m": 2, "s": 2, "D": 3, "B": 5,
            "X": 5, "x": 5, "Z": 5, "O": 4, "V": 2}
_OFFSET_COLON = r"[+-]\d{2}:\d{2}"
_OFFSET_ANY = r"[+-]\d{2}:?\d{2}(?::?\d{2})?"

#: A token: ("lit", text), ("field", "yyyy"), ("[", "") or ("]", "").
Token = Tuple[str, str]


def tokenize(pattern: str) -> List[Token]:
    """Split a pattern into literal, field and optional-section tokens (ValueError if bad)."""
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"date/time format must be a non-empty string, got {pattern!r}")
    out: List[Token] = []
    depth = 0
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "'":
            end, text = i + 1, ""
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
            if j - i > _MAX_RUN.get(ch, 9):
                raise ValueError(f"too many pattern letters {pattern[i:j]!r} in date/time "
                                 f"format {pattern!r}")
            out.append(("field", pattern[i:j]))
            i = j
        elif ch == "[":
            depth += 1
            out.append(("[", ""))
            i += 1
        elif ch == "]":
            if depth == 0:
                raise ValueError(f"unbalanced ']' in date/time format {pattern!r}")
            depth -= 1
            out.append(("]", ""))
            i += 1
        elif ch in "#{}":
            raise ValueError(f"reserved character {ch!r} in date/time format {pattern!r}")
        else:
            out.append(("lit", ch))
            i += 1
    if depth:
        raise ValueError(f"unbalanced '[' in date/time format {pattern!r}")
    return out


# --- formatting an example ---------------------------------------------------------------

def _offset(dt: datetime.datetime, colon: bool, short: bool = False) -> str:
    off = dt.utcoffset() or datetime.timedelta(0)
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    if short and mm == 0:
        return f"{sign}{hh:02d}"
    return f"{sign}{hh:02d}:{mm:02d}" if colon else f"{sign}{hh:02d}{mm:02d}"


def _period(hour: int, minute: int) -> str:
    if (hour, minute) == (0, 0):
        return "midnight"
    if (hour, minute) == (12, 0):
        return "noon"
    if 6 <= hour < 12:
        return "in the morning"
    if 12 <= hour < 18:
        return "in the afternoon"
    return "in the evening" if 18 <= hour < 21 else "at night"


def _number(dt: datetime.datetime, ch: str) -> int:
    """The numeric value of a field letter that has no special text form."""
    midnight = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    of_day_us = (dt - midnight) // datetime.timedelta(microseconds=1)
    return {
        "d": dt.day, "D": dt.timetuple().tm_yday, "H": dt.hour, "k": dt.hour or 24,
        "K": dt.hour % 12, "h": dt.hour % 12 or 12, "m": dt.minute, "s": dt.second,
        "n": dt.microsecond * 1000, "A": of_day_us // 1000, "N": of_day_us * 1000,
        "Q": (dt.month - 1) // 3 + 1, "q": (dt.month - 1) // 3 + 1,
        "w": dt.isocalendar()[1], "W": (dt.day - 1) // 7 + 1, "F": (dt.day - 1) // 7 + 1,
        "e": dt.isoweekday() % 7 + 1, "c": dt.isoweekday() % 7 + 1,
    }[ch]


def _format_field(tok: str, dt: datetime.datetime) -> str:  # noqa: C901 (one branch per letter)
    ch, width = tok[0], len(tok)
    if ch == "G":
        return "AD"
    if ch in "yuY":
        year = dt.isocalendar()[0] if ch == "Y" else dt.year
        return f"{year % 100:02d}" if width == 2 else str(year).zfill(width)
    if ch in "ML":
        if width >= 3:
            return _MONTHS[dt.month - 1] if width >= 4 else _MONTHS[dt.month - 1][:3]
        return str(dt.month).zfill(width)
    if ch == "E" or (ch in "ec" and width >= 3):
        name = _DAYS[dt.weekday()]
        return name if width >= 4 else name[:3]
    if ch in "Qq" and width >= 3:
        quarter = _number(dt, "Q")
        return f"Q{quarter}" if width == 3 else f"{quarter}{_ordinal(quarter)} quarter"
    if ch == "a":
        return "AM" if dt.hour < 12 else "PM"
    if ch == "B":
        return _period(dt.hour, dt.minute)
    if ch == "S":
        return f"{dt.microsecond:06d}000"[:width].ljust(width, "0")
    if ch in "zVv":
        return "UTC"
    if ch == "O":
        return "GMT"
    if ch == "Z":
        return _offset(dt, colon=width >= 5) if width != 4 else "GMT" + _offset(dt, True)
    if ch in "Xx":
        if ch == "X" and not dt.utcoffset():
            return "Z"
        return _offset(dt, colon=width in (3, 5), short=width == 1)
    return str(_number(dt, ch)).zfill(width)


def _ordinal(number: int) -> str:
    return {1: "st", 2: "nd", 3: "rd"}.get(number, "th")


def format_java(pattern: str, dt: datetime.datetime = REFERENCE_INSTANT) -> str:
    """Format ``dt`` with a Java-style pattern, locale-free (English names).

    Optional sections are printed, as Java prints them when the value has the fields.
    """
    parts = []
    for kind, text in tokenize(pattern):
        if kind == "lit":
            parts.append(text)
        elif kind == "field":
            parts.append(_format_field(text, dt))
    return "".join(parts)


# --- the regex, and checking a value -----------------------------------------------------

def _alternatives(names: List[str]) -> str:
    return "(?:" + "|".join(names) + ")"


def _field_regex(letter: str, count: int) -> Tuple[str, Optional[str]]:  # noqa: C901
    """Regex and (for range checks) field name of ``count`` pattern letters ``letter``."""
    digits = (r"\d{%d}" % count) if count > 1 else r"\d{1,2}"
    if letter in "yuY":
        if count == 2:
            return r"\d{2}", "year2" if letter != "Y" else None
        year = r"[+-]?\d{4,9}" if count >= 4 else r"[+-]?\d{%d,9}" % count
        return year, "year" if letter != "Y" else None
    if letter in "ML":
        if count >= 4:
            return _alternatives(_MONTHS), "monthname"
        if count == 3:
            return _alternatives([m[:3] for m in _MONTHS]), "monthname"
        return digits, "month"
    simple = {"d": "day", "H": "hour", "k": "hour24", "h": "hour12", "K": "hour11",
              "m": "minute", "s": "second"}
    if letter in simple:
        return digits, simple[letter]
    if letter == "D":
        return (r"\d{%d,3}" % count), "dayofyear"
    if letter == "S":
        return (r"\d{%d}" % count), None
    if letter in "nN":
        return r"\d{%d,18}" % count, None
    if letter == "A":
        return r"\d{%d,8}" % count, None
    if letter == "a":
        return "(?:AM|PM|am|pm)", None
    if letter == "B":
        return _alternatives(_PERIODS), None
    if letter == "E" or (letter in "ec" and count >= 3):
        return _alternatives(_DAYS if count >= 4 else [d[:3] for d in _DAYS]), None
    if letter in "Qq" and count >= 3:
        return (r"Q[1-4]" if count == 3 else r"[1-4](?:st|nd|rd|th) quarter"), None
    if letter in "ecwWFQq":
        return (r"\d{1,2}" if count == 1 else r"\d{%d}" % count), None
    if letter == "G":
        return "(?:AD|BC|Anno Domini|Before Christ)", None
    if letter in "Xx":
        body = {1: r"[+-]\d{2}(?:\d{2})?", 2: r"[+-]\d{4}", 3: _OFFSET_COLON}.get(
            count, _OFFSET_ANY)
        return (f"(?:Z|{body})" if letter == "X" else body), None
    if letter == "Z":
        if count <= 3:
            return r"[+-]\d{4}", None
        if count == 4:
            return r"(?:GMT|UTC)?(?:[+-]\d{1,2}(?::\d{2})?)?", None
        return f"(?:Z|{_OFFSET_COLON})", None
    if letter in "zvV":
        return r"[A-Za-z][A-Za-z0-9_/+\-]*(?:[+-]\d{1,2}(?::\d{2})?)?", None
    # "O": localized offset
    return r"GMT(?:[+-]\d{1,2}(?::\d{2})?)?", None


_RANGES = {"month": (1, 12), "day": (1, 31), "dayofyear": (1, 366), "hour": (0, 23),
           "hour24": (1, 24), "hour12": (1, 12), "hour11": (0, 11), "minute": (0, 59),
           "second": (0, 59)}
_MONTH_ABBR = [m[:3] for m in _MONTHS]


class JavaTimeFormat:
    """A compiled pattern: :attr:`regex` (anchored) and :meth:`check` (with field ranges)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._groups: Dict[str, str] = {}
        parts: List[str] = []
        for kind, text in tokenize(pattern):
            if kind == "lit":
                parts.append(re.escape(text))
            elif kind == "[":
                parts.append("(?:")
            elif kind == "]":
                parts.append(")?")
            else:
                regex, name = _field_regex(text[0], len(text))
                if name and name not in self._groups:
                    group = f"g{len(self._groups)}"
                    self._groups[name] = group
                    regex = f"(?P<{group}>{regex})"
                parts.append(regex)
        self.regex: "re.Pattern[str]" = re.compile("(?:" + "".join(parts) + r")\Z")

    def check(self, text: str) -> bool:
        """True when ``text`` is a valid value of this pattern (fields range-checked)."""
        found = self.regex.match(text)
        if not found:
            return False
        values = {name: found.group(group) for name, group in self._groups.items()
                  if found.group(group) is not None}
        return _valid(values)

    def __repr__(self) -> str:
        return f"JavaTimeFormat({self.pattern!r})"


def _valid(values: Dict[str, str]) -> bool:
    numbers: Dict[str, int] = {}
    for name, raw in values.items():
        if name == "monthname":
            numbers["month"] = _MONTH_ABBR.index(raw[:3]) + 1
            continue
        numbers[name] = int(raw)
        low_high = _RANGES.get(name)
        if low_high and not low_high[0] <= numbers[name] <= low_high[1]:
            return False
    if "day" in numbers and "month" in numbers:
        year = numbers.get("year", numbers.get("year2", 2000))
        try:
            datetime.date(year if 1 <= year <= 9999 else 2000, numbers["month"], numbers["day"])
        except ValueError:
            return False
    return True


_compiled = functools.lru_cache(maxsize=512)(JavaTimeFormat)


def java_time_format(pattern: str) -> JavaTimeFormat:
    """The compiled :class:`JavaTimeFormat` of ``pattern`` (cached; ValueError if bad)."""
    if not isinstance(pattern, str):
        raise ValueError(f"date/time format must be a non-empty string, got {pattern!r}")
    try:
        return _compiled(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"invalid date/time format {pattern!r}: {exc}") from None


def java_pattern_regex(pattern: str) -> "re.Pattern[str]":
    """An anchored regex of the strings the pattern describes (a shape check)."""
    return java_time_format(pattern).regex
