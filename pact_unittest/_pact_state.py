"""Where pact files' lock, run-id and run-notes files live, and the pact's lock.

Split from :mod:`pact_unittest.pact_file` (which re-exports ``state_dir``); see its
module doc for why these files live in a per-user state dir under the temp dir rather than
in ``pact_dir``, and for the run id.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Iterator, List, Tuple


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
