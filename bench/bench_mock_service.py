"""Benchmark of the mock service against the Ruby one, side by side in one run (not CI).

    .venv/bin/python bench/bench_mock_service.py [--rounds N]

Measures: embedded ready time, standalone (CLI) ready time, our per-test overhead
(register + verify + record, excluding the client's own request), a full HTTP admin cycle
over one keep-alive session, 200 interactions end to end (also in the pact-python v2 flow,
which writes the pact after every test), pact-file rendering and writing, and memory. When
the Ruby service is present (PACT_UNITTEST_REF_VENV, default /opt/refvenv) the same
scenarios run against it and the ratios are printed.

PACT_UNITTEST_BENCH_ROOT=<checkout> measures another checkout's package (e.g. an export of
an older commit) with this script: before/after figures in one command each.
"""
from __future__ import annotations

import argparse
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Callable, List, Optional

import psutil
import requests

ROOT = os.environ.get("PACT_UNITTEST_BENCH_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from pact_unittest import pact_file  # noqa: E402
from pact_unittest.mock_service import MockService  # noqa: E402

ADMIN = {"X-Pact-Mock-Service": "true"}
REF = os.environ.get("PACT_UNITTEST_REF_VENV", "/opt/refvenv")
RUBY = os.path.join(REF, "lib", "python3.11", "site-packages", "pact", "bin", "pact-mock-service")


def interaction(n: int) -> dict:
    return {"description": f"request {n}", "provider_state": "user exists",
            "request": {"method": "GET", "path": f"/users/{n}", "headers": {"Accept": "application/json"}},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": {"json_class": "Pact::SomethingLike",
                                  "contents": {"id": n, "name": "Ada"}}}}


def median_ms(samples: List[float]) -> float:
    return statistics.median(samples) * 1000


