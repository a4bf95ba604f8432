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
* :class:`~pact_unittest.v2.process.ProcessBackend` spawns a standalone service
  (ours by default, or any command such as Ruby's ``pact-mock-service``) and talks to it as
  :class:`HttpBackend`; it and its process supervision live in
  :mod:`pact_unittest.v2.process`, which builds on this module.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from typing import Any, Dict, List, Optional, Tuple

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool

__unittest = True

log = logging.getLogger(__name__)

#: The header that marks a request as an admin request (Ruby accepts any value).
ADMIN_HEADERS = {"X-Pact-Mock-Service": "true"}



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

    def write_pact(self, durable: bool = True) -> Optional[int]:
        """Write the pact file; its size in bytes when known. ``durable=False`` may skip
        the fsync (the replacement stays atomic: see :mod:`~pact_unittest.v2.write_schedule`)."""
        raise NotImplementedError


def _raise_if_failed(verification: Any) -> None:
    if not verification.ok:
        raise AssertionError(verification.describe())


class EmbeddedBackend(Backend):
    """Our mock service in this process, driven by direct calls.

    Two backends of one process asking for the same fixed ``host:port`` share one service
    (see :func:`_acquire_shared`); ``port=0`` always gets a service of its own. ``uri`` is
    read from the service each time, so in a forked child, where a service started with
    port 0 restarts on a new port (see :mod:`pact_unittest.mock_service._service`), it
    names the child's own service.
    """

    def __init__(self, **service_options: Any) -> None:
        self._options = service_options
        self._service: Any = None
        host = service_options.get("host", "localhost")
        port = service_options.get("port", 0)
        scheme = "https" if service_options.get("ssl") else "http"
        self._uri = f"{scheme}://{host}:{port}"

    @property
    def uri(self) -> str:
        """The running service's address (its real port for port 0), else the asked one."""
        service = self._service
        return service.uri if service is not None else self._uri

    @uri.setter
    def uri(self, value: str) -> None:
        self._uri = value

    @property
    def service(self) -> Any:
        """The running :class:`~pact_unittest.mock_service.MockService` (None when stopped)."""
        return self._service

    def start(self) -> None:
        if self._service is not None:
            return
        self._service = _acquire_shared(self._options)

    def stop(self) -> None:
        service, self._service = self._service, None
        if service is not None:
            _release_shared(service)

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

    def write_pact(self, durable: bool = True) -> Optional[int]:
        path = self._running().write_pact(sync=durable)
        try:
            return os.path.getsize(path) if path is not None else None
        except OSError:
            return None


class _Shared:
    """An embedded service on a fixed port and how many backends use it."""

    def __init__(self, service: Any, options: Dict[str, Any]) -> None:
        self.service = service
        self.options = options
        self.users = 1


#: (host, port) -> the embedded service this process runs there, for fixed ports only.
_shared: Dict[Tuple[str, int], _Shared] = {}
_shared_lock = threading.Lock()


def _start_service(options: Dict[str, Any]) -> Any:
    from ..mock_service import MockService

    host, port = options.get("host"), options.get("port")
    service = MockService(**options)
    try:
        service.start()
    except OSError as exc:
        if str(port) in str(exc):
            raise
        raise OSError(
            exc.errno, f"cannot start the pact mock service on {host}:{port}: {exc}"
        ) from exc
    return service


def _acquire_shared(options: Dict[str, Any]) -> Any:
    """A started service for ``options``; on a fixed port, the one already there if any.

    pact-python v2 suites often start one ``Pact`` per test module on the default port
    1234. With v2, the second module's Ruby process failed to bind unnoticed and its Pact
    talked to the first module's service. Here the second Pact shares the first one's
    service when the settings are the same (the users are counted; the last ``stop``
    stops it), and gets an error naming both settings when they differ, rather than
    registering its interactions with a service that writes another pact.
    """
    port = int(options.get("port") or 0)
    if port == 0:
        return _start_service(options)
    key = (str(options.get("host")), port)
    with _shared_lock:
        entry = _shared.get(key)
        if entry is not None and not entry.service.running and not entry.service.detached_by_fork:
            entry = None  # stopped by someone else: start afresh
        if entry is None:
            service = _start_service(options)
            _shared[key] = _Shared(service, dict(options))
            return service
        if entry.options != options:
            raise ValueError(_settings_clash(key, entry.options, options))
        entry.users += 1
        return entry.service


def _release_shared(service: Any) -> None:
    """One user less; the service stops with its last user."""
    with _shared_lock:
        for key, entry in list(_shared.items()):
            if entry.service is service:
                entry.users -= 1
                if entry.users > 0:
                    return
                del _shared[key]
                break
    service.stop()


def _settings_clash(key: Tuple[str, int], theirs: Dict[str, Any], ours: Dict[str, Any]) -> str:
    differ = sorted(name for name in set(theirs) | set(ours) if theirs.get(name) != ours.get(name))
    shown = ", ".join(f"{name}={theirs.get(name)!r}" for name in differ)
    wanted = ", ".join(f"{name}={ours.get(name)!r}" for name in differ)
    return (
        f"another Pact of this process already runs the embedded mock service on "
        f"{key[0]}:{key[1]} with other settings ({shown}; this Pact has {wanted}), and one "
        "service on one port cannot serve both. Use one shared Pact for both (define it in "
        "one module and import it), or port=0 to give each Pact its own free port."
    )


def _reset_shared_after_fork() -> None:
    # A parent thread may have held the lock at the fork; the entries stay (their services
    # restart on first use, or say why they cannot: see mock_service._service).
    global _shared_lock
    _shared_lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX; Windows has no fork
    os.register_at_fork(after_in_child=_reset_shared_after_fork)


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

    def write_pact(self, durable: bool = True) -> Optional[int]:
        return len(self._admin("POST", "/pact").content)


def _verification_from(resp: requests.Response) -> Any:
    """Rebuild our service's Verification from its JSON answer; None if it is not one.

    None sends :meth:`HttpBackend.verify` down the text path (another service's answer,
    judged by its status code), as for any answer that is not our JSON.
    """
    from ..model import Verification

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
