"""Unit tests of the matching engine beyond the official corpus: every matcher type,
mismatch kinds, paths and messages, v2 json_class forms, liberal input forms, errors."""
from __future__ import annotations

import pickle
import re

import pytest

from pact_unittest.matching import (
    Mismatch, match_message, match_request, match_response, validate_rules,
)


def body_rules(body, rules, actual, *, spec="3.0.0", request=False, **kwargs):
    """Match one JSON body under v3 nested body rules ({path: [matcher, ...]})."""
    expected = {"body": body, "matchingRules": {
        "body": {path: {"matchers": m if isinstance(m, list) else [m]}
                 for path, m in rules.items()}}}
    func = match_request if request else match_response
    return func(expected, {"body": actual}, spec, **kwargs)


def messages(mismatches):
    return [m.message for m in mismatches]


# --- Mismatch object and basic parts -------------------------------------------------

def test_mismatch_is_frozen_picklable_and_has_one_line_message():
    [m] = match_request({"body": {"items": [{"id": 1}]}}, {"body": {"items": [{"id": "1"}]}})
    assert m == Mismatch("body", "$.items[0].id", 1, "1",
                         "$.items[0].id: expected 1 (integer) but got '1' (string)")
    assert pickle.loads(pickle.dumps(m)) == m
    with pytest.raises(AttributeError):
        m.kind = "x"  # type: ignore[misc]


def test_all_mismatches_are_reported_not_only_the_first():
    expected = {"method": "POST", "path": "/a", "query": "x=1",
                "headers": {"Accept": "application/json"}, "body": {"a": 1, "b": 2}}
    actual = {"method": "GET", "path": "/b", "query": "x=2",
              "headers": {"Accept": "text/html"}, "body": {"a": 2, "b": 3, "c": 4}}
    found = match_request(expected, actual, "2.0.0")
    assert [(m.kind, m.path) for m in found] == [
        ("method", ""), ("path", ""), ("query", "x"), ("header", "Accept"),
        ("body", "$.a"), ("body", "$.b"), ("body", "$.c")]
    assert "method: expected POST but got GET" in messages(found)
    assert "header 'Accept': expected 'application/json' but got 'text/html'" in messages(found)
    assert "$.c: unexpected key 'c' with 4 (integer)" in messages(found)


def test_response_allows_unexpected_keys_but_not_extra_elements():
    assert match_response({"body": {"a": 1}}, {"body": {"a": 1, "b": 2}}) == []
    [m] = match_response({"body": [1]}, {"body": [1, 2]})
    assert m.path == "$" and "expected an array of 1 element(s) but got 2" in m.message


def test_missing_key_and_type_strictness():
    # 1.0 vs 1: a mismatch from spec 3 on; spec 1/2 treat them as equal (Ruby's differ)
    [m] = match_response({"body": {"a": {"b": 1.0}}}, {"body": {"a": {"b": 1}}}, "3.0.0")
    assert m.message == "$.a.b: expected 1.0 (decimal) but got 1 (integer)"
    [m] = match_response({"body": {"a": {"b": True}}}, {"body": {"a": {}}})
    assert m.path == "$.a.b" and "missing" in m.message


def test_odd_keys_render_in_bracket_notation():
    [m] = match_response({"body": {"a b": {"2": 1}}}, {"body": {"a b": {"2": 3}}})
    assert m.path == "$['a b']['2']"


@pytest.mark.parametrize("version", ["1", "1.1", "2", "2.0", "3.0.0", "4.0", "v4"])
def test_spec_version_short_forms(version):
    assert match_request({"path": "/a"}, {"path": "/a"}, version) == []


def test_unknown_spec_version_is_a_value_error():
    with pytest.raises(ValueError, match="unsupported pact specification version"):
        match_request({}, {}, "5.0.0")


