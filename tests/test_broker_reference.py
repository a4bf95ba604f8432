"""Live differential check: the real Ruby ``pact-broker publish`` (pact-python 2.3.3's) and
our client publish the same files to two fake brokers; the recorded requests must agree.

The recordings in ``shared/broker/transcripts`` pin what the Ruby CLI sent once; this
test re-asks it, so a drift on either side shows. Allowed differences as in
``test_broker.py`` (User-Agent, Accept-Encoding, header case/order, contract order, and
the old-API ``GET`` of each pact that Ruby makes only to print a warning).
"""
from __future__ import annotations

import json
import subprocess

import pytest

import reference
from fake_broker import TRANSCRIPTS, FakeBroker, decoded, needs_transcripts, pact_files_for
from pact_unittest.broker import publish_pacts

pytestmark = [
    pytest.mark.reference,
    needs_transcripts(),
]


def _ruby_cli():
    return reference.require_ruby_broker()


def _view(broker):
    out = []
    for r in broker.requests:
        if r.method == "GET" and "/pacts/" in r.path:
            continue  # Ruby's existence check before an old-API PUT (prints a warning only)
        body = r.json
        if isinstance(body, dict) and "contracts" in body:
            body = decoded(body)
        out.append((r.method, r.path, r.headers.get("accept"), r.headers.get("content-type"),
                    r.headers.get("authorization"), body))
    return out


@pytest.mark.parametrize("modern", [True, False], ids=["contracts-api", "old-api"])
def test_ruby_cli_and_ours_send_the_same(modern, tmp_path):
    cli = _ruby_cli()
    contents = [json.loads(p.read_text()) for p in sorted((TRANSCRIPTS / "pacts").glob("consumerapp-*i.json"))]
    pact_dir = tmp_path / "pacts"
    pact_files_for(contents, pact_dir)
    opts = dict(publish_contracts=modern, branch_versions=False, username="ci-user",
                password="not-a-real-secret")
    args = ["-a", "9.0.0", "-t", "main", "-t", "dev"] + (
        ["--branch", "main", "--build-url", "https://ci.example/builds/1"] if modern else [])
    with FakeBroker(**opts) as theirs, FakeBroker(**opts) as ours:
        env = reference.reference_env()
        env.update(PACT_BROKER_USERNAME="ci-user", PACT_BROKER_PASSWORD="not-a-real-secret")
        done = subprocess.run([str(cli), "publish", str(pact_dir), "-b", theirs.url, *args],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        publish_pacts(pact_dir, "9.0.0", tags=["main", "dev"], broker_base_url=ours.url,
                      branch="main" if modern else None,
                      build_url="https://ci.example/builds/1" if modern else None,
                      broker_username="ci-user", broker_password="not-a-real-secret")
    mine, ruby = _view(ours), _view(theirs)
    assert [m[:2] for m in mine] == [r[:2] for r in ruby]
    for m, r in zip(mine, ruby):
        assert m[2] == r[2]  # Accept
        assert m[3:] == r[3:]
