"""The admin API: Ruby's paths, status codes and texts (ruby-mock-service.md §3, §4).

A request is an admin request when it carries ``X-Pact-Mock-Service`` (any value); its path
is compared after dropping one trailing slash. An admin request to an unknown path falls
through to the mocked provider, as in Ruby. Malformed input is answered 400 with a reason
naming the problem where Ruby answers 500 with a backtrace (a deliberate difference); texts
that clients may parse stay Ruby's.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Dict, Optional, Protocol, Tuple
from urllib.parse import parse_qs

from ..model import MAX_DEPTH
from ..pact_file import PactFileClashError
from ._http import HttpRequest, Response, error_response, json_response, text_response
from ._session import InteractionClashError, Session


class AdminTarget(Protocol):
    """What the admin API needs of the service it administers (``_service.MockService``
    provides it): the session, the pact text of ``POST /pact`` and the log's name."""

    session: Session

    def pact_text(self, consumer: Optional[str] = None, provider: Optional[str] = None,
                  pact_dir: Optional[str] = None) -> str: ...

    def log_description(self) -> str: ...

    def new_write_generation(self) -> None: ...


class BadRequest(ValueError):
    """Malformed admin input: answered 400 with this message."""


def _decode_json(request: HttpRequest, what: str) -> Any:
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the {what} is not valid UTF-8: byte 0x{request.body[exc.start]:02x} "
                         f"at position {exc.start}") from None
    if not text.strip():
        raise BadRequest(f"the {what} is empty: send a JSON object")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadRequest(f"the {what} is not valid JSON: {exc}") from None
    except RecursionError:
        raise BadRequest(f"the {what} is JSON nested too deeply to read (an interaction's "
                         f"bodies may nest at most {MAX_DEPTH} levels)") from None


def _parse_all(service: AdminTarget, items: list) -> list:
    try:
        return service.session.parse_all(items)
    except ValueError as exc:  # the message names the interaction (see Session.parse)
        raise BadRequest(str(exc)) from None


def _put_interactions(service: AdminTarget, request: HttpRequest) -> Response:
    data = _decode_json(request, "PUT /interactions body")
    if not isinstance(data, dict):
        raise BadRequest('the PUT /interactions body must be a JSON object {"interactions": [...]}, '
                         f"not {type(data).__name__}")
    items = data.get("interactions")
    if not isinstance(items, list):
        raise BadRequest('the PUT /interactions body needs an "interactions" list'
                         + ("" if items is None else f", not {type(items).__name__}"))
    service.session.set_interactions(_parse_all(service, items))
    return text_response(200, "Registered interactions\n")


def _post_interaction(service: AdminTarget, request: HttpRequest) -> Response:
    data = _decode_json(request, "POST /interactions body")
    if not isinstance(data, dict):
        raise BadRequest("the POST /interactions body must be one interaction (a JSON object), "
                         f"not {type(data).__name__}")
    service.session.add_interaction(_parse_all(service, [data])[0])
    return text_response(200, "Registered interactions\n")


def _delete_interactions(service: AdminTarget, request: HttpRequest) -> Response:
    service.session.clear_interactions()
    return text_response(200, "Cleared interactions\n")


def _delete_session(service: AdminTarget, request: HttpRequest) -> Response:
    service.session.clear_session()
    service.new_write_generation()  # a new session is a new run for the pact file
    return text_response(200, "Cleared session\n")


def _missing(service: AdminTarget, request: HttpRequest) -> Response:
    return json_response(200, {"size": len(service.session.missing_interactions())})


def _verification(service: AdminTarget, request: HttpRequest) -> Response:
    result = service.session.verification()
    status = 200 if result.ok else 500
    if "application/json" in (request.header("Accept") or ""):
        return json_response(status, result.to_json())
    if not result.ok:
        service.session.log.warning("Verifying - actual interactions do not match expected "
                                    "interactions.\n%s", result.describe())
    return text_response(status, result.ruby_text(service.log_description()))


def _get_log(service: AdminTarget, request: HttpRequest) -> Response:
    message = parse_qs(request.query).get("msg", [""])[0]
    service.session.log.debug("Debug message from client - %s", message)
    return text_response(200, "")


def _index(service: AdminTarget, request: HttpRequest) -> Response:
    return text_response(200, "Mock service running\n")


def _post_pact(service: AdminTarget, request: HttpRequest) -> Response:
    overrides: Dict[str, Any] = {}
    if request.body.strip():
        data = _decode_json(request, "POST /pact body")
        if not isinstance(data, dict):
            raise BadRequest(f"the POST /pact body must be a JSON object, not {type(data).__name__}")
        for role in ("consumer", "provider"):
            value = data.get(role)
            if isinstance(value, dict) and isinstance(value.get("name"), str):
                overrides[role] = value["name"]
        pact_dir = data.get("pact_dir", data.get("pactDir"))
        if isinstance(pact_dir, str):
            overrides["pact_dir"] = pact_dir
    try:
        text = service.pact_text(**overrides)
    except PactFileClashError as exc:  # another pair's file: a conflict, named
        return error_response(409, str(exc))
    except ValueError as exc:  # missing names or dir, a merge conflict: Ruby's 500 message
        return error_response(500, str(exc))
    return text_response(200, text + "\n", "application/json")


_ROUTES: Dict[Tuple[str, str], Callable[[AdminTarget, HttpRequest], Response]] = {
    ("DELETE", "/session"): _delete_session,
    ("GET", "/interactions/missing"): _missing,
    ("GET", "/interactions/verification"): _verification,
    ("POST", "/interactions"): _post_interaction,
    ("PUT", "/interactions"): _put_interactions,
    ("DELETE", "/interactions"): _delete_interactions,
    ("GET", "/log"): _get_log,
    ("POST", "/pact"): _post_pact,
    ("GET", ""): _index,
}


def admin_handler(request: HttpRequest) -> Optional[Callable[[AdminTarget, HttpRequest], Response]]:
    """The handler of an admin request, or None when it goes to the mocked provider."""
    if not request.is_admin:
        return None
    path = request.path[:-1] if request.path.endswith("/") else request.path
    return _ROUTES.get((request.method.upper(), path))


def dispatch_admin(service: AdminTarget, request: HttpRequest) -> Optional[Response]:
    """Answer an admin request (None: not one, let the replay answer it)."""
    handler = admin_handler(request)
    if handler is None:
        return None
    try:
        return handler(service, request)
    except BadRequest as exc:
        service.session.log.warning("Rejected %s: %s", request.line(), exc)
        return error_response(400, str(exc))
    except InteractionClashError as exc:
        service.session.log.warning("%s", exc)
        return text_response(500, str(exc) + "\n")
