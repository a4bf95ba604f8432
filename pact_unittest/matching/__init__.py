"""The Pact matching engine: pure functions, no I/O.

Does an actual request, response or message satisfy the expected one of a contract under
the rules of a Pact specification version (1.0.0 to 4.0.0)? The answer is a list of
:class:`Mismatch` objects, empty when everything matches::

    from pact_unittest.matching import match_request
    problems = match_request(expected, actual, spec_version="3.0.0")
    for mismatch in problems:
        print(mismatch.message)   # "$.items[0].id: expected 1 (integer) but got '1' (string)"

Semantics follow the official specification cases (all 803 pass) as summarised in
``pact-spec/SEMANTICS.md``. Regexes match the whole value in every version;
``partial_regex=True`` gives the Ruby mock service's ``re.search`` behaviour as a
migration aid. For spec 1.x/2.x an integer and a float of equal value are equal (``1 ==
1.0``, as in the Ruby differ); from spec 3 on JSON equality keeps them apart. A malformed contract raises ``ValueError``; nothing else is raised.
"""
from __future__ import annotations

from .engine import match_message, match_request, match_response
from .mismatch import KINDS, Mismatch
from .rules import parse_rules


def validate_rules(matching_rules: object) -> None:
    """Raise ValueError if a ``matchingRules`` object (v2 flat or v3 nested) is malformed."""
    parse_rules(matching_rules)


__all__ = ["KINDS", "Mismatch", "match_message", "match_request", "match_response",
           "validate_rules"]
