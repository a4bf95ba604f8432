"""Property-based tests of the matching engine (hypothesis).

* any JSON value (and any request/response built from JSON parts) matches itself;
* an example generated for a matcher always satisfies that matcher;
* no input at all makes the engine raise anything but ValueError.
"""
from __future__ import annotations

import datetime
import string

import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pact_unittest.matching import match_message, match_request, match_response

VERSIONS = ["1.0.0", "1.1.0", "2.0.0", "3.0.0", "4.0.0"]
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=25,
)
names = st.text(alphabet=string.ascii_letters + "-", min_size=1, max_size=10)
header_values = st.text(alphabet=string.ascii_letters + string.digits + "/-_. ", max_size=20)


@SETTINGS
@given(body=json_values, version=st.sampled_from(VERSIONS))
def test_any_json_body_matches_itself(body, version):
    assert match_request({"body": body}, {"body": body}, version) == []
    assert match_response({"body": body}, {"body": body}, version) == []


@SETTINGS
@given(method=st.sampled_from(["GET", "POST", "put", "Delete"]),
       path=st.text(max_size=20),
       query=st.dictionaries(st.text(max_size=6), st.lists(st.text(max_size=6), max_size=3),
                             max_size=3),
       # header names are case-insensitive: {"P": .., "p": ..} is no valid header map
       headers=st.dictionaries(names.map(str.title), header_values, max_size=3).filter(
           lambda h: len({k.lower() for k in h}) == len(h)),
       body=json_values, status=st.integers(100, 599), version=st.sampled_from(VERSIONS))
def test_any_request_and_response_match_themselves(method, path, query, headers, body,
                                                   status, version):
    request = {"method": method, "path": path, "query": query, "headers": headers,
               "body": body}
    assert match_request(request, request, version) == []
    response = {"status": status, "headers": headers, "body": body}
    assert match_response(response, response, version) == []


@SETTINGS
@given(body=json_values, version=st.sampled_from(["3.0.0", "4.0.0"]))
def test_any_message_matches_itself(body, version):
    message = {"contents": body, "metaData": {"contentType": "application/json"}}
    assert match_message(message, message, version) == []


def _satisfies(matcher, example, actual, version="3.0.0"):
    expected = {"body": {"v": example},
                "matchingRules": {"body": {"$.v": {"matchers": [matcher]}}}}
    return match_request(expected, {"body": {"v": actual}}, version)


@SETTINGS
@given(st.integers(), st.integers())
def test_integer_rule_accepts_any_integer(example, actual):
    assert _satisfies({"match": "integer"}, example, actual) == []
    assert _satisfies({"match": "number"}, example, actual) == []
    assert _satisfies({"match": "type"}, example, actual) == []


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_decimal_rule_accepts_any_float(actual):
    assert _satisfies({"match": "decimal"}, 1.5, actual) == []


@SETTINGS
@given(st.booleans())
def test_boolean_rule_accepts_booleans(actual):
    assert _satisfies({"match": "boolean"}, True, actual) == []


PATTERNS = [r"\d+", r"[a-z]{2,5}-\d{3}", r"(red|blue|green)", r"\w+@\w+\.com",
            r"[A-F0-9]{8}(-[A-F0-9]{4}){3}-[A-F0-9]{12}", r"\/path\/to\/\d{4}"]


@SETTINGS
@given(data=st.data(), pattern=st.sampled_from(PATTERNS))
def test_regex_rule_accepts_strings_generated_from_it(data, pattern):
    # hypothesis generates by the standard re module's classes; users' regexes run on the
    # regex package (a time bound: matching/user_regex.py), whose \w and \d follow Unicode
    # as the Rust regex crate does ("\u00b2" is a digit to re's \w, not to theirs)
    actual = data.draw(st.from_regex(pattern, fullmatch=True).filter(
        lambda text: regex.fullmatch(pattern, text) is not None))
    assert _satisfies({"match": "regex", "regex": pattern}, "example", actual) == []
    assert _satisfies({"match": "regex", "regex": pattern}, "example", actual, "2.0.0") == []


FORMATS = [
    ("yyyy-MM-dd'T'HH:mm:ss", "%Y-%m-%dT%H:%M:%S"),
    ("yyyy-MM-dd HH:mm:ss.SSS", None),
    ("dd/MM/yyyy", "%d/%m/%Y"),
    ("EEE, dd MMM yyyy HH:mm:ss", "%a, %d %b %Y %H:%M:%S"),
    ("MMMM d, yyyy h:mm a", None),
    ("HH:mm", "%H:%M"),
]