def test_status_and_status_code_matcher():
    assert match_response({"status": 200}, {"status": 200}) == []
    [m] = match_response({"status": 200}, {"status": 404})
    assert (m.kind, m.message) == ("status", "status: expected 200 but got 404")
    rules = {"status": {"matchers": [{"match": "statusCode", "status": "success"}]}}
    assert match_response({"status": 200, "matchingRules": rules}, {"status": 299}, "4.0") == []
    assert match_response({"status": 200, "matchingRules": rules}, {"status": 400}, "4.0")
    listed = {"status": {"matchers": [{"match": "statusCode", "status": [200, 201]}]}}
    assert match_response({"status": 200, "matchingRules": listed}, {"status": 201}, "4") == []
    assert match_response({"status": 200, "matchingRules": listed}, {"status": 202}, "4")
    for name, good, bad in [("information", 101, 200), ("redirect", 302, 200),
                            ("clientError", 404, 500), ("serverError", 503, 404),
                            ("nonError", 302, 400), ("error", 500, 204)]:
        rule = {"status": {"matchers": [{"match": "statusCode", "status": name}]}}
        assert match_response({"status": 200, "matchingRules": rule}, {"status": good}, "4") == []
        assert match_response({"status": 200, "matchingRules": rule}, {"status": bad}, "4")


# --- Each matcher type ---------------------------------------------------------------

@pytest.mark.parametrize("matcher,good,bad,fragment", [
    ({"match": "type"}, "other", 5, "expected a value of type string but got 5 (integer)"),
    ({"match": "regex", "regex": r"\d+"}, "123", "12a", r"expected a value matching /\d+/"),
    ({"match": "integer"}, 7, 7.5, "expected an integer but got 7.5 (decimal)"),
    ({"match": "decimal"}, 7.25, 7, "expected a decimal number but got 7 (integer)"),
    ({"match": "number"}, 3, "3", "expected a number but got '3' (string)"),
    ({"match": "boolean"}, False, "", "expected a boolean but got '' (string)"),
    ({"match": "null"}, None, "", "expected null but got '' (string)"),
    ({"match": "include", "value": "ell"}, "hello", "help", "expected a value including 'ell'"),
    ({"match": "equality"}, "x", "y", "expected 'x' (string) but got 'y' (string)"),
    ({"match": "timestamp", "timestamp": "yyyy-MM-dd'T'HH:mm:ss"}, "2024-02-29T23:59:59",
     "2023-02-29T10:00:00", "expected a timestamp in format"),
    ({"match": "date", "date": "yyyy-MM-dd"}, "2023-07-19", "23/07/19", "expected a date"),
    ({"match": "time", "time": "HH:mm:ss"}, "23:59:01", "24:00:00", "expected a time"),
    ({"match": "semver"}, "1.0.0-rc.1+build.5", "1.0", "expected a semantic version"),
    ({"match": "notEmpty"}, "x", "", "expected a non-empty value"),
])
def test_leaf_matcher_match_and_mismatch(matcher, good, bad, fragment):
    example = {"type": "example", "equality": "x"}.get(matcher["match"], good)
    assert body_rules({"v": example}, {"$.v": matcher}, {"v": good}) == []
    [m] = body_rules({"v": example}, {"$.v": matcher}, {"v": bad})
    assert m.kind == "body" and m.path == "$.v"
    assert fragment in m.message and m.message.startswith("$.v: ")


@pytest.mark.parametrize("fmt,good,bad", [
    ("dd/MM/yyyy HH:mm", "31/12/2020 23:05", "32/12/2020 23:05"),
    ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2020-05-21T16:44:32.123+10:00", "2020-05-21T16:44:32+10:00"),
    ("EEE, dd MMM yyyy HH:mm:ss z", "Tue, 03 Jun 2008 11:05:30 GMT", "Xyz, 03 Jun 2008 11:05:30 GMT"),
    ("yyyy-MM-dd HH:mm:ssZZZZZ", "2020-05-21 16:44:32+10:00", "2020-05-21 16:44:32+1000"),
    ("h:mm a", "3:07 PM", "13:07 PM"),
    ("yyyy-MM-dd['T'HH:mm]", "2020-01-01", "2020-01-01T"),
    ("yyyyMMdd", "20200131", "20200132"),
])
def test_timestamp_java_patterns(fmt, good, bad):
    rule = {"$.t": {"match": "timestamp", "format": fmt}}
    assert body_rules({"t": good}, rule, {"t": good}) == []
    assert body_rules({"t": good}, rule, {"t": bad})


def test_default_iso_formats_without_pattern():
    assert body_rules({"t": "x"}, {"$.t": {"match": "timestamp"}},
                      {"t": "2024-01-02T03:04:05Z"}) == []
    assert body_rules({"t": "x"}, {"$.t": {"match": "date"}}, {"t": "2024-1-2"})


