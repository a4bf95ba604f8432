"""``PactMixin`` and ``PactTestCase``: contract tests that are ordinary unittest tests.

Lifecycle (GUIDE §1A):

* ``setUpClass`` resolves the class's settings, takes the shared embedded mock service for
  them (:mod:`.registry`) and registers, with ``addClassCleanup`` *before* the work they
  undo, the service's release and the writing of the class's pact file.
* ``run`` puts a wrapper in front of the test method for the duration of the run (an
  instance attribute shadowing the method, removed afterwards). The wrapper registers the
  test's interactions (class-level ones first, then the method's) right before the body
  and verifies right after it, inside the test: a contract failure is the test's one FAIL,
  raised as ``self.failureException`` with :meth:`Verification.describe` as the message;
  when the body raised too, its exception is the failure's ``__cause__``. When the contract
  held, the body's own outcome stands unchanged. Async test methods get an async wrapper.
* A test that passed (body, tearDown and cleanups) adds its verified interactions to the
  class's collection; the class writes them once, at class cleanup, with the run id, so a
  parallel run (each worker writes what it ran, merged under the pact writer's lock) equals
  a serial one and the run's first write drops what deleted tests left behind.
"""
from __future__ import annotations

import collections
import dataclasses
import errno
import functools
import inspect
import logging
import unittest
import weakref
from typing import Any, Callable, Deque, List, Optional, Tuple

from . import registry as _registry
from .decorator import InteractionDecorator, class_interactions, interaction, method_interactions
from .fluent import make_test_pact
from .messages import declared_messages
from .failure import raise_contract_failure, short_exc_info
from .settings import ClassSettings, resolve_class_settings
from .writer import RUN_ID, Collected, note_failure, register_class, write_class_pact

__unittest = True

__all__ = ["PactMixin", "PactTestCase", "interaction", "InteractionDecorator", "RUN_ID"]

logger = logging.getLogger(__name__)

