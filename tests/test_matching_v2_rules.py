"""Spec 1/2 rules as the Ruby mock service and pact-python v2 write them: indexed query
rules (``$.query.n[0]``), a rule on the whole query string (``$.query``), and numbers
compared Ruby's way (``1 == 1.0``); plus the shared Java date/time pattern module."""
from __future__ import annotations

import datetime

import pytest
import requests

from pact_unittest.matching.javatime import format_java, java_pattern_regex, java_time_format
from pact_unittest.matching import match_request, match_response
from pact_unittest.mock_service import MockService

DIGITS = {"match": "regex", "regex": r"\d+"}


def query_rules(query, rules, actual, spec="2.0.0"):
    expected = {"method": "GET", "path": "/a", "query": query, "matchingRules": rules}
    return match_request(expected, {"method": "GET", "path": "/a", "query": actual}, spec)


# --- Task: $.query.n[0] (Ruby writes it for query={"n": Term(...)}) ---------------------

def test_indexed_query_rule_applies_to_that_value():
    assert query_rules("n=1", {"$.query.n[0]": DIGITS}, "n=42") == []
    [m] = query_rules("n=1", {"$.query.n[0]": DIGITS}, "n=x")
    assert (m.kind, m.path, m.actual) == ("query", "n", "x")
    assert "matching /\\d+/" in m.message


def test_indexed_query_rule_does_not_relax_the_number_of_values():
    [m] = query_rules("n=1", {"$.query.n[0]": DIGITS}, "n=42&n=7")
    assert (m.kind, m.path, m.expected, m.actual) == ("query", "n", ["1"], ["42", "7"])


def test_each_index_has_its_own_rule_and_unruled_values_compare_equal():
    rules = {"$.query.n[1]": DIGITS}
    assert query_rules("n=a&n=1", rules, "n=a&n=99") == []
    [m] = query_rules("n=a&n=1", rules, "n=b&n=99")
    assert (m.expected, m.actual) == ("a", "b")


def test_star_index_applies_to_every_value_and_exact_index_wins():
    rules = {"$.query.n[*]": DIGITS, "$.query.n[0]": {"match": "regex", "regex": "[a-z]+"}}
    assert query_rules("n=a&n=1&n=2", rules, "n=zz&n=5&n=6") == []
    assert [m.actual for m in query_rules("n=a&n=1&n=2", rules, "n=5&n=x&n=6")] == ["5", "x"]


def test_whole_parameter_rule_applies_to_all_values_and_frees_their_number():
    assert query_rules("n=1", {"$.query.n": DIGITS}, "n=42&n=7&n=0") == []
    assert [m.actual for m in query_rules("n=1", {"$.query.n": DIGITS}, "n=4&n=x")] == ["x"]


def test_ruby_each_like_query_rules_min_and_element_path():
    rules = {"$.query.n": {"min": 2}, "$.query.n[*].*": {"match": "type"}}
    assert query_rules("n=a&n=a", rules, "n=1&n=2&n=3") == []
    [m] = query_rules("n=a&n=a", rules, "n=1")
    assert "at least 2" in m.message


def test_indexed_query_rules_in_v3_file_form_and_v1():
    assert query_rules({"n": ["1"]}, {"$.query.n[0]": DIGITS}, {"n": ["42"]}, "3.0.0") == []
    assert query_rules("n=1", {"$.query.n[0]": DIGITS}, "n=42", "1.0.0") == []


def test_inline_terms_in_a_query_map_are_per_value():
    term = {"json_class": "Pact::Term", "data": {"generate": "1", "matcher": {
        "json_class": "Regexp", "o": 0, "s": r"\d+"}}}
    expected = {"method": "GET", "path": "/a", "query": {"n": ["x", term]}}
    assert match_request(expected, {"method": "GET", "path": "/a", "query": "n=x&n=5"}) == []
    [m] = match_request(expected, {"method": "GET", "path": "/a", "query": "n=y&n=5"})
    assert (m.expected, m.actual) == ("x", "y")
    assert match_request(expected, {"method": "GET", "path": "/a", "query": "n=x&n=5&n=6"})


def test_form_body_rules_with_an_index():
    expected = {"method": "POST", "path": "/a", "headers": {
        "Content-Type": "application/x-www-form-urlencoded"}, "body": "n=1&m=a",
        "matchingRules": {"$.body.n[0]": DIGITS}}
    actual = dict(expected, body="n=77&m=a")
    del actual["matchingRules"]
    assert match_request(expected, actual) == []
    [m] = match_request(expected, dict(actual, body="n=x&m=a"))
    assert (m.kind, m.path) == ("body", "$.n")


