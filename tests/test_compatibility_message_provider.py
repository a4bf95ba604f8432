"""The Pact compatibility suite's message provider features, run against our verifier.

V3 and V4 ``message_provider``: each scenario's provider is a real message endpoint in the
official verifiers' HTTP protocol, its pact written by our own writer, verified by
``ProviderVerifier`` (steps: ``tests/compat/steps_message_provider.py`` with the shared
provider steps). With the consumer, HTTP provider and message consumer features this is the
whole suite; the scorecard at the end of the run (tests/compat/plugin.py) counts them all.
"""
from __future__ import annotations

import pathlib
from typing import Any, Dict, List, Tuple

import pytest

from compat import steps_message_provider, steps_provider  # noqa: F401  (register steps)
from compat.cells import ENV_VAR, suite_root
from compat.gherkin import Feature, Scenario, parse_feature
from compat.registry import World, run_step

pytest_plugins = ["compat.plugin"]

FEATURES = ("V3/message_provider", "V4/message_provider")

#: Scenarios we do not run, with the reason: none. (The Kafka schema-registry scenario is
#: tagged @wip upstream; it runs here: the verifier strips the registry's wire header.)
SKIPPED: Dict[Tuple[str, str], str] = {}


def _collect() -> List[Any]:
    root = suite_root()
    if not (root / "features").is_dir():
        return [pytest.param(None, None, id="(suite absent)::every message provider scenario",
                             marks=pytest.mark.skip(
                                 reason=f"Pact compatibility suite not found at {root} (set {ENV_VAR})"))]
    params = []
    for name in FEATURES:
        feature = parse_feature(root / "features" / f"{name}.feature")
        for scenario in feature.scenarios:
            reason = SKIPPED.get((name, scenario.name))
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
