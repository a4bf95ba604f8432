"""The process backend: a standalone mock service spawned, supervised and stopped.

:class:`ProcessBackend` spawns a standalone service (ours by default, or any command such
as Ruby's ``pact-mock-service``), waits until it listens, talks to it as
:class:`~pact_unittest.v2.backends.HttpBackend`, and stops its whole process tree with
``psutil``. The same code path runs on every OS; a ``weakref.finalize`` (which also runs at
interpreter exit, so it doubles as the ``atexit`` hook) covers a normal or Ctrl-C exit and
a backend dropped while running, and a watchdog process (:mod:`pact_unittest.v2.watchdog`)
covers a death by signal (SIGTERM, SIGHUP, SIGKILL), when Python runs no exit hook: no
service outlives an interrupted run.
"""
from __future__ import annotations

import logging
import os
import re
import shlex
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from typing import Any, Deque, Dict, List, Optional, Sequence, Union

import psutil
import requests

from .watchdog import same_process, stop_tree
from .backends import ADMIN_HEADERS, HttpBackend

__all__ = ["ProcessBackend", "default_service_command", "service_argv", "split_command"]

log = logging.getLogger(__name__)

_PORT_LINE = re.compile(r"\bport=(\d+)")
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0


def default_service_command() -> List[str]:
    """Our standalone service, run by the current interpreter."""
    return [sys.executable, "-m", "pact_unittest.mock_service"]


def split_command(command: Union[str, Sequence[str], None]) -> List[str]:
    """A user's command (string or list) as an argv list, as given (see :func:`service_argv`)."""
    if command is None:
        argv = default_service_command()
    elif isinstance(command, str):
        argv = shlex.split(command, posix=os.name != "nt")
    else:
        argv = [str(part) for part in command]
    if not argv:
        raise ValueError("mock_service_command is empty")
    return argv


def service_argv(command: Union[str, Sequence[str], None]) -> List[str]:
    """The user's command ready for the service flags: ``service`` added only if needed.

    pact-python v2 ran ``pact-mock-service service --host=...``. A command that already
    names the ``service`` sub-command, or passes flags of its own
    (``python -m pact_unittest.mock_service --partial-regex``), is left as it is: appending
    ``service`` after flags would make it a stray argument, which Ruby's CLI and ours both
    refuse, while both run ``service`` when flags come without a sub-command.
    """
    argv = split_command(command)
    program = _program_length(argv)
    extra = argv[program:]
    if "service" in extra or any(part.startswith("-") for part in extra):
        return argv
    return argv + ["service"]


def _program_length(argv: Sequence[str]) -> int:
    """How many leading items name the program: ``python -m module`` is three, else one."""
    if "-m" in argv[1:]:
        return min(argv.index("-m", 1) + 2, len(argv))
    return 1


class ProcessBackend(HttpBackend):
    """A standalone mock service process, reached over HTTP and stopped with its children.

    ``argv`` is the full command line. Readiness: a ``port=NNNN`` line on the process's
    output (our CLI prints one; Ruby's WEBrick logs ``... pid=1 port=NNNN``), then a 200 from
    ``GET /``; with a fixed port, ``GET /`` alone suffices once the process is alive.
    """

    def __init__(self, argv: Sequence[str], host: str, port: int, ssl: bool = False,
                 start_timeout: float = _START_TIMEOUT) -> None:
        self._scheme = "https" if ssl else "http"
        super().__init__(f"{self._scheme}://{host}:{port}")
        self.argv = list(argv)
        self.host = host
        self.port = port
        self.start_timeout = start_timeout
        self._popen: Optional[subprocess.Popen] = None
        self._watchdog: Optional[subprocess.Popen] = None
        self._finalizer: Optional[weakref.finalize] = None
        self._output = _ProcessOutput()

    @property
    def pid(self) -> Optional[int]:
        return self._popen.pid if self._popen is not None else None

    @property
    def watchdog_pid(self) -> Optional[int]:
        """The pid of the process that stops the service if this process dies first."""
        return self._watchdog.pid if self._watchdog is not None else None

    def start(self) -> None:
        if self._popen is not None:
            return
        if self.port:
            _fail_if_port_taken(self.host, self.port)
        env = dict(os.environ)
        env.setdefault("PACT_DO_NOT_TRACK", "true")
        if self.argv[:3] == default_service_command():
            env = _with_this_package(env)
        log.debug("starting mock service: %s", " ".join(self.argv))
        try:
            popen = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, env=env, text=True, bufsize=1,
                errors="replace",
            )
        except OSError as exc:
            raise RuntimeError(
                f"cannot run the mock service command {self.argv[0]!r}: {exc}"
            ) from exc
        self._popen = popen
        create_time = psutil.Process(popen.pid).create_time()
        self._watchdog = _start_watchdog(popen.pid, create_time, env)
        # Neither the finalizer nor the reader thread refers to self, so a backend that is
        # dropped while its service runs is collected and the finalizer stops the service
        # then; weakref.finalize also runs at exit. A death by signal runs neither: then
        # the watchdog stops the service.
        self._finalizer = weakref.finalize(
            self, _stop_tree, popen, create_time, _STOP_TIMEOUT, self._watchdog
        )
        reader = threading.Thread(
            target=_drain, args=(popen, self._output), name=f"pact-mock-service-{popen.pid}",
            daemon=True,
        )
        reader.start()
        try:
            self._wait_ready(popen, reader)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, popen: subprocess.Popen, reader: threading.Thread) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            if popen.poll() is not None:
                # The reader may not have read the last lines yet: they say why it died.
                reader.join(_STOP_TIMEOUT)
                raise RuntimeError(
                    f"the mock service for {self.host}:{self.port} exited with code "
                    f"{popen.returncode} before it was ready. Its output:\n"
                    + "\n".join(self._output.lines)
                )
            port = self._output.port or self.port
            if port:
                self.uri = f"{self._scheme}://{self.host}:{port}"
                if self._answers():
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the mock service for {self.host}:{self.port} was not ready after "
                    f"{self.start_timeout:.0f} s. Its output:\n"
                    + "\n".join(self._output.lines)
                )
            self._output.port_seen.wait(0.02)

    def _answers(self) -> bool:
        try:
            resp = self._http().get(self.uri + "/", headers=ADMIN_HEADERS, timeout=2,
                                    verify=False)
        except requests.exceptions.RequestException:
            return False
        return resp.status_code == 200

    def stop(self) -> None:
        super().stop()
        finalizer, self._finalizer = self._finalizer, None
        if finalizer is not None:
            finalizer()
        self._popen = None
        self._watchdog = None