def test_type_with_min_and_max_on_arrays():
    rule = {"$.a": {"match": "type", "min": 1, "max": 3}}
    assert body_rules({"a": [1]}, rule, {"a": [5, 6, 7]}) == []
    [m] = body_rules({"a": [1]}, rule, {"a": []})
    assert m.message == "$.a: expected at least 1 element(s) but got 0"
    [m] = body_rules({"a": [1]}, rule, {"a": [1, 2, 3, 4]})
    assert m.message == "$.a: expected at most 3 element(s) but got 4"
    [m] = body_rules({"a": [1]}, rule, {"a": [1, "x"]})
    assert m.path == "$.a[1]"


def test_min_given_as_string_and_without_match_key():
    assert body_rules({"a": [1]}, {"$.a": {"min": "2"}}, {"a": [1, 2]}) == []
    assert body_rules({"a": [1]}, {"$.a": {"min": "2"}}, {"a": [1]})


def test_rules_cascade_and_most_specific_wins():
    rules = {"$.a": {"match": "type"}, "$.a[*].id": {"match": "regex", "regex": "[0-9]+"}}
    body = {"a": [{"id": "1", "name": "x"}]}
    assert body_rules(body, rules, {"a": [{"id": "22", "name": "y"}]}) == []
    [m] = body_rules(body, rules, {"a": [{"id": "2x", "name": "y"}]})
    assert m.path == "$.a[0].id"


def test_equality_resets_a_cascade():
    rules = {"$.one": {"match": "type"}, "$.one.a.status": {"match": "equality"}}
    body = {"one": {"a": {"status": "OK", "n": 1}}}
    assert body_rules(body, rules, {"one": {"a": {"status": "OK", "n": 5}}}) == []
    [m] = body_rules(body, rules, {"one": {"a": {"status": "Lovely", "n": 5}}})
    assert m.path == "$.one.a.status"


def test_combine_or_and_and():
    either = {"body": {"$.v": {"combine": "OR", "matchers": [
        {"match": "integer"}, {"match": "regex", "regex": "n/a"}]}}}
    exp = {"body": {"v": 1}, "matchingRules": either}
    assert match_response(exp, {"body": {"v": 5}}, "3") == []
    assert match_response(exp, {"body": {"v": "n/a"}}, "3") == []
    [m] = match_response(exp, {"body": {"v": "x"}}, "3")
    assert " or " in m.message
    both = {"body": {"$.v": {"matchers": [{"match": "type"}, {"match": "include", "value": "a"}]}}}
    found = match_response({"body": {"v": "a"}, "matchingRules": both}, {"body": {"v": 5}}, "3")
    assert len(found) == 2


def test_values_matcher_ignores_keys():
    rules = {"$": {"match": "values"}, "$.*": {"match": "type"}}
    assert body_rules({"a": "x"}, rules, {"b": "y", "c": "z"}, request=True) == []
    [m] = body_rules({"a": "x"}, rules, {"four": 100})
    assert m.path == "$.four"


def test_each_key_and_each_value():
    keys = {"$": {"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}],
                  "value": "one"}, "$.*": {"match": "type"}}
    assert body_rules({"one": 1}, keys, {"two": 2, "three": 3}) == []
    [m] = body_rules({"one": 1}, keys, {"two": 2, "100": 3})
    assert m.path == "$['100']" and "key '100'" in m.message
    values = {"$": {"match": "eachValue", "rules": [{"match": "regex", "regex": r"\d+"}],
                    "value": "1"}}
    assert body_rules({"a": "1"}, values, {"x": "12", "y": "3"}) == []
    [m] = body_rules({"a": "1"}, values, {"x": "12", "y": "z"})
    assert m.path == "$.y"
    assert body_rules(["1"], values, ["2", "33"]) == []
    assert body_rules(["1"], values, ["2", "x"])


