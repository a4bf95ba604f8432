"""parse_interaction: every input form, both families, Ruby-exact v2 rules, validation."""
from __future__ import annotations

import copy
import json

import pytest

from reference import Scenario, run_scenario

from pact_unittest.model.rules_extract import ruby_regex_source
from pact_unittest.model import Interaction, ProviderState
from pact_unittest.matchers import (
    ArrayContaining, Date, EachLike, Format, Include, Integer, Like, SomethingLike, Term, Values,
)
from pact_unittest.model.wire import _describe_request_line, parse_interaction, reify, to_wire


def _interaction(request=None, response=None, **extra):
    data = {"description": "d", "request": request or {"method": "GET", "path": "/"},
            "response": response or {"status": 200}}
    data.update(extra)
    return to_wire(data)


# ---------------------------------------------------------------------------------------
# Ruby's example pact (ruby-mock-service.md §9.2, cases/151): exact rules, exact key order
# ---------------------------------------------------------------------------------------
CASE_151_BODY = {
    "id": Like(5),
    "tags": EachLike(Term(r"a\d", "a1"), minimum=3),
    "nested": EachLike({"x": Like(1.5), "y": [1, SomethingLike("s")]}, minimum=2),
    "n": None, "f": 1.0, "b": False, "u": "ü",
}


def test_case_151_rules_and_examples_exactly_as_ruby_writes_them():
    data = _interaction(response={"status": 200, "headers": {"Content-Type": "application/json"},
                                  "body": CASE_151_BODY})
    data["description"] = "gen"
    got = parse_interaction(data, "2.0.0")
    expected_response = {
        "status": 200,
        "headers": {"Content-Type": "application/json"},
        "body": {"id": 5, "tags": ["a1", "a1", "a1"],
                 "nested": [{"x": 1.5, "y": [1, "s"]}, {"x": 1.5, "y": [1, "s"]}],
                 "n": None, "f": 1.0, "b": False, "u": "ü"},
        "matchingRules": {
            "$.body.id": {"match": "type"},
            "$.body.tags": {"min": 3},
            "$.body.tags[*].*": {"match": "type"},
            "$.body.tags[*]": {"match": "regex", "regex": "a\\d"},
            "$.body.nested": {"min": 2},
            "$.body.nested[*].*": {"match": "type"},
            "$.body.nested[*].x": {"match": "type"},
            "$.body.nested[*].y[1]": {"match": "type"},
        },
    }
    # json.dumps keeps key order: the comparison is order-sensitive, as a pact file is.
    assert json.dumps(got.response) == json.dumps(expected_response)
    assert got.request == {"method": "GET", "path": "/"}
    assert got.description == "gen" and got.provider_states == ()


def test_v2_paths_dotted_keys_spaces_indices_and_merges():
    body = {"a.b": Like(1), "c d": Like("x"), "list": [0, Term("z+", "zz")],
            "outer": Like({"inner": EachLike(1), "t": Term("q", "q")}),
            "each_term": EachLike(Term("/x", "/x"))}
    rules = parse_interaction(_interaction(response={"status": 200, "body": body}), "2")\
        .response["matchingRules"]
    assert list(rules.items()) == [
        ("$.body['a.b']", {"match": "type"}),
        ("$.body.c d", {"match": "type"}),
        ("$.body.list[1]", {"match": "regex", "regex": "z+"}),
        ("$.body.outer", {"match": "type"}),
        ("$.body.outer.inner", {"min": 1}),
        ("$.body.outer.inner[*].*", {"match": "type"}),
        ("$.body.outer.t", {"match": "regex", "regex": "q"}),   # Term under Like: regex wins
        ("$.body.each_term", {"min": 1}),
        ("$.body.each_term[*].*", {"match": "type"}),
        ("$.body.each_term[*]", {"match": "regex", "regex": "\\/x"}),
    ]


def test_like_of_each_like_merges_into_one_rule_like_ruby():
    rules = parse_interaction(_interaction(response={"status": 200, "body": Like(EachLike(1, 2))}),
                              "2").response["matchingRules"]
    assert rules == {"$.body": {"match": "type", "min": 2}, "$.body[*].*": {"match": "type"}}


