"""``Pact``: pact-python v2's contract object, name for name, on our own mock service.

A v2 suite changes only its import::

    from pact_unittest import Consumer, Provider, Like   # was: from pact import ...
    pact = Consumer("UserWeb").has_pact_with(Provider("UserService"), port=1234)
    pact.start_service()
    (pact.given("user 42 exists").upon_receiving("a request for user 42")
         .with_request("get", "/users/42").will_respond_with(200, body=Like({"id": 42})))
    with pact:
        requests.get(pact.uri + "/users/42")
    pact.stop_service()

Where the mock service runs is chosen by ``mock_service=`` (or the environment variable
``PACT_UNITTEST_MOCK_SERVICE``):

* ``"embedded"`` (default): our service in this process, driven by direct calls;
* ``"process"``: a standalone service process, ours unless ``mock_service_command`` (or
  ``PACT_UNITTEST_MOCK_SERVICE_COMMAND``) names another, e.g. Ruby's ``pact-mock-service``;
* ``"external"``: an already running service at ``mock_service_url``
  (``PACT_UNITTEST_MOCK_SERVICE_URL``), else at ``http(s)://host_name:port``.

As in v2, a ``Pact`` whose service was never started talks HTTP to whatever listens at
``uri`` (the v2 way of using a mock service run by docker-compose).
"""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Optional, Sequence, Union

from ..model import settings
from ..broker.v2 import Broker
from ..model import spec_family
from .process import ProcessBackend, service_argv
from .backends import ADMIN_HEADERS, Backend, EmbeddedBackend, HttpBackend
from .request_response import FromTerms, Request, Response
from .write_schedule import WriteSchedule, unwatch, watch

__unittest = True

__all__ = ["Pact", "PactException", "Request", "Response", "FromTerms", "MOCK_SERVICE_MODES"]

log = logging.getLogger(__name__)

MOCK_SERVICE_MODES = ("embedded", "process", "external")