class _ProcessOutput:
    """What the reader thread learns from a service's output: its last lines, its port."""

    def __init__(self) -> None:
        self.lines: Deque[str] = deque(maxlen=50)
        self.port: Optional[int] = None
        self.port_seen = threading.Event()


def _drain(popen: subprocess.Popen, output: _ProcessOutput) -> None:
    """The reader thread: read the process output so its pipe never fills; spot ``port=``.

    A plain function given only what it needs: a bound method of the backend would keep
    the backend alive as long as the process runs, and its finalizer from ever running.
    """
    assert popen.stdout is not None  # Popen was given stdout=PIPE
    for line in popen.stdout:
        line = line.rstrip("\n")
        output.lines.append(line)
        log.debug("mock service %s: %s", popen.pid, line)
        if output.port is None:
            match = _PORT_LINE.search(line)
            if match:
                output.port = int(match.group(1))
                output.port_seen.set()
    popen.stdout.close()


def _with_this_package(env: Dict[str, str]) -> Dict[str, str]:
    """``env`` with this very pact_unittest first on PYTHONPATH, whatever the child's cwd."""
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    return env


def _start_watchdog(pid: int, create_time: float, env: Dict[str, str]) -> Optional[subprocess.Popen]:
    """Start :mod:`pact_unittest.v2.watchdog` for the service ``pid`` (not waited for).

    It runs in a session (POSIX) or process group (Windows) of its own, so the Ctrl-C or
    hang-up that reaches the test run does not reach it. Failing to start it costs only the
    protection against a death by signal, so that is logged, not raised.
    """
    argv = [sys.executable, "-m", "pact_unittest.v2.watchdog", str(os.getpid()), str(pid),
            repr(create_time), repr(psutil.Process().create_time())]
    options: Dict[str, Any] = {}
    if os.name == "nt":
        options["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
    else:
        options["start_new_session"] = True
    try:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=_with_this_package(env),
                                **options)
    except OSError as exc:
        log.warning("could not start the watchdog of mock service process %s (it may outlive "
                    "this process if a signal kills it): %s", pid, exc)
        return None


def _fail_if_port_taken(host: str, port: int) -> None:
    """Fail at once when something already listens on the port the process would bind."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(address) == 0:
                raise OSError(
                    f"cannot start the pact mock service on {host}:{port}: port {port} is "
                    "already in use (another mock service still running?)"
                )


def _stop_tree(popen: subprocess.Popen, create_time: float, timeout: float,
               watchdog: Optional[subprocess.Popen] = None) -> None:
    """Stop a service process and all its descendants, then its watchdog.

    The creation time guards against signalling a recycled pid.
    """
    root = same_process(popen.pid, create_time)
    if root is not None:
        stop_tree(root, timeout)
    try:
        popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:  # pragma: no cover - killed above
        log.warning("mock service process %s did not exit", popen.pid)
    if popen.returncode not in (0, None) and popen.returncode != -15:
        log.debug("mock service process %s exited with %s", popen.pid, popen.returncode)
    if watchdog is not None:
        # It would notice the service's end within a poll; no need to wait for that.
        if watchdog.poll() is None:
            watchdog.terminate()
        try:
            watchdog.wait(timeout=timeout)
        except subprocess.TimeoutExpired:  # pragma: no cover
            watchdog.kill()
