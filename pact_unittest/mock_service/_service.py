"""``MockService``: one Pact mock service, embedded in a thread or run by the CLI.

The direct methods (``set_interactions``, ``verification``, ``write_pact``...) and the HTTP
admin API call the same :class:`~._session.Session`, so a test driving the service
in-process and a client speaking HTTP see one behaviour. Binding happens in the caller's
thread (a busy port raises there, naming host:port); serving happens on a daemon thread.

A fork copies a started service but not its server thread: in the child, the parent's
thread would go on answering every request on the shared socket, from the parent's copy of
the interactions. So a child closes its copies of the sockets at once (``os.register_at_fork``)
and the service restarts in the child when first used: on a new free port when it was
started with port 0 (``uri`` and ``port`` then show it), else with
:class:`ForkedServiceError` saying how to start it per process instead.
"""
from __future__ import annotations

import itertools
import logging
import os
import pathlib
import threading
import weakref
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from ..model import WRITE_MODES, Interaction, normalize_spec_version
from ..model import Verification
from ._admin import dispatch_admin
from ._cors import add_cors_headers, preflight, refuse_cross_origin
from ._http import HttpRequest, Response, error_response
from ._replay import replay
from ._server import DEFAULT_BODY_LIMIT, MockHTTPServer
from ._session import Session

LOG_FILE_NAME = "pact-mock-service.log"
_parent_logger = logging.getLogger("pact_unittest.mock_service")
_parent_logger.addHandler(logging.NullHandler())  # a library stays quiet unless configured
_counter = itertools.count(1)
#: Services whose server runs in this process: the ones a fork must detach in the child.
_started: "weakref.WeakSet[MockService]" = weakref.WeakSet()


class ForkedServiceError(RuntimeError):
    """A service started on a fixed port before this process was forked was used here.

    Its server thread stayed in the parent, which holds the port, so it cannot restart in
    this process; the message says what to do instead.
    """


def _after_fork_in_child() -> None:
    for service in list(_started):
        service._forget_parent_server()


