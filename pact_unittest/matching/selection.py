"""Which body rule applies at a path: weighting, cascade, and an index that stays linear.

README v2/v3: each rule path is weighted by the product of its tokens' weights against
the value's path (root 2, equal name or index 2, wildcard 1, anything else 0 = discarded);
the heaviest wins, ties going to the longer path. A rule shorter than the value's path
applies to it by *cascade*.

Naively that is "scan every rule at every node". Instead the rule paths run as a small
automaton: a :class:`State` holds the rules still alive at a node (with their weight so
far); a child's state is derived from its parent's by one token and memoised, and all
array indices (or all keys) that no alive rule names share one child state. Matching a
10 000-element array therefore computes two or three states, not 10 000 rule scans.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from .paths import ANY_INDEX, Token, token_weight

if TYPE_CHECKING:  # pragma: no cover - selection only carries rules, it never reads them
    from .rules import RuleList

_GENERIC_INDEX = object()
_GENERIC_KEY = object()
#: (weight, length, rule, exact) or None
Best = Optional[Tuple[int, int, "RuleList", bool]]


class State:
    """The rule-selection state at one node of a body."""

    __slots__ = ("alive", "inherited", "exact", "rule", "is_exact", "empty",
                 "_names_key", "_names_index", "_children", "_override")

    def __init__(self, alive: Tuple[Tuple[Tuple[Token, ...], RuleList, int, int], ...],
                 inherited: Best, exact: Best) -> None:
        self.alive = alive
        self.inherited = inherited
        self.exact = exact
        best = inherited
        if exact is not None and (best is None or exact[:2] >= best[:2]):
            best = exact
        self.rule: Optional[RuleList] = best[2] if best else None
        self.is_exact = bool(best and best[3])
        self.empty = not alive and best is None
        self._names_key = any(isinstance(t[p], str) for t, _, _, p in alive)
        self._names_index = any(isinstance(t[p], int) for t, _, _, p in alive)
        self._children: Dict[Any, State] = {}
        self._override: Dict[int, State] = {}

    def child(self, token: Any) -> "State":
        """The state of the child reached by ``token`` (a key or an index)."""
        if isinstance(token, int):
            memo = token if self._names_index else _GENERIC_INDEX
        else:
            memo = token if self._names_key else _GENERIC_KEY
        found = self._children.get(memo)
        if found is None:
            found = self._derive(token)
            self._children[memo] = found
        return found

    def _derive(self, token: Any) -> "State":
        inherited = self.inherited
        if self.exact is not None and self.exact[2].cascades:
            if inherited is None or self.exact[:2] >= inherited[:2]:
                inherited = self.exact
        if inherited is not None and inherited[3]:
            inherited = (inherited[0], inherited[1], inherited[2], False)
        alive = []
        exact: Best = None
        for tokens, rule, weight, pos in self.alive:
            factor = token_weight(tokens[pos], token)
            if not factor:
                continue
            weight *= factor
            if pos + 1 == len(tokens):
                cand = (weight, len(tokens), rule, True)
                if exact is None or cand[:2] >= exact[:2]:
                    exact = cand
            else:
                alive.append((tokens, rule, weight, pos + 1))
        return State(tuple(alive), inherited, exact)

    def with_rule(self, rule: RuleList) -> "State":
        """This state with ``rule`` forced as the exact rule here (eachValue etc.)."""
        found = self._override.get(id(rule))
        if found is None:
            found = State(self.alive, self.inherited, (1 << 62, 1 << 16, rule, True))
            self._override[id(rule)] = found
        return found


class BodyRules:
    """The body rules of one contract, compiled into a root :class:`State`."""

    def __init__(self, entries: Sequence[Tuple[Tuple[Token, ...], RuleList]],
                 *, xml: bool = False) -> None:
        self.entries = list(entries)
        alive: List[Tuple[Tuple[Token, ...], RuleList, int, int]] = []
        exact: Best = None
        for tokens, rule in self.entries:
            if xml:
                # XML runtime paths carry no indices: `[*]` in a rule is ignored (§8.4).
                tokens = tuple(t for t in tokens if t is not ANY_INDEX)
            if not tokens:
                cand = (2, 0, rule, True)
                if exact is None or cand[:2] >= exact[:2]:
                    exact = cand
            else:
                alive.append((tokens, rule, 2, 0))
        self.root = State(tuple(alive), None, exact)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def for_xml(self) -> "BodyRules":
        return BodyRules(self.entries, xml=True)
