"""Differential tests where ours differs from the Ruby pact-mock-service on purpose.

Where Ruby is wrong on purpose (``ruby-mock-service.md`` §14), or where the official spec
cases overrule it (regexes match the whole value, a type rule lets an array change length),
each case checks Ruby's documented behaviour and ours separately (so a change in the
reference fails loudly); ``differs`` names the item. Those are the deliberate differences
listed in the docs. The scenarios that must behave the same are in
``test_differential_ruby.py``.
"""
from __future__ import annotations

import json
import re
from typing import Any, List

import pytest

from differential_cases import (
    JSON,
    OK,
    Case,
    CaseTable,
    get,
    inter,
    like,
    run_both,
    term,
)
from reference import Scenario, ScenarioResult, admin, normalise_pact, run_scenario, verification_sections

pytestmark = pytest.mark.reference

DIFFERENCES = CaseTable()
case = DIFFERENCES.add


# ---------------------------------------------------------------------------------------
# Deliberate differences (each names its reason; listed in the docs)
# ---------------------------------------------------------------------------------------
def _status(result: ScenarioResult) -> List[int]:
    return [r.status for r in result.responses]


def _descriptions(result: ScenarioResult) -> List[str]:
    return sorted(i["description"] for i in (result.pact or {}).get("interactions", []))


def _ruby_unanchored(result: ScenarioResult) -> None:
    assert _status(result) == [200] and result.verified


def _ours_anchored(result: ScenarioResult) -> None:
    assert _status(result) == [500] and not result.verified
    assert _descriptions(result) == []


# Spec cases win: regexes match the WHOLE value in every spec version (GUIDE §4, issue 3).
case("term regex matches whole value",
     [inter("anchored", {"method": "GET", "path": term(r"/items/\d+", "/items/1")}, OK)],
     [get("/v2/items/7/extra")], differs="spec: regex matches the whole value",
     ruby=_ruby_unanchored, ours=_ours_anchored)


def _ours_like_array(result: ScenarioResult) -> None:
    assert _status(result) == [200] and result.verified


def _ruby_like_array(result: ScenarioResult) -> None:
    assert _status(result) == [500] and not result.verified


# Compatibility suite wins: an array under a type rule may differ in length from the example.
case("like array may change length",
     [inter("like arr", {"method": "POST", "path": "/la", "headers": JSON,
                         "body": like({"ids": [1, 2]})}, {"status": 200})],
     [{"method": "POST", "path": "/la", "json": {"ids": [3, 4, 5]}}],
     differs="spec: type rule lets an array change length",
     ruby=_ruby_like_array, ours=_ours_like_array)


def _ours_matches(result: ScenarioResult) -> None:
    assert _status(result) == [200] and result.verified, result.verification.text


def _ruby_never_matches(result: ScenarioResult) -> None:
    assert _status(result) == [500] and not result.verified


# §14.4: query={'limit': 2} (pact-python's own doc example) can never match in Ruby.
case("integer query value", [inter("int query", get("/q", query={"limit": 2}), OK)],
     [get("/q", query="limit=2")], differs="§14.4 query values must be strings",
     ruby=_ruby_never_matches, ours=_ours_matches)
# §14.7: an empty request body is nil in Ruby, so an expected "" is unmatchable.
case("empty string body",
     [inter("empty body", {"method": "POST", "path": "/e", "headers": {"Content-Type": "text/plain"},
                           "body": ""}, {"status": 200})],
     [{"method": "POST", "path": "/e", "headers": {"Content-Type": "text/plain"}, "data": ""}],
     differs="§14.7 empty body is not absent", ruby=_ruby_never_matches, ours=_ours_matches)


def _ruby_version_header(result: ScenarioResult) -> None:
    assert _status(result) == [200] and result.verified


def _ours_no_phantom(result: ScenarioResult) -> None:
    assert _status(result) == [500] and not result.verified


# §14.13: Ruby invents a `Version: HTTP/1.1` request header.
case("no phantom version header",
     [inter("version hdr", get("/v", headers={"Version": "HTTP/1.1"}), OK)], [get("/v")],
     differs="§14.13 phantom Version header",
     ruby=_ruby_version_header, ours=_ours_no_phantom)


