"""Session-wide pytest wiring for the pact_unittest tests.

Kept small on purpose: fixtures live in the modules that own them (``tests/reference.py``
for the reference-tool harness) and are imported here so every test file can use them.
"""
from __future__ import annotations

import pathlib
import sys

_TESTS = pathlib.Path(__file__).resolve().parent
if str(_TESTS) not in sys.path:  # lets test files `import reference` / `import provider_app`
    sys.path.insert(0, str(_TESTS))

from reference import ruby_mock_service  # noqa: E402,F401  (session fixture)
# The compatibility suite's scorecard (counts per feature, every skip with its reason). Here
# rather than in test_compatibility_suite.py's pytest_plugins: under pytest-xdist only the
# controller prints the summary, and it loads conftest files, not test modules.
from compat.plugin import pytest_runtest_logreport, pytest_terminal_summary  # noqa: E402,F401


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "reference: needs the reference Pact tools (Ruby mock service/verifier, Rust pact CLI, "
        "pact-python 2.3.3); skipped when absent unless CI=true and "
        "PACT_UNITTEST_REQUIRE_REFERENCE=1",
    )


def pytest_sessionfinish(session, exitstatus):
    """Forget the pact files this test process replaced in its temp dirs.

    The library warns at exit when a run leaves a pact file with fewer interactions than
    it had (a user's partial run). Tests here replace throwaway files on purpose, and the
    ones that check the warning run in subprocesses, so this process has nothing to say.
    """
    from pact_unittest.pact_file import shrink as _pact_state

    _pact_state._replaced_here.clear()
