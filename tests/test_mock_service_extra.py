"""Corners of the mock service the main test files leave out.

* pact-file write modes ``update`` and ``none``, embedded and through the CLI (``-m``);
* a form-urlencoded *dict* body end to end: registered in pact-python v2 wire form, sent by
  the app as a form, matched, and written as the encoded string Ruby writes
  (ruby-mock-service.md §9.2, case 138; checked against the Ruby service by hand: same file);
* spec 4 through :class:`MockService` and the CLI (``-i 4``): the service accepts it and
  writes a v4 file (the compatibility suite checks v4 semantics in depth).

Real servers on 127.0.0.1, real subprocesses, real files in tmp dirs.
"""
from __future__ import annotations

import json

import pytest
import requests

from mock_service_process import start_cli, stop_cli
from pact_unittest import pact_file
from pact_unittest.mock_service import MockService
from pact_unittest.model import Interaction, ProviderState

ADMIN = {"X-Pact-Mock-Service": "true"}
FORM = "application/x-www-form-urlencoded"


def _v2(description, body, state="a state"):
    """An interaction in pact-python v2 wire form."""
    return {"description": description, "provider_state": state,
            "request": {"method": "GET", "path": "/" + description.replace(" ", "-")},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": body}}


def _seed(pact_dir, *items):
    """A pact written by an earlier run: what update/merge/none meet on disk."""
    interactions = [Interaction(i["description"], dict(i["request"]), dict(i["response"]),
                                provider_states=(ProviderState(i["provider_state"]),))
                    for i in items]
    return pact_file.write_pact(pact_dir, "Consumer", "Provider", interactions, run_id="earlier")


def _exercise(uri, *items):
    """Register ``items``, make each request, check verification: one v2 test's worth."""
    for item in items:
        requests.put(uri + "/interactions", headers=ADMIN,
                     json={"interactions": [item]}).raise_for_status()
        assert requests.get(uri + item["request"]["path"]).status_code == 200
        verification = requests.get(uri + "/interactions/verification", headers=ADMIN)
        assert verification.status_code == 200, verification.text


def _bodies(path):
    return {i["description"]: i["response"].get("body") for i in pact_file.read_pact(path)["interactions"]}


# -- write modes, embedded --------------------------------------------------------------------------

def test_update_mode_replaces_a_same_key_interaction_that_merge_refuses(tmp_path):
    path = _seed(tmp_path, _v2("changed", {"v": 1}), _v2("kept", {"k": True}))
    before = path.read_bytes()
    with MockService("Consumer", "Provider", pact_dir=tmp_path, file_write_mode="merge") as svc:
        _exercise(svc.uri, _v2("changed", {"v": 2}))
        answer = requests.post(svc.uri + "/pact", headers=ADMIN)
    assert answer.status_code == 500
    assert "'changed'" in answer.json()["message"] and "left untouched" in answer.json()["message"]
    assert path.read_bytes() == before

    with MockService("Consumer", "Provider", pact_dir=tmp_path, file_write_mode="update") as svc:
        _exercise(svc.uri, _v2("changed", {"v": 2}), _v2("new", {"n": 1}))
        assert svc.write_pact() == path
    assert _bodies(path) == {"changed": {"v": 2}, "kept": {"k": True}, "new": {"n": 1}}


def test_none_mode_writes_nothing_but_post_pact_still_answers_the_json(tmp_path):
    path = _seed(tmp_path, _v2("old", {"o": 1}))
    before = path.read_bytes()
    with MockService("Consumer", "Provider", pact_dir=tmp_path, file_write_mode="none") as svc:
        _exercise(svc.uri, _v2("fresh", {"f": 1}))
        assert svc.write_pact() is None
        answer = requests.post(svc.uri + "/pact", headers=ADMIN)
    assert answer.status_code == 200
    document = answer.json()
    assert [i["description"] for i in document["interactions"]] == ["fresh"]
    assert document["metadata"]["pactSpecification"]["version"] == "2.0.0"
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # the seed's file only


def test_none_mode_never_creates_the_pact_dir(tmp_path):
    pact_dir = tmp_path / "not-there"
    with MockService("Consumer", "Provider", pact_dir=pact_dir, file_write_mode="none") as svc:
        _exercise(svc.uri, _v2("fresh", {"f": 1}))
        assert requests.post(svc.uri + "/pact", headers=ADMIN).status_code == 200
    assert not pact_dir.exists()


# -- write modes and spec 4 through the CLI ----------------------------------------------------------

def _start(*flags):
    """The CLI service on a free loopback port: the process and its URL."""
    proc, port = start_cli("service", "--host", "127.0.0.1", "--port", "0", *flags)
    return proc, f"http://127.0.0.1:{port}"


def _cli_flags(pact_dir, *extra):
    return ["--consumer", "Consumer", "--provider", "Provider", "--pact-dir", str(pact_dir), *extra]


@pytest.mark.parametrize("mode, code, expected", [
    ("update", 0, {"changed": {"v": 2}, "kept": {"k": True}}),
    ("merge", 1, {"changed": {"v": 1}, "kept": {"k": True}}),  # the conflict leaves the file
])
def test_cli_write_mode_on_shutdown(tmp_path, mode, code, expected):
    path = _seed(tmp_path, _v2("changed", {"v": 1}), _v2("kept", {"k": True}))
    proc, uri = _start(*_cli_flags(tmp_path, "-m", mode))
    try:
        _exercise(uri, _v2("changed", {"v": 2}))
    finally:
        returncode, _, err = stop_cli(proc)
    assert returncode == code, err
    assert _bodies(path) == expected
    if code:
        assert "could not write the pact" in err and "'changed'" in err


def test_cli_none_mode_writes_nothing_on_post_or_shutdown(tmp_path):
    proc, uri = _start(*_cli_flags(tmp_path / "pacts", "-m", "none"))
    try:
        _exercise(uri, _v2("fresh", {"f": 1}))
        answer = requests.post(uri + "/pact", headers=ADMIN)
        assert answer.status_code == 200
        assert [i["description"] for i in answer.json()["interactions"]] == ["fresh"]
        _exercise(uri, _v2("after the post", {"a": 1}))  # a shutdown write would be due now
    finally:
        returncode, _, err = stop_cli(proc)
    assert returncode == 0, err
    assert not (tmp_path / "pacts").exists()


V4_INTERACTION = {
    "description": "a request for user 42",
    "providerStates": [{"name": "user exists", "params": {"id": 42}}],
    "request": {"method": "GET", "path": "/users/42", "query": {"fields": ["name"]},
                "headers": {"Accept": "application/json"}},
    "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                 "body": {"id": {"pact:matcher:type": "integer", "value": 42},
                          "name": {"pact:matcher:type": "type", "value": "Ada"}}},
}


