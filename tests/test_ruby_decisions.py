"""Behaviours where a replay of Ruby's requests found us different (issue 13, item 5), each
decided by the guide's rule and tested; docs/differences-from-ruby.rst says why."""
from __future__ import annotations

import json

import requests

from pact_unittest.matching import match_request
from pact_unittest.mock_service import MockService

ADMIN = {"X-Pact-Mock-Service": "true"}


def _interaction(status=200, **request):
    request.setdefault("method", "GET")
    request.setdefault("path", "/x")
    return {"description": "x", "request": request, "response": {"status": status}}


def test_delete_session_starts_a_new_write_generation_in_overwrite_mode(tmp_path):
    # A defect whatever the rule: one long-lived service serving many runs must not merge a
    # stale session's interactions back in, nor 500 on a changed one.
    with MockService("C", "P", pact_dir=str(tmp_path)) as svc:
        for status, path in ((200, "/old"), (201, "/old")):
            requests.delete(svc.uri + "/session", headers=ADMIN)
            requests.put(svc.uri + "/interactions", headers=ADMIN,
                         json={"interactions": [_interaction(status, path=path)]})
            requests.get(svc.uri + path)
            reply = requests.post(svc.uri + "/pact", headers=ADMIN)
            assert reply.status_code == 200, reply.text
    items = json.loads((tmp_path / "c-p.json").read_text())["interactions"]
    assert [i["response"]["status"] for i in items] == [201]


def test_merge_mode_post_pact_with_nothing_new_answers_the_merged_file(tmp_path):
    for verify in (True, False):  # as Ruby: the merged file's content either way
        with MockService("C", "P", pact_dir=str(tmp_path), file_write_mode="merge") as svc:
            requests.put(svc.uri + "/interactions", headers=ADMIN,
                         json={"interactions": [_interaction()]})
            if verify:
                requests.get(svc.uri + "/x")
            body = requests.post(svc.uri + "/pact", headers=ADMIN).json()
        assert [i["description"] for i in body["interactions"]] == ["x"]


def test_a_merge_conflict_names_the_interaction_and_the_difference(tmp_path):
    for status in (200, 201):
        with MockService("C", "P", pact_dir=str(tmp_path), file_write_mode="merge") as svc:
            requests.put(svc.uri + "/interactions", headers=ADMIN,
                         json={"interactions": [_interaction(status)]})
            requests.get(svc.uri + "/x")
            reply = requests.post(svc.uri + "/pact", headers=ADMIN)
    assert reply.status_code == 500
    message = reply.json()["message"]
    assert "'x'" in message and "response.status: 200 != 201" in message


def test_kept_differences_spec_cases_and_compatibility_suite_decide():
    # A JSON body compared as JSON without any Content-Type (the v1/v2 spec cases' bodies
    # carry no headers); XML compared as XML in spec 1/2 (compatibility suite V1 XML case).
    exp = {"method": "POST", "path": "/", "headers": {}, "body": {"a": 1, "b": [1]}}
    act = {"method": "POST", "path": "/", "headers": {}, "body": {"b": [1], "a": 1}}
    assert match_request(exp, act, "2.0.0") == []
    xml = {"Content-Type": "application/xml"}
    exp = {"method": "POST", "path": "/", "headers": xml, "body": "<a><b>1</b></a>"}
    act = {"method": "POST", "path": "/", "headers": xml, "body": "<a>\n  <b>1</b>\n</a>"}
    assert match_request(exp, act, "1.0.0") == []


def test_a_spec_2_interaction_keeps_a_v3_provider_state_as_provider_state(tmp_path):
    with MockService("C", "P", pact_dir=str(tmp_path)) as svc:
        item = _interaction()
        item["providerStates"] = [{"name": "user 1 exists"}]
        requests.put(svc.uri + "/interactions", headers=ADMIN, json={"interactions": [item]})
        requests.get(svc.uri + "/x")
        body = requests.post(svc.uri + "/pact", headers=ADMIN).json()
    assert body["interactions"][0]["providerState"] == "user 1 exists"
