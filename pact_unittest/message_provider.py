"""pact-python v2's ``pact.message_provider`` module path; the code lives in
:mod:`pact_unittest.v2.message_provider`."""
from __future__ import annotations

from .v2.message_provider import MessageProvider

__all__ = ["MessageProvider"]