def _check_v4_file(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["metadata"]["pactSpecification"]["version"] == "4.0"
    [item] = document["interactions"]
    assert item["type"] == "Synchronous/HTTP" and item["pending"] is False
    assert len(item["key"]) == 16
    assert item["providerStates"] == [{"name": "user exists", "params": {"id": 42}}]
    assert item["request"]["query"] == {"fields": ["name"]}
    assert item["request"]["headers"] == {"Accept": ["application/json"]}
    assert item["response"]["body"] == {"content": {"id": 42, "name": "Ada"},
                                        "contentType": "application/json", "encoded": False}
    assert item["response"]["matchingRules"]["body"] == {
        "$.id": {"combine": "AND", "matchers": [{"match": "integer"}]},
        "$.name": {"combine": "AND", "matchers": [{"match": "type"}]},
    }


def _exercise_v4(uri):
    requests.put(uri + "/interactions", headers=ADMIN,
                 json={"interactions": [V4_INTERACTION]}).raise_for_status()
    answer = requests.get(uri + "/users/42?fields=name", headers={"Accept": "application/json"})
    assert (answer.status_code, answer.json()) == (200, {"id": 42, "name": "Ada"})
    verification = requests.get(uri + "/interactions/verification", headers=ADMIN)
    assert verification.status_code == 200, verification.text


@pytest.mark.parametrize("version", ["4.0", "4", "4.0.0"])
def test_spec_4_embedded_writes_a_v4_file(tmp_path, version):
    with MockService("Consumer", "Provider", pact_dir=tmp_path, specification_version=version) as svc:
        assert svc.specification_version == "4.0.0"
        _exercise_v4(svc.uri)
        path = svc.write_pact()
    _check_v4_file(path)


@pytest.mark.parametrize("flag", ["4", "4.0"])
def test_spec_4_cli_writes_a_v4_file_on_shutdown(tmp_path, flag):
    proc, uri = _start(*_cli_flags(tmp_path, "-i", flag))
    try:
        _exercise_v4(uri)
    finally:
        returncode, _, err = stop_cli(proc)
    assert returncode == 0, err
    _check_v4_file(tmp_path / "consumer-provider.json")


# -- a form-urlencoded dict body ---------------------------------------------------------------------

FORM_INTERACTION = {
    "description": "a form post", "provider_state": None,
    "request": {"method": "POST", "path": "/form", "headers": {"Content-Type": FORM},
                "body": {"a": "1", "b": ["x", "y"],
                         "c": {"json_class": "Pact::Term",
                               "data": {"generate": "hello world",
                                        "matcher": {"json_class": "Regexp", "o": 0, "s": "^hello .*"}}}}},
    "response": {"status": 201},
}


def test_form_dict_body_end_to_end_is_written_as_rubys_encoded_string(tmp_path):
    with MockService("Consumer", "Provider", pact_dir=tmp_path) as svc:
        requests.put(svc.uri + "/interactions", headers=ADMIN,
                     json={"interactions": [FORM_INTERACTION]}).raise_for_status()
        # keys in another order, the Term satisfied by another value: still a match
        sent = requests.post(svc.uri + "/form", data=[("c", "hello there"), ("b", "x"), ("a", "1"), ("b", "y")])
        assert sent.request.headers["Content-Type"] == FORM
        assert sent.status_code == 201, sent.text
        verification = requests.get(svc.uri + "/interactions/verification", headers=ADMIN)
        assert verification.status_code == 200, verification.text
        answer = requests.post(svc.uri + "/pact", headers=ADMIN)
        assert answer.status_code == 200
    [item] = pact_file.read_pact(tmp_path / "consumer-provider.json")["interactions"]
    assert item["request"] == {
        "method": "POST", "path": "/form", "headers": {"Content-Type": FORM},
        "body": "a=1&b=x&b=y&c=hello+world",
        "matchingRules": {"$.body.c": {"match": "regex", "regex": "^hello .*"}},
    }
    assert item["response"] == {"status": 201, "headers": {}}


@pytest.mark.parametrize("form", [
    [("a", "1"), ("b", "y"), ("b", "x"), ("c", "hello world")],  # value order within a key
    [("a", "1"), ("b", "x"), ("b", "y"), ("c", "goodbye")],  # the Term
    [("a", "1"), ("b", "x"), ("b", "y"), ("c", "hello world"), ("d", "extra")],  # an extra key
])
def test_form_dict_body_mismatches_are_reported(form):
    with MockService("Consumer", "Provider") as svc:
        requests.put(svc.uri + "/interactions", headers=ADMIN,
                     json={"interactions": [FORM_INTERACTION]}).raise_for_status()
        sent = requests.post(svc.uri + "/form", data=form)
        assert sent.status_code == 500
        assert sent.json()["message"].startswith("No interaction found for POST /form")
        verification = svc.verification()
    assert not verification.ok
    [mismatched] = verification.mismatched
    assert [m.kind for m in mismatched.candidates[0].mismatches] == ["body"]


def test_write_pact_from_two_threads_never_runs_twice_at_once(tmp_path, monkeypatch):
    # The render cache is shared by the test thread (write_pact) and the server thread
    # (POST /pact): writes must not overlap.
    import threading

    real_write = pact_file.write_pact
    calls = []
    inside = []
    overlapped = threading.Event()

    def watching_write(*args, **kwargs):
        calls.append(1)
        inside.append(1)
        if len(inside) > 1:
            overlapped.set()
        elif len(calls) == 1:
            overlapped.wait(0.5)  # time for the other writer to come in, if it can
        try:
            return real_write(*args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(pact_file, "write_pact", watching_write)
    with MockService("C", "P", pact_dir=str(tmp_path)) as svc:
        other = threading.Thread(target=requests.post, args=(svc.uri + "/pact",),
                                 kwargs={"headers": ADMIN})
        other.start()
        svc.write_pact()
        other.join(10)
    assert len(calls) == 2 and not overlapped.is_set()
    assert (tmp_path / "c-p.json").exists()
