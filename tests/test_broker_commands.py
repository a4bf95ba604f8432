"""The broker commands (can-i-deploy, environments, deployments, versions, tags, ...) against
a fake broker replaying the answers a real pact_broker 2.112.0 gave the Ruby CLI.

Each recorded Ruby command line runs through ``pact_unittest`` unchanged but for the broker
URL: the requests must be the recorded ones (method, path, query, JSON body, in order), the
exit code the recorded one, and the output must say the same thing (verdict, reasons,
versions) once colours are removed.
"""
from __future__ import annotations

import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from fake_broker import RECORDED_ORIGINS, TRANSCRIPTS, FakeBroker, load_transcript, needs_transcripts
from pact_unittest import __main__ as entry
from pact_unittest.broker import cli_commands

pytestmark = needs_transcripts()

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[\d+m")


def _index():
    with open(TRANSCRIPTS / "index.json", encoding="utf-8") as handle:
        return json.load(handle)["transcripts"]


RUBY_COMMANDS = sorted(
    t["file"][:-5] for t in _index()
    if t["file"].startswith("real/real_ruby_") and t.get("client") != "pact-provider-verifier"
    and not any(word in t["file"] for word in ("publish", "verifier", "old_api", "republish")))


#: Where we word a failure differently from Ruby on purpose, what must still be said.
SUBSTANCE = {
    # Ruby: 'Error making request to URL status=400 {raw body}'; we name the field error.
    "real/real_ruby_create_environment_duplicate": [
        "400", "/environments", "name: name 'production' is already used by an existing environment."],
}


def _args(transcript, base_url):
    words = shlex.split(transcript["client"]["command"])
    assert words[0] == "pact-broker"
    return [base_url if any(w.startswith(o) for o in RECORDED_ORIGINS) else w for w in words[1:]]


def requests_of(broker):
    return [(r.method, r.path, sorted(parse_qsl(r.query, keep_blank_values=True)), r.json)
            for r in broker.requests]


def recorded_requests(transcript):
    out = []
    for exchange in transcript["exchanges"]:
        req = exchange["request"]
        out.append((req["method"], req["path"],
                    sorted(parse_qsl(req["query"], keep_blank_values=True)), req.get("body_json")))
    return out


def run_cli(argv, monkeypatch):
    """``pact_unittest`` in-process (against the real HTTP fake broker); (code, out, err)."""
    for name in ("PACT_BROKER_BASE_URL", "PACT_BROKER_USERNAME", "PACT_BROKER_PASSWORD",
                 "PACT_BROKER_TOKEN", "PACT_BROKER_CAN_I_DEPLOY_DRY_RUN", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    sleeps = []
    monkeypatch.setattr(cli_commands, "SLEEP", sleeps.append)
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = entry.main(argv)
    return code, out.getvalue(), err.getvalue(), sleeps


def _plain(text):
    return ANSI.sub("", text)


@pytest.mark.parametrize("name", RUBY_COMMANDS)
def test_recorded_ruby_command_sends_the_same_requests(name, monkeypatch):
    transcript = load_transcript(name)
    with FakeBroker() as broker:
        broker.replay(transcript)
        code, out, err, _ = run_cli(_args(transcript, broker.url), monkeypatch)
        assert requests_of(broker) == recorded_requests(transcript), (out, err)
        assert broker.pending() == []
    assert code == transcript["exit_code"], (out, err)
    expected = _plain(transcript["stdout"] + transcript["stderr"]).replace(
        "http://127.0.0.1:9300", broker.url)
    ours = _plain(out + err)
    if "-o" in transcript["client"]["command"].split():
        assert json.loads(out) == json.loads(expected)
        return
    for line in SUBSTANCE.get(name) or expected.splitlines():
        if line.strip():
            assert line.rstrip() in ours, f"{line!r} missing from:\n{ours}"


def test_the_index_lists_a_command_for_each_recording():
    assert len(RUBY_COMMANDS) >= 20
    assert any("can_i_deploy" in n for n in RUBY_COMMANDS)
    assert any("record_undeployment" in n for n in RUBY_COMMANDS)


def _matrix_answer(transcript_name):
    return load_transcript(transcript_name)["exchanges"][0]["response"]["body_json"]


def test_can_i_deploy_retries_while_unknown_then_passes(monkeypatch):
    unknown = _matrix_answer("real/real_ruby_can_i_deploy_environment_fail")
    known = _matrix_answer("real/real_ruby_can_i_deploy_environment_pass")
    with FakeBroker() as broker:
        broker.script("GET", "/matrix", 200, unknown)
        broker.script("GET", "/matrix", 200, unknown)
        broker.script("GET", "/matrix", 200, known)
        code, out, err, sleeps = run_cli(
            ["can-i-deploy", "-a", "WebShop", "-e", "1.0.0", "--to-environment", "production",
             "--retry-while-unknown", "5", "--retry-interval", "2", "-b", broker.url], monkeypatch)
        assert [r.path for r in broker.requests] == ["/matrix"] * 3
    assert code == 0, (out, err)
    assert sleeps == [2, 2]
    assert "Waiting for 1 verification result to be published (maximum of 10 seconds)" in err
    assert "Computer says yes" in out


def test_can_i_deploy_gives_up_after_the_retries_and_exits_1(monkeypatch):
    unknown = _matrix_answer("real/real_ruby_can_i_deploy_environment_fail")
    with FakeBroker() as broker:
        for _ in range(3):
            broker.script("GET", "/matrix", 200, unknown)
        code, out, _, sleeps = run_cli(
            ["can-i-deploy", "-a", "WebShop", "-e", "1.1.0", "--to-environment", "production",
             "--retry-while-unknown", "2", "--retry-interval", "1", "-b", broker.url], monkeypatch)
    assert (code, sleeps) == (1, [1, 1])
    assert "Computer says no" in out


def test_can_i_deploy_json_fails_with_exit_1_and_dry_run_passes(monkeypatch):
    failing = _matrix_answer("real/real_ruby_can_i_deploy_two_versions_failed_verification")
    with FakeBroker() as broker:
        broker.script("GET", "/matrix", 200, failing)
        broker.script("GET", "/matrix", 200, failing)
        code, out, _, _ = run_cli(["can-i-deploy", "-a", "WebShop", "-e", "1.1.0", "-o", "json",
                                   "-b", broker.url], monkeypatch)
        assert code == 1 and json.loads(out)["summary"]["deployable"] is False
        code, out, _, _ = run_cli(["can-i-deploy", "-a", "WebShop", "-e", "1.1.0", "--dry-run",
                                   "-b", broker.url], monkeypatch)
    assert code == 0
    assert "[dry-run] Computer says no" in _plain(out)
    assert "Dry run enabled - ignoring any failures" in _plain(out)


def test_can_i_deploy_needs_a_version_for_each_pacticipant(monkeypatch):
    code, _, err, _ = run_cli(["can-i-deploy", "-a", "WebShop", "-b", "http://127.0.0.1:9"],
                              monkeypatch)
    assert code == 1
    assert "The version must be specified" in err and "WebShop" in err


def test_can_i_merge_asks_for_the_main_branches(monkeypatch):
    passing = _matrix_answer("real/real_ruby_can_i_deploy_environment_pass")
    with FakeBroker() as broker:
        broker.script("GET", "/matrix", 200, passing)
        code, _, _, _ = run_cli(["can-i-merge", "-a", "WebShop", "-e", "1.0.0", "-b", broker.url],
                                monkeypatch)
        query = parse_qsl(broker.requests[0].query)
    assert code == 0
    assert query == [("q[][pacticipant]", "WebShop"), ("q[][version]", "1.0.0"),
                     ("latestby", "cvp"), ("latest", "true"), ("mainBranch", "true")]


def test_broker_errors_name_the_problem(monkeypatch):
    with FakeBroker(username="ci", password="secret-pw") as broker:
        code, out, err, _ = run_cli(["list-environments", "-b", broker.url, "-u", "ci", "-p",
                                     "wrong"], monkeypatch)
    assert code == 1
    assert "401" in err and "PACT_BROKER_USERNAME" in err and "wrong" not in err + out


def test_json_output_of_an_error_is_json(monkeypatch):
    with FakeBroker() as broker:
        broker.script("GET", "/pacticipants/WebShop/versions/7.7.7", 404,
                      {"error": "The requested document was not found on this server."})
        code, out, _, _ = run_cli(["describe-version", "-a", "WebShop", "-e", "7.7.7", "-o",
                                   "json", "-b", broker.url], monkeypatch)
    assert code == 1


def test_generate_uuid_prints_a_uuid():
    done = subprocess.run([sys.executable, "-m", "pact_unittest", "generate-uuid"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n",
                        done.stdout)


def _recorded_verification(name, success):
    """The verification result body a real verifier published in a recording."""
    for exchange in load_transcript(name)["exchanges"]:
        if exchange["request"]["path"].endswith("/verification-results"):
            body = exchange["request"]["body_json"]
            assert body["success"] is success
            return body
    raise AssertionError(f"no verification result in {name}")


def test_can_i_deploy_end_to_end_publish_verify_deploy(tmp_path, monkeypatch):
    """publish (our CLI) -> a recorded verification result published -> can-i-deploy."""
    import requests
    from fake_broker import sample_pact_files

    passed = _recorded_verification("real/real_ruby_verifier", True)
    failed = dict(passed, success=False, providerApplicationVersion="9.9.10")
    sample_pact_files(tmp_path)
    with FakeBroker() as broker:
        code, out, err, _ = run_cli(["publish", str(tmp_path), "-a", "1.0.0", "--branch", "main",
                                     "-b", broker.url], monkeypatch)
        assert code == 0, err
        results = broker.url + "/pacts/provider/ProviderAPI/consumer/ConsumerApp/version/1.0.0/verification-results"
        check = ["can-i-deploy", "-a", "ConsumerApp", "-e", "1.0.0", "-a", "ProviderAPI", "-e"]
        code, out, _, _ = run_cli(check + ["9.9.9", "-b", broker.url], monkeypatch)
        assert code == 1 and "Computer says no" in out and "???" in out  # not verified yet
        assert requests.post(results, json=passed, timeout=10).status_code == 201
        assert requests.post(results, json=failed, timeout=10).status_code == 201
        code, out, _, _ = run_cli(check + ["9.9.9", "-b", broker.url], monkeypatch)
        assert code == 0, out
        assert "Computer says yes" in out
        assert re.search(r"ConsumerApp\s+\| 1\.0\.0\s+\| ProviderAPI\s+\| 9\.9\.9\s+\| true", out)
        code, out, _, _ = run_cli(check + ["9.9.10", "-b", broker.url], monkeypatch)
        assert code == 1
        assert "Computer says no" in out and "(failure)" in out
        code, out, _, _ = run_cli(check + ["9.9.10", "-b", broker.url, "-o", "json"], monkeypatch)
    assert code == 1 and json.loads(out)["summary"]["deployable"] is False