@pytest.mark.parametrize("source,written", [
    # Observed with the Ruby 3.2 bundled in pact-python 2.3.3 (Regexp#inspect[1..-2]).
    ("/items/\\d+", "\\/items\\/\\d+"),
    ("a\\/b", "a\\/b"),
    ("ü/x", "\\u00FC\\/x"),
    ("a\tb\nc", "a\tb\nc"),
    ("x\u0001y", "x\\x01y"),
    ("é", "é"),
    ("a\\d", "a\\d"),
])
def test_ruby_regex_source(source, written):
    assert ruby_regex_source(source) == written


def test_request_rules_in_walk_order_path_query_headers_body():
    request = {
        "method": "post", "path": Term(r"/items/\d+", "/items/7"),
        "query": {"q": "a/b?c=d", "e": "~*'()!", "x": Term(r"\d+", "12"),
                  "l": ["a", Like("b")], "ids": EachLike("1", minimum=2), "n": {"k": "v"}},
        "headers": {"Accept": Like("application/json"), "X.Y": Term("v+", "vv")},
        "body": {"a": Like(1)},
    }
    got = parse_interaction(_interaction(request=request), "2.0.0").request
    assert got["method"] == "post"  # as written: pact-python sends 'get' and Ruby keeps it
    assert got["path"] == "/items/7"
    assert got["query"] == "q=a%2Fb%3Fc%3Dd&e=%7E*%27%28%29%21&x=12&l=a&l=b&ids=1&ids=1&n[k]=v"
    assert got["headers"] == {"Accept": "application/json", "X.Y": "vv"}
    assert list(got["matchingRules"].items()) == [
        ("$.path", {"match": "regex", "regex": "\\/items\\/\\d+"}),
        ("$.query.x[0]", {"match": "regex", "regex": "\\d+"}),
        ("$.query.l[1]", {"match": "type"}),
        ("$.query.ids", {"min": 2}),
        ("$.query.ids[*].*", {"match": "type"}),
        ("$.headers.Accept", {"match": "type"}),
        ("$.headers['X.Y']", {"match": "regex", "regex": "v+"}),
        ("$.body.a", {"match": "type"}),
    ]
    assert list(got) == ["method", "path", "query", "headers", "body", "matchingRules"]


def test_query_forms_v2():
    def query(q):
        return parse_interaction(_interaction(request={"method": "GET", "path": "/", "query": q}),
                                 "2.0.0").request
    assert query("b=2&a=1") == {"method": "GET", "path": "/", "query": "b=2&a=1"}
    whole = query(Term(r"a=\d", "a=1"))
    assert whole["query"] == "a=1" and whole["matchingRules"] == {
        "$.query": {"match": "regex", "regex": "a=\\d"}}
    # Deliberate differences from Ruby: scalars coerced, None kept as a bare key.
    assert query({"limit": 2, "f": 1.5, "t": True})["query"] == "limit=2&f=1.5&t=True"
    assert query({"a": "1", "flag": None, "b": "x y"})["query"] == "a=1&flag&b=x+y"
    with pytest.raises(ValueError, match="parameter 'x'"):
        query({"x": [{"nested": "dict"}]})
    with pytest.raises(ValueError, match="request query: must be a string or an object"):
        query(["a"])


def test_query_and_headers_v3_forms():
    request = {"method": "get", "path": Term(r"/a/\d+", "/a/1"),
               "query": {"x": Term(r"\d+", "12"), "y": ["1", "2"], "z": 3, "ids": EachLike("a", 2)},
               "headers": {"Accept": Like("text/plain"), "X-N": 1}}
    got = parse_interaction(_interaction(request=request), "3.0.0").request
    assert got["method"] == "GET"
    assert got["query"] == {"x": ["12"], "y": ["1", "2"], "z": ["3"], "ids": ["a", "a"]}
    assert got["headers"] == {"Accept": "text/plain", "X-N": "1"}
    assert got["matchingRules"] == {
        "path": {"matchers": [{"match": "regex", "regex": "/a/\\d+"}], "combine": "AND"},
        "query": {"x": {"matchers": [{"match": "regex", "regex": "\\d+"}], "combine": "AND"},
                  "ids": {"matchers": [{"match": "type", "min": 2}], "combine": "AND"}},
        "header": {"Accept": {"matchers": [{"match": "type"}], "combine": "AND"}},
    }
    string = parse_interaction(_interaction(request={"method": "GET", "path": "/",
                                                     "query": "a=1&a=2&b=x+y%21"}), "3")
    assert string.request["query"] == {"a": ["1", "2"], "b": ["x y!"]}
    with pytest.raises(ValueError, match="whole query string"):
        parse_interaction(_interaction(request={"method": "GET", "path": "/",
                                                "query": Term("a=1", "a=1")}), "3.0.0")