def test_rule_on_the_whole_query_string():
    rules = {"$.query": {"match": "regex", "regex": r"a=\d+&b=[\w ]+"}}
    assert query_rules("a=1&b=x", rules, "a=42&b=yz") == []
    assert query_rules("a=1&b=x", rules, "a=42&b=y%20z") == []  # raw fails, decoded matches
    assert query_rules("a=1&b=x", rules, {"a": ["42"], "b": ["y z"]}) == []
    [m] = query_rules("a=1&b=x", rules, "a=x&b=y")
    assert (m.kind, m.path, m.actual) == ("query", "", "a=x&b=y")
    assert m.message.startswith("query: ")


def test_mock_service_v2_term_in_query_end_to_end():
    """pact-python 2.x sends query={"n": Term(r"\\d+", "1")} in this json_class form."""
    interaction = {
        "description": "a numbered thing", "provider_state": None,
        "request": {"method": "GET", "path": "/things", "query": {"n": {
            "json_class": "Pact::Term",
            "data": {"generate": "1",
                     "matcher": {"json_class": "Regexp", "o": 0, "s": "\\d+"}}}}},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                     "body": {"ok": True}},
    }
    with MockService("C", "P", specification_version="2.0.0") as svc:
        [parsed] = svc.set_interactions([interaction])
        assert parsed.request["matchingRules"] == {"$.query.n[0]": {
            "match": "regex", "regex": "\\d+"}}
        good = requests.get(svc.uri + "/things?n=42", timeout=10)
        assert (good.status_code, good.json()) == (200, {"ok": True})
        assert svc.verification().ok
        bad = requests.get(svc.uri + "/things?n=abc", timeout=10)
        assert bad.status_code == 500
        assert not svc.verification().ok


@pytest.mark.parametrize("query", ["n=42&n=43", "m=1"])
def test_mock_service_v2_term_in_query_still_rejects_other_queries(query):
    interaction = {
        "description": "a numbered thing",
        "request": {"method": "GET", "path": "/things", "query": {"n": {
            "json_class": "Pact::Term",
            "data": {"generate": "1",
                     "matcher": {"json_class": "Regexp", "o": 0, "s": "\\d+"}}}}},
        "response": {"status": 204},
    }
    with MockService("C", "P", specification_version="2.0.0") as svc:
        svc.set_interactions([interaction])
        assert requests.get(svc.uri + "/things?" + query, timeout=10).status_code == 500


# --- Task: numbers in spec 1/2 (Ruby's treat_all_number_classes_as_equivalent) ----------

@pytest.mark.parametrize("spec", ["1.0.0", "1.1.0", "2.0.0"])
@pytest.mark.parametrize("exp,act", [(1, 1.0), (1.0, 1), ([2, {"x": 3.0}], [2.0, {"x": 3}])])
def test_int_and_float_of_equal_value_are_equal_before_spec_3(spec, exp, act):
    for func in (match_request, match_response):
        assert func({"body": {"n": exp}}, {"body": {"n": act}}, spec) == [], func


@pytest.mark.parametrize("spec", ["3.0.0", "4.0.0"])
def test_int_and_float_stay_apart_from_spec_3(spec):
    [m] = match_response({"body": {"n": 1}}, {"body": {"n": 1.0}}, spec)
    assert (m.path, m.expected, m.actual) == ("$.n", 1, 1.0)
    assert match_response({"body": {"n": 1.0}}, {"body": {"n": 1}}, spec)


@pytest.mark.parametrize("spec", ["1.0.0", "2.0.0"])
def test_loose_numbers_still_keep_values_and_other_types_apart(spec):
    assert match_response({"body": {"n": 1}}, {"body": {"n": 1.5}}, spec)
    assert match_response({"body": {"n": 1}}, {"body": {"n": True}}, spec)
    assert match_response({"body": {"n": 0}}, {"body": {"n": False}}, spec)
    assert match_response({"body": {"n": 1}}, {"body": {"n": "1"}}, spec)
    assert match_response({"body": {"n": 1.0}}, {"body": {"n": "1.0"}}, spec)


@pytest.mark.parametrize("spec", ["2.0.0", "3.0.0"])
def test_type_rule_treats_int_and_float_as_one_number_type(spec):
    rules = ({"$.body.n": {"match": "type"}} if spec < "3"
             else {"body": {"$.n": {"matchers": [{"match": "type"}]}}})
    expected = {"body": {"n": 1}, "matchingRules": rules}
    assert match_response(expected, {"body": {"n": 2.5}}, spec) == []
    assert match_response(dict(expected, body={"n": 2.5}), {"body": {"n": 7}}, spec) == []
    assert match_response(expected, {"body": {"n": "2"}}, spec)


