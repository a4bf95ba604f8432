"""Provider verification in pure Python: pacts in, requests replayed, responses checked.

* :class:`ProviderVerifier` -- the library API::

      report = ProviderVerifier("UserService", "http://localhost:8000",
                                states={"user 42 exists": make_user}).verify(["pacts/"])
      print(render_text(report)); sys.exit(report.exit_code)

* :class:`Verifier` -- pact-python v2's class, name for name (this package *is* v2's
  ``pact.verifier`` module path), and ``pact-verifier`` / ``python -m pact_unittest verify``.
* :func:`pacts_for_verification` -- a Pact Broker's pacts for a provider, by consumer version
  selectors, with pending and WIP pacts; :func:`publish_results` sends the verdicts back.

Pacts come from files, directories, URLs and brokers (:mod:`.sources`); states from
functions, a state change URL or a callback (:mod:`.states`); the provider is a base URL or
a WSGI application called in process (:mod:`.transport`).
"""
from __future__ import annotations

from .engine import ProviderVerifier, RequestFilter, check_response
from .interactions import PactInteraction, read_interactions
from .messages import MessageEndpoint, MessageFunctions, MessageProductionError, MessageSource, \
    ProducedMessage
from .report import progress_line, render_json, render_junit, render_text, report_json
from .request import ProviderRequest
from .results import InteractionResult, PactResult, VerificationReport
from .sources import PactSource, PactSourceError, load_pacts
from .states import StateCallback, StateChangeUrl, StateFunctions, StateSetup, StateSetupError
from .transport import HttpTransport, ProviderResponse, ProviderUnreachable, Transport, WsgiTransport
from .v2 import Verifier

__all__ = [
    "Verifier", "ProviderVerifier", "RequestFilter", "check_response",
    "PactSource", "PactSourceError", "load_pacts", "PactInteraction", "read_interactions",
    "ProviderRequest", "ProviderResponse", "Transport", "HttpTransport", "WsgiTransport",
    "ProviderUnreachable",
    "StateSetup", "StateFunctions", "StateChangeUrl", "StateCallback", "StateSetupError",
    "InteractionResult", "PactResult", "VerificationReport",
    "MessageSource", "MessageFunctions", "MessageEndpoint", "ProducedMessage",
    "MessageProductionError",
    "render_text", "render_json", "render_junit", "report_json", "progress_line",
]
