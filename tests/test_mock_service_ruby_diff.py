"""The Ruby shapes of our mismatch reports: ``interaction_diffs`` leaves and the diff-block texts.

Each case below was run against the real Ruby pact-mock-service 3.11.2 (pact-python 2.3.3's
``pact-mock-service``, through ``tests/reference.py``); its answers are recorded here as
literals: the ``interaction_diffs`` entry of the 500 "No interaction found" answer and the
``* ...`` lines under "Description of differences" in ``GET /interactions/verification``.
Our embedded service must give exactly these, so these tests need no Ruby.

Where Ruby leaks its internals (§14.16: ``Pact::IndexNotFound`` type names, the phantom
``Version`` header), the deliberate differences are asserted at the end.
"""
from __future__ import annotations

from typing import Any, Dict, List

import pytest

from differential_cases import JSON, OK, each_like, get, inter, like, term
from pact_unittest.matching import Mismatch
from pact_unittest.mock_service import MockService
from pact_unittest.model.ruby_diff import interaction_diff
from reference import Scenario, ScenarioResult, run_scenario

NO = "<no difference at this index>"


def post(path: str, body: Any) -> Dict[str, Any]:
    return {"method": "POST", "path": path, "headers": JSON, "body": body}


def sent(path: str, body: Any) -> Dict[str, Any]:
    return {"method": "POST", "path": path, "json": body}


