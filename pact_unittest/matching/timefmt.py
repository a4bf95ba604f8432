"""Java-style date/time patterns (``yyyy-MM-dd'T'HH:mm:ss.SSSXXX``) turned into checkers.

Pact contracts carry the format strings of Java's ``DateTimeFormatter`` /
``SimpleDateFormat`` (the JVM wrote the first pacts). ``strptime`` cannot read them, so a
pattern is translated once into an anchored regex with one named group per field, and a
match is then validated (month 1-12, a real calendar day, hour 0-23, ...). Quoted
literals (``'T'``, ``''``) and optional sections (``[.SSS]``) are supported; an unknown
pattern letter raises ValueError, as Java does.
"""
from __future__ import annotations

import datetime
import re
from typing import Any, Dict, List, Optional, Tuple

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|"
           "November|December")
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_OFFSET_COLON = r"[+-]\d{2}:\d{2}"


def _field(letter: str, count: int) -> Tuple[str, Optional[str]]:
    """Regex and field name for a run of ``count`` pattern letters ``letter``."""
    digits = (r"\d{%d}" % count) if count > 1 else r"\d{1,2}"
    if letter in "yu":
        if count == 2:
            return r"\d{2}", "year2"
        return (r"[+-]?\d{4,9}" if count >= 4 else r"[+-]?\d{1,9}"), "year"
    if letter in "ML":
        if count >= 4:
            return f"(?:{_MONTHS})", "monthname"
        if count == 3:
            return "(?:" + "|".join(m[:3] for m in _MONTHS.split("|")) + ")", "monthname"
        return digits, "month"
    if letter == "d":
        return digits, "day"
    if letter == "D":
        return (r"\d{%d,3}" % count), "dayofyear"
    if letter in "Hk":
        return digits, "hour" if letter == "H" else "hour24"
    if letter in "hK":
        return digits, "hour12" if letter == "h" else "hour11"
    if letter == "m":
        return digits, "minute"
    if letter == "s":
        return digits, "second"
    if letter == "S":
        return (r"\d{%d}" % count), None
    if letter in "nN":
        return r"\d{1,18}", None
    if letter == "A":
        return r"\d{1,8}", None
    if letter == "a":
        return "(?:AM|PM|am|pm)", None
    if letter in "Ee":
        if count >= 4:
            return f"(?:{_DAYS})", None
        if count == 3 or letter == "E":
            return "(?:" + "|".join(d[:3] for d in _DAYS.split("|")) + ")", None
        return r"\d", None
    if letter == "c":
        return r"\d", None
    if letter == "G":
        return "(?:AD|BC|Anno Domini|Before Christ)", None
    if letter in "wWFQq":
        return (r"\d{1,2}" if count == 1 else r"\d{%d}" % count), None
    if letter == "X":
        body = {1: r"[+-]\d{2}(?:\d{2})?", 2: r"[+-]\d{4}", 3: _OFFSET_COLON}.get(
            count, r"[+-]\d{2}:?\d{2}(?::?\d{2})?")
        return f"(?:Z|{body})", None
    if letter == "x":
        return {1: r"[+-]\d{2}(?:\d{2})?", 2: r"[+-]\d{4}", 3: _OFFSET_COLON}.get(
            count, r"[+-]\d{2}:?\d{2}(?::?\d{2})?"), None
    if letter == "Z":
        if count <= 3:
            return r"[+-]\d{4}", None
        if count == 4:
            return r"(?:GMT|UTC)?(?:[+-]\d{1,2}(?::\d{2})?)?", None
        return f"(?:Z|{_OFFSET_COLON})", None
    if letter in "zvV":
        return r"[A-Za-z][A-Za-z0-9_/+\-]*(?:[+-]\d{1,2}(?::\d{2})?)?", None
    if letter == "O":
        return r"GMT(?:[+-]\d{1,2}(?::\d{2})?)?", None
    raise ValueError(f"unknown date/time pattern letter {letter!r}")


