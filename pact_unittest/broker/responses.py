"""Turn a broker's error answer into the right exception with a helpful message.

The shapes handled are the ones recorded against pact_broker 2.112.0
(``shared/broker/README.md`` section 2.4): ``{"errors": {field: [msg]}}`` (nested objects
too, for contract indexes), problem+json ``{"errors": [{"pointer", "detail"}]}``,
``{"error": "..."}`` (singular; malformed JSON, old-API 409, 404), ``{"notices": [...]}``
(409 with the diff) and empty bodies (401, 405, 415, the 400 a basic-auth broker gives a
Bearer token).
"""
from __future__ import annotations

import json
from typing import Any, List, Optional, Tuple, Type

from .errors import (
    BrokerAuthError,
    BrokerConflictError,
    BrokerError,
    BrokerProtocolError,
    BrokerUnavailableError,
    BrokerValidationError,
)

_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
            415: "Unsupported Media Type", 422: "Unprocessable Entity",
            429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout"}
_SNIPPET = 300


def parse_notices(payload: Any) -> Tuple[Tuple[str, str], ...]:
    """``(type, text)`` pairs from a body's ``notices`` list, in the broker's order."""
    if not isinstance(payload, dict) or not isinstance(payload.get("notices"), list):
        return ()
    out = []
    for notice in payload["notices"]:
        if isinstance(notice, dict) and "text" in notice:
            out.append((str(notice.get("type", "info")), str(notice["text"])))
    return tuple(out)


def flatten_errors(payload: Any) -> Tuple[str, ...]:
    """One line per field error, whatever shape the broker used."""
    if not isinstance(payload, dict):
        return ()
    lines: List[str] = []
    errors = payload.get("errors")
    if isinstance(errors, dict):
        _walk(errors, "", lines)
    elif isinstance(errors, list):  # application/problem+json
        for item in errors:
            if isinstance(item, dict):
                where = str(item.get("pointer", "")).lstrip("/").replace("/", ".")
                detail = str(item.get("detail") or item.get("title") or "")
                lines.append(f"{where}: {detail}" if where else detail)
            else:
                lines.append(str(item))
    single = payload.get("error")
    if isinstance(single, str):
        lines.append(single)
    elif isinstance(single, dict) and single.get("message"):
        lines.append(str(single["message"]))
    if not lines and payload.get("title") and payload.get("detail"):
        lines.append(f"{payload['title']}: {payload['detail']}")
    return tuple(lines)


