"""PactMixin/PactTestCase lifecycle, run in-process with unittest's own suite machinery.

Real embedded mock services on 127.0.0.1, real requests, pact files in tmp dirs.
"""
from __future__ import annotations

import json
import os
import pickle
import unittest
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

from pact_unittest.testcase import registry as _registry
from pact_unittest.testcase.decorator import interaction
from pact_unittest.matchers import Like
from pact_unittest.testcase import PactMixin, PactTestCase


def get(path: str, status: int = 200, given: Any = None, **request: Any) -> Any:
    return interaction(
        given=given,
        upon_receiving=f"a request for {path}",
        with_request=dict({"method": "GET", "path": path}, **request),
        will_respond_with={"status": status, "body": Like({"path": path})},
    )


def run_case(cls: type) -> unittest.TestResult:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(cls)
    result = unittest.TestResult()
    suite.run(result)
    return result


def names(pairs: List[Any]) -> List[str]:
    return sorted(test._testMethodName for test, _ in pairs)


def pact_descriptions(pact_dir: Path, name: str = "c-p.json") -> List[str]:
    return [i["description"] for i in json.loads((pact_dir / name).read_text())["interactions"]]


def make_class(tmp_path: Path, base: type = PactTestCase, **attrs: Any) -> type:
    attrs.setdefault("consumer", "C")
    attrs.setdefault("provider", "P")
    attrs.setdefault("pact_dir", str(tmp_path))
    return type("Contract", (base,), attrs)


def test_verified_tests_are_written_failed_and_skipped_ones_are_not(tmp_path: Path) -> None:
    def test_ok(self: Any) -> None:
        self.assertEqual(requests.get(self.mock_service_uri + "/ok").json(), {"path": "/ok"})

    def test_missing(self: Any) -> None:
        pass  # never sends its request

    def test_own_failure(self: Any) -> None:
        requests.get(self.mock_service_uri + "/own")
        self.fail("the test's own failure")

    def test_skipped(self: Any) -> None:
        self.skipTest("not today")

    cls = make_class(tmp_path, test_ok=get("/ok")(test_ok), test_missing=get("/m")(test_missing),
                     test_own_failure=get("/own")(test_own_failure),
                     test_skipped=get("/skip")(test_skipped))
    result = run_case(cls)
    assert result.errors == []
    assert names(result.failures) == ["test_missing", "test_own_failure"]
    assert names(result.skipped) == ["test_skipped"]
    assert pact_descriptions(tmp_path) == ["a request for /ok"]
    messages = dict((t._testMethodName, text) for t, text in result.failures)
    assert "Pact verification failed: 1 missing interaction" in messages["test_missing"]
    assert "Missing: GET /m for 'a request for /m'" in messages["test_missing"]
    # The contract held: the test's own failure is reported exactly as it was.
    assert "AssertionError: the test's own failure" in messages["test_own_failure"]
    assert "Pact" not in messages["test_own_failure"]


class _Capture(unittest.TestResult):
    """Keeps the exception objects, not just their text."""

    def __init__(self) -> None:
        super().__init__()
        self.exceptions: Dict[str, BaseException] = {}

    def addFailure(self, test: Any, err: Any) -> None:
        self.exceptions[test._testMethodName] = err[1]
        super().addFailure(test, err)

    def addError(self, test: Any, err: Any) -> None:
        self.exceptions[test._testMethodName] = err[1]
        super().addError(test, err)


def test_a_consequential_body_error_is_the_cause_of_one_fail_and_it_pickles(tmp_path: Path) -> None:
    def test_wrong_header(self: Any) -> None:
        requests.get(self.mock_service_uri + "/u", headers={"Accept": "text/html"}).raise_for_status()

    cls = make_class(tmp_path, test_wrong_header=get(
        "/u", given="u exists", headers={"Accept": "application/json"})(test_wrong_header))
    result = _Capture()
    unittest.defaultTestLoader.loadTestsFromTestCase(cls).run(result)
    assert result.errors == [] and len(result.failures) == 1
    failure = result.exceptions["test_wrong_header"]
    assert type(failure) is AssertionError
    assert isinstance(failure.__cause__, requests.HTTPError)
    text = str(failure)
    assert text.startswith(failure.pact_verification.describe())  # type: ignore[attr-defined]
    assert text.splitlines()[0] == (
        "Pact verification failed: 1 mismatched request, 1 missing interaction")
    assert "Mismatched: GET /u for 'a request for /u' (given 'u exists')" in text
    assert "header 'Accept'" in text
    assert "The test body also raised HTTPError: 500" in text
    copy = pickle.loads(pickle.dumps(failure))
    assert str(copy) == text
    assert copy.pact_verification == failure.pact_verification  # type: ignore[attr-defined]
    assert not (tmp_path / "c-p.json").exists()  # nothing verified, nothing written


