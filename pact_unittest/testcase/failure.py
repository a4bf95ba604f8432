"""The one frame a contract failure's traceback keeps, so every runner's report is short.

The failure is found after the test body returned, in the wrapper around it: every frame
of its traceback is then unittest's or ours, all marked ``__unittest``. unittest drops
them all and prints just the message, as for ``assertEqual``. pytest drops marked frames
too, but when that would leave none it shows them *all*, with the wrapper's whole source
(~40 lines before the message). So the failure is raised from here, one tiny function
whose one line says what happened, and whose module's ``__unittest`` is *False*: unittest
hides a frame whose module merely has the name (``'__unittest' in f_globals``), pytest
one whose value is true (``f_globals.get('__unittest')``). unittest keeps printing the
message alone; pytest shows this one line above it.

Django's ``--parallel`` sends failures back through ``tblib``, which keeps no module
globals, so no frame is hidden there: :func:`short_exc_info` (used by the test's outcome
hook) cuts the traceback down to this frame before the result sees it.
"""
from __future__ import annotations

import types
from typing import Any, Optional

__unittest = False  # see the module doc: hidden by unittest, shown by pytest


def raise_contract_failure(failure: BaseException, cause: Optional[BaseException]) -> None:
    """Raise ``failure`` (``from cause`` when the body raised too) from the one frame shown."""
    __tracebackhide__ = True  # pytest: this frame is not the one to show
    if cause is not None:  # what "raise failure from cause" does
        failure.__cause__ = cause
        failure.__suppress_context__ = True

    def pact_contract_failed() -> None:
        raise failure  # the pact contract failed after the test body: see the message below

    pact_contract_failed()


def _shown(tb: Any) -> bool:
    """pytest's rule (see the module doc), and its ``__tracebackhide__``."""
    frame = tb.tb_frame
    return not (frame.f_globals.get("__unittest") or frame.f_locals.get("__tracebackhide__"))


def _rebuild(frames: list) -> Optional[types.TracebackType]:
    tb: Optional[types.TracebackType] = None
    for old in reversed(frames):
        tb = types.TracebackType(tb, old.tb_frame, old.tb_lasti, old.tb_lineno)
    return tb


def short_exc_info(err: Any) -> Any:
    """``err`` (an exc_info triple) with a contract failure's traceback cut short.

    The failure keeps only its frames pytest would show (the one line of this module),
    its cause loses the leading ones pytest would hide (the test wrapper's). Anything else is returned
    unchanged, as is a failure without such a frame (say, a ``debug()`` run).
    """
    if not (isinstance(err, tuple) and len(err) == 3
            and hasattr(err[1], "pact_verification") and err[2] is not None):
        return err
    frames = []
    tb = err[2]
    while tb is not None:
        if _shown(tb):
            frames.append(tb)
        tb = tb.tb_next
    if not frames:
        return err
    failure = err[1]
    short = _rebuild(frames)
    failure.__traceback__ = short
    cause = failure.__cause__
    if cause is not None and cause.__traceback__ is not None:
        tb = cause.__traceback__
        while tb is not None and not _shown(tb) and tb.tb_next is not None:
            tb = tb.tb_next
        cause.__traceback__ = tb
    return (err[0], failure, short)
