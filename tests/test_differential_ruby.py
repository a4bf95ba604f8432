"""Differential tests: the same scenario against the Ruby pact-mock-service and against ours.

The scenarios (``differential_cases.SAME``) are run against both services, which must give
the same statuses, the same mock bodies (errors: Ruby's JSON shape and values; our extra
debugging fields are ignored), the same verification verdict and request lines, and pact
files equal after normalising metadata and interaction order. Where Ruby is wrong on
purpose, see ``test_differential_ruby_differences.py``.

One Ruby process serves the whole session (``ruby_mock_service`` fixture); every scenario
starts with DELETE /session on both sides.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from differential_cases import JSON, OK, SAME, Case, each_like, get, inter, like, run_both
from reference import (
    Scenario,
    ScenarioResult,
    assert_subset,
    error_shape,
    normalise_pact,
    python_cli,
    run_scenario,
    verification_sections,
)

pytestmark = pytest.mark.reference


# ---------------------------------------------------------------------------------------
# The comparison
# ---------------------------------------------------------------------------------------
def _route(line: str) -> str:
    """'GET /q?x=2 (request query did not match)' -> 'GET /q'."""
    return line.split(" (")[0].split("?")[0]


def _assert_same_sections(ruby: ScenarioResult, ours: ScenarioResult) -> None:
    """Same Incorrect and Unexpected lines; Missing as Ruby's plus the mismatch candidates.

    §14.9: Ruby drops an interaction from "Missing requests" (and from GET
    /interactions/missing) once it was a candidate of a mismatched request, though it was
    never matched. We keep listing it: it *is* missing from what the consumer did.
    """
    rs = verification_sections(ruby.verification.text)
    os_ = verification_sections(ours.verification.text)
    for section in ("Incorrect", "Unexpected"):
        assert os_.get(section, []) == rs.get(section, []), ours.verification.text
    ruby_missing, ours_missing = Counter(rs.get("Missing", [])), Counter(os_.get("Missing", []))
    assert not ruby_missing - ours_missing, ours.verification.text
    extra = ours_missing - ruby_missing
    candidate_routes = {_route(line) for line in rs.get("Incorrect", [])}
    assert all(_route(line) in candidate_routes for line in extra), ours.verification.text
    assert ours.missing.body == {"size": ruby.missing.body["size"] + sum(extra.values())}


def assert_same(ruby: ScenarioResult, ours: ScenarioResult, leaves: bool) -> None:
    assert [a.status for a in ours.admin] == [a.status for a in ruby.admin]
    assert [a.text for a in ours.admin] == [a.text for a in ruby.admin]
    assert [r.status for r in ours.responses] == [r.status for r in ruby.responses]
    for i, (rr, ro) in enumerate(zip(ruby.responses, ours.responses)):
        if rr.status >= 500 and isinstance(rr.body, dict):
            assert error_shape(ro.body) == error_shape(rr.body), f"response {i}"
            if leaves:
                assert_subset(rr.body, ro.body, f"response[{i}]")
        else:
            assert ro.body == rr.body, f"response {i} body"
            assert ro.headers.get("content-type") == rr.headers.get("content-type")
    assert ours.verified == ruby.verified, ours.verification.text
    if ruby.verified:
        assert ours.verification.text == ruby.verification.text
        assert ours.missing.body == ruby.missing.body
    else:
        _assert_same_sections(ruby, ours)
        if "Incorrect" not in verification_sections(ruby.verification.text):
            # Only missing/unexpected lines: the whole Ruby text is meant to be identical.
            # (Mismatch diff blocks are compared by their request lines only.)
            assert ours.verification.text == ruby.verification.text
    assert ours.pact_post.status == ruby.pact_post.status
    assert normalise_pact(ours.pact) == normalise_pact(ruby.pact)


@pytest.mark.parametrize("item", SAME.params())
def test_same_as_ruby(item: Case, ruby_mock_service: Any, tmp_path: Any) -> None:
    ruby, ours = run_both(item, ruby_mock_service.uri, tmp_path)
    assert_same(ruby, ours, item.leaves)


def test_standalone_cli_same_as_ruby(ruby_mock_service: Any, tmp_path: Any) -> None:
    """Our standalone CLI (port 0, port=NNNN on stdout) answers a mixed scenario like Ruby."""
    import subprocess

    from reference import kill_tree, read_port_line, wait_for_admin

    proc = python_cli("pact_unittest.mock_service", "service", "--port", "0",
                      "--host", "127.0.0.1", "--pact-dir", str(tmp_path), "--consumer", "C",
                      "--provider", "P", "--pact-specification-version", "2.0.0",
                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        port = read_port_line(proc)
        uri = f"http://127.0.0.1:{port}"
        wait_for_admin(uri, proc=proc)
        scenario = Scenario("cli mix", [
            inter("cli hit", get("/a", query="x=1"), {"status": 200, "headers": JSON,
                                                     "body": like({"id": 1})}, state="s"),
            inter("cli each", get("/e"), {"status": 200, "body": each_like("z", 2)}),
            inter("cli missing", get("/m"), OK)],
            [get("/a", query="x=1"), get("/a", query="x=2"), get("/e"), get("/zzz")])
        ruby = run_scenario(ruby_mock_service.uri, scenario)
        ours = run_scenario(uri, scenario)
        assert_same(ruby, ours, leaves=True)
        written = json.loads((tmp_path / "c-p.json").read_text(encoding="utf-8"))
        assert normalise_pact(written) == normalise_pact(ruby.pact)
    finally:
        kill_tree(proc.pid)
        proc.wait(timeout=5)
