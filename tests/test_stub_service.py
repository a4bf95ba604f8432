"""``pact-unittest stub``: the pact-stub-service, over real sockets.

The sample's contract tests write a real pact; the stub (a real subprocess) serves it to a
plain ``requests`` client and to ``curl``, prints ``port=N``, and stops on SIGTERM/SIGINT.
In-process tests pin the choice among several matching interactions, generators, CORS
and the 404 listing the closest interactions.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from pact_unittest.mock_service.stub import StubService, load_interactions

ROOT = Path(__file__).resolve().parents[1]


def _env():
    env = dict(os.environ, PYTHONPATH=str(ROOT), PACT_DO_NOT_TRACK="true")
    env.pop("PACT_UNITTEST_RUN_ID", None)
    return env


@pytest.fixture(scope="module")
def sample_pact(tmp_path_factory):
    """The userclient sample's pact, written by running its contract tests."""
    work = tmp_path_factory.mktemp("sample")
    shutil.copytree(ROOT / "samples", work / "samples",
                    ignore=shutil.ignore_patterns("pacts", "__pycache__", "django_project"))
    done = subprocess.run([sys.executable, "-m", "unittest", "samples.userclient.tests.test_contract"],
                          cwd=work, env=_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    pact = work / "samples" / "pacts" / "userweb-userservice.json"
    assert pact.exists()
    return pact


def _start(args, cwd):
    proc = subprocess.Popen([sys.executable, "-m", "pact_unittest", "stub", *args], cwd=cwd,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    assert line.startswith("port="), proc.stderr.read()
    return proc, int(line.split("=", 1)[1])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stub_serves_a_sample_pact_to_requests_and_curl(sample_pact, tmp_path, sig):
    proc, port = _start([str(sample_pact.parent), "--port", "0", "--host", "127.0.0.1"], tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        user = requests.get(base + "/users/42", headers={"Accept": "application/json"}, timeout=10)
        assert user.status_code == 200 and user.json()["name"] == "Ada"
        assert requests.get(base + "/users/7", timeout=10).status_code == 404  # the pact's 404
        miss = requests.get(base + "/nowhere", timeout=10)
        assert miss.status_code == 404
        assert miss.json()["message"] == "No interaction found for GET /nowhere"
        assert miss.json()["closest"]
        if shutil.which("curl"):
            out = subprocess.run(["curl", "-s", "-H", "Accept: application/json",
                                  base + "/users?name=Ada"], capture_output=True, text=True,
                                 timeout=30)
            assert json.loads(out.stdout)["users"][0]["id"] == 42
    finally:
        proc.send_signal(sig)
        code = proc.wait(timeout=10)
    assert code == 0


def test_stub_refuses_a_missing_pact_clearly(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pact_unittest", "stub", str(tmp_path / "no.json")],
                          env=_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no.json" in done.stderr


def _write(path, interactions, spec="2.0.0"):
    path.write_text(json.dumps({"consumer": {"name": "C"}, "provider": {"name": "P"},
                                "interactions": interactions,
                                "metadata": {"pactSpecification": {"version": spec}}}))
    return path


def _get(path, status, body, **request):
    return {"description": f"{status} {json.dumps(request, sort_keys=True)}",
            "request": dict({"method": "GET", "path": path}, **request),
            "response": {"status": status, "body": body}}


def test_the_most_specific_matching_interaction_answers(tmp_path):
    pact = _write(tmp_path / "p.json", [
        _get("/items", 200, {"which": "any"}),
        _get("/items", 500, {"which": "query"}, query="kind=book"),
        _get("/items", 201, {"which": "query+header"}, query="kind=book",
             headers={"Accept": "application/json"}),
    ])
    with StubService(load_interactions([str(pact)]), host="127.0.0.1") as stub:
        ask = lambda **kw: requests.get(stub.uri + "/items", timeout=10, **kw)  # noqa: E731
        assert ask().json() == {"which": "any"}
        assert ask(params={"kind": "book"}).json() == {"which": "query"}
        both = ask(params={"kind": "book"}, headers={"Accept": "application/json"})
        assert (both.status_code, both.json()) == (201, {"which": "query+header"})


def test_v3_matchers_generators_and_cors(tmp_path):
    pact = _write(tmp_path / "v3.json", [{
        "description": "an order", "providerStates": [{"name": "orders exist"}],
        "request": {"method": "GET", "path": "/orders/17",
                    "matchingRules": {"path": {"matchers": [{"match": "regex", "regex": r"/orders/\d+"}]}}},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                     "body": {"id": 1, "link": "http://x/orders/1"},
                     "generators": {"body": {"$.id": {"type": "RandomInt", "min": 100, "max": 200},
                                             "$.link": {"type": "MockServerURL",
                                                        "example": "http://x/orders/1",
                                                        "regex": r".*(/orders/\d+)$"}}}},
    }], spec="3.0.0")
    with StubService(load_interactions([str(pact)]), host="127.0.0.1", cors=True) as stub:
        body = requests.get(stub.uri + "/orders/99", timeout=10).json()
        assert 100 <= body["id"] <= 200
        assert body["link"] == stub.uri + "/orders/1"
        pre = requests.options(stub.uri + "/orders/99", timeout=10, headers={
            "Origin": "http://app", "Access-Control-Request-Method": "GET"})
        assert pre.status_code == 200
        assert pre.headers["Access-Control-Allow-Origin"] == "http://app"
        miss = requests.get(stub.uri + "/orders/abc", timeout=10)
        assert miss.status_code == 404 and miss.headers["Access-Control-Allow-Origin"] == "*"
        assert miss.json()["closest"][0]["description"] == "an order"
