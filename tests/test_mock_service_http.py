"""The mock service's HTTP layer: CORS, HTTPS, keep-alive, size limit, broken clients,
concurrency (threads, and processes writing one pact file).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import warnings

import pytest
import requests

from pact_unittest.mock_service import MockService

ADMIN = {"X-Pact-Mock-Service": "true"}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _interaction(description="a", path="/a", method="GET", body=None):
    return {"description": description,
            "request": {"method": method, "path": path},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": body if body is not None else {"path": path}}}


def _raw(port, data, timeout=5.0):
    """Send raw bytes, return everything the server answers until it closes or stalls."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and b"Connection: keep-alive" in b"".join(chunks):
                    break
        except socket.timeout:
            pass
    return b"".join(chunks)


# ------------------------------------------------------------------ CORS

def test_cors_preflight_and_headers_on_every_answer():
    with MockService("C", "P", cors=True) as svc:
        reply = requests.options(svc.uri + "/users", headers={
            "Origin": "http://app", "Access-Control-Request-Headers": "content-type"})
        assert reply.status_code == 200
        assert reply.content == b""
        assert reply.headers["Access-Control-Allow-Origin"] == "http://app"
        assert reply.headers["Access-Control-Allow-Headers"] == "content-type"
        assert reply.headers["Access-Control-Allow-Methods"] == \
            "DELETE, POST, GET, HEAD, PUT, TRACE, CONNECT, PATCH"
        assert reply.headers["Access-Control-Allow-Credentials"] == "true"
        svc.set_interactions([_interaction()])
        for path in ("/a", "/unexpected"):
            answer = requests.get(svc.uri + path, headers={"Origin": "http://app"})
            assert answer.headers["Access-Control-Allow-Origin"] == "http://app"
            assert answer.headers["Access-Control-Allow-Credentials"] == "true"
        plain = requests.get(svc.uri + "/a")
        assert plain.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_options_interaction_is_replayed_not_swallowed():
    with MockService("C", "P", cors=True) as svc:
        svc.set_interactions([_interaction(method="OPTIONS", body={"opt": 1})])
        reply = requests.options(svc.uri + "/a")
        assert reply.json() == {"opt": 1}
        assert svc.verification().ok


def test_without_cors_no_preflight_is_answered_and_admin_ones_are_refused():
    with MockService("C", "P") as svc:
        svc.set_interactions([_interaction(method="OPTIONS", body={"opt": 1})])
        reply = requests.options(svc.uri + "/interactions", headers={
            "Origin": "http://app", "Access-Control-Request-Headers": "X-Pact-Mock-Service, content-type"})
        assert reply.status_code == 403
        assert "--cors" in reply.json()["message"]
        assert not any(k.lower().startswith("access-control") for k in reply.headers)
        assert requests.options(svc.uri + "/a").json() == {"opt": 1}
        assert "Access-Control-Allow-Origin" not in requests.options(svc.uri + "/a").headers


# ------------------------------------------------------------------ HTTPS

def test_https_with_given_certificate(tmp_path):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = tmp_path / "c.pem", tmp_path / "k.pem", tmp_path / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    with MockService("C", "P", sslcert=str(cert_file), sslkey=str(key_file)) as svc:
        assert svc.uri.startswith("https://127.0.0.1:")
        reply = requests.get(svc.uri + "/", headers=ADMIN, verify=str(ca_file))
        assert reply.text == "Mock service running\n"
        assert reply.headers["X-Pact-Mock-Service-Location"] == svc.uri
        with pytest.raises(requests.ConnectionError):  # plain HTTP to the TLS port
            requests.get(svc.uri.replace("https", "http") + "/", headers=ADMIN, timeout=3)
        assert requests.get(svc.uri + "/", headers=ADMIN, verify=str(ca_file)).status_code == 200


def test_https_with_a_missing_or_bad_certificate_names_the_file(tmp_path):
    missing = str(tmp_path / "nonexist.pem")
    with pytest.raises(FileNotFoundError) as info:
        MockService("C", "P", ssl=True, sslcert=missing, sslkey=missing).start()
    assert "sslcert" in str(info.value) and missing in str(info.value)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(FileNotFoundError) as info:
        MockService("C", "P", ssl=True, sslcert=str(junk), sslkey=missing).start()
    assert "sslkey" in str(info.value) and missing in str(info.value)
    with pytest.raises(ValueError) as info:
        MockService("C", "P", ssl=True, sslcert=str(junk), sslkey=str(junk)).start()
    assert str(junk) in str(info.value)


def test_https_self_signed_on_the_fly():
    pytest.importorskip("cryptography")
    from pact_unittest.mock_service._tls import self_signed_files

    with MockService("C", "P", ssl=True) as svc:
        cert_file, _ = self_signed_files("127.0.0.1")
        svc.set_interactions([_interaction()])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reply = requests.get(svc.uri + "/a", verify=cert_file)
        assert reply.json() == {"path": "/a"}


