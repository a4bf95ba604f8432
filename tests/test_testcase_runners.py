"""Real suites under every runner, in subprocesses: outcome counts, a contract violation is
a FAIL (not an ERROR) with the expected text, and every runner -- serial or parallel --
writes byte-identical pact files, with nothing stale left from a deleted test.

The suite is tests/runner_suites/contracts (unittest.TestCase, Django TestCase and
SimpleTestCase, IsolatedAsyncioTestCase classes of one consumer/provider pair). Each run
uses a fresh copy in a temporary directory, so its default ``pacts/`` lands there.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

REPO = Path(__file__).resolve().parent.parent
SUITE = Path(__file__).resolve().parent / "runner_suites" / "contracts"
PACT_NAME = "runnerweb-itemservice.json"

pytest.importorskip("django")
pytest.importorskip("xdist")

RUNNERS: Dict[str, List[str]] = {
    "unittest": ["-m", "unittest", "discover", "-v", "-s", "contracts", "-t", "."],
    "pytest": ["-m", "pytest", "contracts", "-v", "-p", "no:cacheprovider", "-p", "no:randomly"],
    "pytest-xdist": ["-m", "pytest", "contracts", "-v", "-p", "no:cacheprovider", "-n", "2"],
    "django": ["-m", "django", "test", "contracts", "--settings", "contracts.settings", "-v", "2"],
    "django-parallel": ["-m", "django", "test", "contracts", "--settings", "contracts.settings",
                        "-v", "2", "--parallel", "2"],
}
OK_COUNTS = {"passed": 6, "failed": 0, "errors": 0, "skipped": 1}
BROKEN_COUNTS = {"passed": 6, "failed": 2, "errors": 0, "skipped": 1}


def _workdir(base: Path) -> Path:
    if not (base / "contracts").exists():
        shutil.copytree(SUITE, base / "contracts",
                        ignore=shutil.ignore_patterns("__pycache__"))
        (base / "pytest.ini").write_text("[pytest]\n")
    return base


def run_suite(work: Path, runner: str, *args: str, **switches: str) -> Tuple[str, Dict[str, int]]:
    """Run the suite in ``work`` with ``runner`` (and extra ``args``); return its output and
    outcome counts."""
    env = {
        name: value for name, value in os.environ.items()
        if not name.startswith(("PACT_UNITTEST_", "PYTEST_", "RS_", "DJANGO_"))
    }
    env.update(switches)
    if runner == "django-parallel":
        env["RS_NO_ASYNC"] = "1"  # see runner_suites/contracts/test_more.py
    env["PYTHONPATH"] = os.pathsep.join([str(work), str(REPO)])
    env["PACT_DO_NOT_TRACK"] = "true"
    proc = subprocess.run(
        [sys.executable, *RUNNERS[runner], *args], cwd=work, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, universal_newlines=True, timeout=120,
    )
    output = proc.stdout
    counts = _counts(runner, output)
    if runner == "django-parallel":
        counts["passed"] += 1  # the async test left out (see above), for comparable counts
    assert (proc.returncode == 0) == (counts["failed"] + counts["errors"] == 0), output
    return output, counts


def _counts(runner: str, output: str) -> Dict[str, int]:
    if runner.startswith("pytest"):
        # The last summary line: a warning printed at exit may follow it.
        summary = [line for line in output.strip().splitlines()
                   if re.search(r"\d+ (passed|failed|skipped|errors?|deselected)\b.* in [\d.]+s", line)][-1]
        found = dict((word, int(n)) for n, word in re.findall(r"(\d+) (\w+)", summary))
        return {"passed": found.get("passed", 0), "failed": found.get("failed", 0),
                "errors": found.get("error", 0) + found.get("errors", 0),
                "skipped": found.get("skipped", 0)}
    ran = re.search(r"^Ran (\d+) tests?", output, re.M)
    assert ran, output
    status = re.search(r"^(OK|FAILED)(?: \((.*)\))?$", output, re.M)
    assert status, output
    found = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", status.group(2) or ""))
    total = int(ran.group(1))
    bad = found.get("failures", 0) + found.get("errors", 0)
    return {"passed": total - bad - found.get("skipped", 0), "failed": found.get("failures", 0),
            "errors": found.get("errors", 0), "skipped": found.get("skipped", 0)}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The pact file of a plain serial unittest run: what every other run must equal."""
    work = _workdir(tmp_path_factory.mktemp("baseline"))
    output, counts = run_suite(work, "unittest")
    assert counts == OK_COUNTS, output
    return (work / "pacts" / PACT_NAME).read_bytes()


