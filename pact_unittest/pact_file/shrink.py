"""Warning about a pact that a partial run shrank (overwrite mode).

In overwrite mode the first write of a run replaces the file. After a whole run that is
what the user wants (a deleted test's interaction goes); after a partial one (one test,
-k, pytest --lf/--sw/-x, --failfast) it silently throws away most of the contract. The
first write cannot tell which: later classes and workers of the same run merge into the
file afterwards. So that write notes what the file held before ("replaced [labels]"),
and at exit the process that made it (and the process owning a parallel run, whose
workers never run exit hooks) compares the file's final interaction count with it.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Set, Union

from ..model import settings
from .layout import file_label
from .state import read_bytes, run_notes

_REPLACED = "replaced "
_replaced_here: Dict[str, str] = {}  # pact path -> run id, first writes of this process
_warned: Set[str] = set()
_logger = logging.getLogger("pact_unittest")


def note_replaced(pact_path: Path, run_id: str, labels: List[str],
                  append_note: Callable[[Path, str, str], None]) -> None:
    """Record, in the run's notes, the interactions a run's first write replaced.

    Called by the writer holding the pact's lock (``append_note`` writes without taking
    it). Only this process's own run is watched at exit: an explicit run id of a caller
    (a test) is somebody else's business.
    """
    if not labels:
        return
    append_note(pact_path, run_id, _REPLACED + json.dumps(labels))
    if run_id in (os.environ.get(settings.RUN_ID_ENV), os.environ.get("PYTEST_XDIST_TESTRUNUID")):
        _replaced_here[os.path.abspath(str(pact_path))] = run_id


def _shrink_warning(pact_path: Path, run_id: str, notes: List[str],
                    final: List[str]) -> Optional[str]:
    """The warning for a pact that ended the run with fewer interactions than it had
    before the run's first write (``final``: its labels now), logged once; else None."""
    key = os.path.abspath(str(pact_path))
    before = next((n[len(_REPLACED):] for n in notes if n.startswith(_REPLACED)), None)
    if before is None or key in _warned:
        return None
    try:
        old = json.loads(before)
    except ValueError:
        return None
    if len(final) >= len(old):
        return None
    _warned.add(key)
    kept = set(final)
    dropped = [label for label in old if label not in kept]
    shown = ", ".join(dropped[:3]) + (f" and {len(dropped) - 3} more" if len(dropped) > 3 else "")
    message = (
        f"pact_unittest: {_shown_path(key)}: {len(old)} -> {len(final)} interactions "
        f"(dropped {shown}). In overwrite mode a run replaces the pact file with what it "
        "verified, and a partial run (one test, -k, pytest --lf/--sw/-x, --failfast, one "
        "module) verifies a part: run the whole suite before committing or publishing the "
        "pact, and use file_write_mode='merge' (PACT_UNITTEST_FILE_WRITE_MODE=merge) while "
        "working on a subset"
    )
    _logger.warning("%s", message)
    return message


def _shown_path(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if relative.startswith("..") else relative


def _warn_at_exit() -> None:
    """Check the pacts this process's first writes replaced, now that its run is over.

    Not in a worker process of a parallel run (multiprocessing, pytest-xdist): other
    workers may still be writing, and the owning process checks (see :mod:`pact_unittest.testcase.writer`).
    """
    multiprocessing = sys.modules.get("multiprocessing")
    if os.environ.get("PYTEST_XDIST_WORKER") or (
            multiprocessing is not None and multiprocessing.parent_process() is not None):
        return
    for path, run_id in list(_replaced_here.items()):
        try:
            warn_if_shrunk(path, run_id)
        except Exception:  # noqa: BLE001 - a check at exit must not add a traceback
            _logger.debug("could not check %s for dropped interactions", path, exc_info=True)


def warn_if_shrunk(pact_path: Union[str, Path], run_id: Optional[str] = None) -> Optional[str]:
    """Warn (once per file and process) if run ``run_id`` left the pact with fewer
    interactions than its first write replaced; return the warning, or None.

    See :func:`note_replaced`: called at exit, by the process that replaced
    the file and by the process owning a parallel run.
    """
    path = Path(pact_path)
    run = str(run_id if run_id is not None else settings.run_id()).strip()
    return _shrink_warning(path, run, run_notes(path, run), labels_of(read_bytes(path)))


def labels_of(data: Optional[bytes]) -> List[str]:
    """The labels of a pact text's interactions ([] when none or unreadable)."""
    try:
        items = json.loads(data).get("interactions") if data else None
    except (ValueError, AttributeError, RecursionError):
        return []
    return [file_label(i) for i in items if isinstance(i, dict)] if isinstance(items, list) else []


atexit.register(_warn_at_exit)
