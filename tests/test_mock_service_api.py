"""The mock service: embedded lifecycle, admin API (Ruby's texts and codes), session rules,
application requests and verification results, and bad admin input.

Every test runs a real service on 127.0.0.1 and talks to it over HTTP with ``requests``.
"""
from __future__ import annotations

import json
import pickle
import re
import socket

import pytest
import requests

from pact_unittest.mock_service import MockService
from pact_unittest.model.verification import Verification

ADMIN = {"X-Pact-Mock-Service": "true"}


def _interaction(description="a request for a", path="/a", *, state=None, query=None,
                 status=200, body=None, req_headers=None, req_body=None, method="GET"):
    request = {"method": method, "path": path}
    if query is not None:
        request["query"] = query
    if req_headers:
        request["headers"] = req_headers
    if req_body is not None:
        request["body"] = req_body
    response = {"status": status, "headers": {"Content-Type": "application/json"},
                "body": body if body is not None else {"ok": True}}
    data = {"description": description, "request": request, "response": response}
    if state:
        data["provider_state"] = state
    return data


@pytest.fixture
def svc(tmp_path):
    service = MockService("Consumer", "Provider", pact_dir=str(tmp_path / "pacts"))
    service.start()
    yield service
    service.stop()


def put(svc, *interactions):
    return requests.put(svc.uri + "/interactions", headers=ADMIN,
                        json={"interactions": list(interactions)})


def verify(svc, **headers):
    return requests.get(svc.uri + "/interactions/verification", headers={**ADMIN, **headers})


# ------------------------------------------------------------------ lifecycle

def test_port_zero_binds_a_free_port_and_uri_names_it():
    with MockService("C", "P") as svc:
        assert svc.port > 0
        assert svc.uri == f"http://127.0.0.1:{svc.port}"
        reply = requests.get(svc.uri + "/", headers=ADMIN)
        assert reply.status_code == 200


def test_bind_error_raises_in_callers_thread_naming_host_and_port():
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    port = blocker.getsockname()[1]
    try:
        with pytest.raises(OSError, match=f"127.0.0.1:{port}"):
            MockService("C", "P", port=port).start()
    finally:
        blocker.close()


def test_stop_twice_and_stop_before_start_are_harmless():
    svc = MockService("C", "P")
    svc.stop()
    svc.start()
    port = svc.port
    svc.stop()
    svc.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/", headers=ADMIN, timeout=2)


def test_stop_cuts_open_keep_alive_connections():
    svc = MockService("C", "P").start()
    session = requests.Session()
    assert session.get(svc.uri + "/", headers=ADMIN).status_code == 200
    svc.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(svc.uri + "/", headers=ADMIN, timeout=2)


def test_start_is_idempotent_and_context_manager_stops():
    with MockService("C", "P") as svc:
        first = svc.port
        assert svc.start().port == first
        assert svc.running
    assert not svc.running


def test_log_dir_gets_pact_mock_service_log(tmp_path):
    with MockService("C", "P", log_dir=str(tmp_path / "logs")) as svc:
        requests.get(svc.uri + "/nothing")
    text = (tmp_path / "logs" / "pact-mock-service.log").read_text()
    assert "No interaction found for GET /nothing" in text or "Unexpected request GET /nothing" in text


# ------------------------------------------------------------------ admin endpoints

def test_index_and_admin_headers(svc):
    reply = requests.get(svc.uri + "/", headers=ADMIN)
    assert reply.status_code == 200
    assert reply.text == "Mock service running\n"
    assert reply.headers["Content-Type"] == "text/plain"
    assert reply.headers["X-Pact-Mock-Service-Location"] == svc.uri
    # no CORS headers without cors=True (Ruby adds them to every admin answer: issue 14)
    assert "Access-Control-Allow-Origin" not in reply.headers


@pytest.mark.parametrize("value", ["true", "false", ""])
def test_admin_header_any_value_and_trailing_slash(svc, value):
    reply = requests.get(svc.uri + "/interactions/verification/",
                         headers={"x-pact-mock-service": value})
    assert (reply.status_code, reply.text) == (200, "Interactions matched\n")


