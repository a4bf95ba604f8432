"""Writing a class's verified interactions, and publishing the run's pact files.

A class writes once, at its class cleanup, through :func:`pact_unittest.pact_file.write_pact`
with the run id: the run's first write of a file replaces it (so deleted tests leave
nothing behind), later writes of the same run -- other classes, parallel workers --
merge into it under the writer's lock.

Publishing (``publish_to_broker``) happens once per run, at interpreter exit, in the
process that made the run id (see :data:`RUN_ID`): the serial runner's process, or Django's
parent process after its ``--parallel`` workers are done. Workers, whose run id came from
the environment, only write.

Only a pact this run wrote, with no failed test of its pair, is published: a pact missing
a failed test's interaction (or left by an earlier run when this one ran no test of the
pair) must not reach the broker, where can-i-deploy would pass on a broken consumer. The
publishing process may have written nothing itself, so every writer leaves *run notes*
(:func:`pact_unittest.pact_file.note_run`, under the pact's lock): ``wrote <class>`` after
a write, ``failed <test id>`` when a test of the pair fails. The publisher reads the notes
of its run id and logs a warning naming the reason for each pact it leaves unpublished.
"""
from __future__ import annotations

import atexit
import hashlib
import logging
import os
import threading
import weakref
from typing import Any, Dict, List, Optional, Tuple

from ..model import settings
from .settings import ClassSettings, resolve_class_settings

__unittest = True

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


class Collected:
    """The verified interactions of one class, unique by (description, states).

    Kept until the class's one write, so per interaction only what the file needs: the
    interaction rendered for the class's spec version as compact text (a
    :class:`~pact_unittest.pact_file.message_layout.Rendered`, which also carries the test
    it came from and a digest of its content for the same-key check), in one dict whose
    keys share their strings with the rendered entry's -- not the model objects (a
    1,000-test class held ~10 KiB per interaction). One the file cannot hold (the write
    reports it) is kept as it is, so the error still comes from the write, at class cleanup.
    Emptied by the write: what the file holds is the writer's to remember.
    """

    def __init__(self, spec_version: str = "2.0.0") -> None:
        from ..model import normalize_spec_version

        self.spec_version = normalize_spec_version(spec_version)
        self.by_key: Dict[Tuple[str, str], Any] = {}

    def conflict(self, interaction: Any) -> Optional[str]:
        """The test that recorded a different interaction under the same key, if any."""
        held = self.by_key.get(interaction.key())
        if held is not None and held.digest != _content_digest(interaction):
            return held.origin
        return None

    def add(self, interactions: List[Any], origin: str) -> None:
        from ..pact_file.message_layout import render_item

        for item in interactions:
            key = item.key()
            if key in self.by_key:
                continue
            held: Any
            try:
                held = render_item(item, self.spec_version)
            except ValueError:
                held = _Unwritable(item)
            else:
                same = held.entry.key[1:]
                key = same if same == key else key  # the entry's strings, not a copy of them
            held.origin = getattr(item, "origin", None) or origin  # one string per test
            held.digest = _content_digest(item)
            self.by_key[key] = held

    def items(self) -> List[Any]:
        """What to write, in key order."""
        held = (self.by_key[key] for key in sorted(self.by_key))
        return [h.item if isinstance(h, _Unwritable) else h for h in held]

    def clear(self) -> None:
        self.by_key.clear()


class _Unwritable:
    """An interaction the pact file cannot hold, kept as it is for the write to report."""

    __slots__ = ("item", "origin", "digest")

    def __init__(self, item: Any) -> None:
        self.item = item


def _content_digest(interaction: Any) -> bytes:
    return hashlib.sha256(interaction.content().encode("utf-8")).digest()


_to_publish_lock = threading.Lock()
#: (pact_dir, consumer, provider) -> settings of a class that asked to publish it.
_to_publish: Dict[Tuple[str, str, str], ClassSettings] = {}


def _pact_path(cfg: ClassSettings) -> str:
    from ..pact_file import pact_file_name

    return os.path.join(cfg.pact_dir, pact_file_name(cfg.consumer, cfg.provider))


def write_class_pact(cfg: ClassSettings, collected: Collected, owner: str = "") -> None:
    """Write the class's verified interactions once (class cleanup); nothing if none.

    ``owner`` (the class's name) goes into the run's ``wrote`` note, which tells the
    publisher that this run wrote the file.
    """
    if not collected.by_key:
        logger.debug("no verified interactions for %s-%s: pact file left as is",
                     cfg.consumer, cfg.provider)
        return
    from ..pact_file import note_run, write_pact

    interactions = collected.items()
    collected.clear()
    path = write_pact(
        cfg.pact_dir, cfg.consumer, cfg.provider, interactions,
        spec_version=cfg.specification_version, mode=cfg.file_write_mode,
        run_id=settings.run_id(),
    )
    logger.debug("wrote %d interactions to %s", len(interactions), path)
    if cfg.file_write_mode == "none":
        return  # nothing written: nothing of this run's to publish
    if cfg.publish_to_broker:
        note_run(path, settings.run_id(), f"{_WROTE}{owner or 'a test class'}")
        with _to_publish_lock:
            _to_publish[(cfg.pact_dir, cfg.consumer, cfg.provider)] = cfg