#: name -> (interaction, request, Ruby's interaction_diffs entry, Ruby's messages)
RUBY: Dict[str, Any] = {
    "query extra parameter": (
        inter("qe", get("/q", query={"x": "1"}), OK), get("/q", query="x=1&z=9"),
        {"description": "qe", "query": {"z": {"EXPECTED": "<key not to exist>", "ACTUAL": ["9"]}}},
        ['Did not expect the key "z" to exist at $.query']),
    "query term": (
        inter("qt", get("/q", query={"n": term(r"\d+", "5")}), OK), get("/q", query="n=abc"),
        {"description": "qt", "query": {"n": [{"EXPECTED_TO_MATCH": "/\\d+/", "ACTUAL": "abc"}]}},
        ['Expected a String matching /\\d+/ (like "5") but got "abc" at $.query.n[0]']),
    "query missing parameter": (
        inter("qm", get("/q", query={"x": "1", "y": "2"}), OK), get("/q", query="x=1"),
        {"description": "qm", "query": {"y": {"EXPECTED": ["2"], "ACTUAL": "<key not found>"}}},
        ['Could not find key "y" (keys present are: x) at $.query']),
    "query value repeated": (
        inter("ql", get("/q", query="x=1"), OK), get("/q", query="x=1&x=2"),
        {"description": "ql", "query": {"x": [NO, {"EXPECTED": "<item not to exist>", "ACTUAL": "2"}]}},
        ['Actual array is too long and should not contain "2" at $.query.x[1]']),
    "array too long": (
        inter("al", post("/arr", [1, 2]), {"status": 200}), sent("/arr", [1, 2, 3]),
        {"description": "al", "body": [NO, NO, {"EXPECTED": "<item not to exist>", "ACTUAL": 3}]},
        ["Actual array is too long and should not contain 3 at $.body[2]"]),
    "array too short": (
        inter("as", post("/arr", [1, 2, 3]), {"status": 200}), sent("/arr", [1, 5]),
        {"description": "as", "body": [NO, {"EXPECTED": 2, "ACTUAL": 5},
                                       {"EXPECTED": 3, "ACTUAL": "<item not found>"}]},
        ["Expected 2 but got 5 at $.body[1]",
         "Actual array is too short and should have contained 3 at $.body[2]"]),
    "nested arrays of wrong length": (
        inter("anl", post("/o", {"a": [[1, 2], {"x": [1]}]}), {"status": 201}),
        sent("/o", {"a": [[1, 2, 3], {"x": []}]}),
        {"description": "anl", "body": {"a": [
            [NO, NO, {"EXPECTED": "<item not to exist>", "ACTUAL": 3}],
            {"x": [{"EXPECTED": 1, "ACTUAL": "<item not found>"}]}]}},
        ["Actual array is too long and should not contain 3 at $.body.a[0][2]",
         "Actual array is too short and should have contained 1 at $.body.a[1].x[0]"]),
    "array too long with containers": (
        inter("alh", post("/arr", {"a": [1]}), {"status": 200}),
        sent("/arr", {"a": [1, {"x": 1}, [2], None]}),
        {"description": "alh", "body": {"a": [
            NO, {"EXPECTED": "<item not to exist>", "ACTUAL": {"x": 1}},
            {"EXPECTED": "<item not to exist>", "ACTUAL": [2]},
            {"EXPECTED": "<item not to exist>", "ACTUAL": None}]}},
        ["Actual array is too long and should not contain a Hash at $.body.a[1]",
         "Actual array is too long and should not contain an Array at $.body.a[2]",
         "Actual array is too long and should not contain nil at $.body.a[3]"]),
    "like types": (
        inter("lts", post("/l", like({"a": 1, "b": "s", "c": 1.5, "d": True, "e": {"x": 1},
                                      "f": [1], "g": None, "h": "s"})), {"status": 200}),
        sent("/l", {"a": "1", "b": 2, "c": [], "d": "t", "e": [1], "f": {"x": 1}, "g": 1,
                    "h": None}),
        {"description": "lts", "body": {
            "a": {"EXPECTED_TYPE": "Integer", "ACTUAL_TYPE": "String"},
            "b": {"EXPECTED_TYPE": "String", "ACTUAL_TYPE": "Integer"},
            "c": {"EXPECTED_TYPE": "Float", "ACTUAL_TYPE": "Array"},
            "d": {"EXPECTED_TYPE": "TrueClass", "ACTUAL_TYPE": "String"},
            "e": {"EXPECTED": {"x": 1}, "ACTUAL": [1]},
            "f": {"EXPECTED": [1], "ACTUAL": {"x": 1}},
            "g": {"EXPECTED_TYPE": "NilClass", "ACTUAL_TYPE": "Integer"},
            "h": {"EXPECTED_TYPE": "String", "ACTUAL_TYPE": "NilClass"}}},
        ['Expected an Integer (like 1) but got a String ("1") at $.body.a',
         'Expected a String (like "s") but got an Integer (2) at $.body.b',
         "Expected a Float (like 1.5) but got an Array at $.body.c",
         'Expected a TrueClass (like true) but got a String ("t") at $.body.d',
         "Expected a Hash but got an Array at $.body.e",
         "Expected an Array but got a Hash at $.body.f",
         "Expected nil but got an Integer (1) at $.body.g",
         'Expected a String (like "s") but got nil at $.body.h']),
    "like float and false": (
        inter("lfb", post("/o", like({"a": 1.5, "b": False})), {"status": 201}),
        sent("/o", {"a": "x", "b": 1}),
        {"description": "lfb", "body": {"a": {"EXPECTED_TYPE": "Float", "ACTUAL_TYPE": "String"},
                                        "b": {"EXPECTED_TYPE": "FalseClass", "ACTUAL_TYPE": "Integer"}}},
        ['Expected a Float (like 1.5) but got a String ("x") at $.body.a',
         "Expected a FalseClass (like false) but got an Integer (1) at $.body.b"]),
    "like string with brackets": (  # Ruby puts "like" after every "(" of the description
        inter("llh", post("/o", like({"a": "s(t)"})), {"status": 201}), sent("/o", {"a": 5}),
        {"description": "llh", "body": {"a": {"EXPECTED_TYPE": "String", "ACTUAL_TYPE": "Integer"}}},
        ['Expected a String (like "s(like t)") but got an Integer (5) at $.body.a']),
    "each like below min": (
        inter("em", post("/e", {"items": each_like({"id": 1}, 2)}), {"status": 200}),
        sent("/e", {"items": [{"id": 5}]}),
        {"description": "em", "body": {"items": [NO, {"EXPECTED": {"id": 1}, "ACTUAL": "<item not found>"}]}},
        ["Actual array is too short and should have contained a Hash at $.body.items[1]"]),
    "each like below min with a wrong item": (
        inter("emb", post("/e", {"items": each_like({"id": 1}, 2)}), {"status": 200}),
        sent("/e", {"items": [{"id": "x"}]}),
        {"description": "emb", "body": {"items": [
            {"id": {"EXPECTED_TYPE": "Integer", "ACTUAL_TYPE": "String"}},
            {"EXPECTED": {"id": 1}, "ACTUAL": "<item not found>"}]}},
        ['Expected an Integer (like 1) but got a String ("x") at $.body.items[0].id',
         "Actual array is too short and should have contained a Hash at $.body.items[1]"]),
    "each like empty": (
        inter("ee", post("/e", {"items": each_like({"id": 1})}), {"status": 200}),
        sent("/e", {"items": []}),
        {"description": "ee", "body": {"items": [{"EXPECTED": {"id": 1}, "ACTUAL": "<item not found>"}]}},
        ["Actual array is too short and should have contained a Hash at $.body.items[0]"]),
    "each like wrong item type": (
        inter("ewt", post("/e", {"items": each_like({"id": 1})}), {"status": 200}),
        sent("/e", {"items": [{"id": 5}, {"id": "x"}]}),
        {"description": "ewt", "body": {"items": [
            NO, {"id": {"EXPECTED_TYPE": "Integer", "ACTUAL_TYPE": "String"}}]}},
        ['Expected an Integer (like 1) but got a String ("x") at $.body.items[1].id']),
    "each like not an array": (
        inter("ena", post("/e", {"items": each_like(1)}), {"status": 200}), sent("/e", {"items": 5}),
        {"description": "ena", "body": {"items": {"EXPECTED": [1], "ACTUAL": 5}}},
        ["Expected an Array but got an Integer (5) at $.body.items"]),
    "missing and unexpected keys": (
        inter("bmn", post("/o", {"a": {"b": 1, "c": 2}}), {"status": 201}),
        sent("/o", {"a": {"c": 2, "d": 3}}),
        {"description": "bmn", "body": {"a": {"b": {"EXPECTED": 1, "ACTUAL": "<key not found>"},
                                              "d": {"EXPECTED": "<key not to exist>", "ACTUAL": 3}}}},
        ['Could not find key "b" (keys present are: c, d) at $.body.a',
         'Did not expect the key "d" to exist at $.body.a']),
    "missing key in an empty object": (
        inter("ehm", post("/o", {"a": {"b": 1}}), {"status": 201}), sent("/o", {"a": {}}),
        {"description": "ehm", "body": {"a": {"b": {"EXPECTED": 1, "ACTUAL": "<key not found>"}}}},
        ['Could not find key "b" in empty Hash at $.body.a']),
    "long object against a number": (
        inter("lht", post("/o", {"a": {"k1": "v" * 40, "k2": "w" * 40, "k3": "x" * 40}}),
              {"status": 201}),
        sent("/o", {"a": 5}),
        {"description": "lht", "body": {"a": {"EXPECTED": {"k1": "v" * 40, "k2": "w" * 40,
                                                           "k3": "x" * 40}, "ACTUAL": 5}}},
        [f'Expected a Hash (like {{"k1"=>"{"v" * 40}", "k2"=>"{"w" * 40}", "k3"=>"{"x" * 40}"}})'
         " but got an Integer (5) at $.body.a"]),
    "values of other types": (
        inter("psh", post("/o", {"a": 1, "b": "s", "c": [1]}), {"status": 201}),
        sent("/o", {"a": {"x": 1}, "b": None, "c": None}),
        {"description": "psh", "body": {"a": {"EXPECTED": 1, "ACTUAL": {"x": 1}},
                                        "b": {"EXPECTED": "s", "ACTUAL": None},
                                        "c": {"EXPECTED": [1], "ACTUAL": None}}},
        ["Expected 1 but got a Hash at $.body.a", 'Expected "s" but got nil at $.body.b',
         "Expected an Array but got nil at $.body.c"]),
    "term in body": (
        inter("tn", post("/o", {"d": term(r"^\d+$", "1")}), {"status": 201}), sent("/o", {"d": "x"}),
        {"description": "tn", "body": {"d": {"EXPECTED_TO_MATCH": "/^\\d+$/", "ACTUAL": "x"}}},
        ['Expected a String matching /^\\d+$/ (like "1") but got "x" at $.body.d']),
    "term with slashes in a header": (
        inter("hts", get("/h", headers={"X-P": term(r"/p/\d+", "/p/1")}), OK),
        get("/h", headers={"X-P": "/q/1"}),
        {"description": "hts", "headers": {"X-P": {"EXPECTED_TO_MATCH": "/\\/p\\/\\d+/",
                                                   "ACTUAL": "/q/1"}}},
        ['Expected a String matching /\\/p\\/\\d+/ (like "/p/1") but got "/q/1" at $.headers.X-P']),
    "missing keys under like": (
        inter("lmx", post("/l", like({"id": 1, "n": None, "b": True, "f": 1.5, "s": "x",
                                      "o": {"a": 1}, "t": term(r"\d+", "7")})),
              {"status": 200}),
        sent("/l", {"id": 2}),
        {"description": "lmx", "body": {
            "n": {"EXPECTED_TYPE": "NilClass", "ACTUAL": "<key not found>"},
            "b": {"EXPECTED_TYPE": "TrueClass", "ACTUAL": "<key not found>"},
            "f": {"EXPECTED_TYPE": "Float", "ACTUAL": "<key not found>"},
            "s": {"EXPECTED_TYPE": "String", "ACTUAL": "<key not found>"},
            "o": {"EXPECTED": {"a": 1}, "ACTUAL": "<key not found>"},
            "t": {"EXPECTED_TO_MATCH": "/\\d+/", "ACTUAL": "<key not found>"}}},
        [f'Could not find key "{k}" (keys present are: id) at $.body' for k in "nbfsot"]),
    "missing key under a nested like": (
        inter("lnm", post("/l", {"a": like({"b": {"c": "x"}})}), {"status": 200}),
        sent("/l", {"a": {"b": {}}}),
        {"description": "lnm", "body": {"a": {"b": {
            "c": {"EXPECTED_TYPE": "String", "ACTUAL": "<key not found>"}}}}},
        ['Could not find key "c" in empty Hash at $.body.a.b']),
    "missing key in an each like item": (
        inter("elm", post("/l", {"a": each_like({"b": "x", "c": 1})}), {"status": 200}),
        sent("/l", {"a": [{"b": "y"}]}),
        {"description": "elm", "body": {"a": [
            {"c": {"EXPECTED_TYPE": "Integer", "ACTUAL": "<key not found>"}}]}},
        ['Could not find key "c" (keys present are: b) at $.body.a[0]']),
    "missing term key": (
        inter("mtk", post("/l", {"id": 1, "t": term(r"\d+", "7")}), {"status": 200}),
        sent("/l", {"id": 1}),
        {"description": "mtk", "body": {
            "t": {"EXPECTED_TO_MATCH": "/\\d+/", "ACTUAL": "<key not found>"}}},
        ['Could not find key "t" (keys present are: id) at $.body']),
}


