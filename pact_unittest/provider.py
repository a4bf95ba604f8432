"""pact-python v2's ``pact.provider`` module path; the code lives in :mod:`pact_unittest.v2.provider`."""
from __future__ import annotations

from .v2.provider import Provider

__all__ = ["Provider"]
