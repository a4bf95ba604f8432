"""A provider test class's Pact Broker side: the pacts to verify, and the results published.

The pacts come from ``pb:provider-pacts-for-verification`` with the class's consumer
version selectors, pending and WIP options and provider branch/tags
(:func:`pact_unittest.verifier.broker_pacts.pacts_for_verification`), fetched once when the
class is made (the test names need them). A broker that cannot be asked is one failing test
with the reason, secrets redacted.

Publishing is opt-in (``publish_verification_results = True`` or
``PACT_UNITTEST_PUBLISH_VERIFICATION_RESULTS=1``) and happens once per run, at exit, in the
process that owns the run (as the consumer side publishes pacts: :mod:`.writer`). Each test
appends its verdict to the run's results file for its pact (under a lock, so Django's
``--parallel`` workers can too); the owner publishes a pact only when every one of its
interactions has a verdict (a ``-k`` run proves nothing about the rest), and says so when it
does not. pytest-xdist's controller imports no tests: publish from a serial or Django run.
"""
from __future__ import annotations

import atexit
import base64
import hashlib
import logging
import os
import pickle
import tempfile
import weakref
from pathlib import Path
from typing import Any, Dict, List, Tuple

from ..model import settings
from ..verifier import InteractionResult, PactResult, PactSource
from .writer import _owns_run

__all__ = ["uses_broker", "broker_sources", "publishing", "record_result", "publish_at_exit"]

logger = logging.getLogger("pact_unittest.verifier")

PUBLISH_ENV = settings.env_name("publish_verification_results")
VERSION_ENV = settings.env_name("provider_version")

#: Classes of this process that publish, with the number of interactions of each pact.
_publishers: "weakref.WeakKeyDictionary[type, Dict[str, Tuple[PactSource, int]]]" = \
    weakref.WeakKeyDictionary()


def uses_broker(cls: type) -> bool:
    """Whether ``cls`` takes its pacts from a broker (``pacts`` unset, a broker URL known)."""
    return getattr(cls, "pacts", None) is None and bool(
        getattr(cls, "pact_broker_url", None) or os.environ.get("PACT_BROKER_BASE_URL"))


def _client(cls: type) -> Any:
    from ..broker import BrokerClient

    return BrokerClient(getattr(cls, "pact_broker_url", None),
                        getattr(cls, "pact_broker_username", None),
                        getattr(cls, "pact_broker_password", None),
                        getattr(cls, "pact_broker_token", None))


def broker_sources(cls: type) -> Tuple[List[PactSource], List[str]]:
    """The broker's pacts for ``cls.provider``: ``(sources, errors)``."""
    from ..broker import BrokerError
    from ..verifier.broker_pacts import pacts_for_verification, selectors_from_tags

    client = None
    try:
        client = _client(cls)
        selectors = list(getattr(cls, "consumer_version_selectors", None) or []) + \
            selectors_from_tags(list(getattr(cls, "consumer_tags", None) or []))
        include_pending = bool(getattr(cls, "include_pending", False))
        sources = pacts_for_verification(
            client, str(getattr(cls, "provider")), selectors=selectors,
            include_pending=include_pending,
            include_wip_pacts_since=getattr(cls, "include_wip_pacts_since", None),
            provider_version_branch=getattr(cls, "provider_version_branch", None),
            provider_tags=list(getattr(cls, "provider_tags", None) or []))
    except (BrokerError, ValueError) as exc:
        text = client.redact(str(exc)) if client is not None else str(exc)
        return [], [f"{cls.__qualname__}: the Pact Broker's pacts for "
                    f"{getattr(cls, 'provider')!r} could not be fetched: {text}"]
    finally:
        if client is not None:
            client.close()
    for source in sources:
        if not include_pending:  # as the official verifiers: pending only when asked
            source.pending = False
        for notice in source.notices:
            logger.info("%s", notice.get("text", notice) if isinstance(notice, dict) else notice)
    if not sources:
        return [], [f"{cls.__qualname__}: the Pact Broker has no pacts for "
                    f"{getattr(cls, 'provider')!r} with these selectors"]
    return sources, []


def publishing(cls: type) -> bool:
    value = getattr(cls, "publish_verification_results", None)
    if value is None:
        text = os.environ.get(PUBLISH_ENV, "")
        return bool(text) and settings.parse_bool(text, PUBLISH_ENV)
    return bool(value)


def register_publisher(cls: type, counts: Dict[str, Tuple[PactSource, int]]) -> None:
    """Note that ``cls`` publishes the results of these pacts (publish URL -> source, count)."""
    if counts:
        _publishers[cls] = counts


def _results_file(publish_url: str) -> Path:
    digest = hashlib.sha1(publish_url.encode("utf-8")).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"pact_unittest-verification-{settings.run_id()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{digest}.results"


def record_result(source: PactSource, result: InteractionResult) -> None:
    """Keep one verdict for the publisher (any process of the run)."""
    if not source.publish_url:
        return
    from filelock import FileLock

    path = _results_file(source.publish_url)
    line = base64.b64encode(pickle.dumps(result)) + b"\n"
    with FileLock(str(path) + ".lock"):
        with open(path, "ab") as handle:
            handle.write(line)


def _recorded(publish_url: str) -> List[InteractionResult]:
    path = _results_file(publish_url)
    if not path.exists():
        return []
    return [pickle.loads(base64.b64decode(line)) for line in path.read_bytes().splitlines() if line]


def publish_at_exit() -> None:
    """Publish, once, the complete pacts of every publishing class of this process."""
    if not _owns_run():
        return
    for cls, counts in list(_publishers.items()):
        try:
            _publish_class(cls, counts)
        except Exception:  # noqa: BLE001 - at exit: say it, never a traceback storm
            logger.exception("publishing the verification results of %s failed", cls.__qualname__)


def _publish_class(cls: type, counts: Dict[str, Tuple[PactSource, int]]) -> None:
    from ..broker import resolve_version_properties
    from ..verifier.broker_pacts import ProviderVersionRecorder, publish_results

    version = getattr(cls, "provider_version", None) or os.environ.get(VERSION_ENV)
    props = resolve_version_properties(version, branch=getattr(cls, "provider_version_branch", None),
                                       tags=list(getattr(cls, "provider_tags", None) or []),
                                       auto_detect_version_properties=not version)
    if not props.version:
        logger.warning("pact_unittest: verification results of %s not published: no provider "
                       "version (set provider_version or %s)", cls.__qualname__, VERSION_ENV)
        return
    client = _client(cls)
    try:
        recorder = ProviderVersionRecorder(client, str(getattr(cls, "provider")), props.version,
                                           props.branch, props.tags)
        for url, (source, count) in sorted(counts.items()):
            results = _recorded(url)
            if len(results) < count:
                logger.warning("pact_unittest: verification results for %s's pact not published: "
                               "%d of its %d interactions ran in this run", source.consumer,
                               len(results), count)
                continue
            pact = PactResult(source.consumer, source.provider, source.origin, source.pending,
                              source.wip, publish_url=url, results=results)
            publish_results(client, pact, props.version, recorder=recorder,
                            build_url=props.build_url)
    finally:
        client.close()


atexit.register(publish_at_exit)
