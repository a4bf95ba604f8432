"""The state of one mock service: what was registered, what arrived, what was verified.

One :class:`Session` serves the embedded API and the HTTP admin API alike, so both behave
the same. It follows Ruby's table (ruby-mock-service.md §6):

============================  ==========  =======  ========
operation                     expected    actual   verified
============================  ==========  =======  ========
set_interactions (PUT)        replaced    cleared  kept
add_interaction (POST)        appended    kept     kept
clear_interactions (DELETE)   cleared     cleared  kept
clear_session                 cleared     cleared  cleared
a matched request             -           +match   +first time
============================  ==========  =======  ========

and Ruby's clash rule (an interaction may not reuse the description and provider state of a
*verified* one with different content), except that a PUT is all-or-nothing: every item is
parsed and checked before anything changes, so a bad item never leaves half a list behind.
All state sits behind one lock: the service answers requests on many threads.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from ..model import Interaction, normalize_spec_version, spec_family
from ._index import CandidateIndex
from ..model.verification import (
    CandidateDiff,
    MismatchedRequest,
    MissingInteraction,
    RequestSummary,
    UnexpectedRequest,
    Verification,
)

_FIELDS = (
    ("request", "path", "request path"),
    ("request", "query", "request query"),
    ("request", "headers", "request headers"),
    ("request", "body", "request body"),
    ("response", "status", "response status"),
    ("response", "headers", "response headers"),
    ("response", "body", "response body"),
)


class InteractionClashError(ValueError, AssertionError):
    """A new interaction reuses the key of a verified one with different content (Ruby §6).

    A ``ValueError`` (the input is refused, like any invalid interaction) and an
    ``AssertionError``: the contract is broken by the test itself, and pact-python v2 raised
    an ``AssertionError`` with this text (Ruby's 500 answer to the PUT), so a v2 suite's
    test FAILs on it rather than ERRORs, with the embedded service as over HTTP.
    """


def _ruby_inspect(value: Optional[str]) -> str:
    return "nil" if value is None else json.dumps(value, ensure_ascii=False)


def _rule_field(section: str, rules: Any) -> Dict[str, Any]:
    """Split matching rules by the field they govern, so a changed rule names that field."""
    out: Dict[str, Any] = {}
    if not isinstance(rules, dict):
        return out
    for key, value in rules.items():
        if key.startswith("$."):  # v2 flat rules: $.body.a, $.headers.X, $.query.x, $.path
            name = key[2:].split(".", 1)[0].split("[", 1)[0]
        else:  # v3 categories
            name = key
        name = "headers" if name in ("header", "headers") else name
        out.setdefault(name, {})[key] = value
    return out


def clash_fields(old: Interaction, new: Interaction) -> List[str]:
    """Which of Ruby's seven fields differ between two same-key interactions."""
    names = []
    for section, key, label in _FIELDS:
        a, b = getattr(old, section), getattr(new, section)
        same = a.get(key) == b.get(key) and (key in a) == (key in b)
        rules_a = _rule_field(section, a.get("matchingRules")).get(key)
        rules_b = _rule_field(section, b.get("matchingRules")).get(key)
        if not same or rules_a != rules_b:
            names.append(label)
    return names


def clash_message(old: Interaction, new: Interaction) -> str:
    """Ruby's text for the clash, word for word (§4.3)."""
    fields = clash_fields(old, new) or ["content"]
    text = ", ".join(fields)
    head, sep, tail = text.rpartition(",")
    listing = head + " and" + tail if sep else text
    return (f"An interaction with same description ({_ruby_inspect(new.description)}) and provider "
            f"state ({_ruby_inspect(new.provider_state)}) but a different {listing} has already "
            "been used. Please use a different description or provider state, or remove any "
            "random data in the interaction.")


def query_text(query: Any) -> str:
    """An expected query for display: the v2 string as is, a v3 map encoded ``k=v&k=v2``."""
    if query is None:
        return ""
    if isinstance(query, str):
        return query
    from urllib.parse import quote_plus

    parts = []
    for key, values in query.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(quote_plus(str(key)) + ("" if value is None else "=" + quote_plus(str(value))))
    return "&".join(parts)


def _validate(interaction: Interaction) -> None:
    """Reject at registration what would fail at request time (Ruby crashes then: §14.10)."""
    from ..matching import validate_rules

    for part in (interaction.request, interaction.response):
        if part.get("matchingRules"):
            validate_rules(part["matchingRules"])
    if interaction.response.get("generators") and spec_family(interaction.spec_version) == 3:
        from ..matchers.generators import apply_generators

        try:  # once now, so that a generator that cannot run is a 400, not a 500 later
            apply_generators(interaction.response, mode="consumer",
                             context={"mockServer": {"href": "http://127.0.0.1:0", "port": 0}})
        except ValueError as exc:
            raise ValueError(f"response generators: {exc}") from None
    status = interaction.response.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"the response status must be a whole number from 100 to 599, not {status!r}")
    for name, value in (interaction.response.get("headers") or {}).items():
        _check_header_name(name)
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str):
                raise ValueError(f"response header {name!r} must be a string, not {item!r}")
            bad = _HEADER_VALUE_BAD.search(item)
            if bad:
                raise ValueError(f"response header {name!r} has the control character "
                                 f"{bad.group()!r} in its value {item!r}: a CR or other "
                                 "control character would break the answer's framing (a "
                                 "newline stands for repeated header lines)")


