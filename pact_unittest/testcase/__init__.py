"""The unittest layer: contract tests that are ordinary unittest tests.

* :mod:`.mixin`: :class:`PactMixin` / :class:`PactTestCase`, which act on the metadata;
* :mod:`.decorator`: ``@interaction``, which only records it;
* :mod:`.messages`: ``@message``, the messages a test expects to receive;
* :mod:`.fluent`: ``self.pact``, the v2 fluent API on the test's session;
* :mod:`.settings`: the class's settings, resolved and checked once;
* :mod:`.registry`: the embedded mock services the classes of a process share;
* :mod:`.writer`: the class's pact written once, publishing once per run;
* :mod:`.failure`: the one short frame a contract failure's traceback keeps;
* :mod:`.provider`: :class:`PactVerificationMixin` / :class:`PactVerificationTestCase`, the
  provider side: one generated test per interaction of the pacts (:mod:`.provider_pacts`),
  states by ``@provider_state`` methods and messages by ``@message_producer`` methods
  (:mod:`.state_handlers`).
"""
from __future__ import annotations

from .decorator import interaction
from .messages import message
from .mixin import PactMixin, PactTestCase, _interaction_error  # noqa: F401 (tests)
from .provider import PactVerificationMixin, PactVerificationTestCase
from .state_handlers import message_producer, provider_state

__all__ = ["PactMixin", "PactTestCase", "interaction", "message",
           "PactVerificationMixin", "PactVerificationTestCase", "provider_state",
           "message_producer"]
