"""Provider verification as ordinary unittest tests: one generated test per interaction.

:class:`PactVerificationMixin` reads the class's pacts when the class is made and gives it
one ``test_<consumer>__<description>[__given_<state>]`` method per interaction
(:mod:`.provider_pacts` names them), so every runner -- ``python -m unittest``, pytest and
pytest-xdist, Django's runner with ``--parallel`` -- lists, selects (``-k``) and spreads
them as it does hand-written tests. Each test sets up the interaction's provider states
with the class's ``@provider_state`` methods (:mod:`.state_handlers`), sends the pact's
request, checks the answer with the verifier's engine and FAILs once, listing every
mismatch.

The provider is, in this order: ``wsgi_application`` (called in process, no socket),
``provider_base_url`` (or ``PACT_UNITTEST_PROVIDER_BASE_URL``), the ``live_server_url`` of
a Django ``LiveServerTestCase``, or -- on any other Django test case -- Django's own WSGI
handler called in process, in the test's thread and transaction, so what a state method
wrote in a ``TestCase`` is what the view reads.

A pending pact's (or interaction's) test is an expected failure: failing, it reports as
one; passing, it is *skipped* with "pending pact verified" (unittest would count an
"unexpected success" as a failure of the run, which a pending pact must never cause).
"""
from __future__ import annotations

import os
import sys
import unittest
import warnings
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ..verifier import (HttpTransport, InteractionResult, PactInteraction, ProviderRequest,
                        ProviderVerifier, StateFunctions, Transport, WsgiTransport)
from ..verifier.transport import MessagesOnlyTransport
from .failure import raise_contract_failure
from .mixin import _OutcomeWatch
from .provider_broker import (broker_sources, publishing, record_result, register_publisher,
                              uses_broker)
from .provider_pacts import interactions_of, method_name, places_of, read_class_pacts, unique_names
from .state_handlers import call_handler, collect_producers, collect_states

__unittest = True

__all__ = ["PactVerificationMixin", "PactVerificationTestCase", "BASE_URL_ENV"]

BASE_URL_ENV = "PACT_UNITTEST_PROVIDER_BASE_URL"
_GENERATED = "_pact_generated"
_STATES = "_pact_state_handlers"
_PRODUCERS = "_pact_message_producers_by_key"


