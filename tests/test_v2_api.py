"""The pact-python v2 API (issue 4): surface, interaction building and the embedded backend.

Surface tests compare with pact-python 2.3.3 itself (run in the reference virtualenv) where
that is possible, so "the same as v2" is checked against v2, not against our memory of it.
"""
from __future__ import annotations

import inspect
import json
import pickle
import socket
import subprocess
import textwrap

import pytest
import requests

import reference
from pact_unittest.v2.consumer import Consumer
from pact_unittest.matchers import EachLike, Format, Like, SomethingLike, Term
from pact_unittest.v2.pact import FromTerms, Pact, PactException, Request, Response
from pact_unittest.v2.provider import Provider
from pact_unittest.v2.backends import MockServiceUnreachable


def _pact(**kwargs):
    kwargs.setdefault("host_name", "127.0.0.1")
    kwargs.setdefault("port", 0)
    return Consumer("C").has_pact_with(Provider("P"), **kwargs)


def _run_reference(code: str):
    """Run ``code`` with pact-python 2.3.3; it prints one JSON document, returned parsed."""
    python = reference.require_pact_python()
    proc = subprocess.run(
        [str(python), "-W", "ignore", "-c", textwrap.dedent(code)], capture_output=True,
        text=True, env=reference.reference_env(), timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# ----------------------------------------------------------------------------- surface

_SIGNATURE_TARGETS = {
    "Pact.__init__": (Pact.__init__, "pact.Pact.__init__"),
    "Pact.given": (Pact.given, "pact.Pact.given"),
    "Pact.upon_receiving": (Pact.upon_receiving, "pact.Pact.upon_receiving"),
    "Pact.with_request": (Pact.with_request, "pact.Pact.with_request"),
    "Pact.will_respond_with": (Pact.will_respond_with, "pact.Pact.will_respond_with"),
    "Pact.setup": (Pact.setup, "pact.Pact.setup"),
    "Pact.verify": (Pact.verify, "pact.Pact.verify"),
    "Pact.start_service": (Pact.start_service, "pact.Pact.start_service"),
    "Pact.stop_service": (Pact.stop_service, "pact.Pact.stop_service"),
    "Pact.publish": (Pact.publish, "pact.Pact.publish"),
    "Consumer.__init__": (Consumer.__init__, "pact.Consumer.__init__"),
    "Consumer.has_pact_with": (Consumer.has_pact_with, "pact.Consumer.has_pact_with"),
    "Provider.__init__": (Provider.__init__, "pact.Provider.__init__"),
    "Request.__init__": (Request.__init__, "pact.pact.Request.__init__"),
    "Response.__init__": (Response.__init__, "pact.pact.Response.__init__"),
}


def _positional(func):
    """(name, default repr) of the parameters v2 code can pass: all but keyword-only/**."""
    out = []
    for param in inspect.signature(func).parameters.values():
        if param.kind in (param.KEYWORD_ONLY, param.VAR_KEYWORD):
            continue
        default = None if param.default is param.empty else repr(param.default)
        if param.name == "service_cls":
            default = "Pact"
        out.append([param.name, default])
    return out


@pytest.mark.reference
def test_signatures_equal_pact_python_2_3_3():
    code = """
        import inspect, json, pact, pact.pact
        targets = %s
        out = {}
        for key, path in targets.items():
            obj = pact
            for part in path.split(".")[1:]:
                obj = getattr(obj, part)
            params = []
            for p in inspect.signature(obj).parameters.values():
                d = None if p.default is p.empty else repr(p.default)
                if p.name == "service_cls":
                    d = "Pact"
                params.append([p.name, d])
            out[key] = params
        print(json.dumps(out))
    """ % ({k: v[1] for k, v in _SIGNATURE_TARGETS.items()},)
    theirs = _run_reference(code)
    ours = {key: _positional(target[0]) for key, target in _SIGNATURE_TARGETS.items()}
    assert ours == theirs


@pytest.mark.reference
def test_class_attributes_equal_pact_python_2_3_3():
    theirs = _run_reference("""
        import json, pact
        print(json.dumps({"HEADERS": pact.Pact.HEADERS,
                          "MANDATORY_FIELDS": sorted(pact.Pact.MANDATORY_FIELDS)}))
    """)
    assert Pact.HEADERS == theirs["HEADERS"]
    assert sorted(Pact.MANDATORY_FIELDS) == theirs["MANDATORY_FIELDS"]


def test_attributes_are_stored_as_v2_stores_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    consumer = Consumer("C", tags=["t"], tag_with_git_branch=True, version="1.2.3",
                        branch="main", build_url="http://ci/1",
                        auto_detect_version_properties=True)
    pact = consumer.has_pact_with(
        Provider("P"), publish_to_broker=True, broker_base_url="http://broker",
        broker_username="u", broker_password="pw", broker_token="tok")
    assert pact.uri == "http://localhost:1234"
    assert (pact.host_name, pact.port, pact.ssl, pact.cors) == ("localhost", 1234, False, False)
    assert pact.pact_dir == str(tmp_path) and pact.log_dir == str(tmp_path)
    assert (pact.specification_version, pact.file_write_mode) == ("2.0.0", "overwrite")
    assert (pact.broker_base_url, pact.broker_username, pact.broker_password,
            pact.broker_token, pact.publish_to_broker) == (
        "http://broker", "u", "pw", "tok", True)
    assert pact.consumer is consumer and pact.provider.name == "P"
    assert (consumer.tags, consumer.tag_with_git_branch, consumer.version, consumer.branch,
            consumer.build_url, consumer.auto_detect_version_properties) == (
        ["t"], True, "1.2.3", "main", "http://ci/1", True)
    assert consumer.service_cls is Pact
    ssl_pact = consumer.has_pact_with(Provider("P"), ssl=True, port=8443, host_name="h")
    assert ssl_pact.uri == "https://h:8443"


def test_has_pact_with_needs_a_provider():
    with pytest.raises(ValueError, match="provider must be an instance of the Provider class"):
        Consumer("C").has_pact_with("P")


def test_service_cls_written_for_v2s_constructor_still_works():
    class MyPact(Pact):
        def __init__(self, consumer, provider, **kwargs):
            kwargs["port"] = 4321
            super().__init__(consumer, provider, **kwargs)

    pact = Consumer("C", service_cls=MyPact).has_pact_with(Provider("P"))
    assert isinstance(pact, MyPact) and pact.uri == "http://localhost:4321"


# ----------------------------------------------------------------------------- building

# One piece of v2 code, run unchanged by both libraries: only the import differs.
_BUILD = """
fmt = Format()
(pact.given("state one").upon_receiving("first")
 .with_request("get", Term(r"/users/\\d+", "/users/1"),
               headers={"Accept": Term("application/json.*", "application/json")},
               query={"q": ["a", "b"], "t": Term(r"\\d+", "1")})
 .will_respond_with(200, headers={"X": "y"},
                    body=Like({"id": 1, "items": EachLike({"n": SomethingLike("x")},
                                                           minimum=2)})))
(pact.upon_receiving("second")
 .with_request("post", "/things", body={"when": fmt.iso_datetime_ms, "ip": fmt.ip_address,
                                        "u": fmt.uuid, "d": fmt.decimal},
               query="a=1&b=2")
 .will_respond_with(201))
"""
_IMPORTS = "Consumer, Provider, Term, Like, EachLike, SomethingLike, Format"


def _build_everything(pact):
    import pact_unittest

    names = {name: getattr(pact_unittest, name) for name in _IMPORTS.split(", ")}
    exec(_BUILD, {**names, "pact": pact})  # noqa: S102 - the shared v2 code above
    return pact._interactions


_BUILD_CODE = (
    "import json\n"
    f"from pact import {_IMPORTS}\n"
    'pact = Consumer("C").has_pact_with(Provider("P"))\n'
    + _BUILD
    + "print(json.dumps(pact._interactions))\n"
)


@pytest.mark.reference
def test_interactions_sent_to_the_service_equal_pact_python_2_3_3s():
    assert _build_everything(_pact()) == _run_reference(_BUILD_CODE)


def test_building_chains_and_keeps_interactions_newest_first():
    pact = _pact()
    assert pact.given("s") is pact
    assert pact.upon_receiving("a") is pact
    assert pact.with_request("GET", "/a") is pact
    assert pact.will_respond_with(200) is pact
    pact.upon_receiving("b").with_request("GET", "/b").will_respond_with(201)
    assert [i["description"] for i in pact._interactions] == ["b", "a"]
    assert pact._interactions[1] == {"provider_state": "s", "description": "a",
                                     "request": {"method": "GET", "path": "/a"},
                                     "response": {"status": 200}}


def test_request_and_response_wire_form_as_v2():
    assert isinstance(Request("GET", "/"), FromTerms)
    assert Request("get", "/p", body={}, headers={}, query="").json() == {
        "method": "get", "path": "/p", "body": {}}
    assert Response(204, headers={}, body=None).json() == {"status": 204}
    assert Response(200, body=Like(1)).json() == {
        "status": 200, "body": {"json_class": "Pact::SomethingLike", "contents": 1}}


def test_incomplete_interaction_is_a_pact_exception():
    pact = _pact()
    pact.given("s").upon_receiving("only a description")
    with pytest.raises(PactException, match=r"Interaction incomplete, missing field\(s\): "
                                            r"(request, response|response, request)") as info:
        pact.setup()
    assert info.value.message == str(info.value)
    copy = pickle.loads(pickle.dumps(info.value))
    assert str(copy) == str(info.value)


def test_given_with_parameters_needs_spec_3():
    pact = _pact(specification_version="3.0.0")
    pact.given("user exists", id=42, name="Ada").upon_receiving("x")
    assert pact._interactions[0]["providerStates"] == [
        {"name": "user exists", "params": {"id": 42, "name": "Ada"}}]
    pact.given("plain")
    assert pact._interactions[0]["provider_state"] == "plain"
    assert "providerStates" not in pact._interactions[0]
    with pytest.raises(ValueError, match="3.0.0"):
        _pact().given("user exists", id=42)


def test_backend_choice_from_argument_and_environment(monkeypatch):
    assert _pact().mock_service == "embedded"
    monkeypatch.setenv("PACT_UNITTEST_MOCK_SERVICE", "process")
    assert _pact().mock_service == "process"
    assert _pact(mock_service="embedded").mock_service == "embedded"
    monkeypatch.setenv("PACT_UNITTEST_MOCK_SERVICE", "external")
    monkeypatch.setenv("PACT_UNITTEST_MOCK_SERVICE_URL", "http://127.0.0.1:9/")
    assert _pact().uri == "http://127.0.0.1:9"
    with pytest.raises(ValueError, match="embedded, process, external"):
        _pact(mock_service="docker")
    assert "C" in repr(_pact()) and "P" in repr(_pact())


# ----------------------------------------------------------------------------- unreachable

def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_service_names_the_address_and_what_to_check():
    port = _closed_port()
    pact = _pact(port=port)
    pact.upon_receiving("a").with_request("GET", "/").will_respond_with(200)
    with pytest.raises(MockServiceUnreachable) as info:
        pact.setup()
    message = str(info.value)
    assert f"http://127.0.0.1:{port}" in message
    assert "start_service()" in message and "running" in message
    assert isinstance(info.value, requests.exceptions.ConnectionError)
    # the OS's reason, whole and without stray quotes or reprs of urllib3's wrappers
    assert "(PUT /interactions failed: [Errno " in message or \
        "(DELETE /interactions failed: [Errno " in message, message
    cause = message.split(" failed: ", 1)[1].split(". Check", 1)[0]
    assert cause.endswith(")") and not any(q in cause for q in "'\""), cause
    assert "Connection" in cause or "refused" in cause.lower(), cause


def test_a_timeout_names_its_reason_cleanly():
    from pact_unittest.v2.backends import HttpBackend

    with socket.socket() as plain:  # an HTTP-only listener that never answers
        plain.bind(("127.0.0.1", 0))
        plain.listen(4)
        port = plain.getsockname()[1]
        with pytest.raises(MockServiceUnreachable) as info:
            HttpBackend(f"http://127.0.0.1:{port}")._request("GET", "/", timeout=0.2)
        assert "(GET / failed: timed out)." in str(info.value), str(info.value)


# ----------------------------------------------------------------------------- partial_regex

def _define_partial(pact):
    """A Term whose regex matches only part of the path the client will send."""
    (pact.upon_receiving("a request for user 1")
     .with_request("get", Term(r"/users/\d+", "/users/1"))
     .will_respond_with(200, body={"id": 1}))


def test_partial_regex_is_off_by_default_on_the_embedded_service(tmp_path, monkeypatch):
    monkeypatch.delenv("PACT_UNITTEST_PARTIAL_REGEX", raising=False)
    pact = _pact(pact_dir=str(tmp_path))
    assert pact.partial_regex is False
    pact.start_service()
    try:
        _define_partial(pact)
        with pytest.raises(AssertionError) as info:
            with pact:
                requests.get(pact.uri + "/api/users/1")
        assert "/api/users/1" in str(info.value)
    finally:
        pact.stop_service()
    assert not (tmp_path / "c-p.json").exists()


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_partial_regex_matches_anywhere_in_the_value_like_ruby(tmp_path, monkeypatch, how):
    if how == "argument":
        monkeypatch.setenv("PACT_UNITTEST_PARTIAL_REGEX", "false")   # the argument wins
        pact = _pact(pact_dir=str(tmp_path), partial_regex=True)
    else:
        monkeypatch.setenv("PACT_UNITTEST_PARTIAL_REGEX", "yes")
        pact = _pact(pact_dir=str(tmp_path))
    assert pact.partial_regex is True
    pact.start_service()
    try:
        assert pact._backend.service.partial_regex is True
        _define_partial(pact)
        with pact:
            assert requests.get(pact.uri + "/api/users/1").json() == {"id": 1}
    finally:
        pact.stop_service()
    written = json.loads((tmp_path / "c-p.json").read_text())
    assert written["interactions"][0]["request"]["path"] == "/users/1"


def test_partial_regex_is_keyword_only_after_v2s_parameters(monkeypatch):
    monkeypatch.setenv("PACT_UNITTEST_PARTIAL_REGEX", "maybe")
    with pytest.raises(ValueError, match="PACT_UNITTEST_PARTIAL_REGEX"):
        _pact()
    for func in (Pact.__init__, Consumer.has_pact_with):
        param = inspect.signature(func).parameters["partial_regex"]
        assert param.kind is param.KEYWORD_ONLY and param.default is None
    monkeypatch.delenv("PACT_UNITTEST_PARTIAL_REGEX")
    # v2's positional call (all 17 of has_pact_with's parameters) is unchanged.
    pact = Consumer("C").has_pact_with(Provider("P"), "127.0.0.1", 0, None, False, None, None,
                                       False, False, None, None, None, None, None, "3.0.0",
                                       "merge")
    assert (pact.specification_version, pact.file_write_mode, pact.partial_regex) == (
        "3.0.0", "merge", False)


# ----------------------------------------------------------------------------- odd verification answers

@pytest.mark.parametrize("data", [[1, 2], "text", {"missing": [[1]]},
                                  {"unexpected": [{"request": ["GET", "/"]}]}])
def test_verification_from_json_rejects_other_shapes_with_value_error(data):
    from pact_unittest.model.verification import Verification

    with pytest.raises(ValueError, match="not a verification"):
        Verification.from_json(json.dumps(data))


def _answering_verification(status: int, body: str, on_request=None, ssl_context=None):
    """A loopback HTTP(S) server answering every GET with ``status`` and the JSON ``body``;
    ``on_request()`` runs in the server's thread before it answers."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if on_request is not None:
                on_request()
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("status", [200, 500])
def test_a_json_answer_that_is_not_a_verification_is_judged_by_its_status(status):
    # Verification.from_json used to `assert` the answer was an object: the bare
    # AssertionError escaped verify() (a list answered with 200 failed the test).
    from pact_unittest.v2.backends import HttpBackend

    server = _answering_verification(status, "[1, 2]")
    try:
        backend = HttpBackend(f"http://127.0.0.1:{server.server_address[1]}")
        if status == 200:
            backend.verify()
        else:
            with pytest.raises(AssertionError, match=r"Pact verification failed: .*\n\[1, 2\]"):
                backend.verify()
        backend.stop()
    finally:
        server.shutdown()
        server.server_close()


def test_https_admin_calls_do_not_warn_and_leave_other_threads_warning_filters_alone():
    # Admin calls used to silence InsecureRequestWarning with warnings.catch_warnings, which
    # swaps the process-wide filter list: a filter another thread added meanwhile was lost.
    import ssl
    import warnings

    from pact_unittest.v2.backends import HttpBackend

    trustme = pytest.importorskip("trustme")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)

    def another_thread_adds_a_filter():
        warnings.filterwarnings("ignore", message="added by another thread")

    server = _answering_verification(200, "{}", another_thread_adds_a_filter, context)
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            backend = HttpBackend(f"https://127.0.0.1:{server.server_address[1]}")
            backend.start()
            backend.verify()
            backend.stop()
            assert any(f[1] is not None and f[1].pattern == "added by another thread"
                       for f in warnings.filters)
        assert [str(w.message) for w in seen] == []
    finally:
        server.shutdown()
        server.server_close()
