"""``PactMixin`` and ``PactTestCase``: contract tests that are ordinary unittest tests.

Lifecycle (GUIDE §1A):

* ``setUpClass`` resolves the class's settings, takes the shared embedded mock service for
  them (``_registry``) and registers, with ``addClassCleanup`` *before* the work they
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

import atexit
import functools
import inspect
import logging
import os
import threading
import unittest
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from . import settings
from ._decorator import InteractionDecorator, class_interactions, interaction, method_interactions
from ._settings_table import ClassSettings, resolve_class_settings
from . import _registry

__unittest = True

__all__ = ["PactMixin", "PactTestCase", "interaction", "InteractionDecorator"]

logger = logging.getLogger(__name__)

# The run id is made at import (if no runner made one) and put into the environment, so
# Django --parallel workers forked or spawned later inherit it. The process that made it
# owns the run: it is the one that publishes at exit (see _publish_at_exit).
_RUN_ID_INHERITED = bool(
    os.environ.get(settings.RUN_ID_ENV) or os.environ.get("PYTEST_XDIST_TESTRUNUID")
)
RUN_ID = settings.run_id()


def _owns_run() -> bool:
    return not _RUN_ID_INHERITED


class _Collected:
    """The verified interactions of one class, unique by (description, states)."""

    def __init__(self) -> None:
        self.by_key: Dict[Tuple[str, str], Any] = {}
        self.origin: Dict[Tuple[str, str], str] = {}

    def conflict(self, interaction: Any) -> Optional[str]:
        """The test that recorded a different interaction under the same key, if any."""
        known = self.by_key.get(interaction.key())
        if known is not None and known.content() != interaction.content():
            return self.origin[interaction.key()]
        return None

    def add(self, interactions: List[Any], origin: str) -> None:
        for item in interactions:
            self.by_key.setdefault(item.key(), item)
            self.origin.setdefault(item.key(), origin)


class _SessionBackend:
    """What ``self.pact`` talks to: the running test's session on the shared service.

    Registration adds to the test's interactions (never replaces the decorator's); the
    verification and the pact file are the test's and the class's business, so the v2
    ``verify``/``write_pact`` steps do nothing here.
    """

    def __init__(self, service: Any) -> None:
        self.service = service
        self.uri = service.uri

    def clear_interactions(self) -> None:
        pass

    def set_interactions(self, interactions: List[Dict[str, Any]]) -> None:
        for item in interactions:
            self.service.add_interaction(item)

    def verify(self) -> None:
        pass

    def write_pact(self) -> None:
        pass


def _make_test_pact(cfg: ClassSettings, service: Any) -> Any:
    """A v2 ``Pact`` bound to this test: interactions register as soon as they are complete."""
    from .consumer import Consumer
    from .pact import Pact
    from .provider import Provider

    class TestPact(Pact):
        def __init__(self) -> None:
            super().__init__(
                Consumer(cfg.consumer), Provider(cfg.provider), host_name=cfg.host,
                port=service.port, ssl=cfg.ssl, cors=cfg.cors, pact_dir=cfg.pact_dir,
                specification_version=cfg.specification_version,
                file_write_mode=cfg.file_write_mode,
            )
            self.uri = service.uri
            self._session = _SessionBackend(service)
            self._registered: Set[int] = set()

        def _client(self) -> Any:
            return self._session

        def _flush(self) -> "TestPact":
            for item in reversed(self._interactions):  # oldest first
                if id(item) not in self._registered and self.MANDATORY_FIELDS <= set(item):
                    self._session.set_interactions([item])
                    self._registered.add(id(item))
            return self

        def given(self, *args: Any, **kwargs: Any) -> "TestPact":
            return super().given(*args, **kwargs)._flush()  # type: ignore[attr-defined]

        def upon_receiving(self, *args: Any, **kwargs: Any) -> "TestPact":
            return super().upon_receiving(*args, **kwargs)._flush()  # type: ignore

        def with_request(self, *args: Any, **kwargs: Any) -> "TestPact":
            return super().with_request(*args, **kwargs)._flush()  # type: ignore

        def will_respond_with(self, *args: Any, **kwargs: Any) -> "TestPact":
            return super().will_respond_with(*args, **kwargs)._flush()  # type: ignore

        def setup(self) -> None:
            pending = [i for i in self._interactions if id(i) not in self._registered]
            if pending:  # incomplete ones: let v2's setup() raise its PactException
                self._interactions = pending
                super().setup()
                self._registered.update(id(i) for i in pending)

        def verify(self) -> None:  # the test verifies everything right after its body
            self._interactions = []

        def start_service(self) -> None:  # the class's service is already running
            pass

        def stop_service(self) -> None:
            pass

    return TestPact()


class PactMixin:
    """Mix into any ``unittest.TestCase`` (Django's too), before it: ``(PactMixin, TestCase)``.

    Class attributes (``None`` = take ``PACT_UNITTEST_<NAME>`` from the environment, else the
    default) are listed in docs/testcase.rst: ``consumer`` and ``provider`` (required),
    ``pact_dir`` ("pacts"), ``host`` ("127.0.0.1"), ``port`` (0: any free port),
    ``specification_version`` ("2.0.0"), ``file_write_mode`` ("overwrite"), ``ssl``,
    ``sslcert``, ``sslkey``, ``cors``, ``log_dir``, ``partial_regex``, and for publishing
    ``publish_to_broker``, ``broker_base_url``, ``broker_username``, ``broker_password``,
    ``broker_token``, ``consumer_version``, ``consumer_branch``, ``consumer_tags``.
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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        mro = cls.__mro__
        if unittest.TestCase in mro and mro.index(unittest.TestCase) < mro.index(PactMixin):
            raise TypeError(
                f"{cls.__qualname__}: put PactMixin before the TestCase base "
                f"(class {cls.__name__}(PactMixin, TestCase)), or its setUpClass never runs"
            )

    # ------------------------------------------------------------------ class lifecycle

    @classmethod
    def setUpClass(cls) -> None:
        cfg = resolve_class_settings(cls)  # before super(): a typo must not leak Django atomics
        cls._pact_settings = cfg
        lease = _Lease()
        cls.addClassCleanup(lease.release)  # type: ignore[attr-defined]
        service = lease.acquire(cfg)
        collected = _Collected()
        cls._pact_collected = collected
        cls.addClassCleanup(_write_class_pact, cfg, collected)  # type: ignore[attr-defined]
        cls._pact_service = service
        cls.mock_service_uri = service.uri
        super().setUpClass()  # type: ignore[misc]

    # ------------------------------------------------------------------ test lifecycle

    def run(self, result: Any = None) -> Any:
        if result is None:
            result = self.defaultTestResult()  # type: ignore[attr-defined]
        watch = _OutcomeWatch(result)
        self.__dict__["_pact_verified"] = None
        try:
            return self._pact_with_wrapped(
                lambda: super(PactMixin, self).run(watch))  # type: ignore[misc]
        finally:
            self._pact_record(passed=not watch.failed)

    def debug(self) -> None:
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
            fluent = _make_test_pact(type(self)._pact_settings, service)  # type: ignore
            self.__dict__["_pact_fluent"] = fluent
        return fluent

    def _pact_begin(self, func: Any) -> Any:
        cls = type(self)
        service = _service_of(cls)
        cfg: ClassSettings = cls._pact_settings  # type: ignore[attr-defined]
        from .wire import parse_interaction

        self.__dict__.pop("_pact_fluent", None)
        origin = self.id()  # type: ignore[attr-defined]
        items = []
        for decorator in class_interactions(cls) + method_interactions(func):
            try:
                item = parse_interaction(decorator.to_wire(cfg.specification_version),
                                         cfg.specification_version)
            except ValueError as exc:
                raise ValueError(f"{origin}: @interaction {decorator.description!r}: {exc}") from None
            item.origin = origin
            other = cls._pact_collected.conflict(item)  # type: ignore[attr-defined]
            if other is not None:
                raise self.failureException(  # type: ignore[attr-defined]
                    f"interaction {item.label()} differs from the one {other} recorded under "
                    "the same description and provider state: a pact file can hold only one"
                )
            items.append(item)
        service.clear_session()
        service.set_interactions(items)
        return service

    def _pact_finish(self, service: Any, body_error: Optional[BaseException]) -> Optional[BaseException]:
        """The contract failure to raise for this test, or None when the contract held."""
        verification = service.verification()
        if verification.ok:
            self.__dict__["_pact_verified"] = service.verified_interactions()
            return None
        message = verification.describe()
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

    Only the outcome methods the real result has are intercepted, so unittest's
    ``getattr(result, "addExpectedFailure", None)``-style checks see the same thing.
    """

    _BAD = ("addFailure", "addError", "addSkip", "addExpectedFailure",
            "addUnexpectedSuccess")

    def __init__(self, result: Any) -> None:
        self._result = result
        self.failed = False
        for name in self._BAD:
            if hasattr(result, name):
                setattr(self, name, self._noting(getattr(result, name)))
        if hasattr(result, "addSubTest"):
            self.addSubTest = self._sub_test

    def _noting(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def outcome(*args: Any, **kwargs: Any) -> Any:
            self.failed = True
            return method(*args, **kwargs)

        return outcome

    def _sub_test(self, test: Any, subtest: Any, err: Any) -> Any:
        if err is not None:
            self.failed = True
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
        from .mock_service import MockService

        def factory() -> Any:
            return MockService(
                cfg.consumer, cfg.provider, host=cfg.host, port=cfg.port, pact_dir=None,
                specification_version=cfg.specification_version,
                file_write_mode=cfg.file_write_mode, cors=cfg.cors, ssl=cfg.ssl,
                sslcert=cfg.sslcert, sslkey=cfg.sslkey, log_dir=cfg.log_dir,
                partial_regex=cfg.partial_regex,
            )

        self.service = _registry.acquire(cfg.service_key, cfg.port, factory)
        return self.service

    def release(self) -> None:
        service, self.service = self.service, None
        if service is not None:
            _registry.release(service)


def _service_of(cls: type) -> Any:
    service = cls.__dict__.get("_pact_service")
    if service is None:
        raise RuntimeError(
            f"{cls.__qualname__}.setUpClass() has not run: run the test through a test "
            "runner or suite (and call super().setUpClass() in overrides)"
        )
    return service


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
                failure = test._pact_finish(service, exc)
                if failure is None:
                    raise
                raise failure from exc
            failure = test._pact_finish(service, None)
            if failure is not None:
                raise failure
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
            failure = test._pact_finish(service, exc)
            if failure is None:
                raise
            raise failure from exc
        failure = test._pact_finish(service, None)
        if failure is not None:
            raise failure
        return value

    pact_test._pact_wrapper = True  # type: ignore[attr-defined]
    return pact_test


# ---------------------------------------------------------------------- writing, publishing

_written_lock = threading.Lock()
#: (pact_dir, consumer, provider) -> settings of a class that asked to publish it.
_to_publish: Dict[Tuple[str, str, str], ClassSettings] = {}


def _write_class_pact(cfg: ClassSettings, collected: _Collected) -> None:
    """Write the class's verified interactions once (class cleanup); nothing if none."""
    if not collected.by_key:
        logger.debug("no verified interactions for %s-%s: pact file left as is",
                     cfg.consumer, cfg.provider)
        return
    from .pact_file import write_pact

    interactions = sorted(collected.by_key.values(), key=lambda item: item.key())
    path = write_pact(
        cfg.pact_dir, cfg.consumer, cfg.provider, interactions,
        spec_version=cfg.specification_version, mode=cfg.file_write_mode,
        run_id=settings.run_id(),
    )
    logger.debug("wrote %d interactions to %s", len(interactions), path)
    if cfg.publish_to_broker:
        with _written_lock:
            _to_publish[(cfg.pact_dir, cfg.consumer, cfg.provider)] = cfg


def _publish_at_exit() -> None:
    """Publish the pact files this run wrote, once, in the process that owns the run.

    Parallel workers (their run id came from the environment) only write; the parent
    (Django's runner, or a plain serial run) publishes after its workers are done, which
    is why this runs at interpreter exit. The parent learns which pairs to publish from
    the classes it imported (test modules are imported in the parent for discovery).
    pytest-xdist's controller never imports the tests: publish after such a run with the
    broker CLI (see docs/testcase.rst).
    """
    if not _owns_run():
        return
    targets = dict(_to_publish)
    for cls in _all_pact_classes():
        if cls.publish_to_broker is not None or os.environ.get(settings.env_name("publish_to_broker")):
            try:
                cfg = resolve_class_settings(cls)
            except ValueError:
                continue
            if cfg.publish_to_broker:
                targets.setdefault((cfg.pact_dir, cfg.consumer, cfg.provider), cfg)
    for (pact_dir, consumer, provider), cfg in sorted(targets.items()):
        _publish(cfg)


def _all_pact_classes() -> List[type]:
    found, stack = [], list(PactMixin.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def _publish(cfg: ClassSettings) -> None:
    """Publish one pact file with the broker helper (the single call site)."""
    from .pact_file import pact_file_name

    path = os.path.join(cfg.pact_dir, pact_file_name(cfg.consumer, cfg.provider))
    if not os.path.exists(path):
        logger.warning("publish_to_broker: %s was not written in this run", path)
        return
    try:
        _broker_publish(cfg, path)
    except Exception:
        logger.exception("publishing %s to the pact broker failed", path)


def _broker_publish(cfg: ClassSettings, path: str) -> None:
    """The publishing call site: pact_unittest.broker with the class's settings.

    Unset broker connection settings come from ``PACT_BROKER_*`` (the broker helper reads
    them); without ``consumer_version`` the version (and branch) are detected from CI
    variables or git, as ``pact-broker publish --auto-detect-version-properties`` does.
    """
    from .broker import publish_pacts, resolve_version_properties

    props = resolve_version_properties(
        cfg.consumer_version, branch=cfg.consumer_branch, tags=cfg.consumer_tags or (),
        auto_detect_version_properties=not cfg.consumer_version,
    )
    publish_pacts(
        [path], props.version or "", branch=props.branch, tags=props.tags,
        build_url=props.build_url, broker_base_url=cfg.broker_base_url,
        broker_username=cfg.broker_username, broker_password=cfg.broker_password,
        broker_token=cfg.broker_token,
    )
    logger.info("published %s to the pact broker as version %s", path, props.version)


atexit.register(_publish_at_exit)