class PactVerificationMixin:
    """Verifies the pacts of ``provider``: each interaction a test method of its own.

    Class attributes (see the README's "Verifying a provider" section):

    * ``provider`` -- the provider's name (a class without one is an abstract base);
    * ``pacts`` -- a pact file, a directory of them, an ``http(s)://`` URL, or a list;
    * the provider: ``wsgi_application``, ``provider_base_url``, else the Django live server
      or Django's WSGI handler in process;
    * or a Pact Broker: ``pact_broker_url`` (and ``_username``/``_password``/``_token``),
      ``consumer_version_selectors``, ``consumer_tags``, ``include_pending``,
      ``include_wip_pacts_since``, ``provider_version_branch``, ``provider_tags``;
      ``publish_verification_results`` with ``provider_version`` publishes, once per run;
    * ``provider_headers`` (added to every request), ``request_timeout`` (seconds),
      ``missing_state`` (``"fail"``: an interaction whose state has no handler fails, naming
      it; ``"warn"``: a warning, and the request is sent anyway).

    Override :meth:`filter_request` to change each request (an auth token).
    """

    provider: Optional[str] = None
    pacts: Any = None
    wsgi_application: Optional[Callable[..., Any]] = None
    provider_base_url: Optional[str] = None
    provider_headers: Optional[Mapping[str, str]] = None
    request_timeout: float = 30.0
    missing_state: str = "fail"
    # A Pact Broker instead of ``pacts`` (unset values: the PACT_BROKER_* variables).
    pact_broker_url: Optional[str] = None
    pact_broker_username: Optional[str] = None
    pact_broker_password: Optional[str] = None
    pact_broker_token: Optional[str] = None
    consumer_version_selectors: Optional[Sequence[Mapping[str, Any]]] = None
    consumer_tags: Optional[Sequence[str]] = None
    include_pending: bool = False
    include_wip_pacts_since: Optional[str] = None
    provider_version_branch: Optional[str] = None
    provider_tags: Optional[Sequence[str]] = None
    # Publishing the results (opt-in; PACT_UNITTEST_PUBLISH_VERIFICATION_RESULTS=1 too).
    publish_verification_results: Optional[bool] = None
    provider_version: Optional[str] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        setattr(cls, _STATES, collect_states(cls))
        setattr(cls, _PRODUCERS, collect_producers(cls))
        _generate_tests(cls)

    def run(self, result: Any = None) -> Any:
        """Pact: run the test, with a verification failure's traceback cut to one line for
        every runner (Django's ``--parallel`` too)."""
        if result is None:
            result = self.defaultTestResult()  # type: ignore[attr-defined]
        return super().run(_OutcomeWatch(result))  # type: ignore[misc]

    def filter_request(self, request: ProviderRequest) -> Optional[ProviderRequest]:
        """Change ``request`` before it is sent (in place, or return a new one); a hook for
        auth tokens and the like. The default changes nothing."""
        return None

    # -- one generated test -------------------------------------------------------------
    def _pact_verify(self, item: PactInteraction) -> None:
        raised: List[BaseException] = []
        app_errors: List[BaseException] = []
        transport = self._pact_transport(app_errors)
        verifier = ProviderVerifier(
            str(type(self).provider), transport, states=self._pact_states(raised),
            headers=self.provider_headers, request_filter=self.filter_request,
            timeout=self.request_timeout, description="", state="",
            messages=self._pact_producers())
        try:
            result = verifier.verify_interaction(item)
        finally:
            verifier.close()
        if raised:
            result.errors.append(("State change request failed", f"{raised[0]!r}"))
        if publishing(type(self)):
            record_result(item.source, result)
        if raised:  # the state method's own exception: its traceback, its FAIL or ERROR
            raise raised[0]
        for text in result.warnings:
            warnings.warn(f"{item.consumer} {item.label()}: {text}", UserWarning, stacklevel=2)
        if result.status == "skipped":
            raise unittest.SkipTest(result.skipped or "not verified here")
        if result.ok:
            if result.pending:
                raise unittest.SkipTest(f"pending pact verified: {item.consumer} "
                                        f"{item.label()} passes")
            return
        setups, teardowns = getattr(type(self), _STATES)
        unhandled = [s for s in item.state_names if s not in setups and s not in teardowns]
        failure = self.failureException(  # type: ignore[attr-defined]
            describe_failure(result, unhandled))
        failure.pact_verification = result  # marks it for failure.short_exc_info
        raise_contract_failure(failure, app_errors[0] if app_errors else None)

    def _pact_states(self, raised: List[BaseException]) -> StateFunctions:
        setups, teardowns = getattr(type(self), _STATES)

        def bind(attr: str) -> Callable[[Dict[str, Any]], Any]:
            method = getattr(self, attr)

            def call(params: Dict[str, Any]) -> Any:
                try:
                    return call_handler(method, params)
                except Exception as exc:
                    raised.append(exc)
                    raise

            return call

        return StateFunctions({name: bind(attr) for name, attr in setups.items()},
                              {name: bind(attr) for name, attr in teardowns.items()},
                              missing=self.missing_state)

    def _pact_producers(self) -> Optional[Dict[str, Callable[..., Any]]]:
        """The ``@message_producer`` methods, bound; None: messages come over the transport."""
        producers = getattr(type(self), _PRODUCERS, {})
        return {key: getattr(self, attr) for key, attr in producers.items()} or None

    def _pact_transport(self, app_errors: List[BaseException]) -> Transport:
        cls = type(self)
        app = _class_value(cls, "wsgi_application")
        if app is not None:
            return WsgiTransport(_capturing(app, app_errors))
        url = cls.provider_base_url or os.environ.get(BASE_URL_ENV)
        if url:
            return HttpTransport(url, timeout=self.request_timeout)
        live = getattr(self, "live_server_url", None)
        if isinstance(live, str) and live:
            return HttpTransport(live, timeout=self.request_timeout)
        if _is_django_test_case(cls):
            return WsgiTransport(_capturing(_django_application(), app_errors))
        if getattr(cls, _PRODUCERS, None):
            return MessagesOnlyTransport()
        raise ValueError(
            f"{cls.__qualname__} has no provider to verify: set wsgi_application (called in "
            f"process), provider_base_url (or {BASE_URL_ENV}), or use a Django test case")


def describe_failure(result: InteractionResult, unhandled: Sequence[str] = ()) -> str:
    """The FAIL's message: what was verified, what was sent and answered, every problem."""
    head = f"Pact verification failed: {result.consumer} -> {result.provider}: {result.label()}"
    if result.pending:
        head += " (pending pact: reported, not failing the run)"
    lines = [head]
    if result.request_line:
        answered = f" -> {result.response_status}" if result.response_status is not None else ""
        lines.append(f"  {result.request_line}{answered}")
    lines.append(f"  pact: {result.origin}")
    lines.extend("  " + line for line in result.problems())
    if unhandled and any(text.startswith("no provider state handler")
                         for _category, text in result.errors):
        lines.append(f"  (add a method decorated with @provider_state({unhandled[0]!r}), "
                     "or set missing_state = 'warn')")
    return "\n".join(lines)


