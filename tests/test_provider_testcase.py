"""PactVerificationTestCase: each interaction a generated test, run by every runner.

The suite in tests/runner_suites/provider (a WSGI app, two pacts, one test class) runs in
subprocesses under unittest, pytest and pytest-xdist, passing and with the app broken
(``PROVIDER_BROKEN=1``). The rest builds classes here over pacts written to a temporary
directory and runs them with unittest's own loader and result.
"""
from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import threading
import unittest
import warnings
from pathlib import Path
from typing import Any, Dict, List
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from pact_unittest import PactVerificationMixin, PactVerificationTestCase, provider_state
from pact_unittest.testcase.provider import generated_tests
from pact_unittest.testcase.provider_pacts import MAX_NAME, method_name, unique_names
from test_testcase_runners import _counts

REPO = Path(__file__).resolve().parent.parent
SUITE = Path(__file__).resolve().parent / "runner_suites" / "provider"

SUITE_TESTS = [
    "test_admin__a_request_for_a_user_by_id__given_a_user_exists",
    "test_web__a_request_for_user_42__given_user_42_exists",
    "test_web__a_request_for_a_missing_user__given_no_user_7",
    "test_web__a_request_for_the_caller",
]
RUNNERS = {
    "unittest": ["-m", "unittest", "-v", "test_users"],
    "pytest": ["-m", "pytest", "-v", "-p", "no:cacheprovider", "test_users.py"],
    "pytest-xdist": ["-m", "pytest", "-v", "-p", "no:cacheprovider", "-n", "2", "test_users.py"],
}


def run_suite(tmp_path: Path, runner: str, *args: str, **env_switches: str):
    work = tmp_path / "provider"
    if not work.exists():
        shutil.copytree(SUITE, work, ignore=shutil.ignore_patterns("__pycache__"))
        (work / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PACT_UNITTEST_", "PYTEST_"))}
    env.update(env_switches, PACT_DO_NOT_TRACK="true",
               PYTHONPATH=os.pathsep.join([str(work), str(REPO)]))
    proc = subprocess.run([sys.executable, *RUNNERS[runner], *args], cwd=work, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    return proc.returncode, proc.stdout, _counts(runner, proc.stdout)


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_every_runner_runs_one_test_per_interaction(runner: str, tmp_path: Path) -> None:
    code, output, counts = run_suite(tmp_path, runner)
    assert code == 0, output
    assert counts == {"passed": 4, "failed": 0, "errors": 0, "skipped": 0}, output
    for name in SUITE_TESTS:  # the test ids name the consumer and the interaction
        assert name in output, output


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_a_broken_provider_fails_each_broken_interaction_once(runner: str, tmp_path: Path) -> None:
    code, output, counts = run_suite(tmp_path, runner, PROVIDER_BROKEN="1")
    assert code == 1, output
    assert counts == {"passed": 1, "failed": 3, "errors": 0, "skipped": 0}, output
    assert ("Pact verification failed: Web -> Users: 'a request for user 42' "
            "(given 'user 42 exists')") in output
    assert "$.id: expected 42 (integer) but got '42' (string)" in output
    assert "$.token: expected key 'token' with 'secret' (string) but it was missing" in output
    assert "$.id: expected an integer but got '1001' (string)" in output  # generator's id


@pytest.mark.parametrize("runner,select", [("unittest", ["-k", "given_user_42"]),
                                           ("pytest", ["-k", "admin"])])
def test_selecting_tests_by_consumer_or_state(runner: str, select: List[str], tmp_path: Path) -> None:
    code, output, counts = run_suite(tmp_path, runner, *select)
    assert code == 0, output
    assert counts["passed"] == 1, output
    wanted = SUITE_TESTS[1] if runner == "unittest" else SUITE_TESTS[0]
    assert wanted in output


# -- in process -------------------------------------------------------------------------------
def write_pact(directory: Path, consumer: str, interactions: List[Dict[str, Any]],
               spec: str = "2.0.0", **extra: Any) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{consumer.lower()}-users.json"
    path.write_text(json.dumps({"consumer": {"name": consumer}, "provider": {"name": "Users"},
                                "interactions": interactions,
                                "metadata": {"pactSpecification": {"version": spec}}, **extra}))
    return path


def hello(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    if environ["PATH_INFO"] == "/boom":
        raise KeyError("boom")
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"hello": environ["PATH_INFO"]}).encode()]


