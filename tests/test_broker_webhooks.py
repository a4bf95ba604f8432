"""The webhook commands, can-i-deploy's ``--all``/``--limit`` and ``describe-version -o id``
against the simulated fake broker (no Ruby needed; ``test_broker_differential_ruby.py``
compares the same commands with the Ruby CLI)."""
from __future__ import annotations

import json

from broker_differential import run_ours, seed
from fake_broker import FakeBroker, needs_transcripts
from provider_app import ProviderApp

pytestmark = needs_transcripts()


def _run(args, prepare=None):
    with seed(FakeBroker(resources=True)) as broker:
        if prepare:
            prepare(broker)
        return run_ours(args, broker)


def test_create_webhook_for_a_consumer_and_provider_posts_the_curl_request(tmp_path):
    payload = tmp_path / "body.json"
    payload.write_text('{"ref": "main"}')
    run = _run(["create-webhook", "https://ci.example/x", "-X", "POST", "-H", "A: 1", "B: 2",
                "-H", "C: 3", "-d", "@" + str(payload), "-u", "bot:s3cret", "--consumer",
                "WebShop", "--provider", "InventoryAPI", "--provider-verification-failed",
                "--contract-published"])
    assert run.code == 0 and run.output == 'Webhook "A webhook for the pact between WebShop and ' \
                                           'InventoryAPI" created'
    assert [r[:2] for r in run.requests] == [
        ("POST", "/webhooks/provider/InventoryAPI/consumer/WebShop")]
    assert run.requests[0][3] == {
        "events": [{"name": "contract_published"}, {"name": "provider_verification_failed"}],
        "request": {"url": "https://ci.example/x", "method": "POST",
                    "headers": {"A": "1", "B": "2", "C": "3"}, "body": {"ref": "main"},
                    "username": "bot", "password": "s3cret"}}


def test_create_or_update_webhook_puts_by_uuid_and_says_updated_the_second_time():
    args = ["create-or-update-webhook", "https://ci.example/x", "--uuid", "u-1", "-X", "GET",
            "--provider-label", "api", "--team-uuid", "t-9", "--description", "Nightly",
            "--contract-content-changed"]
    with seed(FakeBroker(resources=True)) as broker:
        first, second = run_ours(args, broker), run_ours(args, broker)
        stored = broker.resources.webhooks["u-1"]
    assert (first.code, first.output) == (0, 'Webhook "Nightly" created')
    assert (second.code, second.output) == (0, 'Webhook "Nightly" updated')
    assert [r[:2] for r in second.requests[-2:]] == [("GET", "/"), ("PUT", "/webhooks/u-1")]
    assert stored["provider"] == {"label": "api"} and stored["teamUuid"] == "t-9"


def test_create_webhook_refusals_name_the_problem_and_exit_1():
    run = _run(["create-webhook", "https://ci.example/x", "-X", "POST"])
    assert run.code == 1 and run.requests == []
    assert "You must specify at least one of --contract-content-changed" in run.output
    run = _run(["create-webhook", "ftp://x", "-X", "POST", "--contract-published"])
    assert run.code == 1 and "Error creating webhook." in run.output
    assert "request.url: scheme must be https" in run.output


def test_test_webhook_executes_it_and_prints_the_logs():
    target = ProviderApp()
    target.add("POST", "/hook", 200, {"ok": True}, {"Content-Type": "application/json"})
    with target:
        run = _run(["test-webhook", "--uuid", "h-1"], lambda b: b.resources.save_webhook("h-1", {
            "events": [{"name": "contract_published"}],
            "request": {"method": "POST", "url": target.base_url + "/hook"}}))
        assert target.requests == ["POST /hook"]
    assert run.code == 0 and "Webhook h-1 executed successfully" in run.output
    assert [r[:2] for r in run.requests] == [("GET", "/"), ("GET", "/webhooks/h-1"),
                                            ("POST", "/webhooks/h-1/execute")]


def test_can_i_deploy_all_tag_and_limit_reach_the_matrix_query():
    run = _run(["can-i-deploy", "-a", "WebShop", "--all", "prod", "-a", "InventoryAPI",
                "--latest", "--limit", "3"])
    assert run.requests[0][1] == "/matrix"
    assert run.requests[0][2] == sorted([
        ("q[][pacticipant]", "WebShop"), ("q[][tag]", "prod"),
        ("q[][pacticipant]", "InventoryAPI"), ("q[][latest]", "true"),
        ("latestby", "cvpv"), ("limit", "3")])
    assert run.code == 1


def test_describe_version_id_prints_only_the_number():
    assert _run(["describe-version", "-a", "WebShop", "-e", "1.0.0", "-o", "id"]).output == "1.0.0"
    run = _run(["describe-version", "-a", "WebShop", "-o", "json"])
    assert json.loads(run.output)["number"] == "1.1.0"
