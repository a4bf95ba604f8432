"""The compatibility suite's scorecard counts each scenario once.

It once printed 468 for 234 scenarios: two test modules also listed ``compat.plugin`` in
``pytest_plugins`` while ``tests/conftest.py`` imports its hooks, so every report was
counted twice. A real pytest run in a subprocess compares the scorecard's total with
pytest's own count.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def test_scorecard_total_equals_the_scenarios_run():
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         os.path.join(HERE, "test_compatibility_messages.py")],
        cwd=HERE, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    total = re.search(r"^total\s+(\d+)/(\d+)\s+passed", run.stdout, re.M)
    passed = re.search(r"^(\d+) passed", run.stdout, re.M)
    assert total and passed, run.stdout[-2000:]
    assert int(total.group(2)) == int(passed.group(1)) == int(total.group(1))
