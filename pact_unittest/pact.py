"""pact-python v2's ``pact.pact`` module path: ``from pact_unittest.pact import Pact``.

The code lives in :mod:`pact_unittest.v2.pact`.
"""
from __future__ import annotations

from .v2.pact import FromTerms, Pact, PactException, Request, Response

__all__ = ["Pact", "PactException", "Request", "Response", "FromTerms"]
