"""The verification loop: for each interaction of each pact, set up its states, send its
request, check the answer with the matching engine, tear the states down, record the verdict.

Interactions run one after another in pact order (a provider's states are shared, mutable
things: running them in parallel would make verdicts depend on timing). The response is
read by the same rules the mock service reads requests with
(:mod:`pact_unittest.model.received`) and checked by ``match_response`` under the pact's own
spec version, so a contract means the same thing on both sides.
"""
from __future__ import annotations

import logging
import os
import re
import time
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from ..matching import Mismatch, match_response
from ..model.received import join_headers, read_body
from .interactions import HTTP, MESSAGE, PactInteraction, read_interactions
from .messages import (SYNC, MessageEndpoint, MessageFunctions, MessageProductionError,
                       MessageSource, check_message, expected_message)
from .request import ProviderRequest, build_request
from .results import (MESSAGE_FAILED, NOT_READABLE, REQUEST_FAILED, STATE_FAILED,
                      InteractionResult, PactResult, VerificationReport)
from .sources import PactSource, PactSourceError, load_pacts
from .states import StateFunctions, StateSetup, StateSetupError
from .transport import ProviderResponse, ProviderUnreachable, Transport, transport_for

__all__ = ["ProviderVerifier", "RequestFilter"]

logger = logging.getLogger("pact_unittest.verifier")

#: Changes each request before it is sent (to add an auth token, say). It may change the
#: request in place and return None, or return the request to send.
RequestFilter = Callable[[ProviderRequest], Optional[ProviderRequest]]