class PactMixin:
    """Pact contract tests in any ``unittest.TestCase``: put it first, ``(PactMixin, TestCase)``.

    Declare each test's interactions with ``@interaction(...)`` (on the method, or on the
    class for every test); inside a test send the client's requests to
    ``self.mock_service_uri``. The interactions are registered right before the test body
    and verified right after it: a contract failure is the test's FAIL, with a message
    naming each missing, unexpected and mismatched request. The verified interactions of
    passed tests are written to ``<pact_dir>/<consumer>-<provider>.json`` once per class.

    Set by ``setUpClass``, read in tests:

    * ``mock_service_uri``: the mock service's base URL, ``"http://127.0.0.1:54321"``.
    * ``mock_service_cert``: with ``ssl``, the PEM certificate to trust
      (``requests.get(..., verify=self.mock_service_cert)``); else ``None``.
    * ``pact`` (per test): a v2 ``Pact`` on the same service, for the fluent API.
    * ``message`` / ``messages`` (per test): the messages declared with ``@message``, as
      the test receives them (examples, generators applied); written to the pact only
      when the test passed.

    Class attributes (``None`` = take ``PACT_UNITTEST_<NAME>`` from the environment, else the
    default): ``consumer`` and ``provider`` (required), ``pact_dir`` ("pacts"), ``host``
    ("127.0.0.1"), ``port`` (0: any free port), ``specification_version`` ("2.0.0"),
    ``file_write_mode`` ("overwrite"; "merge" while running a subset of the tests),
    ``ssl``, ``sslcert``, ``sslkey``, ``cors``, ``log_dir``, ``partial_regex``, and for
    publishing ``publish_to_broker``, ``broker_base_url``, ``broker_username``,
    ``broker_password``, ``broker_token``, ``consumer_version``, ``consumer_branch``,
    ``consumer_tags``.

    The manual (every setting, runners, partial runs, HTTPS, publishing) is the
    project's README: README.rst in its source, the description on its package index page.
    """

    consumer: Any = None
    provider: Any = None
    pact_dir: Optional[str] = None
    host: Optional[str] = None
    port: Optional[int] = None
    specification_version: Optional[str] = None
    file_write_mode: Optional[str] = None
    ssl: Optional[bool] = None
    sslcert: Optional[str] = None
    sslkey: Optional[str] = None
    cors: Optional[bool] = None
    log_dir: Optional[str] = None
    partial_regex: Optional[bool] = None
    publish_to_broker: Optional[bool] = None
    broker_base_url: Optional[str] = None
    broker_username: Optional[str] = None
    broker_password: Optional[str] = None
    broker_token: Optional[str] = None
    consumer_version: Optional[str] = None
    consumer_branch: Optional[str] = None
    consumer_tags: Any = None

    #: The mock service's base URL ("http://127.0.0.1:54321"), set by setUpClass.
    mock_service_uri: str
    #: With ``ssl``: the PEM certificate the service presents (``sslcert``, or the
    #: self-signed one made for it), for the client to trust: ``verify=`` in requests.
    #: ``None`` for plain HTTP. Set by setUpClass.
    mock_service_cert: Optional[str] = None
    # Set per class by setUpClass (in the class's own __dict__).
    _pact_settings: ClassSettings
    _pact_service: Any
    _pact_collected: Collected

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        mro = cls.__mro__
        if unittest.TestCase in mro and mro.index(unittest.TestCase) < mro.index(PactMixin):
            raise TypeError(
                f"{cls.__qualname__}: put PactMixin before the TestCase base "
                f"(class {cls.__name__}(PactMixin, TestCase)), or its setUpClass never runs"
            )
        register_class(cls)

    # ------------------------------------------------------------------ class lifecycle

    @classmethod
    def setUpClass(cls) -> None:
        """Pact: resolve the class's settings, start (or share) its mock service and set
        ``mock_service_uri``; class cleanups release the service and write the class's
        pact file. Then ``super().setUpClass()``: call this from overrides."""
        cfg = resolve_class_settings(cls)  # before super(): a typo must not leak Django atomics
        cls._pact_settings = cfg
        try:
            lease = _Lease()
            cls.addClassCleanup(lease.release)  # type: ignore[attr-defined]
            service = lease.acquire(cfg)
            collected = Collected(cfg.specification_version)
            cls._pact_collected = collected
            cls.addClassCleanup(  # type: ignore[attr-defined]
                write_class_pact, cfg, collected, f"{cls.__module__}.{cls.__qualname__}")
            cls._pact_service = service
            cls.mock_service_uri = service.uri
            cls.mock_service_cert = service.cert_path
            super().setUpClass()  # type: ignore[misc]
        except unittest.SkipTest:
            raise
        except BaseException:  # none of the class's tests ran: the pair's pact is incomplete
            note_failure(cfg, f"{cls.__module__}.{cls.__qualname__}.setUpClass")
            raise

    # ------------------------------------------------------------------ test lifecycle

    def run(self, result: Any = None) -> Any:
        """Pact: run the test with its interactions registered before the body and
        verified after it (a contract failure is this test's FAIL); if the whole test
        passed, its verified interactions join the class's pact file."""
        if result is None:
            result = self.defaultTestResult()  # type: ignore[attr-defined]
        watch = _OutcomeWatch(result)
        self.__dict__["_pact_verified"] = None
        try:
            return self._pact_with_wrapped(
                lambda: super(PactMixin, self).run(watch))  # type: ignore[misc]
        finally:
            self._pact_record(passed=not watch.failed)
            cfg = type(self).__dict__.get("_pact_settings")
            if watch.broken and cfg is not None:
                note_failure(cfg, self.id())  # type: ignore[attr-defined]

    def debug(self) -> None:
        """Pact: like :meth:`run` (register, body, verify), but exceptions propagate."""
        self.__dict__["_pact_verified"] = None
        self._pact_with_wrapped(lambda: super(PactMixin, self).debug())  # type: ignore[misc]
        self._pact_record(passed=True)  # debug() raises on any failure

    def _pact_with_wrapped(self, call: Callable[[], Any]) -> Any:
        # pytest itself puts the bound method on the instance for the run (and deletes
        # it afterwards): wrap whatever is there, and put back what was there.
        name = self._testMethodName  # type: ignore[attr-defined]
        method = getattr(self, name, None)
        if method is None or getattr(method, "_pact_wrapper", False):
            return call()
        missing = object()
        previous = self.__dict__.get(name, missing)
        setattr(self, name, _wrap(self, method))
        try:
            return call()
        finally:
            if previous is missing:
                self.__dict__.pop(name, None)
            else:
                self.__dict__[name] = previous

    @property
    def pact(self) -> Any:
        """A v2 ``Pact`` for the fluent API inside a test, on this class's mock service.

        Interactions register as soon as they are complete (``with self.pact:`` works too
        and registers what is left) and are verified with the decorator's, right after the
        test body; ``verify()`` and the pact file are handled by the test and the class.
        """
        fluent = self.__dict__.get("_pact_fluent")
        if fluent is None:
            service = _service_of(type(self))
            fluent = make_test_pact(type(self)._pact_settings, service)
            self.__dict__["_pact_fluent"] = fluent
        return fluent

    def _pact_begin(self, func: Any) -> Any:
        cls = type(self)
        service = _service_of(cls)
        cfg: ClassSettings = cls._pact_settings
        from ..model import parse_interaction

        self.__dict__.pop("_pact_fluent", None)
        origin = self.id()  # type: ignore[attr-defined]
        items = []
        for decorator in class_interactions(cls) + method_interactions(func):
            try:
                item = parse_interaction(decorator.to_wire(cfg.specification_version),
                                         cfg.specification_version)
            except ValueError as exc:
                raise _interaction_error(origin, decorator.description, exc) from None
            item.origin = origin
            other = cls._pact_collected.conflict(item)
            if other is not None:
                raise self.failureException(  # type: ignore[attr-defined]
                    f"interaction {item.label()} differs from the one {other} recorded under "
                    "the same description and provider state: a pact file can hold only one"
                )
            items.append(item)
        messages = declared_messages(cls, func, cfg.specification_version, origin)
        for item in messages:
            other = cls._pact_collected.conflict(item)
            if other is not None:
                raise self.failureException(  # type: ignore[attr-defined]
                    f"{item.label()} differs from the one {other} recorded under the same "
                    "description and provider state: a pact file can hold only one")
        received = tuple(item.reified() for item in messages)
        self.__dict__.update(_pact_messages=messages, messages=received,
                             message=received[0] if received else None)
        service.clear_session()
        service.set_interactions(items)
        return service

    def _pact_finish(self, service: Any, body_error: Optional[BaseException]) -> Optional[BaseException]:
        """The contract failure to raise for this test, or None when the contract held."""
        verification = _with_earlier_matches(service, service.verification(),
                                             type(self)._pact_settings.partial_regex)
        _remember_test(service, self.id())  # type: ignore[attr-defined]
        fluent = self.__dict__.get("_pact_fluent")
        incomplete = fluent.incomplete() if fluent is not None else []
        if verification.ok and not incomplete:
            self.__dict__["_pact_verified"] = (service.verified_interactions()
                                               + self.__dict__.get("_pact_messages", []))
            return None
        # An unfinished self.pact interaction first: it explains an "unexpected" request.
        message = "\n".join(incomplete + ([] if verification.ok else [verification.describe()]))
        if body_error is not None:
            text = str(body_error).strip().splitlines()
            first = f": {text[0]}" if text else ""
            message += (
                f"\nThe test body also raised {type(body_error).__name__}{first}"
                " (shown above as the direct cause)"
            )
        failure = self.failureException(message)  # type: ignore[attr-defined]
        failure.pact_verification = verification
        return failure

    def _pact_record(self, passed: bool) -> None:
        """Add the test's verified interactions to the class's, if the whole test passed.

        Called after ``TestCase.run``: only then are tearDown, the cleanups and an
        expected-failure marker accounted for (a cleanup cannot see the outcome).
        """
        verified = self.__dict__.pop("_pact_verified", None)
        if verified and passed:
            type(self)._pact_collected.add(verified, self.id())  # type: ignore[attr-defined]


