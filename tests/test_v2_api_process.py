"""The process and external backends of the v2 API: spawn, use, stop, and leave no orphan.

``mock_service="process"`` runs ``python -m pact_unittest.mock_service service ...`` (or a
command the user gives, e.g. Ruby's ``pact-mock-service``) and stops its whole process tree
with psutil. Each test gives its consumer a unique name, which appears on the service's
command line (``--consumer NAME``), so psutil can prove no such process survives.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import psutil
import pytest
import requests

import reference
from pact_unittest.v2.consumer import Consumer
from pact_unittest.matchers import Like, Term
from pact_unittest.v2.provider import Provider

REPO = Path(__file__).resolve().parent.parent


def _survivors(marker):
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmdline = proc.info.get("cmdline") or []
        if proc.info.get("status") == psutil.STATUS_ZOMBIE:
            continue
        if any(marker in part for part in cmdline):
            found.append(proc)
    return found


def _process_pact(tmp_path, **kwargs):
    name = "C" + uuid.uuid4().hex[:12]
    kwargs.setdefault("host_name", "127.0.0.1")
    kwargs.setdefault("port", 0)
    kwargs.setdefault("pact_dir", str(tmp_path))
    kwargs.setdefault("mock_service", "process")
    return name, Consumer(name).has_pact_with(Provider("P"), **kwargs)


def _define(pact):
    (pact.given("a thing exists").upon_receiving("a request for a thing")
     .with_request("get", "/things/1")
     .will_respond_with(200, body=Like({"id": 1, "name": "x"})))


def test_process_backend_spawns_serves_and_stops_without_orphans(tmp_path):
    name, pact = _process_pact(tmp_path)
    pact.start_service()
    try:
        assert pact.uri.startswith("http://127.0.0.1:") and not pact.uri.endswith(":0")
        pid = pact._backend.pid
        assert psutil.Process(pid).is_running()
        assert _survivors(name), "the service process should carry the consumer name"
        _define(pact)
        with pact:
            assert requests.get(pact.uri + "/things/1").json() == {"id": 1, "name": "x"}
        written = json.loads((tmp_path / f"{name.lower()}-p.json").read_text())
        assert [i["description"] for i in written["interactions"]] == ["a request for a thing"]

        _define(pact)
        with pytest.raises(AssertionError) as info:
            with pact:
                requests.get(pact.uri + "/things/2")
        message = str(info.value)
        # Our service answers JSON: the message is rebuilt locally, not raw server text.
        assert message.startswith("Pact verification failed"), message
        assert "/things/1" in message and "/things/2" in message
    finally:
        pact.stop_service()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert _survivors(name) == []
    pact.stop_service()  # harmless twice


def test_a_dropped_process_backend_is_collected_and_stops_its_service(tmp_path):
    # The reader thread's target used to be the backend's bound method: the running thread
    # kept the backend alive, so its weakref.finalize stopped the service only at exit.
    import gc
    import weakref

    from pact_unittest.v2.process import ProcessBackend, service_argv

    name = "C" + uuid.uuid4().hex[:12]
    backend = ProcessBackend(service_argv(None) + ["--consumer", name, "--port", "0"],
                             "127.0.0.1", 0)
    backend.start()
    pid = backend.pid
    assert psutil.Process(pid).is_running()
    collected = weakref.ref(backend)
    del backend
    gc.collect()
    assert collected() is None, "something still refers to the backend"
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert _survivors(name) == []


def test_process_backend_on_a_busy_port_fails_at_once_naming_the_port(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        name, pact = _process_pact(tmp_path, port=port)
        with pytest.raises(OSError, match=str(port)):
            pact.start_service()
    assert _survivors(name) == []


def test_a_command_that_dies_reports_its_output(tmp_path):
    name, pact = _process_pact(
        tmp_path, mock_service_command=[sys.executable, "-c",
                                        "import sys; print('boom ' + sys.argv[-1]); sys.exit(3)"])
    with pytest.raises(RuntimeError, match="exited with code 3") as info:
        pact.start_service()
    assert "boom" in str(info.value)


# The script sets Python's own SIGINT handler first: a Ctrl-C in a terminal reaches a process
# whose SIGINT is not ignored, but a shell without job control starting a command with `&`
# (a CI script, `.ci/run &` beside a CPU burner, nohup) makes it and all its descendants
# ignore SIGINT, and Python then installs no KeyboardInterrupt handler: the signal is lost
# and the script sleeps on. That, not the load, made this test time out (issue 14, item 10).
_INTERRUPTED_SCRIPT = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, {repo!r})
from pact_unittest.consumer import Consumer
from pact_unittest.provider import Provider

pact = Consumer({name!r}).has_pact_with(
    Provider("P"), host_name="127.0.0.1", port=0, pact_dir={pact_dir!r},
    mock_service="process")
pact.start_service()
print("READY", pact._backend.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(os.name == "nt", reason="SIGINT to one process is POSIX-only here")
def test_sigint_mid_run_leaves_no_mock_service_process(tmp_path):
    name = "C" + uuid.uuid4().hex[:12]
    script = tmp_path / "interrupted.py"
    script.write_text(_INTERRUPTED_SCRIPT.format(repo=str(REPO), name=name,
                                                 pact_dir=str(tmp_path)))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("READY"), line + proc.stderr.read()
        service_pid = int(line.split()[1])
        assert psutil.Process(service_pid).is_running()
        assert _survivors(name)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        assert "KeyboardInterrupt" in proc.stderr.read()
    finally:
        reference.kill_tree(proc.pid)
        proc.wait(timeout=10)
    assert not psutil.pid_exists(service_pid) or \
        psutil.Process(service_pid).status() == psutil.STATUS_ZOMBIE
    assert _survivors(name) == []


_KILLED_SCRIPT = """
import sys, time
sys.path.insert(0, {repo!r})
import psutil
from pact_unittest.consumer import Consumer
from pact_unittest.provider import Provider

