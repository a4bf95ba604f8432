"""Writing pact files: names, layout, overwrite/merge, locking and atomic replacement.

A pact file may be written by several processes of one test run at once (Django
``--parallel``, pytest-xdist, CI jobs sharing a checkout), and the result must equal a
serial run's. So every write is a read-merge-write under an exclusive cross-process lock
(``filelock``), and the new text replaces the file atomically
(:mod:`pact_unittest._atomic`): a reader never sees half a file.

Which content a write starts from depends on the mode and on the *run id*
(:func:`pact_unittest.settings.run_id`, shared by every worker of a run): a small state
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
files and the lock are handled in :mod:`pact_unittest._pact_state`.

* ``overwrite`` (default): the first write of a run replaces the file, so interactions of
  deleted tests disappear; later writes of the same run (another test class, a parallel
  worker) merge into it. A *partial* run (one test, ``-k``, a single module) therefore
  leaves only that run's interactions in the file; use ``merge`` while iterating on a
  subset, or run the whole suite before committing the pact. A replacing write notes what
  the file held, and a run that ends with fewer interactions is warned about at exit
  (:func:`warn_if_shrunk`, :func:`pact_unittest._pact_state.note_replaced`).
* ``merge``: always merge into what is there (interactions are only ever added).
* ``update`` (Ruby's name): like merge, but a same-key interaction is replaced by ours
  without the equality check.
* ``none``: nothing is written; the path is returned.

Merging is by :meth:`Interaction.key` (description + provider states). Same key and same
content: kept once. Same key and different content: :class:`PactConflictError`, and the
file is left untouched. Content is compared as written JSON (our interaction rendered to
its pact dict against the dict in the file), never by re-parsing the file into matchers,
so Ruby's spurious conflicts (regexes containing ``/``, form bodies, spec 1) cannot
happen. The v4 ``key`` field is left out of the comparison, since other tools compute it
differently.

Deliberate differences from the Ruby mock service (``ruby-mock-service.md`` §9, §14):
interactions are sorted (Ruby keeps first-match order; merge appends); a write with zero
interactions on the first write of a run leaves an empty ``interactions`` list instead of
the stale file (§14.14); the file ends with a newline; names are made safe (below);
spec 1 response bodies hold example values, not Ruby ``json_class`` objects (§14.3).

Speed: a pact-python v2 suite writes after every test, so a write must cost little more
than its fsync. Interaction texts are cached (:mod:`pact_unittest._pact_text`), a mock
service passes ``render_cache`` so its verified interactions are not rendered again, and a
writer that finds the file holding exactly the bytes it last wrote merges into what it
remembers instead of parsing the file (any other writer's change shows in the bytes).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import (
    Any, Dict, Iterable, List, MutableMapping, Optional, Sequence, Tuple, Union,
)

from . import settings
from ._atomic import atomic_write_bytes
from ._pact_state import notes_path as _notes_path
from ._pact_state import pact_lock as _pact_lock
from ._pact_state import read_notes as _read_notes
from ._pact_state import state_dir
from ._pact_state import state_paths as _state_paths
from . import _pact_state
from ._pact_layout import (
    FileKey,
    assemble,
    file_spec_major,
    render_interaction_json,
    render_pact,
)
from ._pact_text import Entry, document_text
from .model import WRITE_MODES, Interaction, normalize_spec_version

__all__ = [
    "PactConflictError",
    "WRITE_MODES",
    "pact_document",
    "pact_file_name",
    "pact_file_prefix",
    "read_pact",
    "note_run",
    "render_pact",
    "run_notes",
    "state_dir",
    "warn_if_shrunk",
    "write_pact",
]

logger = logging.getLogger(__name__)


#: How long a writer waits for another process's lock before giving up (seconds). A write
#: takes milliseconds; a lock held this long means a stuck process.
LOCK_TIMEOUT = 120.0

#: Characters replaced by "_" in consumer and provider names, besides whitespace (which
#: Ruby replaces too): path separators ``/`` and ``\``, the characters Windows forbids in
#: file names ``< > : " | ? *`` (``:`` is also macOS Finder's path separator), and control
#: characters U+0000-U+001F and U+007F (NUL included).
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WHITESPACE = re.compile(r"\s")
_WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(1, 10)] + [f"lpt{i}" for i in range(1, 10)]
)
#: Leaves room under the usual 255-byte limit for the ".<name>.<pid>.<rand>.tmp" temp file.
_MAX_NAME_BYTES = 200
#: A name over _MAX_NAME_BYTES keeps this many bytes, then "-<digest>.json".
_DIGEST_CHARS = 12
_CUT_STEM_BYTES = _MAX_NAME_BYTES - _DIGEST_CHARS - len("-.json")


class PactConflictError(ValueError):
    """Two interactions share a description and provider states but differ.

    A provider verifier could not tell which one the consumer means, so the write is
    refused and the file left untouched. ``first`` and ``second`` name the two, and
    ``differences`` lists where they differ (JSON paths with both values).
    """

    def __init__(
        self,
        message: str,
        first: Optional[str] = None,
        second: Optional[str] = None,
        differences: Sequence[str] = (),
        path: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.first = first
        self.second = second
        self.differences = tuple(differences)
        self.path = path

    def __reduce__(self) -> Any:
        return (
            self.__class__,
            (self.args[0], self.first, self.second, self.differences, self.path),
        )


# -- names ---------------------------------------------------------------------------------


def _name_part(name: Any, role: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"the {role} name must be a string, not {type(name).__name__}")
    if not name.strip():
        raise ValueError(f"the {role} name must not be empty")
    text = _WHITESPACE.sub("_", name.lower())
    text = _UNSAFE_CHARS.sub("_", text)
    if text.startswith("."):
        # Keeps the pact visible (a hidden file is easily left out of a commit).
        text = "_" + text[1:]
    return text


def pact_file_name(consumer: str, provider: str) -> str:
    """The pact's file name: ``"My Web App"``, ``"User Service"`` -> ``my_web_app-user_service.json``.

    Ruby's rule (lower case, each whitespace character -> ``_``) plus what keeps the file
    inside ``pact_dir`` and portable: path separators, ``< > : " | ? *`` and control
    characters become ``_``; a leading ``.`` becomes ``_``; a name whose part before the
    first dot is a Windows device name (``con``, ``nul``, ``com1``...) gets a ``_`` prefix;
    a name over 200 bytes is cut and given a hash suffix. Empty names raise ValueError.
    """
    name = _device_safe(f"{_name_part(consumer, 'consumer')}-{_name_part(provider, 'provider')}.json")
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:_DIGEST_CHARS]
        name = f"{_cut_to_bytes(name[: -len('.json')], _CUT_STEM_BYTES)}-{digest}.json"
    return name


def pact_file_prefix(consumer: str) -> str:
    """What the name of every pact file of ``consumer`` begins with, whatever the provider.

    Finds a consumer's pacts in a directory (the broker's v2 ``publish``) by the same rule
    :func:`pact_file_name` names them with. Several consumers may share a prefix (``"a"``
    and ``"a-b"``), so a caller should still check the consumer named inside the file.
    """
    # The device rule looks at the name up to its first dot. With no dot in the consumer
    # part, that text contains the "-" before the provider, and no device name has one: so
    # the rule decides the same on the consumer part + "-" as on the whole name.
    prefix = _device_safe(_name_part(consumer, "consumer") + "-")
    # A long name keeps its first _CUT_STEM_BYTES bytes at most.
    return _cut_to_bytes(prefix, _CUT_STEM_BYTES)


def _device_safe(name: str) -> str:
    return "_" + name if name.split(".", 1)[0] in _WINDOWS_DEVICES else name


def _cut_to_bytes(text: str, limit: int) -> str:
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text


# -- run notes (see _pact_state) -----------------------------------------------------------


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
    with _pact_lock(path, _state_paths(path)[0], LOCK_TIMEOUT):
        _append_note(path, run_id, line)


def _append_note(path: Path, run_id: str, line: str) -> None:
    """Add one line (no line break in it) to the run's notes; the caller holds the lock."""
    notes_path = _notes_path(path)
    lines = [run_id] + _read_notes(notes_path, run_id) + [line]
    atomic_write_bytes(notes_path, ("\n".join(lines) + "\n").encode("utf-8"))