class _OutcomeWatch:
    """A transparent proxy of the test result that notes whether the test failed.

    ``failed``: anything but a pass (the test's interactions are not recorded);
    ``broken``: a failure, error or unexpected success, which makes the run fail (and
    blocks publishing the pair's pact) -- a skip or an expected failure does not.
    Only the outcome methods the real result has are intercepted, so unittest's
    ``getattr(result, "addExpectedFailure", None)``-style checks see the same thing.
    """

    _BROKEN = ("addFailure", "addError", "addUnexpectedSuccess")
    _NOT_PASSED = ("addSkip", "addExpectedFailure")

    def __init__(self, result: Any) -> None:
        self._result = result
        self.failed = False
        self.broken = False
        for name in self._BROKEN + self._NOT_PASSED:
            if hasattr(result, name):
                setattr(self, name, self._noting(getattr(result, name), name in self._BROKEN))
        if hasattr(result, "addSubTest"):
            self.addSubTest = self._sub_test

    def _noting(self, method: Callable[..., Any], broken: bool) -> Callable[..., Any]:
        def outcome(test: Any, *args: Any, **kwargs: Any) -> Any:
            self.failed = True
            self.broken = self.broken or broken
            if args:  # (test, err): a contract failure's traceback cut short for every runner
                args = (short_exc_info(args[0]),) + args[1:]
            return method(test, *args, **kwargs)

        return outcome

    def _sub_test(self, test: Any, subtest: Any, err: Any) -> Any:
        if err is not None:
            self.failed = self.broken = True
            err = short_exc_info(err)
        return self._result.addSubTest(test, subtest, err)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._result, name)


