"""How the verifier reaches the provider: over HTTP, or a WSGI application called in process.

Calling a WSGI application directly (as pact-jvm verifies against MockMvc) needs no socket
and no thread, so a Django ``TestCase`` can verify inside its own transaction: the state a
test method wrote is what the view reads. Both transports answer with a
:class:`ProviderResponse`; a transport failure is a :class:`ProviderUnreachable` naming the
target and the cause.
"""
from __future__ import annotations

import base64
import http.client
import io
import socket
import ssl
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import unquote, urlsplit

from .request import ProviderRequest

__all__ = ["ProviderResponse", "ProviderUnreachable", "HttpTransport", "WsgiTransport", "Transport", "transport_for",
           "MessagesOnlyTransport"]


class ProviderUnreachable(Exception):
    """The provider could not be asked (connection refused, timeout, WSGI app raised)."""


@dataclass
class ProviderResponse:
    status: int
    headers: List[Tuple[str, str]]
    body: bytes


class Transport:
    """Sends one :class:`ProviderRequest` and returns the provider's answer."""

    description = "the provider"

    def send(self, request: ProviderRequest) -> ProviderResponse:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        """Free what the transport holds (connections)."""


class HttpTransport(Transport):
    """A provider at a base URL (``http://localhost:8000``, ``https://...``, a path prefix
    too): one keep-alive ``http.client`` connection for all requests.

    ``http.client`` rather than ``requests``: a verification is thousands of small requests
    to one host, and ``requests`` costs about a millisecond more per request for features
    a provider under test does not need (proxies from the environment, cookies, redirects
    -- a 302 is compared as a 302, not followed). TLS certificates are verified with the
    system's trust store unless ``verify_tls=False``. A keep-alive connection the provider
    closed while idle is reopened once; every other failure is a
    :class:`ProviderUnreachable` naming the URL and the cause.
    """

    def __init__(self, base_url: str, timeout: float = 30.0, verify_tls: bool = True):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"provider base URL must be an http(s):// URL, got {base_url!r}")
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.base_url = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{self.prefix}"
        self.description = self.base_url
        self.timeout = timeout
        self.verify_tls = verify_tls
        self._auth: Optional[str] = None
        if parts.username is not None:   # http://user:password@host: basic auth
            raw = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode("utf-8")
            self._auth = "Basic " + base64.b64encode(raw).decode("ascii")
        self._connection: Optional[http.client.HTTPConnection] = None
        self._used = False

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            if self.scheme == "https":
                context = ssl.create_default_context()
                if not self.verify_tls:
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                self._connection = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=context)
            else:
                self._connection = http.client.HTTPConnection(self.host, self.port,
                                                              timeout=self.timeout)
            self._used = False
        return self._connection

    def send(self, request: ProviderRequest) -> ProviderResponse:
        path = (self.prefix + request.path) or "/"
        target = path + ("?" + request.query if request.query else "")
        where = f"{request.method} {self.base_url}{request.target}"
        headers = dict(request.headers)
        if self._auth and not any(k.lower() == "authorization" for k in headers):
            headers["Authorization"] = self._auth
        for attempt in (1, 2):
            connection = self._connect()
            reused = self._used
            try:
                connection.request(request.method, target, body=request.body or None,
                                   headers=headers)
                answer = connection.getresponse()
                body = answer.read()
            except socket.timeout:
                self.close()
                raise ProviderUnreachable(f"{where}: no answer within {self.timeout:g} s") from None
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self.close()
                if attempt == 1 and reused:   # the provider closed an idle keep-alive connection
                    continue
                raise ProviderUnreachable(f"{where}: {type(exc).__name__}: {exc}") from None
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise ProviderUnreachable(f"{where}: {type(exc).__name__}: {exc}") from None
            self._used = True
            if answer.will_close:
                self.close()
            return ProviderResponse(answer.status, list(answer.getheaders()), body)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class WsgiTransport(Transport):
    """A WSGI application called in this process and thread (no socket)."""

    def __init__(self, app: Callable[..., Any], host: str = "testserver"):
        self.app = app
        self.host = host
        self.description = f"WSGI application {getattr(app, '__name__', type(app).__name__)}"

    def send(self, request: ProviderRequest) -> ProviderResponse:
        environ = self._environ(request)
        captured: Dict[str, Any] = {}

        def start_response(status: str, headers: List[Tuple[str, str]], exc_info: Any = None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: captured.setdefault("written", []).append(data)

        try:
            result = self.app(environ, start_response)
            try:
                chunks = list(captured.pop("written", [])) + [bytes(c) for c in result]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception as exc:
            raise ProviderUnreachable(
                f"{request.method} {request.target}: the WSGI application raised "
                f"{type(exc).__name__}: {exc}") from exc
        if "status" not in captured:
            raise ProviderUnreachable(f"{request.method} {request.target}: the WSGI "
                                      "application returned without calling start_response")
        return ProviderResponse(int(str(captured["status"]).split(" ", 1)[0]),
                                list(captured["headers"]), b"".join(chunks))

    def _environ(self, request: ProviderRequest) -> Dict[str, Any]:
        environ: Dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(request.path).encode("utf-8").decode("latin-1"),
            "QUERY_STRING": request.query,
            "SERVER_NAME": self.host,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": self.host,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(request.body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(request.body)) if request.body else "",
        }
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value
            else:
                key = "HTTP_" + key
                environ[key] = environ[key] + "," + value if key in environ and key != "HTTP_HOST" else value
        return environ


def _no_http(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    start_response("501 Not Implemented", [("Content-Type", "text/plain")])
    return [b"this verification has message producers only: no HTTP provider was given"]


class MessagesOnlyTransport(WsgiTransport):
    """The 'provider' of a verification that has message producers and no HTTP provider:
    an HTTP interaction gets a 501 answer saying so (and fails)."""

    def __init__(self) -> None:
        super().__init__(_no_http)
        self.description = "no HTTP provider (message producers only)"


def transport_for(target: Any, timeout: float = 30.0) -> Transport:
    """A transport for a base URL, a WSGI application or a ready :class:`Transport`."""
    if isinstance(target, Transport):
        return target
    if isinstance(target, str):
        return HttpTransport(target, timeout=timeout)
    if callable(target):
        return WsgiTransport(target)
    raise TypeError(f"a provider must be a base URL, a WSGI application or a Transport, "
                    f"got {type(target).__name__}")