def run(interaction: Dict[str, Any], request: Dict[str, Any]) -> ScenarioResult:
    with MockService("C", "P") as svc:
        return run_scenario(svc.uri, Scenario("ruby diff", [interaction], [request]),
                            write_pact=False)


def messages(text: str) -> List[str]:
    part = text[text.index("Description of differences"):text.index("See ")]
    return [line[2:] for line in part.splitlines() if line.startswith("* ")]


@pytest.mark.parametrize("name", list(RUBY))
def test_interaction_diffs_and_messages_are_rubys(name: str) -> None:
    interaction, request, ruby_diff, ruby_messages = RUBY[name]
    result = run(interaction, request)
    answer = result.responses[0]
    assert answer.status == 500
    assert answer.body["interaction_diffs"] == [ruby_diff]
    assert result.verification.status == 500
    assert messages(result.verification.text) == ruby_messages


RUBY_BLOCKS = {
    "each like below min": (
        'Diff with interaction: "em"\nDiff\n--------------------------------------\n'
        "Key: - is expected \n     + is actual \nMatching keys and values are not shown\n\n"
        '   "body": {\n     "items": [\n       ... ,\n-      {\n-        "id": 1\n-      }\n'
        "     ]\n   }\n }\n\nDescription of differences\n--------------------------------------\n"
        "* Actual array is too short and should have contained a Hash at $.body.items[1]\n\n"),
    "like types": None,  # Ruby's Diff::LCS groups the lines differently: messages only
    "missing key under a nested like": (
        'Diff with interaction: "lnm"\nDiff\n--------------------------------------\n'
        "Key: - is expected \n     + is actual \nMatching keys and values are not shown\n\n"
        '   "body": {\n     "a": {\n       "b": {\n-        "c": String\n       }\n     }\n'
        "   }\n\nDescription of differences\n--------------------------------------\n"
        '* Could not find key "c" in empty Hash at $.body.a.b\n\n'),
    "missing term key": (
        'Diff with interaction: "mtk"\nDiff\n--------------------------------------\n'
        "Key: - is expected \n     + is actual \nMatching keys and values are not shown\n\n"
        ' {\n   "body": {\n-    "t": /\\d+/\n   }\n }\n\n'
        "Description of differences\n--------------------------------------\n"
        '* Could not find key "t" (keys present are: id) at $.body\n\n'),
    "term with slashes in a header": (
        'Diff with interaction: "hts"\nDiff\n--------------------------------------\n'
        "Key: - is expected \n     + is actual \nMatching keys and values are not shown\n\n"
        ' {\n   "headers": {\n-    "X-P": /\\/p\\/\\d+/\n+    "X-P": "/q/1"\n   }\n }\n\n'
        "Description of differences\n--------------------------------------\n"
        '* Expected a String matching /\\/p\\/\\d+/ (like "/p/1") but got "/q/1" at $.headers.X-P\n\n'),
    "like float and false": (
        'Diff with interaction: "lfb"\nDiff\n--------------------------------------\n'
        "Key: - is expected \n     + is actual \nMatching keys and values are not shown\n\n"
        ' {\n   "body": {\n-    "a": Float,\n-    "b": FalseClass\n+    "a": String,\n'
        '+    "b": Integer\n   }\n }\n\nDescription of differences\n'
        "--------------------------------------\n"
        '* Expected a Float (like 1.5) but got a String ("x") at $.body.a\n'
        "* Expected a FalseClass (like false) but got an Integer (1) at $.body.b\n\n"),
}


