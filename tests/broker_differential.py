"""Running the real Ruby ``pact-broker`` CLI and ours against twin fake brokers.

Each case is a command line and a seed: two :class:`~fake_broker.FakeBroker` instances
with ``resources=True`` are seeded alike (:func:`seed`), the Ruby CLI (pact-python
2.3.3's) runs against one, ``pact_unittest`` against the other, and :class:`Run` holds
what each did: the requests (method, path, sorted query, JSON body), the exit code and the
output (stdout + stderr, colours removed, the broker's URL written ``BROKER``, blank lines
and runs of spaces folded). Ruby starts slowly (about a second a call): :func:`run_cases`
runs its calls in a pool of two threads while ours run in-process.
"""
from __future__ import annotations

import contextlib
import io
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple
from urllib.parse import parse_qsl

import reference
from fake_broker import FakeBroker
from pact_unittest import __main__ as entry

ANSI = re.compile(r"\x1b\[[\d;]*m")
PROD_UUID = "00000001-0000-4000-8000-00000000a11d"
STAGING_UUID = "00000002-0000-4000-8000-00000000a11d"
BROKER_ENV = ("PACT_BROKER_BASE_URL", "PACT_BROKER_USERNAME", "PACT_BROKER_PASSWORD",
              "PACT_BROKER_TOKEN", "NO_COLOR")


def ruby_broker_cli() -> str:
    return str(reference.require_ruby_broker())


def seed(broker: FakeBroker) -> FakeBroker:
    """The example data every case starts from (the same uuids on every fake)."""
    res = broker.resources
    assert res is not None
    res.add_environment("production", "Production", True)
    res.add_environment("staging", "Staging", False)
    res.add_pacticipant("WebShop", displayName="Web Shop", mainBranch="main",
                        repositoryUrl="https://git.example/webshop")
    res.add_pacticipant("InventoryAPI")
    res.add_version("WebShop", "1.0.0", branch="main")
    res.add_version("WebShop", "1.1.0", branch="feat/x")
    res.add_release("InventoryAPI", "5.0.0", "production")
    broker.pacts[("WebShop", "InventoryAPI", "1.0.0")] = {"consumer": {"name": "WebShop"}}
    broker.pacts[("WebShop", "InventoryAPI", "1.1.0")] = {"consumer": {"name": "WebShop"}}
    return broker


@dataclass
class Run:
    code: int
    output: str
    requests: List[Tuple[str, str, List[Tuple[str, str]], Any]] = field(default_factory=list)
    broker: Optional[FakeBroker] = None


def normalise(text: str, url: str) -> str:
    text = ANSI.sub("", text).replace(url, "BROKER")
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _requests(broker: FakeBroker) -> List[Tuple[str, str, List[Tuple[str, str]], Any]]:
    return [(r.method, r.path, sorted(parse_qsl(r.query, keep_blank_values=True)), r.json)
            for r in broker.requests]


def _words(args: Sequence[str], url: str) -> List[str]:
    return [a.replace("BROKER", url) for a in args] + ["-b", url]


def run_ruby(args: Sequence[str], broker: FakeBroker, env: Dict[str, str]) -> Run:
    done = subprocess.run([ruby_broker_cli(), *_words(args, broker.url)], env=env,
                          capture_output=True, text=True, timeout=120)
    return Run(done.returncode, normalise(done.stdout + done.stderr, broker.url),
               _requests(broker), broker)


def run_ours(args: Sequence[str], broker: FakeBroker) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = entry.main(_words(args, broker.url))
        except SystemExit as exc:  # argparse refusing the command line
            code = exc.code if isinstance(exc.code, int) else 1
    return Run(code, normalise(out.getvalue() + err.getvalue(), broker.url), _requests(broker),
               broker)


@dataclass
class Case:
    name: str
    args: List[str]
    prepare: Optional[Callable[[FakeBroker], None]] = None


def run_cases(cases: Sequence[Case]) -> Dict[str, Tuple[Run, Run]]:
    """{case name: (ruby run, our run)}; every broker is stopped before this returns."""
    env = reference.reference_env()
    for name in BROKER_ENV:
        env.pop(name, None)
    brokers: List[FakeBroker] = []

    def fresh(case: Case) -> FakeBroker:
        broker = seed(FakeBroker(resources=True)).start()
        brokers.append(broker)
        if case.prepare:
            case.prepare(broker)
        return broker

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            theirs = {c.name: pool.submit(run_ruby, c.args, fresh(c), env) for c in cases}
            ours = {c.name: run_ours(c.args, fresh(c)) for c in cases}
            return {name: (theirs[name].result(), ours[name]) for name in theirs}
    finally:
        for broker in brokers:
            broker.stop()
