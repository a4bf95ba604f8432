"""The HTTP layer: a threading stdlib server tuned for a test double.

Why not plain ``ThreadingHTTPServer``: every answer must leave in *one* ``send`` with
``TCP_NODELAY`` (or keep-alive clients wait for delayed ACKs, ~40 ms a request, as they do
with WEBrick: ruby-mock-service.md §13); binding must not do a reverse DNS lookup
(``HTTPServer.server_bind`` calls ``getfqdn``); stopping must not wait for a poll interval;
open keep-alive connections must be cut when the service stops; a body over the limit gets
413, and a client that hangs up or stalls mid-request only ever costs its own thread.
"""
from __future__ import annotations

import logging
import selectors
import socket
import socketserver
import ssl
import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, List, Optional, Set
from urllib.parse import urlsplit

from .._version import __version__
from ._http import HttpRequest, Response, error_response

DEFAULT_BODY_LIMIT = 64 * 1024 * 1024
_REASONS = {s.value: s.phrase for s in HTTPStatus}
_SERVER = f"pact_unittest/{__version__}"
#: Headers that frame the answer on the wire: the server sets them itself, so one an
#: interaction registers (it stays in the pact file) is not sent: two Content-Lengths, or a
#: Transfer-Encoding on a body that is not chunked, would hang or confuse the client.
_FRAMING = frozenset(["content-length", "transfer-encoding", "connection"])


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = _SERVER
    disable_nagle_algorithm = True  # StreamRequestHandler sets TCP_NODELAY with this
    wbufsize = 0
    server: "MockHTTPServer"

    def setup(self) -> None:
        # the read timeout is set here, not through the class attribute ``timeout`` that
        # StreamRequestHandler.setup would apply: it is per server, and the TLS handshake
        # needs it first
        self.request.settimeout(self.server.read_timeout)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()
        self.server.track(self.request)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.request)

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = ""
                self.command = ""
                self.close_connection = True
                self._send(error_response(414, "the request line is longer than 64 KiB"), False)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            request = self._read_request()
            if isinstance(request, Response):
                self._send(request, False)
                return
            if request is None:  # the client went away mid-request: nobody to answer
                self.close_connection = True
                return
            response = self.server.app(request)
            self._send(response, request.method.upper() == "HEAD")
        except (socket.timeout, TimeoutError):
            self.server.log.debug("Closed a connection that stalled mid-request for %ss",
                                  self.server.read_timeout)
            self.close_connection = True
        except (ConnectionError, ssl.SSLError, OSError) as exc:
            self.server.log.debug("Connection error: %s", exc)
            self.close_connection = True

    def _read_request(self):  # -> HttpRequest | Response | None
        # the raw target: parse_request collapses a leading "//" in self.path (3.11+),
        # and "//a" is not "/a" for a contract (ruby-mock-service.md §14.13)
        words = self.requestline.split()
        target = words[1] if len(words) >= 2 else self.path
        if "://" in target.split("?", 1)[0]:
            parts = urlsplit(target)
            target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        path, _, query = target.partition("?")
        headers = list(self.headers.items())
        limit = self.server.body_limit
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = self._read_chunked(limit)
        else:
            length_text = self.headers.get("Content-Length")
            try:
                length = int(length_text) if length_text else 0
                if length < 0:
                    raise ValueError
            except ValueError:
                self.close_connection = True
                return error_response(400, f"invalid Content-Length header: {length_text!r}")
            if length > limit:
                return self._too_large(length)
            body = self.rfile.read(length) if length else b""
            if len(body) < length:
                self.server.log.debug("Client hung up after %d of %d body bytes", len(body), length)
                return None
        if isinstance(body, Response) or body is None:
            return body
        return HttpRequest(self.command, path, query, headers, body)

    def _read_chunked(self, limit: int):  # -> bytes | Response | None
        chunks: List[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            if not line:
                return None
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size < 0 or line.lstrip()[:1] in (b"+", b"-"):
                    raise ValueError  # int() takes a sign; a chunk size has none
            except ValueError:
                self.close_connection = True
                return error_response(400, f"invalid chunk size line: {line[:40]!r}")
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > limit:
                return self._too_large(total)
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                return None
            chunks.append(chunk)
            self.rfile.readline(3)

    def _too_large(self, size: int) -> Response:
        self.close_connection = True
        limit = self.server.body_limit
        response = error_response(413, f"the request body ({size} bytes) is over the mock "
                                       f"service's limit of {_mib(limit)} ({limit} bytes)")
        response.close = True
        return response

    def _send(self, response: Response, head: bool) -> None:
        """Status line, headers and body in one buffer, one sendall."""
        if response.close:
            self.close_connection = True
        status = response.status
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}"]
        for name, value in response.headers:
            if name.lower() not in _FRAMING:  # ours win: see _FRAMING
                lines.append(f"{name}: {value}")
        no_body = status in (204, 304) or 100 <= status < 200
        if not no_body:
            lines.append(f"Content-Length: {len(response.body)}")
        lines.append("Date: " + self.server.date())
        lines.append("Server: " + _SERVER)
        lines.append("Connection: " + ("close" if self.close_connection else "keep-alive"))
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        if not head and not no_body:
            data += response.body
        self.request.sendall(data)
        if response.close and not head:
            self._drain()

    def _drain(self) -> None:
        """After a 413, read what the client still sends so closing does not reset the
        connection before it reads the answer."""
        try:
            self.request.shutdown(socket.SHUT_WR)
            self.request.settimeout(1.0)
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline and self.request.recv(65536):
                pass
        except OSError:
            pass

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        # parse_request's errors (bad request line, headers...) in our JSON shape
        self.close_connection = True
        self._send(error_response(code, message or _REASONS.get(code, "error")), False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        self.server.log.debug("%s - %s", self.address_string(), format % args)


class MockHTTPServer(ThreadingHTTPServer):
    """Binds and listens in ``__init__`` (the caller's thread); :meth:`serve` runs the loop."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        host: str,
        port: int,
        app: Callable[[HttpRequest], Response],
        *,
        log: logging.Logger,
        ssl_context: Optional[ssl.SSLContext] = None,
        body_limit: int = DEFAULT_BODY_LIMIT,
        read_timeout: float = 30.0,
    ):
        self.app = app
        self.log = log
        self.ssl_context = ssl_context
        self.body_limit = body_limit
        self.read_timeout = read_timeout
        self._connections: Set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        self._wake_r, self._wake_w = socket.socketpair()
        self._stopping = False
        self._date = ("", 0)
        if ":" in host:
            self.address_family = socket.AF_INET6
        try:
            super().__init__((host, port), _Handler)
        except BaseException:
            self._wake_r.close()
            self._wake_w.close()
            raise

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # no getfqdn(): it can stall on DNS
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def get_request(self):
        sock, address = self.socket.accept()
        if self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request, client_address) -> None:
        self.log.debug("Error serving %s", client_address, exc_info=True)

    def date(self) -> str:
        now = int(time.time())
        if self._date[1] != now:
            self._date = (formatdate(now, usegmt=True), now)
        return self._date[0]

    def track(self, sock: socket.socket) -> None:
        with self._conn_lock:
            self._connections.add(sock)

    def untrack(self, sock: socket.socket) -> None:
        with self._conn_lock:
            self._connections.discard(sock)

    def serve(self) -> None:
        """Accept connections until :meth:`stop`; each is served on its own daemon thread."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ, "accept")
            selector.register(self._wake_r, selectors.EVENT_READ, "wake")
            while not self._stopping:
                for key, _ in selector.select():
                    if key.data == "wake" or self._stopping:
                        return
                    try:
                        request, address = self.get_request()
                    except OSError:
                        continue
                    try:
                        self.process_request(request, address)
                    except Exception:
                        self.handle_error(request, address)
                        self.shutdown_request(request)

    def stop(self) -> None:
        """Stop accepting, cut open connections (keep-alive ones too) and close the socket."""
        self._stopping = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def close_inherited(self) -> None:
        """In a forked child: close this process's copies of the server's sockets, touching
        nothing the parent still serves with.

        Only ``close()``: it releases the child's descriptor, while ``shutdown()`` would
        act on the socket both processes share and cut the parent's connections. Without
        this the child would keep the parent's port bound after the parent stops.
        """
        with self._conn_lock:
            connections = list(self._connections)
            self._connections.clear()
        for sock in [self.socket, self._wake_r, self._wake_w] + connections:
            try:
                sock.close()
            except OSError:
                pass

    def close(self) -> None:
        self.server_close()
        with self._conn_lock:
            connections = list(self._connections)
            self._connections.clear()
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._wake_r.close()
        self._wake_w.close()