class ProviderVerifier:
    """Verifies pacts against one provider.

    ``target``: the provider's base URL, a WSGI application (called in process) or a
    :class:`~pact_unittest.verifier.transport.Transport`. ``states``: a
    :class:`~pact_unittest.verifier.states.StateSetup`, or a dict of setup functions by state
    name. The filters take regular expressions (``PACT_DESCRIPTION`` and
    ``PACT_PROVIDER_STATE`` fill them in when not given, as both official verifiers do);
    ``consumers`` keeps only the pacts of those consumers.
    """

    def __init__(self, provider: str, target: Any, *,
                 states: Union[StateSetup, Mapping[str, Callable[..., Any]], None] = None,
                 headers: Optional[Mapping[str, str]] = None,
                 request_filter: Optional[RequestFilter] = None,
                 timeout: float = 30.0,
                 consumers: Optional[Iterable[str]] = None,
                 description: Optional[str] = None,
                 state: Optional[str] = None,
                 progress: Optional[Callable[[InteractionResult], None]] = None,
                 messages: Union[MessageSource, Mapping[str, Callable[..., Any]], None] = None):
        self.provider = provider
        self.transport: Transport = transport_for(target, timeout=timeout)
        if states is None or isinstance(states, Mapping):
            states = StateFunctions(states or {}, missing="warn")
        self.states: StateSetup = states
        self.headers = dict(headers or {})
        self.request_filter = request_filter
        self.consumers = set(consumers) if consumers else None
        self.description = _pattern(description, "PACT_DESCRIPTION")
        self.state = _pattern(state, "PACT_PROVIDER_STATE")
        self.progress = progress
        if messages is None or isinstance(messages, MessageSource):
            self.messages: MessageSource = messages or MessageEndpoint(self.transport)
        else:
            self.messages = MessageFunctions(messages)

    # -- the whole run ----------------------------------------------------------------
    def verify(self, pacts: Iterable[Union[PactSource, str, os.PathLike, Mapping[str, Any]]]
               ) -> VerificationReport:
        """Verify every pact (sources, or places :func:`load_pacts` reads) and report."""
        report = VerificationReport(self.provider)
        if isinstance(pacts, (str, os.PathLike, PactSource, Mapping)):
            pacts = [pacts]
        loaded: List[PactSource] = []
        try:
            for place in pacts:
                loaded.extend([place] if isinstance(place, PactSource) else load_pacts([place]))
        except PactSourceError as exc:
            report.errors.append(str(exc))
            return report
        for source in loaded:
            report.pacts.append(self.verify_pact(source))
        return report

    def verify_pact(self, source: PactSource) -> PactResult:
        """Verify one pact; its interactions in pact order."""
        result = PactResult(source.consumer, source.provider, source.origin, source.pending,
                            source.wip, list(source.notices), publish_url=source.publish_url)
        if self.consumers is not None and source.consumer not in self.consumers:
            return result
        if source.provider and source.provider != self.provider:
            logger.warning("%s is a pact with provider %r, verified as %r", source.origin,
                           source.provider, self.provider)
        for item in read_interactions(source):
            if not self.selected(item):
                continue
            outcome = self.verify_interaction(item)
            result.results.append(outcome)
            if self.progress is not None:
                self.progress(outcome)
        return result

    def selected(self, item: PactInteraction) -> bool:
        """Whether the description and state filters keep ``item``."""
        if self.description is not None and not self.description.search(item.description):
            return False
        if self.state is not None:
            names = item.state_names or [""]
            if not any(self.state.search(name) for name in names):
                return False
        return True

    # -- one interaction --------------------------------------------------------------
    def verify_interaction(self, item: PactInteraction) -> InteractionResult:
        """Verify one interaction: states, request, response check, teardown."""
        started = time.perf_counter()
        result = InteractionResult(
            item.consumer, self.provider, item.description, item.state_names,
            item.source.origin, pending=item.source.pending or item.pending,
            interaction_id=item.interaction_id, comments=item.comments)
        try:
            self._run(item, result)
        finally:
            result.duration = time.perf_counter() - started
        return result

    def _run(self, item: PactInteraction, result: InteractionResult) -> None:
        if item.kind not in (HTTP, MESSAGE, SYNC):
            result.skipped = f"{item.kind} interactions are not verified here"
            return
        if item.error is not None:
            result.errors.append((NOT_READABLE, item.error))
            return
        try:
            values = self.states.setup(item.consumer, item.states)
        except StateSetupError as exc:
            result.errors.append((STATE_FAILED, str(exc)))
            return
        finally:
            result.warnings.extend(w for w in self.states.warnings()
                                   if not self._produces(item, w))
        try:
            if item.kind == HTTP:
                self._exchange(item, result, values)
            else:
                self._message(item, result)
        finally:
            try:
                self.states.teardown(item.consumer, item.states)
            except Exception as exc:  # a teardown failure is reported, never hidden
                result.errors.append((STATE_FAILED, f"tearing down the provider states failed: "
                                                    f"{type(exc).__name__}: {exc}"))

    def _exchange(self, item: PactInteraction, result: InteractionResult,
                  values: Dict[str, Any]) -> None:
        interaction = item.interaction
        assert interaction is not None
        try:
            request = build_request(interaction, values)
        except (ValueError, TypeError, KeyError) as exc:
            result.errors.append((REQUEST_FAILED, f"the request cannot be built: {exc}"))
            return
        for name, value in self.headers.items():
            _set_header(request, name, value)
        if self.request_filter is not None:
            request = self.request_filter(request) or request
        result.request_line = f"{request.method} {request.target}"
        try:
            response = self.transport.send(request)
        except ProviderUnreachable as exc:
            result.errors.append((REQUEST_FAILED, str(exc)))
            return
        result.response_status = response.status
        result.expected, result.actual = interaction.response, {}
        result.mismatches.extend(check_response(interaction.response, response,
                                                item.spec_version, result.actual))

    def _produces(self, item: PactInteraction, warning: str) -> bool:
        """Whether a missing-state warning is moot: the state names a message producer."""
        producers = getattr(self.messages, "producers", None) or {}
        return item.kind != HTTP and bool(producers) and any(
            warning.endswith(repr(name)) for name in item.state_names if name in producers)

    def _message(self, item: PactInteraction, result: InteractionResult) -> None:
        try:
            expected, request = expected_message(item)
        except ValueError as exc:
            result.errors.append((NOT_READABLE, f"the message {item.description!r}: {exc}"))
            return
        result.request_line = f"message {item.description!r}"
        try:
            produced = self.messages.produce(item, request)
        except MessageProductionError as exc:
            result.errors.append((MESSAGE_FAILED, str(exc)))
            return
        try:
            mismatches, actual = check_message(expected, produced, item.spec_version)
        except ValueError as exc:
            result.errors.append((NOT_READABLE, f"the message {item.description!r}: {exc}"))
            return
        result.expected, result.actual = dict(expected), actual
        result.mismatches.extend(mismatches)

    def close(self) -> None:
        self.transport.close()
        self.states.close()


def actual_response(response: ProviderResponse) -> Tuple[Dict[str, Any], Optional[str]]:
    """A provider's response in the engine's ``actual`` form, and why its body was unreadable."""
    headers = join_headers(response.headers)
    actual: Dict[str, Any] = {"status": response.status, "headers": headers}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    has_body, body, error = read_body(response.body, content_type)
    if has_body:
        actual["body"] = body
    return actual, error


def check_response(expected: Mapping[str, Any], response: ProviderResponse,
                   spec_version: str, actual: Optional[Dict[str, Any]] = None) -> List[Mismatch]:
    """The mismatches of a provider's ``response`` against the pact's ``expected`` one."""
    found, error = actual_response(response)
    if actual is not None:
        actual.update(found)
    if error:
        return [Mismatch("body", "$", expected.get("body"), found.get("body"),
                         f"$: {error.replace('the body', 'the response body')}")]
    return match_response(expected, found, spec_version=spec_version)


def _set_header(request: ProviderRequest, name: str, value: str) -> None:
    for existing in [k for k in request.headers if k.lower() == name.lower()]:
        del request.headers[existing]
    request.headers[name] = value


def _pattern(given: Optional[str], env: str) -> Optional["re.Pattern[str]"]:
    text = given if given is not None else os.environ.get(env)
    if not text:
        return None
    try:
        return re.compile(text)
    except re.error as exc:
        raise ValueError(f"{env.lower()} filter {text!r} is not a valid regular expression: "
                         f"{exc}") from None

