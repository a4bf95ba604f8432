"""``python -m pact_unittest publish`` end to end (real subprocesses), and the v2 ``Broker``.

The CLI runs with the Ruby ``pact-broker publish`` command lines of the recordings,
against a fake broker replaying the recorded answers: same requests, same output.
"""
from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from fake_broker import (
    TRANSCRIPTS,
    FakeBroker,
    decoded,
    header,
    load_transcript,
    needs_transcripts,
    pact_files_for,
    publish_request,
    sample_pact_files,
    sequence,
)
from pact_unittest.broker import Broker, BrokerConfigError, BrokerConflictError

pytestmark = needs_transcripts()

ROOT = Path(__file__).resolve().parents[1]
FAKE_BROKER = Path(__file__).resolve().parent / "fake_broker.py"


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def _cli(args, **env):
    return subprocess.run([sys.executable, "-m", "pact_unittest", "publish", *args], cwd=ROOT,
                          env=_env(**env), capture_output=True, text=True, timeout=60)


def _ruby_args(transcript, pact_dir, base_url):
    """The recorded `pact-broker publish` arguments, with our directory and broker URL."""
    words = transcript["client"]["command"].split()
    words = words[words.index("publish") + 1:]
    out = []
    for word in words:
        if word == "<tmpdir>":
            out.append(str(pact_dir))
        elif word.startswith("http://127.0.0.1:9393") or word.startswith("http://127.0.0.1:9300"):
            out.append(word.replace(word[:len("http://127.0.0.1:9393")], base_url))
        else:
            out.append(word)
    return out


@pytest.mark.parametrize("name", ["stub/ruby_publish_modern_basic", "stub/ruby_publish_modern_token",
                                  "stub/ruby_publish_modern_merge",
                                  "real/real_ruby_publish_new_version"])
def test_cli_with_the_ruby_command_line_sends_the_same_and_prints_the_same(name, tmp_path):
    transcript = load_transcript(name)
    pact_files_for(publish_request(transcript)["decoded_contracts"], tmp_path / "pacts")
    with FakeBroker() as broker:
        broker.replay(transcript)
        done = _cli(_ruby_args(transcript, tmp_path / "pacts", broker.origin))
    assert done.returncode == 0, done.stderr
    assert [(r.method, r.path) for r in broker.requests] == sequence(transcript)
    theirs = publish_request(transcript)
    mine = [r for r in broker.requests if r.method == "POST"][0]
    assert decoded(mine.json) == decoded(theirs["body_json"])
    assert mine.headers.get("authorization") == header(theirs["headers"], "Authorization")
    assert done.stdout == broker._rewrite(transcript["stdout"])


def test_cli_conflict_exits_1_with_the_diff_on_stderr(tmp_path):
    transcript = load_transcript("real/real_ruby_publish_changed_content_409")
    pact_files_for(publish_request(transcript)["decoded_contracts"], tmp_path / "pacts")
    with FakeBroker() as broker:
        broker.replay(transcript)
        done = _cli(_ruby_args(transcript, tmp_path / "pacts", broker.origin))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("error: The Pact Broker refused to change a published pact")
    assert '+          "name": "Bob"' in done.stderr and "new consumer version" in done.stderr


def test_cli_reads_credentials_and_url_from_the_environment(tmp_path):
    transcript = load_transcript("stub/ruby_publish_modern_envvars")
    pact_files_for(publish_request(transcript)["decoded_contracts"], tmp_path)
    with FakeBroker(prefix="/modern", token="not-a-real-token") as broker:
        done = _cli([str(tmp_path), "-a", "1.0.2"], PACT_BROKER_BASE_URL=broker.url,
                    PACT_BROKER_TOKEN="not-a-real-token")
    assert done.returncode == 0, done.stderr
    assert decoded(broker.requests[-1].json) == decoded(publish_request(transcript)["body_json"])
    assert broker.requests[-1].headers["authorization"] == "Bearer not-a-real-token"


