"""Writing pact files: names, layout, overwrite/merge, locking and atomic replacement.

A pact file may be written by several processes of one test run at once (Django
``--parallel``, pytest-xdist, CI jobs sharing a checkout), and the result must equal a
serial run's. So every write is a read-merge-write under an exclusive cross-process lock
(``filelock`` on ``.<name>.lock`` next to the pact), and the new text replaces the file
atomically (:mod:`pact_unittest._atomic`): a reader never sees half a file.

Which content a write starts from depends on the mode and on the *run id*
(:func:`pact_unittest.settings.run_id`, shared by every worker of a run). The sidecar
``.<name>.run`` holds the id of the run that last wrote the file.

* ``overwrite`` (default): the first write of a run replaces the file, so interactions of
  deleted tests disappear; later writes of the same run (another test class, a parallel
  worker) merge into it. A *partial* run (one test, ``-k``, a single module) therefore
  leaves only that run's interactions in the file; use ``merge`` while iterating on a
  subset, or run the whole suite before committing the pact.
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

Leave ``.*.lock`` and ``.*.run`` out of version control (they are hidden files next to
the pact; deleting them between runs is harmless).
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import settings
from ._atomic import atomic_write_bytes
from ._pact_layout import (
    FileKey,
    assemble,
    file_key,
    file_spec_major,
    render_interaction,
    render_pact,
)
from .model import Interaction, normalize_spec_version

__all__ = [
    "PactConflictError",
    "WRITE_MODES",
    "pact_document",
    "pact_file_name",
    "read_pact",
    "render_pact",
    "write_pact",
]

logger = logging.getLogger(__name__)

WRITE_MODES = ("overwrite", "merge", "update", "none")

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
        # Keeps the pact visible and apart from our hidden ".<name>.lock/.run" sidecars.
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
    name = f"{_name_part(consumer, 'consumer')}-{_name_part(provider, 'provider')}.json"
    if name.split(".", 1)[0] in _WINDOWS_DEVICES:
        name = "_" + name
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        import hashlib

        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
        stem = name[: -len(".json")]
        while len(stem.encode("utf-8")) > _MAX_NAME_BYTES - len(digest) - len("-.json"):
            stem = stem[:-1]
        name = f"{stem}-{digest}.json"
    return name


# -- documents -----------------------------------------------------------------------------

_Entry = Tuple[FileKey, Dict[str, Any], str]  # (identity, rendered dict, who it is)


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


def _same(a: Dict[str, Any], b: Dict[str, Any]) -> bool:
    """Equal as written JSON (not as Python values: there ``1 == True == 1.0``)."""
    return _canonical(_comparable(a)) == _canonical(_comparable(b))


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


def _conflict(old: _Entry, new: _Entry, path: Optional[Path]) -> PactConflictError:
    diffs = _differences(_comparable(old[1]), _comparable(new[1]))
    where = f" in {path}" if path else ""
    message = (
        f"two different interactions{where} share the description and provider states "
        f"{_label(new[1])}: {old[2]} and {new[2]} differ in "
        + "; ".join(diffs or ["their content"])
        + ". Give them different descriptions or provider states, or make them equal"
        + ("; the file was left untouched" if path else "")
        + "."
    )
    return PactConflictError(message, old[2], new[2], diffs, str(path) if path else None)


def _who(interaction: Interaction) -> str:
    origin = getattr(interaction, "origin", None)
    return f"the one from {origin}" if origin else "the one given to this write"


def _dedupe(
    rendered: Iterable[Tuple[Interaction, Dict[str, Any]]], path: Optional[Path]
) -> List[Dict[str, Any]]:
    """Rendered interactions with duplicates (same key, same content) dropped.

    Raises PactConflictError for two with the same key and different content.
    """
    seen: Dict[FileKey, _Entry] = {}
    for interaction, item in rendered:
        entry = (file_key(item), item, _who(interaction))
        old = seen.get(entry[0])
        if old is None:
            seen[entry[0]] = entry
        elif not _same(old[1], item):
            raise _conflict(old, entry, path)
    return [entry[1] for entry in seen.values()]


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
    rendered = [(i, render_interaction(i, full)) for i in interactions]
    return assemble(consumer, provider, _dedupe(rendered, None), full)


def _merge(
    existing: List[Any], ours: List[Dict[str, Any]], mode: str, path: Path
) -> List[Dict[str, Any]]:
    merged: Dict[FileKey, _Entry] = {}
    for item in existing:
        if not isinstance(item, dict):
            logger.warning("%s: dropping a malformed interaction (not an object): %r", path, item)
            continue
        key = file_key(item)
        if key in merged:
            logger.warning("%s: dropping a repeated interaction %s", path, _label(item))
            continue
        merged[key] = (key, item, "the one already in the file")
    for item in ours:
        key = file_key(item)
        entry = (key, item, "the one written now")
        old = merged.get(key)
        if old is not None and mode != "update" and not _same(old[1], item):
            raise _conflict(old, entry, path)
        merged[key] = entry
    return [entry[1] for entry in merged.values()]


# -- files ---------------------------------------------------------------------------------


def read_pact(path: Union[str, Path]) -> Dict[str, Any]:
    """The parsed pact file at ``path``; ValueError naming the path if it isn't a JSON object."""
    path = Path(path)
    data = path.read_bytes()
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path} is not a valid pact file (not UTF-8 JSON: {exc})") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not a valid pact file (the top level is not a JSON object)")
    return document