def test_admin_path_without_header_is_an_application_request(svc):
    reply = requests.get(svc.uri + "/interactions/verification")
    assert reply.status_code == 500
    assert reply.json()["message"] == "No interaction found for GET /interactions/verification"
    assert "X-Pact-Mock-Service-Location" not in reply.headers
    assert verify(svc).status_code == 500


def test_unknown_admin_path_falls_through_to_replay(svc):
    reply = requests.get(svc.uri + "/interactions/foo", headers=ADMIN)
    assert reply.status_code == 500
    assert reply.json()["interaction_diffs"] == []
    assert "Unexpected requests:\n\tGET /interactions/foo" in verify(svc).text


def test_put_post_delete_texts(svc):
    reply = put(svc, _interaction())
    assert (reply.status_code, reply.text) == (200, "Registered interactions\n")
    reply = requests.post(svc.uri + "/interactions", headers=ADMIN, json=_interaction("b", "/b"))
    assert (reply.status_code, reply.text) == (200, "Registered interactions\n")
    assert len(svc.missing_interactions()) == 2
    reply = requests.delete(svc.uri + "/interactions", headers=ADMIN)
    assert (reply.status_code, reply.text) == (200, "Cleared interactions\n")
    assert svc.missing_interactions() == []
    reply = requests.delete(svc.uri + "/session", headers=ADMIN)
    assert (reply.status_code, reply.text) == (200, "Cleared session\n")


def test_missing_counts_down(svc):
    put(svc, _interaction("a", "/a"), _interaction("b", "/b"))
    sizes = []
    for path in (None, "/a", "/b"):
        if path:
            requests.get(svc.uri + path)
        reply = requests.get(svc.uri + "/interactions/missing", headers=ADMIN)
        assert reply.headers["Content-Type"] == "application/json"
        sizes.append(reply.text)
    assert sizes == ['{"size":2}\n', '{"size":1}\n', '{"size":0}\n']


def test_get_log_is_empty_200(svc):
    reply = requests.get(svc.uri + "/log", params={"msg": "hello"}, headers=ADMIN)
    assert (reply.status_code, reply.text) == (200, "")
    assert reply.headers["Content-Length"] == "0"


def test_post_pact_writes_verified_and_answers_the_file_plus_newline(svc, tmp_path):
    put(svc, _interaction())
    assert requests.get(svc.uri + "/a").status_code == 200
    reply = requests.post(svc.uri + "/pact", headers=ADMIN)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    path = tmp_path / "pacts" / "consumer-provider.json"
    assert reply.text == path.read_text() + "\n"
    assert [i["description"] for i in json.loads(path.read_text())["interactions"]] == ["a request for a"]


def test_post_pact_body_overrides_names(svc, tmp_path):
    put(svc, _interaction())
    requests.get(svc.uri + "/a")
    reply = requests.post(svc.uri + "/pact", headers=ADMIN,
                          json={"consumer": {"name": "X"}, "provider": {"name": "Y"}})
    assert reply.status_code == 200
    assert (tmp_path / "pacts" / "x-y.json").exists()


def test_post_pact_without_names_or_dir_is_rubys_500():
    with MockService(None, None) as svc:
        reply = requests.post(svc.uri + "/pact", headers=ADMIN)
        assert reply.status_code == 500
        assert reply.json() == {"message": "You must specify a consumer and provider name"}
    with MockService("C", "P") as svc:
        reply = requests.post(svc.uri + "/pact", headers=ADMIN)
        assert reply.status_code == 500
        assert "specifying the pact_dir field" in reply.json()["message"]


def test_delete_interactions_keeps_verified_delete_session_clears(svc):
    put(svc, _interaction())
    requests.get(svc.uri + "/a")
    requests.delete(svc.uri + "/interactions", headers=ADMIN)
    assert [i.description for i in svc.verified_interactions()] == ["a request for a"]
    requests.delete(svc.uri + "/session", headers=ADMIN)
    assert svc.verified_interactions() == []


# ------------------------------------------------------------------ session rules