# ------------------------------------------------------------------ keep-alive, one write

def test_keep_alive_session_reuses_one_connection_with_nodelay():
    with MockService("C", "P") as svc:
        svc.set_interactions([_interaction()])
        session = requests.Session()
        for _ in range(20):
            assert session.get(svc.uri + "/a").status_code == 200
        connections = list(svc._server._connections)
        assert len(connections) == 1
        assert connections[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        session.close()


def test_answer_arrives_in_one_segment():
    with MockService("C", "P") as svc:
        with socket.create_connection(("127.0.0.1", svc.port)) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pact-Mock-Service: 1\r\n\r\n")
            first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 OK\r\n")
        assert first.endswith(b"\r\n\r\nMock service running\n")


# ------------------------------------------------------------------ size limit, broken clients

def test_body_over_limit_is_413_with_reason_and_service_keeps_serving():
    with MockService("C", "P", body_limit=1024 * 1024) as svc:
        reply = requests.put(svc.uri + "/interactions", headers=ADMIN, data=b"x" * (2 * 1024 * 1024))
        assert reply.status_code == 413
        assert "limit of 1 MiB" in reply.json()["message"]
        assert requests.get(svc.uri + "/", headers=ADMIN).status_code == 200


def test_ten_megabyte_bodies_are_served():
    big = "x" * (10 * 1024 * 1024)
    with MockService("C", "P") as svc:
        reply = requests.put(svc.uri + "/interactions", headers=ADMIN,
                             json={"interactions": [_interaction(body={"big": big})]})
        assert reply.status_code == 200
        assert len(requests.get(svc.uri + "/a").json()["big"]) == len(big)


def test_client_hanging_up_mid_request_does_not_hurt():
    with MockService("C", "P") as svc:
        with socket.create_connection(("127.0.0.1", svc.port)) as sock:
            sock.sendall(b"PUT /interactions HTTP/1.1\r\nHost: x\r\nX-Pact-Mock-Service: 1\r\n"
                         b"Content-Length: 1000\r\n\r\n{\"interactions\": [")
        with socket.create_connection(("127.0.0.1", svc.port)) as sock:
            sock.sendall(b"GET /inter")  # hangs up inside the request line
        assert requests.get(svc.uri + "/", headers=ADMIN).text == "Mock service running\n"
        assert svc.missing_interactions() == []


def test_stalled_client_times_out_without_blocking_others():
    with MockService("C", "P", read_timeout=0.5) as svc:
        with socket.create_connection(("127.0.0.1", svc.port), timeout=5) as sock:
            sock.sendall(b"PUT /interactions HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
            assert requests.get(svc.uri + "/", headers=ADMIN, timeout=2).status_code == 200
            assert sock.recv(100) == b""  # the server gave up on it and closed


def test_garbage_request_line_gets_400_and_service_lives():
    with MockService("C", "P") as svc:
        answer = _raw(svc.port, b"NOT HTTP AT ALL\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 400")
        assert requests.get(svc.uri + "/", headers=ADMIN).status_code == 200


@pytest.mark.parametrize("admin_path", ["/interactions", "/pact"])
def test_admin_json_nested_too_deeply_is_a_400_naming_it(admin_path):
    """json.loads raises RecursionError (not ValueError) on 50k levels: a 400, not a 500."""
    deep = "[" * 50_000 + "]" * 50_000
    data = '{"description": "d", "request": {"method": "POST", "path": "/a", "body": %s}, ' \
           '"response": {"status": 200}}' % deep
    with MockService("C", "P") as svc:
        reply = requests.post(svc.uri + admin_path, data=data,
                              headers={**ADMIN, "Content-Type": "application/json"})
        assert reply.status_code == 400, reply.text
        assert "JSON nested too deeply" in reply.json()["message"]
        assert svc.missing_interactions() == []
        assert requests.get(svc.uri, headers=ADMIN).status_code == 200


def test_client_json_nested_too_deeply_is_a_recorded_body_mismatch():
    deep = "[" * 100_000 + "]" * 100_000
    with MockService("C", "P") as svc:
        svc.set_interactions([_interaction(method="POST", body={"ok": True})])
        reply = requests.post(svc.uri + "/a", data=deep,
                              headers={"Content-Type": "application/json"})
        assert reply.status_code == 500
        assert reply.json()["message"] == "No interaction found for POST /a"
        result = svc.verification()
        assert len(result.mismatched) == 1, result.describe()
        (candidate,) = result.mismatched[0].candidates
        assert [m.kind for m in candidate.mismatches] == ["body"]
        assert "nested too deeply" in candidate.mismatches[0].message
        assert "nested too deeply" in result.describe()
        # the service keeps serving, and the text and JSON verification answers work
        text = requests.get(svc.uri + "/interactions/verification", headers=ADMIN)
        assert text.status_code == 500 and "Incorrect requests:" in text.text
        as_json = requests.get(svc.uri + "/interactions/verification",
                               headers={**ADMIN, "Accept": "application/json"})
        assert as_json.status_code == 500 and len(as_json.json()["mismatched"]) == 1


def test_chunked_request_body():
    with MockService("C", "P") as svc:
        payload = json.dumps({"interactions": [_interaction()]}).encode()

        def chunks():
            yield payload[:10]
            yield payload[10:]

        reply = requests.put(svc.uri + "/interactions", headers=ADMIN, data=chunks())
        assert reply.status_code == 200
        assert requests.get(svc.uri + "/a").status_code == 200


# ------------------------------------------------------------------ concurrency

def test_eight_threads_many_requests_one_service():
    with MockService("C", "P") as svc:
        svc.set_interactions([_interaction(f"i{n}", f"/p{n}") for n in range(8)])
        errors = []

        def worker(n):
            session = requests.Session()
            try:
                for k in range(60):
                    path = f"/p{(n + k) % 8}"
                    reply = session.get(svc.uri + path)
                    if reply.status_code != 200 or reply.json() != {"path": path}:
                        errors.append((path, reply.status_code, reply.text))
                    if k % 10 == 0:
                        session.get(svc.uri + "/interactions/missing", headers=ADMIN).raise_for_status()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert svc.verification().ok
        assert len(svc.verified_interactions()) == 8


_CLIENT = """
import sys, requests
uri, worker, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
admin = {"X-Pact-Mock-Service": "true"}
for r in range(rounds):
    desc, path = f"w{worker}-{r}", f"/w{worker}/{r}"
    inter = {"description": desc, "request": {"method": "GET", "path": path},
             "response": {"status": 200, "body": {"d": desc}}}
    assert requests.post(uri + "/interactions", headers=admin, json=inter).status_code == 200
    got = requests.get(uri + path)
    assert got.status_code == 200 and got.json() == {"d": desc}, got.text
    written = requests.post(uri + "/pact", headers=admin)
    assert written.status_code == 200, written.text
"""


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _watch_json(path, stop, bad):
    while not stop.is_set():
        if path.exists():
            try:
                json.loads(path.read_text())
            except ValueError as exc:
                bad.append(str(exc))
        time.sleep(0.002)


def test_four_processes_one_service_one_pact_file(tmp_path):
    pact = tmp_path / "c-p.json"
    with MockService("C", "P", pact_dir=str(tmp_path)) as svc:
        stop, bad = threading.Event(), []
        watcher = threading.Thread(target=_watch_json, args=(pact, stop, bad))
        watcher.start()
        procs = [subprocess.Popen([sys.executable, "-c", _CLIENT, svc.uri, str(w), "15"], env=_env())
                 for w in range(4)]
        codes = [p.wait(120) for p in procs]
        stop.set()
        watcher.join()
    assert codes == [0, 0, 0, 0]
    assert bad == []
    names = {i["description"] for i in json.loads(pact.read_text())["interactions"]}
    assert names == {f"w{w}-{r}" for w in range(4) for r in range(15)}


_OWN_SERVICE = """
import sys, requests
from pact_unittest.mock_service import MockService
pact_dir, worker = sys.argv[1], sys.argv[2]
with MockService("C", "P", pact_dir=pact_dir) as svc:
    for r in range(10):
        path = f"/own{worker}/{r}"
        svc.add_interaction({"description": f"own{worker}-{r}", "request": {"method": "GET", "path": path},
                             "response": {"status": 200}})
        assert requests.get(svc.uri + path).status_code == 200
        svc.write_pact()
"""


def test_four_processes_with_their_own_services_share_the_file(tmp_path):
    env = _env()
    env["PACT_UNITTEST_RUN_ID"] = "run-four-services"
    procs = [subprocess.Popen([sys.executable, "-c", _OWN_SERVICE, str(tmp_path), str(w)], env=env)
             for w in range(4)]
    assert [p.wait(120) for p in procs] == [0, 0, 0, 0]
    names = {i["description"] for i in json.loads((tmp_path / "c-p.json").read_text())["interactions"]}
    assert names == {f"own{w}-{r}" for w in range(4) for r in range(10)}


def test_cert_path_is_what_a_verifying_client_trusts():
    from pact_unittest.mock_service import MockService

    with MockService("C", "P") as plain:
        assert plain.cert_path is None
    with MockService("C", "P", ssl=True) as svc:
        reply = requests.get(svc.uri + "/", headers={"X-Pact-Mock-Service": "true"},
                             verify=svc.cert_path)
        assert reply.status_code == 200
