"""The Pact compatibility suite's message consumer features, run against pact_unittest.

V3 and V4 ``message_consumer``, V4 ``synchronous_message_consumer`` and ``v4`` (HTTP and
message interactions in one file): one test per scenario, read by the Gherkin reader in
``tests/compat``; the step definitions (``tests/compat/steps_message.py``) make each
scenario's consumer test a real PactTestCase with ``@message``. The scorecard at the end of
the run (tests/compat/plugin.py) counts these features beside the HTTP ones.
"""
from __future__ import annotations

import pathlib
from typing import Any, Dict, List, Tuple

import pytest

from compat import steps_consumer, steps_message  # noqa: F401  (register steps)
from compat.cells import ENV_VAR, suite_root
from compat.gherkin import Feature, Scenario, parse_feature
from compat.registry import World, run_step

pytest_plugins = ["compat.plugin"]

FEATURES = ("V3/message_consumer", "V4/message_consumer", "V4/synchronous_message_consumer", "V4/v4")

#: Scenarios we do not run, with the reason: none.
SKIPPED: Dict[Tuple[str, str], str] = {}


def _collect() -> List[Any]:
    root = suite_root()
    if not (root / "features").is_dir():
        return [pytest.param(None, None, id="(suite absent)::every message scenario", marks=pytest.mark.skip(
            reason=f"Pact compatibility suite not found at {root} (set {ENV_VAR})"))]
    params = []
    for name in FEATURES:
        feature = parse_feature(root / "features" / f"{name}.feature")
        for scenario in feature.scenarios:
            reason = SKIPPED.get((name, scenario.name))
            if reason is None and "wip" in scenario.tags + feature.tags:
                reason = "tagged @wip upstream"
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            params.append(pytest.param(feature, scenario, id=f"{name}::{scenario.name}", marks=marks))
    return params


@pytest.mark.parametrize("feature,scenario", _collect())
def test_scenario(feature: Feature, scenario: Scenario, tmp_path: pathlib.Path) -> None:
    world = World(feature.path.parent.name, tmp_path)
    try:
        for item in feature.background + scenario.steps:
            run_step(world, item)
    finally:
        world.close()
