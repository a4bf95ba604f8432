"""Backends: the ways the v2 :class:`~pact_unittest.pact.Pact` reaches a mock service.

``Pact`` needs five operations from a mock service: clear the expected interactions,
register new ones, verify what was received, write the pact file, and start/stop. Three
backends provide them:

* :class:`EmbeddedBackend` drives our :class:`~pact_unittest.mock_service.MockService`
  in this process by direct calls (the default: no process, no HTTP admin round trips).
* :class:`HttpBackend` speaks the Ruby admin API over HTTP with ``requests``, exactly as
  pact-python v2 did (``DELETE``/``PUT /interactions``, ``GET /interactions/verification``,
  ``POST /pact``, each with ``X-Pact-Mock-Service: true``). It serves any running service:
  ours, Ruby's, or one in a container.
* :class:`ProcessBackend` spawns a standalone service (ours by default, or any command such
  as Ruby's ``pact-mock-service``), waits until it listens, talks to it as
  :class:`HttpBackend`, and stops its whole process tree with ``psutil``. The same code
  path runs on every OS; a ``weakref.finalize`` (which also runs at interpreter exit, so it
  doubles as the ``atexit`` hook) covers a normal or Ctrl-C exit, and a watchdog process
  (:mod:`pact_unittest._watchdog`) covers a death by signal (SIGTERM, SIGHUP, SIGKILL),
  when Python runs no exit hook: no service outlives an interrupted run.
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
import requests.adapters
import urllib3.connection
import urllib3.connectionpool

from ._watchdog import same_process, stop_tree

__unittest = True

log = logging.getLogger(__name__)

#: The header that marks a request as an admin request (Ruby accepts any value).
ADMIN_HEADERS = {"X-Pact-Mock-Service": "true"}

_PORT_LINE = re.compile(r"\bport=(\d+)")
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0


class MockServiceUnreachable(requests.exceptions.ConnectionError):
    """The mock service did not answer; the message says at which address and what to check.

    A subclass of ``requests.exceptions.ConnectionError`` because that is what pact-python
    v2 raised in this situation, so existing ``except`` clauses keep working.
    """


class Backend:
    """The operations :class:`~pact_unittest.pact.Pact` needs from a mock service."""

    #: Base URI of the mock service (``http://localhost:1234``); final once started.
    uri: str = ""

    def start(self) -> None:
        """Make the service ready to answer; raises naming host and port on failure."""

    def stop(self) -> None:
        """Release the service; harmless when called twice or before ``start``."""

    def clear_interactions(self) -> None:
        raise NotImplementedError

    def set_interactions(self, interactions: List[Dict[str, Any]]) -> None:
        raise NotImplementedError

    def verify(self) -> None:
        """Raise ``AssertionError`` with a readable message unless every interaction matched."""
        raise NotImplementedError

    def write_pact(self) -> None:
        raise NotImplementedError


def _raise_if_failed(verification: Any) -> None:
    if not verification.ok:
        raise AssertionError(verification.describe())


class EmbeddedBackend(Backend):
    """Our mock service in this process, driven by direct calls."""

    def __init__(self, **service_options: Any) -> None:
        self._options = service_options
        self._service: Any = None
        host = service_options.get("host", "localhost")
        port = service_options.get("port", 0)
        scheme = "https" if service_options.get("ssl") else "http"
        self.uri = f"{scheme}://{host}:{port}"

    @property
    def service(self) -> Any:
        """The running :class:`~pact_unittest.mock_service.MockService` (None when stopped)."""
        return self._service

    def start(self) -> None:
        from .mock_service import MockService

        if self._service is not None:
            return
        host = self._options.get("host")
        port = self._options.get("port")
        service = MockService(**self._options)
        try:
            service.start()
        except OSError as exc:
            if str(port) in str(exc):
                raise
            raise OSError(
                exc.errno, f"cannot start the pact mock service on {host}:{port}: {exc}"
            ) from exc
        self._service = service
        self.uri = service.uri

    def stop(self) -> None:
        service, self._service = self._service, None
        if service is not None:
            service.stop()

    def _running(self) -> Any:
        if self._service is None:
            raise RuntimeError(
                "the embedded pact mock service is not running: call start_service() first"
            )
        return self._service

    def clear_interactions(self) -> None:
        self._running().clear_interactions()

    def set_interactions(self, interactions: List[Dict[str, Any]]) -> None:
        self._running().set_interactions(interactions)

    def verify(self) -> None:
        _raise_if_failed(self._running().verification())

    def write_pact(self) -> None:
        self._running().write_pact()


class HttpBackend(Backend):
    """Any service that speaks the Ruby admin API, reached over HTTP with ``requests``."""

    def __init__(self, uri: str) -> None:
        self.uri = uri.rstrip("/")
        self._session: Optional[requests.Session] = None

    def _http(self) -> requests.Session:
        if self._session is None:
            self._session = _admin_session()
        return self._session

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(ADMIN_HEADERS)
        headers.update(kwargs.pop("headers", None) or {})
        url = self.uri + path
        try:
            # Mock services use self-signed certificates: v2 passed verify=False too.
            # Per request, since a session's verify loses to $REQUESTS_CA_BUNDLE.
            return self._http().request(method, url, headers=headers, verify=False, **kwargs)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise MockServiceUnreachable(
                f"cannot reach the pact mock service at {self.uri} ({method} {path} failed: "
                f"{_root_cause(exc)}). Check that the service is running there "
                "(start_service() was called, or the external service is up), that host_name "
                "and port match it, and that ssl matches its scheme (http/https)."
            ) from None

    def _admin(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        resp = self._request(method, path, **kwargs)
        if resp.status_code != 200:  # AssertionError as in v2, but not an assert: -O keeps it
            raise AssertionError(
                f"the pact mock service at {self.uri} answered {method} {path} with "
                f"HTTP {resp.status_code}:\n{resp.text}"
            )
        return resp

    def start(self) -> None:
        """Check that someone answers at ``uri`` (an external service is not ours to start)."""
        self._admin("GET", "/")

    def stop(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def clear_interactions(self) -> None:
        self._admin("DELETE", "/interactions")

    def set_interactions(self, interactions: List[Dict[str, Any]]) -> None:
        self._admin("PUT", "/interactions", json={"interactions": interactions})

    def verify(self) -> None:
        resp = self._request(
            "GET", "/interactions/verification", headers={"Accept": "application/json"}
        )
        if "json" in resp.headers.get("Content-Type", ""):
            verification = _verification_from(resp)
            if verification is not None:
                _raise_if_failed(verification)
                return
        if resp.status_code == 200:
            return
        raise AssertionError(_text_summary(resp.text, self.uri) + "\n" + resp.text.rstrip("\n"))

    def write_pact(self) -> None:
        self._admin("POST", "/pact")


def _verification_from(resp: requests.Response) -> Any:
    """Rebuild our service's Verification from its JSON answer; None if it is not one.

    None sends :meth:`HttpBackend.verify` down the text path (another service's answer,
    judged by its status code), as for any answer that is not our JSON.
    """
    from .verification import Verification

    try:
        return Verification.from_json(resp.json())
    except ValueError:  # not JSON, or JSON that is not a Verification
        log.debug("verification answer is JSON but not a Verification: %s", resp.text)
        return None


def _text_summary(text: str, uri: str) -> str:
    """One line for a text verification answer (Ruby's): counts per section, then where."""
    counts = []
    section = None
    tally: Dict[str, int] = {}
    for line in text.splitlines():
        header = line.rstrip(":").strip().lower()
        if line.endswith(":") and header in ("incorrect requests", "missing requests",
                                             "unexpected requests"):
            section = header
            tally[section] = 0
        elif section and line.startswith("\t"):
            tally[section] += 1
        else:
            section = None
    for name, label in (("incorrect requests", "mismatched request"),
                        ("missing requests", "missing interaction"),
                        ("unexpected requests", "unexpected request")):
        if tally.get(name):
            count = tally[name]
            counts.append(f"{count} {label}{'' if count == 1 else 's'}")
    detail = ", ".join(counts) if counts else "see the service's answer below"
    return f"Pact verification failed: {detail} (mock service at {uri})"


def _root_cause(exc: BaseException) -> str:
    """The useful part of a requests/urllib3 error: the OS error at the bottom of the chain.

    requests wraps urllib3's MaxRetryError, whose ``reason`` was raised from the socket's
    OSError (``[Errno 111] Connection refused``); their texts nest reprs in both quote
    styles, so the chain is walked rather than the text cut up. The regex is the fallback.
    """
    found = None
    seen = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        module = type(current).__module__.split(".")[0]
        if isinstance(current, OSError) and module not in ("requests", "urllib3") \
                and str(current):
            found = current  # the deepest one wins: keep walking
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        todo += [item for item in linked + list(current.args) if isinstance(item, BaseException)]
    if found is not None:
        return str(found).strip()
    text = str(exc)
    match = re.search(r"\[Errno -?\d+\][^'\")\]]*|Connection refused|timed out|SSL[^'\")]*", text)
    return match.group(0).strip() if match else type(exc).__name__


def _admin_session() -> requests.Session:
    """A session for admin calls whose unverified HTTPS requests do not warn.

    Admin calls skip certificate checks on purpose (mock services use self-signed
    certificates), so urllib3's InsecureRequestWarning would only be noise. It is not
    filtered with ``warnings.catch_warnings`` (which swaps the process-wide filters and is
    not thread-safe) nor with a global filter (which would hide the user's own warnings):
    this session's HTTPS connections simply do not ask for it.
    """
    session = requests.Session()
    session.mount("https://", _AdminHTTPSAdapter())
    return session


class _QuietHTTPSConnection(urllib3.connection.HTTPSConnection):
    """An HTTPS connection that counts as checked once connected: the pool warns about
    unverified requests only when ``is_verified`` is false, and nothing else reads it."""

    def connect(self) -> None:
        super().connect()
        self.is_verified = True


class _QuietHTTPSConnectionPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _QuietHTTPSConnection


class _AdminHTTPSAdapter(requests.adapters.HTTPAdapter):
    """The adapter of :func:`_admin_session`: its pools make :class:`_QuietHTTPSConnection`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        classes = dict(self.poolmanager.pool_classes_by_scheme)
        classes["https"] = _QuietHTTPSConnectionPool
        self.poolmanager.pool_classes_by_scheme = classes


# --------------------------------------------------------------------------- process


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
            self._wait_ready(popen)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, popen: subprocess.Popen) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            if popen.poll() is not None:
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
    """Start :mod:`pact_unittest._watchdog` for the service ``pid`` (not waited for).

    It runs in a session (POSIX) or process group (Windows) of its own, so the Ctrl-C or
    hang-up that reaches the test run does not reach it. Failing to start it costs only the
    protection against a death by signal, so that is logged, not raised.
    """
    argv = [sys.executable, "-m", "pact_unittest._watchdog", str(os.getpid()), str(pid),
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
