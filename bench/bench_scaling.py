"""Scaling of the consumer side with N: is every path linear, and how much memory per test?

For each N (default 200, 1,000, 3,000), in a fresh subprocess each (so peak memory is the
scenario's own), one real ``requests.Session`` call per test:

* ``floor``  — the same N requests to a stdlib ``http.server`` (no Pact at all);
* ``unittest`` — the same N requests as N tests of a plain ``unittest.TestCase`` (unittest's
  own cost per test, the testcase scenario's true floor);
* ``testcase`` — one PactTestCase class with N generated tests, run by unittest;
* ``v2``     — pact-python v2 code on our ``Pact`` (embedded): N ``with pact:`` blocks;
* ``v2-http`` — the same flow over the admin API of a standalone service process
  (``DELETE``/``PUT /interactions``, request, verification, ``POST /pact`` per block).

Printed: wall time, per-block median of the first and of the last 100 blocks (their ratio
is the linearity check: 1.0 is linear), peak RSS of the process, and the pact file's size.
Targets (issue 13): last/first <= 1.5 at N=3,000; v2 at N=1,000 within 3x of testcase;
testcase at N=1,000 under 45 MiB peak; growth per interaction within 3x its pact-file bytes.
With ``unittest`` and ``testcase`` at two or more N, the last lines give the growth of peak
memory per test between the smallest and largest N: testcase's, the plain-unittest floor's,
and their difference (what Pact adds per interaction) against the pact file's bytes per
interaction.

Not part of CI:  python bench/bench_scaling.py [--n 200 1000 3000] [--only v2 testcase]
PACT_UNITTEST_BENCH_ROOT=<checkout> measures another checkout's package (before/after).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List

ROOT = os.environ.get("PACT_UNITTEST_BENCH_ROOT") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = ("floor", "unittest", "testcase", "v2", "v2-http")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _summary(blocks: List[float], wall: float, pact_path: str) -> Dict[str, float]:
    size = os.path.getsize(pact_path) if pact_path and os.path.exists(pact_path) else 0
    return {"wall": wall, "first": statistics.median(blocks[:100]) * 1000,
            "last": statistics.median(blocks[-100:]) * 1000, "peak": _peak_mib(),
            "bytes": size}


def _pact_summary(blocks: List[float], wall: float, pact_path: str, n: int) -> Dict[str, float]:
    """The summary of a run that wrote ``pact_path``, with its peak taken *before* the file is
    read back to check that it holds ``n`` interactions: parsing it (1.5 MB at N = 3,000)
    raises the process's peak by ~6 MiB, which is the benchmark's cost, not the run's."""
    got = _summary(blocks, wall, pact_path)
    with open(pact_path, encoding="utf-8") as handle:
        assert len(json.load(handle)["interactions"]) == n
    return got