def test_array_contains_variants_in_any_order():
    rule = {"$.items": {"match": "arrayContains", "variants": [
        {"index": 0, "rules": {"$.id": {"matchers": [{"match": "integer"}]}}},
        {"index": 1, "rules": {}}]}}
    body = {"items": [{"id": 1}, {"kind": "special"}]}
    assert body_rules(body, rule, {"items": [{"kind": "special"}, {"x": 1}, {"id": 99}]}) == []
    [m] = body_rules(body, rule, {"items": [{"id": 99}]})
    assert m.path == "$.items" and "variant at index 1" in m.message


def test_not_empty_on_collections():
    rule = {"$.a": {"match": "notEmpty"}}
    assert body_rules({"a": [1]}, rule, {"a": [2, 3]}) == []
    [m] = body_rules({"a": [1]}, rule, {"a": []})
    assert "non-empty" in m.message


def test_content_type_matcher_sniffs_bodies():
    exp = {"body": "x",
           "matchingRules": {"body": {"$": {"matchers": [
               {"match": "contentType", "value": "application/json"}]}}}}
    assert match_response(exp, {"body": '{"a": [1]}'}, "3") == []
    [m] = match_response(exp, {"body": "plain words"}, "3")
    assert "expected content of type application/json but got text/plain" in m.message
    png = dict(exp, matchingRules={"body": {"$": {"matchers": [
        {"match": "contentType", "value": "image/png"}]}}})
    assert match_response(png, {"body": b"\x89PNG\r\n\x1a\n...."}, "3") == []


def test_partial_regex_is_ruby_search_semantics():
    rule = {"$.v": {"match": "regex", "regex": r"\d+"}}
    assert body_rules({"v": "1"}, rule, {"v": "abc123def"})
    assert body_rules({"v": "1"}, rule, {"v": "abc123def"}, partial_regex=True) == []


# --- v2 forms and liberal input ------------------------------------------------------

TERM = {"json_class": "Pact::Term", "data": {"generate": "12", "matcher": {
    "json_class": "Regexp", "o": 0, "s": "\\d+"}}}


def test_v2_json_class_matchers_in_expected_body():
    body = {"a": TERM, "l": {"json_class": "Pact::ArrayLike", "min": 2,
                             "contents": {"id": {"json_class": "Pact::SomethingLike",
                                                 "contents": 1}}}}
    ok = {"a": "99", "l": [{"id": 5}, {"id": 6}, {"id": 7}]}
    assert match_request({"body": body}, {"body": ok}, "2.0.0") == []
    bad = {"a": "9x", "l": [{"id": 5}, {"id": "x"}]}
    assert [m.path for m in match_request({"body": body}, {"body": bad})] == ["$.a", "$.l[1].id"]
    [m] = match_request({"body": body}, {"body": {"a": "1", "l": [{"id": 1}]}})
    assert m.message == "$.l: expected at least 2 element(s) but got 1"


def test_v2_terms_in_path_headers_and_query():
    expected = {"method": "GET", "path": {"json_class": "Pact::Term", "data": {
        "generate": "/users/1", "matcher": {"json_class": "Regexp", "s": "/users/\\d+"}}},
        "headers": {"X-Id": TERM}, "query": {"page": [TERM]}}
    actual = {"method": "GET", "path": "/users/42", "headers": {"x-id": "7"}, "query": "page=3"}
    assert match_request(expected, actual, "2.0.0") == []
    actual = {"method": "GET", "path": "/users/x", "headers": {"x-id": "a"}, "query": "page=b"}
    assert [m.kind for m in match_request(expected, actual, "2.0.0")] == ["path", "query", "header"]


def test_v3_rules_under_v2_and_v2_rules_under_v3():
    v3 = {"body": {"$.a": {"matchers": [{"match": "type"}]}}}
    v2 = {"$.body.a": {"match": "type"}}
    for rules, version in [(v3, "2.0.0"), (v2, "3.0.0"), (v2, "4.0.0")]:
        exp = {"body": {"a": 1}, "matchingRules": rules}
        assert match_request(exp, {"body": {"a": 2}}, version) == []


def test_query_as_string_or_map_in_any_version():
    for version in ("1.1.0", "2.0.0", "3.0.0", "4.0.0"):
        for expected in ("a=1&b=2&b=3", {"a": ["1"], "b": ["2", "3"]}, {"a": "1", "b": ["2", "3"]}):
            for actual in ("b=2&a=1&b=3", {"b": ["2", "3"], "a": ["1"]}):
                assert match_request({"query": expected}, {"query": actual}, version) == []
        assert match_request({"query": "b=2&b=3"}, {"query": {"b": ["3", "2"]}}, version)