def interaction(path: str, state: Any = None, description: str = "", **response: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {"description": description or f"a request for {path}",
                           "request": {"method": "GET", "path": path},
                           "response": response or {"status": 200, "body": {"hello": path}}}
    if state:
        out["providerState"] = state
    return out


def run(cls: type) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(cls).run(result)
    return result


def test_generated_names_are_slugs_unique_and_bounded() -> None:
    assert method_name("User Web", "A request for user #42 (ümlaut)", ["user 42 exists", "x"]) == \
        "test_user_web__a_request_for_user_42_umlaut__given_user_42_exists_and_x"
    assert unique_names(["test_a", "test_a", "test_b", "test_a"]) == \
        ["test_a", "test_a__2", "test_b", "test_a__3"]
    long = method_name("web", "d" * 400, [])
    assert len(long) <= MAX_NAME and long != method_name("web", "d" * 401, [])


def test_a_state_handler_gets_params_and_its_teardown_runs(tmp_path: Path) -> None:
    calls: List[Any] = []
    write_pact(tmp_path, "Web", [interaction("/a", description="same"),
                                 dict(interaction("/a", description="same"),
                                      providerStates=[{"name": "s", "params": {"n": 1}}])],
               spec="3.0.0")

    class Contracts(PactVerificationTestCase):
        provider = "Users"
        pacts = str(tmp_path)
        wsgi_application = hello

        @provider_state("s")
        def setup_s(self, params):
            calls.append(("setup", params))
            self.addCleanup(calls.append, "cleanup")

        @provider_state("s", teardown=True)
        def teardown_s(self, params):
            calls.append(("teardown", params))

    assert generated_tests(Contracts) == ["test_web__same", "test_web__same__given_s"]
    result = run(Contracts)
    assert result.wasSuccessful() and result.testsRun == 2, result.failures + result.errors
    assert calls == [("setup", {"n": 1}), ("teardown", {"n": 1}), "cleanup"]


def test_a_missing_state_fails_naming_it_or_warns(tmp_path: Path) -> None:
    write_pact(tmp_path, "Web", [interaction("/a", "nobody handles me")])
    attrs = {"provider": "Users", "pacts": str(tmp_path), "wsgi_application": hello}
    failing = run(type("Failing", (PactVerificationTestCase,), dict(attrs)))
    assert len(failing.failures) == 1
    message = failing.failures[0][1]
    assert "no provider state handler for 'nobody handles me'" in message
    assert "@provider_state('nobody handles me')" in message
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warned = run(type("Warned", (PactVerificationTestCase,), dict(attrs, missing_state="warn")))
    assert warned.wasSuccessful(), warned.failures
    assert any("no provider state handler for 'nobody handles me'" in str(w.message) for w in caught)


def test_a_state_handler_that_raises_is_an_error_with_its_own_exception(tmp_path: Path) -> None:
    write_pact(tmp_path, "Web", [interaction("/a", "s")])

    class Contracts(PactVerificationTestCase):
        provider, pacts, wsgi_application = "Users", str(tmp_path), hello

        @provider_state("s")
        def setup_s(self, params):
            raise LookupError("no database")

    result = run(Contracts)
    assert not result.failures and len(result.errors) == 1
    assert "LookupError: no database" in result.errors[0][1]
    assert "setup_s" in result.errors[0][1]  # the handler's own frame


def test_an_application_that_raises_fails_with_its_traceback(tmp_path: Path) -> None:
    write_pact(tmp_path, "Web", [interaction("/boom")])
    result = run(type("C", (PactVerificationTestCase,),
                      {"provider": "Users", "pacts": str(tmp_path), "wsgi_application": hello}))
    assert len(result.failures) == 1, result.errors
    text = result.failures[0][1]
    assert "Request to provider failed" in text and "raised KeyError" in text
    assert 'raise KeyError("boom")' in text  # the cause, with the app's line


def test_pending_interactions_are_expected_failures_or_skips(tmp_path: Path) -> None:
    write_pact(tmp_path, "Web", [dict(interaction("/a"), pending=True, type="Synchronous/HTTP"),
                                 dict(interaction("/b", status=201), pending=True,
                                      type="Synchronous/HTTP")], spec="4.0.0")
    result = run(type("C", (PactVerificationTestCase,),
                      {"provider": "Users", "pacts": str(tmp_path), "wsgi_application": hello}))
    assert result.wasSuccessful()
    assert [t.id().rsplit(".", 1)[1] for t, _err in result.expectedFailures] == \
        ["test_web__a_request_for_b"]
    assert "pending pact" in result.expectedFailures[0][1]
    assert result.unexpectedSuccesses == []
    assert [(t.id().rsplit(".", 1)[1], why) for t, why in result.skipped] == \
        [("test_web__a_request_for_a", "pending pact verified: Web 'a request for /a' passes")]


def test_an_unreadable_pact_is_one_failing_test_beside_the_others(tmp_path: Path) -> None:
    write_pact(tmp_path, "Web", [interaction("/a")])
    (tmp_path / "zz-broken.json").write_text("{not json")
    attrs = {"provider": "Users", "pacts": [str(tmp_path), str(tmp_path / "missing.json")],
             "wsgi_application": hello}
    cls = type("C", (PactVerificationTestCase,), attrs)
    assert generated_tests(cls) == ["test_web__a_request_for_a", "test_unreadable_pact",
                                    "test_unreadable_pact__2"]
    result = run(cls)
    assert result.testsRun == 3 and len(result.failures) == 2 and not result.errors
    texts = "\n".join(text for _t, text in result.failures)
    assert "zz-broken.json" in texts and "missing.json" in texts
    nothing = run(type("D", (PactVerificationTestCase,), {"provider": "Users"}))
    assert "names no pacts" in nothing.failures[0][1]


def test_a_subclass_verifies_its_own_pacts_only(tmp_path: Path) -> None:
    write_pact(tmp_path / "one", "Web", [interaction("/a")])
    write_pact(tmp_path / "two", "Shop", [interaction("/b")])
    base = type("Base", (PactVerificationTestCase,),
                {"provider": "Users", "pacts": str(tmp_path / "one"), "wsgi_application": hello})
    sub = type("Sub", (base,), {"pacts": str(tmp_path / "two")})
    assert unittest.defaultTestLoader.getTestCaseNames(sub) == ["test_shop__a_request_for_b"]
    # An abstract mixin base (no TestCase yet) generates nothing; the concrete class does.
    mixin = type("Mixin", (PactVerificationMixin,), {"provider": "Users"})
    concrete = type("Concrete", (mixin, unittest.TestCase),
                    {"pacts": str(tmp_path / "one"), "wsgi_application": hello})
    assert generated_tests(mixin) == [] and generated_tests(concrete) == ["test_web__a_request_for_a"]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def test_a_provider_at_a_base_url_with_headers(tmp_path: Path) -> None:
    seen: List[str] = []

    def app(environ, start_response):
        seen.append(environ.get("HTTP_X_TENANT", ""))
        return hello(environ, start_response)

    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        write_pact(tmp_path, "Web", [interaction("/a")])
        result = run(type("C", (PactVerificationTestCase,), {
            "provider": "Users", "pacts": str(tmp_path), "provider_headers": {"X-Tenant": "t1"},
            "provider_base_url": f"http://127.0.0.1:{server.server_port}"}))
    finally:
        server.shutdown()
        server.server_close()
    assert result.wasSuccessful(), result.failures + result.errors
    assert seen == ["t1"]


def test_the_failure_pickles_into_another_interpreter(tmp_path: Path) -> None:
    # Django --parallel sends each failure from the worker to the parent by pickle.
    write_pact(tmp_path, "Web", [interaction("/a", status=201)])
    cls = type("C", (PactVerificationTestCase,),
               {"provider": "Users", "pacts": str(tmp_path), "wsgi_application": hello})
    test = cls("test_web__a_request_for_a")
    with pytest.raises(AssertionError) as caught:
        test.test_web__a_request_for_a()
    code = "import pickle, sys; print(pickle.loads(sys.stdin.buffer.read()))"
    shown = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(caught.value),
                           capture_output=True, cwd=REPO)
    assert shown.returncode == 0, shown.stderr
    assert b"Response status did not match" in shown.stdout


