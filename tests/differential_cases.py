"""The scenario table of the differential tests against the Ruby pact-mock-service.

Each scenario registers interactions as pact-python v2 sends them (``json_class`` matchers),
sends application requests, then asks for the verification, the missing count and the pact
(POST /pact). This module holds the pact-python v2 wire forms (written out by hand so the
tests do not trust our matchers), the :class:`Case` record, the scenarios where both
services must behave the same (:data:`SAME`), and :func:`run_both`, which runs one case
against Ruby and against a fresh embedded service of ours.

The tests: ``test_differential_ruby.py`` (same as Ruby) and
``test_differential_ruby_differences.py`` (deliberate differences, each with its reason).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from reference import Scenario, ScenarioResult, run_scenario

JSON = {"Content-Type": "application/json"}


# -- pact-python v2 wire forms, written out by hand so the test does not trust our matchers --
def term(regex: str, generate: str) -> Dict[str, Any]:
    return {"json_class": "Pact::Term",
            "data": {"generate": generate, "matcher": {"json_class": "Regexp", "o": 0, "s": regex}}}


def like(contents: Any) -> Dict[str, Any]:
    return {"json_class": "Pact::SomethingLike", "contents": contents}


def each_like(contents: Any, minimum: int = 1) -> Dict[str, Any]:
    return {"json_class": "Pact::ArrayLike", "contents": contents, "min": minimum}


# pact-python 2.3.3 Format() values (copied from its generate() output)
FORMAT = {
    "integer": like(1),
    "decimal": like(1.0),
    "ip_address": term(r"(\d{1,3}\.)+\d{1,3}", "127.0.0.1"),
    "hexadecimal": term(r"[0-9a-fA-F]+", "3F"),
    "uuid": term(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                 "fc763eba-0905-41c5-a27f-3934ab26786c"),
    "date": term(r"^([\+-]?\d{4}(?!\d{2}\b))((-?)((0[1-9]|1[0-2])(\3([12]\d|0[1-9]|3[01]))?"
                 r"|W([0-4]\d|5[0-2])(-?[1-7])?|(00[1-9]|0[1-9]\d|[12]\d{2}|3([0-5]\d|6[1-6])))?)",
                 "2000-02-01"),
    "iso_datetime": term(r"^\d{4}-[01]\d-[0-3]\d\x54[0-2]\d:[0-6]\d:[0-6]\d(?:\.\d+)?"
                         r"(?:(?:[+-]\d\d:?\d\d)|\x5A)?$", "1991-02-20T06:35:26+00:00"),
    "iso_datetime_ms": term(r"^\d{4}-[01]\d-[0-3]\d\x54[0-2]\d:[0-6]\d:[0-6]\d\.\d+"
                            r"(?:(?:[+-]\d\d:?\d\d)|\x5A)?$", "1991-02-20T06:35:26.079043+00:00"),
}


def inter(description: str, request: Dict[str, Any], response: Dict[str, Any],
          state: Optional[str] = None) -> Dict[str, Any]:
    data: Dict[str, Any] = {"description": description, "request": request,
                            "response": response}
    if state is not None:
        data["provider_state"] = state
    return data


def get(path: str, **kw: Any) -> Dict[str, Any]:
    return dict({"method": "GET", "path": path}, **kw)


OK = {"status": 200, "headers": JSON, "body": {"ok": True}}


@dataclass
class Case:
    scenario: Scenario
    #: Set for a deliberate difference: the §14 item (or spec rule) that justifies it.
    differs: str = ""
    #: Assertions on Ruby's (documented) and on our result, for deliberate differences.
    ruby: Optional[Callable[[ScenarioResult], None]] = None
    ours: Optional[Callable[[ScenarioResult], None]] = None
    #: Compare the error bodies' diff leaves too, not only their shape.
    leaves: bool = True
    #: Run ours in the opt-in Ruby-compatible regex mode.
    partial_regex: bool = False
    #: A known product gap (reported, not a design decision): strict xfail with this reason,
    #: so the fix turns the test red until the marker is removed.
    gap: str = ""


class CaseTable(List[Case]):
    """A list of cases, filled in source order by :meth:`add` (``case = TABLE.add``)."""

    def add(self, name: str, interactions: Any = None, requests: Any = None,
            steps: Any = None, **kw: Any) -> None:
        self.append(Case(Scenario(name, list(interactions or []), list(requests or []), steps),
                         **kw))

    def params(self) -> List[Any]:
        """One pytest param per case, id = scenario name; a ``gap`` is a strict xfail."""
        return [pytest.param(item, id=item.scenario.name,
                             marks=[pytest.mark.xfail(strict=True, reason=item.gap)]
                             if item.gap else [])
                for item in self]


def run_both(item: Case, ruby_uri: str, tmp_path: Any) -> Tuple[ScenarioResult, ScenarioResult]:
    """The case's results from the Ruby service at ``ruby_uri`` and from ours."""
    from pact_unittest.mock_service import MockService

    ruby = run_scenario(ruby_uri, item.scenario)
    # A fresh embedded service (ready in ms) and pact dir per scenario: within one run our
    # writer merges into the run's file (GUIDE §4), so a shared dir would mix scenarios.
    with MockService("C", "P", pact_dir=str(tmp_path), specification_version="2.0.0",
                     partial_regex=item.partial_regex) as ours_service:
        ours = run_scenario(ours_service.uri, item.scenario)
    return ruby, ours


