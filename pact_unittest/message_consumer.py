"""pact-python v2's ``pact.message_consumer`` module path; the code lives in :mod:`pact_unittest.v2.message_consumer`."""
from __future__ import annotations

from .v2.message_consumer import MessageConsumer

__all__ = ["MessageConsumer"]
