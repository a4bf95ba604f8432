"""Our provider verifier, end to end: pacts our consumer side writes, replayed against a real
HTTP provider (``tests/provider_app.py``) or a WSGI application called in process; states by
URL (Ruby and Rust protocols) and by function; reports; v2's ``Verifier``; the command line."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any, Dict, List
from xml.etree import ElementTree

import pytest

from provider_app import ProviderApp
from test_verifiers import STATE, provider, write_pact_with_ours

from pact_unittest.verifier import (ProviderVerifier, StateCallback, StateChangeUrl,
                                    Verifier, render_json, render_junit, render_text)

REPO = pathlib.Path(__file__).resolve().parent.parent


def _pact(interactions: List[Dict[str, Any]], spec: str = "2.0.0") -> Dict[str, Any]:
    return {"consumer": {"name": "C"}, "provider": {"name": "P"}, "interactions": interactions,
            "metadata": {"pactSpecification": {"version": spec}}}


@pytest.mark.parametrize("spec", ["1.0.0", "2.0.0", "3.0.0", "4.0.0"])
@pytest.mark.parametrize("style", ["ruby", "rust"])
def test_our_pacts_verify_against_a_provider_that_honours_them(spec: str, style: str,
                                                               tmp_path: pathlib.Path) -> None:
    path = write_pact_with_ours(tmp_path, spec)
    app = provider(exact=spec < "2")
    try:
        report = ProviderVerifier("P", app.base_url,
                                  states=StateChangeUrl(app.states_url, style=style)).verify([path])
        assert report.success, render_text(report)
        assert report.counts()["passed"] == len(json.loads(path.read_text())["interactions"])
        assert STATE in json.dumps(app.state_calls)
        if style == "ruby":  # Ruby's protocol: once per interaction, also without a state
            assert {"consumer": "C", "state": None, "states": [None], "params": {}} in app.state_calls
        else:
            assert any(c.get("action") == "teardown" for c in app.state_calls)
        if spec >= "3":
            assert any(c.get("state") == "an account exists" and c.get("params") == {"id": 5}
                       for c in app.state_calls), app.state_calls
    finally:
        app.stop()


@pytest.mark.parametrize("spec", ["2.0.0", "3.0.0", "4.0.0"])
def test_a_broken_provider_fails_with_the_json_path_expected_and_actual(
        spec: str, tmp_path: pathlib.Path) -> None:
    path = write_pact_with_ours(tmp_path, spec)
    app = provider(exact=False, broken=True)
    try:
        report = ProviderVerifier("P", app.base_url, states=StateChangeUrl(app.states_url)).verify(path)
    finally:
        app.stop()
    assert report.exit_code == 1
    failed = report.failures()
    assert [r.description for r in failed] == ["a request for user 42"]
    (mismatch,) = failed[0].mismatches
    assert (mismatch.kind, mismatch.path, mismatch.expected, mismatch.actual) == ("body", "$.id", 42, "42")
    text = render_text(report)
    assert "Body had differences" in text and "$.id" in text and "verification FAILED" in text


def test_without_the_state_setup_the_provider_answers_404_and_the_status_fails(
        tmp_path: pathlib.Path) -> None:
    path = write_pact_with_ours(tmp_path, "2.0.0")
    app = provider(exact=False)
    try:
        report = ProviderVerifier("P", app.base_url).verify([path])
    finally:
        app.stop()
    (failed,) = report.failures()
    assert failed.problems()[0] == "Response status did not match"
    assert any("no provider state handler for 'user 42 exists'" in w for w in failed.warnings)


def _wsgi_app(seen: List[str]) -> Any:
    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        seen.append(environ["PATH_INFO"] + "?" + environ["QUERY_STRING"] + " " +
                    environ.get("HTTP_AUTHORIZATION", "-"))
        if environ["PATH_INFO"].startswith("/users/"):
            user_id = int(environ["PATH_INFO"].rsplit("/", 1)[1])
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"id": user_id, "name": "Grace"}).encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"nothing here"]
    return app


def test_provider_state_values_fill_provider_state_generators_in_process() -> None:
    pact = _pact([{
        "description": "a user by id",
        "providerStates": [{"name": "a user exists", "params": {"name": "Grace"}}],
        "request": {"method": "GET", "path": "/users/1",
                    "generators": {"path": {"type": "ProviderState", "expression": "/users/${id}"}}},
        "response": {"status": 200, "body": {"id": 1, "name": "Grace"},
                     "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}},
    }], "3.0.0")
    seen: List[str] = []
    calls: List[Any] = []

    def user_exists(params: Dict[str, Any]) -> Dict[str, Any]:
        calls.append(params)
        return {"id": 77}

    def add_token(request: Any) -> None:
        request.headers["Authorization"] = "Bearer t0k3n"

    report = ProviderVerifier("P", _wsgi_app(seen), states={"a user exists": user_exists},
                              request_filter=add_token).verify(pact)
    assert report.success, render_text(report)
    assert calls == [{"name": "Grace"}]
    assert seen == ["/users/77? Bearer t0k3n"]


def test_a_failing_state_setup_fails_the_interaction_and_skips_its_teardown() -> None:
    actions: List[str] = []

    def callback(name: str, params: Dict[str, Any], action: str) -> None:
        actions.append(f"{action} {name}")
        if action == "setup":
            raise RuntimeError("database is down")

    pact = _pact([{"description": "d", "providerState": "s1",
                   "request": {"method": "GET", "path": "/users/1"},
                   "response": {"status": 200}}])
    report = ProviderVerifier("P", _wsgi_app([]), states=StateCallback(callback)).verify(pact)
    (result,) = report.results
    assert result.status == "failed" and actions == ["setup s1"]
    assert result.problems() == ["State change request failed",
                                 "  the state change callback for 's1' raised RuntimeError: database is down"]


def test_filters_by_description_and_state_also_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    items = [{"description": f"request {n}", "providerState": f"state {n}",
              "request": {"method": "GET", "path": f"/users/{n}"},
              "response": {"status": 200}} for n in (1, 2, 3)]
    ran = lambda **kw: [r.description for r in ProviderVerifier(  # noqa: E731
        "P", _wsgi_app([]), **kw).verify(_pact(items)).results]
    assert ran(description="request [12]") == ["request 1", "request 2"]
    assert ran(state="^state 3$") == ["request 3"]
    monkeypatch.setenv("PACT_DESCRIPTION", "request 2")
    assert ran() == ["request 2"]


def test_pending_pacts_report_failures_without_failing_the_run() -> None:
    from pact_unittest.verifier import load_pacts

    (source,) = load_pacts([_pact([{"description": "d", "request": {"method": "GET", "path": "/nope"},
                                    "response": {"status": 200}}])])
    source.pending = True
    report = ProviderVerifier("P", _wsgi_app([])).verify([source])
    assert report.results[0].status == "pending" and report.exit_code == 0
    assert "FAILED (pending)" in render_text(report)


@pytest.mark.parametrize("content,problem", [
    (None, "cannot read pact file"),
    (b"{not json", "is not a valid pact file (not UTF-8 JSON"),
    (b'{"consumer": {"name": "C"}}', "has neither 'interactions' nor 'messages'"),
    (b'{"interactions": {}}', "'interactions' is not a list"),
])
def test_an_unreadable_pact_is_an_error_naming_the_file(content: Any, problem: str,
                                                        tmp_path: pathlib.Path) -> None:
    path = tmp_path / "c-p.json"
    if content is not None:
        path.write_bytes(content)
    report = ProviderVerifier("P", _wsgi_app([])).verify([path])
    assert report.exit_code == 2
    assert str(path) in report.errors[0] and problem in report.errors[0]


def test_one_unreadable_interaction_fails_alone() -> None:
    pact = _pact([
        {"description": "bad regex", "request": {"method": "GET", "path": "/users/1"},
         "response": {"status": 200, "matchingRules": {"$.body.id": {"match": "regex", "regex": "(*"}}}},
        {"description": "fine", "request": {"method": "GET", "path": "/users/1"},
         "response": {"status": 200}}])
    report = ProviderVerifier("P", _wsgi_app([])).verify(pact)
    assert [r.status for r in report.results] == ["failed", "passed"]
    assert "bad regex" in report.results[0].problems()[1]


def test_reports_as_json_and_junit_xml() -> None:
    pact = _pact([{"description": "ok", "request": {"method": "GET", "path": "/users/1"},
                   "response": {"status": 200}},
                  {"description": "broken", "request": {"method": "GET", "path": "/users/2"},
                   "response": {"status": 200, "body": {"id": 3}}}])
    report = ProviderVerifier("P", _wsgi_app([])).verify(pact)
    data = json.loads(render_json(report))
    assert data["counts"] == {"passed": 1, "failed": 1, "pending": 0, "skipped": 0}
    broken = data["pacts"][0]["interactions"][1]
    assert broken["mismatches"][0]["path"] == "$.id" and broken["mismatches"][0]["actual"] == 2
    suite = ElementTree.fromstring(render_junit(report)).find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    assert suite.findall("testcase")[1].find("failure") is not None


def test_v2_verifier_runs_a_pact_python_2_verification_unchanged(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture) -> None:
    path = write_pact_with_ours(tmp_path, "2.0.0")
    app = provider(exact=False)
    try:
        verifier = Verifier(provider="P", provider_base_url=app.base_url)
        code, logs = verifier.verify_pacts(str(path), provider_states_setup_url=app.states_url,
                                           headers=["X-Api-Key: secret"], verbose=False)
        assert code == 0 and "verification succeeded" in logs
        assert "verification succeeded" in capsys.readouterr().out
        broken = provider(exact=False, broken=True)
        try:
            code, logs = Verifier("P", broken.base_url).verify_pacts(
                str(path), provider_states_setup_url=broken.states_url)
        finally:
            broken.stop()
        assert code == 1 and "$.id" in logs
        with pytest.raises(Exception, match=r"Missing pact files \['nope.json'\]"):
            verifier.verify_pacts("nope.json")
        with pytest.raises(Exception, match="publish_version"):
            verifier.verify_pacts(str(path), publish_verification_results=True)
    finally:
        app.stop()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pact_unittest", "verify", *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                          timeout=60)


def test_the_command_line_exit_codes_messages_and_reports(tmp_path: pathlib.Path) -> None:
    path = write_pact_with_ours(tmp_path, "2.0.0")
    app = provider(exact=False)
    try:
        report_file = tmp_path.parent / f"{tmp_path.name}-report.json"
        done = _cli(str(path), "--provider-base-url", app.base_url,
                    "--provider-states-setup-url", app.states_url, "--json", str(report_file))
        assert done.returncode == 0, done.stdout + done.stderr
        assert json.loads(report_file.read_text())["success"] is True
        done = _cli(str(tmp_path), "--provider-base-url", app.base_url)  # a directory, no states
        assert done.returncode == 1 and "Response status did not match" in done.stdout
    finally:
        app.stop()
    done = _cli("--provider-base-url", "http://127.0.0.1:9")
    assert done.returncode == 1 and "You must supply at least one pact file" in done.stdout
    assert "Aborted!" in done.stderr
    done = _cli("missing.json", "--provider-base-url", "http://127.0.0.1:9")
    assert done.returncode == 1 and "could not be found:\nmissing.json" in done.stdout
    done = _cli(str(path), "--provider-base-url", "http://127.0.0.1:9", "-r")
    assert done.returncode == 1 and "Provider application version is required" in done.stdout
    broken = tmp_path / "more" / "broken.json"
    broken.parent.mkdir()
    broken.write_text("{")
    done = _cli(str(broken), "--provider-base-url", "http://127.0.0.1:9")
    assert done.returncode == 2 and "broken.json is not a valid pact file" in done.stdout
    done = _cli()
    assert done.returncode == 2 and "--provider-base-url" in done.stderr


def test_an_unreachable_provider_is_a_failure_naming_it(tmp_path: pathlib.Path) -> None:
    path = write_pact_with_ours(tmp_path, "2.0.0")
    report = ProviderVerifier("P", "http://127.0.0.1:9", timeout=2).verify([path])
    assert report.exit_code == 1
    assert all(r.problems()[0] == "Request to provider failed" for r in report.results)
    assert "http://127.0.0.1:9" in report.results[0].problems()[1]


def test_app_fixture_is_a_real_server() -> None:
    with ProviderApp() as app:
        app.add("GET", "/x", 200, {"a": 1}, {"Content-Type": "application/json"})
        report = ProviderVerifier("P", app.base_url).verify(_pact([
            {"description": "x", "request": {"method": "GET", "path": "/x"},
             "response": {"status": 200, "body": {"a": 1}}}]))
    assert report.success and app.requests == ["GET /x"]


class _PactServer:
    """Serves one pact at /pact.json to the right credentials only."""

    def __init__(self, pact: Dict[str, Any], authorization: str) -> None:
        from _http_test_server import QuietHandler, ThreadedServer

        body = json.dumps(pact).encode()

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                ok = self.headers.get("Authorization") == authorization
                self.send_response(200 if ok else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body) if ok else 0))
                self.end_headers()
                if ok:
                    self.wfile.write(body)

        self.server = ThreadedServer()
        self.port = self.server._serve(("127.0.0.1", 0), Handler, name="pact-server").server_address[1]


def test_pacts_by_url_with_basic_auth_or_a_token_and_no_credentials_shown() -> None:
    import base64

    from pact_unittest.verifier import PactSourceError, load_pacts

    pact = _pact([{"description": "x", "request": {"method": "GET", "path": "/users/1"},
                   "response": {"status": 200}}])
    basic = "Basic " + base64.b64encode(b"ann:pw-123").decode()
    served = _PactServer(pact, basic)
    try:
        url = f"http://127.0.0.1:{served.port}/pact.json"
        (source,) = load_pacts([url], auth=("ann", "pw-123"))
        assert source.consumer == "C"
        (source,) = load_pacts([url.replace("http://", "http://ann:pw-123@")])
        assert "pw-123" not in source.origin
        with pytest.raises(PactSourceError, match="HTTP 401 \\(check the credentials\\)") as caught:
            load_pacts([url.replace("http://", "http://ann:wrong-pw@")])
        assert "wrong-pw" not in str(caught.value)
    finally:
        served.server.stop()
    token = _PactServer(pact, "Bearer tok-9")
    try:
        (source,) = load_pacts([f"http://127.0.0.1:{token.port}/pact.json"], auth="tok-9")
        assert source.provider == "P"
    finally:
        token.server.stop()


def test_the_http_transport_reopens_a_keep_alive_connection_the_provider_closed() -> None:
    """A provider that drops idle keep-alive connections (without saying so) is asked again
    on a new connection, once; a provider that is gone is a failure naming it."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    import threading

    from pact_unittest.verifier import HttpTransport, ProviderRequest, ProviderUnreachable

    seen: List[str] = []

    class Rude(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization", "-"))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            self.close_connection = True   # closes without a Connection: close header

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Rude)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    transport = HttpTransport(f"http://ann:pw@127.0.0.1:{server.server_address[1]}/api")
    try:
        answers = [transport.send(ProviderRequest("GET", "/x")) for _ in range(3)]
        assert [a.status for a in answers] == [200, 200, 200] and answers[0].body == b"ok"
        assert seen == ["Basic YW5uOnB3"] * 3 and "pw" not in transport.description
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(ProviderUnreachable, match=r"GET http://127\.0\.0\.1:\d+/api/x: "):
        transport.send(ProviderRequest("GET", "/x"))
    transport.close()


