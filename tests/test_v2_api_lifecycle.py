"""The v2 API's service lifecycle: what pact-python 2.3.3 did where a QA pass found us
different (interaction clashes, a relative pact_dir, docstrings), two Pacts on one port,
and a service started before a fork (Django ``--parallel`` forks its workers after the
test modules were imported)."""
from __future__ import annotations

import inspect
import json
import os
import pydoc
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests

import reference

from pact_unittest.v2.consumer import Consumer
from pact_unittest.matchers import Like
from pact_unittest.v2.pact import Pact
from pact_unittest.v2.provider import Provider

REPO = Path(__file__).resolve().parent.parent


def _pact(**kwargs):
    kwargs.setdefault("host_name", "127.0.0.1")
    kwargs.setdefault("port", 0)
    return Consumer("C").has_pact_with(Provider("P"), **kwargs)


def _get_user(pact, body):
    (pact.given("user 1 exists").upon_receiving("a request for user 1")
         .with_request("get", "/users/1").will_respond_with(200, body=body))


# ----------------------------------------------------------------------------- clashes


def test_an_interaction_clash_is_an_assertion_error_with_rubys_text(tmp_path):
    # pact-python 2.3.3: Ruby answered the PUT with 500 and v2's `assert status == 200,
    # resp.text` made it an AssertionError, so unittest counted a FAIL, not an ERROR.
    pact = _pact(pact_dir=str(tmp_path))
    pact.start_service()
    try:
        _get_user(pact, {"name": "Ada"})
        with pact:
            requests.get(pact.uri + "/users/1")
        _get_user(pact, {"name": "Bob"})
        with pytest.raises(AssertionError) as info:
            with pact:
                pass
        assert "An interaction with same description (\"a request for user 1\")" in str(
            info.value)
        assert "but a different response body has already been used" in str(info.value)
    finally:
        pact.stop_service()


# ----------------------------------------------------------------------------- pact_dir


def test_a_relative_pact_dir_is_resolved_when_the_service_starts(tmp_path, monkeypatch):
    # pact-python 2.3.3 gave Ruby the relative path at start_service(); Ruby resolved it
    # against its own working directory, fixed when it was spawned.
    (tmp_path / "start").mkdir()
    (tmp_path / "later").mkdir()
    monkeypatch.chdir(tmp_path / "start")
    pact = _pact(pact_dir="pacts")
    pact.start_service()
    try:
        monkeypatch.chdir(tmp_path / "later")
        _get_user(pact, Like({"name": "Ada"}))
        with pact:
            requests.get(pact.uri + "/users/1")
    finally:
        pact.stop_service()
    assert (tmp_path / "start" / "pacts" / "c-p.json").is_file()
    assert not (tmp_path / "later" / "pacts").exists()
    assert pact.pact_dir == "pacts"  # the attribute stays as given, as in v2


# ----------------------------------------------------------------------------- docstrings


def test_pact_documents_its_own_constructor_and_v2_methods():
    init_doc = inspect.getdoc(Pact.__init__) or ""
    assert "client_options" not in init_doc  # was Broker.__init__'s, inherited
    assert "host_name" in init_doc and "mock_service" in init_doc
    for name in ("__enter__", "__exit__", "setup", "verify", "start_service", "stop_service"):
        doc = getattr(Pact, name).__doc__
        assert doc and len(doc.split()) > 12, name
    assert "verif" in Pact.__exit__.__doc__ and "raised" in Pact.__exit__.__doc__
    assert "client_options" not in pydoc.render_doc(Pact, renderer=pydoc.plaintext)


# ----------------------------------------------------------------------------- fork

_FORK_SCRIPT = r'''
import json, os, sys
import requests
from pact_unittest import Consumer, Like, Provider

pact_dir, port = sys.argv[1], int(sys.argv[2])
pact = Consumer("C").has_pact_with(Provider("P"), host_name="127.0.0.1", port=port,
                                   pact_dir=pact_dir)
pact.start_service()   # module level, before the fork, as a v2 suite under Django does
parent_uri = pact.uri


def use(n):
    (pact.given(f"state {n}").upon_receiving(f"request {n}")
         .with_request("get", f"/r/{n}").will_respond_with(200, body=Like({"n": n})))
    with pact:
        assert requests.get(pact.uri + f"/r/{n}").json() == {"n": n}


read_end, write_end = os.pipe()      # parent -> child: "you may go"
ready_read, ready_write = os.pipe()  # child -> parent: "I have used the service"
pid = os.fork()
if pid == 0:
    os.close(write_end)
    result = {"pid": os.getpid()}
    try:
        use(1)
        result["ok"] = True
        result["uri"] = pact.uri
    except BaseException as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(result), flush=True)
    os.write(ready_write, b"x")
    os.read(read_end, 1)  # stay alive, holding whatever we inherited, until told
    pact.stop_service()
    os._exit(0)
os.close(read_end)
os.read(ready_read, 1)
'''