class PactException(Exception):
    """An interaction is not valid (e.g. incomplete); ``message`` holds the text as in v2."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.message = args[0] if args else ""


class Pact(Broker):
    """A contract between a consumer and a provider, and the mock service that records it.

    Signature, attributes and behaviour are pact-python 2.3.3's; the keyword-only
    ``mock_service``, ``mock_service_command`` and ``mock_service_url`` choose the backend
    (see the module documentation). The keyword-only ``partial_regex`` (default: the
    environment variable ``PACT_UNITTEST_PARTIAL_REGEX``, else False) makes regexes match
    anywhere in a value, as Ruby's mock service did: a migration aid for suites that
    relied on it (v2 users had no choice, so it is not a v2 parameter). Interactions are kept newest first, as v2 kept them.
    As in v2 it is a :class:`~pact_unittest.broker.Broker`: ``stop_service()`` publishes
    the pact files with :meth:`publish` when ``publish_to_broker`` is true.
    """

    HEADERS = ADMIN_HEADERS  # v2's name for the admin header

    MANDATORY_FIELDS = {"response", "description", "request"}

    def __init__(
        self,
        consumer: Any,
        provider: Any,
        host_name: str = "localhost",
        port: int = 1234,
        log_dir: Optional[str] = None,
        ssl: bool = False,
        sslcert: Optional[str] = None,
        sslkey: Optional[str] = None,
        cors: bool = False,
        publish_to_broker: bool = False,
        broker_base_url: Optional[str] = None,
        broker_username: Optional[str] = None,
        broker_password: Optional[str] = None,
        broker_token: Optional[str] = None,
        pact_dir: Optional[str] = None,
        specification_version: str = "2.0.0",
        file_write_mode: str = "overwrite",
        *,
        mock_service: Optional[str] = None,
        mock_service_command: Union[str, Sequence[str], None] = None,
        mock_service_url: Optional[str] = None,
        partial_regex: Optional[bool] = None,
    ) -> None:
        """Describe the contract and its mock service; nothing starts until ``start_service``.

        The positional parameters are pact-python v2's, with its defaults: the service
        listens on ``host_name:port`` (``port=0``: a free port, shown by ``uri`` once
        started), writes ``<consumer>-<provider>.json`` into ``pact_dir`` (default: the
        current directory; a relative one is resolved when the service starts, as v2's Ruby
        process resolved it against the directory it was started in) in
        ``file_write_mode`` ("overwrite", "merge" or "none") for ``specification_version``;
        ``log_dir`` gets ``pact-mock-service.log``; ``ssl``/``sslcert``/``sslkey`` serve
        HTTPS; ``cors`` answers CORS preflights. ``publish_to_broker`` and the
        ``broker_*`` credentials make ``stop_service()`` publish the pact files.

        Keyword-only, not in v2: ``mock_service`` ("embedded", "process" or "external"),
        ``mock_service_command`` and ``mock_service_url`` choose where the service runs
        (see the module documentation); ``partial_regex`` makes regexes match anywhere in
        a value, as Ruby's service did.
        """
        super().__init__(broker_base_url, broker_username, broker_password, broker_token)

        self._backend: Optional[Backend] = None
        scheme = "https" if ssl else "http"
        self.uri = f"{scheme}://{host_name}:{port}"
        self.consumer = consumer
        self.cors = cors
        self.file_write_mode = file_write_mode
        self.host_name = host_name
        self.log_dir = log_dir or os.getcwd()
        self.pact_dir = pact_dir or os.getcwd()
        self.port = port
        self.provider = provider
        self.publish_to_broker = publish_to_broker
        self.ssl = ssl
        self.sslcert = sslcert
        self.sslkey = sslkey
        self.specification_version = specification_version
        self._interactions: List[Dict[str, Any]] = []
        #: When verified blocks are written to the pact file (see v2.write_schedule).
        self._schedule = WriteSchedule()

        # Where our mock service runs (not in v2, which always spawned Ruby's).
        mode = str(settings.resolve("mock_service", mock_service, "embedded")).strip().lower()
        if mode not in MOCK_SERVICE_MODES:
            raise ValueError(
                f"mock_service={mode!r} is not one of {', '.join(MOCK_SERVICE_MODES)}"
            )
        self.mock_service = mode
        self.mock_service_command = settings.resolve(
            "mock_service_command", mock_service_command, None
        )
        self.mock_service_url = settings.resolve("mock_service_url", mock_service_url, None)
        # Keyword-only and after v2's parameters, so v2's positional calls are unchanged.
        self.partial_regex = bool(settings.resolve("partial_regex", partial_regex, False))
        if mode == "external" and self.mock_service_url:
            self.uri = str(self.mock_service_url).rstrip("/")
        # v2 logs to log_dir, defaulting to the current directory; we write a log file only
        # when the user asked for one, rather than litter every working directory.
        self._log_dir_given = log_dir
        self._http: Optional[HttpBackend] = None
        #: pact_dir made absolute by start_service(): where the files go and are published
        #: from, whatever the working directory is later (v2: Ruby's, fixed at its spawn).
        self._resolved_pact_dir: Optional[str] = None

    def _pact_dir_now(self) -> str:
        """The absolute pact directory: fixed by ``start_service()``, else resolved now."""
        return self._resolved_pact_dir or os.path.abspath(self.pact_dir)

    @property
    def uri(self) -> str:
        """The mock service's base URI, read at call time as v2 code does (``pact.uri``).

        While the service runs, it is the running service's address: the real port when
        ``port=0``, and in a forked child (a Django ``--parallel`` worker) the address of
        the child's own restarted service. Otherwise it is the address v2 would use,
        ``http(s)://host_name:port`` (or ``mock_service_url``), which may be set.
        """
        backend = self._backend
        return backend.uri if backend is not None else self._uri

    @uri.setter
    def uri(self, value: str) -> None:
        self._uri = value

    def __repr__(self) -> str:
        return (f"Pact(consumer={self.consumer.name!r}, provider={self.provider.name!r}, "
                f"uri={self.uri!r}, mock_service={self.mock_service!r})")

    # ------------------------------------------------------------------ building

    def given(self, provider_state: str, **params: Any) -> "Pact":
        """Set the provider state of the interaction being defined.

        Keyword arguments are the state's parameters (Pact specification 3 and later).
        """
        self._insert_interaction_if_complete()
        interaction = self._interactions[0]
        if params:
            if spec_family(self.specification_version) < 3:
                raise ValueError(
                    f"provider state parameters ({', '.join(sorted(params))}) need "
                    f"specification_version='3.0.0' or later, not "
                    f"{self.specification_version!r}"
                )
            interaction.pop("provider_state", None)
            interaction["providerStates"] = [{"name": provider_state, "params": params}]
        else:
            interaction.pop("providerStates", None)
            interaction["provider_state"] = provider_state
        return self

    def upon_receiving(self, scenario: str) -> "Pact":
        """Name the interaction being defined (its description)."""
        self._insert_interaction_if_complete()
        self._interactions[0]["description"] = scenario
        return self

    def with_request(self, method: str, path: Any, body: Any = None, headers: Any = None,
                     query: Any = None) -> "Pact":
        """Define the request the consumer is expected to send."""
        self._insert_interaction_if_complete()
        self._interactions[0]["request"] = Request(
            method, path, body=body, headers=headers, query=query
        ).json()
        return self

    def will_respond_with(self, status: int, headers: Any = None, body: Any = None) -> "Pact":
        """Define the response the mock service gives (and the provider must give)."""
        self._insert_interaction_if_complete()
        self._interactions[0]["response"] = Response(status, headers=headers, body=body).json()
        return self

    def _insert_interaction_if_complete(self) -> None:
        if not self._interactions:
            self._interactions.append({})
        elif all(name in self._interactions[0] for name in self.MANDATORY_FIELDS):
            self._interactions.insert(0, {})

    # ------------------------------------------------------------------ service

    def start_service(self) -> None:
        """Start the mock service that plays the provider while the tests run.

        v2 spawned Ruby's ``pact-mock-service`` here; by default this starts our service in
        this process instead (``mock_service="process"`` spawns one, ``"external"`` only
        checks that the service at ``uri`` answers). Call it once, before the tests (v2
        suites do it at module level or in ``setUpClass``), and ``stop_service()`` after.
        A relative ``pact_dir`` is resolved now, so a later ``os.chdir`` does not move
        the pact file. Calling it again while started does nothing.

        :raises OSError: the port is taken (the message names host and port).
        :raises RuntimeError: a mock service process did not become ready.
        """
        if self._backend is not None:
            return
        self._resolved_pact_dir = os.path.abspath(self.pact_dir)
        # Fix the test run's id now, before any fork: Django --parallel forks its workers
        # after the test modules (and so this call) ran, and every worker must write the
        # pact file as part of the same run (see settings.run_id), not replace it.
        settings.run_id()
        backend = self._make_backend()
        backend.start()
        self._backend = backend
        self._uri = backend.uri  # kept after stop_service, as v2 kept its uri

    def stop_service(self) -> None:
        """Stop the mock service, then publish the pact files if ``publish_to_broker``.

        As in v2, publishing happens here because the files are complete only once every
        test has run. Stopping twice, or without a start, is harmless (v2 raised).
        """
        if self._backend is not None:
            self._write_pending()
        backend, self._backend = self._backend, None
        unwatch(self)
        if backend is not None:
            backend.stop()
        if self.publish_to_broker:
            # As in v2: publish this consumer's pact files after the service stopped.
            self.publish(
                self.consumer.name,
                self.consumer.version,
                tag_with_git_branch=self.consumer.tag_with_git_branch,
                consumer_tags=self.consumer.tags,
                branch=self.consumer.branch,
                pact_dir=self._pact_dir_now(),
                build_url=self.consumer.build_url,
                auto_detect_version_properties=self.consumer.auto_detect_version_properties,
            )

    def _make_backend(self) -> Backend:
        if self.mock_service == "embedded":
            return EmbeddedBackend(
                consumer=self.consumer.name, provider=self.provider.name,
                host=self.host_name, port=self.port, pact_dir=self._pact_dir_now(),
                specification_version=self.specification_version,
                file_write_mode=self.file_write_mode, cors=self.cors, ssl=self.ssl,
                sslcert=self.sslcert, sslkey=self.sslkey, log_dir=self._log_dir_given,
                partial_regex=self.partial_regex,
            )
        if self.mock_service == "process":
            return ProcessBackend(self._service_argv(), self.host_name, self.port, ssl=self.ssl)
        return HttpBackend(self.uri)

    def _service_argv(self) -> List[str]:
        """The command line v2 built for Ruby's service, on our CLI or the user's command.

        ``service`` is added only when the user's command has no sub-command and no flags
        of its own (see :func:`~pact_unittest.v2.process.service_argv`). ``--partial-regex`` is
        passed only when asked for: Ruby's service refuses unknown flags (and always
        matches regexes partially anyway).
        """
        argv = service_argv(self.mock_service_command)
        argv += [
            f"--host={self.host_name}",
            f"--port={self.port}",
        ]
        if self._log_dir_given:
            argv += ["--log", os.path.join(self._log_dir_given, "pact-mock-service.log")]
        argv += [
            "--pact-dir", self._pact_dir_now(),
            "--pact-file-write-mode", self.file_write_mode,
            f"--pact-specification-version={self.specification_version}",
            "--consumer", self.consumer.name,
            "--provider", self.provider.name,
        ]
        if self.ssl:
            argv.append("--ssl")
        if self.sslcert:
            argv += ["--sslcert", self.sslcert]
        if self.sslkey:
            argv += ["--sslkey", self.sslkey]
        if self.cors:
            argv.append("--cors")
        if self.partial_regex:
            argv.append("--partial-regex")
        return argv

    def _client(self) -> Backend:
        """The started backend, else (as in v2) HTTP to whatever listens at ``uri``."""
        if self._backend is not None:
            return self._backend
        if self._http is None or self._http.uri != self.uri.rstrip("/"):
            self._http = HttpBackend(self.uri)
        return self._http

    # ------------------------------------------------------------------ test flow

    def setup(self) -> None:
        """Register the interactions defined so far with the mock service (v2's semantics).

        The service's expected interactions are replaced by these (``DELETE`` then ``PUT
        /interactions``), so each test starts from its own; interactions verified by
        earlier tests stay recorded for the pact file. ``with pact:`` calls this on entry.

        :raises PactException: an interaction lacks a description, request or response.
        :raises ValueError: the embedded service rejects an interaction (e.g. a ``Term``
            whose example does not match its regex); over HTTP, as in v2, the service's
            answer becomes an ``AssertionError``.
        """
        for interaction in self._interactions:
            missing = [name for name in self.MANDATORY_FIELDS if name not in interaction]
            if missing:
                raise PactException(
                    f"Interaction incomplete, missing field(s): {', '.join(missing)}"
                )
        client = self._client()
        client.clear_interactions()
        client.set_interactions(self._interactions)

    def verify(self) -> None:
        """Check that every interaction happened as expected, then write the pact file.

        v2's semantics: the defined interactions are forgotten first (the next test defines
        its own), then the service is asked whether each registered interaction was
        received as declared and nothing else arrived, and the pact file is written (in
        ``overwrite`` mode it holds what was verified so far). ``with pact:`` calls this on
        a normal exit. Unlike v2, once the file is large (256 KiB) it is not rewritten
        after every block but often enough to stay linear, and always by
        ``stop_service()`` and at a normal exit (see :mod:`pact_unittest.v2.write_schedule`).

        :raises AssertionError: a request was missing, unexpected or mismatched; the
            message lists each with its mismatches.
        """
        self._interactions = []
        client = self._client()
        client.verify()
        if self._schedule.verified_block():
            self._schedule.wrote(client.write_pact(durable=False) or 0)
        else:
            watch(self, self._write_pending)

    def _write_pending(self) -> None:
        """Write the blocks verified since the last write, durably (fsynced); the
        ``stop_service()`` and exit-time write."""
        if self._schedule.pending:
            self._schedule.wrote(self._client().write_pact(durable=True) or 0)
        unwatch(self)

    def __enter__(self) -> "Pact":
        """Register the defined interactions (:meth:`setup`) before the block's requests.

        Returns the Pact (v2 returned None, so ``with pact as p`` is an addition).
        """
        self.setup()
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        """Verify and write the pact (:meth:`verify`), unless the block raised.

        When the block raised, its exception is the test's failure: verifying would only
        add a second report of the same problem (the requests the block did not send), so,
        as in v2, the interactions are dropped unverified and the exception propagates.
        """
        self._interactions = []
        if exc_type is not None:
            return
        self.verify()
