"""Hostile or broken input to the mock service (issue 14): each is refused with a clear
answer naming the problem, and the service goes on serving what was registered before.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List

import pytest
import requests

from pact_unittest.mock_service import MockService

ADMIN = {"X-Pact-Mock-Service": "true", "Content-Type": "application/json"}
BASELINE = {"description": "the baseline", "request": {"method": "GET", "path": "/base"},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": {"ok": True}}}


@contextmanager
def serving(consumer: str = "C", provider: str = "P", **options: Any) -> Iterator[MockService]:
    """A started service holding BASELINE, checked to still hold and serve it at the end."""
    with MockService(consumer, provider, **options) as svc:
        assert put(svc, [BASELINE]).status_code == 200
        yield svc
        still_serves(svc)


def put(svc: MockService, interactions: List[Dict[str, Any]], **headers: str) -> requests.Response:
    return requests.put(svc.uri + "/interactions", headers={**ADMIN, **headers},
                        data=json.dumps({"interactions": interactions}), timeout=30)


def post(svc: MockService, interaction: Dict[str, Any]) -> requests.Response:
    return requests.post(svc.uri + "/interactions", headers=ADMIN, data=json.dumps(interaction),
                         timeout=30)


def still_serves(svc: MockService) -> None:
    """The baseline is still registered and answered."""
    assert "the baseline" in [i.description for i in svc.session.snapshot_expected()]
    reply = requests.get(svc.uri + "/base", timeout=30)
    assert (reply.status_code, reply.json()) == (200, {"ok": True})


def interaction(description: str = "x", request: Any = None, response: Any = None) -> Dict[str, Any]:
    return {"description": description,
            "request": request or {"method": "GET", "path": "/x"},
            "response": response or {"status": 200}}


# ------------------------------------------------------------------ 1. CORS on admin paths

def test_without_cors_a_web_page_cannot_drive_the_admin_api(tmp_path):
    with serving(pact_dir=str(tmp_path)) as svc:
        evil = {"Origin": "http://evil.example"}
        preflight = requests.options(svc.uri + "/interactions", headers={
            **evil, "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "x-pact-mock-service,content-type"})
        assert preflight.status_code == 403
        assert "cross-origin" in preflight.json()["message"]
        assert "--cors" in preflight.json()["message"]
        assert "Access-Control-Allow-Origin" not in preflight.headers
        reply = put(svc, [interaction("planted")], **evil)
        assert reply.status_code == 403 and "--cors" in reply.json()["message"]
        assert "Access-Control-Allow-Origin" not in reply.headers
        reply = requests.post(svc.uri + "/pact", headers={**ADMIN, **evil},
                              data=json.dumps({"pact_dir": str(tmp_path / "elsewhere")}))
        assert reply.status_code == 403
        assert list(tmp_path.iterdir()) == []
        # the service's own origin (a page it served) and non-browser clients still pass
        own = put(svc, [BASELINE], Origin=svc.uri)
        assert own.status_code == 200 and "Access-Control-Allow-Origin" not in own.headers


def test_with_cors_admin_preflights_and_requests_are_allowed():
    with serving(cors=True) as svc:
        origin = {"Origin": "http://app.example"}
        preflight = requests.options(svc.uri + "/interactions", headers={
            **origin, "Access-Control-Request-Headers": "x-pact-mock-service"})
        assert preflight.status_code == 200
        assert preflight.headers["Access-Control-Allow-Origin"] == "http://app.example"
        reply = put(svc, [BASELINE, interaction("from a page")], **origin)
        assert reply.status_code == 200
        assert reply.headers["Access-Control-Allow-Origin"] == "http://app.example"
        assert reply.headers["Access-Control-Allow-Credentials"] == "true"


# ------------------------------------------------------------------ 2. regex time bound

SLOW_REGEX = "(a|a)+$"  # exponential backtracking on "aaa...b"


def test_a_catastrophic_regex_is_a_bounded_mismatch_and_blocks_no_one(monkeypatch):
    import threading

    from pact_unittest.matching import user_regex

    # a long bound, so that the other requests below surely run while this one matches
    monkeypatch.setattr(user_regex, "REGEX_TIMEOUT", 5.0)
    slow = interaction("a slow regex", {"method": "GET", "path": "/slow", "headers": {"X-Id": "a"},
                                        "matchingRules": {"$.headers.X-Id": {"match": "regex",
                                                                             "regex": SLOW_REGEX}}})
    with serving() as svc:
        assert post(svc, slow).status_code == 200
        answer: Dict[str, requests.Response] = {}
        worker = threading.Thread(target=lambda: answer.setdefault("slow", requests.get(
            svc.uri + "/slow", headers={"X-Id": "a" * 40 + "b"}, timeout=60)))
        worker.start()
        try:
            # while it matches, the service answers others, admin requests included
            still_serves(svc)
            verification = requests.get(svc.uri + "/interactions/verification",
                                        headers={**ADMIN, "Accept": "application/json"})
            assert verification.status_code == 500  # the slow one is not matched yet
            assert worker.is_alive(), "the slow request should still be running"
        finally:
            worker.join(60)
        reply = answer["slow"]
        assert reply.status_code == 500
        text = " ".join(reply.json()["mismatches"])
        assert f"/{SLOW_REGEX}/" in text and "within 5 s" in text, text
        result = svc.verification()
        assert not result.ok and "within 5 s" in result.describe()


def test_a_term_example_that_cannot_be_checked_in_time_is_refused_at_registration():
    term = {"json_class": "Pact::Term", "data": {
        "generate": "a" * 40 + "b",
        "matcher": {"json_class": "Regexp", "s": SLOW_REGEX, "o": 0}}}
    with serving() as svc:
        reply = post(svc, interaction("slow term", response={"status": 200, "body": {"id": term}}))
        assert reply.status_code == 400
        message = reply.json()["message"]
        assert SLOW_REGEX in message and "within 1 s" in message, message


# ------------------------------------------------------------------ 9. candidate index

def test_the_candidate_index_finds_literal_paths_path_rules_and_reports_the_closest():
    many = [interaction(f"user {n}", {"method": "GET", "path": f"/users/{n}"},
                        {"status": 200, "body": {"id": n}}) for n in range(300)]
    ruled = interaction("any order", {"method": "GET", "path": "/orders/1",
                                      "matchingRules": {"$.path": {"match": "regex",
                                                                   "regex": r"/orders/\d+"}}},
                        {"status": 200, "body": {"order": True}})
    encoded = interaction("encoded", {"method": "GET", "path": "/a%20b"}, {"status": 201})
    with serving() as svc:
        assert put(svc, [BASELINE] + many + [ruled, encoded]).status_code == 200
        assert requests.get(svc.uri + "/users/299").json() == {"id": 299}
        assert requests.get(svc.uri + "/orders/77").json() == {"order": True}
        assert requests.get(svc.uri + "/a%20b").status_code == 201
        # wrong method on a registered path: a candidate-less request, closest reported
        reply = requests.post(svc.uri + "/users/7")
        assert reply.status_code == 500
        assert any("closest interaction 'user 7'" in line for line in reply.json()["mismatches"])
        # right route, wrong header: the route's candidate and its diff
        svc.set_interactions([BASELINE, interaction("needs a header", {
            "method": "GET", "path": "/h", "headers": {"X-Id": "1"}})])
        reply = requests.get(svc.uri + "/h", headers={"X-Id": "2"})
        assert reply.status_code == 500 and "needs a header" in " ".join(reply.json()["mismatches"])
        # appended after the PUT: found through the index too
        assert post(svc, interaction("added", {"method": "DELETE", "path": "/users/1"},
                                     {"status": 204})).status_code == 200
        assert requests.delete(svc.uri + "/users/1").status_code == 204


# ------------------------------------------------------------------ 3. response headers

@pytest.mark.parametrize("headers, named", [
    ({"X-A": "1\r\nX-Injected: 1"}, "'X-A'"),
    ({"X-A": "1\rX-Injected: 1"}, "'X-A'"),
    ({"X-A\r\nX-Injected": "1"}, "not an HTTP token"),
    ({"Bad Name": "1"}, "'Bad Name'"),
    ({"X-A:": "1"}, "not an HTTP token"),
    ({"X-A": ["ok", "no\x00"]}, "control character"),
])
def test_a_response_header_that_would_break_the_wire_is_refused(headers, named):
    with serving() as svc:
        reply = put(svc, [interaction("bad header", response={"status": 200, "headers": headers})])
        assert reply.status_code == 400
        assert "response header" in reply.json()["message"]
        assert named in reply.json()["message"], reply.json()["message"]


def test_registered_framing_headers_do_not_reach_the_wire_the_servers_own_win():
    import socket

    framing = {"Content-Length": "999", "Transfer-Encoding": "chunked", "Connection": "close",
               "X-Kept": "a\nb"}
    with serving() as svc:
        assert post(svc, interaction("framing", {"method": "GET", "path": "/f"},
                                     {"status": 200, "headers": framing, "body": "hi"})).status_code == 200
        with socket.create_connection(("127.0.0.1", svc.port), timeout=10) as sock:
            sock.sendall(b"GET /f HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while b"\r\n\r\nhi" not in data:
                chunk = sock.recv(65536)
                assert chunk, data
                data += chunk
        head = data.split(b"\r\n\r\n")[0].decode().split("\r\n")
        assert [line for line in head if line.lower().startswith("content-length")] == \
            ["Content-Length: 2"]
        assert not [line for line in head if line.lower().startswith("transfer-encoding")]
        assert [line for line in head if line.lower().startswith("connection")] == \
            ["Connection: keep-alive"]
        assert "X-Kept: a" in head and "X-Kept: b" in head  # a newline: repeated lines
        # the contract keeps what was registered
        written = [i for i in svc.session.snapshot_expected() if i.description == "framing"]
        assert written[0].response["headers"]["Content-Length"] == "999"


# ------------------------------------------------------------------ 4. matcher expansion

def _array_like(contents: Any, minimum: int) -> Dict[str, Any]:
    return {"json_class": "Pact::ArrayLike", "contents": contents, "min": minimum}


@pytest.mark.parametrize("body, limit", [
    (_array_like(_array_like(_array_like(1, 1000), 1000), 1000), "1,000,000 values"),
    (_array_like("x" * 100_000, 1000), "67,108,864 bytes"),
    ({"pact:matcher:type": "type", "value": [_array_like(_array_like(1, 2000), 2000)]},
     "1,000,000 values"),
])
def test_a_matcher_expanding_past_the_limit_is_refused_before_it_expands(body, limit):
    with serving() as svc:
        reply = put(svc, [interaction("huge", response={"status": 200, "body": body})])
        assert reply.status_code == 400
        message = reply.json()["message"]
        assert "response" in message and limit in message, message
    from pact_unittest import EachLike

    with MockService("C", "P") as embedded, pytest.raises(ValueError, match="1,000,000 values"):
        embedded.set_interactions([interaction("huge", response={
            "status": 200, "body": EachLike(EachLike(EachLike(1, 1000), 1000), 1000)})])


def test_a_large_expansion_under_the_limit_is_served():
    with serving() as svc:
        body = _array_like({"id": 1}, 500)
        assert post(svc, interaction("big", {"method": "GET", "path": "/big"},
                                     {"status": 200, "body": body})).status_code == 200
        assert len(requests.get(svc.uri + "/big").json()) == 500


# ------------------------------------------------------------------ 5. unwritable text

SURROGATE = "\ud800"


@pytest.mark.parametrize("item, where", [
    (interaction("bad" + SURROGATE), "interaction.description"),
    ({**interaction("state"), "providerState": "s" + SURROGATE}, "interaction.providerState"),
    (interaction("h", response={"status": 200, "headers": {"X-A": SURROGATE}}),
     "response.headers.X-A"),
    (interaction("b", response={"status": 200, "body": {"a": [SURROGATE]}}), "response.body.a[0]"),
    (interaction("q", {"method": "GET", "path": "/q", "query": "a=" + SURROGATE}), "request.query"),
    (interaction("n", response={"status": 200, "body": {"n": float("nan")}}), "response.body.n"),
    (interaction("i", {"method": "POST", "path": "/i", "body": [float("inf")]}), "request.body[0]"),
])
def test_text_that_cannot_be_written_is_refused_at_registration(item, where):
    with serving() as svc:
        # json.dumps writes the lone surrogate as the escape "\ud800", NaN as NaN
        reply = put(svc, [item])
        assert reply.status_code == 400
        assert where in reply.json()["message"], reply.json()["message"]


def test_an_application_request_with_a_lone_surrogate_is_recorded_and_verification_works(tmp_path):
    with serving(pact_dir=str(tmp_path), log_dir=str(tmp_path)) as svc:
        assert post(svc, interaction("echo", {"method": "POST", "path": "/echo",
                                              "headers": {"Content-Type": "application/json"},
                                              "body": {"a": "x"}})).status_code == 200
        reply = requests.post(svc.uri + "/echo", headers={"Content-Type": "application/json"},
                              data=b'{"a": "\\ud800"}')
        assert reply.status_code == 500 and "\\ud800" in reply.text
        text = requests.get(svc.uri + "/interactions/verification", headers=ADMIN)
        assert text.status_code == 500 and "POST /echo" in text.text
        as_json = requests.get(svc.uri + "/interactions/verification",
                               headers={**ADMIN, "Accept": "application/json"})
        assert as_json.status_code == 500
        assert '"\\ud800"' in as_json.text  # JSON's own escape: valid JSON, what was sent
        assert as_json.json()["mismatched"][0]["request"]["body"] == {"a": SURROGATE}
        still_serves(svc)
        assert requests.post(svc.uri + "/pact", headers=ADMIN).status_code == 200


# ------------------------------------------------------------------ 6. one file, two pairs

@pytest.mark.parametrize("first, second", [
    (("a-b", "c"), ("a", "b-c")),
    (("User", "Svc"), ("user", "svc")),
    (("a b", "p"), ("a_b", "p")),
])
def test_a_pair_whose_file_name_collides_is_refused_naming_both(tmp_path, first, second):
    verified = interaction("x", {"method": "GET", "path": "/x"}, {"status": 200})
    with MockService(*first, pact_dir=str(tmp_path)) as one:
        one.set_interactions([verified])
        requests.get(one.uri + "/x")
        path = one.write_pact()
    before = path.read_bytes()
    with serving(consumer=second[0], provider=second[1], pact_dir=str(tmp_path)) as svc:
        svc.set_interactions([BASELINE, verified])
        requests.get(svc.uri + "/x")
        reply = requests.post(svc.uri + "/pact", headers=ADMIN)
        assert reply.status_code == 409
        message = reply.json()["message"]
        for name in first + second:
            assert repr(name) in message, message
        assert path.read_bytes() == before  # the other pair's contract is untouched
    from pact_unittest.pact_file import PactFileClashError

    with pytest.raises(PactFileClashError):
        svc.write_pact()
    assert json.loads(path.read_text())["consumer"]["name"] == first[0]


# ------------------------------------------------------------------ 7. crash leftovers

_KILLED_WRITER = """
import os, signal, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from pact_unittest.pact_file import atomic
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # die inside the temp-file window
atomic.atomic_write_bytes(Path({target!r}), b"x" * 100000)
"""


def test_a_writer_killed_mid_write_leaves_nothing_to_commit_and_the_next_write_cleans_up(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from pact_unittest.pact_file.atomic import TEMP_DIR_NAME

    root = str(Path(__file__).resolve().parent.parent)
    target = tmp_path / "c-p.json"
    child = subprocess.run([sys.executable, "-c", _KILLED_WRITER.format(root=root, target=str(target))])
    assert child.returncode == -9
    temp_dir = tmp_path / TEMP_DIR_NAME
    leftovers = [p for p in temp_dir.iterdir() if p.name != ".gitignore"]
    assert len(leftovers) == 1 and str(child_pid_in(leftovers[0])) != str(os.getpid())
    assert (temp_dir / ".gitignore").read_text().splitlines()[-1] == "*"  # never committed
    assert sorted(p.name for p in tmp_path.iterdir()) == [TEMP_DIR_NAME]  # nothing else
    old_style = tmp_path / f".c-p.json.{leftovers[0].name.split('.')[-3]}.0123abcd.tmp"
    old_style.write_bytes(b"x")  # what older versions left beside the pact
    with serving(pact_dir=str(tmp_path)) as svc:
        requests.get(svc.uri + "/base")
        assert requests.post(svc.uri + "/pact", headers=ADMIN).status_code == 200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c-p.json"]


def child_pid_in(path: Any) -> int:
    return int(path.name.split(".")[-3])


# ------------------------------------------------------------------ 8. small ones

def _term(source: str, options: Any = 0) -> Dict[str, Any]:
    return {"json_class": "Pact::Term", "data": {
        "generate": "aaaa", "matcher": {"json_class": "Regexp", "s": source, "o": options}}}


@pytest.mark.parametrize("spec, body, named", [
    ("2.0.0", {"a": _term("a{4294967296}")}, "invalid regex 'a{4294967296}'"),
    ("3.0.0", {"a": {"pact:matcher:type": "regex", "regex": "a{4294967296}", "value": "a"}},
     "invalid regex 'a{4294967296}'"),
    ("2.0.0", {"a": _term("a+", "x")}, "data.matcher.o (the Regexp's options) must be an integer"),
    ("3.0.0", {"a": {"pact:matcher:type": {"a": 1}, "value": 1}},
     "pact:matcher:type must be a matcher name"),
])
def test_malformed_matchers_are_400_naming_the_field(spec, body, named):
    with serving(specification_version=spec) as svc:
        reply = put(svc, [interaction("bad", response={"status": 200, "body": body})])
        assert reply.status_code == 400
        message = reply.json()["message"]
        assert named in message and "Error" not in message, message


def test_a_generator_that_cannot_run_is_refused_at_registration_not_a_500_later():
    with serving(specification_version="3.0.0") as svc:
        reply = put(svc, [interaction("gen", response={
            "status": 200, "body": {"a": "a"},
            "generators": {"body": {"$.a": {"type": "Regex", "regex": "a{4294967296}"}}}})])
        assert reply.status_code == 400
        assert "response generators" in reply.json()["message"]
        assert "a{4294967296}" in reply.json()["message"]


@pytest.mark.parametrize("size", [b"-5", b"+5", b"zz"])
def test_a_bad_chunk_size_is_answered_400(size):
    import socket

    with serving() as svc:
        with socket.create_connection(("127.0.0.1", svc.port), timeout=10) as sock:
            sock.sendall(b"POST /base HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                         + size + b"\r\nhello\r\n0\r\n\r\n")
            data = b""
            while b"\r\n\r\n{" not in data or not data.endswith(b"}"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        assert data.startswith(b"HTTP/1.1 400 ")
        assert b"invalid chunk size line" in data
