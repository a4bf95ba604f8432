"""CORS: Ruby's with ``cors`` on (ruby-mock-service.md §11), closed without it.

* With ``cors`` on, an OPTIONS request is answered as a preflight, *unless* an OPTIONS
  interaction is registered for that path (Ruby swallows those: §14.12), and every
  response carries ``Access-Control-Allow-Origin`` (the request's ``Origin``) and
  ``-Credentials``, error answers too. A browser suite needs that, and it lets any page
  open in that browser drive the admin API: the docs say so.
* Without it, the admin API answers no cross-origin request: a preflight for it (its
  ``Access-Control-Request-Headers`` names ``x-pact-mock-service``) and an admin request
  whose ``Origin`` is not the service itself get 403 naming ``--cors``, and no answer
  carries CORS headers. Ruby answers admin preflights always and reflects any origin, so
  a web page could register interactions and make it write files (issue 14).
"""
from __future__ import annotations

import re
from typing import Iterable, Optional
from urllib.parse import unquote, urlsplit

from ..model import Interaction
from ._http import HttpRequest, Response, error_response

ALLOW_METHODS = "DELETE, POST, GET, HEAD, PUT, TRACE, CONNECT, PATCH"
ADMIN_PATHS = frozenset(["", "/session", "/interactions", "/interactions/missing",
                         "/interactions/verification", "/log", "/pact"])
_ADMIN_PREFLIGHT = re.compile("x-pact-mock-service", re.IGNORECASE)


def _has_options_interaction(path: str, expected: Iterable[Interaction]) -> bool:
    decoded = unquote(path)
    for interaction in expected:
        req = interaction.request
        if str(req.get("method", "")).upper() == "OPTIONS" and req.get("path") in (path, decoded):
            return True
    return False


def preflight(request: HttpRequest, cors: bool, expected: Iterable[Interaction]) -> Optional[Response]:
    """The answer to a CORS preflight, or None when the request is not one we answer."""
    if request.method.upper() != "OPTIONS":
        return None
    requested = request.header("Access-Control-Request-Headers")
    admin = bool(requested and _ADMIN_PREFLIGHT.search(requested))
    if cors:
        if _has_options_interaction(request.path, expected):
            return None
    elif admin and (request.path.rstrip("/") in ADMIN_PATHS or request.path == "/"):
        return _refused("preflight")
    else:
        return None
    return Response(200, [
        ("Access-Control-Allow-Origin", request.header("Origin") or "*"),
        ("Access-Control-Allow-Headers", requested or "*"),
        ("Access-Control-Allow-Methods", ALLOW_METHODS),
    ])


def _refused(what: str) -> Response:
    return error_response(403, f"cross-origin {what} to the mock service's admin API refused: "
                               "start the service with --cors (cors=True) to allow browser "
                               "pages to drive it")


def _same_origin(request: HttpRequest) -> bool:
    """``Origin`` names this service (its host and port as the client reached it)."""
    origin = request.header("Origin")
    if origin is None:
        return True  # not a browser's cross-origin request (curl, requests, pact clients)
    host = request.header("Host")
    return host is not None and urlsplit(origin).netloc.lower() == host.lower()


def refuse_cross_origin(request: HttpRequest, cors: bool) -> Optional[Response]:
    """Without ``cors``: 403 for an admin request sent from another origin; else None."""
    if cors or not request.is_admin or _same_origin(request):
        return None
    return _refused("request")


def add_cors_headers(request: HttpRequest, response: Response, cors: bool) -> None:
    """Ruby's CorsOriginHeaderMiddleware, with ``cors`` only (see the module docstring)."""
    if not cors:
        return
    if not response.has_header("Access-Control-Allow-Origin"):
        response.headers.append(("Access-Control-Allow-Origin", request.header("Origin") or "*"))
    if not response.has_header("Access-Control-Allow-Credentials"):
        response.headers.append(("Access-Control-Allow-Credentials", "true"))
