"""Users' regexes, compiled and matched with a time bound.

A contract's regex is the user's own code run on input from the application under test.
With the standard ``re`` module one catastrophic pattern (``(a+)+b`` on a long run of
``a``) runs for minutes holding the interpreter lock: every thread of the process waits,
the embedded mock service freezes the whole test run, and a standalone one ignores
SIGTERM. The ``regex`` package matches with a ``timeout`` and, with ``concurrent=True``,
without the interpreter lock, so a slow regex costs its own request at most
:data:`REGEX_TIMEOUT` seconds per match and nobody else anything. Its syntax is ``re``'s
(its version 0 behaviour, the default, is meant to be compatible), with a few additions.

A match that runs out of time raises :class:`RegexTimeout`; the matching engine reports
it as a mismatch naming the regex and the bound (there is no verdict to give), and
registration refuses an example it cannot check in time.
"""
from __future__ import annotations

from typing import Any, Optional

import regex as _regex

__all__ = ["REGEX_TIMEOUT", "RegexTimeout", "compile_user_regex", "user_fullmatch",
           "user_search", "Pattern"]

#: Seconds one match of a user's regex against one value may take.
REGEX_TIMEOUT = 1.0

Pattern = Any  # a compiled ``regex`` pattern (``.pattern``, ``.fullmatch``, ``.search``)


class RegexTimeout(ValueError):
    """A user's regex took longer than :data:`REGEX_TIMEOUT` to match one value."""

    def __init__(self, pattern: str, length: int) -> None:
        super().__init__(f"the regex /{pattern}/ did not finish matching a value of {length} "
                         f"characters within {REGEX_TIMEOUT:g} s (the time bound on one "
                         "regex match): simplify the regex (nested repetition such as "
                         "(a+)+ can take exponential time)")
        self.pattern = pattern

    def __reduce__(self) -> Any:
        return (_rebuild, (self.pattern, str(self)))


def _rebuild(pattern: str, message: str) -> "RegexTimeout":
    error = RegexTimeout.__new__(RegexTimeout)
    ValueError.__init__(error, message)
    error.pattern = pattern
    return error


def compile_user_regex(pattern: str) -> Pattern:
    """Compile a user's regex; ``ValueError`` (with the library's reason) when invalid.

    ``a{4294967296}`` and nesting too deep for the parser are reasons too, not crashes.
    """
    try:
        return _regex.compile(pattern)
    except (_regex.error, OverflowError, RecursionError, MemoryError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None


def _run(method: Any, compiled: Pattern, text: str) -> Optional[Any]:
    try:
        return method(text, timeout=REGEX_TIMEOUT, concurrent=True)
    except TimeoutError:
        raise RegexTimeout(compiled.pattern, len(text)) from None


def user_fullmatch(compiled: Pattern, text: str) -> bool:
    """Whether the whole of ``text`` matches; :class:`RegexTimeout` past the bound."""
    return _run(compiled.fullmatch, compiled, text) is not None


def user_search(compiled: Pattern, text: str) -> bool:
    """Whether ``text`` contains a match (Ruby's ``=~``); :class:`RegexTimeout` past the bound."""
    return _run(compiled.search, compiled, text) is not None
