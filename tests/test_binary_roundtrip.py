"""Binary bodies: what we write into a pact file of each spec version, we read back as the
same bytes (issue 13, item 3): by the admin API, by a merge of our own file and by the
verifier's reader (all go through ``model.parse_interaction``)."""
from __future__ import annotations

import base64
import json

import pytest
import requests

from pact_unittest.mock_service import MockService
from pact_unittest.model import parse_interaction

BYTES = bytes(range(256)) + b"\xff\xd8\xff\xe0 not text"
ASCII_BYTES = b"abcd"  # valid UTF-8 and valid base64 text: must still round-trip as bytes
ADMIN = {"X-Pact-Mock-Service": "true"}


def _interaction(body: bytes) -> dict:
    return {"description": "an upload", "providerState": "none",
            "request": {"method": "PUT", "path": "/files/1",
                        "headers": {"Content-Type": "application/octet-stream"},
                        "body": {"content": base64.b64encode(body).decode("ascii"),
                                 "contentType": "application/octet-stream",
                                 "encoded": "base64"}},
            "response": {"status": 200, "headers": {"Content-Type": "image/jpeg"},
                         "body": {"content": base64.b64encode(body).decode("ascii"),
                                  "contentType": "image/jpeg", "encoded": "base64"}}}


def _body_bytes(body, spec):
    if spec.startswith("4"):
        assert body["encoded"] == "base64"
        return base64.b64decode(body["content"])
    return body


@pytest.mark.parametrize("spec", ["1.0.0", "1.1.0", "2.0.0", "3.0.0", "4.0.0"])
@pytest.mark.parametrize("data", [BYTES, ASCII_BYTES], ids=["binary", "ascii"])
def test_a_binary_body_written_then_read_back_is_the_same_bytes(tmp_path, spec, data):
    with MockService("C", "P", pact_dir=str(tmp_path), specification_version=spec) as svc:
        svc.add_interaction(_interaction(data))
        reply = requests.put(svc.uri + "/files/1", data=data,
                             headers={"Content-Type": "application/octet-stream"})
        assert reply.status_code == 200 and reply.content == data
        assert svc.verification().ok
        path = svc.write_pact()
    item = json.loads(path.read_text())["interactions"][0]
    if not spec.startswith("4"):  # spec 1-3 files hold the bytes as base64 text
        assert item["request"]["body"] == base64.b64encode(data).decode("ascii")
    again = parse_interaction(item, spec)
    assert _body_bytes(again.request["body"], spec) == data
    assert again.response["body"] == data

    # The written form, registered over the admin API, matches the same bytes (it used to
    # be compared as text: the compatibility suite's V1 binary body case through HTTP).
    with MockService("C", "P", pact_dir=str(tmp_path / "again"),
                     specification_version=spec) as svc:
        put = requests.put(svc.uri + "/interactions", headers=ADMIN,
                           json={"interactions": [item]})
        assert put.status_code == 200, put.text
        reply = requests.put(svc.uri + "/files/1", data=data,
                             headers={"Content-Type": "application/octet-stream"})
        assert reply.status_code == 200 and reply.content == data, reply.text
        assert svc.verification().ok
        # A merge re-reading our own file keeps it byte for byte.
        svc.file_write_mode = "merge"
        assert json.loads(svc.pact_text())["interactions"][0] == item


def test_a_string_body_stays_text_unless_binary_typed_valid_base64():
    def body(value, content_type):
        headers = {"Content-Type": content_type} if content_type else {}
        return parse_interaction({"description": "d", "request": {
            "method": "POST", "path": "/", "headers": headers, "body": value},
            "response": {"status": 200}}, "2.0.0").request["body"]

    assert body("AAE=", "application/octet-stream") == b"\x00\x01"
    assert body("AAE=", "text/plain") == "AAE="  # a text type: the text itself
    assert body("AAE=", None) == "AAE="  # no explicit type: no guessing
    assert body("not base64!", "application/octet-stream") == "not base64!"
