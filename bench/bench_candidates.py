"""Benchmark: does a request cost more when many interactions are registered? (not CI)

    .venv/bin/python bench/bench_candidates.py [--requests N] [--many 1000]

Starts the standalone service (``python -m pact_unittest.mock_service service``), registers
1 interaction and times matched requests over one keep-alive session, then registers
``--many`` and times requests to the last of them (the worst case for a linear scan),
medians of 3 rounds. Prints both figures and the ratio, which should stay under 3 (issue
14: before the candidate index it was about 50 with 1,000).

PACT_UNITTEST_BENCH_ROOT=<checkout> measures another checkout's package (an export of an
older commit, say): before/after figures in one command each.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Dict, List

import requests

ROOT = os.environ.get("PACT_UNITTEST_BENCH_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN = {"X-Pact-Mock-Service": "true", "Content-Type": "application/json"}


def interaction(n: int) -> Dict[str, object]:
    return {"description": f"request {n}", "providerState": "user exists",
            "request": {"method": "GET", "path": f"/users/{n}",
                        "headers": {"Accept": "application/json"}},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": {"id": n, "name": "Ada"}}}


def start_service() -> "tuple[subprocess.Popen, str]":
    env = dict(os.environ, PYTHONPATH=ROOT, PACT_DO_NOT_TRACK="true")
    proc = subprocess.Popen([sys.executable, "-m", "pact_unittest.mock_service", "service",
                             "--port", "0", "--host", "127.0.0.1", "--log-level", "WARN"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                            cwd=ROOT)  # python -m puts the cwd first on sys.path
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("port="):
        proc.kill()
        raise SystemExit(f"the service did not start: {line!r}")
    return proc, f"http://127.0.0.1:{int(line.strip().split('=')[1])}"


def per_request_ms(session: requests.Session, uri: str, count: int, n: int, requests_: int) -> float:
    """Median over 3 rounds of the time per matched request with ``count`` registered."""
    body = json.dumps({"interactions": [interaction(i) for i in range(count)]})
    rounds: List[float] = []
    for _ in range(3):
        assert session.put(uri + "/interactions", data=body, headers=ADMIN).status_code == 200
        start = time.perf_counter()
        for _ in range(requests_):
            reply = session.get(f"{uri}/users/{n}", headers={"Accept": "application/json"})
            assert reply.status_code == 200, reply.text
        rounds.append((time.perf_counter() - start) / requests_)
    return statistics.median(rounds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per round")
    parser.add_argument("--many", type=int, default=1000, help="interactions in the big case")
    args = parser.parse_args()
    proc, uri = start_service()
    try:
        with requests.Session() as session:
            per_request_ms(session, uri, 1, 0, 50)  # warm-up: imports, connection
            one = per_request_ms(session, uri, 1, 0, args.requests)
            many = per_request_ms(session, uri, args.many, args.many - 1, args.requests)
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"package: {ROOT}")
    print(f"1 registered interaction:     {one:.3f} ms per request")
    print(f"{args.many} registered interactions: {many:.3f} ms per request")
    print(f"ratio: {many / one:.2f} (target: under 3)")


if __name__ == "__main__":
    main()