def run_notes(pact_path: Union[str, Path], run_id: str) -> List[str]:
    """The notes run ``run_id`` left about the pact at ``pact_path``, oldest first.

    ``[]`` when that run left none (or a later run replaced them, or the temp dir was
    wiped). :mod:`pact_unittest._writer` decides from them whether to publish the pact.
    """
    path = Path(pact_path)
    run_id = str(run_id).strip()
    with _pact_lock(path, _state_paths(path)[0], LOCK_TIMEOUT):
        return _read_notes(_notes_path(path), run_id)


# -- documents -----------------------------------------------------------------------------

#: (rendered interaction, who it is: the Interaction or a text), for conflict messages.
_Pair = Tuple[Entry, Any]

#: ``id(interaction) -> (interaction, spec version, Entry)``: see ``render_cache`` of
#: :func:`write_pact`. Holding the interaction keeps its id from being reused.
RenderCache = MutableMapping[int, Tuple[Interaction, str, Entry]]


def _label(item: Dict[str, Any]) -> str:
    text = repr(item.get("description"))
    states = [s.get("name") for s in item.get("providerStates") or [] if isinstance(s, dict)]
    if not states and item.get("providerState") is not None:
        states = [item["providerState"]]
    if states:
        text += " (given " + ", ".join(repr(s) for s in states) + ")"
    return text