def test_query_v1_compares_decoded_strings():
    assert match_request({"query": "a=x%3Dy"}, {"query": "a=x=y"}, "1.0.0") == []
    assert match_request({"query": "a=1&b=2"}, {"query": "b=2&a=1"}, "1.0.0")


def test_query_rules_apply_to_each_value():
    exp = {"query": {"id": ["1"]}, "matchingRules": {"query": {"id": {"matchers": [
        {"match": "integer"}]}}}}
    assert match_request(exp, {"query": {"id": ["10", "20"]}}, "3") == []
    [m] = match_request(exp, {"query": {"id": ["10", "x"]}}, "3")
    assert (m.kind, m.path) == ("query", "id")


def test_headers_rules_and_media_type_parameters():
    exp = {"headers": {"X-Count": "1", "Content-Type": "application/json; charset=UTF-8"},
           "matchingRules": {"header": {"x-count": {"matchers": [{"match": "integer"}]}}}}
    actual = {"headers": {"x-count": "42", "content-type": "application/json;charset=utf-8; v=1"}}
    assert match_response(exp, actual, "3") == []
    actual = {"headers": {"x-count": "4.2", "content-type": "application/json"}}
    assert [m.path for m in match_response(exp, actual, "3")] == ["X-Count", "Content-Type"]


def test_v4_headers_as_lists():
    assert match_request({"headers": {"Accept": ["a", "b"]}}, {"headers": {"accept": "a, b"}},
                         "4.0.0") == []


# --- bodies of other kinds -----------------------------------------------------------

def test_form_body_is_a_map_of_lists():
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    exp = {"headers": form, "body": "a=1&b=2&b=3"}
    assert match_request(exp, {"headers": form, "body": "b=2&a=1&b=3"}) == []
    found = match_request(exp, {"headers": form, "body": "b=2&a=3&b=3&c=1"})
    assert [(m.kind, m.path) for m in found] == [("body", "$.a"), ("body", "$.c")]
    assert match_response(exp, {"headers": form, "body": "b=2&a=1&b=3&c=1"}) == []


def test_text_body_equality_and_root_regex():
    exp = {"body": "hello"}
    assert match_response(exp, {"body": "hello"}) == []
    [m] = match_response(exp, {"body": "bye"})
    assert m.path == "$" and m.message == "$: expected body 'hello' but got 'bye'"
    exp["matchingRules"] = {"body": {"$": {"matchers": [{"match": "regex", "regex": "h.*"}]}}}
    assert match_response(exp, {"body": "hi"}, "3") == []


def test_xml_body_paths_and_namespaces():
    xml = {"Content-Type": "application/xml"}
    exp = {"headers": xml, "body": "<a x='1'><b>t</b></a>"}
    found = match_request(exp, {"headers": xml, "body": "<a x='2' y='3'><b>u</b><c/></a>"})
    assert sorted(m.path for m in found) == ["$.a.b['#text']", "$.a.c", "$.a['@x']", "$.a['@y']"]
    assert match_response(exp, {"headers": xml, "body": "<a x='1' y='3'><b>t</b><c/></a>"}) == []
    ns = {"body": "<p:a xmlns:p='urn:x'><p:b>t</p:b></p:a>"}
    assert match_response(ns, {"body": "<a xmlns='urn:x'><b>t</b></a>"}) == []
    assert match_response(ns, {"body": "<a xmlns='urn:y'><b>t</b></a>"})


def test_unparseable_actual_bodies_are_mismatches():
    [m] = match_response({"headers": {"Content-Type": "application/json"}, "body": {"a": 1}},
                         {"headers": {"content-type": "application/json"}, "body": "{not json"})
    assert m.kind == "body" and "not valid JSON" in m.message
    [m] = match_response({"headers": {"Content-Type": "application/xml"}, "body": "<a/>"},
                         {"headers": {"Content-Type": "application/xml"}, "body": "<a"})
    assert m.kind == "body" and "not valid XML" in m.message


