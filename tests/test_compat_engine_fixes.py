"""Engine fixes found by the Pact compatibility suite (each names its scenario)."""
from __future__ import annotations

from pact_unittest.matching import match_request


def _request(**parts):
    return dict({"method": "GET", "path": "/path"}, **parts)


def test_repeated_header_lines_each_match_the_regex():
    """V2/http_consumer: Supports matchers for repeated request headers (positive/negative)."""
    expected = _request(headers={"X-Test": "1000"},
                        matchingRules={"$.header.x-test": {"match": "regex", "regex": r"\d{1,4}"}})
    ok = _request(headers={"X-Test": "1000, 1234, 9999"})
    assert match_request(expected, ok, "2.0.0") == []
    bad = _request(headers={"X-Test": "1000, 1234, 9999ABC"})
    mismatches = match_request(expected, bad, "2.0.0")
    assert [(m.kind, m.path, m.actual) for m in mismatches] == [("header", "X-Test", "9999ABC")]


def test_each_key_leaves_values_of_new_keys_free():
    """V4/matching_rules: Supports an EachKey matcher (positive and negative case)."""
    rules = {"body": {"$": {"combine": "AND", "matchers": [
        {"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}], "value": "one"}]}}}
    expected = _request(method="POST", headers={"Content-Type": "application/json"},
                        body={"one": "a", "two": "b"}, matchingRules=rules)
    ok = _request(method="POST", headers={"Content-Type": "application/json"},
                  body={"one": "a", "two": "b", "three": "c", "four": "d"})
    assert match_request(expected, ok, "4.0") == []
    bad = dict(ok, body={"one": "a", "two": "b", "three": "c", "100": "d"})
    mismatches = match_request(expected, bad, "4.0")
    assert len(mismatches) == 1 and mismatches[0].actual == "100", mismatches
    # a known key still compares its value
    changed = dict(ok, body={"one": "a", "two": "x"})
    assert [m.path for m in match_request(expected, changed, "4.0")] == ["$.two"]


_MULTIPART = ("--XyZ\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ\r\n"
              "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
              "{}\r\n--XyZ--\r\n")


def test_multipart_bodies_compare_part_by_part_after_base64_decoding():
    """V1/http_consumer: Request with a multipart body (positive and negative case)."""
    import base64

    ctype = "multipart/mixed; boundary=XyZ"
    body = _MULTIPART.format(base64.b64encode(b"0123456789").decode())
    expected = _request(method="PUT", headers={"Content-Type": ctype}, body=body)
    assert match_request(expected, dict(expected), "1.0.0") == []
    # the same content, re-encoded with other line breaks in the base64 text, still matches
    other = _MULTIPART.format("MDEyMzQ1\r\nNjc4OQ==")
    assert match_request(expected, dict(expected, body=other), "1.0.0") == []
    changed = _MULTIPART.format(base64.b64encode(b"01234").decode())
    mismatches = match_request(expected, dict(expected, body=changed), "1.0.0")
    assert len(mismatches) == 1
    assert (mismatches[0].kind, mismatches[0].expected, mismatches[0].actual) == (
        "body", b"0123456789", b"01234")
    assert "part 2" in mismatches[0].message and "10 bytes" in mismatches[0].message


def test_binary_body_mismatch_names_type_and_sizes():
    """V1/http_consumer: Request with a binary body (negative case)."""
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(200))
    expected = _request(method="PUT", headers={"Content-Type": "image/jpeg"}, body=jpeg)
    mismatches = match_request(expected, dict(expected, body=jpeg[:50]), "1.0.0")
    assert len(mismatches) == 1
    message = mismatches[0].message
    assert "image/jpeg" in message and "204 bytes" in message and "50 bytes" in message
    assert "ffd8ffe0" in message