def _java_format(moment, java, strftime):
    if strftime:
        return moment.strftime(strftime)
    if java == "yyyy-MM-dd HH:mm:ss.SSS":
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (moment.microsecond // 1000)
    hour = moment.hour % 12 or 12
    return f"{moment.strftime('%B')} {moment.day}, {moment.year:04d} {hour}:" \
           f"{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


@SETTINGS
@given(moment=st.datetimes(min_value=datetime.datetime(1000, 1, 1),
                           max_value=datetime.datetime(9999, 12, 31)),
       fmt=st.sampled_from(FORMATS))
def test_timestamp_rule_accepts_formatted_datetimes(moment, fmt):
    java, strftime = fmt
    text = _java_format(moment, java, strftime)
    kind = "time" if java == "HH:mm" else ("date" if java == "dd/MM/yyyy" else "timestamp")
    assert _satisfies({"match": kind, "format": java}, "example", text) == []


@SETTINGS
@given(st.tuples(st.integers(0, 999), st.integers(0, 999), st.integers(0, 999)),
       st.sampled_from(["", "-alpha", "-rc.1", "+build.7", "-beta.2+exp.sha.5114f85"]))
def test_semver_rule_accepts_versions(parts, suffix):
    version = ".".join(str(p) for p in parts) + suffix
    assert _satisfies({"match": "semver"}, "1.0.0", version) == []


@SETTINGS
@given(st.text(max_size=5), st.text(min_size=1, max_size=5), st.text(max_size=5))
def test_include_rule_accepts_any_text_containing_the_value(before, value, after):
    assert _satisfies({"match": "include", "value": value}, value, before + value + after) == []


@SETTINGS
@given(template=json_values, count=st.integers(1, 5), data=st.data())
def test_type_min_rule_accepts_copies_of_the_template(template, count, data):
    expected = {"body": [template], "matchingRules": {
        "body": {"$": {"matchers": [{"match": "type", "min": 1}]}}}}
    assert match_response(expected, {"body": [template] * count}, "3.0.0") == []


# --- junk never raises anything but ValueError ---------------------------------------

matcher_junk = st.fixed_dictionaries({}, optional={
    "match": st.sampled_from(["type", "regex", "integer", "decimal", "number", "boolean",
                              "timestamp", "date", "time", "include", "null", "equality",
                              "values", "contentType", "eachKey", "eachValue",
                              "arrayContains", "notEmpty", "semver", "statusCode", "min",
                              "bogus"]) | json_values,
    "regex": st.sampled_from([r"\d+", "(", "[", ".*"]) | json_values,
    "min": json_values, "max": json_values, "value": json_values,
    "format": st.sampled_from(["yyyy-MM-dd", "'", "[", "bb"]) | json_values,
    "rules": json_values, "variants": json_values, "status": json_values,
})
rule_lists = st.fixed_dictionaries({"matchers": st.lists(matcher_junk, max_size=3)},
                                   optional={"combine": json_values}) | json_values
paths = st.sampled_from(["$", "$.a", "$.a[*]", "$.*", "$[0]", "$['a b']", "$.a[", "x"]) | st.text()
rules_junk = (
    st.dictionaries(st.sampled_from(["body", "header", "query", "path", "status", "content",
                                     "metadata", "bogus"]),
                    st.dictionaries(paths, rule_lists, max_size=3) | rule_lists, max_size=3)
    | st.dictionaries(st.sampled_from(["$.body", "$.body.a", "$.headers.X", "$.query.q",
                                       "$.path", "$.x"]) | st.text(), matcher_junk, max_size=3)
    | json_values
)
parts = st.fixed_dictionaries({}, optional={
    "method": json_values, "path": json_values, "query": json_values | st.text(),
    "headers": json_values | st.dictionaries(names, json_values, max_size=3),
    "body": json_values | st.sampled_from(["<a x='1'><b/></a>", "<a", "a=1&b=2"]),
    "status": json_values, "contents": json_values, "metaData": json_values,
    "matchingRules": rules_junk,
})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expected=parts | json_values, actual=parts | json_values,
       version=st.sampled_from(VERSIONS), partial=st.booleans())
def test_junk_raises_nothing_but_value_error(expected, actual, version, partial):
    for func in (match_request, match_response, match_message):
        try:
            result = func(expected, actual, version, partial_regex=partial)
        except ValueError:
            continue
        assert isinstance(result, list)
        for mismatch in result:
            assert isinstance(mismatch.message, str) and "\n" not in mismatch.message