def _location(result: ScenarioResult) -> str:
    return result.responses[0].headers.get("location", "")


def _ruby_absolute_location(result: ScenarioResult) -> None:
    assert re.fullmatch(r"http://[^/]+/items/1", _location(result)), _location(result)


def _ours_relative_location(result: ScenarioResult) -> None:
    assert _location(result) == "/items/1" and result.verified


# §14.13: WEBrick rewrites a relative Location header to an absolute URL.
case("relative location kept",
     [inter("loc", {"method": "POST", "path": "/items"},
            {"status": 201, "headers": {"Location": "/items/1"}})],
     [{"method": "POST", "path": "/items"}], differs="§14.13 relative Location rewritten",
     ruby=_ruby_absolute_location, ours=_ours_relative_location)


def _ruby_collapses(result: ScenarioResult) -> None:
    assert _status(result) == [200] and result.verified


# §14.13: Ruby collapses a leading `//` in the request path; for spec 1/2 we now do too
# (issue 13: real v2 suites send pact.uri + "/" + "/users"). Spec 3/4 keep it: see
# tests/test_v2_real_suites.py.
case("leading double slash collapsed in spec 2", [inter("slash", get("/a"), OK)],
     [get("//a")], differs="aligned for spec 1/2 (issue 13); spec 3/4 keep //",
     ruby=_ruby_collapses, ours=_ruby_collapses)


def _ruby_500(result: ScenarioResult) -> None:
    assert [a.status for a in result.admin] == [500]


def _ours_400(result: ScenarioResult) -> None:
    assert [a.status for a in result.admin] == [400]
    assert "does not match" in result.admin[0].text and "bad term" in result.admin[0].text
    assert _status(result) == [500]  # nothing was registered


# Issue 3 "bad input": 400 naming the problem instead of Ruby's 500.
# (pact-python 2.3.3's own Format().time has this bug: "12:30:00" vs ^(T\d\d:...)?$.)
case("term example not matching its regex",
     [inter("bad term", get("/t"), {"status": 200, "body": {"t": term(
         r"^(T\d\d:\d\d(:\d\d)?(\.\d+)?(([+-]\d\d:\d\d)|Z)?)?$", "12:30:00")}})],
     [get("/t")], differs="bad input: 400 not 500", ruby=_ruby_500, ours=_ours_400)


def _ruby_multiple(result: ScenarioResult) -> None:
    body = result.responses[0].body
    assert result.responses[0].status == 500 and "matching_interactions" in body
    assert all("provider_state" not in m for m in body["matching_interactions"])
    # nothing recorded: both interactions are missing, nothing unexpected or incorrect
    assert set(verification_sections(result.verification.text)) == {"Missing"}


def _ours_multiple(result: ScenarioResult) -> None:
    body = result.responses[0].body
    assert result.responses[0].status == 500
    assert body["message"] == "Multiple interaction found for GET /dup"
    assert sorted(m["description"] for m in body["matching_interactions"]) == ["dup1", "dup2"]
    assert {m.get("provider_state") for m in body["matching_interactions"]} == {"s1", "s2"}
    assert not result.verified and _descriptions(result) == []


# §14.9: multiple matches are not recorded and provider_state is dropped from the body.
case("multiple matching interactions",
     [inter("dup1", get("/dup"), OK, state="s1"), inter("dup2", get("/dup"), OK, state="s2")],
     [get("/dup")], differs="§14.9 multiple matches not recorded, state dropped",
     ruby=_ruby_multiple, ours=_ours_multiple)


def _ruby_crash_after_match(result: ScenarioResult) -> None:
    assert [a.status for a in result.admin] == [200]
    assert _status(result) == [500] and result.verified  # crashed, yet counted as matched


def _ours_rejects_term_status(result: ScenarioResult) -> None:
    assert [a.status for a in result.admin] == [400]
    assert "status" in result.admin[0].text and "ts" in result.admin[0].text
    assert _descriptions(result) == []


