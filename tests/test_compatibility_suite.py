"""The Pact Foundation's compatibility suite, run against pact_unittest.

One test per scenario of the in-scope features (README of the suite, "Scope for this
project"): the four ``http_consumer`` features, the matching-rule features, the generator
features and the four ``http_provider`` features (our ProviderVerifier against a real
provider, and, for the broker scenarios, a broker stub; tests/compat/steps_provider.py and
steps_broker.py). The features are read from ``../shared/pact-compatibility-suite`` (or
``$PACT_UNITTEST_COMPAT_SUITE``) by the small Gherkin reader in ``tests/compat``; the step
definitions there bind each phrase to our mock service, wire parser, pact writer, matching
engine and generators. Where a step quotes a Rust mismatch text, it checks the mismatch kind
and the facts the text names instead (see tests/compat/facts.py).

The end of the run prints the scenarios passed per feature file and every skipped one with
its reason (tests/compat/plugin.py, registered by tests/conftest.py).
"""
from __future__ import annotations

import pathlib
from typing import Any, Dict, List, Tuple

import pytest

from compat import (steps_broker, steps_consumer, steps_generators, steps_matching,  # noqa: F401
                    steps_provider)  # (register steps)
from compat.cells import ENV_VAR, suite_root
from compat.gherkin import Feature, Scenario, parse_feature
from compat.registry import World, run_step

FEATURES = (
    "V1/http_consumer", "V2/http_consumer", "V3/http_consumer", "V4/http_consumer",
    "V3/http_matching", "V3/matching_rules", "V4/matching_rules",
    "V3/generators", "V3/http_generators", "V4/generators",
    "V1/http_provider", "V2/http_provider", "V3/http_provider", "V4/http_provider",
)

#: The consumer features run a second time with the mock driven over its HTTP admin API
#: (PUT /interactions, GET /interactions/verification, POST /pact), as the standalone
#: service is used from other languages.
ADMIN_API_FEATURES = ("V1/http_consumer", "V2/http_consumer", "V3/http_consumer", "V4/http_consumer")

#: Scenarios we do not run, with the reason (none: the two "Provider" generator-mode
#: scenarios run through apply_generators(mode="provider"), the provider features through
#: ProviderVerifier).
#: (Binary request bodies run over the admin API too, for every spec version, as v4 base64
#: body objects: wire.parse_interaction reads them.)
SKIPPED: Dict[Tuple[str, str], str] = {}


def _collect() -> List[Any]:
    root = suite_root()
    if not (root / "features").is_dir():
        return [pytest.param(None, None, None, id="(suite absent)::every scenario", marks=pytest.mark.skip(
            reason=f"Pact compatibility suite not found at {root} (set {ENV_VAR})"))]
    params = []
    runs = [(name, "direct") for name in FEATURES] + [(name, "admin") for name in ADMIN_API_FEATURES]
    for name, transport in runs:
        feature = parse_feature(root / "features" / f"{name}.feature")
        label = name if transport == "direct" else f"{name} (admin API)"
        for scenario in feature.scenarios:
            marks = []
            reason = SKIPPED.get((label, scenario.name))
            if reason is None and "wip" in scenario.tags + feature.tags:
                reason = "tagged @wip upstream"
            if reason:
                marks.append(pytest.mark.skip(reason=reason))
            params.append(pytest.param(feature, scenario, transport, id=f"{label}::{scenario.name}",
                                       marks=marks))
    return params


@pytest.mark.parametrize("feature,scenario,transport", _collect())
def test_scenario(feature: Feature, scenario: Scenario, transport: str, tmp_path: pathlib.Path) -> None:
    folder = feature.path.parent.name
    world = World(folder, tmp_path)
    world.data["transport"] = transport
    try:
        for item in feature.background + scenario.steps:
            run_step(world, item)
    finally:
        world.close()
