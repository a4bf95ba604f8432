"""The provider the provider features verify: a real HTTP server on 127.0.0.1 in a thread.

"A provider is started that returns the response(s) from interaction(s) N" becomes a
:class:`ProviderStub` holding canned answers by method, path and query; a request that
none of them answers gets a 500 naming what was asked (as a Pact mock provider answers an
unexpected request), so a pact whose request the provider does not serve fails on its
status. Every request is appended to a shared event list, next to the state callback's
calls, so steps can check the order "state setup, request, teardown".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

from _http_test_server import QuietHandler, ThreadedServer


@dataclass
class Canned:
    """One answer of the provider (the response of one interaction, changes applied)."""

    method: str
    path: str
    query: str
    status: int
    headers: List[Tuple[str, str]]
    body: bytes


class ProviderStub(ThreadedServer):
    """Answers the requests of the given interactions; records every request in ``events``."""

    def __init__(self, answers: List[Canned], events: List[Any]) -> None:
        self.answers = answers
        self.events = events
        self.url = ""

    def start(self) -> "ProviderStub":
        stub = self

        class Handler(QuietHandler):
            def _answer(self) -> None:
                path, _, query = self.path.partition("?")
                body = self._read_body()
                stub.events.append(("request", self.command, path, query,
                                    [(k, v) for k, v in self.headers.items()], body))
                found = next((a for a in stub.answers if a.method == self.command
                              and a.path == path and _same_query(a.query, query)), None)
                if found is None:
                    text = f"no interaction of this provider answers {self.command} {self.path}"
                    self._send(500, [("Content-Type", "text/plain")], text.encode("utf-8"))
                    return
                self._send(found.status, found.headers, found.body)

            def _send(self, status: int, headers: List[Tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _answer

        server = self._serve(("127.0.0.1", 0), Handler, name="compat-provider-{port}",
                             poll_interval=0.05)
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        return self

    def requests(self) -> List[Dict[str, Any]]:
        """The requests received, in order, as dicts (method, path, query, headers, body)."""
        return [dict(zip(("method", "path", "query", "headers", "body"), event[1:]))
                for event in self.events if event[0] == "request"]


def _same_query(expected: str, actual: str) -> bool:
    return sorted(filter(None, expected.split("&"))) == sorted(filter(None, actual.split("&")))
