"""``pact-unittest stub PACT_URI...``: the Ruby ``pact-stub-service``, in Python.

Serves the responses of the interactions of the given pacts (files, directories of
``*.json``, or http(s) URLs, with broker credentials) to any client, on the mock service's
HTTP server (one ``send`` per answer, TLS, clean stop). It keeps no session: every request
is matched afresh.

Which interaction answers: every interaction whose request the matching engine
(:func:`pact_unittest.matching.match_request`, with each pact's own specification rules,
v3/v4 matchers included, which Ruby's stub ignores) finds satisfied. Among several, the
**most specific** wins, deterministically: the one whose expected request pins the most
(query parameters + headers + body values), then the one with fewer matching rules (exact
values beat matchers), then the lower response status (Ruby's only rule), then description
and provider state in alphabetical order. Response generators (spec 3/4) are applied.

Nothing matches: 404 with ``{"message", "closest": [...]}``: up to three interactions whose
method and path come nearest, each with its mismatches. ``-o/--cors``: OPTIONS preflights
are answered and every answer carries CORS headers.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..model import Interaction, normalize_spec_version, parse_interaction
from ..pact_file.reader import parse_pact
from ._cors import add_cors_headers, preflight
from ._http import HttpRequest, Response, json_response
from ._replay import ActualRequest, compare, render_response
from ._server import MockHTTPServer
from ._tls import server_context

logger = logging.getLogger("pact_unittest.stub")
_ROUTE = ("method", "path")


def _spec_version(document: Dict[str, Any]) -> str:
    meta = document.get("metadata") or {}
    for key in ("pactSpecification", "pact-specification"):
        value = meta.get(key)
        if isinstance(value, dict) and value.get("version"):
            return normalize_spec_version(str(value["version"]))
    if meta.get("pactSpecificationVersion"):
        return normalize_spec_version(str(meta["pactSpecificationVersion"]))
    return "2.0.0"


def _fetch(uri: str, auth: Any, token: Optional[str]) -> bytes:
    import requests  # only pacts given as URLs need it: keep start-up fast

    headers = {"Accept": "application/hal+json, application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        reply = requests.get(uri, headers=headers, auth=None if token else auth, timeout=30)
    except requests.RequestException as exc:
        raise ValueError(f"cannot fetch pact {uri}: {type(exc).__name__}") from None
    if reply.status_code != 200:
        raise ValueError(f"cannot fetch pact {uri}: HTTP {reply.status_code}")
    return reply.content


def pact_sources(uris: Sequence[str]) -> List[str]:
    """Files and URLs: a directory stands for its ``*.json`` files, sorted."""
    found: List[str] = []
    for uri in uris:
        if uri.startswith(("http://", "https://")) or os.path.isfile(uri):
            found.append(uri)
        elif os.path.isdir(uri):
            found.extend(sorted(os.path.join(uri, n) for n in os.listdir(uri) if n.endswith(".json")))
        else:
            raise ValueError(f"pact {uri!r} is neither a file, a directory nor an http(s) URL")
    return found


def load_interactions(uris: Sequence[str], username: Optional[str] = None,
                      password: Optional[str] = None,
                      token: Optional[str] = None) -> List[Interaction]:
    """Every HTTP interaction of the pacts, each in its own pact's specification version."""
    auth = (username, password or "") if username else None
    out: List[Interaction] = []
    for source in pact_sources(uris):
        if source.startswith(("http://", "https://")):
            raw = _fetch(source, auth, token or os.environ.get("PACT_BROKER_TOKEN"))
        else:
            with open(source, "rb") as handle:
                raw = handle.read()
        document = parse_pact(raw, source)  # type: ignore[arg-type]
        spec = _spec_version(document)
        for item in document.get("interactions") or []:
            if isinstance(item, dict) and item.get("type") not in (None, "Synchronous/HTTP"):
                continue  # messages are not served over HTTP
            try:
                out.append(parse_interaction(item, spec))
            except ValueError as exc:
                raise ValueError(f"{source}: {exc}") from None
    return out


def _leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values()) or 1
    if isinstance(value, list):
        return sum(_leaves(v) for v in value) or 1
    return 1


def _rule_count(request: Dict[str, Any]) -> int:
    rules = request.get("matchingRules") or {}
    return sum(len(v) if isinstance(v, dict) and "matchers" not in v else 1
               for v in rules.values()) if isinstance(rules, dict) else 0


def specificity(interaction: Interaction) -> Tuple[Any, ...]:
    """Sort key: smaller is preferred (see the module docstring for the rule)."""
    req = interaction.request
    query = req.get("query")
    pinned = (len(query) if isinstance(query, dict) else len(str(query).split("&")) if query else 0)
    pinned += len(req.get("headers") or {})
    if "body" in req:
        pinned += _leaves(req["body"])
    return (-pinned, _rule_count(req), int(interaction.response.get("status", 200)),
            interaction.description, interaction.provider_state or "")