def test_ruby_like_in_a_v2_body_matches_int_with_float():
    like = {"json_class": "Pact::SomethingLike", "contents": {"price": 10}}
    assert match_request({"body": like}, {"body": {"price": 9.99}}, "2.0.0") == []


def test_mock_service_v2_body_one_equals_one_point_zero():
    interaction = {
        "description": "post a number",
        "request": {"method": "POST", "path": "/n",
                    "headers": {"Content-Type": "application/json"}, "body": {"n": 1.0}},
        "response": {"status": 201},
    }
    with MockService("C", "P", specification_version="2.0.0") as svc:
        svc.set_interactions([interaction])
        got = requests.post(svc.uri + "/n", data='{"n": 1}', timeout=10,
                            headers={"Content-Type": "application/json"})
        assert got.status_code == 201
        assert svc.verification().ok


# --- QA: a regex with a string example wants a string in spec 1/2 (Ruby) ----------------

def regex_body(example, regex, actual, spec):
    rules = ({"$.body.d": {"match": "regex", "regex": regex}} if spec < "3"
             else {"body": {"$.d": {"matchers": [{"match": "regex", "regex": regex}]}}})
    return match_request({"method": "POST", "path": "/", "body": {"d": example},
                          "matchingRules": rules},
                         {"method": "POST", "path": "/", "body": {"d": actual}}, spec)


@pytest.mark.parametrize("spec", ["1.0.0", "1.1.0", "2.0.0"])
@pytest.mark.parametrize("regex,actual,shown", [(r"^\d+$", 5, "5 (integer)"),
                                                 ("true", True, "true (boolean)"),
                                                 (r"\d+\.\d+", 1.5, "1.5 (decimal)"),
                                                 (".*", None, "null (null)")])
def test_regex_with_a_string_example_rejects_non_strings_before_spec_3(spec, regex, actual,
                                                                        shown):
    """Ruby: ``Expected a String matching /^\\d+$/ (like "1") but got an Integer (5)``."""
    example = "1" if regex != "true" else "true"
    [m] = regex_body(example, regex, actual, spec)
    assert (m.kind, m.path, m.actual, m.rule) == ("body", "$.d", actual, "regex")
    assert m.message == f"$.d: expected a string matching /{regex}/ (like '{example}') but got {shown}"
    assert regex_body("12", r"^\d+$", "34", spec) == []


@pytest.mark.parametrize("spec", ["1.1.0", "2.0.0"])
def test_regex_with_a_number_example_still_matches_number_text_before_spec_3(spec):
    """The official v2 case "matches with integers": ``[0-9]`` on ``4`` matches."""
    assert regex_body(4, "[0-9]", 7, spec) == []
    assert regex_body(True, "true|false", False, spec) == []
    assert regex_body(4, "[0-9]", 17, spec)


@pytest.mark.parametrize("spec", ["3.0.0", "4.0.0"])
def test_regex_matches_the_json_text_of_numbers_from_spec_3_as_rust_does(spec):
    """pact_matching's JSON matcher: ``actual_value.to_string()`` for a non-string."""
    assert regex_body("1", r"^\d+$", 5, spec) == []
    assert regex_body("true", "true", True, spec) == []
    assert regex_body("1", r"^\d+$", "x", spec)


def test_ruby_term_in_a_v2_body_rejects_an_integer_end_to_end():
    term = {"json_class": "Pact::Term", "data": {
        "generate": "1", "matcher": {"json_class": "Regexp", "o": 0, "s": r"^\d+$"}}}
    interaction = {"description": "t", "request": {
        "method": "POST", "path": "/t", "headers": {"Content-Type": "application/json"},
        "body": {"d": term}}, "response": {"status": 201}}
    with MockService("C", "P", specification_version="2.0.0") as svc:
        svc.set_interactions([interaction])
        got = requests.post(svc.uri + "/t", data='{"d": 5}', timeout=10,
                            headers={"Content-Type": "application/json"})
        assert got.status_code == 500
        assert got.json()["interaction_diffs"] == [{"description": "t", "body": {
            "d": {"EXPECTED_TO_MATCH": "/^\\d+$/", "ACTUAL": 5}}}]  # = Ruby's
        text = svc.verification().ruby_text()
    assert ('* Expected a String matching /^\\d+$/ (like "1") but got an Integer (5) '
            "at $.body.d") in text  # Ruby's line