def _run_fork_script(tmp_path, port, tail):
    script = tmp_path / "fork_script.py"
    script.write_text(_FORK_SCRIPT + textwrap.dedent(tail))
    env = dict(os.environ, PACT_DO_NOT_TRACK="true")
    env = {k: v for k, v in env.items() if not k.startswith(("PACT_UNITTEST_", "PYTEST_"))}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run([sys.executable, str(script), str(tmp_path / "pacts"), str(port)],
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
def test_a_service_started_before_a_fork_restarts_in_the_child_on_its_own_port(tmp_path):
    child, parent = _run_fork_script(tmp_path, 0, """
        os.write(write_end, b"x")
        _, status = os.waitpid(pid, 0)
        use(2)  # the parent's service still works: the child only closed its copies
        pact.stop_service()
        print(json.dumps({"parent_uri": parent_uri, "status": status}), flush=True)
    """)
    assert child.get("ok"), child
    assert child["uri"] != parent["parent_uri"] and parent["status"] == 0
    pact = json.loads((tmp_path / "pacts" / "c-p.json").read_text())
    # one run: the child's write and the parent's later one merge into one file
    assert sorted(i["description"] for i in pact["interactions"]) == ["request 1", "request 2"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
def test_a_fixed_port_service_used_in_a_forked_child_says_how_to_fix_it(tmp_path):
    port = reference.free_port()
    child, parent = _run_fork_script(tmp_path, port, """
        import psutil
        # The child has run into the error and is still alive: it must hold none of the
        # parent's sockets on the port (its copy of the listening one would keep the port
        # bound after the parent stops). Asked of the OS rather than by binding the port,
        # which a concurrent test's client may happen to use as its local port.
        held = [c.status for c in psutil.Process(pid).net_connections(kind="inet")
                if c.laddr and c.laddr.port == port]
        pact.stop_service()
        os.write(write_end, b"x")
        os.waitpid(pid, 0)
        print(json.dumps({"child_holds": held}), flush=True)
    """)
    assert not child.get("ok")
    error = child["error"]
    assert error.startswith("ForkedServiceError: the Pact mock service on 127.0.0.1:"), error
    for advice in ("setUpClass", "port=0", "PactTestCase"):
        assert advice in error
    assert parent["child_holds"] == []


# The README's quickstart-v2 pattern (module-level start_service with port=0 and atexit),
# in two modules with two classes each, so that `--parallel 2` has work for two workers.
_DJANGO_MODULE = '''
import atexit
import unittest

import requests

from pact_unittest import Consumer, Like, Provider

pact = Consumer("UserWeb").has_pact_with(Provider("UserService"), port=0)
pact.start_service()
atexit.register(pact.stop_service)


def _check(test, n):
    (pact.given(f"{NAME} {n} exists")
         .upon_receiving(f"a request for {NAME} {n}")
         .with_request("get", f"/{NAME}/{n}")
         .will_respond_with(200, body=Like({"id": n, "name": "Ada"})))
    with pact:
        item = requests.get(pact.uri + f"/{NAME}/{n}").json()
    test.assertEqual(item["id"], n)


class FirstContract(unittest.TestCase):
    def test_one(self):
        _check(self, 1)

    def test_two(self):
        _check(self, 2)


class SecondContract(unittest.TestCase):
    def test_three(self):
        _check(self, 3)

    def test_four(self):
        _check(self, 4)
'''


def _django_run(work: Path, *args: str) -> bytes:
    suite = work / "v2suite"
    suite.mkdir(parents=True)
    (suite / "__init__.py").write_text("")
    (suite / "settings.py").write_text(
        'SECRET_KEY = "v2"\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": '
        '"django.db.backends.sqlite3", "NAME": ":memory:"}}\n')
    for name in ("users", "orders"):
        (suite / f"test_{name}.py").write_text(f"NAME = {name!r}\n" + _DJANGO_MODULE)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PACT_UNITTEST_", "PYTEST_", "DJANGO_"))}
    env.update(PYTHONPATH=os.pathsep.join([str(work), str(REPO)]), PACT_DO_NOT_TRACK="true")
    proc = subprocess.run(
        [sys.executable, "-m", "django", "test", "v2suite", "--settings", "v2suite.settings",
         "-v", "2", *args], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Ran 8 tests" in proc.stderr and "OK" in proc.stderr, proc.stderr
    return (work / "userweb-userservice.json").read_bytes()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
def test_django_parallel_runs_the_readme_v2_pattern_and_writes_the_serial_runs_file(tmp_path):
    pytest.importorskip("django")
    serial = _django_run(tmp_path / "serial")
    parallel = _django_run(tmp_path / "parallel", "--parallel", "2")
    assert len(json.loads(serial)["interactions"]) == 8
    assert parallel == serial


# ----------------------------------------------------------------------------- one port


def test_two_pacts_with_the_same_settings_on_one_fixed_port_share_its_service(tmp_path):
    # pact-python 2.3.3: the second Ruby process failed to bind, unnoticed, and the second
    # Pact used the first one's service. Here it shares it openly, counted.
    port = reference.free_port()
    first = _pact(port=port, pact_dir=str(tmp_path))
    second = _pact(port=port, pact_dir=str(tmp_path))
    first.start_service()
    second.start_service()
    try:
        assert first._backend.service is second._backend.service
        _get_user(first, Like({"name": "Ada"}))
        with first:
            requests.get(first.uri + "/users/1")
        first.stop_service()  # the second Pact still uses the service
        (second.given("no users").upon_receiving("a request for no user")
               .with_request("get", "/users/2").will_respond_with(404))
        with second:
            assert requests.get(second.uri + "/users/2").status_code == 404
    finally:
        first.stop_service()
        second.stop_service()
    with socket.socket() as probe:  # the last user stopped it
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
    pact = json.loads((tmp_path / "c-p.json").read_text())
    assert sorted(i["description"] for i in pact["interactions"]) == [
        "a request for no user", "a request for user 1"]


def test_two_pacts_with_other_settings_on_one_fixed_port_name_the_difference(tmp_path):
    port = reference.free_port()
    first = _pact(port=port, pact_dir=str(tmp_path))
    other = Consumer("Other").has_pact_with(Provider("P"), host_name="127.0.0.1", port=port,
                                            pact_dir=str(tmp_path))
    first.start_service()
    try:
        with pytest.raises(ValueError) as info:
            other.start_service()
    finally:
        first.stop_service()
    text = str(info.value)
    assert f"127.0.0.1:{port}" in text and "consumer='C'" in text and "consumer='Other'" in text
    assert "one shared Pact" in text and "port=0" in text
    assert other._backend is None


def test_two_test_modules_each_starting_a_pact_on_one_port_both_pass(tmp_path):
    # The QA report's case, under pytest: each module starts "its" Pact at import.
    port = reference.free_port()
    for name in ("a", "b"):
        (tmp_path / f"test_{name}.py").write_text(textwrap.dedent(f"""
            import atexit, requests
            from pact_unittest import Consumer, Like, Provider
            pact = Consumer("C").has_pact_with(Provider("P"), host_name="127.0.0.1",
                                               port={port})
            pact.start_service()
            atexit.register(pact.stop_service)

            def test_{name}():
                (pact.given("s {name}").upon_receiving("r {name}")
                     .with_request("get", "/{name}").will_respond_with(200, body=Like(1)))
                with pact:
                    assert requests.get(pact.uri + "/{name}").json() == 1
        """))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PACT_UNITTEST_", "PYTEST_"))}
    env.update(PYTHONPATH=str(REPO), PACT_DO_NOT_TRACK="true")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "-p", "no:randomly"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "2 passed" in proc.stdout, proc.stdout + proc.stderr
    pact = json.loads((tmp_path / "c-p.json").read_text())
    assert sorted(i["description"] for i in pact["interactions"]) == ["r a", "r b"]