def test_class_level_interaction_applies_to_every_test_with_a_fresh_copy(tmp_path: Path) -> None:
    def test_a(self: Any) -> None:
        requests.get(self.mock_service_uri + "/shared")
        requests.get(self.mock_service_uri + "/a")

    def test_b(self: Any) -> None:
        requests.get(self.mock_service_uri + "/shared")

    def test_forgets_it(self: Any) -> None:
        pass

    cls = get("/shared")(make_class(tmp_path, test_a=get("/a")(test_a), test_b=test_b,
                                    test_forgets_it=test_forgets_it))
    result = run_case(cls)
    assert names(result.failures) == ["test_forgets_it"]
    assert "Missing: GET /shared" in result.failures[0][1]
    assert pact_descriptions(tmp_path) == ["a request for /a", "a request for /shared"]


def test_fluent_pact_inside_a_test_joins_the_decorated_interactions(tmp_path: Path) -> None:
    def test_both(self: Any) -> None:
        (self.pact.given("thing exists").upon_receiving("a fluent request")
             .with_request("GET", "/fluent").will_respond_with(200, body={"ok": True}))
        self.assertEqual(requests.get(self.mock_service_uri + "/fluent").json(), {"ok": True})
        requests.get(self.mock_service_uri + "/deco")

    def test_fluent_missing(self: Any) -> None:
        with self.pact:
            (self.pact.upon_receiving("never sent")
                 .with_request("GET", "/never").will_respond_with(200))

    cls = make_class(tmp_path, test_both=get("/deco")(test_both),
                     test_fluent_missing=test_fluent_missing)
    result = run_case(cls)
    assert names(result.failures) == ["test_fluent_missing"]
    assert "Missing: GET /never for 'never sent'" in result.failures[0][1]
    assert pact_descriptions(tmp_path) == ["a fluent request", "a request for /deco"]


def test_fluent_interactions_after_several_with_blocks_all_register(tmp_path: Path) -> None:
    # ``with self.pact:`` empties the interaction list; a new interaction dict may then get
    # the id of a freed one, which must not make it count as registered already.
    def test_blocks(self: Any) -> None:
        for i in range(40):
            (self.pact.upon_receiving(f"block {i}").with_request("GET", f"/b{i}")
                 .will_respond_with(200))
            with self.pact:
                self.assertEqual(requests.get(self.mock_service_uri + f"/b{i}").status_code, 200)

    result = run_case(make_class(tmp_path, test_blocks=test_blocks))
    assert result.failures == [] and result.errors == []
    assert len(pact_descriptions(tmp_path)) == 40


def test_teardown_failure_and_unexpected_success_are_not_written(tmp_path: Path) -> None:
    class Base(PactTestCase):
        consumer, provider, pact_dir = "C", "P", str(tmp_path)

        def tearDown(self) -> None:
            if self._testMethodName == "test_teardown_fails":
                raise RuntimeError("tearDown broke")

        @get("/t")
        def test_teardown_fails(self) -> None:
            requests.get(self.mock_service_uri + "/t")

        @unittest.expectedFailure
        @get("/x")
        def test_expected_failure_contract(self) -> None:
            pass  # the contract fails: an expected failure

        @unittest.expectedFailure
        @get("/y")
        def test_unexpected_success(self) -> None:
            requests.get(self.mock_service_uri + "/y")

        @get("/fine")
        def test_fine(self) -> None:
            requests.get(self.mock_service_uri + "/fine")

    result = run_case(Base)
    assert names(result.errors) == ["test_teardown_fails"]
    assert names(result.expectedFailures) == ["test_expected_failure_contract"]
    assert [t._testMethodName for t in result.unexpectedSuccesses] == ["test_unexpected_success"]
    assert pact_descriptions(tmp_path) == ["a request for /fine"]