def test_baseline_holds_the_verified_interactions_only(baseline: bytes) -> None:
    import json

    pact = json.loads(baseline)
    descriptions = [i["description"] for i in pact["interactions"]]
    assert descriptions == sorted(descriptions)
    assert set(descriptions) == {
        "a request for all items", "a request for item 1", "a request for item 2",
        "a request to create a pencil", "a request to create an item",
        "a request to delete item 6",
    }  # not item 9: its test was skipped
    assert pact["consumer"] == {"name": "RunnerWeb"}


@pytest.mark.parametrize("runner", ["pytest", "pytest-xdist", "django", "django-parallel"])
def test_every_runner_writes_the_same_pact_file(runner: str, baseline: bytes,
                                                tmp_path: Path) -> None:
    work = _workdir(tmp_path)
    output, counts = run_suite(work, runner)
    assert counts == OK_COUNTS, output
    assert (work / "pacts" / PACT_NAME).read_bytes() == baseline


@pytest.mark.parametrize("runner", ["unittest", "pytest-xdist", "django-parallel"])
def test_a_contract_violation_is_a_fail_with_the_pact_problems(runner: str, baseline: bytes,
                                                               tmp_path: Path) -> None:
    if runner == "django-parallel":
        pytest.importorskip("tblib", reason="Django --parallel needs tblib to report failures")
    work = _workdir(tmp_path)
    output, counts = run_suite(work, runner, RS_BROKEN="1")
    assert counts == BROKEN_COUNTS, output  # FAILs, not ERRORs
    if not runner.startswith("pytest"):
        assert re.search(r"^FAIL: test_wrong_header", output, re.M), output
        assert re.search(r"^FAIL: test_own_failure", output, re.M), output
        assert not re.search(r"^ERROR:", output, re.M), output
    assert "Pact verification failed: 1 mismatched request, 1 missing interaction" in output
    assert "Mismatched: GET /items/4 for 'a request for item 4' (given 'item 4 exists')" in output
    assert "header 'Accept'" in output and "text/html" in output
    assert "The test body also raised HTTPError: 500 Server Error" in output
    # The body's own failure, with the contract held, stands unchanged (no pact text).
    assert "AssertionError: 'pen' != 'ink'" in output
    # Reported once (pytest may repeat the first line in its width-dependent summary).
    assert output.count("Pact verification failed") in ((1, 2) if runner.startswith("pytest")
                                                         else (1,))
    # Failed tests' interactions are not written: the file equals the passing run's.
    assert (work / "pacts" / PACT_NAME).read_bytes() == baseline


def test_a_rerun_without_a_deleted_test_leaves_nothing_stale(baseline: bytes,
                                                             tmp_path: Path) -> None:
    work = _workdir(tmp_path)
    output, counts = run_suite(work, "unittest", RS_EXTRA="1")
    assert counts["passed"] == OK_COUNTS["passed"] + 1, output
    assert b"a request for item 7" in (work / "pacts" / PACT_NAME).read_bytes()
    output, counts = run_suite(work, "django-parallel")  # test_extra is gone now
    assert counts == OK_COUNTS, output
    assert (work / "pacts" / PACT_NAME).read_bytes() == baseline
    # The file shrank: said once, by the parent (a worker replaced the file).
    assert output.count("interactions (dropped") == 1, output
    assert "7 -> 6 interactions (dropped 'a request for item 7' (given 'item 7 exists'))" in output


SHRUNK = "interactions (dropped"