def test_body_content_type_mismatch_is_reported_once():
    """A form sent where JSON was expected is one mistake: one mismatch, not a header one too."""
    for spec in ("2.0.0", "3.0.0"):
        found = match_request(
            {"headers": {"Content-Type": "application/json"}, "body": {"a": "1"}},
            {"headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": "a=1"},
            spec)
        assert [(m.kind, m.expected, m.actual) for m in found] == [
            ("body-content-type", "application/json", "application/x-www-form-urlencoded")]
        assert found[0].message == (
            "body content type: expected a body of type 'application/json' but got one of "
            "type 'application/x-www-form-urlencoded', so the body was not compared")
    # a Content-Type header that differs while the body type agrees is still a header mismatch
    [m] = match_request({"headers": {"Content-Type": "application/json; charset=utf-8"},
                         "body": {"a": 1}},
                        {"headers": {"Content-Type": "application/json"}, "body": {"a": 1}})
    assert m.kind == "header"


def test_regex_messages_say_the_regex_and_the_example():
    term = {"json_class": "Pact::Term", "data": {
        "generate": "k-1", "matcher": {"json_class": "Regexp", "o": 0, "s": r"k-\d+"}}}
    [m] = match_request({"headers": {"X-Key": term}}, {"headers": {"X-Key": "abc"}})
    assert m.message == r"header 'X-Key': expected a value matching /k-\d+/ (like 'k-1') but got 'abc'"
    [m] = match_request({"headers": {"X-Key": term}}, {"headers": {}})
    assert m.message == (r"header 'X-Key': expected a value matching /k-\d+/ (like 'k-1') "
                         "but the header was missing")
    [m] = match_request({"body": {"k": term}}, {"body": {"k": "abc"}}, "2.0.0")
    assert m.message == r"$.k: expected a value matching /k-\d+/ (like 'k-1') but got 'abc' (string)"
    [m] = match_request({"query": "k=k-1", "matchingRules": {"$.query.k": {
        "match": "regex", "regex": r"k-\d+"}}}, {"query": "k=abc"})
    assert m.message == r"query 'k': expected a value matching /k-\d+/ (like 'k-1') but got 'abc'"


def test_v4_body_objects_and_base64():
    exp = {"body": {"contentType": "text/plain", "encoded": "base64", "content": "aGVsbG8="}}
    assert match_request(exp, {"body": "hello"}, "4.0.0") == []
    assert match_request(exp, {"body": "bye"}, "4.0.0")


def test_messages_contents_and_metadata():
    exp = {"contents": {"a": 1}, "metaData": {"contentType": "application/json", "k": "v"}}
    act = {"contents": {"a": 1, "extra": 2}, "metaData": {"contentType": "application/json",
                                                          "k": "v"}}
    assert match_message(exp, act) == []
    [m] = match_message(exp, dict(act, metaData={"contentType": "application/json", "k": "w"}))
    assert (m.kind, m.path) == ("metadata", "k")
    v4 = {"contents": {"contentType": "application/json", "encoded": False, "content": {"a": 1}},
          "matchingRules": {"content": {"$.a": {"matchers": [{"match": "integer"}]}}}}
    assert match_message(v4, {"contents": {"a": 5}}, "4.0.0") == []
    assert match_message(v4, {"contents": {"a": "5"}}, "4.0.0")


# --- malformed contracts and hostile input -------------------------------------------