def test_conflicting_interactions_in_one_class_fail_the_later_test(tmp_path: Path) -> None:
    def test_a(self: Any) -> None:
        requests.get(self.mock_service_uri + "/same")

    def test_b(self: Any) -> None:
        requests.get(self.mock_service_uri + "/same")

    other = interaction("a request for /same", with_request={"method": "GET", "path": "/same"},
                        will_respond_with={"status": 201})
    cls = make_class(tmp_path, test_a=get("/same")(test_a), test_b=other(test_b))
    result = run_case(cls)
    assert names(result.failures) == ["test_b"]
    assert "differs from the one" in result.failures[0][1]
    assert "test_a" in result.failures[0][1]


def test_missing_consumer_fails_setupclass_naming_the_class(tmp_path: Path,
                                                            monkeypatch: Any) -> None:
    monkeypatch.delenv("PACT_UNITTEST_CONSUMER", raising=False)
    cls = type("NoConsumer", (PactTestCase,), {"provider": "P", "test_x": lambda self: None})
    result = run_case(cls)
    assert len(result.errors) == 1
    assert "setUpClass" in str(result.errors[0][0])
    assert "NoConsumer needs a consumer" in result.errors[0][1]


def test_classes_share_a_service_per_settings(tmp_path: Path) -> None:
    uris: Dict[str, str] = {}

    def record(key: str) -> Any:
        def test_uri(self: Any) -> None:
            uris[key] = self.mock_service_uri

        return test_uri

    run_case(make_class(tmp_path, test_uri=record("a")))
    run_case(make_class(tmp_path, test_uri=record("b")))
    run_case(make_class(tmp_path, test_uri=record("v3"), specification_version="3.0.0"))
    assert uris["a"] == uris["b"] != uris["v3"]
    assert all(users == 0 for users in _registry.running().values())


def test_v3_provider_state_params(tmp_path: Path) -> None:
    def test_x(self: Any) -> None:
        requests.get(self.mock_service_uri + "/v3")

    deco = get("/v3", given={"user exists": {"id": 42}, "admin": None})
    run_case(make_class(tmp_path, test_x=deco(test_x), specification_version="3.0.0"))
    pact = json.loads((tmp_path / "c-p.json").read_text())
    assert pact["interactions"][0]["providerStates"] == [
        {"name": "user exists", "params": {"id": 42}}, {"name": "admin"}]
    assert pact["metadata"]["pactSpecification"]["version"] == "3.0.0"


def test_async_test_methods(tmp_path: Path) -> None:
    import asyncio

    class AsyncContract(PactMixin, unittest.IsolatedAsyncioTestCase):
        consumer, provider, pact_dir = "C", "P", str(tmp_path)

        @get("/async")
        async def test_ok(self) -> None:
            loop = asyncio.get_running_loop()
            reply = await loop.run_in_executor(None, requests.get, self.mock_service_uri + "/async")
            self.assertEqual(reply.status_code, 200)

        @get("/never")
        async def test_contract_fails(self) -> None:
            await asyncio.sleep(0)

    result = run_case(AsyncContract)
    assert result.errors == []
    assert names(result.failures) == ["test_contract_fails"]
    assert "Missing: GET /never" in result.failures[0][1]
    assert pact_descriptions(tmp_path) == ["a request for /async"]


def test_a_test_run_outside_a_suite_says_setupclass_did_not_run(tmp_path: Path) -> None:
    cls = make_class(tmp_path, test_x=get("/x")(lambda self: None))
    result = unittest.TestResult()
    cls("test_x").run(result)
    assert "setUpClass() has not run" in result.errors[0][1]


def test_the_test_method_is_left_unwrapped_after_the_run(tmp_path: Path) -> None:
    cls = make_class(tmp_path, test_x=lambda self: None)
    test = cls("test_x")
    suite = unittest.TestSuite([test])
    suite.run(unittest.TestResult())
    assert "test_x" not in test.__dict__