def test_clash_with_verified_interaction_is_rubys_500_text(svc):
    put(svc, _interaction())
    requests.get(svc.uri + "/a")
    reply = put(svc, _interaction(status=201, body={"other": 1}))
    assert reply.status_code == 500
    assert reply.headers["Content-Type"] == "text/plain"
    assert reply.text == (
        'An interaction with same description ("a request for a") and provider state (nil) but '
        "a different response status and response body has already been used. Please use a "
        "different description or provider state, or remove any random data in the "
        "interaction.\n")
    post = requests.post(svc.uri + "/interactions", headers=ADMIN,
                         json=_interaction(state="st", status=404))
    assert post.status_code == 200  # another provider state: another interaction


def test_identical_reregistration_and_unverified_earlier_ones_do_not_clash(svc):
    put(svc, _interaction())
    assert put(svc, _interaction(status=404)).status_code == 200  # never verified
    put(svc, _interaction())
    requests.get(svc.uri + "/a")
    assert put(svc, _interaction()).status_code == 200


def test_put_is_atomic_on_a_clash(svc):
    put(svc, _interaction())
    requests.get(svc.uri + "/a")
    put(svc, _interaction("old", "/old"))
    reply = put(svc, _interaction("new", "/new"), _interaction(status=500))
    assert reply.status_code == 500
    assert [i.description for i in svc.missing_interactions()] == ["old"]


def test_put_replaces_post_appends_and_put_clears_actual(svc):
    put(svc, _interaction("a", "/a"))
    requests.get(svc.uri + "/zzz")
    put(svc, _interaction("b", "/b"))
    assert [i.description for i in svc.missing_interactions()] == ["b"]
    assert svc.verification().unexpected == ()
    svc.add_interaction(_interaction("c", "/c"))
    assert [i.description for i in svc.missing_interactions()] == ["b", "c"]


# ------------------------------------------------------------------ application requests

def test_matched_request_gets_the_response(svc):
    put(svc, _interaction(body={"id": 5, "u": "ü"}, status=201))
    reply = requests.get(svc.uri + "/a")
    assert reply.status_code == 201
    assert reply.content == '{"id":5,"u":"ü"}'.encode("utf-8")
    assert reply.headers["Content-Type"] == "application/json"
    assert verify(svc).text == "Interactions matched\n"


def test_string_body_is_sent_raw_and_absent_body_empty(svc):
    data = _interaction(body="plain text")
    data["response"]["headers"] = {"Content-Type": "text/plain"}
    other = _interaction("b", "/b")
    del other["response"]["body"]
    put(svc, data, other)
    assert requests.get(svc.uri + "/a").text == "plain text"
    assert requests.get(svc.uri + "/b").content == b""


def test_percent_encoded_path_matches_decoded_interaction_path(svc):
    put(svc, _interaction(path="/a b"), _interaction("enc", path="/x%20y"))
    assert requests.get(svc.uri + "/a%20b").status_code == 200
    assert requests.get(svc.uri + "/x%20y").status_code == 200


def test_mismatched_request_ruby_shape_plus_readable_lines(svc):
    put(svc, _interaction("q1", query="x=1"), _interaction("q2", query="x=2", state="s"))
    reply = requests.get(svc.uri + "/a?x=3")
    assert reply.status_code == 500
    data = reply.json()
    assert data["message"] == "No interaction found for GET /a?x=3"
    assert [d["description"] for d in data["interaction_diffs"]] == ["q1", "q2"]
    assert data["interaction_diffs"][1]["provider_state"] == "s"
    assert "query" in data["interaction_diffs"][0]
    assert data["mismatches"] and all(isinstance(line, str) for line in data["mismatches"])
    result = svc.verification()
    assert not result.ok
    assert len(result.mismatched) == 1
    assert {c.description for c in result.mismatched[0].candidates} == {"q1", "q2"}
    # unlike Ruby (§14.9), mismatch candidates are still reported missing
    assert {m.description for m in result.missing} == {"q1", "q2"}


def test_unexpected_request_names_closest_interaction(svc):
    put(svc, _interaction("users", "/users/1"))
    reply = requests.get(svc.uri + "/users/2")
    assert reply.json()["interaction_diffs"] == []
    result = svc.verification()
    assert result.unexpected[0].request.line() == "GET /users/2"
    assert result.unexpected[0].closest.description == "users"
    text = result.describe()
    assert "Unexpected: GET /users/2" in text
    assert "closest interaction: 'users'" in text