# §14.10: a Term as response status crashes Ruby after counting the match ("200" string in
# the pact); we reject it when it is registered.
case("term as response status",
     [inter("ts", get("/ts"), {"status": term(r"\d+", "200")})], [get("/ts")],
     differs="§14.10 crash after match (Term status)",
     ruby=_ruby_crash_after_match, ours=_ours_rejects_term_status)


def _ours_coerces_header(result: ScenarioResult) -> None:
    assert _status(result) == [200] and result.verified
    assert result.responses[0].headers.get("x-count") == "1"
    assert result.pact is not None
    assert result.pact["interactions"][0]["response"]["headers"] == {"X-Count": "1"}


# §14.10: a non-string response header value crashes WEBrick (500 HTML) after the match;
# we write and serve it as its string form (the §14.4 coercion).
case("integer response header value",
     [inter("ih", get("/ih"), {"status": 200, "headers": {"X-Count": 1}})], [get("/ih")],
     differs="§14.10 crash after match (non-string header)",
     ruby=_ruby_crash_after_match, ours=_ours_coerces_header)
# §14.4: an integer request header value never matches in Ruby; we coerce it to a string.
case("integer request header value",
     [inter("ihr", get("/ihr", headers={"X-N": 1}), OK)], [get("/ihr", headers={"X-N": "1"})],
     differs="§14.4 header values must be strings",
     ruby=_ruby_never_matches, ours=_ours_matches)


def _ruby_writes_null_description(result: ScenarioResult) -> None:
    assert [a.status for a in result.admin] == [200] and result.verified
    assert result.pact is not None and result.pact["interactions"][0]["description"] is None


def _ours_rejects_no_description(result: ScenarioResult) -> None:
    assert [a.status for a in result.admin] == [400]
    assert "description" in result.admin[0].text
    assert _descriptions(result) == []


# §14.11: no validation of mandatory fields at PUT (Ruby writes "description": null).
case("interaction without description",
     [{"request": get("/nd"), "response": {"status": 200}}], [get("/nd")],
     differs="§14.11 no validation at PUT",
     ruby=_ruby_writes_null_description, ours=_ours_rejects_no_description)


def _ruby_partial_put(result: ScenarioResult) -> None:
    assert [a.status for a in result.admin] == [200, 500]
    assert _status(result) == [200, 200, 500]  # "other" registered, "third" dropped
    assert _descriptions(result) == ["cl", "other"]


def _ours_atomic_put(result: ScenarioResult) -> None:
    assert [a.status for a in result.admin] == [200, 500]
    assert result.admin[1].text.startswith('An interaction with same description ("cl")')
    assert _status(result) == [200, 500, 500]  # nothing of the failed PUT registered
    assert _descriptions(result) == ["cl"]


# §14.11: PUT is not atomic on a clash in Ruby: the interactions before the clashing one
# stay registered. Ours registers all or nothing.
case("put with a clash is atomic", steps=[
    ("put", [inter("cl", get("/c1"), OK)]), ("request", get("/c1")),
    ("put", [inter("other", get("/o"), OK), inter("cl", get("/c2"), OK),
             inter("third", get("/t"), OK)]),
    ("request", get("/o")), ("request", get("/t"))],
    differs="§14.11 PUT not atomic", ruby=_ruby_partial_put, ours=_ours_atomic_put)


def _ruby_drops_none_query(result: ScenarioResult) -> None:
    assert result.verified and result.pact is not None
    assert result.pact["interactions"][0]["request"]["query"] == "&y=1"


def _ours_keeps_none_query(result: ScenarioResult) -> None:
    assert result.verified and result.pact is not None
    assert result.pact["interactions"][0]["request"]["query"] == "x&y=1"


# §14.5: a None query value vanishes from Ruby's pact file (which then no longer says the
# key must be there).
case("none query value written",
     [inter("nq", get("/nq", query={"x": None, "y": "1"}), OK)], [get("/nq", query="x&y=1")],
     differs="§14.5 None query values vanish",
     ruby=_ruby_drops_none_query, ours=_ours_keeps_none_query)
