"""Which registered interactions could answer a request: an index by method and path.

Comparing every request with every registered interaction made a request cost grow with
the registrations (0.15 ms with 1, 7.3 ms with 1,000: issue 14). Most interactions name a
literal path, and a request can only match those whose method and path equal its own, so
they are indexed by ``(METHOD, path)``; the few with a path rule (a ``Term``, a v3
``regex`` rule on the path) or an unusual path are kept aside and tried for every
request of their method. Positions in the session's ``expected`` list are stored, in
registration order, so the replay sees candidates in the order it always did.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Tuple

from ..matching.rules import parse_rules
from ..model import Interaction


def _method(interaction: Interaction) -> str:
    return str(interaction.request.get("method", "")).upper()


def _literal_path(interaction: Interaction) -> Any:
    """The path a request must equal, or None when a rule (or an odd value) decides."""
    path = interaction.request.get("path")
    if not isinstance(path, str):
        return None
    try:
        if parse_rules(interaction.request.get("matchingRules")).path is not None:
            return None
    except ValueError:  # validated at registration; never index what we cannot read
        return None
    return path


class CandidateIndex:
    """Positions of interactions by ``(METHOD, literal path)``, plus those with path rules."""

    def __init__(self) -> None:
        self._by_route: Dict[Tuple[str, str], List[int]] = {}
        self._by_method: Dict[str, List[int]] = {}  # path decided by a rule

    def rebuild(self, expected: Iterable[Interaction]) -> None:
        self._by_route = {}
        self._by_method = {}
        for position, interaction in enumerate(expected):
            self.add(position, interaction)

    def add(self, position: int, interaction: Interaction) -> None:
        method, path = _method(interaction), _literal_path(interaction)
        if path is None:
            self._by_method.setdefault(method, []).append(position)
        else:
            self._by_route.setdefault((method, path), []).append(position)

    def candidates(self, method: str, paths: Iterable[str]) -> List[int]:
        """Positions, in registration order, of interactions a request could match."""
        found = list(self._by_method.get(method, ()))
        for path in set(paths):
            found.extend(self._by_route.get((method, path), ()))
        found.sort()
        return found
