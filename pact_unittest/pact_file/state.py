"""Where pact files' lock, run-id and run-notes files live, and the pact's lock.

See :mod:`pact_unittest.pact_file` for why these files live in a per-user state dir
under the temp dir rather than in ``pact_dir``, and for the run id. The run notes
(:func:`note_run`, :func:`run_notes`) tell the process that publishes a run's pacts what
the run did to each.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Iterator, List, Optional, Tuple, Union

from .atomic import atomic_write_bytes


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


#: How long a writer waits for another process's lock before giving up (seconds). A write
#: takes milliseconds; a lock held this long means a stuck process.
LOCK_TIMEOUT = 120.0


@contextlib.contextmanager
def pact_lock(pact_path: Path, lock_path: Path, timeout: Optional[float] = None) -> Iterator[None]:
    """Hold the pact's cross-process lock (TimeoutError after ``timeout`` seconds, by
    default :data:`LOCK_TIMEOUT` as it is when the lock is taken)."""
    from filelock import FileLock, Timeout

    if timeout is None:
        timeout = LOCK_TIMEOUT

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


def note_run(pact_path: Union[str, Path], run_id: str, note: str) -> None:
    """Add the line ``note`` to the notes of run ``run_id`` about the pact at ``pact_path``.

    Written under the pact's lock (several workers of a run note at once) and replaced
    atomically; line breaks in ``note`` become spaces. See :func:`run_notes`.
    """
    path = Path(pact_path)
    run_id = str(run_id).strip()
    if not run_id:
        raise ValueError("run_id must not be empty")
    line = " ".join(str(note).split())
    with pact_lock(path, state_paths(path)[0]):
        append_note(path, run_id, line)


def append_note(path: Path, run_id: str, line: str) -> None:
    """Add one line (no line break in it) to the run's notes; the caller holds the lock."""
    notes = notes_path(path)
    lines = [run_id] + read_notes(notes, run_id) + [line]
    atomic_write_bytes(notes, ("\n".join(lines) + "\n").encode("utf-8"))


def run_notes(pact_path: Union[str, Path], run_id: str) -> List[str]:
    """The notes run ``run_id`` left about the pact at ``pact_path``, oldest first.

    ``[]`` when that run left none (or a later run replaced them, or the temp dir was
    wiped). :mod:`pact_unittest.testcase.writer` decides from them whether to publish the pact.
    """
    path = Path(pact_path)
    run_id = str(run_id).strip()
    with pact_lock(path, state_paths(path)[0]):
        return read_notes(notes_path(path), run_id)


def read_bytes(path: Path) -> Optional[bytes]:
    """The file's bytes, or None when there is no file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