# §14.6: paths are not percent-decoded in Ruby, so "/a b" or "/café" can never match.
case("space in path", [inter("sp", get("/a b"), OK)], [get("/a%20b")],
     differs="§14.6 paths not percent-decoded", ruby=_ruby_never_matches, ours=_ours_matches)
case("non-ascii path", [inter("cafe", get("/café"), OK)], [get("/caf%C3%A9")],
     differs="§14.6 paths not percent-decoded", ruby=_ruby_never_matches, ours=_ours_matches)


def _ruby_invalid_json_unrecorded(result: ScenarioResult) -> None:
    assert _status(result) == [500] and "JSON::ParserError" in result.responses[0].text
    assert set(verification_sections(result.verification.text)) == {"Missing"}


def _ours_invalid_json_incorrect(result: ScenarioResult) -> None:
    assert _status(result) == [500]
    assert result.responses[0].body["message"] == "No interaction found for POST /ij"
    sections = verification_sections(result.verification.text)
    assert sections["Incorrect"] == ["POST /ij (request body did not match)"]


# §14.8: invalid JSON from the application gives a Ruby backtrace and is not recorded;
# we report it as an incorrect request.
case("invalid json from the application",
     [inter("ij", {"method": "POST", "path": "/ij", "headers": JSON, "body": {"a": 1}}, OK)],
     [{"method": "POST", "path": "/ij", "headers": JSON, "data": "{nope"}],
     differs="§14.8 invalid JSON not recorded",
     ruby=_ruby_invalid_json_unrecorded, ours=_ours_invalid_json_incorrect)


@pytest.mark.parametrize("item", DIFFERENCES.params())
def test_deliberate_difference(item: Case, ruby_mock_service: Any, tmp_path: Any) -> None:
    assert item.differs and item.ruby is not None and item.ours is not None
    ruby, ours = run_both(item, ruby_mock_service.uri, tmp_path)
    item.ruby(ruby)  # documents what Ruby does (fails loudly if the reference changes)
    item.ours(ours)


def test_no_stale_pact_file_left(ruby_mock_service: Any, tmp_path: Any) -> None:
    """§14.14: POST /pact with nothing verified leaves an old file in place in Ruby, even in
    overwrite mode. Ours replaces a file left by an earlier run (it writes an empty list)."""
    from pact_unittest.mock_service import MockService

    stale = {"consumer": {"name": "C"}, "provider": {"name": "P"},
             "interactions": [{"description": "old", "request": {"method": "GET", "path": "/old"},
                               "response": {"status": 200, "headers": {}}}],
             "metadata": {"pactSpecification": {"version": "2.0.0"}}}
    nothing = Scenario("nothing verified", [inter("unused", get("/u"), OK)], [])

    ruby_file = ruby_mock_service.pact_path
    ruby_file.write_text(json.dumps(stale), encoding="utf-8")
    ruby = run_scenario(ruby_mock_service.uri, nothing)
    assert ruby.pact is not None and ruby.pact["interactions"] == []
    assert json.loads(ruby_file.read_text(encoding="utf-8")) == stale  # untouched

    ours_file = tmp_path / "c-p.json"
    ours_file.write_text(json.dumps(stale), encoding="utf-8")
    with MockService("C", "P", pact_dir=str(tmp_path)) as service:
        ours = run_scenario(service.uri, nothing)
    assert ours.pact is not None and ours.pact["interactions"] == []
    assert json.loads(ours_file.read_text(encoding="utf-8"))["interactions"] == []