class PactTestCase(PactMixin, unittest.TestCase):
    """A ``unittest.TestCase`` with a Pact mock service; see :class:`PactMixin`."""


# ---------------------------------------------------------------------- helpers


class _Lease:
    """One class's hold on a shared service; ``release`` is harmless if ``acquire`` failed."""

    def __init__(self) -> None:
        self.service: Any = None

    def acquire(self, cfg: ClassSettings) -> Any:
        from ..mock_service import MockService

        def factory() -> Any:
            return MockService(
                cfg.consumer, cfg.provider, host=cfg.host, port=cfg.port, pact_dir=None,
                specification_version=cfg.specification_version,
                file_write_mode=cfg.file_write_mode, cors=cfg.cors, ssl=cfg.ssl,
                sslcert=cfg.sslcert, sslkey=cfg.sslkey, log_dir=cfg.log_dir,
                partial_regex=cfg.partial_regex,
            )

        try:
            self.service = _registry.acquire(cfg.service_key, cfg.port, factory)
        except OSError as exc:
            if cfg.port and exc.errno == errno.EADDRINUSE:
                raise OSError(exc.errno, f"{exc.strerror or exc} (port={cfg.port} is fixed: "
                                         "with a parallel runner, e.g. Django --parallel or "
                                         "pytest -n, every worker asks for the same port; use "
                                         "port 0 for any free port)") from exc
            raise
        return self.service

    def release(self) -> None:
        service, self.service = self.service, None
        if service is not None:
            _registry.release(service)


#: service -> the interactions of its last few tests, newest last: (test id, interactions).
_history: "weakref.WeakKeyDictionary[Any, Deque[Tuple[str, List[Any]]]]" = weakref.WeakKeyDictionary()
_HISTORY_TESTS = 5