def _walk(node: Any, path: str, lines: List[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            key = str(key)
            sub = f"{path}[{key}]" if key.isdigit() else (f"{path}.{key}" if path else key)
            _walk(value, sub, lines)
    elif isinstance(node, list):
        for value in node:
            _walk(value, path, lines)
    else:
        lines.append(f"{path}: {node}" if path else str(node))


def _load(text: str) -> Any:
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return None


def error_for_response(
    *,
    method: str,
    url: str,
    status: int,
    content_type: str,
    text: str,
    auth_scheme: Optional[str],
    credentials_withheld: bool = False,
    attempts: int = 1,
) -> BrokerError:
    """The exception for a non-2xx answer (``text`` must already be redacted)."""
    payload = _load(text)
    notices = parse_notices(payload)
    errors = flatten_errors(payload)
    where = f"{method} {url}"
    head = f"{status} {_REASONS.get(status, '')}".strip()

    def build(cls: Type[BrokerError], message: str) -> BrokerError:
        return cls(message, status=status, url=url, method=method, notices=notices, errors=errors)

    if status == 409:
        body = (_indent_notices([t for _, t in notices]) if notices
                else _indent(list(errors) or [_snippet(text)]))
        return build(
            BrokerConflictError,
            f"The Pact Broker refused to change a published pact ({head}) on {where}:\n"
            f"{body}\nWhat to do: publish changed pacts under a new consumer version (use the "
            "git commit SHA: auto_detect_version_properties=True, CLI -r/--auto-detect-"
            "version-properties); a broker never lets the pact of a published version "
            "change. If nothing should have changed, look for example values that vary "
            "between runs (give every matcher a fixed example).")
    if status in (401, 403) or (status == 400 and not errors and auth_scheme == "Bearer"):
        return build(BrokerAuthError,
                     _auth_message(status, head, where, auth_scheme, credentials_withheld))
    if status in (400, 422):
        body = _indent(list(errors) or [t for _, t in notices] or [_snippet(text) or "(no details)"])
        return build(
            BrokerValidationError,
            f"The Pact Broker rejected the request ({head}) on {where}:\n{body}\n"
            "What to do: fix the values named above (when publishing: consumer version, "
            "branch, tags, build URL, pact file content) and try again.")
    if status in (408, 429) or status >= 500:
        retried = f" after {attempts} attempts" if attempts > 1 else ""
        detail = _indent(list(errors) or [_snippet(text)]) if (errors or text.strip()) else ""
        return build(
            BrokerUnavailableError,
            f"The Pact Broker answered {head}{retried} on {where}."
            + (f"\n{detail}" if detail else "")
            + "\nWhat to do: the broker is overloaded or failing; check its health and log, "
            "then publish again (publishing the same content again is harmless).")
    hint = {
        404: "check that PACT_BROKER_BASE_URL (or broker_base_url) is the Pact Broker's "
             "base URL, including any path prefix",
        405: "the URL does not accept this method: is it really a Pact Broker, or is a "
             "proxy rewriting requests?",
        415: "the broker did not accept a JSON body: is a proxy rewriting requests?",
    }.get(status, "this is not an answer a Pact Broker gives: check the broker URL and any "
                  "proxy in between")
    detail = _indent(list(errors)) if errors else ""
    return build(
        BrokerProtocolError,
        f"Unexpected answer {head} from the Pact Broker on {where}."
        + (f"\n{detail}" if detail else "") + f"\nWhat to do: {hint}.")


def _auth_message(status: int, head: str, where: str, scheme: Optional[str],
                  withheld: bool) -> str:
    if withheld:
        return (f"The Pact Broker refused {where} ({head}). Credentials were NOT sent "
                "because this URL is on another origin than the broker base URL (a "
                "redirect or a link to another host). What to do: set PACT_BROKER_BASE_URL "
                "to the broker's real address (scheme, host and port).")
    if status == 400:
        return (f"The Pact Broker answered {head} with no explanation to {where}, sent with "
                "a Bearer token. A broker that uses basic auth rejects Bearer tokens this way."
                " What to do: set PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD instead of "
                "PACT_BROKER_TOKEN, or check the token is for this broker.")
    if status == 403:
        return (f"The Pact Broker accepted the credentials but does not allow {where} "
                f"({head}). What to do: use a user or token with write permission (a "
                "read-only user cannot publish).")
    if scheme is None:
        return (f"The Pact Broker requires authentication ({head}) for {where}. What to do: "
                "set PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD (basic auth) or "
                "PACT_BROKER_TOKEN (bearer token, e.g. PactFlow) in the environment.")
    which = ("PACT_BROKER_TOKEN" if scheme == "Bearer"
             else "PACT_BROKER_USERNAME / PACT_BROKER_PASSWORD")
    return (f"The Pact Broker rejected the {scheme} credentials ({head}) for {where}. "
            f"What to do: check {which} (the value itself is not shown here).")


def _snippet(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _SNIPPET else text[:_SNIPPET] + "..."


def _indent_notices(texts: List[str]) -> str:
    """Notices as the CLIs print them: text kept as-is (a diff keeps its columns)."""
    return "\n".join("  " + line for text in texts for line in (text.splitlines() or [""]))


def _indent(lines: List[str]) -> str:
    out = []
    for line in lines:
        for i, part in enumerate(str(line).splitlines() or [""]):
            out.append(("  - " if i == 0 else "    ") + part)
    return "\n".join(out)