def test_cli_usage_and_configuration_errors_exit_1(tmp_path):
    done = _cli([str(tmp_path), "-a", "1"])
    assert done.returncode == 1 and "PACT_BROKER_BASE_URL" in done.stderr
    done = _cli([])
    assert done.returncode == 1 and "PACT_DIRS_OR_FILES" in done.stderr
    done = _cli([str(tmp_path / "missing.json"), "-a", "1", "-b", "http://127.0.0.1:9"])
    assert done.returncode == 1 and "does not exist" in done.stderr


def test_cli_json_output_and_dry_run(tmp_path):
    transcript = load_transcript("stub/ruby_publish_modern_json_output")
    pact_files_for(publish_request(transcript)["decoded_contracts"], tmp_path)
    with FakeBroker() as broker:
        done = _cli([str(tmp_path), "-a", "1.0.4", "-b", broker.url, "--branch", "main", "-o", "json"])
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout)
        assert summary["consumerVersion"] == "1.0.4"
        assert [(c["consumer"], c["status"]) for c in summary["consumers"]] == [
            ("ConsumerApp", "published")]
        assert summary["consumers"][0]["response"]["notices"]
        count = len(broker.requests)
        done = _cli([str(tmp_path), "-a", "1.0.4", "-b", broker.url, "--branch", "main", "--dry-run"])
        assert done.returncode == 0 and len(broker.requests) == count  # nothing sent
    assert "Dry run: nothing was sent" in done.stdout
    planned = json.loads(done.stdout.split("\n", 1)[1])
    assert planned[1]["json"]["pacticipantVersionNumber"] == "1.0.4"
    assert "interaction(s)" in planned[1]["json"]["contracts"][0]["content"]["summary"]


def test_fake_broker_as_a_process_counts_publishes(tmp_path):
    log = tmp_path / "broker.jsonl"
    sample_pact_files(tmp_path / "pacts")
    proc = subprocess.Popen([sys.executable, str(FAKE_BROKER), "--port", "0", "--log", str(log),
                             "--username", "ci-user", "--password", "pw"],
                            stdout=subprocess.PIPE, text=True, env=_env())
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("port=")
        url = f"http://127.0.0.1:{line.split('=')[1]}"
        for _ in range(2):
            done = _cli([str(tmp_path / "pacts"), "-a", "1", "-b", url],
                        PACT_BROKER_USERNAME="ci-user", PACT_BROKER_PASSWORD="pw")
            assert done.returncode == 0, done.stderr
        assert "republished" in done.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    entries = [json.loads(x) for x in log.read_text().splitlines()]
    publishes = [e for e in entries if e["path"].endswith("/contracts/publish")]
    assert len(publishes) == 2 and all(e["status"] == 200 for e in publishes)
    assert publishes[0]["decoded_contracts"][0]["provider"]["name"] == "ProviderAPI"


# -- pact-python v2's Broker class ------------------------------------------------------------

def test_v2_broker_publish_sends_what_pact_python_v2_sent(tmp_path):
    transcript = load_transcript("stub/pact_python_v2_broker_publish")
    request = publish_request(transcript)
    pact_files_for(request["decoded_contracts"], tmp_path)
    (tmp_path / "someoneelse-providerapi.json").write_text(
        '{"consumer": {"name": "SomeoneElse"}, "provider": {"name": "P"}, "interactions": []}')
    with FakeBroker() as broker:
        broker.replay(transcript)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no deprecation noise, unlike v2
            broker_client = Broker(broker_base_url=broker.origin + "/modern",
                                   broker_username="ci-user", broker_password="not-a-real-secret")
        result = broker_client.publish("ConsumerApp", "4.0.0", pact_dir=str(tmp_path),
                                       consumer_tags=["main"], branch="main",
                                       build_url=request["body_json"]["buildUrl"])
    assert [(r.method, r.path) for r in broker.requests] == sequence(transcript)
    assert decoded(broker.requests[-1].json) == decoded(request["body_json"])
    assert {p.provider for p in result.pacts} == {"ProviderAPI", "OtherAPI"}