#: RFC 9110 token characters: a header name is one token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
#: Control characters other than tab and LF (LF splits a value into repeated headers).
_HEADER_VALUE_BAD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _check_header_name(name: str) -> None:
    if not _TOKEN.match(name):
        raise ValueError(f"response header name {name!r} is not an HTTP token (letters, "
                         "digits and !#$%&'*+-.^_`|~ only: no spaces, colons or control "
                         "characters)")


def _label(item: Any, index: Optional[int]) -> str:
    """``interaction 'x'``, or ``interactions[1] ('x')`` for the second of several."""
    name = item.get("description") if isinstance(item, dict) else None
    if index is None:
        return f"interaction {name!r}" if isinstance(name, str) and name else "interaction"
    label = f"interactions[{index}]"
    return label + (f" ({name!r})" if isinstance(name, str) and name else "")


def _missing(interaction: Interaction) -> MissingInteraction:
    req = interaction.request
    return MissingInteraction(interaction.description, interaction.provider_state,
                              str(req.get("method", "")).upper(), str(req.get("path", "")),
                              query_text(req.get("query")))


class Session:
    """Registered interactions, received requests and verified interactions, thread-safe."""

    def __init__(self, spec_version: str = "2.0.0", *, logger: Optional[logging.Logger] = None):
        self.spec_version = normalize_spec_version(spec_version)
        self.log = logger or logging.getLogger("pact_unittest.mock_service")
        self.lock = threading.RLock()
        self.expected: List[Interaction] = []
        # Positions in ``expected`` that a request matched. Positions, not the objects or
        # their id(): the same Interaction may be registered twice, and each registration
        # wants a request of its own. ``expected`` only grows at its end or is replaced
        # whole (clearing this too), so a position names one registration.
        self.matched_positions: Set[int] = set()
        self.mismatched: List[MismatchedRequest] = []
        self.unexpected: List[UnexpectedRequest] = []
        self.verified: Dict[Tuple[str, str], Interaction] = {}
        self.pact_written = False
        #: Candidates by method and path (issue 14: a request's cost must not grow with
        #: the number of registered interactions).
        self.index = CandidateIndex()
        #: Counts replacements of ``expected`` (not appends, which keep positions valid):
        #: replay matches outside the lock and records only if this did not change.
        self.generation = 0

    # ---------------------------------------------------------------- registering

    def reinit_lock_after_fork(self) -> None:
        """In a forked child: a fresh lock, since a thread of the parent (the server's)
        may have held this one at the fork, and no thread of the child would release it."""
        self.lock = threading.RLock()

    def parse(self, item: Any, index: Optional[int] = None) -> Interaction:
        """One interaction from any wire form (or an Interaction), ValueError if malformed.

        The message names the interaction once, by its description, and by its ``index``
        when it came in a list of several: ``interactions[1] ('x'): request is missing``.
        """
        if isinstance(item, Interaction):
            return item
        from ..model import parse_interaction

        try:
            if not isinstance(item, dict):
                raise ValueError(f"must be a JSON object, not {type(item).__name__}")
            interaction = parse_interaction(item, self.spec_version)
            _validate(interaction)
            return interaction
        except ValueError as exc:
            raise ValueError(f"{_label(item, index)}: {exc}") from None
        except (TypeError, KeyError, AttributeError, IndexError, re.error, RecursionError) as exc:
            raise ValueError(f"{_label(item, index)}: malformed ({type(exc).__name__}: "
                             f"{exc})") from None

    def parse_all(self, items: Iterable[Any]) -> List[Interaction]:
        """Every item parsed (see :meth:`parse`), numbered in messages only when several."""
        items = list(items)
        several = len(items) > 1
        return [self.parse(item, index if several else None) for index, item in enumerate(items)]

    def _check_clashes(self, new: Iterable[Interaction]) -> None:
        for interaction in new:
            old = self.verified.get(interaction.key())
            if old is not None and old.content() != interaction.content():
                raise InteractionClashError(clash_message(old, interaction))

    def set_interactions(self, items: Iterable[Any]) -> List[Interaction]:
        """Replace the expected interactions and clear the received requests, all or nothing."""
        parsed = self.parse_all(items)
        with self.lock:
            self._check_clashes(parsed)
            self._replace_expected(parsed)
            self._clear_actual()
        if self.log.isEnabledFor(logging.INFO):  # labels cost more than the rest of a PUT
            self.log.info("Registered %d interaction(s): %s", len(parsed),
                          ", ".join(i.label() for i in parsed))
        return parsed

    def add_interaction(self, item: Any) -> Interaction:
        """Append one expected interaction; nothing is cleared."""
        interaction = self.parse(item)
        with self.lock:
            self._check_clashes([interaction])
            self.index.add(len(self.expected), interaction)
            self.expected.append(interaction)
        if self.log.isEnabledFor(logging.INFO):
            self.log.info("Registered interaction %s", interaction.label())
        return interaction

    def _replace_expected(self, expected: List[Interaction]) -> None:
        self.expected = expected
        self.index.rebuild(expected)
        self.generation += 1

    def _clear_actual(self) -> None:
        self.matched_positions = set()
        self.mismatched = []
        self.unexpected = []

    def clear_interactions(self) -> None:
        with self.lock:
            self._replace_expected([])
            self._clear_actual()
        self.log.info("Cleared interactions")

    def clear_session(self) -> None:
        with self.lock:
            self._replace_expected([])
            self._clear_actual()
            self.verified = {}
            self.pact_written = False
        self.log.info("Cleared session")

    # ---------------------------------------------------------------- recording requests

    def candidates(self, method: str, paths: Iterable[str]) -> Tuple[int, List[Tuple[int, Interaction]]]:
        """The :attr:`generation` and the ``(position, interaction)`` pairs a request of
        ``method`` to one of ``paths`` could match (index look-ups only: no user regex
        runs under the lock)."""
        with self.lock:
            expected = self.expected
            return self.generation, [(n, expected[n]) for n in self.index.candidates(method, paths)]

    def record_match(self, position: int) -> None:
        """A request matched the interaction at ``position`` in :attr:`expected`.

        Call it holding :attr:`lock`, having checked that :attr:`generation` is the one
        the position was read in (as replay does), so it still names the same registration.
        """
        with self.lock:
            interaction = self.expected[position]
            self.matched_positions.add(position)
            self.verified.setdefault(interaction.key(), interaction)

    def record_mismatch(self, request: RequestSummary, candidates: Iterable[CandidateDiff]) -> None:
        with self.lock:
            self.mismatched.append(MismatchedRequest(request, tuple(candidates)))

    def record_unexpected(self, request: RequestSummary, closest: Optional[CandidateDiff]) -> None:
        with self.lock:
            self.unexpected.append(UnexpectedRequest(request, closest))

    # ---------------------------------------------------------------- reading

    def missing_interactions(self) -> List[Interaction]:
        """Expected interactions no request matched (mismatch candidates included: §14.9)."""
        with self.lock:
            return [i for n, i in enumerate(self.expected) if n not in self.matched_positions]

    def verified_interactions(self) -> List[Interaction]:
        with self.lock:
            return list(self.verified.values())

    def verification(self) -> Verification:
        with self.lock:
            return Verification(
                missing=tuple(_missing(i) for n, i in enumerate(self.expected)
                              if n not in self.matched_positions),
                unexpected=tuple(self.unexpected),
                mismatched=tuple(self.mismatched),
            )

    def snapshot_expected(self) -> List[Interaction]:
        with self.lock:
            return list(self.expected)

    def mark_written(self) -> None:
        with self.lock:
            self.pact_written = True

    def should_write_on_shutdown(self) -> bool:
        """Ruby §1: something verified and no POST /pact since the last session clear."""
        with self.lock:
            return bool(self.verified) and not self.pact_written
