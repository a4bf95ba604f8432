"""What two real pact-python v2 suites did that failed on us (issue 13, item 6): a
``str``-subclass Enum as method, header or description, and ``pact.uri + "/" + "/users"``."""
from __future__ import annotations

import enum
import http.client
import json
from urllib.parse import urlsplit

import pytest
import requests

from pact_unittest import Consumer, Like, Provider


class Method(str, enum.Enum):
    GET = "GET"


class Kind(str, enum.Enum):
    JSON = "application/json"
    STATE = "user 1 exists"


def _pact(tmp_path, spec="2.0.0"):
    return Consumer("C").has_pact_with(Provider("P"), host_name="127.0.0.1", port=0,
                                       pact_dir=str(tmp_path), specification_version=spec)


@pytest.mark.parametrize("spec", ["2.0.0", "3.0.0"])
def test_str_enum_members_are_sent_and_written_by_value(tmp_path, spec):
    pact = _pact(tmp_path, spec)
    pact.start_service()
    try:
        (pact.given(Kind.STATE).upon_receiving("a request for user 1")
             .with_request(Method.GET, "/users/1", headers={"Accept": Kind.JSON})
             .will_respond_with(200, headers={"Content-Type": Kind.JSON}, body=Like({"id": 1})))
        with pact:
            reply = requests.get(pact.uri + "/users/1", headers={"Accept": "application/json"})
            assert reply.status_code == 200, reply.text
            assert reply.headers["Content-Type"] == "application/json"
    finally:
        pact.stop_service()
    item = json.loads((tmp_path / "c-p.json").read_text())["interactions"][0]
    assert item["request"]["method"].upper() == "GET"
    assert item["request"]["headers"] == {"Accept": "application/json"}
    assert "Kind" not in json.dumps(item) and "Method" not in json.dumps(item)


def _raw_get(uri: str, path: str) -> int:
    parts = urlsplit(uri)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("POST", path, body=b"{}", headers={"Content-Type": "application/json"})
        return conn.getresponse().status
    finally:
        conn.close()


def test_a_leading_double_slash_is_collapsed_for_spec_1_and_2_as_ruby_did(tmp_path):
    pact = _pact(tmp_path)
    pact.start_service()
    try:
        (pact.upon_receiving("create a user").with_request("post", "/users", body={})
             .will_respond_with(201))
        with pact:
            assert _raw_get(pact.uri, "//users") == 201  # pact.uri + "/" + "/users"
        # An interaction whose path itself starts with // keeps the slashes meaningful.
        (pact.upon_receiving("a double slash").with_request("post", "//raw", body={})
             .will_respond_with(202))
        with pact:
            assert _raw_get(pact.uri, "//raw") == 202
        (pact.upon_receiving("a double slash").with_request("post", "//raw", body={})
             .will_respond_with(202))
        with pytest.raises(AssertionError):
            with pact:
                assert _raw_get(pact.uri, "/raw") == 500
    finally:
        pact.stop_service()


def test_spec_3_keeps_a_double_slash_distinct(tmp_path):
    pact = _pact(tmp_path, "3.0.0")
    pact.start_service()
    try:
        (pact.upon_receiving("create a user").with_request("post", "/users", body={})
             .will_respond_with(201))
        with pytest.raises(AssertionError):
            with pact:
                assert _raw_get(pact.uri, "//users") == 500  # the Rust core's rule
    finally:
        pact.stop_service()
