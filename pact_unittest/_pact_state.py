"""Where pact files' lock, run-id and run-notes files live, and the pact's lock.

Split from :mod:`pact_unittest.pact_file` (which re-exports ``state_dir``); see its
module doc for why these files live in a per-user state dir under the temp dir rather than
in ``pact_dir``, and for the run id.
"""
from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import re
import stat
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Set, Tuple

from . import settings


# -- state files ---------------------------------------------------------------------------


def _user_tag() -> str:
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        return str(getuid())
    try:  # Windows: no uid, but the temp dir is the user's own already
        import getpass

        name = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name known: any fixed tag will do
        name = "user"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "user"


def state_dir() -> Path:
    """The per-user directory holding pact files' lock and run-id files (created, mode 0o700).

    ``<tempfile.gettempdir()>/pact_unittest-<uid>`` (the user name on Windows). Kept out of
    ``pact_dir`` so that a committed pacts directory holds only pacts. On POSIX a directory
    of that name that is a symlink, owned by another user or open to others is refused
    (PermissionError): another local user could otherwise hold our locks or forge run ids.
    """
    path = Path(tempfile.gettempdir()) / f"pact_unittest-{_user_tag()}"
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        info = os.lstat(str(path))
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != getuid():
            raise PermissionError(
                f"{path} (pact_unittest's lock and run-id directory) is not a directory owned "
                "by this user; remove it, or point TMPDIR elsewhere"
            )
        if info.st_mode & 0o077:
            os.chmod(str(path), 0o700)
    return path


def _state_base(pact_path: Path) -> Path:
    resolved = os.path.normcase(str(pact_path.resolve()))
    digest = hashlib.sha256(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return state_dir() / f"{digest}-{pact_path.name}"


def state_paths(pact_path: Path) -> Tuple[Path, Path]:
    """The lock file and run-id file of the pact at ``pact_path`` (whose directory exists)."""
    base = _state_base(pact_path)
    return base.with_name(base.name + ".lock"), base.with_name(base.name + ".run")


@contextlib.contextmanager
def pact_lock(pact_path: Path, lock_path: Path, timeout: float) -> Iterator[None]:
    """Hold the pact's cross-process lock (TimeoutError after ``timeout`` seconds)."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise TimeoutError(
            f"could not lock {pact_path} within {timeout:g} s: another process holds "
            f"its lock file {lock_path}"
        ) from None
    try:
        yield
    finally:
        lock.release()


# -- run notes -----------------------------------------------------------------------------
#
# What a test run did to a pact, for the process that publishes it once the run is over:
# that process (Django's parent of --parallel workers) may have written nothing itself,
# so the writers leave notes ("wrote ...", "failed <test id>") in a ``<hash>-<name>.notes``
# file next to the run-id file. Its first line is the run id: a note of another run starts
# the file afresh, and a reader asking about its own run ignores another run's notes.


def notes_path(pact_path: Path) -> Path:
    base = _state_base(pact_path)
    return base.with_name(base.name + ".notes")


def read_notes(notes_path: Path, run_id: str) -> List[str]:
    try:
        lines = notes_path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    if not lines or lines[0].strip() != run_id:
        return []
    return [line for line in lines[1:] if line.strip()]


# -- shrunk pacts --------------------------------------------------------------------------
#
# In overwrite mode the first write of a run replaces the file. After a whole run that is
# what the user wants (a deleted test's interaction goes); after a partial one (one test,
# -k, pytest --lf/--sw/-x, --failfast) it silently throws away most of the contract. The
# first write cannot tell which: later classes and workers of the same run merge into the
# file afterwards. So that write notes what the file held before ("replaced [labels]"),
# and at exit the process that made it (and the process owning a parallel run, whose
# workers never run exit hooks) compares the file's final interaction count with it.

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


def warn_if_shrunk(pact_path: Path, run_id: str, notes: List[str],
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
    workers may still be writing, and the owning process checks (see ``_writer``).
    """
    multiprocessing = sys.modules.get("multiprocessing")
    if os.environ.get("PYTEST_XDIST_WORKER") or (
            multiprocessing is not None and multiprocessing.parent_process() is not None):
        return
    from .pact_file import warn_if_shrunk

    for path, run_id in list(_replaced_here.items()):
        try:
            warn_if_shrunk(path, run_id)
        except Exception:  # noqa: BLE001 - a check at exit must not add a traceback
            _logger.debug("could not check %s for dropped interactions", path, exc_info=True)


atexit.register(_warn_at_exit)
