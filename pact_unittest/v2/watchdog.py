"""Stop a mock service process once the process that started it is gone.

Why this exists: :class:`~pact_unittest.v2.process.ProcessBackend` stops its service in
``stop_service()`` and, failing that, in a ``weakref.finalize`` at interpreter exit. Neither
runs when the test process dies of a signal (SIGTERM from a cancelled CI job, SIGHUP from a
closed terminal, SIGKILL): Python runs no ``atexit`` hooks then, and the service would live
on, reparented to init. Installing signal handlers in the user's process is not ours to do,
so the backend starts this tiny process next to the service::

    python -m pact_unittest.v2.watchdog PARENT_PID CHILD_PID CHILD_CREATE_TIME [PARENT_CREATE_TIME]

It polls with ``psutil`` (the same code on Linux, macOS and Windows) every 0.2 s. When the
parent is gone (or a zombie) it terminates the service's whole process tree, kills what is
still alive after a grace period, and exits; when the service ends first it just exits.
Every pid is paired with its creation time, so a recycled pid is never signalled. It imports
nothing but ``psutil`` and the standard library, so it starts in a few milliseconds and
costs nothing while it waits.
"""
from __future__ import annotations

import signal
import sys
import time
from typing import Iterable, List, Optional, Sequence

import psutil

#: Poll interval: how long a service may outlive its parent before the watchdog acts.
INTERVAL = 0.2
#: How long a terminated process gets to exit (our CLI writes its pact) before it is killed.
GRACE = 3.0
#: Two processes may compute a creation time a little apart (Linux derives it from the boot
#: time, which clock adjustments move); a recycled pid is never that close to the original.
CREATE_TIME_TOLERANCE = 1.0


def same_process(pid: int, create_time: Optional[float]) -> Optional[psutil.Process]:
    """The live process ``pid`` if it is the one created at ``create_time``, else None."""
    try:
        proc = psutil.Process(pid)
        if create_time is not None and abs(proc.create_time() - create_time) > CREATE_TIME_TOLERANCE:
            return None  # the pid was recycled: not our process
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None  # gone, or not ours to identify (so never ours to signal)
    return proc if _alive(proc) else None


def _alive(proc: psutil.Process) -> bool:
    """Running and not a zombie (``is_running`` also guards against pid reuse)."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:  # it exists; we just may not look closer
        return True


def stop_tree(root: psutil.Process, timeout: float = GRACE) -> List[psutil.Process]:
    """Terminate ``root`` and all its descendants, then kill whatever is still alive.

    Descendants are collected before anything is signalled: a wrapper script may die first
    and orphan them. Returns the processes that survived even the kill (normally none).
    """
    try:
        procs = root.children(recursive=True) + [root]
    except psutil.NoSuchProcess:
        procs = []
    return stop_processes(procs, timeout)


def stop_processes(procs: Iterable[psutil.Process], timeout: float = GRACE) -> List[psutil.Process]:
    """Terminate, wait up to ``timeout``, kill the rest; the survivors of the kill."""
    procs = list(procs)
    for proc in procs:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    alive = _wait_gone(procs, timeout)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    return _wait_gone(alive, timeout)


def _wait_gone(procs: List[psutil.Process], timeout: float) -> List[psutil.Process]:
    """Wait until every process is gone or a zombie; the ones still alive at ``timeout``.

    Not ``psutil.wait_procs``: a process that is not our child stays a zombie until its new
    parent (init, or a container's slow reaper) collects it, and wait_procs waits for that.
    """
    deadline = time.monotonic() + timeout
    while True:
        procs = [proc for proc in procs if _alive(proc)]
        if not procs or time.monotonic() >= deadline:
            return procs
        time.sleep(0.02)


def watch(parent_pid: int, child_pid: int, child_create_time: float,
          parent_create_time: Optional[float] = None, interval: float = INTERVAL,
          grace: float = GRACE) -> int:
    """Wait until the child or the parent ends; stop the child's tree if the parent did."""
    child = same_process(child_pid, child_create_time)
    if child is None:
        return 0
    parent = same_process(parent_pid, parent_create_time)
    while parent is not None and _alive(parent):
        if not _alive(child):
            return 0
        time.sleep(interval)
    if _alive(child):
        stop_tree(child, grace)
    return 0


def main(argv: Sequence[str]) -> int:
    if len(argv) not in (3, 4):
        print("usage: python -m pact_unittest.v2.watchdog PARENT_PID CHILD_PID "
              "CHILD_CREATE_TIME [PARENT_CREATE_TIME]", file=sys.stderr)
        return 2
    # Only a dead parent or an ended service may stop the watchdog: not the Ctrl-C or the
    # hang-up meant for the test run (the service handles those itself).
    for name in ("SIGINT", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    parent_create_time = float(argv[3]) if len(argv) == 4 else None
    return watch(int(argv[0]), int(argv[1]), float(argv[2]), parent_create_time)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