pact = Consumer({name!r}).has_pact_with(
    Provider("P"), host_name="127.0.0.1", port={port}, pact_dir={pact_dir!r},
    mock_service="process", mock_service_command={command!r})
pact.start_service()
backend = pact._backend
pids = [backend.pid, getattr(backend, "watchdog_pid", None) or 0]
pids += [p.pid for p in psutil.Process(backend.pid).children(recursive=True)]
print("READY", *pids, flush=True)
time.sleep(120)
"""


def _gone_within(procs, timeout):
    """The processes still alive (zombies count as gone) after polling up to ``timeout``."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for proc in procs:
            try:
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def _killed_mid_run(tmp_path, sig, command):
    """Start a service from a script, kill the script with ``sig``: nothing may survive."""
    name = "C" + uuid.uuid4().hex[:12]
    port = reference.free_port() if command else 0
    script = tmp_path / "killed.py"
    script.write_text(_KILLED_SCRIPT.format(repo=str(REPO), name=name, pact_dir=str(tmp_path),
                                            port=port, command=command))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=reference.reference_env())
    procs = []
    try:
        line = proc.stdout.readline()
        assert line.startswith("READY"), line + proc.stderr.read()
        pids = [int(pid) for pid in line.split()[1:]]
        procs = [psutil.Process(pid) for pid in pids if pid]
        service_pid, watchdog_pid = pids[:2]
        assert _survivors(name)
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert proc.returncode == -sig
        alive = _gone_within(procs, timeout=10)
        assert alive == [], f"survived {sig!r}: {[p.cmdline() for p in alive]}"
        assert _survivors(name) == []
    finally:
        reference.kill_tree(proc.pid)
        proc.wait(timeout=10)
        for leftover in _gone_within(procs, timeout=0):  # never leave orphans behind
            reference.kill_tree(leftover.pid)
    assert service_pid and watchdog_pid, "the service's watchdog was not started"


_DEATHS = [getattr(signal, name) for name in ("SIGTERM", "SIGKILL", "SIGHUP")
           if hasattr(signal, name)]


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals; the watchdog code is the same")
@pytest.mark.parametrize("sig", _DEATHS, ids=lambda s: signal.Signals(s).name)
def test_a_test_process_killed_by_a_signal_leaves_no_service_or_watchdog(tmp_path, sig):
    """No exit hook runs on SIGTERM/SIGHUP/SIGKILL: the watchdog stops the service."""
    _killed_mid_run(tmp_path, sig, None)


@pytest.mark.reference
@pytest.mark.skipif(os.name == "nt", reason="POSIX signals; the watchdog code is the same")
@pytest.mark.parametrize("sig", _DEATHS, ids=lambda s: signal.Signals(s).name)
def test_a_test_process_killed_by_a_signal_leaves_no_ruby_service(tmp_path, sig):
    _killed_mid_run(tmp_path, sig, str(reference.require_ruby()))


def test_the_watchdog_exits_with_the_service_and_never_signals_a_recycled_pid(tmp_path):
    from pact_unittest.v2 import watchdog as _watchdog

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        created = psutil.Process(sleeper.pid).create_time()
        # a pid whose creation time differs is another process: left alone, at once
        assert _watchdog.watch(1, sleeper.pid, created - 5.0) == 0
        assert _watchdog.same_process(sleeper.pid, created - 5.0) is None
        assert sleeper.poll() is None
        # a parent that is gone (an unknown creation time): the service is stopped
        assert _watchdog.watch(os.getpid(), sleeper.pid, created, parent_create_time=1.0) == 0
        sleeper.wait(timeout=10)
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
            sleeper.wait()


