"""pact-python v2's ``pact.consumer`` module path; the code lives in :mod:`pact_unittest.v2.consumer`."""
from __future__ import annotations

from .v2.consumer import Consumer

__all__ = ["Consumer"]