@pytest.mark.parametrize("name", [n for n, block in RUBY_BLOCKS.items() if block])
def test_whole_diff_block_is_rubys(name: str) -> None:
    interaction, request, _, _ = RUBY[name]
    text = run(interaction, request).verification.text
    assert text[text.index("Diff with interaction"):text.index("See ")] == RUBY_BLOCKS[name]


# -- deliberate differences ------------------------------------------------------------------

def test_missing_items_under_each_like_never_name_ruby_classes() -> None:
    """Ruby: ``{"EXPECTED_TYPE": "String", "ACTUAL_TYPE": "Pact::IndexNotFound"}`` (§14.16)."""
    result = run(inter("esm", post("/e", {"items": each_like("a", 3)}), {"status": 200}),
                 sent("/e", {"items": ["b"]}))
    assert result.responses[0].body["interaction_diffs"] == [{"description": "esm", "body": {
        "items": [NO, {"EXPECTED": "a", "ACTUAL": "<item not found>"},
                  {"EXPECTED": "a", "ACTUAL": "<item not found>"}]}}]
    assert messages(result.verification.text) == [  # Ruby's own wording for these
        'Actual array is too short and should have contained "a" at $.body.items[1]',
        'Actual array is too short and should have contained "a" at $.body.items[2]']
    assert "Pact::" not in result.verification.text


