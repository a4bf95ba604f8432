"""The Pact compatibility suite's message consumer features, run against pact_unittest.

V3 and V4 ``message_consumer``, V4 ``synchronous_message_consumer`` and ``v4`` (HTTP and
message interactions in one file): one test per scenario, read by the Gherkin reader in
``tests/compat``; the step definitions (``tests/compat/steps_message.py``) make each
scenario's consumer test a real PactTestCase with ``@message``. The scorecard at the end of
the run (tests/compat/plugin.py) counts these features beside the HTTP ones.
"""
from __future__ import annotations

import pathlib
from typing import Dict, Tuple

import pytest

from compat import steps_consumer, steps_message  # noqa: F401  (register steps)
from compat.gherkin import Feature, Scenario
from compat.scenarios import collect, run

FEATURES = ("V3/message_consumer", "V4/message_consumer", "V4/synchronous_message_consumer", "V4/v4")

#: Scenarios we do not run, with the reason: none.
SKIPPED: Dict[Tuple[str, str], str] = {}


@pytest.mark.parametrize("feature,scenario", collect(FEATURES, SKIPPED, "message"))
def test_scenario(feature: Feature, scenario: Scenario, tmp_path: pathlib.Path) -> None:
    run(feature, scenario, tmp_path)
