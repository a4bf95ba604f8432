"""CORS as the Ruby service does it (ruby-mock-service.md §11), minus its OPTIONS traps.

* With ``cors`` on, an OPTIONS request is answered as a preflight, *unless* an OPTIONS
  interaction is registered for that path (Ruby swallows those: §14.12).
* Without it, only a preflight for the admin API is answered (its
  ``Access-Control-Request-Headers`` names ``x-pact-mock-service``), and only on admin
  paths (Ruby answers it on any path: §14.12).
* Every response to an admin request, and with ``cors`` every response at all, carries
  ``Access-Control-Allow-Origin`` and ``-Credentials``. Unlike Ruby, error answers too.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional
from urllib.parse import unquote

from ..model import Interaction
from ._http import HttpRequest, Response

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
    elif not (admin and request.path.rstrip("/") in ADMIN_PATHS or admin and request.path == "/"):
        return None
    return Response(200, [
        ("Access-Control-Allow-Origin", request.header("Origin") or "*"),
        ("Access-Control-Allow-Headers", requested or "*"),
        ("Access-Control-Allow-Methods", ALLOW_METHODS),
    ])


def add_cors_headers(request: HttpRequest, response: Response, cors: bool) -> None:
    """Ruby's CorsOriginHeaderMiddleware: on admin requests, and on all with ``cors``."""
    if not (cors or request.is_admin):
        return
    if not response.has_header("Access-Control-Allow-Origin"):
        response.headers.append(("Access-Control-Allow-Origin", request.header("Origin") or "*"))
    if not response.has_header("Access-Control-Allow-Credentials"):
        response.headers.append(("Access-Control-Allow-Credentials", "true"))
