"""Every parameter of ``Pact``/``has_pact_with`` on the embedded mock service (the default).

ssl (with the generated certificate and with the user's own), cors, log_dir, pact_dir,
spec 1/2/3, overwrite and merge, port 0, a busy port, stop twice, and what failures say.
"""
from __future__ import annotations

import json
import socket

import pytest
import requests

from pact_unittest.v2.consumer import Consumer
from pact_unittest.matchers import EachLike, Like, Term
from pact_unittest.v2.provider import Provider


def _pact(tmp_path, **kwargs):
    kwargs.setdefault("host_name", "127.0.0.1")
    kwargs.setdefault("port", 0)
    kwargs.setdefault("pact_dir", str(tmp_path))
    return Consumer("C").has_pact_with(Provider("P"), **kwargs)


@pytest.fixture
def started(request, tmp_path):
    pacts = []

    def start(**kwargs):
        pact = _pact(tmp_path, **kwargs)
        pact.start_service()
        pacts.append(pact)
        return pact

    yield start
    for pact in pacts:
        pact.stop_service()


def _define_user(pact, description="a request for user 1", state="user 1 exists"):
    (pact.given(state).upon_receiving(description)
     .with_request("get", "/users/1", headers={"Accept": "application/json"})
     .will_respond_with(200, headers={"Content-Type": "application/json"},
                        body=Like({"id": 1, "name": "Ada", "tags": EachLike("x")})))


def _get_user(pact, **kwargs):
    kwargs.setdefault("headers", {"Accept": "application/json"})
    return requests.get(pact.uri + "/users/1", **kwargs)


def _pact_file(tmp_path):
    return json.loads((tmp_path / "c-p.json").read_text())


def test_flow_writes_the_pact_and_port_0_shows_the_real_port(started, tmp_path):
    pact = started()
    assert pact.uri.startswith("http://127.0.0.1:") and not pact.uri.endswith(":0")
    assert pact.port == 0
    _define_user(pact)
    with pact:
        assert _get_user(pact).json() == {"id": 1, "name": "Ada", "tags": ["x"]}
    written = _pact_file(tmp_path)
    assert written["metadata"]["pactSpecification"]["version"] == "2.0.0"
    (interaction,) = written["interactions"]
    assert interaction["providerState"] == "user 1 exists"
    assert interaction["response"]["matchingRules"]["$.body"] == {"match": "type"}
    assert pact._interactions == []


def test_pact_dir_defaults_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pact = Consumer("C").has_pact_with(Provider("P"), host_name="127.0.0.1", port=0)
    pact.start_service()
    try:
        _define_user(pact)
        with pact:
            _get_user(pact)
    finally:
        pact.stop_service()
    assert (tmp_path / "c-p.json").exists()
    assert not (tmp_path / "pact-mock-service.log").exists()  # no log unless asked for


def test_several_interactions_before_one_with_block(started, tmp_path):
    pact = started()
    _define_user(pact)
    (pact.upon_receiving("a request to delete user 2").with_request("delete", "/users/2")
     .will_respond_with(204))
    with pact:
        _get_user(pact)
        assert requests.delete(pact.uri + "/users/2").status_code == 204
    assert sorted(i["description"] for i in _pact_file(tmp_path)["interactions"]) == [
        "a request for user 1", "a request to delete user 2"]


def test_verification_failure_lists_missing_unexpected_and_mismatched(started, tmp_path):
    pact = started()
    _define_user(pact)
    (pact.upon_receiving("a request to create a user")
     .with_request("post", "/users", body={"name": Term("[A-Z][a-z]+", "Ada")})
     .will_respond_with(201))
    (pact.upon_receiving("a request for the user list").with_request("get", "/users")
     .will_respond_with(200))
    with pytest.raises(AssertionError) as info:
        with pact:
            requests.post(pact.uri + "/users", json={"name": "ada"})
            requests.get(pact.uri + "/nowhere")
            requests.get(pact.uri + "/users")
    message = str(info.value)
    first = message.splitlines()[0]
    assert first.startswith("Pact verification failed:"), message
    assert "1 mismatched" in first and "missing" in first and "1 unexpected" in first
    assert "POST /users" in message and "$.name" in message, message
    assert "GET /nowhere" in message
    assert "/users/1" in message and "a request for user 1" in message
    assert not (tmp_path / "c-p.json").exists() or "a request to create a user" not in (
        tmp_path / "c-p.json").read_text()


