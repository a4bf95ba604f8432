"""Crash-safe file replacement for pact files and their sidecars.

A pact file is read by other processes (a parallel test worker, an editor, a broker
upload) while we write it. Writing in place would let them see half a file, and a crash
mid-write would leave one behind. So the new bytes go to a temporary file in the *same*
directory (``os.replace`` is only atomic within one file system), are flushed and fsynced,
and then replace the target in one step. Readers see the old file or the new one, never a
mixture.

The directory is *not* fsynced after the rename. That would only make the rename itself
survive a power cut; without it, a power cut right after a write leaves the previous
complete file (or none, for a new one), never half a file. A pact-python v2 suite rewrites
the pact after every test, and the directory fsync was a third of each write's cost
(0.3 ms idle, ~4 ms on a busy disk), for a guarantee a test artifact does not need.
"""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

#: On Windows, ``os.replace`` fails while another process has the target open (a reader in
#: a parallel worker, a virus scanner). Such holds are brief, so we retry for a while.
_WINDOWS_REPLACE_RETRIES = 50
_WINDOWS_REPLACE_DELAY = 0.02


def atomic_write_bytes(path: Path, data: bytes, sync: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically; the parent directory must exist.

    The temporary file is created with mode 0o666 filtered by the umask, as a plain
    ``open(path, "w")`` would, so the pact keeps ordinary permissions (``mkstemp`` would
    make it 0o600). On any failure the temporary file is removed and the target is left
    untouched. ``sync=False`` skips the fsync: the replacement is as atomic for readers
    and after a crash of this process (the kernel holds the data), only a power cut right
    after the write may lose the new file; the v2 path's intermediate writes use it, its
    final write does not.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(str(tmp), flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        _replace(tmp, path)
    except BaseException:
        try:
            os.unlink(str(tmp))
        except OSError:
            pass
        raise


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
