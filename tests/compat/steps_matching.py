"""Matching-engine steps (V3 ``http_matching``, V3/V4 ``matching_rules``).

The expected side is a pact-file-form request (or response) of the folder's spec version,
built from the table; the actual side is the engine's ``actual`` form. Both go straight to
``pact_unittest.matching.match_request`` / ``match_response``, as the mock service calls it.
"""
from __future__ import annotations

from typing import Any, Dict, List

from pact_unittest.matching import match_request, match_response

from .cells import load_json_fixture, parse_body, parse_headers, table_rows
from .facts import assert_mismatch
from .registry import World, step

_BASE = {"method": "POST", "path": "/request"}


def _query_map(text: str) -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for part in filter(None, text.split("&")):
        key, _, value = part.partition("=")
        out.setdefault(key, []).append(value)
    return out


def _part_from_row(row: Dict[str, str], expected: bool) -> Dict[str, Any]:
    part: Dict[str, Any] = dict(_BASE)
    headers: Dict[str, str] = dict(parse_headers(row.get("headers", "")))
    if row.get("query"):
        part["query"] = _query_map(row["query"])
    body = parse_body(row.get("body", ""))
    content_type = row.get("content type") or (body.content_type if body else None)
    if content_type:
        headers["Content-Type"] = content_type
    if body is not None:
        part["body"] = body.value
    if headers:
        part["headers"] = headers
    if expected and row.get("matching rules"):
        part["matchingRules"] = load_json_fixture(row["matching rules"])
    return part


@step(r'an expected request with an? "([^"]+)" header of "([^"]*)"')
def expected_header(world: World, name: str, value: str) -> None:
    world.data["expected"] = dict(_BASE, headers={name: value})


@step(r'a request is received with an? "([^"]+)" header of "([^"]*)"')
def actual_header(world: World, name: str, value: str) -> None:
    world.data["actuals"] = [dict(_BASE, headers={name: value})]


@step(r"an expected request configured with the following:")
def expected_request(world: World) -> None:
    world.data["expected"] = _part_from_row(table_rows(world.table)[0], expected=True)


@step(r"a request is received with the following:")
def actual_request(world: World) -> None:
    world.data["actuals"] = [_part_from_row(table_rows(world.table)[0], expected=False)]


@step(r"the following requests are received:")
def actual_requests(world: World) -> None:
    world.data["actuals"] = [_part_from_row(row, expected=False) for row in table_rows(world.table)]
    world.data["descriptions"] = [row.get("desc", "") for row in table_rows(world.table)]


@step(r"the requests? (?:is|are) compared to the expected one")
def compare_requests(world: World) -> None:
    world.data["results"] = [match_request(world.data["expected"], actual, world.spec_version)
                             for actual in world.data["actuals"]]


@step(r"the comparison should be OK")
def comparison_ok(world: World) -> None:
    failures = [(i, r) for i, r in enumerate(world.data["results"]) if r]
    assert not failures, failures


@step(r"the comparison should NOT be OK")
def comparison_not_ok(world: World) -> None:
    # Every received request of the table must fail on its own.
    results = world.data["results"]
    assert results and all(results), results


@step(r'the mismatches will contain a mismatch with error "([^"]+)" -> "(.*)"')
def mismatch_at(world: World, where: str, text: str) -> None:
    # Checks the JSON path (or header name) and the facts of the Rust text, not its wording.
    text = text.replace('\\"', '"')  # the runner passes \" through as written
    found = [m for result in world.data["results"] for m in result]
    assert_mismatch(found, text, path=where)


# ---------------------------------------------------------------- V4 responses
@step(r"an expected response configured with the following:")
def expected_response(world: World) -> None:
    row = table_rows(world.table)[0]
    world.data["expected_response"] = {"status": int(row["status"]),
                                       "matchingRules": load_json_fixture(row["matching rules"])}


@step(r"a status (\d+) response is received")
def actual_response(world: World, status: str) -> None:
    world.data["actual_response"] = {"status": int(status)}


@step(r"the response is compared to the expected one")
def compare_response(world: World) -> None:
    world.data["response_result"] = match_response(world.data["expected_response"],
                                                   world.data["actual_response"], world.spec_version)


@step(r"the response comparison should be OK")
def response_ok(world: World) -> None:
    assert not world.data["response_result"], world.data["response_result"]


@step(r"the response comparison should NOT be OK")
def response_not_ok(world: World) -> None:
    assert world.data["response_result"]


@step(r'the response mismatches will contain a "(\w+)" mismatch with error "(.*)"')
def response_mismatch(world: World, kind: str, text: str) -> None:
    # Checks the mismatch kind and the facts of the Rust text (status, class), not its wording.
    assert_mismatch(world.data["response_result"], text, kind)
