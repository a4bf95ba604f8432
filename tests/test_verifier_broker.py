"""Broker-driven verification against a local broker that answers as a real Pact Broker
2.112.0 did (``shared/broker/transcripts/real/real_ruby_verifier*.json``): the selectors,
pending and WIP options sent as the Ruby verifier sends them, pending failures reported but
not failing the run, the broker's notices printed, results published as Ruby publishes
them, and no secret printed."""
from __future__ import annotations

import io
from typing import Any, Dict, List

import pytest

from fake_broker import FakeBroker, needs_transcripts
from provider_app import ProviderApp

from pact_unittest.verifier import StateCallback, Verifier
from pact_unittest.verifier.run import RunOptions, run

pytestmark = needs_transcripts()


def _inventory() -> ProviderApp:
    app = ProviderApp()
    json_ct = {"Content-Type": "application/json"}
    app.add("GET", "/items/1", 200, {"id": 1, "name": "spanner", "stock": 9, "tags": ["x", "y"]}, json_ct)
    app.add("GET", "/items/1/stock", 200, {"id": 1, "stock": 3}, json_ct)
    app.add("POST", "/items", 201, {"id": 5, "name": "gizmo", "stock": 1},
            dict(json_ct, Location="/items/5"))
    app.add("GET", "/users/1", 200, {"id": 1, "name": "Alice"}, json_ct)
    return app.start()


def _posted(broker: FakeBroker) -> List[Dict[str, Any]]:
    return [r.json for r in broker.requests if r.path.endswith("/verification-results")]


def _recorded(transcript: Dict[str, Any], suffix: str) -> List[Dict[str, Any]]:
    return [x["request"]["body_json"] for x in transcript["exchanges"]
            if x["request"]["path"].endswith(suffix)]


def test_wip_pact_fails_as_pending_and_the_run_passes_as_rubys_did() -> None:
    app = _inventory()
    try:
        with FakeBroker() as broker:
            transcript = broker.replay("real/real_ruby_verifier_wip_pending_failure.json")
            out = io.StringIO()
            code, report, text = run(RunOptions(
                provider="InventoryAPI", provider_base_url=app.base_url, broker_url=broker.url,
                consumer_selectors=[{"mainBranch": True}], enable_pending=True,
                include_wip_pacts_since="2020-01-01", provider_version_branch="main",
                provider_app_version="5.0.4", publish=True,
                states=StateCallback(lambda name, params, action: None)), out=out)
    finally:
        app.stop()
    assert code == transcript["exit_code"] == 0, text
    asked = [r.json for r in broker.requests if r.path.endswith("/for-verification")]
    assert asked == _recorded(transcript, "/for-verification")
    assert [p["success"] for p in _posted(broker)] == \
        [p["success"] for p in _recorded(transcript, "/verification-results")] == [True, True, False]
    assert report.counts() == {"passed": 4, "failed": 0, "pending": 1, "skipped": 0}
    (pending,) = [r for r in report.results if r.status == "pending"]
    assert pending.interaction_id == "5ec1d7d518e3ef8d948b39614ea13e2407fa7a30"
    assert "$.colour" in "\n".join(pending.problems())
    failed_test = [t for t in _posted(broker)[2]["testResults"]["tests"] if t["status"] == "failed"]
    assert failed_test[0]["testDescription"] == "has a matching body"
    assert failed_test[0]["interactionId"] == pending.interaction_id
    # the notices: why each pact is verified, and the pending one's after-verification notice
    assert "is being verified because the pact content belongs to" in text
    assert "still in pending state for any version of InventoryAPI" in text
    methods = [(r.method, r.path) for r in broker.requests]
    branch_put = methods.index(("PUT", "/pacticipants/InventoryAPI/branches/main/versions/5.0.4"))
    first_post = next(i for i, (m, p) in enumerate(methods) if p.endswith("/verification-results"))
    assert branch_put < first_post


def test_v2_verify_with_broker_publishes_with_tags_and_never_prints_the_password(
        capsys: pytest.CaptureFixture) -> None:
    app = _inventory()
    try:
        with FakeBroker() as broker:
            transcript = broker.replay("real/real_ruby_verifier.json")
            code, logs = Verifier("ProviderAPI", app.base_url).verify_with_broker(
                broker_url=broker.url, broker_username="pact", broker_password="s3cr3t-pw",
                consumer_version_selectors=[{"mainBranch": True}, {"deployedOrReleased": True}],
                enable_pending=True, include_wip_pacts_since="2026-01-01",
                provider_version_branch="main", provider_tags=["main"], publish_version="9.9.9",
                publish_verification_results=True)
    finally:
        app.stop()
    assert code == 0, logs
    assert [r.json for r in broker.requests if r.path.endswith("/for-verification")] == \
        _recorded(transcript, "/for-verification")
    paths = [(r.method, r.path) for r in broker.requests]
    assert ("PUT", "/pacticipants/ProviderAPI/branches/main/versions/9.9.9") in paths
    assert ("PUT", "/pacticipants/ProviderAPI/versions/9.9.9/tags/main") in paths
    (posted,) = _posted(broker)
    (recorded,) = _recorded(transcript, "/verification-results")
    assert posted["success"] is recorded["success"] is True
    assert [t["testDescription"] for t in posted["testResults"]["tests"]] == \
        [t["testDescription"] for t in recorded["testResults"]["tests"]]
    assert all(r.headers.get("authorization", "").startswith("Basic ") for r in broker.requests)
    printed = capsys.readouterr().out + logs
    assert "s3cr3t-pw" not in printed and "Verification results published to" in printed


def test_without_enable_pending_a_pending_pact_fails_the_run() -> None:
    app = _inventory()
    try:
        with FakeBroker() as broker:
            broker.replay("real/real_ruby_verifier_wip_pending_failure.json")
            code, report, _ = run(RunOptions(
                provider="InventoryAPI", provider_base_url=app.base_url, broker_url=broker.url,
                consumer_selectors=[{"mainBranch": True}], include_wip_pacts_since="2020-01-01",
                states=StateCallback(lambda *a: None)), out=io.StringIO())
    finally:
        app.stop()
    assert code == 1 and report.counts()["failed"] == 1
    assert not _posted(broker)  # results are published only when asked


def test_a_broker_failure_is_exit_code_2_with_the_reason() -> None:
    with FakeBroker(username="u", password="right") as broker:
        code, report, text = run(RunOptions(provider="P", provider_base_url="http://127.0.0.1:9",
                                            broker_url=broker.url, broker_username="u",
                                            broker_password="wrong-pw"), out=io.StringIO())
    assert code == 2 and "401" in report.errors[0]
    assert "wrong-pw" not in text