def test_form_urlencoded_dict_body_is_written_as_a_string():
    request = {"method": "POST", "path": "/f",
               "headers": {"Content-Type": "application/x-www-form-urlencoded"},
               "body": {"a": "1", "b": ["x", "y z"], "c": Like("k")}}
    got = parse_interaction(_interaction(request=request), "2.0.0").request
    assert got["body"] == "a=1&b=x&b=y+z&c=k"
    assert got["matchingRules"] == {"$.body.c": {"match": "type"}}


def test_provider_states_per_family():
    v2 = _interaction(provider_state="user 1 exists")
    assert parse_interaction(v2, "2.0.0").provider_states == (ProviderState("user 1 exists"),)
    # Unlike Ruby (§14.2), spec 3 keeps pact-python's provider_state.
    assert parse_interaction(v2, "3.0.0").provider_states == (ProviderState("user 1 exists"),)
    file_v2 = _interaction(providerState="s")
    assert parse_interaction(file_v2, "1.0.0").provider_state == "s"
    v3 = _interaction(providerStates=[{"name": "a", "params": {"id": 1}}, {"name": "b"}])
    assert parse_interaction(v3, "3.0.0").provider_states == (
        ProviderState("a", {"id": 1}), ProviderState("b"))
    assert parse_interaction(v3, "2.0.0").provider_states == (ProviderState("a"),)
    both = _interaction(provider_state="a", providerStates=[{"name": "a", "params": {"id": 2}}])
    assert parse_interaction(both, "3.0.0").provider_states == (ProviderState("a", {"id": 2}),)


def test_ffi_matchers_everywhere_v3_with_generators():
    data = {
        "description": "ffi", "request": {
            "method": "GET",
            "path": {"pact:matcher:type": "regex", "regex": "/u/\\d+", "value": "/u/1"},
            "query": {"n": {"pact:matcher:type": "integer", "value": "5"}},
            "headers": {"X-Id": {"pact:matcher:type": "regex", "regex": "\\d+", "value": "1",
                                 "pact:generator:type": "Regex"}},
        },
        "response": {"status": 200, "body": {
            "id": {"pact:matcher:type": "integer", "pact:generator:type": "RandomInt",
                   "min": 1, "max": 9, "value": 3},
            "interests": {"pact:matcher:type": "type", "min": 1,
                          "value": [{"name": {"pact:matcher:type": "type", "value": "x"}}]},
            "when": {"pact:matcher:type": "timestamp", "format": "yyyy-MM-dd", "value": "2020-01-02"},
            "results": {"pact:matcher:type": [
                {"pact:matcher:type": "each-key", "value": "AUK-1",
                 "rules": [{"pact:matcher:type": "regex", "regex": "\\w{3}-\\d+"}]},
                {"pact:matcher:type": "each-value", "rules": [{"pact:matcher:type": "type"}]}],
                "AUK-1": {"title": "t"}},
        }},
    }
    got = parse_interaction(data, "3.0.0")
    assert got.request["path"] == "/u/1" and got.request["query"] == {"n": ["5"]}
    assert got.request["generators"] == {"header": {"X-Id": {"type": "Regex", "regex": "\\d+"}}}
    assert got.response["body"] == {"id": 3, "interests": [{"name": "x"}], "when": "2020-01-02",
                                    "results": {"AUK-1": {"title": "t"}}}
    body_rules = got.response["matchingRules"]["body"]
    assert body_rules["$.interests"]["matchers"] == [{"match": "type", "min": 1}]
    assert body_rules["$.interests[*].name"]["matchers"] == [{"match": "type"}]
    assert body_rules["$.when"]["matchers"] == [{"match": "datetime", "format": "yyyy-MM-dd"}]
    assert body_rules["$.results"]["matchers"] == [
        {"match": "eachKey", "rules": [{"match": "regex", "regex": "\\w{3}-\\d+"}]},
        {"match": "eachValue", "rules": [{"match": "type"}]}]
    assert got.response["generators"] == {"body": {"$.id": {"type": "RandomInt", "min": 1, "max": 9}}}