def test_stop_service_also_ends_the_watchdog(tmp_path):
    name, pact = _process_pact(tmp_path)
    pact.start_service()
    watchdog = psutil.Process(pact._backend.watchdog_pid)
    service = psutil.Process(pact._backend.pid)
    pact.stop_service()
    assert _gone_within([watchdog, service], timeout=0) == []


def test_external_backend_against_our_standalone_service(tmp_path):
    """A service someone else runs: setup/verify over HTTP, JSON verification rebuilt."""
    name = "C" + uuid.uuid4().hex[:12]
    server = reference.python_cli(
        "pact_unittest.mock_service", "service", "--host", "127.0.0.1", "--port", "0",
        "--pact-dir", str(tmp_path), "--consumer", name, "--provider", "P",
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        port = None
        for line in server.stdout:
            if "port=" in line:
                port = int(line.split("port=")[1].split()[0])
                break
        assert port, "the standalone service printed no port= line"
        uri = f"http://127.0.0.1:{port}"
        pact = Consumer(name).has_pact_with(Provider("P"), mock_service="external",
                                            mock_service_url=uri)
        pact.start_service()  # checks that it answers; starts nothing
        assert pact.uri == uri
        _define(pact)
        with pact:
            requests.get(uri + "/things/1")
        assert (tmp_path / f"{name.lower()}-p.json").exists()
        _define(pact)
        with pytest.raises(AssertionError) as info:
            with pact:
                pass
        assert str(info.value).startswith("Pact verification failed: 1 missing")
        assert "a request for a thing" in str(info.value)
        pact.stop_service()
        assert server.poll() is None, "stop_service must not stop an external service"
    finally:
        reference.kill_tree(server.pid)
        server.wait(timeout=10)


# ----------------------------------------------------------------------------- Ruby

@pytest.mark.reference
def test_process_backend_runs_rubys_mock_service_and_reports_its_text(tmp_path):
    ruby = reference.require_ruby()
    name, pact = _process_pact(tmp_path, mock_service_command=str(ruby), host_name="localhost",
                               port=reference.free_port(), log_dir=str(tmp_path / "logs"))
    pact.start_service()
    try:
        tree = [psutil.Process(pact._backend.pid)]
        tree += tree[0].children(recursive=True)
        _define(pact)
        with pact:
            requests.get(pact.uri + "/things/1")
        _define(pact)
        with pytest.raises(AssertionError) as info:
            with pact:
                requests.get(pact.uri + "/things/2")
        first, _, rest = str(info.value).partition("\n")
        assert first.startswith("Pact verification failed: 1 missing interaction, "
                                "1 unexpected request"), first
        assert "Actual interactions do not match expected interactions" in rest
    finally:
        pact.stop_service()
    _, alive = psutil.wait_procs(tree, timeout=5)
    assert alive == []
    assert (tmp_path / f"{name.lower()}-p.json").exists()
    assert (tmp_path / "logs" / "pact-mock-service.log").exists()


@pytest.mark.reference
def test_external_backend_against_ruby(ruby_mock_service):
    assert reference.admin(ruby_mock_service.uri, "DELETE", "/session").status == 200
    pact = Consumer("C").has_pact_with(Provider("P"), mock_service="external",
                                       mock_service_url=ruby_mock_service.uri)
    _define(pact)
    with pact:
        requests.get(ruby_mock_service.uri + "/things/1")
    _define(pact)
    with pytest.raises(AssertionError) as info:
        with pact:
            pass
    assert str(info.value).startswith("Pact verification failed: 1 missing interaction")
    assert "Missing requests:\n\tGET /things/1" in str(info.value)
    reference.admin(ruby_mock_service.uri, "DELETE", "/session")


def test_process_backend_passes_ssl_cors_and_log_dir(tmp_path):
    name, pact = _process_pact(tmp_path, ssl=True, cors=True, log_dir=str(tmp_path / "logs"),
                               specification_version="3.0.0")
    argv = pact._service_argv()
    assert "--ssl" in argv and "--cors" in argv and "--pact-specification-version=3.0.0" in argv
    pact.start_service()
    try:
        assert pact.uri.startswith("https://127.0.0.1:")
        _define(pact)
        with pact:
            answer = requests.get(pact.uri + "/things/1", verify=False,
                                  headers={"Origin": "http://app.test"})
            assert answer.headers["Access-Control-Allow-Origin"] == "http://app.test"
    finally:
        pact.stop_service()
    written = json.loads((tmp_path / f"{name.lower()}-p.json").read_text())
    assert written["metadata"]["pactSpecification"]["version"] == "3.0.0"
    assert (tmp_path / "logs" / "pact-mock-service.log").stat().st_size > 0
    assert _survivors(name) == []


def test_the_command_line_is_the_one_v2_gave_rubys_service(tmp_path):
    _, pact = _process_pact(tmp_path, mock_service_command="pact-mock-service", sslcert="c.pem",
                            sslkey="k.pem", ssl=True, cors=True, port=1234,
                            host_name="localhost", log_dir="/logs")
    assert pact._service_argv() == [
        "pact-mock-service", "service", "--host=localhost", "--port=1234",
        "--log", os.path.join("/logs", "pact-mock-service.log"),
        "--pact-dir", str(tmp_path), "--pact-file-write-mode", "overwrite",
        "--pact-specification-version=2.0.0", "--consumer", pact.consumer.name,
        "--provider", "P", "--ssl", "--sslcert", "c.pem", "--sslkey", "k.pem", "--cors"]


# ----------------------------------------------------------------------------- partial_regex

def _define_partial(pact):
    """A Term whose regex matches only part of the path the client will send."""
    (pact.upon_receiving("a request for user 1")
     .with_request("get", Term(r"/users/\d+", "/users/1"))
     .will_respond_with(200, body={"id": 1}))


@pytest.mark.parametrize("partial", [False, True])
def test_process_backend_passes_partial_regex(tmp_path, monkeypatch, partial):
    monkeypatch.delenv("PACT_UNITTEST_PARTIAL_REGEX", raising=False)
    name, pact = _process_pact(tmp_path, partial_regex=partial)
    assert ("--partial-regex" in pact._service_argv()) is partial
    pact.start_service()
    try:
        _define_partial(pact)
        if partial:
            with pact:
                assert requests.get(pact.uri + "/api/users/1").json() == {"id": 1}
        else:
            with pytest.raises(AssertionError, match="/api/users/1"):
                with pact:
                    requests.get(pact.uri + "/api/users/1")
    finally:
        pact.stop_service()
    assert (tmp_path / f"{name.lower()}-p.json").exists() is partial
    assert _survivors(name) == []


def test_a_command_with_service_and_flags_of_its_own_starts(tmp_path, monkeypatch):
    """``service`` is appended only when the command has neither a sub-command nor flags."""
    monkeypatch.delenv("PACT_UNITTEST_PARTIAL_REGEX", raising=False)
    python = sys.executable
    for command in (f"{python} -m pact_unittest.mock_service service --partial-regex",
                    [python, "-m", "pact_unittest.mock_service", "--partial-regex"]):
        name, pact = _process_pact(tmp_path, mock_service_command=command)
        argv = pact._service_argv()
        assert argv.count("service") <= 1 and argv[3:4] in (["service"], ["--partial-regex"])
        pact.start_service()
        try:
            _define_partial(pact)
            with pact:   # the command's own --partial-regex is in force
                assert requests.get(pact.uri + "/api/users/1").json() == {"id": 1}
        finally:
            pact.stop_service()
        assert _survivors(name) == []


def test_service_is_appended_only_without_sub_command_or_flags():
    from pact_unittest.v2.process import default_service_command, service_argv

    assert service_argv(None) == default_service_command() + ["service"]
    assert service_argv("pact-mock-service") == ["pact-mock-service", "service"]
    assert service_argv(["pact-mock-service", "service"]) == ["pact-mock-service", "service"]
    assert service_argv("pact-mock-service service --log-level INFO") == [
        "pact-mock-service", "service", "--log-level", "INFO"]
    assert service_argv("pact-mock-service --log-level=INFO") == [
        "pact-mock-service", "--log-level=INFO"]
    assert service_argv("python3 -X utf8 -m pact_unittest.mock_service") == [
        "python3", "-X", "utf8", "-m", "pact_unittest.mock_service", "service"]
    with pytest.raises(ValueError, match="empty"):
        service_argv("")


@pytest.mark.reference
def test_rubys_cli_refuses_flags_before_service_so_ours_does_too(tmp_path):
    """Why service_argv never puts ``service`` after flags: neither CLI accepts it."""
    ruby = reference.require_ruby()
    done = subprocess.run([str(ruby), "--log-level=INFO", "service"], capture_output=True,
                          text=True, timeout=60, env=reference.reference_env())
    assert 'called with arguments ["service"]' in done.stdout + done.stderr
    ours = subprocess.run([sys.executable, "-m", "pact_unittest.mock_service", "--cors",
                           "service"], capture_output=True, text=True, timeout=60,
                          cwd=str(REPO))
    assert ours.returncode != 0 and "service" in ours.stderr
