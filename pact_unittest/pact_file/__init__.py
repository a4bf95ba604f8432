"""Pact files written and read: names, layout, overwrite/merge, locking, atomic replacement.

A pact file may be written by several processes of one test run at once (Django
``--parallel``, pytest-xdist, CI jobs sharing a checkout), and the result must equal a
serial run's. So every write is a read-merge-write under an exclusive cross-process lock
(``filelock``), and the new text replaces the file atomically
(:mod:`.atomic`): a reader never sees half a file.

Which content a write starts from depends on the mode and on the *run id*
(:func:`pact_unittest.model.settings.run_id`, shared by every worker of a run): a small state
file holds the id of the run that last wrote the pact.

The lock file and that run-id file live in a per-user *state directory* under the system
temp dir (:func:`state_dir`: ``<tempfile.gettempdir()>/pact_unittest-<uid>``, mode 0o700),
not next to the pact: users commit their pacts directory, and a run-id file there would
change on every run. They are named by a hash of the pact's resolved absolute path plus
the pact's name (``<hash>-<name>.lock``, ``<hash>-<name>.run``). Consequences: processes
writing one pact must share the temp dir (same machine or container, same ``TMPDIR``),
and a wiped temp dir only makes the next write count as the first of a run, which
replaces the file in overwrite mode: the safe default. A third file there holds a run's
*notes* about the pact (:func:`note_run`, :func:`run_notes`: which classes wrote it, which
tests of its pair failed), for the process that publishes it after the run. These state
files and the lock are handled in :mod:`.state`.

* ``overwrite`` (default): the first write of a run replaces the file, so interactions of
  deleted tests disappear; later writes of the same run (another test class, a parallel
  worker) merge into it. A *partial* run (one test, ``-k``, a single module) therefore
  leaves only that run's interactions in the file; use ``merge`` while iterating on a
  subset, or run the whole suite before committing the pact. A replacing write notes what
  the file held, and a run that ends with fewer interactions is warned about at exit
  (:mod:`.shrink`).
* ``merge``: always merge into what is there (interactions are only ever added).
* ``update`` (Ruby's name): like merge, but a same-key interaction is replaced by ours
  without the equality check.
* ``none``: nothing is written; the path is returned.

Merging (:mod:`.merge`) is by :meth:`Interaction.key` (description + provider states). Same key and same
content: kept once. Same key and different content: :class:`PactConflictError`, and the
file is left untouched. Content is compared as written JSON (our interaction rendered to
its pact dict against the dict in the file), never by re-parsing the file into matchers,
so Ruby's spurious conflicts (regexes containing ``/``, form bodies, spec 1) cannot
happen. The v4 ``key`` field is left out of the comparison, since other tools compute it
differently.

Deliberate differences from the Ruby mock service (``ruby-mock-service.md`` §9, §14):
interactions are sorted (Ruby keeps first-match order; merge appends); a write with zero
interactions on the first write of a run leaves an empty ``interactions`` list instead of
the stale file (§14.14); the file ends with a newline; names are made safe (:mod:`.naming`);
spec 1 response bodies hold example values, not Ruby ``json_class`` objects (§14.3).

Speed: a pact-python v2 suite writes after every test, so a write must cost little more
than its fsync. Interaction texts are cached (:mod:`.text`), a mock
service passes ``render_cache`` so its verified interactions are not rendered again, and a
writer that finds the file holding exactly the bytes it last wrote merges into what it
remembers instead of parsing the file (any other writer's change shows in the bytes).

The rooms: :mod:`.naming` (file names), :mod:`.layout` (the JSON of each spec version),
:mod:`.text` (the file text, fast), :mod:`.merge`, :mod:`.state` (lock, run id, run
notes), :mod:`.shrink`, :mod:`.atomic`, :mod:`.writer` and :mod:`.reader`.
"""
from __future__ import annotations

from ..model import WRITE_MODES
from .layout import file_label
from .merge import PactConflictError, PactFileClashError
from .naming import pact_file_name, pact_file_prefix
from .reader import read_pact
from .shrink import warn_if_shrunk
from .state import note_run, run_notes, state_dir
from .text import render_pact
from .writer import pact_document, write_pact

__all__ = [
    "PactConflictError", "PactFileClashError", "WRITE_MODES", "file_label", "pact_document",
    "pact_file_name", "pact_file_prefix", "read_pact", "note_run", "render_pact", "run_notes",
    "state_dir", "warn_if_shrunk", "write_pact",
]
