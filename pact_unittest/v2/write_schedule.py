"""When the v2 ``with pact:`` path writes the pact file: linear in the number of tests.

pact-python v2 wrote the whole pact file after every verified ``with pact:`` block. The
file grows with every test, so rewriting it each time makes a suite of N tests cost N²:
3,000 blocks took 26 s, the last hundred eight times slower than the first. The rule here:

* while the file is small (under :data:`EAGER_BYTES`, some 500 interactions: every suite
  we found that reads its pact file between tests is far below that) it is written after
  every verified block, as v2 did;
* once it is larger, it is written when the blocks verified since the last write reach a
  sixteenth of those written by then (so the rewrites add a constant share of one pass
  over the final file: linear in N);
* and always when ``stop_service()`` is called and when the process exits normally (an
  ``atexit`` hook, and the exit of a ``multiprocessing`` worker such as Django's
  ``--parallel`` ones, where ``atexit`` does not run).

Each write is still an atomic replacement: a reader or a crash sees the previous complete
file or the new one, never part of one.
"""
from __future__ import annotations

import atexit
import threading
import weakref
from typing import Any, Callable

#: Below this size (bytes) the file is rewritten after every verified block, as in v2.
EAGER_BYTES = 256 * 1024

#: Past EAGER_BYTES, write once the unwritten blocks reach 1/GROWTH of the written ones.
GROWTH = 16


class WriteSchedule:
    """Counts verified blocks and says when the next one should write the file."""

    def __init__(self) -> None:
        self.verified = 0  # blocks verified since start_service()
        self.written = 0  # blocks covered by the last write
        self.size = 0  # bytes of the last write

    @property
    def pending(self) -> bool:
        """True when a verified block is not on disk yet."""
        return self.verified > self.written

    def verified_block(self) -> bool:
        """Count one verified block; True when the file should be written now."""
        self.verified += 1
        if self.size < EAGER_BYTES:
            return True
        return self.verified - self.written >= max(1, self.written // GROWTH)

    def wrote(self, size: int) -> None:
        """The file now holds every block verified so far and is ``size`` bytes long."""
        self.written = self.verified
        self.size = size


#: The flush callbacks of started Pacts with (possibly) unwritten blocks, by Pact.
_pending: "weakref.WeakKeyDictionary[Any, Callable[[], None]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_hooked = False


def flush_all() -> None:
    """Write every started Pact's unwritten blocks (at exit; errors are the callbacks')."""
    with _lock:
        callbacks = list(_pending.values())
    for callback in callbacks:
        callback()


class _ForkHook:
    """A weakref-able owner for ``multiprocessing.util.register_after_fork``."""


_fork_hook = _ForkHook()


def _after_fork_in_mp_child(_owner: Any) -> None:
    # multiprocessing clears its finalizers in a new child before this runs: re-add ours.
    import multiprocessing.util

    multiprocessing.util.Finalize(None, flush_all, exitpriority=100)


def watch(owner: Any, flush: Callable[[], None]) -> None:
    """Have ``flush`` called at normal exit (here and in ``multiprocessing`` children)."""
    global _hooked
    with _lock:
        _pending[owner] = flush
        if _hooked:
            return
        _hooked = True
    atexit.register(flush_all)
    import multiprocessing.util

    multiprocessing.util.register_after_fork(_fork_hook, _after_fork_in_mp_child)


def unwatch(owner: Any) -> None:
    with _lock:
        _pending.pop(owner, None)