def timed(action: Callable[[], object], rounds: int) -> List[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        out.append(time.perf_counter() - start)
    return out


def wait_ready(uri: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(uri + "/", headers=ADMIN, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)


# ------------------------------------------------------------------ ours

def embedded_ready(rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        svc = MockService("C", "P").start()
        samples.append(time.perf_counter() - start)
        svc.stop()
    return median_ms(samples)


def embedded_first_answer(rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        svc = MockService("C", "P").start()
        requests.get(svc.uri + "/", headers=ADMIN)
        samples.append(time.perf_counter() - start)
        svc.stop()
    return median_ms(samples)


def standalone_ready(command: List[str], port_line: bool, rounds: int, port: int = 0,
                     lines: Optional[List[float]] = None) -> float:
    """Median spawn -> first admin answer (ms); with ``port_line``, spawn -> ``port=`` line
    samples are appended to ``lines``."""
    samples = []
    env = dict(os.environ, PACT_DO_NOT_TRACK="true", PYTHONPATH=ROOT)
    for index in range(rounds):
        start = time.perf_counter()
        if port_line:
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    text=True, env=env)
            found = int(proc.stdout.readline().strip().split("=")[1])
            if lines is not None:
                lines.append(time.perf_counter() - start)
        else:
            found = port + index
            proc = subprocess.Popen(command + [f"--port={found}"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, env=env)
        wait_ready(f"http://localhost:{found}")
        samples.append(time.perf_counter() - start)
        proc.terminate()
        proc.wait(30)
    return median_ms(samples)


def direct_overhead(rounds: int, pact_dir: str) -> float:
    """register + verify + record in-process (what PactTestCase does per test)."""
    with MockService("C", "P", pact_dir=pact_dir) as svc:
        session = requests.Session()
        samples = []
        for n in range(rounds):
            t0 = time.perf_counter()
            svc.set_interactions([interaction(n)])
            t1 = time.perf_counter()
            session.get(f"{svc.uri}/users/{n}", headers={"Accept": "application/json"})
            t2 = time.perf_counter()
            assert svc.verification().ok
            t3 = time.perf_counter()
            samples.append((t1 - t0) + (t3 - t2))
        t4 = time.perf_counter()
        svc.write_pact()
        write = time.perf_counter() - t4
    return median_ms(samples), write * 1000


def http_cycle(uri: str, rounds: int, keep_alive: bool) -> float:
    """DELETE + PUT (1 interaction) + app GET + GET verification, as pact-python does."""
    client = requests.Session() if keep_alive else requests
    samples = []
    for n in range(rounds):
        start = time.perf_counter()
        client.delete(uri + "/interactions", headers=ADMIN).raise_for_status()
        client.put(uri + "/interactions", headers=ADMIN,
                   json={"interactions": [interaction(n)]}).raise_for_status()
        client.get(f"{uri}/users/{n}", headers={"Accept": "application/json"}).raise_for_status()
        client.get(uri + "/interactions/verification", headers=ADMIN).raise_for_status()
        samples.append(time.perf_counter() - start)
    return median_ms(samples)


def end_to_end_ours(count: int, pact_dir: str, write_each: bool = False) -> float:
    """200 tests through the direct API: one pact write at the end, or (``write_each``)
    one after every test, as the pact-python v2 flow does."""
    start = time.perf_counter()
    with MockService("C", "P", pact_dir=pact_dir) as svc:
        session = requests.Session()
        for n in range(count):
            svc.set_interactions([interaction(n)])
            session.get(f"{svc.uri}/users/{n}", headers={"Accept": "application/json"}).raise_for_status()
            assert svc.verification().ok
            if write_each:
                svc.write_pact()
        if not write_each:
            svc.write_pact()
    return time.perf_counter() - start


def v2_flow_pact_api(count: int, pact_dir: str) -> float:
    """pact-python v2 code on our Pact API (embedded): `with pact:` writes the pact each test."""
    from pact_unittest import Consumer, Like, Provider

    start = time.perf_counter()
    pact = Consumer("C").has_pact_with(Provider("P"), port=0, pact_dir=pact_dir)
    pact.start_service()
    session = requests.Session()
    for n in range(count):
        (pact.given("user exists").upon_receiving(f"request {n}")
         .with_request("get", f"/users/{n}", headers={"Accept": "application/json"})
         .will_respond_with(200, headers={"Content-Type": "application/json"},
                            body=Like({"id": n, "name": "Ada"})))
        with pact:
            session.get(f"{pact.uri}/users/{n}", headers={"Accept": "application/json"}).raise_for_status()
    pact.stop_service()
    return time.perf_counter() - start


def pact_file_micro(rounds: int, pact_dir: str) -> dict:
    """render_pact of a 200-interaction document (stdlib indent encoder vs ours), and
    write_pact of 200 interactions: file unchanged, and one more interaction each write."""
    import json

    with MockService("C", "P", pact_dir=pact_dir) as svc:
        for n in range(200):
            svc.add_interaction(interaction(n))
            requests.get(f"{svc.uri}/users/{n}", headers={"Accept": "application/json"})
        verified = svc.verified_interactions()
    document = pact_file.pact_document("C", "P", verified, "2.0.0")
    out = {"stdlib": median_ms(timed(lambda: json.dumps(document, indent=2, separators=(",", ": "),
                                                          ensure_ascii=False), rounds)),
           "render": median_ms(timed(lambda: pact_file.render_pact(document), rounds))}
    directory = os.path.join(pact_dir, "micro")
    pact_file.write_pact(directory, "C", "P", verified, run_id="bench")
    out["unchanged"] = median_ms(timed(lambda: pact_file.write_pact(directory, "C", "P", verified,
                                                                    run_id="bench"), rounds))
    cache: dict = {}
    growing = os.path.join(pact_dir, "growing")
    samples = []
    for n in range(1, len(verified) + 1):
        start = time.perf_counter()
        if "render_cache" in pact_file.write_pact.__code__.co_varnames:
            pact_file.write_pact(growing, "C", "P", verified[:n], run_id="bench", render_cache=cache)
        else:  # an older checkout
            pact_file.write_pact(growing, "C", "P", verified[:n], run_id="bench")
        samples.append(time.perf_counter() - start)
    out["growing_last"] = samples[-1] * 1000
    out["growing_total"] = sum(samples)
    return out


def end_to_end_http(uri_factory: Callable[[], tuple], count: int) -> float:
    """pact-python v2 flow per test: DELETE, PUT, request, verification, POST /pact."""
    start = time.perf_counter()
    uri, stop = uri_factory()
    for n in range(count):
        requests.delete(uri + "/interactions", headers=ADMIN).raise_for_status()
        requests.put(uri + "/interactions", headers=ADMIN,
                     json={"interactions": [interaction(n)]}).raise_for_status()
        requests.get(f"{uri}/users/{n}", headers={"Accept": "application/json"}).raise_for_status()
        requests.get(uri + "/interactions/verification", headers=ADMIN).raise_for_status()
        requests.post(uri + "/pact", headers=ADMIN).raise_for_status()
    stop()
    return time.perf_counter() - start


def memory_embedded(pact_dir: str) -> float:
    proc = psutil.Process()
    before = proc.memory_info().rss
    with MockService("C", "P", pact_dir=pact_dir) as svc:
        session = requests.Session()
        for n in range(200):
            svc.set_interactions([interaction(n)])
            session.get(f"{svc.uri}/users/{n}", headers={"Accept": "application/json"})
        svc.write_pact()
        peak = proc.memory_info().rss
    return (peak - before) / 2 ** 20


def floor_round_trip(rounds: int) -> float:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # one write, as a well-behaved server answers
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    session = requests.Session()
    uri = f"http://127.0.0.1:{server.server_port}/"
    session.get(uri)
    result = median_ms(timed(lambda: session.get(uri), rounds))
    server.shutdown()
    return result


# ------------------------------------------------------------------ Ruby

def ruby_available() -> bool:
    return os.path.exists(RUBY)


def ruby_start(port: int, pact_dir: Optional[str] = None):
    args = [RUBY, "service", "--host=localhost", f"--port={port}", "--consumer", "C", "--provider", "P"]
    if pact_dir:
        args += ["--pact-dir", pact_dir]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PACT_DO_NOT_TRACK="true"))
    uri = f"http://localhost:{port}"
    wait_ready(uri)

    def stop():
        proc.terminate()
        proc.wait(30)

    return uri, stop, proc


def tree_rss(pid: int) -> float:
    root = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [root] + root.children(recursive=True)) / 2 ** 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--ruby-rounds", type=int, default=5)
    args = parser.parse_args()
    rounds = args.rounds
    tmp = tempfile.mkdtemp(prefix="bench-mock-")
    rows = []

    def row(name, ours, ruby=None, unit="ms"):
        ratio = f"{ruby / ours:8.1f}x" if ruby and ours else ""
        ruby_text = f"{ruby:10.2f}" if ruby is not None else "         -"
        rows.append(f"{name:<48} {ours:10.3f} {ruby_text} {unit:<4} {ratio}")

    have_ruby = ruby_available()
    floor = floor_round_trip(rounds * 4)
    ready = embedded_ready(rounds)
    first = embedded_first_answer(rounds)
    cli_lines: List[float] = []
    cli = standalone_ready([sys.executable, "-m", "pact_unittest.mock_service", "--port", "0",
                            "--host", "localhost"], True, max(5, rounds // 10), lines=cli_lines)
    overhead, write_ms = direct_overhead(rounds * 4, os.path.join(tmp, "direct"))
    with MockService("C", "P", host="localhost") as svc:
        ours_cycle_new = http_cycle(svc.uri, rounds, keep_alive=False)
        ours_cycle_keep = http_cycle(svc.uri, rounds, keep_alive=True)
    e2e = end_to_end_ours(200, os.path.join(tmp, "e2e"))

    def ours_http_factory():
        svc = MockService("C", "P", host="localhost", pact_dir=os.path.join(tmp, "e2e-http")).start()
        return svc.uri, svc.stop

    e2e_http = end_to_end_http(ours_http_factory, 200)
    v2_api = v2_flow_pact_api(200, os.path.join(tmp, "v2-api"))
    write_each = end_to_end_ours(200, os.path.join(tmp, "write-each"), write_each=True)
    micro = pact_file_micro(rounds, os.path.join(tmp, "micro"))
    with MockService("C", "P", pact_dir=os.path.join(tmp, "post")) as svc:
        for n in range(100):
            svc.add_interaction(interaction(n))
            requests.get(f"{svc.uri}/users/{n}", headers={"Accept": "application/json"})
        pact_post = median_ms(timed(lambda: requests.post(svc.uri + "/pact", headers=ADMIN), 10))
    memory = memory_embedded(os.path.join(tmp, "mem"))

    ruby = {}
    if have_ruby:
        ruby["ready"] = standalone_ready([RUBY, "service", "--host=localhost"], False,
                                         args.ruby_rounds, port=18300)
        uri, stop, proc = ruby_start(18290)
        ruby["cycle_new"] = http_cycle(uri, 20, keep_alive=False)
        ruby["cycle_keep"] = http_cycle(uri, 5, keep_alive=True)
        stop()
        ports = iter(range(18400, 18500))

        def ruby_factory():
            u, s, p = ruby_start(next(ports), os.path.join(tmp, "ruby-e2e"))
            ruby["rss"] = tree_rss(p.pid)
            return u, s

        ruby["e2e"] = end_to_end_http(ruby_factory, 200)

    print(f"python {sys.version.split()[0]}, {psutil.cpu_count()} CPUs; ruby service: "
          f"{'present' if have_ruby else 'absent'}")
    print(f"{'measure':<48} {'ours':>10} {'ruby':>10} unit  ruby/ours")
    row("floor: stdlib server, keep-alive round trip", floor)
    row("embedded start() (bind + thread)", ready)
    row("embedded start() + first GET / answered", first)
    row("standalone CLI spawn -> port= line", median_ms(cli_lines))
    row("standalone CLI spawn -> GET / answered", cli, ruby.get("ready") and ruby["ready"])
    row("per-test overhead direct: register+verify", overhead)
    row("write_pact once (200 tests' worth: 1 file)", write_ms)
    row("HTTP admin cycle, new connection each", ours_cycle_new, ruby.get("cycle_new"))
    row("HTTP admin cycle, one keep-alive session", ours_cycle_keep, ruby.get("cycle_keep"))
    row("200 interactions end to end, direct API", e2e, ruby.get("e2e"), "s")
    row("200 interactions end to end, HTTP (v2 flow)", e2e_http, ruby.get("e2e"), "s")
    row("  of which POST /pact per test (pact_file)", pact_post, None)
    row("v2 flow, write after every test: Pact API, 200", v2_api, ruby.get("e2e"), "s")
    row("direct API, write_pact after every test, 200", write_each, ruby.get("e2e"), "s")
    row("render_pact 200 interactions: stdlib indent", micro["stdlib"])
    row("render_pact 200 interactions: ours", micro["render"])
    row("write_pact 200, file unchanged", micro["unchanged"])
    row("write_pact 200th of 200 growing writes", micro["growing_last"])
    row("write_pact 1..200 growing writes, total", micro["growing_total"], None, "s")
    row("memory: embedded service adds (RSS)", memory, ruby.get("rss"), "MiB")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