@pytest.fixture(autouse=True)
def _no_env_settings(monkeypatch: Any) -> None:
    for name in ("PACT_UNITTEST_PACT_DIR", "PACT_UNITTEST_SPECIFICATION_VERSION",
                 "PACT_UNITTEST_PORT", "PACT_UNITTEST_FILE_WRITE_MODE"):
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------------- what a run may publish


def test_run_notes_belong_to_one_run(tmp_path: Path) -> None:
    from pact_unittest.pact_file import note_run, run_notes

    path = tmp_path / "c-p.json"
    note_run(path, "run-1", "wrote A")
    note_run(path, "run-1", "failed x.y\nz")  # a line break cannot forge a second note
    assert run_notes(path, "run-1") == ["wrote A", "failed x.y z"]
    assert run_notes(path, "run-2") == []
    note_run(path, "run-2", "wrote B")  # a new run starts afresh
    assert run_notes(path, "run-2") == ["wrote B"]
    assert run_notes(path, "run-1") == []
    assert list(tmp_path.iterdir()) == []  # notes live in the state dir, not in pact_dir


_PUBLISHING: List[type] = []


@pytest.fixture(autouse=True)
def _no_publishing_at_exit() -> Any:
    """This test process's own exit must not try to publish a test's class (it would warn)."""
    from pact_unittest.testcase import writer as _writer

    before = dict(_writer._to_publish)
    yield
    _writer._to_publish.clear()
    _writer._to_publish.update(before)
    while _PUBLISHING:
        _PUBLISHING.pop().publish_to_broker = False  # type: ignore[attr-defined]


def _not_at_exit(monkeypatch: Any, cls: type) -> None:
    _PUBLISHING.append(cls)


def test_publishing_needs_a_write_of_this_run_and_no_failed_test_of_the_pair(
        tmp_path: Path, monkeypatch: Any) -> None:
    import uuid

    from pact_unittest.testcase import writer as _writer

    monkeypatch.setenv("PACT_UNITTEST_RUN_ID", uuid.uuid4().hex)

    def test_ok(self: Any) -> None:
        requests.get(self.mock_service_uri + "/ok")

    def test_skipped(self: Any) -> None:
        self.skipTest("a skip does not block publishing")

    @unittest.expectedFailure
    def test_expected(self: Any) -> None:
        pass  # its contract fails, as expected: no block either

    good = make_class(tmp_path, publish_to_broker=True, test_ok=get("/ok")(test_ok),
                      test_skipped=test_skipped, test_expected=get("/x")(test_expected))
    _not_at_exit(monkeypatch, good)
    result = run_case(good)
    assert result.wasSuccessful() and len(result.skipped) == 1, result.failures
    cfg = good._pact_settings  # type: ignore[attr-defined]
    assert _writer._reason_not_to_publish(cfg) is None

    def test_missing(self: Any) -> None:
        pass

    other = make_class(tmp_path, test_missing=get("/m")(test_missing))  # does not publish itself
    assert len(run_case(other).failures) == 1
    reason = _writer._reason_not_to_publish(cfg)
    assert reason is not None and "1 test of C-P failed in this run" in reason
    assert "Contract.test_missing" in reason and "can-i-deploy" in reason

    monkeypatch.setenv("PACT_UNITTEST_RUN_ID", uuid.uuid4().hex)  # the next run runs nothing
    reason = _writer._reason_not_to_publish(cfg)
    assert reason is not None and "this run wrote nothing to it" in reason