def _class_value(cls: type, name: str) -> Any:
    """A class attribute as set, not bound: ``wsgi_application = app`` must not become a method."""
    for klass in cls.__mro__:
        if name in vars(klass):
            value = vars(klass)[name]
            return getattr(value, "__func__", value) if isinstance(value, staticmethod) else value
    return None


def _capturing(app: Callable[..., Any], errors: List[BaseException]) -> Callable[..., Any]:
    """``app``, noting what it raises, so the FAIL can show the application's traceback."""

    def application(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            return app(environ, start_response)
        except Exception as exc:
            errors.append(exc)
            raise

    application.__name__ = getattr(app, "__name__", type(app).__name__)
    return application


def _is_django_test_case(cls: type) -> bool:
    django_test = sys.modules.get("django.test")
    base = getattr(django_test, "SimpleTestCase", None)
    return isinstance(base, type) and issubclass(cls, base)


def _django_application() -> Callable[..., Any]:
    """Django's WSGI handler, called as ``django.test.Client`` calls it: without closing the
    database connection at request start and end (it holds the test's transaction)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    handler = WSGIHandler()

    def django_application(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            answer = handler(environ, start_response)
            try:
                return [b"".join(answer)]
            finally:
                answer.close()  # sends request_finished, as a WSGI server would
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return django_application


# -- generating the tests ---------------------------------------------------------------------
def _generate_tests(cls: type) -> None:
    """Give ``cls`` one test per interaction of its pacts, replacing what a base generated."""
    inherited: Dict[str, Any] = {}
    for base in reversed(cls.__mro__[1:]):
        inherited.update(vars(base).get(_GENERATED, {}))
    own: Dict[str, Callable[..., Any]] = {}
    if getattr(cls, "provider", None) and issubclass(cls, unittest.TestCase):
        own = _tests_for(cls)
    for name in inherited:
        if name not in own and name not in vars(cls):
            setattr(cls, name, None)  # not callable: no loader collects it
    for name, test in own.items():
        setattr(cls, name, test)
    setattr(cls, _GENERATED, own)


def _tests_for(cls: type) -> Dict[str, Callable[..., Any]]:
    errors: List[str] = []
    places: List[Any] = []
    if uses_broker(cls):
        sources, errors = broker_sources(cls)
    else:
        try:
            places = places_of(getattr(cls, "pacts", None))
        except TypeError as exc:
            errors = [f"{cls.__qualname__}: {exc}"]
        sources, read_errors = read_class_pacts(places)
        errors.extend(read_errors)
        if not places and not errors:
            errors.append(f"{cls.__qualname__} verifies provider {getattr(cls, 'provider')!r} "
                          "but names no pacts: set pacts = 'pacts/' (a file, a directory, a URL "
                          "or a list) or pact_broker_url (or PACT_BROKER_BASE_URL)")
    items = interactions_of(sources)
    if publishing(cls):
        register_publisher(cls, {s.publish_url: (s, sum(1 for i in items if i.source is s))
                                 for s in sources if s.publish_url})
    planned: List[Tuple[str, Callable[..., Any]]] = []
    for item in items:
        planned.append((method_name(item.consumer, item.description, item.state_names),
                        _interaction_test(item)))
    for text in errors:
        planned.append(("test_unreadable_pact", _error_test(text)))
    names = unique_names(name for name, _test in planned)
    out: Dict[str, Callable[..., Any]] = {}
    for name, (_planned, test) in zip(names, planned):
        test.__name__ = name
        test.__qualname__ = f"{cls.__qualname__}.{name}"
        out[name] = test
    return out


def _interaction_test(item: PactInteraction) -> Callable[..., Any]:
    def test(self: Any) -> None:
        self._pact_verify(item)

    test.__doc__ = f"{item.consumer}: {item.label()}"
    if item.source.pending or item.pending:
        test.__unittest_expecting_failure__ = True  # type: ignore[attr-defined]
    return test


def _error_test(text: str) -> Callable[..., Any]:
    def test(self: Any) -> None:
        raise_contract_failure(self.failureException(text), None)

    test.__doc__ = "a pact that could not be read"
    return test


def generated_tests(cls: type) -> Sequence[str]:
    """The names of the tests ``cls`` generated, in pact order."""
    return list(vars(cls).get(_GENERATED, {}))


class PactVerificationTestCase(PactVerificationMixin, unittest.TestCase):
    """:class:`PactVerificationMixin` on ``unittest.TestCase``."""