def _comparable(item: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in item.items() if k != "key"}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _short(value: Any) -> str:
    text = _canonical(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _differences(a: Any, b: Any, path: str = "", limit: int = 3) -> List[str]:
    """Where two JSON values differ, as "path: A != B" lines (at most ``limit``)."""
    found: List[str] = []
    if isinstance(a, dict) and isinstance(b, dict):
        for name in list(a) + [k for k in b if k not in a]:
            where = f"{path}.{name}" if path else str(name)
            if name not in a:
                found.append(f"{where}: absent != {_short(b[name])}")
            elif name not in b:
                found.append(f"{where}: {_short(a[name])} != absent")
            elif _canonical(a[name]) != _canonical(b[name]):
                found.extend(_differences(a[name], b[name], where, limit - len(found)))
            if len(found) >= limit:
                break
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b)):
            if _canonical(x) != _canonical(y):
                found.extend(_differences(x, y, f"{path}[{index}]", limit - len(found)))
            if len(found) >= limit:
                break
    elif _canonical(a) != _canonical(b):
        found.append(f"{path or '$'}: {_short(a)} != {_short(b)}")
    return found[:limit]


def _conflict(old: _Pair, new: _Pair, path: Optional[Path]) -> PactConflictError:
    first, second = _who(old[1]), _who(new[1])
    diffs = _differences(_comparable(old[0].item), _comparable(new[0].item))
    where = f" in {path}" if path else ""
    message = (
        f"two different interactions{where} share the description and provider states "
        f"{_label(new[0].item)}: {first} and {second} differ in "
        + "; ".join(diffs or ["their content"])
        + ". Give them different descriptions or provider states, or make them equal"
        + ("; the file was left untouched" if path else "")
        + "."
    )
    return PactConflictError(message, first, second, diffs, str(path) if path else None)


def _who(interaction: Any) -> str:
    if isinstance(interaction, str):
        return interaction
    origin = getattr(interaction, "origin", None)
    return f"the one from {origin}" if origin else "the one given to this write"


def _entries(
    interactions: Iterable[Interaction], spec_version: str, cache: Optional[RenderCache] = None
) -> List[_Pair]:
    """Each interaction rendered for ``spec_version`` (from ``cache`` when it is there)."""
    pairs: List[_Pair] = []
    if cache is None:
        for interaction in interactions:
            pairs.append((Entry(*render_interaction_json(interaction, spec_version)), interaction))
        return pairs
    fresh: Dict[int, Tuple[Interaction, str, Entry]] = {}
    for interaction in interactions:
        hit = cache.get(id(interaction))
        if hit is not None and hit[0] is interaction and hit[1] == spec_version:
            entry = hit[2]
            fresh[id(interaction)] = hit
        else:
            entry = Entry(*render_interaction_json(interaction, spec_version))
            fresh[id(interaction)] = (interaction, spec_version, entry)
        pairs.append((entry, interaction))
    cache.clear()  # keep only what this write used: the cache never outgrows a session
    cache.update(fresh)
    return pairs


