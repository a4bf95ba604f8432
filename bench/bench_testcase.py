"""PactTestCase end to end vs pact-python 2.3.3 with its Ruby mock service, in one run.

Both sides: 200 tests, each with one interaction and one real request (a requests.Session),
the pact file written at the end. Ours: a PactTestCase class with 200 generated test
methods run by unittest (setUpClass starts the embedded service; the class writes its pact
once at teardown). Ruby's: pact-python 2.3.3's Consumer/Provider, ``start_service()``, 200
``with pact:`` blocks, ``stop_service()``, run by /opt/refvenv/bin/python in a subprocess
(PACT_DO_NOT_TRACK=true). Each side is timed from before the service starts to after the
pact file is written. Target (GUIDE §6): ours < 0.5 s and >= 10x faster.

Not part of CI:  python bench/bench_testcase.py [--n 200] [--repeat 3]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

REF_VENV = Path(os.environ.get("PACT_UNITTEST_REF_VENV", "/opt/refvenv"))


def _make_class(n: int, pact_dir: str) -> type:
    import requests

    from pact_unittest import Like, PactTestCase, interaction

    attrs = {"consumer": "BenchWeb", "provider": "BenchService", "pact_dir": pact_dir}

    def make(i: int):
        @interaction(
            given=f"item {i} exists",
            upon_receiving=f"a request for item {i}",
            with_request={"method": "GET", "path": f"/items/{i}",
                          "headers": {"Accept": "application/json"}},
            will_respond_with={"status": 200, "body": Like({"id": i, "name": "pen"})},
        )
        def test(self):
            reply = self.http.get(f"{self.mock_service_uri}/items/{i}",
                                  headers={"Accept": "application/json"})
            assert reply.status_code == 200

        return test

    for i in range(n):
        attrs[f"test_{i:04d}"] = make(i)

    @classmethod
    def setUpClass(cls):
        super(Bench, cls).setUpClass()
        cls.http = requests.Session()
        cls.addClassCleanup(cls.http.close)

    attrs["setUpClass"] = setUpClass
    Bench = type("Bench", (PactTestCase,), attrs)
    return Bench


def run_ours(n: int) -> float:
    from pact_unittest.testcase import registry as _registry

    with tempfile.TemporaryDirectory() as pact_dir:
        cls = _make_class(n, pact_dir)
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(cls)
        _registry.stop_all()  # a cold start: the service is started inside the timing
        start = time.perf_counter()
        result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
        elapsed = time.perf_counter() - start
        assert result.wasSuccessful(), (result.failures + result.errors)[:1]
        written = json.loads((Path(pact_dir) / "benchweb-benchservice.json").read_text())
        assert len(written["interactions"]) == n
    return elapsed


RUBY_SCRIPT = textwrap.dedent("""
    import json, sys, tempfile, time, os
    import requests
    from pact import Consumer, Like, Provider

    n, port = int(sys.argv[1]), int(sys.argv[2])
    pact_dir = tempfile.mkdtemp()
    start = time.perf_counter()
    pact = Consumer("BenchWeb").has_pact_with(
        Provider("BenchService"), host_name="127.0.0.1", port=port, pact_dir=pact_dir,
        log_dir=pact_dir)
    pact.start_service()
    http = requests.Session()
    try:
        for i in range(n):
            (pact.given(f"item {i} exists").upon_receiving(f"a request for item {i}")
                 .with_request("GET", f"/items/{i}", headers={"Accept": "application/json"})
                 .will_respond_with(200, body=Like({"id": i, "name": "pen"})))
            with pact:
                reply = http.get(f"{pact.uri}/items/{i}", headers={"Accept": "application/json"})
                assert reply.status_code == 200
    finally:
        pact.stop_service()
    elapsed = time.perf_counter() - start
    written = json.load(open(os.path.join(pact_dir, "benchweb-benchservice.json")))
    assert len(written["interactions"]) == n
    print(json.dumps({"seconds": elapsed}))
""")


def run_ruby(n: int) -> float:
    python = REF_VENV / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"no reference venv at {REF_VENV} (set PACT_UNITTEST_REF_VENV)")
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, PACT_DO_NOT_TRACK="true")
    out = subprocess.run([str(python), "-c", RUBY_SCRIPT, str(n), str(port)], env=env,
                         stdout=subprocess.PIPE, check=True, universal_newlines=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours (best is kept)")
    parser.add_argument("--skip-ruby", action="store_true")
    args = parser.parse_args()

    run_ours(10)  # warm imports
    ours = min(run_ours(args.n) for _ in range(args.repeat))
    print(f"pact_unittest PactTestCase, {args.n} tests:      {ours:8.3f} s "
          f"({ours / args.n * 1000:.2f} ms/test)")
    if args.skip_ruby:
        return 0
    ruby = run_ruby(args.n)
    print(f"pact-python 2.3.3 + Ruby service, {args.n} tests: {ruby:8.3f} s "
          f"({ruby / args.n * 1000:.2f} ms/test)")
    ratio = ruby / ours
    print(f"ratio: {ratio:.1f}x faster  (targets: ours < 0.5 s: "
          f"{'met' if ours < 0.5 else 'MISSED'}; >= 10x: {'met' if ratio >= 10 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
