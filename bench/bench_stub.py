"""Benchmark of ``pact-unittest stub`` against Ruby's ``pact-stub-service``, in one run (not CI).

    .venv/bin/python bench/bench_stub.py [--interactions N] [--requests N] [--rounds N]

Both serve the same pact (N interactions, GET /items/{i}) as subprocesses; each is timed
from process start to its first answer (ready time), then one keep-alive
``requests.Session`` sends the same requests, cycling over the interactions: requests per
second, median of the rounds. Ruby comes from PACT_UNITTEST_REF_VENV (default
/opt/refvenv); without it only our figures are printed.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import List, Tuple

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF = os.environ.get("PACT_UNITTEST_REF_VENV", "/opt/refvenv")
RUBY = os.path.join(REF, "lib", "python3.11", "site-packages", "pact", "bin", "pact-stub-service")


def write_pact(directory: str, count: int) -> str:
    interactions = [{"description": f"item {i}", "request": {"method": "GET", "path": f"/items/{i}"},
                     "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                                  "body": {"id": i, "name": f"item {i}"}}} for i in range(count)]
    path = os.path.join(directory, "bench-stub.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"consumer": {"name": "Bench"}, "provider": {"name": "Stub"},
                   "interactions": interactions,
                   "metadata": {"pactSpecification": {"version": "2.0.0"}}}, handle)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: List[str], port: int) -> Tuple[subprocess.Popen, float]:
    began = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=ROOT, PACT_DO_NOT_TRACK="true")
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = began + 60
    while time.perf_counter() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/items/0", timeout=1)
            return proc, time.perf_counter() - began
        except requests.RequestException:
            time.sleep(0.01)
    proc.kill()
    raise RuntimeError(f"{command[0]} did not answer within 60 s")


def throughput(port: int, count: int, total: int) -> float:
    with requests.Session() as session:
        began = time.perf_counter()
        for n in range(total):
            reply = session.get(f"http://127.0.0.1:{port}/items/{n % count}", timeout=10)
            assert reply.status_code == 200, reply.text
        return total / (time.perf_counter() - began)


def measure(name: str, command_for_port, count: int, total: int, rounds: int) -> Tuple[float, float]:
    readies, rates = [], []
    for _ in range(rounds):
        port = free_port()
        proc, ready = start(command_for_port(port), port)
        try:
            readies.append(ready)
            rates.append(throughput(port, count, total))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    ready, rate = statistics.median(readies), statistics.median(rates)
    print(f"{name:>8}: ready {ready * 1000:7.0f} ms   {rate:8.0f} requests/s")
    return ready, rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        pact = write_pact(directory, args.interactions)
        print(f"{args.interactions} interactions, {args.requests} keep-alive requests, "
              f"median of {args.rounds}")
        ours = measure("ours", lambda port: [sys.executable, "-m", "pact_unittest", "stub", pact,
                                             "--port", str(port), "--host", "127.0.0.1",
                                             "--log-level", "ERROR"],
                       args.interactions, args.requests, args.rounds)
        if not os.path.exists(RUBY):
            print(f"Ruby pact-stub-service not found at {RUBY}: set PACT_UNITTEST_REF_VENV")
            return 0
        ruby = measure("ruby", lambda port: [RUBY, pact, "--port", str(port), "--host",
                                             "127.0.0.1", "--log-level", "ERROR"],
                       args.interactions, args.requests, args.rounds)
    print(f"   ratio: ready {ruby[0] / ours[0]:.1f}x faster, throughput "
          f"{ours[1] / ruby[1]:.1f}x Ruby's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