def test_missing_header_lists_the_headers_sent_without_rubys_phantom_version() -> None:
    result = run(inter("hm", get("/h", headers={"X-Custom": "v"}), OK), get("/h"))
    assert result.responses[0].body["interaction_diffs"] == [{"description": "hm", "headers": {
        "X-Custom": {"EXPECTED": "v", "ACTUAL": "<key not found>"}}}]
    (line,) = messages(result.verification.text)
    assert line.startswith('Could not find key "X-Custom" (keys present are: Host')
    assert "Version" not in line  # Ruby: "Host, Version" (§14.13)


def test_missing_headers_under_term_and_like_are_rubys_leaves() -> None:
    """Ruby: the regex and the type of a missing header (its key list adds ``Version``)."""
    result = run(inter("mth", get("/h", headers={"X-Key": term(r"k-\d+", "k-1"),
                                                 "X-L": like("a")}), OK), get("/h"))
    assert result.responses[0].body["interaction_diffs"] == [{"description": "mth", "headers": {
        "X-Key": {"EXPECTED_TO_MATCH": "/k-\\d+/", "ACTUAL": "<key not found>"},
        "X-L": {"EXPECTED_TYPE": "String", "ACTUAL": "<key not found>"}}}]
    text = result.verification.text
    assert '-    "X-Key": /k-\\d+/,\n-    "X-L": String\n' in text