def test_multiple_matches_are_500_and_fail_verification(svc):
    put(svc, _interaction("a1"), _interaction("a2", state="st"))
    reply = requests.get(svc.uri + "/a")
    assert reply.status_code == 500
    data = reply.json()
    assert data["message"] == "Multiple interaction found for GET /a"
    assert [i["description"] for i in data["matching_interactions"]] == ["a1", "a2"]
    assert data["matching_interactions"][1]["provider_state"] == "st"
    result = svc.verification()
    assert result.mismatched[0].ambiguous
    assert "matches 2 interactions" in result.describe()
    assert result.describe().splitlines()[-2:] == [
        "  Missing: GET /a for 'a1', whose request matched several interactions (see above)",
        "  Missing: GET /a for 'a2' (given 'st'), whose request matched several interactions (see above)",
    ]


def test_invalid_json_body_is_a_recorded_mismatch_not_a_crash(svc):
    put(svc, _interaction(method="POST", req_headers={"Content-Type": "application/json"},
                          req_body={"a": 1}))
    reply = requests.post(svc.uri + "/a", data=b"{not json",
                          headers={"Content-Type": "application/json"})
    assert reply.status_code == 500
    assert "not valid JSON" in " ".join(reply.json()["mismatches"])
    result = svc.verification()
    assert result.mismatched[0].candidates[0].mismatches[-1].kind == "body"
    assert requests.get(svc.uri + "/", headers=ADMIN).status_code == 200


def test_mismatch_then_match_still_fails_but_interaction_is_verified(svc):
    put(svc, _interaction(query="x=1"))
    requests.get(svc.uri + "/a?x=2")
    assert requests.get(svc.uri + "/a?x=1").status_code == 200
    assert verify(svc).status_code == 500
    assert [i.description for i in svc.verified_interactions()] == ["a request for a"]


def test_each_registration_of_one_interaction_object_needs_a_request_of_its_own(svc):
    # Matches were tracked by id() of the Interaction: once a request had matched it, the
    # same object registered again counted as matched too, though no request came for it.
    interaction = svc.add_interaction(_interaction())
    assert requests.get(svc.uri + "/a").status_code == 200
    assert svc.add_interaction(interaction) is interaction
    verification = svc.verification()
    assert [m.description for m in verification.missing] == ["a request for a"]
    assert svc.missing_interactions() == [interaction]
    assert not verification.ok


def test_head_request_has_headers_no_body(svc):
    put(svc, _interaction(method="HEAD"))
    reply = requests.head(svc.uri + "/a")
    assert reply.status_code == 200
    assert reply.content == b""
    assert int(reply.headers["Content-Length"]) > 0


# ------------------------------------------------------------------ verification texts

def test_verification_text_sections_in_rubys_order(svc):
    put(svc, _interaction("qa", query="x=1"), _interaction("b", "/b"))
    requests.get(svc.uri + "/a?x=2")
    requests.get(svc.uri + "/zzz")
    reply = verify(svc)
    assert reply.status_code == 500
    assert reply.headers["Content-Type"] == "text/plain"
    text = reply.text
    assert text.startswith("Actual interactions do not match expected interactions for mock "
                           "MockService.\n\nIncorrect requests:\n\tGET /a?x=2 (request query did "
                           "not match)\n\nMissing requests:\n\tGET /a?x=1\n\tGET /b\n\n"
                           "Unexpected requests:\n\tGET /zzz\n\n")
    assert 'Diff with interaction: "qa"\nDiff\n--------------------------------------\n' \
           "Key: - is expected \n     + is actual \n" in text
    assert "\nDescription of differences\n--------------------------------------\n* " in text
    assert text.endswith("\nSee standard out/err for details.\n")


def test_verification_text_only_missing(svc):
    put(svc, _interaction("b", "/b", query="z=1"))
    assert verify(svc).text == (
        "Actual interactions do not match expected interactions for mock MockService.\n\n"
        "Missing requests:\n\tGET /b?z=1\n\n\nSee standard out/err for details.\n")