def test_merge_has_no_spurious_conflicts(ruby_mock_service: Any, tmp_path: Any) -> None:
    """§14.1: re-merging an identical interaction whose regex contains "/" conflicts in Ruby
    (the file's re-read regex differs from the live one). Ours merges it cleanly."""
    from pact_unittest.mock_service import MockService

    scenario = Scenario("merge slash", [inter("slashy", {"method": "GET",
                                                        "path": term(r"/items/\d+", "/items/1")},
                                              OK)], [get("/items/5")])
    uri = ruby_mock_service.uri
    ruby = run_scenario(uri, scenario, write_pact=False)
    assert ruby.verified
    merge = {"pactfile_write_mode": "merge", "pact_dir": str(tmp_path / "ruby")}
    assert admin(uri, "POST", "/pact", merge).status == 200
    again = admin(uri, "POST", "/pact", merge)
    assert again.status == 500 and "different request path" in again.body["message"]

    with MockService("C", "P", pact_dir=str(tmp_path / "ours"),
                     file_write_mode="merge") as service:
        ours = run_scenario(service.uri, scenario)
        assert ours.verified and ours.pact_post.status == 200
        again = admin(service.uri, "POST", "/pact")
    assert again.status == 200, again.text
    assert normalise_pact(again.body) == normalise_pact(ours.pact)
    assert [i["description"] for i in again.body["interactions"]] == ["slashy"]

@pytest.fixture(scope="module")
def ruby_v3_cors(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The one extra Ruby process (spec 3 with --cors) for the §14.2 and §14.12 checks."""
    from reference import RubyMockService

    service = RubyMockService(tmp_path_factory.mktemp("ruby-v3"), spec="3.0.0",
                              extra_args=["--cors"]).start()
    try:
        yield service
    finally:
        service.stop()


def _run_ours_v3_cors(scenario: Scenario, tmp_path: Any) -> ScenarioResult:
    from pact_unittest.mock_service import MockService

    with MockService("C", "P", pact_dir=str(tmp_path), specification_version="3.0.0",
                     cors=True) as service:
        return run_scenario(service.uri, scenario)


def test_v3_keeps_provider_states_and_parses_queries(ruby_v3_cors: Any, tmp_path: Any) -> None:
    """§14.2: in spec 3 Ruby drops pact-python's provider_state (no providerStates written)
    and compares a string query verbatim; ours writes providerStates and a query map."""
    scenario = Scenario("v3 state", [inter("v3 state", get("/s", query="a=1&b=2"), OK,
                                           state="exists")],
                        [get("/s", query="b=2&a=1"), get("/s", query="a=1&b=2")])
    ruby = run_scenario(ruby_v3_cors.uri, scenario)
    assert _status(ruby) == [500, 200] and not ruby.verified
    assert ruby.pact is not None
    assert "providerStates" not in ruby.pact["interactions"][0]
    assert "providerState" not in ruby.pact["interactions"][0]

    ours = _run_ours_v3_cors(scenario, tmp_path)
    assert _status(ours) == [200, 200] and ours.verified, ours.verification.text
    assert ours.pact is not None
    written = ours.pact["interactions"][0]
    assert written["providerStates"] == [{"name": "exists"}]
    assert written["request"]["query"] == {"a": ["1"], "b": ["2"]}


def test_cors_options_interaction_usable(ruby_v3_cors: Any, tmp_path: Any) -> None:
    """§14.12: with --cors Ruby answers every OPTIONS as a preflight, so an OPTIONS
    interaction stays missing; ours serves a registered OPTIONS interaction and answers
    other OPTIONS requests as Ruby's preflight."""
    preflight = {"method": "OPTIONS", "path": "/o",
                 "headers": {"Origin": "http://x", "Access-Control-Request-Method": "GET"}}
    scenario = Scenario("cors options", [inter("opt", {"method": "OPTIONS", "path": "/o"},
                                               {"status": 204})],
                        [preflight, dict(preflight, path="/other")])
    ruby = run_scenario(ruby_v3_cors.uri, scenario)
    assert _status(ruby) == [200, 200] and not ruby.verified
    assert ruby.missing.body == {"size": 1}

    ours = _run_ours_v3_cors(scenario, tmp_path)
    assert _status(ours) == [204, 200]
    assert ours.responses[0].headers.get("access-control-allow-origin") == "http://x"
    for name in ("access-control-allow-origin", "access-control-allow-methods"):
        assert ours.responses[1].headers.get(name) == ruby.responses[1].headers.get(name)
    # the preflight to /other is not an interaction: it is neither unexpected nor recorded
    assert ours.verified, ours.verification.text
    assert _descriptions(ours) == ["opt"]