_WROTE = "wrote "
_FAILED = "failed "


def note_failure(cfg: ClassSettings, test_id: str) -> None:
    """Note that a test of ``cfg``'s pair failed in this run (it blocks publishing the pact).

    Called in the process that ran the test (a parallel worker too), so the publishing
    process learns it from the run notes. Noted whether or not this class publishes: a
    publishing class of the same pair must not publish without this test's interactions.
    (``wrote`` notes, on every successful class, are left to classes that publish.)
    """
    from ..pact_file import note_run

    try:
        note_run(_pact_path(cfg), settings.run_id(), f"{_FAILED}{test_id}")
    except Exception:  # never turn a test failure into a different error
        logger.exception("could not note the failure of %s for the publisher", test_id)


def _publish_at_exit() -> None:
    """Publish the pact files this run wrote, once, in the process that owns the run.

    Parallel workers (their run id came from the environment) only write; the parent
    (Django's runner, or a plain serial run) publishes after its workers are done, which
    is why this runs at interpreter exit. The parent learns which pairs to publish from
    the classes it imported (test modules are imported in the parent for discovery), and
    from the run notes whether this run wrote each file and whether a test of its pair
    failed. pytest-xdist's controller never imports the tests: publish after such a run
    with the broker CLI (see docs/testcase.rst).
    """
    if not _owns_run():
        return
    targets = dict(_to_publish)
    for cls in _all_pact_classes():
        if getattr(cls, "publish_to_broker", None) is not None or os.environ.get(settings.env_name("publish_to_broker")):
            try:
                cfg = resolve_class_settings(cls)
            except ValueError:
                continue
            if cfg.publish_to_broker:
                targets.setdefault((cfg.pact_dir, cfg.consumer, cfg.provider), cfg)
    for _key, cfg in sorted(targets.items()):
        reason = _reason_not_to_publish(cfg)
        if reason:
            logger.warning("pact_unittest: %s not published to the pact broker: %s",
                           _pact_path(cfg), reason)
        else:
            _publish(cfg)


def _reason_not_to_publish(cfg: ClassSettings) -> Optional[str]:
    """Why the run must not publish ``cfg``'s pact file, or None to publish it."""
    from ..pact_file import run_notes

    pair = f"{cfg.consumer}-{cfg.provider}"
    try:
        notes = run_notes(_pact_path(cfg), settings.run_id())
    except Exception as exc:  # noqa: BLE001 - unreadable state: do not publish blindly
        return f"could not read this run's notes about it ({exc})"
    failed = sorted({note[len(_FAILED):] for note in notes if note.startswith(_FAILED)})
    if failed:
        shown = ", ".join(failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
        return (
            f"{len(failed)} test{'s' if len(failed) != 1 else ''} of {pair} failed in this run "
            f"({shown}). A pact from a failing run lacks the failed tests' interactions and "
            "could let can-i-deploy pass a broken consumer: fix the failures and run again"
        )
    if not any(note.startswith(_WROTE) for note in notes):
        return (
            f"this run wrote nothing to it (no test of {pair} passed in this run, e.g. a -k or "
            "label selected none of them), so the file there is from an earlier run"
        )
    return None


#: Every PactMixin class defined in this process (PactMixin registers each one as it is
#: defined), for the publishing and shrink checks at exit. Weak: a class made and dropped
#: by a test must not be kept alive, nor published, by this list.
_pact_classes: "weakref.WeakSet[type]" = weakref.WeakSet()


def register_class(cls: type) -> None:
    """Note a PactMixin class, so that the checks at exit look at its pact file."""
    _pact_classes.add(cls)


def _all_pact_classes() -> List[type]:
    return list(_pact_classes)


def _publish(cfg: ClassSettings) -> None:
    """Publish one pact file with the broker helper (the single call site)."""
    path = _pact_path(cfg)
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
    from ..broker import publish_pacts, resolve_version_properties

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


def _check_shrunk_at_exit() -> None:
    """Warn about a pact this run left with fewer interactions than it had (a partial run).

    In the process owning the run, for every pact of the classes it imported: a parallel
    run's first write happened in a worker, which runs no exit hook (Django's pool), so
    the worker's note of what it replaced is read here. A serial run's process checks its
    own first writes too (see :mod:`pact_unittest.pact_file.shrink`); the warning comes once per file.
    """
    if not _owns_run():
        return
    from ..pact_file import warn_if_shrunk

    seen = set()
    for cls in _all_pact_classes():
        try:
            cfg = resolve_class_settings(cls)
        except ValueError:  # an abstract base, or settings that never let the class run
            continue
        path = _pact_path(cfg)
        if cfg.file_write_mode != "overwrite" or path in seen or not os.path.exists(path):
            continue
        seen.add(path)
        try:
            warn_if_shrunk(path, settings.run_id())
        except Exception:  # noqa: BLE001 - a check at exit must not add a traceback
            logger.debug("could not check %s for dropped interactions", path, exc_info=True)


atexit.register(_publish_at_exit)
atexit.register(_check_shrunk_at_exit)
