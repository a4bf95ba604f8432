"""The threaded stdlib HTTP server that the tests' fake servers share.

``tests/fake_broker.py`` (a fake Pact Broker) and ``tests/provider_app.py`` (a provider for
the verifiers) both run a ``ThreadingHTTPServer`` in a daemon thread on loopback; the
start/stop/with-block plumbing and the quiet, body-reading request handler live here once
so both stop the same way (shutdown, then close the socket) and neither logs to stderr.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional, Tuple


class ThreadedServer:
    """Mixin: ``start()`` (defined by the subclass via :meth:`_serve`), ``stop()``, ``with``."""

    _server: Optional[ThreadingHTTPServer] = None
    _thread: Optional[threading.Thread] = None

    def start(self) -> Any:
        raise NotImplementedError("each server binds in its own start(), through _serve()")

    def _serve(self, address: Tuple[str, int], handler: type, *, name: str,
               ssl_context: Any = None, poll_interval: float = 0.5) -> ThreadingHTTPServer:
        """Bind ``address`` (port 0: any free port), optionally TLS-wrap, serve in a thread.

        ``name`` may hold ``{port}``: the thread name then carries the port actually bound.
        """
        server = ThreadingHTTPServer(address, handler)
        server.daemon_threads = True
        if ssl_context is not None:
            server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(poll_interval,),
                                        name=name.format(port=server.server_address[1]),
                                        daemon=True)
        self._thread.start()
        return server

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps test output quiet and reads the request body."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass  # tests read what the server recorded instead

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


def body_bytes(body: Any) -> Optional[bytes]:
    """A canned answer's body as bytes: None stays None, text is UTF-8, other data JSON."""
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")