SAME = CaseTable()
case = SAME.add

# ---------------------------------------------------------------------------------------
# Same behaviour expected
# ---------------------------------------------------------------------------------------
case("plain get", [inter("a get", get("/a"), OK)], [get("/a")])
case("method lower case in interaction", [inter("lower", get("/a", method="get"), OK)],
     [get("/a")])
case("method mixed case in request", [inter("mixed", get("/a", method="gEt"), OK)],
     [get("/a", method="get")])
case("different method is unexpected", [inter("post it", {"method": "POST", "path": "/a"}, OK)],
     [get("/a")])
case("query string any order", [inter("q", get("/q", query="x=1&y=2"), OK)],
     [get("/q", query="y=2&x=1")])
case("query dict with list", [inter("qd", get("/q", query={"x": "1", "y": ["2", "3"]}), OK)],
     [get("/q", query="x=1&y=2&y=3")])
case("query value mismatch", [inter("qm", get("/q", query="x=1"), OK)],
     [get("/q", query="x=2")])
case("query extra parameter", [inter("qe", get("/q", query={"x": "1"}), OK)],
     [get("/q", query="x=1&z=9")])
case("query missing parameter", [inter("qmiss", get("/q", query={"x": "1", "y": "2"}), OK)],
     [get("/q", query="x=1")])
case("query term", [inter("qt", get("/q", query={"n": term(r"\d+", "5")}), OK)],
     [get("/q", query="n=42")])
case("query encoded", [inter("qenc", get("/q", query={"q": "a b/c"}), OK)],
     [get("/q", query="q=a+b%2Fc")])
# Spec 1/2 query parsing as Rack's (issue 13 item 5): a key without "=" has no value, which
# differs from an empty one; ";" separates parameters like "&".
case("query bare flag matches bare flag", [inter("qf", get("/q", query="flag"), OK)],
     [get("/q", query="flag")])
case("query bare flag is not empty value", [inter("qf0", get("/q", query="flag"), OK)],
     [get("/q", query="flag=")])
case("query empty value is not bare flag", [inter("qf1", get("/q", query="flag="), OK)],
     [get("/q", query="flag")])
case("query dict empty value is not bare flag",
     [inter("qf2", get("/q", query={"flag": ""}), OK)], [get("/q", query="flag")])
case("query semicolon separates actual", [inter("qs", get("/q", query="a=1&b=2"), OK)],
     [get("/q", query="a=1;b=2")])
case("query semicolon separates expected", [inter("qs2", get("/q", query="a=1;b=2"), OK)],
     [get("/q", query="b=2&a=1")])
case("query semicolon expected against dict",
     [inter("qs3", get("/q", query={"a": "1;b=2"}), OK)], [get("/q", query="a=1;b=2")])
case("header names case-insensitive",
     [inter("h", get("/h", headers={"X-Custom": "v"}), OK)],
     [get("/h", headers={"x-custom": "v"})])
case("header missing", [inter("hm", get("/h", headers={"X-Custom": "v"}), OK)],
     [get("/h")])
case("header value mismatch", [inter("hv", get("/h", headers={"Accept": "application/json"}), OK)],
     [get("/h", headers={"Accept": "text/html"})])
case("content type with charset is not the bare media type",
     [inter("ct", {"method": "POST", "path": "/ct", "headers": JSON, "body": {"a": 1}}, OK)],
     [{"method": "POST", "path": "/ct", "headers": {"Content-Type": "application/json; charset=utf-8"},
       "json": {"a": 1}}])
case("content type exact with charset matches",
     [inter("ct2", {"method": "POST", "path": "/ct",
                    "headers": {"Content-Type": "application/json; charset=utf-8"},
                    "body": {"a": 1}}, OK)],
     [{"method": "POST", "path": "/ct", "headers": {"Content-Type": "application/json; charset=utf-8"},
       "json": {"a": 1}}])