def test_ffi_type_and_regex_work_under_spec_2_like_v2_matchers():
    body = {"a": {"pact:matcher:type": "type", "value": 1},
            "l": {"pact:matcher:type": "type", "min": 2, "value": ["x", "x"]},
            "r": {"pact:matcher:type": "regex", "regex": "/\\d", "value": "/1"}}
    got = parse_interaction(_interaction(response={"status": 200, "body": body}), "2.0.0").response
    assert got["body"] == {"a": 1, "l": ["x", "x"], "r": "/1"}
    assert got["matchingRules"] == {"$.body.a": {"match": "type"}, "$.body.l": {"min": 2},
                                    "$.body.l[*].*": {"match": "type"},
                                    "$.body.r": {"match": "regex", "regex": "\\/\\d"}}


@pytest.mark.parametrize("matcher", [Integer(1), Date(), Include("x"), Values({"a": 1}),
                                     ArrayContaining([1])])
def test_v3_only_matchers_under_spec_2_ask_for_spec_3(matcher):
    with pytest.raises(ValueError, match='specification_version="3.0.0"'):
        parse_interaction(_interaction(response={"status": 200, "body": {"x": matcher}}), "2.0.0")


def test_pact_file_v2_input_both_families():
    data = {"description": "f", "providerState": "s",
            "request": {"method": "GET", "path": "/a", "query": "x=1&y=2",
                        "headers": {"Accept": "a/b"},
                        "matchingRules": {"$.query.x[0]": {"match": "regex", "regex": "\\d"},
                                          "$.headers.Accept": {"match": "type"}}},
            "response": {"status": 200, "headers": {}, "body": {"a": [1]},
                         "matchingRules": {"$.body.a": {"min": 1}, "$.body.a[*].*": {"match": "type"}}}}
    v2 = parse_interaction(copy.deepcopy(data), "2.0.0")
    assert v2.request == data["request"] and v2.response == data["response"]
    v3 = parse_interaction(copy.deepcopy(data), "3.0.0")
    assert v3.request["query"] == {"x": ["1"], "y": ["2"]}
    assert v3.request["matchingRules"] == {
        "query": {"x": {"matchers": [{"match": "regex", "regex": "\\d"}], "combine": "AND"}},
        "header": {"Accept": {"matchers": [{"match": "type"}], "combine": "AND"}}}
    assert v3.response["matchingRules"] == {"body": {
        "$.a": {"matchers": [{"match": "type", "min": 1}], "combine": "AND"},
        "$.a[*].*": {"matchers": [{"match": "type"}], "combine": "AND"}}}


def test_pact_file_v3_input_both_families():
    data = {"description": "f", "providerStates": [{"name": "s", "params": {"id": 1}}],
            "request": {"method": "GET", "path": "/a", "query": {"x": ["1"]},
                        "matchingRules": {"query": {"x": {"matchers": [{"match": "regex", "regex": "\\d"}],
                                                          "combine": "AND"}},
                                          "path": {"matchers": [{"match": "type"}], "combine": "AND"}},
                        "generators": {"path": {"type": "ProviderState", "expression": "/a/${id}"}}},
            "response": {"status": 200, "body": {"when": "2020-01-01"},
                         "matchingRules": {"body": {"$.when": {"matchers": [{"match": "date", "format": "yyyy-MM-dd"}]}}}}}
    v3 = parse_interaction(copy.deepcopy(data), "3.0.0")
    assert v3.request == data["request"]
    assert v3.response == data["response"]
    assert v3.provider_states == (ProviderState("s", {"id": 1}),)
    with pytest.raises(ValueError, match="needs pact specification 3"):
        parse_interaction(copy.deepcopy(data), "2.0.0")
    data["response"].pop("matchingRules")
    v2 = parse_interaction(copy.deepcopy(data), "2.0.0")
    assert v2.request["query"] == "x=1"
    # Converted rules keep the file's category order.
    assert list(v2.request["matchingRules"].items()) == [
        ("$.query.x", {"match": "regex", "regex": "\\d"}), ("$.path", {"match": "type"})]


