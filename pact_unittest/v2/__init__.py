"""The pact-python v2 API, name for name, on our own mock service.

``Consumer(...).has_pact_with(Provider(...))`` gives a :class:`Pact`, which reaches a mock
service through one of three backends (:mod:`.backends`: embedded in this process, the HTTP
admin API of a service someone else runs; :mod:`.process`: a standalone service spawned and
supervised, with :mod:`.watchdog` stopping it if this process dies). pact-python's module
paths (``pact.pact``, ``pact.consumer``, ``pact.provider``) are the top-level modules
``pact_unittest.pact``, ``.consumer`` and ``.provider``, which re-export from here; v2's
``Broker`` lives with the broker client in :mod:`pact_unittest.broker`. Message pacts:
:class:`MessageConsumer` and :class:`MessagePact` (``pact.message_consumer``,
``pact.message_pact``), written by the shared pact writer instead of Ruby's ``pact-message``.
"""
from __future__ import annotations

from .consumer import Consumer
from .message_consumer import MessageConsumer
from .message_pact import MessagePact
from .pact import Pact, PactException
from .provider import Provider
from .request_response import FromTerms, Request, Response

__all__ = ["Consumer", "Provider", "Pact", "PactException", "Request", "Response", "FromTerms",
           "MessageConsumer", "MessagePact"]
