"""Plain request and response values passed between the server and the handlers.

Keeping HTTP parsing (``_server``) apart from what the mock does with a request (``_admin``,
``_replay``, ``_cors``) lets each handler be a pure function of a request and the session.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from ..model.received import join_headers

Headers = List[Tuple[str, str]]


@dataclass
class HttpRequest:
    """One request as received: raw path and query (not decoded), headers in arrival order."""

    method: str
    path: str
    query: str = ""
    headers: Headers = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> Optional[str]:
        """The value of a header (case-insensitive), repeated headers joined with ", "."""
        lowered = name.lower()
        values = [v for k, v in self.headers if k.lower() == lowered]
        return ", ".join(values) if values else None

    def headers_dict(self) -> Dict[str, str]:
        """Name (as first sent) -> value; repeated headers joined with ", "."""
        return join_headers(self.headers)

    @property
    def is_admin(self) -> bool:
        """Ruby's rule: the X-Pact-Mock-Service header with any value, even empty."""
        return any(k.lower() == "x-pact-mock-service" for k, _ in self.headers)

    def line(self) -> str:
        return f"{self.method.upper()} {self.path}" + ("?" + self.query if self.query else "")


@dataclass
class Response:
    status: int
    headers: Headers = field(default_factory=list)
    body: bytes = b""
    #: close the connection after answering (the request could not be read whole).
    close: bool = False

    def has_header(self, name: str) -> bool:
        lowered = name.lower()
        return any(k.lower() == lowered for k, _ in self.headers)


def text_response(status: int, text: str, content_type: str = "text/plain") -> Response:
    # a lone surrogate (from a client's JSON "\ud800") is shown escaped, never a 500
    return Response(status, [("Content-Type", content_type)], text.encode("utf-8", "backslashreplace"))


def json_response(status: int, data: Any, newline: bool = True) -> Response:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate a client sent: JSON's \ud800 escape says it
        text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), default=str)
    return text_response(status, text + ("\n" if newline else ""), "application/json")


def error_response(status: int, message: str) -> Response:
    """Our error shape: Ruby's ``{"message": ...}`` JSON (no trailing newline, as Ruby)."""
    return json_response(status, {"message": message}, newline=False)