@pytest.mark.parametrize("runner, subset", [
    ("unittest", ["-k", "test_get_item"]),
    ("pytest", ["-k", "test_get_item"]),
    ("pytest", ["-x"]),
])
def test_a_partial_run_that_shrinks_the_pact_warns_a_whole_one_does_not(
        runner: str, subset: List[str], baseline: bytes, tmp_path: Path) -> None:
    """The pact's pair spans four classes in two modules: the first class's write replaces
    the file with its own interactions and the others merge, so only the run's end can tell
    a whole run (no warning) from a partial one (6 -> 2 interactions, a warning on stderr)."""
    work = _workdir(tmp_path)
    output, _ = run_suite(work, runner)
    output, _ = run_suite(work, runner)  # a whole run over a whole run's file
    assert SHRUNK not in output, output
    assert (work / "pacts" / PACT_NAME).read_bytes() == baseline
    if subset == ["-x"]:  # pytest -x stops at the first failure: RS_BROKEN makes one
        output, counts = run_suite(work, runner, "-x", RS_BROKEN="1")
        assert counts["failed"] == 1, output
    else:
        output, _ = run_suite(work, runner, *subset)
    kept = len(json.loads((work / "pacts" / PACT_NAME).read_text())["interactions"])
    assert kept < 6
    assert output.count(SHRUNK) == 1, output
    assert f"pacts/{PACT_NAME}: 6 -> {kept} interactions" in output, output
    assert "file_write_mode='merge'" in output and "--lf" in output
    output, _ = run_suite(work, runner, *subset, PACT_UNITTEST_FILE_WRITE_MODE="merge",
                          **({"RS_BROKEN": "1"} if subset == ["-x"] else {}))
    assert SHRUNK not in output, output


@pytest.mark.parametrize("runner", ["unittest", "django-parallel"])
def test_publish_to_broker_publishes_once_per_run_from_the_parent(runner: str, baseline: bytes,
                                                                  tmp_path: Path) -> None:
    from fake_broker import FakeBroker

    work = _workdir(tmp_path)
    with FakeBroker() as broker:
        output, counts = run_suite(
            work, runner, PACT_UNITTEST_PUBLISH_TO_BROKER="true",
            PACT_BROKER_BASE_URL=broker.url, PACT_UNITTEST_CONSUMER_VERSION="1.2.3",
            PACT_UNITTEST_CONSUMER_BRANCH="main")
        publishes = [r for r in broker.requests if r.path.endswith("/contracts/publish")]
    assert counts == OK_COUNTS, output
    assert len(publishes) == 1, (output, [(r.method, r.path) for r in broker.requests])
    body = publishes[0].json
    assert (body["pacticipantName"], body["pacticipantVersionNumber"], body["branch"]) == (
        "RunnerWeb", "1.2.3", "main")
    assert publishes[0].decoded_contracts == [json.loads(baseline)]


def _publishes(broker: object) -> List[object]:
    return [r for r in broker.requests  # type: ignore[attr-defined]
            if r.path.endswith("/contracts/publish") or r.method == "PUT"]


@pytest.mark.parametrize("runner", ["unittest", "django-parallel"])
def test_a_run_with_a_failed_test_publishes_nothing_and_says_why(runner: str, baseline: bytes,
                                                                 tmp_path: Path) -> None:
    """can-i-deploy must not pass on a broken consumer: a failed test of the pair (here in a
    Django worker process, learnt by the parent from the run's failure note) blocks it."""
    if runner == "django-parallel":
        pytest.importorskip("tblib", reason="Django --parallel needs tblib to report failures")
    from fake_broker import FakeBroker

    work = _workdir(tmp_path)
    with FakeBroker() as broker:
        output, counts = run_suite(
            work, runner, RS_BROKEN="1", PACT_UNITTEST_PUBLISH_TO_BROKER="true",
            PACT_BROKER_BASE_URL=broker.url, PACT_UNITTEST_CONSUMER_VERSION="1.0.0")
        publishes = _publishes(broker)
    assert counts == BROKEN_COUNTS, output
    assert publishes == [], output
    assert "not published" in output and "2 tests of RunnerWeb-ItemService failed" in output
    assert "test_wrong_header" in output and "test_own_failure" in output


def test_a_run_with_zero_tests_does_not_publish_the_previous_runs_file(baseline: bytes,
                                                                        tmp_path: Path) -> None:
    from fake_broker import FakeBroker

    work = _workdir(tmp_path)
    (work / "pacts").mkdir()
    (work / "pacts" / PACT_NAME).write_bytes(baseline)  # left by an earlier run
    with FakeBroker() as broker:
        output, counts = run_suite(
            work, "unittest", "-k", "nomatch", PACT_UNITTEST_PUBLISH_TO_BROKER="true",
            PACT_BROKER_BASE_URL=broker.url, PACT_UNITTEST_CONSUMER_VERSION="1.0.0")
        publishes = _publishes(broker)
    assert counts["passed"] == 0, output
    assert publishes == [], output
    assert "not published" in output and "this run wrote nothing" in output
