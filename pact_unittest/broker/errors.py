"""Exceptions raised when publishing to a Pact Broker.

Every failure is a :class:`BrokerError`, which subclasses ``RuntimeError`` because
pact-python v2 raised a bare ``RuntimeError`` from ``Broker.publish``: code written for v2
(``except RuntimeError``) keeps working, while new code can catch the specific class.

Each message says what happened (method, URL without credentials, status), what the
broker said, and what to do next. Messages never carry a password, token or
``Authorization`` header: the client redacts known secrets before it builds one.

The exceptions pickle (Django's parallel runner sends them from worker processes back
to the parent): all state is passed to ``__init__`` as keywords and ``__reduce__``
rebuilds them from it.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple

__all__ = [
    "BrokerError",
    "BrokerConfigError",
    "BrokerAuthError",
    "BrokerConflictError",
    "BrokerValidationError",
    "BrokerUnavailableError",
    "BrokerTLSError",
    "BrokerProtocolError",
    "BrokerNotFoundError",
]


class BrokerError(RuntimeError):
    """Publishing to the Pact Broker failed.

    Attributes: ``message`` (the text), ``status`` (HTTP status or None), ``url`` (the
    request URL, credentials removed), ``method``, ``notices`` (tuple of ``(type, text)``
    pairs the broker sent), ``errors`` (tuple of one-line field errors).
    """

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        url: Optional[str] = None,
        method: Optional[str] = None,
        notices: Sequence[Tuple[str, str]] = (),
        errors: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.url = url
        self.method = method
        self.notices = tuple((str(t), str(x)) for t, x in notices)
        self.errors = tuple(str(e) for e in errors)

    def _state(self) -> Dict[str, Any]:
        return {
            "status": self.status,
            "url": self.url,
            "method": self.method,
            "notices": self.notices,
            "errors": self.errors,
        }

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, self._state()))

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        where = f" {self.method} {self.url}" if self.method and self.url else ""
        status = f" -> {self.status}" if self.status is not None else ""
        return f"{type(self).__name__}({self.message.splitlines()[0]!r}{where}{status})"


def _rebuild(cls: type, message: str, state: Dict[str, Any]) -> BrokerError:
    return cls(message, **state)


class BrokerConfigError(BrokerError):
    """The publish was not attempted: a setting or a pact file is missing or invalid."""


class BrokerAuthError(BrokerError):
    """The broker refused our credentials (401/403, or 400 for a Bearer token on a
    basic-auth broker)."""


class BrokerConflictError(BrokerError):
    """409: the broker already holds different content for this consumer version.

    ``notices`` holds the broker's explanation and the diff, in its order.
    """


class BrokerValidationError(BrokerError):
    """400: the broker rejected the request body; ``errors`` lists each field error."""


class BrokerUnavailableError(BrokerError):
    """The broker could not be reached or kept failing (connection errors, timeouts,
    408/429/5xx) after every retry."""


class BrokerTLSError(BrokerUnavailableError):
    """The TLS handshake failed (certificate not trusted, wrong host name). Not retried."""


class BrokerProtocolError(BrokerError):
    """The broker answered something a Pact Broker should not (not JSON, a missing HAL
    relation, 404/405/415): probably not a Pact Broker URL, or a proxy in between."""


class BrokerNotFoundError(BrokerProtocolError):
    """404 for a resource a command names (a pacticipant, version, environment, branch):
    the message says which one is missing, not that the broker URL may be wrong."""