class TimeFormat:
    """A compiled Java-style pattern: :meth:`check` says whether a string conforms."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._fields: Dict[str, str] = {}
        self.regex = re.compile("(?:" + self._translate(pattern) + r")\Z")

    def _translate(self, pattern: str) -> str:
        out: List[str] = []
        depth = 0
        i, n = 0, len(pattern)
        while i < n:
            ch = pattern[i]
            if ch == "'":
                end = pattern.find("'", i + 1)
                if end == i + 1:
                    out.append("'")
                    i += 2
                    continue
                if end < 0:
                    raise ValueError(f"unterminated quote in date/time pattern {pattern!r}")
                out.append(re.escape(pattern[i + 1:end].replace("''", "'")))
                i = end + 1
            elif ch == "[":
                depth += 1
                out.append("(?:")
                i += 1
            elif ch == "]":
                if depth == 0:
                    raise ValueError(f"unbalanced ']' in date/time pattern {pattern!r}")
                depth -= 1
                out.append(")?")
                i += 1
            elif ch.isascii() and ch.isalpha():
                j = i
                while j < n and pattern[j] == ch:
                    j += 1
                regex, name = _field(ch, j - i)
                if name and name not in self._fields:
                    group = f"g{len(self._fields)}"
                    self._fields[name] = group
                    regex = f"(?P<{group}>{regex})"
                out.append(regex)
                i = j
            else:
                out.append(re.escape(ch))
                i += 1
        if depth:
            raise ValueError(f"unbalanced '[' in date/time pattern {pattern!r}")
        return "".join(out)

    def check(self, text: str) -> bool:
        """True when ``text`` is a valid value of this pattern (fields range-checked)."""
        m = self.regex.match(text)
        if not m:
            return False
        values = {}
        for name, group in self._fields.items():
            raw = m.group(group)
            if raw is not None:
                values[name] = raw
        return _valid(values)


_RANGES = {"month": (1, 12), "day": (1, 31), "dayofyear": (1, 366), "hour": (0, 23),
           "hour24": (1, 24), "hour12": (1, 12), "hour11": (0, 11), "minute": (0, 59),
           "second": (0, 59)}


def _valid(values: Dict[str, str]) -> bool:
    numbers: Dict[str, int] = {}
    for name, raw in values.items():
        if name == "monthname":
            numbers["month"] = [m[:3] for m in _MONTHS.split("|")].index(raw[:3]) + 1
            continue
        numbers[name] = int(raw)
        low_high = _RANGES.get(name)
        if low_high and not low_high[0] <= numbers[name] <= low_high[1]:
            return False
    if "day" in numbers and "month" in numbers:
        year = numbers.get("year", numbers.get("year2", 2000))
        try:
            datetime.date(year if 1 <= year <= 9999 else 2000, numbers["month"],
                          numbers["day"])
        except ValueError:
            return False
    return True


_DEFAULTS = {
    "timestamp": "yyyy-MM-dd'T'HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS][.S][XXX][X]",
    "date": "yyyy-MM-dd",
    "time": "HH:mm[:ss][.SSSSSSSSS][.SSSSSS][.SSS][.S][XXX][X]",
}
_CACHE: Dict[Tuple[str, str], TimeFormat] = {}


def compile_format(pattern: Any, kind: str, where: str) -> TimeFormat:
    """The :class:`TimeFormat` for a matcher's pattern (ISO defaults when absent)."""
    if pattern is None:
        pattern = _DEFAULTS[kind]
    if not isinstance(pattern, str):
        raise ValueError(f"{where}: {kind} format must be a string, got {pattern!r}")
    key = (kind, pattern)
    found = _CACHE.get(key)
    if found is None:
        try:
            found = TimeFormat(pattern)
        except ValueError as exc:
            raise ValueError(f"{where}: invalid {kind} format {pattern!r}: {exc}") from None
        except (re.error, RecursionError, OverflowError) as exc:
            raise ValueError(f"{where}: invalid {kind} format {pattern!r}: {exc}") from None
        if len(_CACHE) < 512:
            _CACHE[key] = found
    return found