def _dedupe(pairs: Iterable[_Pair], path: Optional[Path]) -> Dict[FileKey, _Pair]:
    """Rendered interactions by key, duplicates (same key, same content) dropped.

    Raises PactConflictError for two with the same key and different content.
    """
    seen: Dict[FileKey, _Pair] = {}
    for pair in pairs:
        old = seen.get(pair[0].key)
        if old is None:
            seen[pair[0].key] = pair
        elif not old[0].same(pair[0]):
            raise _conflict(old, pair, path)
    return seen


def pact_document(
    consumer: str,
    provider: str,
    interactions: Iterable[Interaction],
    spec_version: str,
) -> Dict[str, Any]:
    """The pact JSON as a dict in fixed key order: sorted, duplicates dropped.

    Raises ValueError for an interaction JSON can't express or of the other internal
    form family, PactConflictError for two that share a key but differ.
    """
    full = normalize_spec_version(spec_version)
    ours = _dedupe(_entries(interactions, full), None)
    return assemble(consumer, provider, [pair[0].item for pair in ours.values()], full)


def _merge(
    existing: Dict[FileKey, Entry], ours: Dict[FileKey, _Pair], mode: str, path: Path
) -> Dict[FileKey, Entry]:
    merged = dict(existing)
    for key, pair in ours.items():
        old = merged.get(key)
        if old is not None and mode != "update" and not old.same(pair[0]):
            raise _conflict((old, "the one already in the file"), (pair[0], "the one written now"), path)
        merged[key] = pair[0]
    return merged


# -- files ---------------------------------------------------------------------------------


def _parse_pact(data: bytes, path: Path) -> Dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path} is not a valid pact file (not UTF-8 JSON: {exc})") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not a valid pact file (the top level is not a JSON object)")
    return document


def read_pact(path: Union[str, Path]) -> Dict[str, Any]:
    """The parsed pact file at ``path``; ValueError naming the path if it isn't a JSON object."""
    path = Path(path)
    return _parse_pact(path.read_bytes(), path)


#: What this process last wrote to each pact file (abspath -> (bytes, spec major, entries
#: by key)), so that a writer finding the file exactly as it left it (bytes equal: true
#: whatever other processes did in between) merges into those entries instead of parsing
#: and re-rendering the file. Only read and set while holding the file's lock.
_written: Dict[str, Tuple[bytes, str, Dict[FileKey, Entry]]] = {}
_written_lock = threading.Lock()
_WRITTEN_LIMIT = 64


def _remember(path: Path, data: bytes, major: str, entries: Dict[FileKey, Entry]) -> None:
    with _written_lock:
        key = os.path.abspath(path)
        _written.pop(key, None)
        while len(_written) >= _WRITTEN_LIMIT:
            del _written[next(iter(_written))]
        _written[key] = (data, major, entries)


def _recall(path: Path, data: bytes) -> Optional[Tuple[str, Dict[FileKey, Entry]]]:
    with _written_lock:
        known = _written.get(os.path.abspath(path))
    if known is None or known[0] != data:
        return None
    return known[1], known[2]


def _existing_entries(path: Path, data: Optional[bytes], major: str) -> Dict[FileKey, Entry]:
    """The interactions of the file's bytes ``data`` to merge with ({} if none or unreadable)."""
    if data is None:
        return {}
    known = _recall(path, data)
    if known is not None:
        theirs, entries = known
    else:
        try:
            document = _parse_pact(data, path)
        except ValueError as exc:
            logger.warning("%s; replacing it", exc)
            return {}
        interactions = document.get("interactions")
        if not isinstance(interactions, list):
            logger.warning("%s has no interactions list; replacing it", path)
            return {}
        theirs = file_spec_major(document) or major
        entries = {}
        for item in interactions:
            if not isinstance(item, dict):
                logger.warning("%s: dropping a malformed interaction (not an object): %r", path, item)
                continue
            try:
                entry = Entry(item)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path} holds an interaction JSON cannot express "
                                 f"({_label(item)}: {exc})") from None
            if entry.key in entries:
                logger.warning("%s: dropping a repeated interaction %s", path, _label(item))
                continue
            entries[entry.key] = entry
    if theirs != major and entries:
        raise PactConflictError(
            f"cannot merge spec {major} interactions into {path}, a spec {theirs} pact (written "
            "earlier in this run or by an earlier one): use one specification version per "
            "consumer-provider pair, or delete the file",
            path=str(path),
        )
    return entries


