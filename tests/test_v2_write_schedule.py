"""When the v2 ``with pact:`` path writes the pact file (issue 13, item 1).

Small files are written after every verified block, as pact-python v2 did; larger ones
often enough to keep the suite linear; and every verified block is on disk once
``stop_service()`` returned or the process exited normally, also in a ``multiprocessing``
worker (Django ``--parallel``), where ``atexit`` does not run.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests

from pact_unittest.v2 import write_schedule
from pact_unittest.v2.consumer import Consumer
from pact_unittest.v2.provider import Provider
from pact_unittest.v2.write_schedule import EAGER_BYTES, GROWTH, WriteSchedule

REPO = Path(__file__).resolve().parent.parent


def _count(path: Path) -> int:
    return len(json.loads(path.read_text())["interactions"]) if path.exists() else 0


def _block(pact, http, i):
    (pact.given("s").upon_receiving(f"request {i}").with_request("get", f"/items/{i}")
         .will_respond_with(200, body={"id": i}))
    with pact:
        assert http.get(f"{pact.uri}/items/{i}").status_code == 200


def test_the_schedule_writes_every_block_while_small_then_each_sixteenth():
    schedule = WriteSchedule()
    for _ in range(3):
        assert schedule.verified_block()
        schedule.wrote(EAGER_BYTES - 1)
    assert not schedule.pending
    schedule.wrote(EAGER_BYTES)  # the file reached the limit with 3 blocks in it
    schedule.written = 32
    schedule.verified = 32
    due = [schedule.verified_block() for _ in range(32 // GROWTH)]
    assert due == [False] * (32 // GROWTH - 1) + [True]
    assert schedule.pending
    schedule.wrote(EAGER_BYTES * 2)
    assert not schedule.pending


def test_a_small_pact_is_on_disk_after_every_block(tmp_path):
    pact = Consumer("C").has_pact_with(Provider("P"), host_name="127.0.0.1", port=0,
                                       pact_dir=str(tmp_path))
    pact.start_service()
    path = tmp_path / "c-p.json"
    try:
        with requests.Session() as http:
            for i in range(5):
                _block(pact, http, i)
                assert _count(path) == i + 1  # a suite reading its file between tests sees it
    finally:
        pact.stop_service()


@pytest.mark.parametrize("mode", ["embedded", "process"])
def test_a_large_pact_is_written_linearly_and_completely_by_stop_service(tmp_path, monkeypatch,
                                                                          mode):
    monkeypatch.setattr(write_schedule, "EAGER_BYTES", 1)  # every file counts as large
    pact = Consumer("C").has_pact_with(Provider("P"), host_name="127.0.0.1", port=0,
                                       pact_dir=str(tmp_path), mock_service=mode)
    pact.start_service()
    path = tmp_path / "c-p.json"
    seen = []
    try:
        with requests.Session() as http:
            for i in range(100):
                _block(pact, http, i)
                seen.append(_count(path))
    finally:
        pact.stop_service()
    # Every block while fewer than GROWTH * 2 were written, then each sixteenth of growth.
    expected, written = [], 0
    for verified in range(1, 101):
        if verified - written >= max(1, written // GROWTH):
            written = verified
        expected.append(written)
    assert seen == expected
    assert len(set(seen)) < 60
    assert _count(path) == 100


_SCRIPT = textwrap.dedent("""
    import multiprocessing, sys
    import requests
    from pact_unittest import Consumer, Provider
    from pact_unittest.v2 import write_schedule
    write_schedule.EAGER_BYTES = 1
    pact_dir, how = sys.argv[1], sys.argv[2]

    def blocks(name, count):
        pact = Consumer(name).has_pact_with(Provider("P"), host_name="127.0.0.1", port=0,
                                            pact_dir=pact_dir)
        pact.start_service()
        http = requests.Session()
        for i in range(count):
            (pact.given("s").upon_receiving(f"request {i}").with_request("get", f"/i/{i}")
                 .will_respond_with(200))
            with pact:
                http.get(f"{pact.uri}/i/{i}")
        # no stop_service(): the exit writes what is pending

    if how == "exit":
        blocks("Exit", 30)
    else:  # a multiprocessing worker, which ends with os._exit: no atexit there
        ctx = multiprocessing.get_context("fork")
        worker = ctx.Process(target=blocks, args=("Worker", 30))
        worker.start()
        worker.join()
        sys.exit(worker.exitcode)
""")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork start method")
@pytest.mark.parametrize("how,name", [("exit", "exit-p.json"), ("worker", "worker-p.json")])
def test_a_normal_exit_writes_what_is_pending(tmp_path, how, name):
    env = dict(os.environ, PYTHONPATH=str(REPO), PACT_DO_NOT_TRACK="true")
    subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path), how], env=env, check=True,
                   timeout=120)
    assert _count(tmp_path / name) == 30