def _stdlib_server():
    """A stdlib HTTP/1.1 server answering ``ok`` to every GET: the no-Pact counterpart."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def run_floor(n: int, _pact_dir: str) -> Dict[str, float]:
    import requests

    server, uri = _stdlib_server()
    http_session = requests.Session()
    blocks = []
    start = time.perf_counter()
    for i in range(n):
        begin = time.perf_counter()
        assert http_session.get(f"{uri}/items/{i}",
                                headers={"Accept": "application/json"}).status_code == 200
        blocks.append(time.perf_counter() - begin)
    wall = time.perf_counter() - start
    server.shutdown()
    return _summary(blocks, wall, "")


def run_unittest(n: int, _pact_dir: str) -> Dict[str, float]:
    """The same N tests as ``testcase``, on a plain ``unittest.TestCase`` and the stdlib
    server: what unittest itself costs per test (instances, results), so that the
    testcase scenario's growth per test minus this one's is what Pact keeps."""
    import io
    import unittest

    import requests

    server, uri = _stdlib_server()
    blocks: List[float] = []

    def make(i: int):
        def test(self):
            assert self.http.get(f"{uri}/items/{i}",
                                 headers={"Accept": "application/json"}).status_code == 200
        return test

    attrs = {f"test_{i:05d}": make(i) for i in range(n)}
    attrs["setUpClass"] = classmethod(lambda cls: setattr(cls, "http", requests.Session()))
    cls = type("Plain", (unittest.TestCase,), attrs)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(cls)
    start = time.perf_counter()
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0,
                                     resultclass=_timing_result(blocks)).run(suite)
    wall = time.perf_counter() - start
    assert result.wasSuccessful()
    server.shutdown()
    return _summary(blocks, wall, "")


def _timing_result(blocks: List[float]):
    import unittest

    class Timing(unittest.TextTestResult):
        def startTest(self, test):
            self._began = time.perf_counter()
            super().startTest(test)

        def stopTest(self, test):
            super().stopTest(test)
            blocks.append(time.perf_counter() - self._began)

    return Timing


def run_testcase(n: int, pact_dir: str) -> Dict[str, float]:
    import io
    import unittest

    import requests

    from pact_unittest import Like, PactTestCase, interaction

    blocks: List[float] = []

    def make(i: int):
        @interaction(given=f"item {i} exists", upon_receiving=f"a request for item {i}",
                     with_request={"method": "GET", "path": f"/items/{i}",
                                   "headers": {"Accept": "application/json"}},
                     will_respond_with={"status": 200,
                                        "body": Like({"id": i, "name": "pen"})})
        def test(self):
            reply = self.http.get(f"{self.mock_service_uri}/items/{i}",
                                  headers={"Accept": "application/json"})
            assert reply.status_code == 200

        return test

    attrs = {"consumer": "BenchWeb", "provider": "BenchService", "pact_dir": pact_dir}
    for i in range(n):
        attrs[f"test_{i:05d}"] = make(i)

    def set_up_class(cls):
        PactTestCase.setUpClass.__func__(cls)
        cls.http = requests.Session()
        cls.addClassCleanup(cls.http.close)

    attrs["setUpClass"] = classmethod(set_up_class)
    cls = type("Bench", (PactTestCase,), attrs)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(cls)
    start = time.perf_counter()
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0,
                                     resultclass=_timing_result(blocks)).run(suite)
    wall = time.perf_counter() - start
    assert result.wasSuccessful(), (result.failures + result.errors)[:1]
    path = os.path.join(pact_dir, "benchweb-benchservice.json")
    return _pact_summary(blocks, wall, path, n)


def _v2_blocks(pact, n: int) -> List[float]:
    import requests

    from pact_unittest import Like

    http_session = requests.Session()
    blocks = []
    for i in range(n):
        begin = time.perf_counter()
        (pact.given(f"item {i} exists").upon_receiving(f"a request for item {i}")
         .with_request("GET", f"/items/{i}", headers={"Accept": "application/json"})
         .will_respond_with(200, body=Like({"id": i, "name": "pen"})))
        with pact:
            reply = http_session.get(f"{pact.uri}/items/{i}",
                                     headers={"Accept": "application/json"})
            assert reply.status_code == 200
        blocks.append(time.perf_counter() - begin)
    return blocks


def _run_v2(n: int, pact_dir: str, mode: str) -> Dict[str, float]:
    from pact_unittest import Consumer, Provider

    start = time.perf_counter()
    pact = Consumer("BenchWeb").has_pact_with(Provider("BenchService"), host_name="127.0.0.1",
                                              port=0, pact_dir=pact_dir, mock_service=mode)
    pact.start_service()
    try:
        blocks = _v2_blocks(pact, n)
    finally:
        pact.stop_service()
    wall = time.perf_counter() - start
    path = os.path.join(pact_dir, "benchweb-benchservice.json")
    return _pact_summary(blocks, wall, path, n)


def run_v2(n: int, pact_dir: str) -> Dict[str, float]:
    return _run_v2(n, pact_dir, "embedded")


def run_v2_http(n: int, pact_dir: str) -> Dict[str, float]:
    return _run_v2(n, pact_dir, "process")


RUNNERS = {"floor": run_floor, "unittest": run_unittest, "testcase": run_testcase, "v2": run_v2, "v2-http": run_v2_http}


def child(name: str, n: int) -> None:
    sys.path.insert(0, ROOT)
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    with tempfile.TemporaryDirectory() as pact_dir:
        print(json.dumps(RUNNERS[name](n, pact_dir)))


def measure(name: str, n: int) -> Dict[str, float]:
    env = dict(os.environ, PYTHONPATH=ROOT, PACT_UNITTEST_RUN_ID=f"bench-{name}-{n}")
    out = subprocess.run([sys.executable, __file__, "--child", name, str(n)], env=env,
                         stdout=subprocess.PIPE, check=True, universal_newlines=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[200, 1000, 3000])
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return 0
    print(f"{'scenario':9} {'N':>5} {'wall s':>8} {'first100 ms':>11} {'last100 ms':>10} "
          f"{'last/first':>10} {'peak MiB':>8} {'pact KiB':>8}")
    results: Dict[str, Dict[int, Dict[str, float]]] = {}
    for n in args.n:
        for name in args.only:
            got = results.setdefault(name, {})[n] = measure(name, n)
            print(f"{name:9} {n:5d} {got['wall']:8.3f} {got['first']:11.2f} {got['last']:10.2f} "
                  f"{got['last'] / got['first']:10.2f} {got['peak']:8.1f} "
                  f"{got['bytes'] / 1024:8.1f}", flush=True)
    _print_growth(results)
    return 0


def _print_growth(results: Dict[str, Dict[int, Dict[str, float]]]) -> None:
    """Peak memory growth per test, testcase against the plain-unittest floor."""
    ns = sorted(set(results.get("testcase", {})) & set(results.get("unittest", {})))
    if len(ns) < 2:
        return
    low, high = ns[0], ns[-1]

    def per_test(name: str) -> float:  # KiB of peak RSS per test between low and high
        return (results[name][high]["peak"] - results[name][low]["peak"]) * 1024 / (high - low)

    ours, floor = per_test("testcase"), per_test("unittest")
    file_bytes = results["testcase"][high]["bytes"] / 1024 / high
    print(f"\ngrowth per test, N {low} -> {high}: testcase {ours:.2f} KiB, plain unittest "
          f"{floor:.2f} KiB; Pact adds {ours - floor:.2f} KiB per interaction = "
          f"{(ours - floor) / file_bytes:.1f}x its {file_bytes:.2f} KiB in the pact file "
          f"(testcase alone: {ours / file_bytes:.1f}x)")


if __name__ == "__main__":
    sys.exit(main())