def test_no_verification_when_the_with_block_raises(started, tmp_path):
    pact = started()
    _define_user(pact)
    with pytest.raises(KeyError):
        with pact:
            raise KeyError("the test's own error wins")
    assert pact._interactions == []
    assert not (tmp_path / "c-p.json").exists()


def test_busy_port_fails_at_once_naming_the_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        pact = _pact(tmp_path, port=port)
        with pytest.raises(OSError, match=str(port)):
            pact.start_service()
        pact.stop_service()


def test_stop_service_twice_or_without_start_is_harmless(tmp_path):
    pact = _pact(tmp_path)
    pact.stop_service()
    pact.start_service()
    pact.start_service()  # already running: nothing happens
    pact.stop_service()
    pact.stop_service()


def test_ssl_with_the_generated_certificate(started):
    pact = started(ssl=True)
    assert pact.uri.startswith("https://127.0.0.1:")
    _define_user(pact)
    with pact:
        assert _get_user(pact, verify=False).status_code == 200


def test_ssl_with_the_users_certificate(started, tmp_path):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = (tmp_path / "cert.pem", tmp_path / "key.pem",
                                    tmp_path / "ca.pem")
    cert_file.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    key_file.write_bytes(cert.private_key_pem.bytes())
    ca_file.write_bytes(ca.cert_pem.bytes())
    pact = started(ssl=True, sslcert=str(cert_file), sslkey=str(key_file))
    _define_user(pact)
    with pact:
        assert _get_user(pact, verify=str(ca_file)).status_code == 200