case("accept with parameter is not the bare media type",
     [inter("acc", get("/acc", headers={"Accept": "application/json"}), OK)],
     [get("/acc", headers={"Accept": "application/json; q=0.9"})])
case("header term", [inter("ht", get("/h", headers={"Accept": term("application/.*json",
                                                                   "application/json")}), OK)],
     [get("/h", headers={"Accept": "application/hal+json"})])
case("json object body",
     [inter("post obj", {"method": "POST", "path": "/o", "headers": JSON,
                         "body": {"name": "Ada", "n": 1, "tags": ["x"]}}, {"status": 201})],
     [{"method": "POST", "path": "/o", "json": {"tags": ["x"], "n": 1.0, "name": "Ada"}}])
case("json body unexpected key",
     [inter("post strict", {"method": "POST", "path": "/o", "headers": JSON,
                            "body": {"name": "Ada"}}, {"status": 201})],
     [{"method": "POST", "path": "/o", "json": {"name": "Ada", "extra": 1}}])
case("json body missing key",
     [inter("post missing", {"method": "POST", "path": "/o", "headers": JSON,
                             "body": {"name": "Ada", "age": 3}}, {"status": 201})],
     [{"method": "POST", "path": "/o", "json": {"name": "Ada"}}])
case("json array body",
     [inter("post arr", {"method": "POST", "path": "/arr", "headers": JSON, "body": [1, 2, 3]},
            {"status": 200, "headers": JSON, "body": [{"id": 1}, {"id": 2}]})],
     [{"method": "POST", "path": "/arr", "json": [1, 2, 3]}])
case("json array body wrong length",
     [inter("post arr len", {"method": "POST", "path": "/arr", "headers": JSON, "body": [1, 2]},
            {"status": 200})],
     [{"method": "POST", "path": "/arr", "json": [1, 2, 3]}])
case("text body",
     [inter("post text", {"method": "POST", "path": "/t", "headers": {"Content-Type": "text/plain"},
                          "body": "hello"},
            {"status": 200, "headers": {"Content-Type": "text/plain"}, "body": "world"})],
     [{"method": "POST", "path": "/t", "headers": {"Content-Type": "text/plain"},
       "data": "hello"}])
case("text body mismatch",
     [inter("post text2", {"method": "POST", "path": "/t",
                           "headers": {"Content-Type": "text/plain"}, "body": "hello"},
            {"status": 200})],
     [{"method": "POST", "path": "/t", "headers": {"Content-Type": "text/plain"},
       "data": "hello!"}])
case("response body null", [inter("null body", get("/n"), {"status": 204, "body": None})],
     [get("/n")])
case("unicode body and description",
     [inter("größe ü", get("/u"), {"status": 200, "headers": JSON, "body": {"name": "Zoë ü"}},
            state="état")],
     [get("/u")])
case("like in response", [inter("like resp", get("/l"), {
    "status": 200, "headers": JSON, "body": like({"id": 1, "name": "x", "f": 1.5})})],
    [get("/l")])
case("like in request body matches types",
     [inter("like req", {"method": "POST", "path": "/l", "headers": JSON,
                         "body": like({"id": 1, "name": "x"})}, {"status": 200})],
     [{"method": "POST", "path": "/l", "json": {"id": 99, "name": "other"}}])
case("like in request body wrong type",
     [inter("like bad", {"method": "POST", "path": "/l", "headers": JSON,
                         "body": like({"id": 1, "name": "x"})}, {"status": 200})],
     [{"method": "POST", "path": "/l", "json": {"id": "99", "name": "other"}}])
case("each like min 2 in response",
     [inter("each resp", get("/e"), {"status": 200, "headers": JSON,
                                     "body": {"items": each_like({"id": 1, "tag": "a"}, 2)}})],
     [get("/e")])
case("each like in request",
     [inter("each req", {"method": "POST", "path": "/e", "headers": JSON,
                         "body": {"items": each_like({"id": 1})}}, {"status": 200})],
     [{"method": "POST", "path": "/e", "json": {"items": [{"id": 5}, {"id": 6}, {"id": 7}]}}])
case("each like below min",
     [inter("each min", {"method": "POST", "path": "/e", "headers": JSON,
                         "body": {"items": each_like({"id": 1}, 2)}}, {"status": 200})],
     [{"method": "POST", "path": "/e", "json": {"items": [{"id": 5}]}}])
case("nested matchers",
     [inter("nested", get("/nest"), {"status": 200, "headers": JSON, "body": like({
         "user": {"id": 1, "roles": each_like(term("admin|user", "admin"), 3)},
         "pages": each_like({"n": 1, "links": each_like({"href": term(r"/p/\d+", "/p/1")})}, 2),
     })})],
     [get("/nest")])
