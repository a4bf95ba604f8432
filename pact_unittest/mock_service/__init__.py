"""The Pact mock service: embedded (:class:`MockService`) or standalone (``python -m
pact_unittest.mock_service service``), with the Ruby service's HTTP admin API.

::

    with MockService("UserWeb", "UserService", pact_dir="pacts") as svc:
        svc.set_interactions([{"description": "a request", "request": {...}, "response": {...}}])
        requests.get(svc.uri + "/users/42")
        assert svc.verification().ok, svc.verification().describe()
        svc.write_pact()

Nothing starts at import time; the server, TLS and the matching engine load on use.
"""
from __future__ import annotations

from ._replay import request_matches
from ._service import ForkedServiceError, MockService
from ._session import InteractionClashError

__all__ = ["MockService", "InteractionClashError", "ForkedServiceError", "request_matches"]