def test_the_rule_of_a_missing_key_is_on_the_mismatch() -> None:
    from pact_unittest.matching import match_request

    like_body = {"json_class": "Pact::SomethingLike", "contents": {"id": 1, "name": "x"}}
    [m] = match_request({"body": like_body}, {"body": {"id": 2}}, "2.0.0")
    assert (m.path, m.expected, m.actual, m.rule) == ("$.name", "x", None, "type")
    assert interaction_diff("d", None, [m])["body"] == {
        "name": {"EXPECTED_TYPE": "String", "ACTUAL": "<key not found>"}}
    plain = Mismatch(m.kind, m.path, m.expected, m.actual, m.message)  # no rule: a value leaf
    assert interaction_diff("d", None, [plain])["body"] == {
        "name": {"EXPECTED": "x", "ACTUAL": "<key not found>"}}


# -- the classification degrades safely --------------------------------------------------------

def test_a_mismatch_of_unknown_wording_is_a_plain_value_leaf() -> None:
    odd = [Mismatch("body", "$.a", 1, "x", "$.a: expected something new but got 'x'"),
           Mismatch("body", "$.b", [1], [2, 3], "$.b: some future array rule"),
           Mismatch("query", "q", "1", "2", "query 'q': a future query rule")]
    assert interaction_diff("d", None, odd) == {"description": "d", "query": {
        "q": [{"EXPECTED": "1", "ACTUAL": "2"}]}, "body": {
        "a": {"EXPECTED": 1, "ACTUAL": "x"},
        "b": [{"EXPECTED": 1, "ACTUAL": 2}, {"EXPECTED": "<item not to exist>", "ACTUAL": 3}]}}


def test_diffs_rebuilt_from_json_give_the_same_ruby_text() -> None:
    from pact_unittest.model.verification import Verification

    interaction, request, _, ruby_messages = RUBY["like types"]
    with MockService("C", "P") as svc:
        run_scenario(svc.uri, Scenario("json", [interaction], [request]), write_pact=False)
        direct = svc.verification()
    rebuilt = Verification.from_json(direct.to_json())
    assert rebuilt.ruby_text() == direct.ruby_text()
    assert messages(rebuilt.ruby_text()) == ruby_messages


def test_a_body_of_another_content_type_is_one_content_type_leaf() -> None:
    """Ruby also adds ``"body": {"EXPECTED": {"a": "1"}, "ACTUAL": "a=1"}``: the raw form text
    against the JSON example. We report the content type once and compare no further."""
    form = {"method": "POST", "path": "/f", "data": "a=1",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
    result = run(inter("fj", post("/f", {"a": "1"}), {"status": 200}), form)
    answer = result.responses[0].body
    assert answer["interaction_diffs"] == [{"description": "fj", "headers": {"Content-Type": {
        "EXPECTED": "application/json", "ACTUAL": "application/x-www-form-urlencoded"}}}]
    assert answer["mismatches"] == [  # one readable line, not a header line and a body line
        "'fj': body content type: expected a body of type 'application/json' but got one of "
        "type 'application/x-www-form-urlencoded', so the body was not compared"]
    assert messages(result.verification.text) == [  # Ruby's first line
        'Expected "application/json" but got "application/x-www-form-urlencoded" '
        "at $.headers.Content-Type"]