def test_v4_form_type_key_pending_comments_and_body_objects():
    data = {"type": "Synchronous/HTTP", "key": "k1", "pending": True,
            "comments": {"text": ["hello"], "testname": "t"}, "description": "v4",
            "request": {"method": "POST", "path": "/a", "headers": {"Content-Type": ["application/json"]},
                        "body": {"contentType": "application/json", "encoded": False,
                                 "content": {"a": Like(1)}}},
            "response": {"status": 200, "body": {"contentType": "application/json",
                                                 "encoded": "JSON", "content": "{\"b\": 2}"}}}
    got = parse_interaction(to_wire(data), "4.0.0")
    assert got.v4_key == "k1" and got.pending is True and got.comments["text"] == ["hello"]
    assert got.request["body"] == {"a": 1}
    assert got.request["headers"] == {"Content-Type": "application/json"}
    assert got.request["matchingRules"] == {"body": {"$.a": {"matchers": [{"match": "type"}],
                                                             "combine": "AND"}}}
    assert got.response["body"] == {"b": 2}
    assert got.response["headers"] == {"Content-Type": "application/json"}
    binary = {"contentType": "application/octet-stream", "encoded": "base64", "content": "AAE="}
    data["response"]["body"] = binary
    data["response"]["headers"] = {}
    got = parse_interaction(to_wire(data), "4.0.0")
    # A response body is raw bytes (what the mock serves) plus its Content-Type header.
    assert got.response["body"] == b"\x00\x01"
    assert got.response["headers"] == {"Content-Type": "application/octet-stream"}
    data["request"]["body"] = binary
    assert parse_interaction(to_wire(data), "4.0.0").request["body"] == binary
    data["type"] = "Asynchronous/Messages"
    with pytest.raises(ValueError, match="interaction type"):
        parse_interaction(to_wire(data), "4.0.0")


IDEMPOTENCE_CASES = [
    _interaction(response={"status": 200, "body": CASE_151_BODY}, provider_state="s"),
    _interaction(request={"method": "get", "path": Term("/a/\\d", "/a/1"),
                          "query": {"x": Term("\\d", "1"), "n": None}, "headers": {"A": Like("b")}}),
    _interaction(request={"method": "POST", "path": "/f", "headers": {
        "Content-Type": "application/x-www-form-urlencoded"}, "body": {"a": ["1", "2"]}}),
    _interaction(response={"status": 201, "body": {"d": Date(), "i": Integer(), "l": EachLike(Like(1), 2)}},
                 providerStates=[{"name": "x", "params": {"a": 1}}]),
]


@pytest.mark.parametrize("spec", ["1.0.0", "2.0.0", "3.0.0", "4.0.0"])
@pytest.mark.parametrize("index", range(len(IDEMPOTENCE_CASES)))
def test_parsing_our_own_output_again_changes_nothing(spec, index):
    data = IDEMPOTENCE_CASES[index]
    try:
        first = parse_interaction(copy.deepcopy(data), spec)
    except ValueError:
        assert spec < "3" and index == 3  # v3 matchers under spec 1/2
        return
    file_form = {"description": first.description, "request": first.request,
                 "response": first.response}
    if spec < "3":
        if first.provider_state:
            file_form["providerState"] = first.provider_state
    else:
        file_form["providerStates"] = [s.to_json() for s in first.provider_states]
    again = parse_interaction(json.loads(json.dumps(file_form)), spec)
    assert again == first
    assert again.content() == first.content()
    assert parse_interaction(first, spec) == first


def test_interaction_objects_convert_between_families():
    v2 = parse_interaction(_interaction(request={"method": "GET", "path": "/", "query": "a=1"},
                                        provider_state="s"), "2.0.0")
    v3 = parse_interaction(v2, "3.0.0")
    assert v3.request["query"] == {"a": ["1"]} and v3.provider_state == "s"
    assert parse_interaction(v2, "1.0.0").spec_version == "1.0.0"


