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
