"""Crash-safe file replacement for pact files and their sidecars.

A pact file is read by other processes (a parallel test worker, an editor, a broker
upload) while we write it. Writing in place would let them see half a file, and a crash
mid-write would leave one behind. So the new bytes go to a temporary file in the *same*
directory (``os.replace`` is only atomic within one file system), are flushed and fsynced,
and then replace the target in one step. Readers see the old file or the new one, never a
mixture.

The temporary files live in a folder of their own beside the target,
:data:`TEMP_DIR_NAME` (same file system), which holds a ``.gitignore`` of ``*`` and is
removed again after the write when no other write is in progress. A writer killed
between creating its temporary file and the rename leaves the file there, out of a
``git add pacts/`` and of any ``*.json`` glob a publisher uses, and the next write in that
directory removes the temporary files of processes that no longer run (older versions
put them beside the pact as ``.<name>.<pid>.<rand>.tmp``: those are removed too, on a
process's first write to the directory).

The directory is *not* fsynced after the rename. That would only make the rename itself
survive a power cut; without it, a power cut right after a write leaves the previous
complete file (or none, for a new one), never half a file. A pact-python v2 suite rewrites
the pact after every test, and the directory fsync was a third of each write's cost
(0.3 ms idle, ~4 ms on a busy disk), for a guarantee a test artifact does not need.
"""
from __future__ import annotations

import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Iterable, Optional, Set

import psutil

#: The folder beside a target that holds the temporary files of writes in progress.
TEMP_DIR_NAME = ".pact_unittest_tmp"
#: ``.<name>.<pid>.<8 hex>.tmp``: a temporary file, and the pid of the process writing it.
_TEMP_NAME = re.compile(r"\..+\.(\d+)\.[0-9a-f]{8}\.tmp\Z")
#: Directories whose old-style leftovers (beside the pacts) this process already removed.
_swept: Set[str] = set()
_swept_lock = threading.Lock()

#: On Windows, ``os.replace`` fails while another process has the target open (a reader in
#: a parallel worker, a virus scanner). Such holds are brief, so we retry for a while.
_WINDOWS_REPLACE_RETRIES = 50
_WINDOWS_REPLACE_DELAY = 0.02


def atomic_write_bytes(path: Path, data: bytes, sync: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically: see :func:`atomic_write_chunks`."""
    atomic_write_chunks(path, (data,), sync=sync)


def atomic_write_chunks(path: Path, chunks: Iterable[bytes], sync: bool = True,
                        unchanged: Optional[Callable[[], bool]] = None) -> bool:
    """Replace ``path`` with the bytes of ``chunks`` atomically; the parent directory must exist.

    ``unchanged``, asked once every chunk is written (before the fsync), may say the new
    bytes equal the file's: the temporary file is then dropped and ``path`` left as it
    was, so a writer streaming its text learns that in the same pass that writes it.
    Returns whether ``path`` was replaced.

    The temporary file is created with mode 0o666 filtered by the umask, as a plain
    ``open(path, "w")`` would, so the pact keeps ordinary permissions (``mkstemp`` would
    make it 0o600). On any failure the temporary file is removed and the target is left
    untouched. The temporary files' folder is removed again when no write is in progress,
    so ``pact_dir`` holds only pact files (see the module documentation).
    ``sync=False`` skips the fsync: the replacement is as atomic for readers
    and after a crash of this process (the kernel holds the data), only a power cut right
    after the write may lose the new file; the v2 path's intermediate writes use it, its
    final write does not.
    """
    path = Path(path)
    _sweep_old_style_once(path.parent)
    temp_dir = path.parent / TEMP_DIR_NAME
    tmp, fd = _create_temp(temp_dir, path.name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            keep_old = unchanged is not None and unchanged()
            handle.flush()
            if sync and not keep_old:
                os.fsync(handle.fileno())
        if keep_old:
            os.unlink(str(tmp))
            return False
        _replace(tmp, path)
        return True
    except BaseException:
        try:
            os.unlink(str(tmp))
        except OSError:
            pass
        raise
    finally:
        _tidy(temp_dir)


def _create_temp(temp_dir: Path, name: str) -> "tuple[Path, int]":
    """A new temporary file in ``temp_dir`` (made, with its ``.gitignore``, if needed)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for attempt in range(3):
        temp_dir.mkdir(exist_ok=True)
        _ensure_gitignore(temp_dir)
        tmp = temp_dir / f".{name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            return tmp, os.open(str(tmp), flags, 0o666)
        except FileNotFoundError:  # another writer's _tidy removed the folder just now
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _ensure_gitignore(temp_dir: Path) -> None:
    try:
        fd = os.open(str(temp_dir / ".gitignore"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except (FileExistsError, FileNotFoundError):
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("# temporary files of pact_unittest writes in progress\n*\n")


def _tidy(temp_dir: Path) -> None:
    """Remove dead writers' leftovers, then the folder itself if no write is in progress."""
    remove_stale_temp_files(temp_dir)
    try:
        if os.listdir(temp_dir) != [".gitignore"]:
            return  # a write in progress, or a live writer's file: keep the folder
        os.unlink(str(temp_dir / ".gitignore"))
        os.rmdir(str(temp_dir))
    except OSError:  # a writer came in between: it needs the folder, ignored as before
        if temp_dir.is_dir():
            _ensure_gitignore(temp_dir)


def _sweep_old_style_once(directory: Path) -> None:
    """Remove the leftovers older versions put beside the pacts, once per process."""
    key = os.path.abspath(directory)
    with _swept_lock:
        if key in _swept:
            return
        _swept.add(key)
    remove_stale_temp_files(directory)


def remove_stale_temp_files(directory: Path) -> int:
    """Remove the temporary files in ``directory`` whose writer process no longer runs
    (killed mid-write); the number removed. A live writer's file is never touched."""
    removed = 0
    try:
        names = os.listdir(directory)
    except OSError:
        return 0
    for name in names:
        found = _TEMP_NAME.match(name)
        if found is None or psutil.pid_exists(int(found.group(1))):
            continue
        try:
            os.unlink(os.path.join(directory, name))
            removed += 1
        except OSError:
            pass  # another writer removed it first
    return removed


def _replace(source: Path, target: Path) -> None:
    if os.name != "nt":
        os.replace(str(source), str(target))
        return
    for attempt in range(_WINDOWS_REPLACE_RETRIES):  # pragma: no cover - Windows only
        try:
            os.replace(str(source), str(target))
            return
        except PermissionError:
            if attempt == _WINDOWS_REPLACE_RETRIES - 1:
                raise
            time.sleep(_WINDOWS_REPLACE_DELAY)
