"""Benchmark of provider verification: ours against the Rust and Ruby verifiers, in one run (not CI).

    .venv/bin/python bench/bench_verifier.py [--n 1000] [--rounds 3] [--ruby-rounds 1] [--skip-ruby]

One pact of ``--n`` interactions (spec 2, each with a provider state and type rules, so
every verifier does a state change, a request and a body match per interaction) is
verified against one local provider: a stdlib threaded HTTP server in a process of its own
(keep-alive, TCP_NODELAY, one write per answer), so no verifier shares the provider's GIL
or waits on Nagle. Timed, wall clock, median of ``--rounds``:

* ours: ``ProviderVerifier`` with the HTTP transport and the Ruby-style state change URL,
  in this process (the package already imported: the verification, not Python's start-up);
* the Rust ``pact verifier`` CLI (process start included: that is how it is used);
* the Ruby ``pact-provider-verifier`` (``--ruby-rounds`` times: it is slow).

Then the ratios (targets: ours at most 0.5x Rust and 0.1x Ruby) and a linearity check:
ours at n/4 and n interactions should cost about 1:4. The reference tools come from
PACT_UNITTEST_REF_VENV (default /opt/refvenv).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable, List

ROOT = os.environ.get("PACT_UNITTEST_BENCH_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from pact_unittest.verifier import ProviderVerifier, StateChangeUrl  # noqa: E402

REF = os.environ.get("PACT_UNITTEST_REF_VENV", "/opt/refvenv")
RUST = os.path.join(REF, "bin", "pact")
RUBY = os.path.join(REF, "lib", "python3.11", "site-packages", "pact", "bin", "pact-provider-verifier")
STATES = "/_pact/provider-states"
ENV = dict(os.environ, PACT_DO_NOT_TRACK="true")


# ------------------------------------------------------------------------------ the provider
def serve() -> None:
    """The provider process: items by id, a states endpoint; prints ``port=N`` when up."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, status: int, body: bytes) -> None:
            head = (f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode("ascii")
            self.wfile.write(head + body)

        def do_GET(self) -> None:
            match = re.fullmatch(r"/items/(\d+)", self.path)
            if match is None:
                self._answer(404, b'{"error": "no such route"}')
                return
            number = int(match.group(1))
            self._answer(200, json.dumps({"id": number + 1, "name": f"thing {number}",
                                          "tags": ["a", "b"]}).encode("utf-8"))

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer(200 if self.path.startswith(STATES) else 404, b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"port={server.server_address[1]}", flush=True)
    server.serve_forever()


def start_provider() -> "tuple[subprocess.Popen, int]":
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve"],
                            stdout=subprocess.PIPE, universal_newlines=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("port="):
        proc.kill()
        raise SystemExit(f"the provider did not start: {line!r}")
    return proc, int(line.strip()[len("port="):])


# ------------------------------------------------------------------------------ the pact
def write_pact(n: int, directory: str) -> str:
    interactions = [{
        "description": f"a request for item {i}", "providerState": f"item {i} exists",
        "request": {"method": "GET", "path": f"/items/{i}", "headers": {"Accept": "application/json"}},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                     "body": {"id": i, "name": "pen", "tags": ["a"]},
                     "matchingRules": {"$.body.id": {"match": "type"}, "$.body.name": {"match": "type"},
                                       "$.body.tags": {"min": 1, "match": "type"}}},
    } for i in range(n)]
    path = os.path.join(directory, f"bench-consumer-{n}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"consumer": {"name": "BenchConsumer"}, "provider": {"name": "BenchProvider"},
                   "interactions": interactions,
                   "metadata": {"pactSpecification": {"version": "2.0.0"}}}, handle)
    return path


# ------------------------------------------------------------------------------ the verifiers
def run_ours(pact: str, port: int, n: int) -> None:
    base = f"http://127.0.0.1:{port}"
    verifier = ProviderVerifier("BenchProvider", base, states=StateChangeUrl(base + STATES))
    try:
        report = verifier.verify([pact])
    finally:
        verifier.close()
    counts = report.counts()
    assert counts["passed"] == n and report.exit_code == 0, (counts, report.errors)


def run_rust(pact: str, port: int, n: int) -> None:
    out = subprocess.run([RUST, "verifier", "--file", pact, "--hostname", "127.0.0.1",
                          "--port", str(port), "--provider-name", "BenchProvider",
                          "--state-change-url", f"http://127.0.0.1:{port}{STATES}",
                          "--no-colour"], env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, universal_newlines=True)
    assert out.returncode == 0, out.stdout[-2000:]
    assert out.stdout.count("has a matching body (OK)") == n, out.stdout[-2000:]


def run_ruby(pact: str, port: int, n: int) -> None:
    with tempfile.TemporaryDirectory() as logs:
        out = subprocess.run([RUBY, pact, "--provider-base-url", f"http://127.0.0.1:{port}",
                              "--provider-states-setup-url", f"http://127.0.0.1:{port}{STATES}",
                              "--log-dir", logs, "--log-level", "warn"], env=ENV, cwd=logs,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True)
    assert out.returncode == 0 and f"{n} interactions, 0 failures" in out.stdout, out.stdout[-2000:]


def timed(action: Callable[[], None], rounds: int) -> List[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def show(name: str, samples: List[float], n: int) -> float:
    median = statistics.median(samples)
    print(f"{name:34} {median:8.3f} s  ({median / n * 1000:6.2f} ms/interaction; "
          f"runs: {', '.join(f'{s:.2f}' for s in samples)})")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="runs of ours and Rust (median)")
    parser.add_argument("--ruby-rounds", type=int, default=1)
    parser.add_argument("--skip-ruby", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return 0
    n, quarter = args.n, max(args.n // 4, 1)
    provider, port = start_provider()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            pact, small = write_pact(n, tmp), write_pact(quarter, tmp)
            run_ours(small, port, quarter)  # warm: imports, the keep-alive connections
            ours = show(f"ours (ProviderVerifier), {n}", timed(lambda: run_ours(pact, port, n),
                                                                args.rounds), n)
            ours_small = show(f"ours (ProviderVerifier), {quarter}",
                              timed(lambda: run_ours(small, port, quarter), args.rounds), quarter)
            growth = ours / ours_small
            print(f"linearity: {n} vs {quarter} interactions cost {growth:.2f}x "
                  f"(linear: {n / quarter:.0f}x; {'met' if growth <= n / quarter * 1.25 else 'MISSED'})")
            if not os.path.exists(RUST):
                print(f"no Rust pact CLI at {RUST} (set PACT_UNITTEST_REF_VENV)")
                return 0
            rust = show(f"Rust pact verifier, {n}", timed(lambda: run_rust(pact, port, n),
                                                          args.rounds), n)
            print(f"ours / Rust: {ours / rust:.2f}x  (target <= 0.5x: "
                  f"{'met' if ours <= 0.5 * rust else 'MISSED'})")
            if args.skip_ruby or not os.path.exists(RUBY):
                return 0
            ruby = show(f"Ruby pact-provider-verifier, {n}",
                        timed(lambda: run_ruby(pact, port, n), args.ruby_rounds), n)
            print(f"ours / Ruby: {ours / ruby:.3f}x  (target <= 0.1x: "
                  f"{'met' if ours <= 0.1 * ruby else 'MISSED'})")
    finally:
        provider.kill()
        provider.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