case("nested matchers in request",
     [inter("nested req", {"method": "PUT", "path": "/nest", "headers": JSON, "body": {
         "user": like({"id": 1, "email": term(r"[^@]+@[^@]+", "a@b.c")}),
         "ids": each_like(1)}}, {"status": 204})],
     [{"method": "PUT", "path": "/nest",
       "json": {"user": {"id": 7, "email": "x@y.z"}, "ids": [4, 5]}}])
case("format values", [inter("formats", get("/f"), {"status": 200, "headers": JSON,
                                                     "body": dict(FORMAT)})], [get("/f")])
case("format values in request",
     [inter("formats req", {"method": "POST", "path": "/f", "headers": JSON, "body": dict(FORMAT)},
            {"status": 200})],
     [{"method": "POST", "path": "/f", "json": {
         "integer": 7, "decimal": 2.5, "ip_address": "10.0.0.1", "hexadecimal": "BEEF",
         "uuid": "00000000-0000-0000-0000-000000000000", "date": "2021-12-31",
         "iso_datetime": "2021-12-31T23:59:59Z", "iso_datetime_ms": "2021-12-31T23:59:59.5Z"}}])
case("term in response headers and path",
     [inter("term path", {"method": "GET", "path": term(r"/items/\d+", "/items/1")},
            {"status": 200, "headers": {"X-Id": term(r"\d+", "1"), "Content-Type": "text/plain"},
             "body": term(r"\w+", "item")})],
     [get("/items/42")])
case("provider state", [inter("with state", get("/s"), OK, state="user 1 exists")],
     [get("/s")])
case("provider state in mismatch diff",
     [inter("state diff", get("/s", query="a=1"), OK, state="st")],
     [get("/s", query="a=2")])
case("same description different states",
     [inter("same", get("/s1"), OK, state="one"), inter("same", get("/s2"), OK, state="two")],
     [get("/s1"), get("/s2")])
case("several interactions hit in reverse order",
     [inter("first", get("/1"), OK), inter("second", get("/2"), OK)],
     [get("/2"), get("/1")])
case("one interaction missing", [inter("hit", get("/1"), OK), inter("not hit", get("/2"), OK)],
     [get("/1")])
case("unexpected request", [inter("only", get("/1"), OK)], [get("/1"), get("/nope")])
case("requested twice", [inter("twice", get("/1"), OK)], [get("/1"), get("/1")])
case("same route two queries, neither matches",
     [inter("q one", get("/q", query="x=1"), OK), inter("q two", get("/q", query="x=2"), OK)],
     [get("/q", query="x=3")])
case("same route two queries, one matches",
     [inter("q one", get("/q", query="x=1"), OK), inter("q two", get("/q", query="x=2"), OK)],
     [get("/q", query="x=2")])
case("mismatch then match", [inter("mm", get("/q", query="x=1"), OK)],
     [get("/q", query="x=2"), get("/q", query="x=1")])
case("no interactions no requests", [], [])
case("options interaction without cors", [inter("opt", {"method": "OPTIONS", "path": "/opt"}, OK)],
     [{"method": "OPTIONS", "path": "/opt"}])
case("head does not match get", [inter("hg", get("/hg"), OK)], [{"method": "HEAD", "path": "/hg"}])
case("status and several response headers",
     [inter("created", {"method": "POST", "path": "/c"},
            {"status": 201, "headers": {"X-One": "1", "X-Two": "two", "Content-Type": "text/plain"},
             "body": "made"})],
     [{"method": "POST", "path": "/c"}])
case("put then post", steps=[
    ("put", [inter("via put", get("/p1"), OK)]),
    ("post", inter("via post", get("/p2"), OK)),
    ("request", get("/p1")), ("request", get("/p2"))])
case("second put replaces the first", steps=[
    ("put", [inter("old", get("/old"), OK)]),
    ("put", [inter("new", get("/new"), OK)]),
    ("request", get("/old")), ("request", get("/new"))])
case("delete interactions keeps verified", steps=[
    ("put", [inter("kept", get("/k"), OK)]), ("request", get("/k")),
    ("delete_interactions",),
    ("put", [inter("later", get("/l"), OK)]), ("request", get("/l"))])
# The opt-in Ruby-compatible regex mode behaves exactly like Ruby (by default, regexes match
# the whole value: "term regex matches whole value" in the deliberate differences).
case("term regex partial in ruby-compatible mode",
     [inter("partial", {"method": "GET", "path": term(r"/items/\d+", "/items/1")}, OK)],
     [get("/v2/items/7/extra")], partial_regex=True)
