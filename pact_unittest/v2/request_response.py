"""``Request`` and ``Response``: pact-python v2's builders of the interaction wire form.

They turn what the user wrote (values and matchers) into the JSON the mock service's
``PUT /interactions`` takes, through :func:`pact_unittest.matchers.from_term`, exactly as
pact-python v2 did: ``headers`` and ``query`` only when truthy, ``body`` only when not None.
v2 kept them in ``pact/pact.py``; ``pact_unittest.pact`` re-exports them.
"""
from __future__ import annotations

from typing import Any, Dict


class FromTerms:
    """Base class for objects built from a collection of matchers."""

    def json(self) -> Dict[str, Any]:
        """The object in the mock service's wire form."""
        raise NotImplementedError


def _from_term(value: Any) -> Any:
    from ..matchers import from_term

    return from_term(value)


class Request(FromTerms):
    """An expected HTTP request; any of its parts may hold matchers."""

    def __init__(self, method: str, path: Any, body: Any = None, headers: Any = None,
                 query: Any = "") -> None:
        self.method = method
        self.path = _from_term(path)
        self.body = _from_term(body)
        self.headers = _from_term(headers)
        self.query = _from_term(query)

    def json(self) -> Dict[str, Any]:
        request: Dict[str, Any] = {"method": self.method, "path": self.path}
        if self.headers:
            request["headers"] = self.headers
        if self.body is not None:
            request["body"] = self.body
        if self.query:
            request["query"] = self.query
        return request


class Response(FromTerms):
    """An expected HTTP response; its headers and body may hold matchers."""

    def __init__(self, status: int, headers: Any = None, body: Any = None) -> None:
        self.status = status
        self.body = _from_term(body)
        self.headers = _from_term(headers)

    def json(self) -> Dict[str, Any]:
        response: Dict[str, Any] = {"status": self.status}
        if self.body is not None:
            response["body"] = self.body
        if self.headers:
            response["headers"] = self.headers
        return response