def _remember_test(service: Any, test_id: str) -> None:
    """Keep what this test registered (matched or not), to explain a later stray request."""
    registered = service.verified_interactions() + service.missing_interactions()
    _history.setdefault(service, collections.deque(maxlen=_HISTORY_TESTS)).append(
        (test_id, registered))


def _with_earlier_matches(service: Any, verification: Any, partial_regex: bool) -> Any:
    """``verification`` with each unexpected request that matches an interaction of an
    earlier test of this service marked so (a request sent after that test ended, from a
    thread it started, lands in the next test and reads like this test's mistake)."""
    earlier_tests = list(_history.get(service, ()))
    if not verification.unexpected or not earlier_tests:
        return verification
    from ..mock_service import request_matches
    from ..model import EarlierMatch

    marked = []
    for item in verification.unexpected:
        found = next(((test, i) for test, items in reversed(earlier_tests) for i in items
                      if request_matches(item.request, i, partial_regex)), None)
        if found is not None:
            test, i = found
            item = dataclasses.replace(item, earlier=EarlierMatch(i.description,
                                                                  i.provider_state, test))
        marked.append(item)
    return dataclasses.replace(verification, unexpected=tuple(marked))


def _service_of(cls: type) -> Any:
    service = cls.__dict__.get("_pact_service")
    if service is None:
        raise RuntimeError(
            f"{cls.__qualname__}.setUpClass() has not run: run the test through a test "
            "runner or suite (and call super().setUpClass() in overrides)"
        )
    return service


def _interaction_error(origin: str, description: str, exc: ValueError) -> ValueError:
    """``exc`` from building a decorated interaction, prefixed with the test and the
    decorator, naming the interaction once: an inner message that starts with
    "interaction 'x': " loses that start, one naming it elsewhere keeps its own mention.
    """
    named = repr(description)
    text = str(exc)
    lead = f"interaction {named}: "
    if text.lower().startswith(lead.lower()):
        text = text[len(lead):]
    elif named in text:
        return ValueError(f"{origin}: @interaction: {text}")
    return ValueError(f"{origin}: @interaction {named}: {text}")


def _verify_after(test: PactMixin, service: Any, body_error: Optional[Exception]) -> None:
    """Verify the test's interactions after its body; raise the contract failure if any.

    Shared by the sync and async wrappers. Called from the body's ``except`` block when the
    body raised, so the failure's ``__cause__`` (and context) is the body's exception; when
    the contract held, it returns and the caller re-raises the body's own exception. It
    lives in this module so ``__unittest`` hides its frame like the wrappers'; the failure
    itself is raised from :mod:`pact_unittest.testcase.failure` (see why there).
    """
    failure = test._pact_finish(service, body_error)
    if failure is None:
        return
    raise_contract_failure(failure, body_error)  # its one frame is all pytest shows


def _wrap(test: PactMixin, method: Any) -> Any:
    """The test method with registration before and verification after (sync or async)."""
    func = getattr(method, "__func__", method)

    if inspect.iscoroutinefunction(func):

        @functools.wraps(method)
        async def pact_async_test(*args: Any, **kwargs: Any) -> Any:
            service = test._pact_begin(func)
            try:
                value = await method(*args, **kwargs)
            except unittest.SkipTest:
                raise
            except Exception as exc:
                _verify_after(test, service, exc)
                raise
            _verify_after(test, service, None)
            return value

        pact_async_test._pact_wrapper = True  # type: ignore[attr-defined]
        return pact_async_test

    @functools.wraps(method)
    def pact_test(*args: Any, **kwargs: Any) -> Any:
        service = test._pact_begin(func)
        try:
            value = method(*args, **kwargs)
        except unittest.SkipTest:
            raise
        except Exception as exc:
            _verify_after(test, service, exc)
            raise
        _verify_after(test, service, None)
        return value

    pact_test._pact_wrapper = True  # type: ignore[attr-defined]
    return pact_test