def test_verification_json_round_trips_and_pickles(svc):
    put(svc, _interaction("qa", query="x=1"), _interaction("b", "/b"))
    requests.get(svc.uri + "/a?x=2")
    requests.get(svc.uri + "/zzz")
    reply = verify(svc, Accept="application/json")
    assert reply.status_code == 500
    assert reply.headers["Content-Type"] == "application/json"
    rebuilt = Verification.from_json(reply.text)
    direct = svc.verification()
    assert rebuilt.describe() == direct.describe()
    assert rebuilt.ruby_text() == direct.ruby_text()
    assert pickle.loads(pickle.dumps(direct)) == direct
    assert direct.summary() == ("Pact verification failed: 1 mismatched request, "
                                "2 missing interactions, 1 unexpected request")
    assert direct.describe().splitlines()[1:] == [
        "  Mismatched: GET /a?x=2 for 'qa'",
        "    query 'x': expected ['1'] but got ['2']",
        # still missing and counted, but not shown as if it were another problem
        "  Missing: GET /a?x=1 for 'qa', whose request arrived mismatched (see above)",
        "  Missing: GET /b for 'b'",
        "  Unexpected: GET /zzz",
        "    closest interaction: 'b'",
        "      path: expected '/b' but got '/zzz'",
    ]


def test_verification_json_keeps_the_rule_of_each_mismatch(svc):
    svc.set_interactions([{
        "description": "like body",
        "request": {"method": "POST", "path": "/l", "headers": {"Content-Type": "application/json"},
                    "body": {"json_class": "Pact::SomethingLike", "contents": {"c": "x"}}},
        "response": {"status": 201},
    }])
    requests.post(svc.uri + "/l", json={"other": 1})
    reply = verify(svc, Accept="application/json")
    direct = svc.verification()
    assert any(m.rule == "type" for m in direct.mismatched[0].candidates[0].mismatches)
    rebuilt = Verification.from_json(reply.text)
    assert rebuilt == direct  # the rule survives the trip, so the Ruby text is the same
    assert rebuilt.ruby_text() == direct.ruby_text()


def test_verification_ok_texts(svc):
    result = svc.verification()
    assert result.ok and bool(result)
    assert result.ruby_text() == "Interactions matched\n"


# ------------------------------------------------------------------ bad admin input

BAD_PUTS = [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (b'{"nope": []}', '"interactions" list'),
    (b"\xff\xfe{}", "not valid UTF-8"),
    (b"", "empty"),
]


@pytest.mark.parametrize("body,reason", BAD_PUTS)
def test_malformed_put_is_400_with_reason_and_nothing_changes(svc, body, reason):
    put(svc, _interaction("kept", "/kept"))
    reply = requests.put(svc.uri + "/interactions", headers=ADMIN, data=body)
    assert reply.status_code == 400
    assert reason in reply.json()["message"]
    assert [i.description for i in svc.missing_interactions()] == ["kept"]
    assert requests.get(svc.uri + "/", headers=ADMIN).status_code == 200


TERM_BAD_EXAMPLE = {"json_class": "Pact::Term", "data": {
    "generate": "/zz", "matcher": {"json_class": "Regexp", "o": 0, "s": "^/a"}}}
TERM_BAD_REGEX = {"json_class": "Pact::Term", "data": {
    "generate": "a", "matcher": {"json_class": "Regexp", "o": 0, "s": "(unclosed"}}}