def _existing_interactions(path: Path, spec_version: str) -> List[Any]:
    """The interactions already in ``path`` to merge with ([] if none or unreadable)."""
    if not path.exists():
        return []
    try:
        document = read_pact(path)
    except ValueError as exc:
        logger.warning("%s; replacing it", exc)
        return []
    interactions = document.get("interactions")
    if not isinstance(interactions, list):
        logger.warning("%s has no interactions list; replacing it", path)
        return []
    theirs = file_spec_major(document)
    ours = normalize_spec_version(spec_version).split(".")[0]
    if theirs is not None and theirs != ours and interactions:
        raise PactConflictError(
            f"cannot merge spec {ours} interactions into {path}, a spec {theirs} pact (written "
            "earlier in this run or by an earlier one): use one specification version per "
            "consumer-provider pair, or delete the file",
            path=str(path),
        )
    return interactions


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
) -> Path:
    """Write (or merge) ``interactions`` into ``<pact_dir>/<pact_file_name>`` and return its path.

    See the module doc for the modes and the run id. Raises PactConflictError (file
    untouched) for same-key interactions that differ, ValueError for bad arguments or an
    interaction JSON can't express, TimeoutError if another process holds the lock for
    more than :data:`LOCK_TIMEOUT` seconds.
    """
    mode = _normalize_mode(mode)
    full = normalize_spec_version(spec_version)
    directory = Path(pact_dir)
    path = directory / pact_file_name(consumer, provider)
    if mode == "none":
        return path
    rendered = [(i, render_interaction(i, full)) for i in interactions]
    ours = _dedupe(rendered, None)
    current_run = str(run_id if run_id is not None else settings.run_id()).strip()
    if not current_run:
        raise ValueError("run_id must not be empty")
    directory.mkdir(parents=True, exist_ok=True)

    from filelock import FileLock, Timeout

    lock_path = directory / f".{path.name}.lock"
    run_path = directory / f".{path.name}.run"
    lock = FileLock(str(lock_path), timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout:
        raise TimeoutError(
            f"could not lock {lock_path} within {LOCK_TIMEOUT:g} s: another process holds it"
        ) from None
    try:
        replace = mode == "overwrite" and _read_run_id(run_path) != current_run
        existing = [] if replace else _existing_interactions(path, full)
        items = _merge(existing, ours, mode, path) if existing else ours
        text = render_pact(assemble(consumer, provider, items, full)).encode("utf-8")
        if not (path.exists() and path.read_bytes() == text):
            atomic_write_bytes(path, text)
        if mode == "overwrite" and replace:
            atomic_write_bytes(run_path, (current_run + "\n").encode("utf-8"))
        logger.debug("wrote %d interaction(s) to %s (%s)", len(items), path, mode)
    finally:
        lock.release()
    return path