def test_cors_answers_preflights_and_adds_headers(started):
    pact = started(cors=True)
    _define_user(pact)
    with pact:
        preflight = requests.options(pact.uri + "/users/1", headers={
            "Origin": "http://app.test", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept"})
        assert preflight.status_code == 200
        assert preflight.headers["Access-Control-Allow-Origin"] == "http://app.test"
        answer = _get_user(pact, headers={"Accept": "application/json",
                                          "Origin": "http://app.test"})
        assert answer.headers["Access-Control-Allow-Origin"] == "http://app.test"


def test_without_cors_an_options_request_is_just_unexpected(started):
    pact = started()
    (pact.upon_receiving("nothing").with_request("get", "/a").will_respond_with(200))
    with pytest.raises(AssertionError, match="OPTIONS /users/1"):
        with pact:
            requests.get(pact.uri + "/a")
            requests.options(pact.uri + "/users/1", headers={
                "Origin": "http://app.test", "Access-Control-Request-Method": "GET"})


def test_log_dir_gets_a_log_file(started, tmp_path):
    logs = tmp_path / "logs"
    pact = started(log_dir=str(logs))
    assert pact.log_dir == str(logs)
    _define_user(pact)
    with pact:
        _get_user(pact)
    pact.stop_service()
    files = [p for p in logs.iterdir() if p.is_file()]
    assert files and any(p.stat().st_size > 0 for p in files)


@pytest.mark.parametrize("spec", ["1.0.0", "1.1.0", "2.0.0", "3.0.0"])
def test_specification_versions(started, tmp_path, spec):
    pact = started(specification_version=spec)
    _define_user(pact)
    with pact:
        _get_user(pact)
    written = _pact_file(tmp_path)
    # Ruby writes 1.0.0 for both 1.x versions; so do we.
    assert written["metadata"]["pactSpecification"]["version"] == spec.replace("1.1.0", "1.0.0")
    (interaction,) = written["interactions"]
    rules = interaction["response"].get("matchingRules")
    if spec.startswith("1"):
        assert rules is None and interaction["providerState"] == "user 1 exists"
    elif spec == "2.0.0":
        assert rules["$.body"] == {"match": "type"}
    else:
        assert rules["body"]["$"]["matchers"] == [{"match": "type"}]
        assert interaction["providerStates"] == [{"name": "user 1 exists"}]


def test_spec_3_provider_state_parameters(started, tmp_path):
    pact = started(specification_version="3.0.0")
    (pact.given("user exists", id=1, name="Ada").upon_receiving("a request for user 1")
     .with_request("get", "/users/1").will_respond_with(200, body={"id": 1}))
    with pact:
        requests.get(pact.uri + "/users/1")
    (interaction,) = _pact_file(tmp_path)["interactions"]
    assert interaction["providerStates"] == [
        {"name": "user exists", "params": {"id": 1, "name": "Ada"}}]


def _one_run(tmp_path, monkeypatch, run_id, description, mode):
    monkeypatch.setenv("PACT_UNITTEST_RUN_ID", run_id)
    pact = _pact(tmp_path, file_write_mode=mode)
    pact.start_service()
    try:
        _define_user(pact, description=description)
        with pact:
            _get_user(pact)
    finally:
        pact.stop_service()
    return sorted(i["description"] for i in _pact_file(tmp_path)["interactions"])


def test_overwrite_replaces_a_previous_runs_file(tmp_path, monkeypatch):
    assert _one_run(tmp_path, monkeypatch, "run-1", "old test", "overwrite") == ["old test"]
    assert _one_run(tmp_path, monkeypatch, "run-2", "new test", "overwrite") == ["new test"]


def test_merge_keeps_a_previous_runs_interactions(tmp_path, monkeypatch):
    assert _one_run(tmp_path, monkeypatch, "run-1", "old test", "merge") == ["old test"]
    assert _one_run(tmp_path, monkeypatch, "run-2", "new test", "merge") == [
        "new test", "old test"]


def test_stop_service_publishes_to_the_broker_when_asked(tmp_path):
    from fake_broker import FakeBroker

    with FakeBroker(username="u", password="pw") as broker:
        consumer = Consumer("C", version="1.2.3", branch="main", tags=["prod"])
        pact = consumer.has_pact_with(
            Provider("P"), host_name="127.0.0.1", port=0, pact_dir=str(tmp_path),
            publish_to_broker=True, broker_base_url=broker.url, broker_username="u",
            broker_password="pw")
        pact.start_service()
        _define_user(pact)
        with pact:
            _get_user(pact)
        pact.stop_service()
    assert list(broker.pacts) == [("C", "P", "1.2.3")]
    assert broker.pacts[("C", "P", "1.2.3")]["interactions"][0]["description"] == (
        "a request for user 1")


def test_publish_to_broker_without_a_broker_url_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("PACT_BROKER_BASE_URL", raising=False)
    pact = _pact(tmp_path, publish_to_broker=True)
    pact.start_service()
    with pytest.raises(RuntimeError, match="PACT_BROKER_BASE_URL"):
        pact.stop_service()
    assert pact._backend is None


def test_v3_matchers_through_the_v2_api(started, tmp_path):
    from pact_unittest.matchers import Boolean, Date, Decimal, Include, Integer

    pact = started(specification_version="3.0.0")
    (pact.given("an order exists", id=5).upon_receiving("a request for order 5")
     .with_request("get", "/orders/5", query={"expand": ["lines"]})
     .will_respond_with(200, body={"id": Integer(5), "total": Decimal(9.5),
                                   "paid": Boolean(True), "due": Date("yyyy-MM-dd", "2024-01-31"),
                                   "note": Include("urgent")}))
    with pact:
        answer = requests.get(pact.uri + "/orders/5?expand=lines").json()
    assert answer == {"id": 5, "total": 9.5, "paid": True, "due": "2024-01-31",
                      "note": "urgent"}
    (interaction,) = _pact_file(tmp_path)["interactions"]
    assert interaction["request"]["query"] == {"expand": ["lines"]}
    rules = interaction["response"]["matchingRules"]["body"]
    assert rules["$.id"]["matchers"] == [{"match": "integer"}]
    assert rules["$.note"]["matchers"] == [{"match": "include", "value": "urgent"}]


# ----------------------------------------------------------------------------- binary bodies

#: Not UTF-8, so the spec 1-3 writer stores them as base64 text, as the Rust core does.
UPLOAD = bytes(range(256)) * 2
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(128, 256))


def _base64_body(content, content_type):
    import base64

    return {"content": base64.b64encode(content).decode("ascii"), "contentType": content_type,
            "encoded": "base64"}


def _binary_pact(started, spec, upload=UPLOAD):
    pact = started(specification_version=spec)
    (pact.upon_receiving("an image upload")
     .with_request("post", "/images", body=_base64_body(upload, "application/octet-stream"))
     .will_respond_with(201, body=_base64_body(PNG, "image/png")))
    with pact:
        answer = requests.post(pact.uri + "/images", data=upload,
                               headers={"Content-Type": "application/octet-stream"})
        assert answer.status_code == 201 and answer.content == PNG
        assert answer.headers["Content-Type"] == "image/png"
    return pact


class _BinaryProvider:
    """Answers POST /images with PNG when the body is exactly ``expected``, else 400."""

    def __init__(self, expected):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.received.append(body)
                ok = body == expected
                data = PNG if ok else b"unexpected upload"
                self.send_response(201 if ok else 400)
                self.send_header("Content-Type", "image/png" if ok else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("spec", ["1.0.0", "2.0.0", "3.0.0", "4.0"])
def test_binary_bodies_as_base64_body_objects(started, tmp_path, spec):
    _binary_pact(started, spec)   # the mock compares and serves the decoded bytes
    (interaction,) = _pact_file(tmp_path)["interactions"]
    if spec == "4.0":
        assert interaction["request"]["body"] == _base64_body(UPLOAD, "application/octet-stream")
        assert interaction["response"]["body"] == _base64_body(PNG, "image/png")
        return
    import base64

    assert base64.b64decode(interaction["request"]["body"]) == UPLOAD
    assert base64.b64decode(interaction["response"]["body"]) == PNG
    assert interaction["request"]["headers"]["Content-Type"] == "application/octet-stream"
    assert interaction["response"]["headers"]["Content-Type"] == "image/png"


@pytest.mark.reference
@pytest.mark.parametrize("spec", ["1.0.0", "2.0.0"])
def test_rusts_verifier_verifies_spec_1_and_2_binary_bodies_and_rubys_cannot(started, tmp_path,
                                                                              spec):
    """Why binary bodies are allowed for spec 1 and 2 (README, "Binary bodies")."""
    import reference

    rust = reference.require_rust()
    ruby = reference.require_ruby_verifier()
    assert rust and ruby
    _binary_pact(started, spec)
    provider = _BinaryProvider(UPLOAD)
    try:
        ok, output = reference.verify_with_rust(tmp_path / "c-p.json", "127.0.0.1",
                                                provider.port, provider_name="P")
        assert ok, output
        assert provider.received == [UPLOAD]
        provider.received.clear()
        ok, output = reference.verify_with_ruby(tmp_path / "c-p.json",
                                                f"http://127.0.0.1:{provider.port}")
        assert not ok
        assert provider.received and provider.received[0] != UPLOAD  # Ruby sends base64 text
    finally:
        provider.close()


@pytest.mark.reference
def test_rusts_verifier_verifies_a_binary_body_that_happens_to_be_utf8(started, tmp_path):
    import reference

    reference.require_rust()
    upload = b"abcdefgh"
    _binary_pact(started, "2.0.0", upload=upload)
    provider = _BinaryProvider(upload)
    try:
        ok, output = reference.verify_with_rust(tmp_path / "c-p.json", "127.0.0.1",
                                                provider.port, provider_name="P")
    finally:
        provider.close()
    assert ok, output
