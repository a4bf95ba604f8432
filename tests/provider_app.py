"""A small real provider HTTP app for provider-verifier tests.

The official verifiers (Ruby ``pact-provider-verifier``, Rust ``pact verifier``) replay a
pact's requests against a running provider, so the pact files we write are only proven
good when a real server that honours the contract passes them (and one that breaks it
fails). This is that server: stdlib ``http.server`` in a daemon thread on 127.0.0.1, port 0,
with routes given as data, plus a provider-states endpoint in both verifiers' dialects:

* Ruby POSTs ``{"consumer": ..., "state": "x", "states": ["x"], "params": {}}``;
* Rust POSTs ``{"action": "setup"|"teardown", "state": "x", "params": {...}}``.

A route may require a provider state: it then answers only while that state is set up,
so a verifier that skipped the state change fails, which is what we want to notice. A state
named in ``failing_states`` makes the states endpoint answer ``failing_status`` (500: a state
setup that fails).
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Pattern, Union
from urllib.parse import parse_qs, urlsplit

from _http_test_server import QuietHandler, ThreadedServer, body_bytes

STATES_PATH = "/_pact/provider-states"


@dataclass
class Route:
    """One canned answer: ``method path`` (a string, or a compiled regex matched fully)."""

    method: str
    path: Union[str, Pattern[str]]
    status: int = 200
    body: Any = None
    headers: Dict[str, str] = field(default_factory=dict)
    state: Optional[str] = None              # answer only while this state is set up
    query: Optional[Dict[str, List[str]]] = None  # required query parameters, exactly

    def matches(self, method: str, path: str, query: Dict[str, List[str]],
                states: List[str]) -> bool:
        if method.upper() != self.method.upper():
            return False
        if isinstance(self.path, str):
            if path != self.path:
                return False
        elif not self.path.fullmatch(path):
            return False
        if self.query is not None and query != self.query:
            return False
        return self.state is None or self.state in states


class ProviderApp(ThreadedServer):
    """The provider under verification. ``with ProviderApp(routes) as app: app.base_url``."""

    def __init__(self, routes: Optional[List[Route]] = None,
                 failing_states: Optional[List[str]] = None, failing_status: int = 500) -> None:
        self.routes: List[Route] = list(routes or [])
        self.failing_states = set(failing_states or [])
        self.failing_status = failing_status
        self.states: List[str] = []            # currently set up
        self.state_calls: List[Dict[str, Any]] = []  # every states request, for assertions
        self.requests: List[str] = []          # "GET /path?query" of every provider request
        self._lock = threading.Lock()

    # -- lifecycle (stop, with-block: ThreadedServer) -----------------------------------
    def start(self) -> "ProviderApp":
        self._serve(("127.0.0.1", 0), self._handler_class(), name="provider-app")
        return self

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        assert self._server is not None, "ProviderApp not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def states_url(self) -> str:
        return self.base_url + STATES_PATH

    def add(self, method: str, path: Union[str, Pattern[str]], status: int = 200,
            body: Any = None, headers: Optional[Dict[str, str]] = None, **kw: Any) -> Route:
        route = Route(method, path, status, body, dict(headers or {}), **kw)
        self.routes.append(route)
        return route

    # -- request handling ------------------------------------------------------------
    def _state_change(self, payload: Dict[str, Any], query: Dict[str, List[str]]) -> bool:
        """Record a state change; False when it names a state of ``failing_states``."""
        data = dict(payload)
        for key, values in query.items():  # --state-change-as-query
            data.setdefault(key, values[0])
        with self._lock:
            self.state_calls.append(data)
            names = list(data.get("states") or [])
            if data.get("state") and data["state"] not in names:
                names.append(data["state"])
            if self.failing_states.intersection(n for n in names if n):
                return False
            if data.get("action") == "teardown":
                self.states = [s for s in self.states if s not in names]
            elif "action" in data:  # Rust: one setup call per state
                self.states.extend(n for n in names if n not in self.states)
            else:  # Ruby: one call per interaction that sets exactly its states
                self.states = names
        return True

    def _answer(self, method: str, raw_path: str) -> Route:
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query, keep_blank_values=True)
        with self._lock:
            self.requests.append(f"{method} {raw_path}")
            states = list(self.states)
        for route in self.routes:
            if route.matches(method, parts.path, query, states):
                return route
        return Route(method, parts.path, 404, {"error": f"no route for {method} {raw_path}",
                                               "states": states},
                     {"Content-Type": "application/json"})

    def _handler_class(self) -> type:
        app = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"
            # headers and body leave in two writes: without TCP_NODELAY each answer waits
            # ~40 ms for the client's delayed ACK (Nagle), which dominated verifier runs
            disable_nagle_algorithm = True

            def _send(self, status: int, headers: Dict[str, str], body: Any) -> None:
                data = body_bytes(body) or b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def _dispatch(self) -> None:
                raw = self._read_body()
                parts = urlsplit(self.path)
                if parts.path == STATES_PATH and self.command == "POST":
                    try:
                        payload = json.loads(raw.decode("utf-8")) if raw else {}
                    except ValueError:
                        payload = {}
                    if app._state_change(payload, parse_qs(parts.query)):
                        self._send(200, {"Content-Type": "application/json"}, {})
                    else:
                        self._send(app.failing_status, {"Content-Type": "application/json"},
                                   {"error": "the state setup failed"})
                    return
                route = app._answer(self.command, self.path)
                self._send(route.status, route.headers, route.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch

        return Handler


def path_regex(pattern: str) -> Pattern[str]:
    """A compiled route path pattern (full match), for routes like ``/users/\\d+``."""
    return re.compile(pattern)