BAD = [
    ([], "interaction must be a JSON object"),
    ({"request": {}, "response": {}}, "description is missing"),
    ({"description": 3, "request": {}, "response": {}}, "description: must be a non-empty string"),
    ({"description": "d", "response": {"status": 200}}, "request is missing"),
    ({"description": "d", "request": {"method": "GET", "path": "/"}}, "response is missing"),
    ({"description": "d", "request": [], "response": {}}, "request: must be an object"),
    (_interaction(request={"path": "/"}), "request method is missing"),
    (_interaction(request={"method": "GET"}), "request path is missing"),
    (_interaction(response={"headers": {}}), "response status is missing"),
    (_interaction(response={"status": Term("2\\d\\d", "200")}), "response status: cannot be a matcher"),
    (_interaction(response={"status": "200"}), "response status: must be an integer"),
    (_interaction(response={"status": 200, "headers": {"X": {"a": 1}}}), "response header 'X'"),
    (_interaction(response={"status": 200, "headers": {"X": None}}), "response header 'X'"),
    (_interaction(response={"status": 200, "headers": {"X": "1", "x": "2"}}), "differ only in case"),
    (_interaction(response={"status": 200, "body": {"json_class": "Pact::Term", "data": {
        "generate": "a", "matcher": {"json_class": "Regexp", "o": 0, "s": "("}}}}),
     "response body: invalid regex"),
    (_interaction(response={"status": 200, "body": {"json_class": "Pact::Term", "data": {
        "generate": "b", "matcher": {"json_class": "Regexp", "o": 0, "s": "a"}}}}),
     "response body: Term example 'b' does not match"),
    (_interaction(response={"status": 200, "body": {"json_class": "Pact::Nope"}}),
     "response body: unknown json_class 'Pact::Nope'"),
    (_interaction(response={"status": 200, "body": {"pact:matcher:type": "nope", "value": 1}}),
     "response body: unknown pact:matcher:type 'nope'"),
    (_interaction(request={"method": "GET", "path": "/", "body": {
        "pact:matcher:type": "regex", "regex": "\\d", "value": "x"}}), "request body: Term example"),
    (_interaction(response={"status": 200, "matchingRules": {"$.body.a": {"match": "regex", "regex": "("}}}),
     "response matchingRules '\\$.body.a': invalid regex"),
    (_interaction(pending="yes"), "pending: must be true or false"),
    (_interaction(providerStates="s"), "providerStates: must be a list"),
]


@pytest.mark.parametrize("data,message", BAD, ids=[m for _, m in BAD])
def test_invalid_input_is_a_value_error_naming_field_and_problem(data, message):
    for spec in ("2.0.0", "3.0.0"):
        with pytest.raises(ValueError, match=message.replace("(", "\\(").replace("'", "'")):
            parse_interaction(copy.deepcopy(data), spec)


def test_body_nested_too_deep_is_refused():
    body = current = {}
    for _ in range(300):
        current["a"] = {}
        current = current["a"]
    with pytest.raises(ValueError, match="response body: nested deeper than"):
        parse_interaction(_interaction(response={"status": 200, "body": body}), "2.0.0")


def test_reify_to_wire_and_request_line():
    value = {"a": Like(1), "b": EachLike(Term("x", "x"), 2), "c": Integer(4),
             "w": to_wire(Like([Format().uuid]))}
    assert reify(value) == {"a": 1, "b": ["x", "x"], "c": 4,
                            "w": ["fc763eba-0905-41c5-a27f-3934ab26786c"]}
    assert to_wire({"a": [Like(1)]}) == {"a": [{"json_class": "Pact::SomethingLike", "contents": 1}]}
    assert _describe_request_line({"method": "get", "path": Term("/a", "/a"),
                                   "query": {"x": ["1", "2"]}}) == "GET /a?x=1&x=2"
    assert _describe_request_line({"method": "POST", "path": ""}) == "POST /"
    assert _describe_request_line({"method": "GET", "path": "/q", "query": "a=b"}) == "GET /q?a=b"


