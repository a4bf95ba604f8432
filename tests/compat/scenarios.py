"""One pytest param per scenario of some feature files, and the run of one scenario: what
the compatibility test modules share (each registers its own step modules first)."""
from __future__ import annotations

import pathlib
from typing import Any, Dict, List, Sequence, Tuple

import pytest

from .cells import ENV_VAR, suite_root
from .gherkin import Feature, Scenario, parse_feature
from .registry import World, run_step


def collect(features: Sequence[str], skipped: Dict[Tuple[str, str], str], what: str) -> List[Any]:
    """``pytest.param(feature, scenario)`` for every scenario, ``skipped`` ones marked with
    their reason; one skipped param when the suite is absent."""
    root = suite_root()
    if not (root / "features").is_dir():
        return [pytest.param(None, None, id=f"(suite absent)::every {what} scenario",
                             marks=pytest.mark.skip(
                                 reason=f"Pact compatibility suite not found at {root} (set {ENV_VAR})"))]
    params = []
    for name in features:
        feature = parse_feature(root / "features" / f"{name}.feature")
        for scenario in feature.scenarios:
            reason = skipped.get((name, scenario.name))
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            params.append(pytest.param(feature, scenario, id=f"{name}::{scenario.name}", marks=marks))
    return params


def run(feature: Feature, scenario: Scenario, tmp_path: pathlib.Path) -> None:
    """Run the feature's background and the scenario's steps in a fresh world."""
    world = World(feature.path.parent.name, tmp_path)
    try:
        for item in feature.background + scenario.steps:
            run_step(world, item)
    finally:
        world.close()
