"""Step definitions registered by regex, and the per-scenario world they share.

A step function takes the :class:`World` and the regex groups; the step's data table is in
``world.table``. Each phrase must match exactly one definition (checked when a step runs),
so an ambiguous or unbound phrase fails the scenario with its text.
"""
from __future__ import annotations

import pathlib
import re
from typing import Any, Callable, Dict, List, Optional, Pattern, Tuple

from .gherkin import Step

_STEPS: List[Tuple[Pattern[str], Callable[..., Any]]] = []

SPEC_OF_FOLDER = {"V1": "1.0.0", "V2": "2.0.0", "V3": "3.0.0", "V4": "4.0.0"}


def step(pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``func`` for step texts that fully match ``pattern``."""
    compiled = re.compile(pattern)

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _STEPS.append((compiled, func))
        return func

    return register


class World:
    """State of one scenario: spec version, a fresh pact dir, what the steps built."""

    def __init__(self, version_folder: str, tmp_dir: pathlib.Path,
                 spec_version: Optional[str] = None) -> None:
        self.folder = version_folder
        self.spec_version = spec_version or SPEC_OF_FOLDER[version_folder]
        self.pact_dir = tmp_dir / "pacts"
        self.tmp_dir = tmp_dir
        self.table: Optional[List[List[str]]] = None
        self.data: Dict[str, Any] = {}
        self._cleanups: List[Callable[[], Any]] = []

    def add_cleanup(self, func: Callable[[], Any]) -> None:
        self._cleanups.append(func)

    def close(self) -> None:
        while self._cleanups:
            self._cleanups.pop()()


class UnboundStep(LookupError):
    pass


def find(text: str) -> Tuple[Callable[..., Any], Tuple[str, ...]]:
    found = [(func, m.groups()) for pattern, func in _STEPS for m in [pattern.fullmatch(text)] if m]
    if not found:
        raise UnboundStep(f"no step definition for {text!r}")
    if len(found) > 1:
        names = ", ".join(f.__name__ for f, _ in found)
        raise UnboundStep(f"ambiguous step {text!r}: {names}")
    return found[0]


def run_step(world: World, item: Step) -> None:
    func, groups = find(item.text)
    world.table = item.table
    func(world, *groups)