# ---------------------------------------------------------------------------------------
# Differential: the Ruby mock service writes exactly what we build (spec 2)
# ---------------------------------------------------------------------------------------
RUBY_SCENARIOS = {
    "case151": {"description": "gen", "request": {"method": "GET", "path": "/r"},
                "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                             "body": CASE_151_BODY}},
    "request_matchers": {
        "description": "req", "provider_state": "items exist",
        "request": {"method": "post", "path": Term(r"/items/\d+", "/items/7"),
                    "query": {"q": "a/b?c=d", "e": "~*'()!", "x": Term(r"\d+", "12"),
                              "l": ["a", Like("b")], "ids": EachLike("1", minimum=2)},
                    "headers": {"Accept": Like("application/json"), "X.Y": Term("v+", "vv"),
                                "Content-Type": "application/json"},
                    "body": {"a.b": Like(1), "c d": [Term("z+", "zz"), 2],
                             "o": Like({"i": EachLike(Like(1)), "t": Term("q", "q")})}},
        "response": {"status": 201, "body": {"id": Format().uuid, "n": Format().integer}},
    },
    "form_body": {"description": "form", "request": {
        "method": "POST", "path": "/f",
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        "body": {"a": "1", "b": ["x", "y z"]}}, "response": {"status": 204}},
    "whole_query_term": {"description": "wq", "request": {
        "method": "GET", "path": Like("/anything"), "query": Term(r"a=\d+", "a=12")},
        "response": {"status": 200, "headers": {"X-T": Term("t+", "tt")}, "body": "text"}},
    "string_query": {"description": "sq", "request": {"method": "GET", "path": "/s",
                                                       "query": "b=2&a=x%20y"},
                     "response": {"status": 200, "body": EachLike(Format().iso_datetime_ms)}},
}


@pytest.mark.reference
@pytest.mark.parametrize("name", sorted(RUBY_SCENARIOS))
def test_ruby_writes_the_same_request_and_response(ruby_mock_service, name):
    data = to_wire(RUBY_SCENARIOS[name])
    ours = parse_interaction(copy.deepcopy(data), "2.0.0")
    app = {"method": ours.request["method"].upper(), "path": ours.request["path"],
           "query": ours.request.get("query"), "headers": ours.request.get("headers", {})}
    if "body" in ours.request:
        body = ours.request["body"]
        app["data" if isinstance(body, str) else "json"] = body
    result = run_scenario(ruby_mock_service.uri, Scenario(name, [data], [app]))
    assert result.verified, result.verification.text
    (written,) = result.pact["interactions"]
    assert written["request"] == ours.request
    assert written["response"] == ours.response
    # Rule order too: Ruby's key order is the walk order we reproduce.
    for part in ("request", "response"):
        assert list(written[part].get("matchingRules", {})) == \
            list(getattr(ours, part).get("matchingRules", {}))
    assert written.get("providerState") == ours.provider_state
    assert isinstance(ours, Interaction)


def test_input_is_never_modified():
    data = to_wire({"description": "d", "request": {
        "method": "GET", "path": "/", "query": {"x": ["1"]},
        "matchingRules": {"body": {"$.a": {"matchers": [{"match": "type"}]}}},
        "body": {"a": Like(1)}, "headers": {"Content-Type": ["application/json"]}},
        "response": {"status": 200, "body": {"contentType": "application/json", "encoded": False,
                                             "content": {"b": EachLike(Integer(1))}}}})
    before = json.dumps(data)
    for spec in ("3.0.0", "4.0.0"):
        first = parse_interaction(data, spec)
        assert json.dumps(data) == before
        assert parse_interaction(data, spec) == first
    assert first.request["matchingRules"]["body"]["$.a"]["matchers"] == [{"match": "type"}]


def test_ruby_regexp_options_become_inline_flags():
    term = {"json_class": "Pact::Term", "data": {"generate": "ABC", "matcher": {
        "json_class": "Regexp", "o": 1, "s": "abc"}}}
    got = parse_interaction(_interaction(response={"status": 200, "body": {"t": term}}), "2.0.0")
    assert got.response["body"] == {"t": "ABC"}
    assert got.response["matchingRules"] == {"$.body.t": {"match": "regex", "regex": "(?i)abc"}}


def test_generic_v3_matcher_repr_round_trips():
    from pact_unittest.matchers import V3Matcher  # noqa: F401  (used by eval)
    ffi = {"pact:matcher:type": "integer", "value": 3, "pact:generator:type": "RandomInt", "min": 1}
    data = _interaction(response={"status": 200, "body": ffi})
    matcher = parse_interaction(data, "3.0.0")  # parses
    assert matcher.response["generators"] == {"body": {"$": {"type": "RandomInt", "min": 1}}}
    rebuilt = V3Matcher("integer", 3, {}, {"type": "RandomInt", "min": 1})
    assert eval(repr(rebuilt)) == rebuilt  # noqa: S307


# ---------------------------------------------------------------------------------------
# Binary bodies: the v4 base64 body object, accepted for every spec version
# ---------------------------------------------------------------------------------------
JPEG_START = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


def _binary(content=JPEG_START, content_type="image/jpeg"):
    import base64

    body = {"content": base64.b64encode(content).decode("ascii"), "encoded": "base64"}
    if content_type is not None:
        body["contentType"] = content_type
    return body


@pytest.mark.parametrize("spec", ["1.0.0", "1.1.0", "2.0.0", "3.0.0"])
def test_a_base64_body_object_is_bytes_in_spec_1_to_3(spec):
    got = parse_interaction(_interaction(
        request={"method": "PUT", "path": "/img", "body": _binary()},
        response={"status": 200, "body": _binary(b"\x89PNG\r\n", "image/png")}), spec)
    assert got.request["body"] == JPEG_START
    assert got.response["body"] == b"\x89PNG\r\n"
    # Spec 1-3 files can say a body's content type only in the headers.
    assert got.request["headers"] == {"Content-Type": "image/jpeg"}
    assert got.response["headers"] == {"Content-Type": "image/png"}
    assert "matchingRules" not in got.request


def test_a_base64_body_object_keeps_a_given_content_type_header_and_may_lack_its_own():
    got = parse_interaction(_interaction(request={
        "method": "PUT", "path": "/img", "headers": {"content-type": "application/octet-stream"},
        "body": _binary()}), "2.0.0")
    assert got.request["headers"] == {"content-type": "application/octet-stream"}
    bare = parse_interaction(_interaction(request={
        "method": "PUT", "path": "/img", "body": _binary(content_type=None)}), "2.0.0")
    assert bare.request["body"] == JPEG_START and "headers" not in bare.request


def test_a_v4_body_object_stays_one_under_spec_4_and_other_objects_stay_json_before():
    got = parse_interaction(_interaction(request={"method": "PUT", "path": "/img",
                                                  "body": _binary()}), "4.0.0")
    assert got.request["body"] == _binary()
    # Without "encoded": "base64" such an object is an ordinary JSON body in spec 1-3.
    plain = {"content": "AAE=", "contentType": "text/plain"}
    for encoded in (None, False, "json"):
        body = dict(plain, encoded=encoded) if encoded is not None else plain
        got = parse_interaction(_interaction(request={"method": "POST", "path": "/",
                                                      "body": body}), "2.0.0")
        assert got.request["body"] == body


@pytest.mark.parametrize("spec", ["2.0.0", "4.0.0"])
def test_invalid_base64_content_is_a_value_error(spec):
    bad = {"content": "not base64!", "contentType": "image/jpeg", "encoded": "base64"}
    with pytest.raises(ValueError, match="request body: content is not valid base64"):
        parse_interaction(_interaction(request={"method": "PUT", "path": "/", "body": bad}), spec)


def test_a_base64_request_body_matches_the_bytes_the_client_sends(tmp_path):
    """Through the HTTP admin API, as a client in another language registers it."""
    import requests

    from pact_unittest.mock_service import MockService

    with MockService("C", "P", host="127.0.0.1", pact_dir=str(tmp_path),
                     specification_version="2.0.0") as service:
        answer = requests.put(service.uri + "/interactions", headers={"X-Pact-Mock-Service": "1"},
                              json={"interactions": [{"description": "upload", "request": {
                                  "method": "PUT", "path": "/img", "body": _binary()},
                                  "response": {"status": 201}}]})
        assert answer.status_code == 200, answer.text
        wrong = requests.put(service.uri + "/img", data=JPEG_START[:-1] + b"\x01",
                             headers={"Content-Type": "image/jpeg"})
        assert wrong.status_code == 500
        right = requests.put(service.uri + "/img", data=JPEG_START,
                             headers={"Content-Type": "image/jpeg"})
        assert right.status_code == 201


@pytest.mark.parametrize("spec", ["1.0.0", "2.0.0", "3.0.0"])
def test_v4_only_settings_under_an_older_spec_warn_naming_the_setting(spec):
    import warnings

    data = {"description": "d", "request": {"method": "GET", "path": "/"},
            "response": {"status": 200}, "comments": {"text": ["why"]}, "pending": True}
    with pytest.warns(UserWarning) as caught:
        parse_interaction(data, spec)
    texts = sorted(str(w.message) for w in caught)
    assert len(texts) == 2, texts
    assert texts[0].startswith("comments= is written only into spec 4 pact files")
    assert texts[1].startswith("pending= is written only into spec 4 pact files")
    assert all(repr(spec) in text for text in texts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # spec 4 keeps them; unset ones say nothing
        assert parse_interaction(data, "4.0").pending is True
        parse_interaction(dict(data, comments=None, pending=False), spec)


@pytest.mark.parametrize("generators, problem", [
    ({"body": {"$.n": {"type": "RandomInt", "min": 5, "max": 1}}}, "min must not be greater than max"),
    ({"body": {"$.n": {"type": "RandomDecimal", "digits": 0}}}, "digits"),
    ({"body": {"$.n": "RandomInt"}}, "must be an object with a 'type'"),
])
def test_pact_file_generators_that_cannot_generate_are_refused(generators, problem):
    data = {"description": "d", "request": {"method": "GET", "path": "/"},
            "response": {"status": 200, "body": {"n": 1}, "generators": generators}}
    with pytest.raises(ValueError, match=problem):
        parse_interaction(data, "3.0.0")