@pytest.mark.parametrize("rules,fragment", [
    ({"body": {"$.a": {"matchers": [{"match": "regex", "regex": "("}]}}}, "invalid regex"),
    ({"body": {"$.a": {"matchers": [{"match": "wibble"}]}}}, "unknown matcher type 'wibble'"),
    ({"body": {"$.a": {"matchers": [{"foo": 1}]}}}, "has no 'match' type"),
    ({"body": {"$.a": {"matchers": "type"}}}, "'matchers' must be a list"),
    ({"body": {"a.b": {"matchers": []}}}, "must start with '$'"),
    ({"body": {"$.a[x]": {"matchers": []}}}, "bad index"),
    ({"$.body.a": {"match": "type", "min": "lots"}}, "'min' must be an integer"),
    ({"$.nowhere.a": {"match": "type"}}, "unknown matching rule category"),
    ({"bogus": {}}, "unknown matching rule category 'bogus'"),
    ({"body": {"$.a": {"matchers": [{"match": "date", "date": "yyyy-bb"}]}}}, "pattern letter"),
    ({"body": {"$.a": {"combine": "XOR", "matchers": []}}}, "'combine'"),
    ([1, 2], "matchingRules must be an object"),
])
def test_malformed_rules_raise_value_error(rules, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        match_request({"body": {"a": 1}, "matchingRules": rules}, {"body": {"a": 1}}, "3.0.0")
    with pytest.raises(ValueError):
        validate_rules(rules)


def test_malformed_expected_and_actual_raise_value_error():
    with pytest.raises(ValueError, match="expected request must be an object"):
        match_request([], {})
    with pytest.raises(ValueError, match="actual response must be an object"):
        match_response({}, "nope")
    with pytest.raises(ValueError, match="headers must be an object"):
        match_request({"headers": ["a"]}, {"headers": {}})


@pytest.mark.parametrize("depth", [100_000])
def test_deep_nesting_does_not_crash(depth):
    def nested(leaf):
        value = leaf
        for _ in range(depth):
            value = [value]
        return value

    assert match_request({"body": nested(1)}, {"body": nested(1)}, "3.0.0") == []
    [m] = match_request({"body": nested(1)}, {"body": nested(2)}, "3.0.0")
    assert m.path.startswith("$[0][0]") and m.path.count("[0]") == depth
    rules = {"body": {"$": {"matchers": [{"match": "type"}]}}}
    assert match_response({"body": nested(1), "matchingRules": rules},
                          {"body": nested(5)}, "3.0.0") == []
    text = "[" * depth + "]" * depth
    [m] = match_request({"headers": {"Content-Type": "application/json"}, "body": [1]},
                        {"headers": {"Content-Type": "application/json"}, "body": text})
    assert m.kind == "body" and "nested too deeply" in m.message
    with pytest.raises(ValueError, match="nested too deeply"):
        match_request({"headers": {"Content-Type": "application/json"}, "body": text},
                      {"body": [1]})


def test_deep_xml_does_not_crash():
    depth = 50_000
    xml = {"Content-Type": "application/xml"}
    doc = "<a>" * depth + "t" + "</a>" * depth
    other = "<a>" * depth + "u" + "</a>" * depth
    assert match_request({"headers": xml, "body": doc}, {"headers": xml, "body": doc}) == []
    [m] = match_request({"headers": xml, "body": doc}, {"headers": xml, "body": other})
    assert m.path.endswith(".a.a['#text']")


def test_mismatch_rule_field_is_optional_frozen_and_pickles():
    import dataclasses
    import pickle

    old = Mismatch("body", "$.a", 1, "x", "$.a: old style")  # five positional fields
    assert old.rule is None
    new = Mismatch("body", "$.a", 1, "x", "$.a: typed", "type")
    assert pickle.loads(pickle.dumps(new)) == new and pickle.loads(pickle.dumps(old)) == old
    with pytest.raises(dataclasses.FrozenInstanceError):
        new.rule = "regex"  # type: ignore[misc]
    unpickled_old = Mismatch.__new__(Mismatch)  # what unpickling a pre-``rule`` pickle does
    unpickled_old.__dict__.update(kind="body", path="$", expected=1, actual=2, message="m")
    assert unpickled_old.rule is None


def test_mismatches_name_the_rule_that_applied():
    rules = {"$.body.n": {"match": "type"}, "$.body.d": {"match": "regex", "regex": r"\d+"},
             "$.body.o": {"match": "type"}, "$.headers.X-K": {"match": "regex", "regex": "k"}}
    found = match_request({"headers": {"X-K": "k", "X-M": "m"},
                           "body": {"n": 1, "d": "1", "e": 1, "o": {"a": 1}, "gone": "g"},
                           "matchingRules": rules},
                          {"headers": {"X-M": "z"},
                           "body": {"n": "1", "d": "x", "e": 2, "o": {"a": "s"}}}, "2.0.0")
    assert {(m.kind, m.path): m.rule for m in found} == {
        ("header", "X-K"): "regex", ("header", "X-M"): None, ("body", "$.n"): "type",
        ("body", "$.d"): "regex", ("body", "$.e"): None, ("body", "$.o.a"): "type",
        ("body", "$.gone"): None}