# --- Task: one Java date/time pattern module for matchers, generators and the engine -----

_INSTANTS = [
    datetime.datetime(2000, 2, 1, 12, 30, 0, tzinfo=datetime.timezone.utc),
    datetime.datetime(2023, 12, 31, 0, 5, 9, 123456,
                      tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))),
    datetime.datetime(1999, 7, 4, 23, 59, 59),
]


@pytest.mark.parametrize("letter", sorted("GuyYDMLdQqwWEecFaBhKkHmsSAnNVvzOXxZ"))
def test_every_formatted_example_passes_the_engine_check(letter):
    checked = 0
    for count in range(1, 6):
        try:
            fmt = java_time_format(letter * count)
        except ValueError as exc:
            assert "too many pattern letters" in str(exc)
            continue
        for instant in _INSTANTS:
            text = format_java(letter * count, instant)
            assert fmt.check(text), (letter * count, text)
            checked += 1
    assert checked


def test_quoted_quote_inside_a_literal_is_kept_everywhere():
    pattern = "HH 'o''clock'"
    assert format_java(pattern) == "12 o'clock"
    assert java_time_format(pattern).check("12 o'clock")
    assert not java_time_format(pattern).check("12 oclock")
    body = {"t": "12 o'clock"}
    rules = {"body": {"$.t": {"matchers": [{"match": "time", "format": pattern}]}}}
    assert match_response({"body": body, "matchingRules": rules},
                          {"body": {"t": "07 o'clock"}}, "3.0.0") == []


def test_optional_sections_and_calendar_checks():
    fmt = java_time_format("yyyy-MM-dd['T'HH:mm]")
    assert fmt.check("2000-02-29") and fmt.check("2000-02-29T23:59")
    assert not fmt.check("2001-02-29") and not fmt.check("2000-02-01T24:00")
    assert format_java("yyyy-MM-dd['T'HH:mm]") == "2000-02-01T12:30"
    assert java_pattern_regex("yyyy-MM-dd").fullmatch("2000-13-45")  # shape only
    for bad, message in [("yyyy-MM-dd'T", "unterminated quote"), ("yyyy-bb", "unknown pattern"),
                         ("HHH", "too many"), ("yyyy]", "unbalanced"), ("[yyyy", "unbalanced"),
                         ("", "non-empty"), (None, "non-empty")]:
        with pytest.raises(ValueError, match=message):
            java_time_format(bad)  # type: ignore[arg-type]


def test_matchers_and_engine_agree_on_examples():
    from pact_unittest.matchers.v3 import Date
    with pytest.raises(ValueError, match="does not fit"):
        Date("yyyy-MM-dd", "2001-02-29")
    assert Date("yyyy-qq-dd").example() == "2000-01-01"  # q: the quarter, as in Java


# --- folded code in matching/json_body: eachValue on maps and lists ---------------------

@pytest.mark.parametrize("empty,actual_ok,actual_bad", [
    ({}, {"x": 5, "y": 6}, {"x": 5, "y": "6"}),
    ([], [5, 6], [5, "6"]),
])
def test_each_value_with_an_empty_example_uses_the_matchers_value(empty, actual_ok, actual_bad):
    rules = {"body": {"$": {"matchers": [{"match": "eachValue", "value": 1,
                                          "rules": [{"match": "type"}]}]}}}
    assert match_response({"body": empty, "matchingRules": rules}, {"body": actual_ok}, "4.0.0") == []
    [m] = match_response({"body": empty, "matchingRules": rules}, {"body": actual_bad}, "4.0.0")
    assert m.path in ("$.y", "$[1]") and "type integer" in m.message


def test_values_compares_new_keys_with_the_template_each_key_leaves_them_free():
    values = {"body": {"$": {"matchers": [{"match": "values"}]}}}
    assert match_response({"body": {"a": 1}, "matchingRules": values},
                          {"body": {"b": 1, "a": 1}}, "3.0.0") == []
    [m] = match_response({"body": {"a": 1}, "matchingRules": values},
                         {"body": {"b": "x", "a": 1}}, "3.0.0")
    assert m.path == "$.b"
    each_key = {"body": {"$": {"matchers": [{"match": "eachKey", "rules": [
        {"match": "regex", "regex": "[a-z]+"}]}]}}}
    assert match_response({"body": {"a": 1}, "matchingRules": each_key},
                          {"body": {"b": "x", "a": 1}}, "4.0.0") == []
    [m] = match_response({"body": {"a": 1}, "matchingRules": each_key},
                         {"body": {"a": 2}}, "4.0.0")
    assert m.path == "$.a"
