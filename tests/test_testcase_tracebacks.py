"""A contract failure reads like an assertEqual failure under every runner: at most a few
lines before "AssertionError: Pact verification failed", and none of them the source of
pact_unittest's own code or unittest's (pytest shows every frame when all of them are
marked ``__unittest``; Django's --parallel loses the marks on the way back from a worker).

The suite is tests/runner_suites/tracebacks, run in subprocesses from a temporary copy.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

REPO = Path(__file__).resolve().parent.parent
SUITE = Path(__file__).resolve().parent / "runner_suites" / "tracebacks"
MESSAGE = "AssertionError: Pact verification failed"
#: Lines no report may show above the message: our frames' source, unittest's machinery.
INTERNALS = ("pact_unittest/testcase.py", "_verify_after", "_pact_finish", "def pact_test",
             "unittest/case.py", "testPartExecutor", "_callTestMethod")
MAX_LINES = 4

RUNNERS = {
    "unittest": ["-m", "unittest", "-v", "tracebacks.test_short"],
    "pytest": ["-m", "pytest", "tracebacks", "-p", "no:cacheprovider", "-p", "no:randomly"],
    "django-parallel": ["-m", "django", "test", "tracebacks", "--settings",
                        "tracebacks.settings", "--parallel", "2"],
}


def _run(tmp_path: Path, runner: str) -> str:
    shutil.copytree(SUITE, tmp_path / "tracebacks", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PACT_UNITTEST_", "PYTEST_", "DJANGO_"))}
    path = [str(tmp_path), str(REPO)]
    if not runner.startswith("django"):
        # Prove the unittest and pytest runs do not need Django: here it cannot be imported.
        blocker = tmp_path / "no_django" / "django"
        blocker.mkdir(parents=True)
        (blocker / "__init__.py").write_text(
            'raise ModuleNotFoundError("Django is hidden from this run", name="django")\n')
        path.insert(0, str(blocker.parent))
    env["PYTHONPATH"] = os.pathsep.join(path)
    env["PACT_DO_NOT_TRACK"] = "true"
    proc = subprocess.run([sys.executable, *RUNNERS[runner]], cwd=tmp_path, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=120)
    assert proc.returncode != 0, proc.stdout
    return proc.stdout


def _before_message(output: str, test: str, after: str = "") -> List[str]:
    """The report lines of ``test`` between its header (or the first ``after`` line that
    follows it) and the contract failure's message line."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if (line.startswith("FAIL: " + test) or
                     (line.startswith("_") and f".{test} _" in line)))
    if after:
        start = next(i for i in range(start, len(lines)) if after in lines[i])
    end = next(i for i in range(start, len(lines)) if MESSAGE in lines[i])
    return [line for line in lines[start + 1:end]
            if line.strip() and set(line.strip()) != {"-"}]


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_a_contract_failure_shows_at_most_a_few_lines_before_its_message(
        runner: str, tmp_path: Path) -> None:
    if runner.startswith("django"):  # only this case needs Django; the others never import it
        pytest.importorskip("django", reason="the Django runner case needs Django installed")
        pytest.importorskip("tblib", reason="Django --parallel needs tblib to report failures")
    output = _run(tmp_path, runner)
    assert "Pact verification failed: 1 missing interaction" in output, output
    for test, after in (("test_missing", ""),
                        ("test_body_raises", "The above exception was the direct cause")):
        shown = _before_message(output, test, after)
        assert len(shown) <= MAX_LINES, "\n".join(shown)
        for text in INTERNALS:
            assert not any(text in line for line in shown), (text, "\n".join(shown))
    if runner == "unittest":  # as clean as an assertEqual failure: the message alone
        assert _before_message(output, "test_missing") == []