# -- the sample provider: Django, both sides of the samples' contracts --------------------------
@pytest.fixture(scope="module")
def samples_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of samples/ after ``python -m samples`` ran in it: consumers, then provider."""
    pytest.importorskip("django")
    base = tmp_path_factory.mktemp("samples")
    shutil.copytree(REPO / "samples", base / "samples",
                    ignore=shutil.ignore_patterns("__pycache__", "pacts", "*.sqlite3"))
    proc = subprocess.run([sys.executable, "-m", "samples"], cwd=base, env=_sample_env(base),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout
    assert "=== user service verified against those pacts" in proc.stdout
    assert "Found 8 test(s)." in proc.stdout.split("=== user service")[1], proc.stdout
    events = proc.stdout.split("=== order service's events")[1]
    assert re.search(r"^Ran 3 tests", events, re.M) and "\nOK" in events, events
    return base / "samples"


def _sample_env(base: Path, **switches: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PACT_UNITTEST_", "PYTEST_", "DJANGO_", "USER_SERVICE"))}
    env.update(switches, PACT_DO_NOT_TRACK="true",
               PYTHONPATH=os.pathsep.join([str(base), str(REPO)]))
    return env


def _manage_test(samples: Path, *args: str, **switches: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "test", "-v", "2", *args],
                          cwd=samples / "user_service", env=_sample_env(samples.parent, **switches),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)


@pytest.mark.parametrize("parallel", [[], ["--parallel", "2"]])
def test_the_sample_provider_passes_its_consumers_pacts(samples_copy: Path, parallel: List[str]) -> None:
    proc = _manage_test(samples_copy, *parallel)
    assert proc.returncode == 0, proc.stdout
    assert re.search(r"^Ran 8 tests", proc.stdout, re.M), proc.stdout
    # In process (TestCase: the state's row is read inside the test's transaction) and
    # over HTTP (LiveServerTestCase), each interaction its own test.
    assert ("test_userweb__a_request_for_user_42__given_user_42_exists "
            "(users.tests.UserServiceContracts.") in proc.stdout
    assert "test_shopweb__a_request_for_a_missing_user__given_no_user_7 (users.tests.ShopContracts." in proc.stdout


def test_the_sample_provider_with_a_broken_view_fails_readably(samples_copy: Path) -> None:
    proc = _manage_test(samples_copy, "--parallel", "2", USER_SERVICE_BROKEN="1")
    assert proc.returncode == 1, proc.stdout
    assert "FAILED (failures=6)" in proc.stdout, proc.stdout
    report = proc.stdout.split("FAIL: test_userweb__a_request_for_user_42__given_user_42_exists ")[1]
    report = report.split("=" * 70)[0]
    assert ("AssertionError: Pact verification failed: UserWeb -> UserService: "
            "'a request for user 42' (given 'user 42 exists')\n  GET /users/42 -> 200\n") in report
    assert "$.id: expected a value of type integer but got '42' (string)" in report
    assert "$.email: expected key 'email' matching /.+@.+/" in report
    # The traceback is the one line that raised, from the worker process too.
    assert report.count('File "') == 1, report


def test_the_sample_message_provider_with_broken_events_fails_readably(samples_copy: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "unittest", "discover", "-s",
                           "samples/orderservice", "-t", "."], cwd=samples_copy.parent,
                          env=_sample_env(samples_copy.parent, ORDER_SERVICE_BROKEN="1"),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert proc.returncode == 1 and "FAILED (failures=3)" in proc.stdout, proc.stdout
    assert "$.shipTo: expected key 'shipTo'" in proc.stdout


# -- a Pact Broker: pacts for verification, pending, results published once -------------------
BROKER_SUITE = '''
import json, os
from pact_unittest import PactVerificationTestCase

ROUTES = {
    ("GET", "/items/1"): (200, {"id": 1, "name": "spanner", "stock": 9, "tags": ["x", "y"]}),
    ("GET", "/items/1/stock"): (200, {"id": 1, "stock": 3}),
    ("POST", "/items"): (201, {"id": 5, "name": "gizmo", "stock": 1}),
    ("GET", "/users/1"): (200, {"id": 1, "name": "Alice"}),
}

def inventory(environ, start_response):
    status, body = ROUTES.get((environ["REQUEST_METHOD"], environ["PATH_INFO"]), (404, {}))
    start_response(f"{status} X", [("Content-Type", "application/json"), ("Location", "/items/5")])
    return [json.dumps(body).encode()]

class InventoryContracts(PactVerificationTestCase):
    provider = "InventoryAPI"
    pact_broker_url = os.environ["BROKER_URL"]
    consumer_version_selectors = [{"mainBranch": True}]
    include_pending = True
    include_wip_pacts_since = "2020-01-01"
    provider_version_branch = "main"
    provider_version = "5.0.4"
    wsgi_application = inventory
    missing_state = "warn"
'''


def test_broker_pacts_are_tests_pending_ones_expected_failures_and_results_publish_once(
        tmp_path: Path) -> None:
    from fake_broker import TRANSCRIPTS, FakeBroker

    if not (TRANSCRIPTS / "index.json").exists():
        pytest.skip(f"broker transcripts not found at {TRANSCRIPTS}")
    (tmp_path / "test_inventory.py").write_text(BROKER_SUITE)
    with FakeBroker() as broker:
        transcript = broker.replay("real/real_ruby_verifier_wip_pending_failure.json")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PACT_", "PYTEST_"))}
        env.update(PACT_DO_NOT_TRACK="true", BROKER_URL=broker.url,
                   PACT_UNITTEST_PUBLISH_VERIFICATION_RESULTS="1",
                   PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO)]))
        proc = subprocess.run([sys.executable, "-m", "unittest", "-v", "test_inventory"],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=120)
        posted = [r.json for r in broker.requests if r.path.endswith("/verification-results")]
    assert proc.returncode == transcript["exit_code"] == 0, proc.stdout
    assert "expected failure" in proc.stdout  # the WIP pact's broken interaction
    # The WIP pact: its failing interaction an expected failure, its passing one skipped.
    assert re.search(r"^OK \(skipped=1, expected failures=1\)$", proc.stdout, re.M), proc.stdout
    recorded = [x["request"]["body_json"] for x in transcript["exchanges"]
                if x["request"]["path"].endswith("/verification-results")]
    # One POST per pact, as the Ruby verifier sent them: two verified, the WIP one failed.
    assert sorted(p["success"] for p in posted) == sorted(p["success"] for p in recorded) \
        == [False, True, True]
    assert {p["providerApplicationVersion"] for p in posted} == {"5.0.4"}


def test_message_interactions_are_tests_with_message_producer_methods(tmp_path: Path) -> None:
    from pact_unittest import message_producer

    pact = {"consumer": {"name": "Shop"}, "provider": {"name": "Orders"},
            "messages": [{"description": "an order was placed",
                          "providerStates": [{"name": "an order exists"}],
                          "contents": {"id": 7},
                          "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}}],
            "metadata": {"pactSpecification": {"version": "3.0.0"}}}
    (tmp_path / "shop-orders.json").write_text(json.dumps(pact))
    produced: List[str] = []

    class Orders(PactVerificationTestCase):
        provider = "Orders"
        pacts = str(tmp_path)
        wsgi_application = hello
        order_id: Any = 8

        @provider_state("an order exists")
        def order(self) -> None:
            produced.append("state")

        @message_producer("an order was placed")
        def order_placed(self) -> Dict[str, Any]:
            produced.append("message")
            return {"id": self.order_id}

    assert generated_tests(Orders) == ["test_shop__an_order_was_placed__given_an_order_exists"]
    result = run(Orders)
    assert result.wasSuccessful(), result.failures + result.errors
    assert produced == ["state", "message"]
    Orders.order_id = "8"
    (failure,) = run(Orders).failures
    assert "Body had differences" in failure[1] and "$.id" in failure[1]