@pytest.mark.parametrize("mutate,reason", [
    (lambda i: i.pop("request"), "request"),
    (lambda i: i.pop("response"), "response"),
    (lambda i: i.pop("description"), "description"),
    (lambda i: i["request"].update(path=TERM_BAD_EXAMPLE), "zz"),
    (lambda i: i["request"].update(path=TERM_BAD_REGEX), "unclosed|regex|regular expression|unterminated"),
    (lambda i: i["response"].update(body={"json_class": "Pact::Nope", "x": 1}), "Pact::Nope"),
])
def test_bad_interaction_is_400_naming_the_problem_and_put_is_all_or_nothing(svc, mutate, reason):
    put(svc, _interaction("kept", "/kept"))
    bad = _interaction("bad", "/bad")
    mutate(bad)
    reply = put(svc, _interaction("good", "/good"), bad)
    assert reply.status_code == 400, reply.text
    message = reply.json()["message"]
    assert message.startswith("interactions[1] ('bad'): ") or \
        message.startswith("interactions[1]: "), message
    assert re.search(reason, message, re.IGNORECASE), message
    assert [i.description for i in svc.missing_interactions()] == ["kept"]
    post = requests.post(svc.uri + "/interactions", headers=ADMIN, json=bad)
    assert post.status_code == 400
    assert [i.description for i in svc.missing_interactions()] == ["kept"]
    with pytest.raises(ValueError):
        svc.set_interactions([_interaction("good", "/good"), bad])


def test_an_invalid_interaction_is_named_once_and_numbered_only_among_several(svc):
    bad = _interaction("x", "/x")
    bad.pop("request")
    post = requests.post(svc.uri + "/interactions", headers=ADMIN, json=bad)
    assert post.json()["message"] == "interaction 'x': request is missing"
    reply = put(svc, bad)
    assert reply.json()["message"] == "interaction 'x': request is missing"
    reply = put(svc, _interaction("good", "/good"), bad)
    assert reply.json()["message"] == "interactions[1] ('x'): request is missing"
    reply = put(svc, _interaction("good", "/good"), [])
    assert reply.json()["message"] == "interactions[1]: must be a JSON object, not list"
    nameless = _interaction("y", "/y")
    nameless.pop("description")
    assert put(svc, nameless).json()["message"] == "interaction: description is missing"
    with pytest.raises(ValueError) as info:
        svc.set_interactions([_interaction("good", "/good"), bad])
    assert str(info.value) == "interactions[1] ('x'): request is missing"
    with pytest.raises(ValueError, match=r"^interaction 'x': request is missing$"):
        svc.add_interaction(bad)


def test_post_interaction_not_an_object_is_400(svc):
    reply = requests.post(svc.uri + "/interactions", headers=ADMIN, json=[1])
    assert reply.status_code == 400
    assert "one interaction" in reply.json()["message"]


def test_ruby_diff_block_and_interaction_diffs_as_ruby_writes_them(svc):
    put(svc, _interaction("qa", query="x=1"),
        _interaction("b", "/b", method="POST", req_headers={"Content-Type": "application/json"},
                     req_body={"a": 1, "n": [1, 2]}))
    requests.get(svc.uri + "/a?x=2")
    body = requests.post(svc.uri + "/b", json={"a": "1", "n": [1], "c": 3}).json()
    assert body["interaction_diffs"] == [{"description": "b", "body": {
        "a": {"EXPECTED": 1, "ACTUAL": "1"},
        "n": ["<no difference at this index>", {"EXPECTED": 2, "ACTUAL": "<item not found>"}],
        "c": {"EXPECTED": "<key not to exist>", "ACTUAL": 3}}}]
    text = verify(svc).text
    assert ('Diff with interaction: "qa"\nDiff\n--------------------------------------\n'
            "Key: - is expected \n     + is actual \nMatching keys and values are not shown\n\n"
            ' {\n   "query": {\n     "x": [\n-      "1",\n+      "2"\n     ]\n   }\n }\n\n'
            "Description of differences\n--------------------------------------\n"
            '* Expected "1" but got "2" at $.query.x[0]\n') in text
    assert ('* Expected 1 but got "1" at $.body.a\n'
            "* Actual array is too short and should have contained 2 at $.body.n[1]\n"
            '* Did not expect the key "c" to exist at $.body\n') in text


def test_leading_double_slash_is_collapsed_for_spec_2_as_ruby_did(svc):
    # Sent with http.client, which sends the path as given: urllib3 2.6+ (under requests)
    # collapses a leading "//" on the client side, so the service would never see it.
    import http.client

    put(svc, _interaction())
    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=10)
    try:
        conn.request("GET", "//a")
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    assert response.status == 200  # issue 13: spec 1/2 collapse it, as WEBrick did
    assert svc.verification().ok