def test_v2_broker_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("PACT_BROKER_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="PACT_BROKER_BASE_URL"):
        Broker().publish("ConsumerApp", "1", pact_dir=str(tmp_path))
    with FakeBroker() as broker:
        with pytest.raises(BrokerConfigError, match="No pact files for consumer 'ConsumerApp'"):
            Broker(broker.url).publish("ConsumerApp", "1", pact_dir=str(tmp_path))
        sample_pact_files(tmp_path)
        Broker(broker.url).publish("ConsumerApp", "1", pact_dir=str(tmp_path))
        changed = json.loads((TRANSCRIPTS / "pacts/consumerapp-providerapi.changed.json").read_text())
        (tmp_path / "consumerapp-providerapi.json").write_text(json.dumps(changed))
        with pytest.raises(BrokerConflictError):
            Broker(broker.url).publish("ConsumerApp", "1", pact_dir=str(tmp_path))
        with pytest.warns(UserWarning, match="0.0.0"):
            Broker(broker.url).publish("ConsumerApp", "0.0.0", pact_dir=str(tmp_path))


@pytest.mark.parametrize("consumer", [
    "User/Web", "User\tWeb: <beta>?", ".hidden app", "con.app", "Ünïcode " + "x" * 250])
def test_v2_broker_finds_files_by_the_rule_that_named_them(tmp_path, consumer):
    # Broker.publish (and Pact.publish, its subclass) used to look for "user/web*.json"
    # while the file was written as "user_web-....json": nothing was found.
    from pact_unittest.pact_file import pact_file_name, write_pact

    written = write_pact(tmp_path, consumer, "Provider API", [])
    assert written.name == pact_file_name(consumer, "Provider API")
    write_pact(tmp_path, consumer + "-Admin", "Provider API", [])  # shares the file prefix
    with FakeBroker() as broker:
        result = Broker(broker.url).publish(consumer, "1.0.0", pact_dir=str(tmp_path))
    assert [(p.consumer, p.provider) for p in result.pacts] == [(consumer, "Provider API")]
    assert list(broker.pacts) == [(consumer, "Provider API", "1.0.0")]


def _write_recorded_pacts(transcript, directory):
    """The exact pact files whose content the recording's publish requests carried."""
    directory.mkdir(parents=True, exist_ok=True)
    for exchange in transcript["exchanges"]:
        body = exchange["request"].get("body_json") or {}
        for contract in body.get("contracts", []):
            name = f"{contract['consumerName']}-{contract['providerName']}.json".lower()
            (directory / name).write_bytes(base64.b64decode(contract["content"]))


@pytest.mark.parametrize("output", ["text", "json"])
def test_cli_several_consumers_one_refused_says_which(tmp_path, output):
    transcript = load_transcript("real/real_pact_unittest_changed_content_mixed_409")
    _write_recorded_pacts(transcript, tmp_path / "pacts")
    with FakeBroker() as broker:
        broker.replay(transcript)
        done = _cli([str(tmp_path / "pacts"), "-a", "1.0.0", "--branch", "main", "--tag", "prod",
                     "-b", broker.origin, "-o", output])
        assert [(r.method, r.path) for r in broker.requests] == sequence(transcript)
    assert done.returncode == 1
    assert "Cannot change the content of the pact for WebShop" in done.stderr
    if output == "text":
        assert "Unchanged (already published with this content): BenchConsumer, MobileApp" in done.stdout
        assert "NOT published (refused): WebShop" in done.stdout
        return
    summary = json.loads(done.stdout)
    assert [(c["consumer"], c["status"]) for c in summary["consumers"]] == [
        ("BenchConsumer", "unchanged"), ("MobileApp", "unchanged"), ("WebShop", "refused")]
    assert "Cannot change the content" in summary["consumers"][2]["message"]
    assert '+          "stock": 6' in summary["consumers"][2]["message"]


def test_cli_json_error_is_json_on_stdout(tmp_path):
    sample_pact_files(tmp_path)
    with FakeBroker(username="u", password="p") as broker:
        done = _cli([str(tmp_path), "-a", "1.0.0", "-b", broker.url, "-o", "json"])
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"]["status"] == 401
