"""pact-python v2's ``pact.message_pact`` module path; the code lives in :mod:`pact_unittest.v2.message_pact`."""
from __future__ import annotations

from .v2.message_pact import MessagePact

__all__ = ["MessagePact"]