class MockService:
    """A Pact mock service on a real socket; see the package docstring for the API."""

    def __init__(
        self,
        consumer: Optional[str] = None,
        provider: Optional[str] = None,
        host: str = "127.0.0.1",
        port: int = 0,
        pact_dir: Optional[Union[str, os.PathLike]] = None,
        specification_version: str = "2.0.0",
        file_write_mode: str = "overwrite",
        cors: bool = False,
        ssl: bool = False,
        sslcert: Optional[str] = None,
        sslkey: Optional[str] = None,
        log_dir: Optional[Union[str, os.PathLike]] = None,
        partial_regex: bool = False,
        *,
        log_file: Optional[Union[str, os.PathLike]] = None,
        log_level: Union[int, str] = logging.DEBUG,
        truncate_log: bool = False,
        body_limit: int = DEFAULT_BODY_LIMIT,
        read_timeout: float = 30.0,
    ):
        if file_write_mode not in WRITE_MODES:
            raise ValueError(f"file_write_mode {file_write_mode!r} is not one of {', '.join(WRITE_MODES)}")
        self.consumer = consumer
        self.provider = provider
        self.host = host
        self._requested_port = int(port)
        self.pact_dir = os.fspath(pact_dir) if pact_dir is not None else None
        self.specification_version = normalize_spec_version(specification_version)
        self.file_write_mode = file_write_mode
        self.cors = bool(cors)
        self.ssl = bool(ssl or sslcert or sslkey)
        self.sslcert = sslcert
        self.sslkey = sslkey
        self.partial_regex = bool(partial_regex)
        self.body_limit = body_limit
        self.read_timeout = read_timeout
        if log_file is None and log_dir is not None:
            log_file = os.path.join(os.fspath(log_dir), LOG_FILE_NAME)
        self.log_file = os.path.abspath(os.fspath(log_file)) if log_file is not None else None
        self._log_level = log_level
        self._truncate_log = truncate_log
        self.log = self._make_logger()
        self.session = Session(self.specification_version, logger=self.log)
        #: Verified interactions rendered at the last write_pact (see pact_file.write_pact):
        #: a v2 suite writes after every test, and only the newest interaction is new.
        #: Guarded by _write_lock: write_pact runs in the test's thread (embedded API) and in
        #: the server's (POST /pact), possibly at once.
        self._render_cache: Dict[int, Any] = {}
        #: Serializes write_pact. Not _lock: stop() holds that while it joins the server
        #: thread, and a POST /pact waiting for it would make stop() wait out its timeout.
        self._write_lock = threading.Lock()
        #: Bumped by ``DELETE /session``: each session of a long-lived standalone service
        #: writes as a run of its own, so overwrite mode replaces what an earlier one wrote.
        self._generation = 0
        self._server: Optional[MockHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self._handler: Optional[logging.Handler] = None
        self._lock = threading.Lock()
        #: (parent pid, port) while this is a forked child's copy of a started service that
        #: has not been restarted here yet (see the module documentation); else None.
        self._forked: Optional[Tuple[int, int]] = None

    # ---------------------------------------------------------------- lifecycle

    def _make_logger(self) -> logging.Logger:
        # An unmanaged logger (not in logging's registry, so it does not leak) whose parent
        # is the package logger: records reach the user's logging config unless a log file
        # is configured, in which case they go to that file only, as Ruby's do.
        logger = logging.Logger(f"pact_unittest.mock_service.{next(_counter)}")
        logger.parent = _parent_logger
        return logger

    def _open_log(self) -> None:
        if self.log_file is None or self._handler is not None:
            return
        os.makedirs(os.path.dirname(self.log_file), exist_ok=True)
        handler = logging.FileHandler(self.log_file, mode="w" if self._truncate_log else "a",
                                      encoding="utf-8", errors="backslashreplace")
        handler.setFormatter(logging.Formatter("%(levelname)s, [%(asctime)s] %(message)s"))
        self.log.addHandler(handler)
        self.log.setLevel(self._log_level)
        self.log.propagate = False
        self._handler = handler

    def _close_log(self) -> None:
        if self._handler is not None:
            self.log.removeHandler(self._handler)
            self._handler.close()
            self._handler = None
            self.log.propagate = True

    def start(self) -> "MockService":
        """Bind (here, in the caller's thread) and serve on a daemon thread. Idempotent."""
        with self._lock:
            if self._server is not None:
                return self
            context = None
            if self.ssl:
                from ._tls import server_context

                context = server_context(self.host, self.sslcert, self.sslkey)
            try:
                server = MockHTTPServer(self.host, self._requested_port, self.handle, log=self.log,
                                        ssl_context=context, body_limit=self.body_limit,
                                        read_timeout=self.read_timeout)
            except OSError as exc:
                raise OSError(exc.errno, f"cannot start the Pact mock service on "
                                         f"{self.host}:{self._requested_port}: {exc.strerror or exc}") from exc
            try:
                self._open_log()  # e.g. log_dir not writable: do not keep the port bound
            except BaseException:
                server.close()
                raise
            self._server = server
            self._forked = None
            _started.add(self)
            self._thread = threading.Thread(target=server.serve, daemon=True,
                                            name=f"pact-mock-service-{server.server_port}")
            self._thread.start()
        unset = [role for role in ("consumer", "provider") if not getattr(self, role)]
        if unset:
            self.log.info("Mock service listening on %s; %s not set: POST /pact will fail "
                          "unless its body names the %s", self.uri, "/".join(unset),
                          " and ".join(unset))
        else:
            self.log.info("Mock service for %s -> %s listening on %s", self.consumer,
                          self.provider, self.uri)
        return self

    def stop(self) -> None:
        """Stop serving and close every connection. Harmless when not started or stopped."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
            self._forked = None
            _started.discard(self)
            if server is None:
                return
            server.stop()
            if thread is not None and thread is not threading.current_thread():
                thread.join(5)
            server.close()
            self._close_log()

    def _forget_parent_server(self) -> None:
        """In a forked child (``os.register_at_fork``): drop the parent's server.

        Its thread does not exist here, and this process's copy of its listening socket
        would keep the parent's port bound after the parent stops: close our copies (not
        shut down: the parent still serves on them) and remember to restart when used.
        Locks are replaced, since a parent thread may have held them at the fork.
        """
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.session.reinit_lock_after_fork()
        server, self._server, self._thread = self._server, None, None
        _started.discard(self)
        if server is None:
            return
        self._forked = (os.getppid(), int(server.server_port))
        server.close_inherited()

    def _ensure_serving(self, strict: bool = True) -> None:
        """Restart a forked child's copy of a started service before it is used.

        With port 0 it restarts on a new free port. On a fixed port the parent keeps the
        port, so there is nothing to restart on: ``strict`` callers (the direct API, the
        first thing a test calls) get :class:`ForkedServiceError`; reading ``uri`` or
        ``port`` does not raise, so ``repr`` and log lines keep working.
        """
        forked = self._forked
        if forked is None:
            return
        if self._requested_port == 0:
            self.start()
            self.log.info("Restarted in process %d (forked from %d) on %s", os.getpid(),
                          forked[0], self.uri)
            return
        if strict:
            raise ForkedServiceError(
                f"the Pact mock service on {self.host}:{forked[1]} was started in process "
                f"{forked[0]} before this process ({os.getpid()}) was forked from it (a "
                "Django --parallel worker, say). Its server thread stayed in that process, "
                "which holds the fixed port, so the service cannot run here. Start the "
                "service after the fork: in setUpClass, or use port=0 (it then restarts "
                "in each process on a free port), or use PactTestCase."
            )

    def __enter__(self) -> "MockService":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def detached_by_fork(self) -> bool:
        """True in a forked child for a service started before the fork and not yet used
        here: it restarts when first used (port 0) or says why it cannot (fixed port)."""
        return self._forked is not None

    @property
    def port(self) -> int:
        """The bound port once started (the OS's choice for port 0), else the requested one.

        In a forked child, reading it restarts a service started with port 0 (see the
        module documentation), so it names this process's server, never the parent's.
        """
        self._ensure_serving(strict=False)
        return self._current_port()

    def _current_port(self) -> int:
        server = self._server
        if server is not None:
            return int(server.server_port)
        return self._forked[1] if self._forked is not None else self._requested_port

    @property
    def uri(self) -> str:
        """``http(s)://host:port``; restarts a forked child's copy as :attr:`port` does."""
        self._ensure_serving(strict=False)
        return self._uri_for(self._current_port())

    @property
    def cert_path(self) -> Optional[str]:
        """With ssl: the PEM certificate a client should trust (``requests.get(..., verify=
        svc.cert_path)``): ``sslcert`` when given, else the self-signed one made for the
        host. None for plain HTTP."""
        if not self.ssl:
            return None
        from ._tls import certificate_file

        return certificate_file(self.host, self.sslcert)

    def _uri_for(self, port: int) -> str:
        scheme = "https" if self.ssl else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{port}"

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        if self._forked is not None:
            state = f"forked from {self._forked[0]}, not restarted"
        return (f"<MockService {self.consumer!r} -> {self.provider!r} "
                f"{self._uri_for(self._current_port())} {state}>")

    # ---------------------------------------------------------------- HTTP entry point

    def handle(self, request: HttpRequest) -> Response:
        """Answer one HTTP request (the server calls this on its connection threads)."""
        try:
            response = preflight(request, self.cors, self.session.snapshot_expected()) \
                if request.method.upper() == "OPTIONS" else None
            if response is None:
                response = refuse_cross_origin(request, self.cors)
            if response is None:
                response = dispatch_admin(self, request)
            if response is None:
                response = replay(self.session, request, self.partial_regex,
                                  {"mockServer": {"href": self.uri, "port": self.port}})
        except Exception as exc:  # a bug of ours: answer it, log it, keep serving
            self.log.exception("Error handling %s", request.line())
            response = error_response(500, f"Error in mock service: {type(exc).__name__}: {exc}")
        if request.is_admin:
            response.headers.append(("X-Pact-Mock-Service-Location", self.uri))
        add_cors_headers(request, response, self.cors)
        return response

    def log_description(self) -> str:
        """How Ruby's verification text names the log: relative below the cwd."""
        if self.log_file is None:
            return "standard out/err"
        cwd = os.getcwd()
        if self.log_file.startswith(cwd.rstrip(os.sep) + os.sep):
            return os.path.relpath(self.log_file, cwd)
        return self.log_file

    # ---------------------------------------------------------------- direct API

    def clear_interactions(self) -> None:
        """= ``DELETE /interactions``: forget expected and received, keep verified."""
        self._ensure_serving()
        self.session.clear_interactions()

    def set_interactions(self, items: Iterable[Any]) -> List[Interaction]:
        """= ``PUT /interactions``: all or nothing; ValueError on bad input or a clash."""
        self._ensure_serving()
        return self.session.set_interactions(items)

    def add_interaction(self, item: Any) -> Interaction:
        """= ``POST /interactions``."""
        self._ensure_serving()
        return self.session.add_interaction(item)

    def verification(self) -> Verification:
        """= ``GET /interactions/verification``."""
        self._ensure_serving()
        return self.session.verification()

    def missing_interactions(self) -> List[Interaction]:
        self._ensure_serving()
        return self.session.missing_interactions()

    def verified_interactions(self) -> List[Interaction]:
        self._ensure_serving()
        return self.session.verified_interactions()

    def clear_session(self) -> None:
        """= ``DELETE /session``: forget everything, verified interactions too."""
        self._ensure_serving()
        self.session.clear_session()

    def new_write_generation(self) -> None:
        """Start a new write generation: the next overwrite-mode write replaces the file
        (``DELETE /session`` calls it; an explicit run boundary for a long-lived service)."""
        self._generation += 1

    def _write_run_id(self) -> str:
        from ..model.settings import run_id

        return run_id() if not self._generation else f"{run_id()}.session{self._generation}"

    def _pact_args(self, consumer: Optional[str], provider: Optional[str], pact_dir: Optional[str]):
        consumer = consumer or self.consumer
        provider = provider or self.provider
        pact_dir = pact_dir if pact_dir is not None else self.pact_dir
        if not consumer or not provider:
            raise ValueError("You must specify a consumer and provider name")
        if pact_dir is None:
            raise ValueError("Please indicate the directory to write the pact to by "
                             "specifying the pact_dir field")
        return consumer, provider, pact_dir

    def write_pact(self, consumer: Optional[str] = None, provider: Optional[str] = None,
                   pact_dir: Optional[str] = None, *, sync: bool = True) -> Optional[pathlib.Path]:
        """= ``POST /pact``: write the verified interactions; None in write mode "none".

        ``sync=False`` skips the fsync: the file is still replaced atomically (never seen
        half written, even after a crash of this process), only a power cut may lose it.

        Unlike Ruby, a session with nothing verified still writes (an empty interaction
        list in overwrite mode), so a stale file never survives (ruby-mock-service.md §14.14).
        """
        consumer, provider, pact_dir = self._pact_args(consumer, provider, pact_dir)
        self._ensure_serving()
        if self.file_write_mode == "none":
            self.session.mark_written()
            return None
        from .. import pact_file

        with self._write_lock:
            path = pact_file.write_pact(pact_dir, consumer, provider,
                                        self.verified_interactions(), self.specification_version,
                                        self.file_write_mode, self._write_run_id(),
                                        render_cache=self._render_cache, sync=sync)
        self.session.mark_written()
        self.log.info("Wrote pact for %s -> %s to %s", consumer, provider, path)
        return path

    def pact_text(self, consumer: Optional[str] = None, provider: Optional[str] = None,
                  pact_dir: Optional[str] = None) -> str:
        """Write the pact and return its JSON text (what ``POST /pact`` answers)."""
        consumer, provider, pact_dir = self._pact_args(consumer, provider, pact_dir)
        path = self.write_pact(consumer, provider, pact_dir)
        if path is not None:
            return path.read_text(encoding="utf-8")
        from .. import pact_file

        document = pact_file.pact_document(consumer, provider, self.verified_interactions(),
                                           self.specification_version)
        return pact_file.render_pact(document)


if hasattr(os, "register_at_fork"):  # POSIX; Windows has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