def _labels(data: Optional[bytes]) -> List[str]:
    """The labels of a pact text's interactions ([] when none or unreadable)."""
    try:
        items = json.loads(data).get("interactions") if data else None
    except (ValueError, AttributeError, RecursionError):
        return []
    return [_label(i) for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def warn_if_shrunk(pact_path: Union[str, Path], run_id: Optional[str] = None) -> Optional[str]:
    """Warn (once per file and process) if run ``run_id`` left the pact with fewer
    interactions than its first write replaced; return the warning, or None.

    See :func:`pact_unittest._pact_state.note_replaced`: called at exit, by the process that replaced
    the file and by the process owning a parallel run.
    """
    path = Path(pact_path)
    run = str(run_id if run_id is not None else settings.run_id()).strip()
    return _pact_state.warn_if_shrunk(path, run, run_notes(path, run), _labels(_read_bytes(path)))


def _read_bytes(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _read_run_id(path: Path) -> Optional[str]:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _normalize_mode(mode: str) -> str:
    text = str(mode).strip().lower()
    if text not in WRITE_MODES:
        raise ValueError(f"unknown pact file write mode {mode!r}: use one of {', '.join(WRITE_MODES)}")
    return text


def write_pact(
    pact_dir: Union[str, Path],
    consumer: str,
    provider: str,
    interactions: Iterable[Interaction],
    spec_version: str = "2.0.0",
    mode: str = "overwrite",
    run_id: Optional[str] = None,
    *,
    render_cache: Optional[RenderCache] = None,
) -> Path:
    """Write (or merge) ``interactions`` into ``<pact_dir>/<pact_file_name>`` and return its path.

    See the module doc for the modes and the run id. Raises PactConflictError (file
    untouched) for same-key interactions that differ, ValueError for bad arguments or an
    interaction JSON can't express, TimeoutError if another process holds the lock for
    more than :data:`LOCK_TIMEOUT` seconds.

    ``render_cache``: a dict the caller keeps between writes of the *same* Interaction
    objects (a mock service session passes its own), so that an interaction written
    before is not rendered again; the caller must not change those objects in between.
    """
    mode = _normalize_mode(mode)
    full = normalize_spec_version(spec_version)
    major = full.split(".")[0]
    directory = Path(pact_dir)
    path = directory / pact_file_name(consumer, provider)
    if mode == "none":
        return path
    ours = _dedupe(_entries(interactions, full, render_cache), None)
    current_run = str(run_id if run_id is not None else settings.run_id()).strip()
    if not current_run:
        raise ValueError("run_id must not be empty")
    directory.mkdir(parents=True, exist_ok=True)

    lock_path, run_path = _state_paths(path)
    with _pact_lock(path, lock_path, LOCK_TIMEOUT):
        replace = mode == "overwrite" and _read_run_id(run_path) != current_run
        current = _read_bytes(path)
        existing = {} if replace else _existing_entries(path, current, major)
        if existing:
            merged = _merge(existing, ours, mode, path)
        else:
            merged = {key: pair[0] for key, pair in ours.items()}
        texts = [entry.text for entry in sorted(merged.values(), key=lambda e: e.order)]
        data = document_text(assemble(consumer, provider, (), full), texts).encode("utf-8")
        if data != current:
            atomic_write_bytes(path, data)
        _remember(path, data, major, merged)
        if replace:
            atomic_write_bytes(run_path, (current_run + "\n").encode("utf-8"))
            if current is not None:
                _pact_state.note_replaced(path, current_run, _labels(current), _append_note)
        logger.debug("wrote %d interaction(s) to %s (%s)", len(merged), path, mode)
    return path
