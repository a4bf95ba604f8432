"""pytest plugin: the compatibility suite's scorecard at the end of the run.

Prints, in the terminal summary (so it shows in CI logs), how many scenarios passed per
feature file, and every skipped (or failed) scenario with its reason. Its two hooks are
imported into ``tests/conftest.py``, so that the pytest-xdist controller (which loads
conftest files but not test modules) prints the scorecard too.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, DefaultDict, Dict, List, Tuple

_MODULES = ("test_compatibility_suite.py", "test_compatibility_messages.py",
            "test_compatibility_message_provider.py")
_ID = re.compile(r"\[(?P<feature>[^:\]]+)::(?P<scenario>.*)\]$")

_outcomes: DefaultDict[str, Dict[str, int]] = defaultdict(lambda: {"passed": 0, "failed": 0, "skipped": 0})
_notes: List[Tuple[str, str, str, str]] = []   # (outcome, feature, scenario, reason)


def _reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).replace("Skipped: ", "", 1)
    text = str(getattr(report, "longreprtext", "") or longrepr or "")
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    lines = lines or text.strip().splitlines()[-1:] or [""]
    return lines[0][:200]


def pytest_runtest_logreport(report: Any) -> None:
    if not any(module in report.nodeid for module in _MODULES):
        return
    found = _ID.search(report.nodeid)
    if not found:
        return
    feature, scenario = found.group("feature"), found.group("scenario")
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        outcome = report.outcome
        _outcomes[feature][outcome] += 1
        if outcome != "passed":
            _notes.append((outcome, feature, scenario, _reason(report)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _outcomes:
        return
    write = terminalreporter.write_line
    terminalreporter.section("Pact compatibility suite")
    total = {"passed": 0, "failed": 0, "skipped": 0}
    for feature in sorted(_outcomes):
        counts = _outcomes[feature]
        for key in total:
            total[key] += counts[key]
        ran = sum(counts.values())
        write(f"{feature:34} {counts['passed']:3d}/{ran:<3d} passed"
              + (f", {counts['failed']} failed" if counts["failed"] else "")
              + (f", {counts['skipped']} skipped" if counts["skipped"] else ""))
    write(f"{'total':34} {total['passed']:3d}/{sum(total.values()):<3d} passed")
    if not any(outcome == "skipped" for outcome, *_ in _notes):
        write("skipped: none")
    write("note: the http_provider and message_provider scenarios run our ProviderVerifier "
          "against a real provider or message endpoint (the broker ones against a stub "
          "answering as fixtures/pact-broker_c1/_c2.json say); "
          "the provider-mode generator scenarios run apply_generators(mode='provider')")
    for outcome, feature, scenario, reason in sorted(_notes):
        write(f"{outcome.upper()}: {feature}::{scenario}: {reason}")