def test_the_http_transport_verifies_tls_certificates_unless_told_not_to(tmp_path: pathlib.Path) -> None:
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    pytest.importorskip("cryptography")
    from pact_unittest.mock_service._tls import self_signed_files
    from pact_unittest.verifier import HttpTransport, ProviderRequest, ProviderUnreachable

    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    cert, key = self_signed_files("127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"https://127.0.0.1:{server.server_address[1]}"
    try:
        with pytest.raises(ProviderUnreachable, match="CERTIFICATE_VERIFY_FAILED"):
            HttpTransport(url).send(ProviderRequest("GET", "/"))
        assert HttpTransport(url, verify_tls=False).send(ProviderRequest("GET", "/")).status == 204
    finally:
        server.shutdown()
        server.server_close()


def test_a_pact_python_2_pact_verifier_command_line_runs_unchanged(tmp_path: pathlib.Path) -> None:
    """The command line a v2 pipeline runs, flags spelled as v2's click took them."""
    script = pathlib.Path(sys.executable).parent / "pact-verifier"
    if not script.exists():
        pytest.skip("the pact-verifier script is not installed in this environment")
    path = write_pact_with_ours(tmp_path, "2.0.0")
    app = provider(exact=False)
    try:
        done = subprocess.run(
            [str(script), f"--provider-base-url={app.base_url}", f"--pact-url={path}",
             f"--provider-states-setup-url={app.states_url}", "--provider=P",
             "--custom-provider-header=X-Api-Key: k", "--no-enable-pending", "--verbose",
             "--log-dir", str(tmp_path / "logs"), "--log-level", "INFO", "-t", "10"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        app.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verification succeeded" in done.stdout
    assert "verification succeeded" in (tmp_path / "logs" / "pact.log").read_text()
