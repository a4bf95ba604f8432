"""Writing a pact file: read-merge-write under the pact's lock, replaced atomically.

See :mod:`pact_unittest.pact_file` for the modes, the run id and why the result of a
parallel run equals a serial one's.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from array import array
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, MutableMapping, Optional, Tuple, Union

from ..model import WRITE_MODES, Interaction, normalize_spec_version, settings
from .atomic import atomic_write_bytes, atomic_write_chunks
from .layout import FileKey, assemble, file_label, file_spec_major
from .message_layout import Rendered, list_name, render_any
from .merge import Pair, PactConflictError, PactFileClashError, dedupe, merge
from .naming import pact_file_name
from .reader import parse_pact
from .shrink import labels_of, note_replaced
from .state import append_note, pact_lock, read_bytes, state_paths
from .text import Entry, document_chunks

__all__ = ["RenderCache", "pact_document", "write_pact"]

logger = logging.getLogger(__name__)


# -- documents -----------------------------------------------------------------------------

#: ``id(interaction) -> (interaction, spec version, Entry)``: see ``render_cache`` of
#: :func:`write_pact`. Holding the interaction keeps its id from being reused.
RenderCache = MutableMapping[int, Tuple[Interaction, str, Entry]]


def _entries(
    interactions: Iterable[Interaction], spec_version: str, cache: Optional[RenderCache] = None
) -> List[Pair]:
    """Each interaction rendered for ``spec_version`` (from ``cache`` when it is there)."""
    pairs: List[Pair] = []
    if cache is None:
        for interaction in interactions:
            pairs.append(_rendered(interaction, spec_version)
                         or (Entry(*render_any(interaction, spec_version)), interaction))
        return pairs
    fresh: Dict[int, Tuple[Interaction, str, Entry]] = {}
    for interaction in interactions:
        done = _rendered(interaction, spec_version)
        if done is not None:
            pairs.append(done)
            continue
        hit = cache.get(id(interaction))
        if hit is not None and hit[0] is interaction and hit[1] == spec_version:
            entry = hit[2]
            fresh[id(interaction)] = hit
        else:
            entry = Entry(*render_any(interaction, spec_version))
            fresh[id(interaction)] = (interaction, spec_version, entry)
        pairs.append((entry, interaction))
    cache.clear()  # keep only what this write used: the cache never outgrows a session
    cache.update(fresh)
    return pairs


def _rendered(item: Any, spec_version: str) -> Optional[Pair]:
    """The pair of an already :class:`Rendered` item (None for a model to render)."""
    if not isinstance(item, Rendered):
        return None
    if item.spec_version != spec_version:
        raise ValueError(f"an interaction rendered for spec {item.spec_version} cannot be "
                         f"written into a spec {spec_version} pact")
    return item.entry, item  # named by its origin in conflict messages, as a model is


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
    interactions = list(interactions)
    ours = dedupe(_entries(interactions, full), None)
    return assemble(consumer, provider, [pair[0].item for pair in ours.values()], full,
                    list_name(full, interactions))


# -- files ---------------------------------------------------------------------------------


class _WrittenFile:
    """What this process last wrote to one pact file, so that a writer finding the file
    exactly as it left it (SHA-256 equal: true whatever other processes did in between)
    merges into those entries instead of parsing and re-rendering the file.

    A digest, not the bytes (a large pact would be held twice), and the entries compact
    (no dicts, no indented text): each entry's text is where the file has it, at
    ``starts[i]``, ``lengths[i]`` bytes long, and the next write, which reads the file's
    bytes anyway to digest them, slices it from there (see :func:`write_pact`).
    """

    __slots__ = ("digest", "theirs", "entries", "starts", "lengths", "pair")

    def __init__(self, digest: bytes, theirs: Tuple[str, str], entries: List[Entry],
                 starts: "array[int]", lengths: "array[int]", pair: Tuple[str, str]) -> None:
        self.digest, self.theirs, self.entries, self.pair = digest, theirs, entries, pair
        self.starts, self.lengths = starts, lengths

    def by_key(self) -> Dict[FileKey, Entry]:
        return {entry.key: entry for entry in self.entries}

    def text_finder(self, data: bytes) -> Callable[[Entry], str]:
        """Each entry's text: the one it keeps, else its bytes in ``data`` (the file this
        record describes) if it is one of ours, else rendered."""
        if len(self.starts) != len(self.entries) or len(self.lengths) != len(self.entries):
            return _text_of  # (never expected) positions not one per entry: render them
        at = {id(entry): index for index, entry in enumerate(self.entries)}

        def text_of(entry: Entry) -> str:
            text = entry.known_text
            if text is None:
                index = at.get(id(entry))
                if index is None:
                    return entry.text
                start = self.starts[index]
                return data[start:start + self.lengths[index]].decode("utf-8")
            return text

        return text_of


#: abspath -> what this process last wrote there. Only read and set while holding the
#: file's lock.
_written: Dict[str, _WrittenFile] = {}
_written_lock = threading.Lock()
_WRITTEN_LIMIT = 64


def _digest(data: Optional[bytes]) -> Optional[bytes]:
    return None if data is None else hashlib.sha256(data).digest()


def _remember(path: Path, record: _WrittenFile) -> None:
    with _written_lock:
        key = os.path.abspath(path)
        _written.pop(key, None)
        while len(_written) >= _WRITTEN_LIMIT:
            del _written[next(iter(_written))]
        _written[key] = record


def _recall(path: Path, digest: Optional[bytes]) -> Optional[_WrittenFile]:
    with _written_lock:
        known = _written.get(os.path.abspath(path))
    if known is None or known.digest != digest:
        return None
    return known


def _pair_in(path: Path, data: bytes, digest: Optional[bytes]) -> Optional[Tuple[str, str]]:
    """The consumer and provider names the file's bytes ``data`` (whose SHA-256 is
    ``digest``) hold (None: unreadable)."""
    known = _recall(path, digest)
    if known is not None:
        return known.pair
    try:
        document = parse_pact(data, path)
    except ValueError:
        return None  # replaced with a warning by _existing_entries
    consumer, provider = (document.get(role) for role in ("consumer", "provider"))
    if not (isinstance(consumer, dict) and isinstance(provider, dict)):
        return None
    names = consumer.get("name"), provider.get("name")
    if not (isinstance(names[0], str) and isinstance(names[1], str)):
        return None
    return names[0], names[1]


def _check_pair(path: Path, data: Optional[bytes], digest: Optional[bytes], consumer: str,
                provider: str) -> None:
    """Refuse to write into a file that holds another pair's contract (names that differ
    but give the same file name: ``a-b``/``c`` and ``a``/``b-c``, ``User`` and ``user``)."""
    if data is None:
        return
    theirs = _pair_in(path, data, digest)
    if theirs is None or theirs == (consumer, provider):
        return
    raise PactFileClashError(
        f"cannot write the pact of consumer {consumer!r} and provider {provider!r} to {path}: "
        f"that file holds the pact of consumer {theirs[0]!r} and provider {theirs[1]!r}, and "
        "both pairs give that file name (lower case, whitespace and unsafe characters as "
        "'_', consumer and provider joined by '-'). Rename one pair, or delete the file if "
        "the other pair is gone.",
        path=str(path),
    )


def _existing_entries(path: Path, data: Optional[bytes], known: Optional[_WrittenFile], major: str,
                      list_key: Optional[str] = "interactions"
                      ) -> Tuple[Dict[FileKey, Entry], Optional[str]]:
    """The interactions of the file's bytes ``data`` to merge with ({} if none or unreadable);
    ``known``: what this process wrote there, if the bytes are still that.

    ``list_key`` is the list this write fills (``messages`` for a spec 3 message pact): a
    spec 3 file holding the other list is a conflict (it cannot hold both). None: this
    write brings nothing, so it takes the file's list. Returns the entries and the list key.
    """
    if data is None:
        return {}, list_key
    if known is not None:
        theirs, entries = known.theirs, known.by_key()
    else:
        try:
            document = parse_pact(data, path)
        except ValueError as exc:
            logger.warning("%s; replacing it", exc)
            return {}, list_key
        their_key = "messages" if "messages" in document and "interactions" not in document \
            else "interactions"
        interactions = document.get(their_key)
        if not isinstance(interactions, list):
            logger.warning("%s has no interactions list; replacing it", path)
            return {}, list_key
        theirs = (file_spec_major(document) or major, their_key)
        entries = {}
        for item in interactions:
            if not isinstance(item, dict):
                logger.warning("%s: dropping a malformed interaction (not an object): %r", path, item)
                continue
            try:
                entry = Entry(item)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path} holds an interaction JSON cannot express "
                                 f"({file_label(item)}: {exc})") from None
            if entry.key in entries:
                logger.warning("%s: dropping a repeated interaction %s", path, file_label(item))
                continue
            entries[entry.key] = entry
    if list_key is None:
        list_key = theirs[1]
    if theirs[0] == major and theirs[1] != list_key and entries:
        raise PactConflictError(
            f"cannot write {list_key} into {path}, a spec 3 pact of {theirs[1]}: a spec 3 "
            "file holds either HTTP interactions or messages; use specification version "
            "4.0.0 for one file with both, or give the messages their own provider name",
            path=str(path),
        )
    if theirs[0] != major and entries:
        raise PactConflictError(
            f"cannot merge spec {major} interactions into {path}, a spec {theirs[0]} pact (written "
            "earlier in this run or by an earlier one): use one specification version per "
            "consumer-provider pair, or delete the file",
            path=str(path),
        )
    return entries, list_key


def _text_of(entry: Entry) -> str:
    return entry.text


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
    sync: bool = True,
) -> Path:
    """Write (or merge) ``interactions`` into ``<pact_dir>/<pact_file_name>`` and return its path.

    See the module doc for the modes and the run id. Raises PactConflictError (file
    untouched) for same-key interactions that differ, ValueError for bad arguments or an
    interaction JSON can't express, TimeoutError if another process holds the lock for
    more than :data:`~pact_unittest.pact_file.state.LOCK_TIMEOUT` seconds.

    ``render_cache``: a dict the caller keeps between writes of the *same* Interaction
    objects (a mock service session passes its own), so that an interaction written
    before is not rendered again; the caller must not change those objects in between.
    ``sync=False`` skips the pact file's fsync (see :func:`~.atomic.atomic_write_bytes`).
    """
    mode = _normalize_mode(mode)
    full = normalize_spec_version(spec_version)
    major = full.split(".")[0]
    directory = Path(pact_dir)
    path = directory / pact_file_name(consumer, provider)
    if mode == "none":
        return path
    interactions = list(interactions)
    list_key = list_name(full, interactions)
    ours = dedupe(_entries(interactions, full, render_cache), None)
    current_run = str(run_id if run_id is not None else settings.run_id()).strip()
    if not current_run:
        raise ValueError("run_id must not be empty")
    directory.mkdir(parents=True, exist_ok=True)

    lock_path, run_path = state_paths(path)
    with pact_lock(path, lock_path):
        replace = mode == "overwrite" and _read_run_id(run_path) != current_run
        current = read_bytes(path)
        current_digest = _digest(current)
        _check_pair(path, current, current_digest, consumer, provider)
        known = None if replace else _recall(path, current_digest)
        existing, found_key = ({}, list_key) if replace else _existing_entries(
            path, current, known, major, list_key if interactions else None)
        list_key = found_key or "interactions"
        if existing:
            merged = merge(existing, ours, mode, path)
        else:
            merged = {key: pair[0] for key, pair in ours.items()}
        del ours, existing
        ordered = sorted(merged.values(), key=lambda e: e.order)
        del merged
        head = assemble(consumer, provider, (), full, list_key)
        text_of = known.text_finder(current) if known is not None and current is not None \
            else _text_of
        digest = hashlib.sha256()
        starts, lengths = array("Q"), array("Q")
        last: List[Optional[str]] = [None]

        def texts() -> Iterator[str]:
            for entry in ordered:
                text = last[0] = text_of(entry)
                yield text

        def chunks() -> Iterator[bytes]:  # streamed: the whole text is never held at once
            position = 0
            for piece in document_chunks(head, texts()):
                data = piece.encode("utf-8")
                if piece is last[0]:  # an entry's text (not the separator before it)
                    starts.append(position)
                    lengths.append(len(data))
                position += len(data)
                digest.update(data)
                yield data

        atomic_write_chunks(path, chunks(), sync=sync,
                            unchanged=lambda: digest.digest() == current_digest)
        _remember(path, _WrittenFile(digest.digest(), (major, list_key),
                                     [entry.compacted() for entry in ordered], starts, lengths,
                                     (consumer, provider)))
        if replace:
            atomic_write_bytes(run_path, (current_run + "\n").encode("utf-8"))
            if current is not None:
                note_replaced(path, current_run, labels_of(current), append_note)
        logger.debug("wrote %d interaction(s) to %s (%s)", len(ordered), path, mode)
    return path