def test_a_failed_setupclass_blocks_publishing(tmp_path: Path, monkeypatch: Any) -> None:
    import uuid

    from pact_unittest.testcase import writer as _writer

    monkeypatch.setenv("PACT_UNITTEST_RUN_ID", uuid.uuid4().hex)

    class Broken(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            raise RuntimeError("no database")

    cls = make_class(tmp_path, base=type("Mixed", (PactMixin, Broken), {}),
                     publish_to_broker=True, test_x=lambda self: None)
    _not_at_exit(monkeypatch, cls)
    result = run_case(cls)
    assert len(result.errors) == 1
    reason = _writer._reason_not_to_publish(cls._pact_settings)  # type: ignore[attr-defined]
    assert reason is not None and "Contract.setUpClass" in reason


def test_an_incomplete_fluent_interaction_fails_the_test_as_v2_setup_would(tmp_path: Path) -> None:
    def test_no_request(self: Any) -> None:
        self.pact.given("x").upon_receiving("y")

    def test_no_response(self: Any) -> None:
        self.pact.given("x").upon_receiving("y").with_request("GET", "/x")
        requests.get(self.mock_service_uri + "/x")

    def test_complete(self: Any) -> None:
        self.pact.upon_receiving("z").with_request("GET", "/z").will_respond_with(200)
        requests.get(self.mock_service_uri + "/z")

    cls = make_class(tmp_path, test_no_request=test_no_request,
                     test_no_response=test_no_response, test_complete=test_complete)
    result = run_case(cls)
    assert result.errors == []
    assert names(result.failures) == ["test_no_request", "test_no_response"]
    messages = dict((t._testMethodName, text) for t, text in result.failures)
    assert ("Interaction incomplete, missing field(s): request, response ('y' given 'x')"
            in messages["test_no_request"])
    assert ".with_request(...)" in messages["test_no_request"]
    text = messages["test_no_response"]
    assert "Interaction incomplete, missing field(s): response ('y' given 'x')" in text
    # the request it caused is still reported, after the reason for it
    assert text.index("Interaction incomplete") < text.index("Unexpected: GET /x")
    assert pact_descriptions(tmp_path) == ["z"]


def test_a_bad_interaction_error_names_the_test_and_the_interaction_once(tmp_path: Path) -> None:
    def test_x(self: Any) -> None:
        pass

    decorated = interaction(given=("s", {"id": 1}), upon_receiving="x",
                            with_request={"method": "GET", "path": "/x"},
                            will_respond_with={"status": 200})(test_x)
    result = run_case(make_class(tmp_path, test_x=decorated))  # spec 2: no state params
    assert len(result.errors) == 1
    text = result.errors[0][1].strip().splitlines()[-1]
    assert text.startswith("ValueError: ") and "Contract.test_x: @interaction 'x': " in text
    assert "provider state parameters" in text and text.count("'x'") == 1, text


@pytest.mark.parametrize("inner, expected", [
    ("interaction 'x': bad state", "t.test: @interaction 'x': bad state"),
    ("request: missing in interaction 'x'", "t.test: @interaction: request: missing in interaction 'x'"),
    ("request.path: missing", "t.test: @interaction 'x': request.path: missing"),
])
def test_the_decorator_prefix_does_not_repeat_what_the_inner_message_says(inner: str,
                                                                           expected: str) -> None:
    from pact_unittest.testcase import _interaction_error

    assert str(_interaction_error("t.test", "x", ValueError(inner))) == expected


def test_ssl_class_exposes_the_certificate_a_verifying_client_trusts(tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    seen: Dict[str, Any] = {}

    def test_trusting(self: Any) -> None:
        seen["cert"] = self.mock_service_cert
        reply = requests.get(self.mock_service_uri + "/tls", verify=self.mock_service_cert)
        self.assertEqual(reply.json(), {"path": "/tls"})

    def test_not_trusting(self: Any) -> None:  # the default CA bundle does not know it
        with self.assertRaises(requests.exceptions.SSLError):
            requests.get(self.mock_service_uri + "/x")

    cls = make_class(tmp_path, ssl=True, test_trusting=get("/tls")(test_trusting),
                     test_not_trusting=test_not_trusting)
    result = run_case(cls)
    assert result.failures == [] and result.errors == [], result.failures + result.errors
    assert cls.mock_service_uri.startswith("https://127.0.0.1:")
    assert seen["cert"] == cls.mock_service_cert and Path(seen["cert"]).is_file()
    assert "BEGIN CERTIFICATE" in Path(seen["cert"]).read_text()
    assert pact_descriptions(tmp_path) == ["a request for /tls"]
    plain = make_class(tmp_path / "plain", test_trusting=get("/tls")(test_trusting))
    run_case(plain)
    assert plain.mock_service_cert is None


def test_a_chdir_in_a_test_does_not_move_the_next_class_s_pact_dir(tmp_path: Path,
                                                                    monkeypatch: Any) -> None:
    from pact_unittest.testcase import settings as _settings_table

    monkeypatch.setattr(_settings_table, "_base_dir", None)  # as in a fresh process
    monkeypatch.chdir(tmp_path)
    (tmp_path / "elsewhere").mkdir()

    def test_moving(self: Any) -> None:
        requests.get(self.mock_service_uri + "/one")
        os.chdir(tmp_path / "elsewhere")  # and never back

    def test_after(self: Any) -> None:
        requests.get(self.mock_service_uri + "/two")

    first = make_class(tmp_path, pact_dir="pacts", test_moving=get("/one")(test_moving))
    second = make_class(tmp_path, pact_dir="pacts", test_after=get("/two")(test_after))
    for cls in (first, second):
        result = run_case(cls)
        assert result.wasSuccessful(), result.failures + result.errors
    assert Path.cwd() == tmp_path / "elsewhere"
    assert second._pact_settings.pact_dir == str(tmp_path / "pacts")
    assert pact_descriptions(tmp_path / "pacts") == ["a request for /one", "a request for /two"]
    assert not (tmp_path / "elsewhere" / "pacts").exists()


def test_help_documents_the_attributes_and_pact_s_hooks() -> None:
    doc = PactMixin.__doc__ or ""
    for name in ("mock_service_uri", "mock_service_cert", "consumer", "file_write_mode", "README"):
        assert name in doc, name
    assert "docs/testcase.rst" not in doc  # not installed with the package
    for hook in (PactMixin.setUpClass, PactMixin.run, PactMixin.debug):
        assert (hook.__doc__ or "").startswith("Pact:"), hook  # not unittest's "Hook method..."


def test_a_busy_fixed_port_suggests_port_0(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        cls = make_class(tmp_path, port=port, test_x=lambda self: None)
        result = run_case(cls)
    assert len(result.errors) == 1, result.errors
    text = result.errors[0][1]
    assert f"127.0.0.1:{port}" in text and "use port 0" in text, text
    assert "parallel runner" in text


def test_a_stray_request_from_an_earlier_test_s_thread_is_named_as_such(tmp_path: Path) -> None:
    import threading

    go = threading.Event()
    threads: List[threading.Thread] = []

    def test_1(self: Any) -> None:
        uri = self.mock_service_uri
        requests.get(uri + "/a")

        def late() -> None:  # a background job that outlives its test
            go.wait(30)
            requests.get(uri + "/a")

        threads.append(threading.Thread(target=late, daemon=True))
        threads[0].start()

    def test_2(self: Any) -> None:
        requests.get(self.mock_service_uri + "/b")
        go.set()
        threads[0].join(30)

    cls = make_class(tmp_path, test_1=get("/a")(test_1), test_2=get("/b")(test_2))
    result = _Capture()
    unittest.defaultTestLoader.loadTestsFromTestCase(cls).run(result)
    assert result.errors == [] and names(result.failures) == ["test_2"], result.failures
    text = result.failures[0][1]
    test_1_id = f"{cls.__module__}.{cls.__qualname__}.test_1"
    assert "Unexpected: GET /a\n    matches 'a request for /a' of an earlier test " \
           f"({test_1_id}): a request sent after that test ended (a background thread?)" in text
    assert "closest interaction: 'a request for /b'" in text  # still shown
    from pact_unittest.model.verification import Verification

    verification = result.exceptions["test_2"].pact_verification  # type: ignore[attr-defined]
    assert verification.unexpected[0].earlier.test == test_1_id
    assert Verification.from_json(verification.to_json()) == verification
    assert pickle.loads(pickle.dumps(verification)) == verification


def test_an_unexpected_request_of_no_earlier_test_says_nothing_of_them(tmp_path: Path) -> None:
    def test_1(self: Any) -> None:
        requests.get(self.mock_service_uri + "/a")

    def test_2(self: Any) -> None:
        requests.get(self.mock_service_uri + "/b")
        requests.get(self.mock_service_uri + "/c")

    cls = make_class(tmp_path, test_1=get("/a")(test_1), test_2=get("/b")(test_2))
    result = run_case(cls)
    assert names(result.failures) == ["test_2"]
    assert "Unexpected: GET /c" in result.failures[0][1]
    assert "earlier test" not in result.failures[0][1]