class StubService:
    """The stub on a real socket: ``start()``, ``port``, ``uri``, ``stop()``; or a with-block."""

    def __init__(self, interactions: Iterable[Interaction], *, host: str = "localhost",
                 port: int = 0, cors: bool = False, ssl: bool = False,
                 sslcert: Optional[str] = None, sslkey: Optional[str] = None) -> None:
        self.interactions = sorted(interactions, key=specificity)
        self.host, self.cors = host, cors
        context = server_context(host, sslcert, sslkey) if (ssl or sslcert or sslkey) else None
        self.scheme = "https" if context is not None else "http"
        self._server = MockHTTPServer(host, port, self.handle, log=logger, ssl_context=context)
        self._thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def uri(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self) -> "StubService":
        self._thread = threading.Thread(target=self._server.serve, name="pact-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(5)
        self._server.close()

    def __enter__(self) -> "StubService":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def handle(self, request: HttpRequest) -> Response:
        answer = preflight(request, self.cors, self.interactions)
        if answer is None:
            answer = self._answer(request)
        add_cors_headers(request, answer, self.cors)
        return answer

    @staticmethod
    def _may_match(interaction: Interaction, actual: ActualRequest) -> bool:
        """A cheap pre-check (method, and a literal path), so that a request is compared in
        full only with the interactions that can match it."""
        req = interaction.request
        if str(req.get("method", "")).upper() != actual.method:
            return False
        rules = req.get("matchingRules") or {}
        if "path" in rules or "$.path" in rules:
            return True
        return req.get("path") in (actual.path, actual.raw_path)

    def _answer(self, request: HttpRequest) -> Response:
        actual = ActualRequest(request)
        for interaction in self.interactions:  # most specific first
            if not self._may_match(interaction, actual):
                continue
            if not compare(actual, interaction, False):
                logger.info("%s -> %s", request.line(), interaction.label())
                context = {"mockServer": {"href": self.uri, "port": self.port}}
                return render_response(interaction, request, context)
        near: List[Tuple[Tuple[int, int], Interaction, List[Any]]] = []
        for interaction in self.interactions:
            mismatches = compare(actual, interaction, False)
            route = sum(1 for m in mismatches if m.kind in _ROUTE)
            near.append(((route, len(mismatches)), interaction, mismatches))
        near.sort(key=lambda item: item[0])
        logger.warning("No interaction found for %s", request.line())
        return json_response(404, {
            "message": f"No interaction found for {request.line()}",
            "closest": [{"description": i.description, "providerState": i.provider_state,
                         "request": {"method": i.request.get("method"), "path": i.request.get("path")},
                         "mismatches": [m.message for m in ms]} for _, i, ms in near[:3]],
        })


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``stub`` on the ``pact-unittest`` dispatcher (Ruby pact-stub-service's flags)."""
    text = "Serve the responses of pact files to any client (like `pact-stub-service`)."
    parser = subparsers.add_parser("stub", help=text, description=text, add_help=False)
    parser.add_argument("--help", action="help", help="show this help message and exit")
    parser.add_argument("pact_uris", nargs="+", metavar="PACT_URI",
                        help="pact files, directories of them, or http(s) URLs")
    parser.add_argument("-p", "--port", type=int, default=0, help="port (default 0: any free "
                        "port; the port is printed as port=NNNN)")
    parser.add_argument("-h", "--host", default="localhost", help="host to bind (default localhost)")
    parser.add_argument("-l", "--log", help="file to log to (default stderr)")
    parser.add_argument("--log-level", default="INFO", type=str.upper,
                        choices=("DEBUG", "INFO", "WARN", "ERROR"))
    parser.add_argument("-o", "--cors", nargs="?", const="true", default=None,
                        help="answer CORS preflights and add CORS headers")
    parser.add_argument("--ssl", action="store_true", help="https with a self-signed certificate")
    parser.add_argument("--sslcert", help="certificate file for https")
    parser.add_argument("--sslkey", help="private key file for https")
    parser.add_argument("-n", "--broker-username", help="basic auth username for pact URLs")
    parser.add_argument("--broker-password", help="basic auth password for pact URLs")
    parser.add_argument("-k", "--broker-token", help="bearer token for pact URLs [env "
                        "PACT_BROKER_TOKEN]")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    level = {"WARN": logging.WARNING}.get(args.log_level) or getattr(logging, args.log_level)
    handler: logging.Handler = (logging.FileHandler(args.log) if args.log
                                else logging.StreamHandler(sys.stderr))
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        interactions = load_interactions(args.pact_uris, args.broker_username,
                                         args.broker_password, args.broker_token)
        cors = args.cors is not None and args.cors.lower() not in ("false", "no", "0")
        service = StubService(interactions, host=args.host, port=args.port, cors=cors,
                              ssl=args.ssl, sslcert=args.sslcert, sslkey=args.sslkey).start()
    except (OSError, ValueError) as exc:
        print(f"pact-unittest stub: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"port={service.port}", flush=True)
    logger.info("Stub service with %d interaction(s) listening on %s", len(interactions),
                service.uri)
    while not stop.wait(3600):
        pass
    service.stop()
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="pact-unittest")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["stub", *(sys.argv[1:] if argv is None else argv)])
    return run(args)


__all__ = ["StubService", "load_interactions", "specificity", "add_parser", "main"]
