"""Pact file text, fast and byte-identical to ``json.dumps(document, indent=2)``.

CPython's C JSON encoder only runs without ``indent``: ``json.dumps(indent=2)`` falls back
to the pure-Python encoder, 25-50 ms for a 200-interaction pact. A pact-python v2 suite
writes the pact after every test (its ``POST /pact``), so a suite of N tests paid that
N times. Here each interaction's indented text is cached under its compact JSON, which the
C encoder makes in microseconds and which fixes the indented text exactly (same values,
same key order), and the document is put together by concatenation. An interaction that
is already in the file costs a dict look-up; a new one pays the slow encoder once.

The result is exactly ``json.dumps(document, indent=2, separators=(",", ": "),
ensure_ascii=False, allow_nan=False) + "\\n"`` (the pact layout of :mod:`.layout`);
tests compare the two on every layout.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterable, Iterator, Optional, Sequence

from .layout import FileKey, file_key

#: Indented texts kept (compact JSON -> text). Cleared when full: a suite's interactions
#: number in the hundreds or thousands; this bounds memory for pathological runs.
_CACHE_LIMIT = 20000
_texts: Dict[str, str] = {}
#: The document keys whose list holds interactions (``messages`` in spec 3 message pacts).
_LISTS = ("interactions", "messages")


def compact_json(value: Any) -> str:
    """The C encoder's compact text, in the value's own key order (ValueError for NaN)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _indented(value: Any) -> str:
    return json.dumps(value, indent=2, separators=(",", ": "), ensure_ascii=False, allow_nan=False)


def item_text(item: Any, compact: Optional[str] = None) -> str:
    """``item`` as it stands in the document's ``interactions`` list (4 spaces in).

    ``item`` may be None when ``compact`` is given: it is read back from that text.
    JSON strings never hold a raw newline, so re-indenting is a plain replace.
    """
    if compact is None:
        compact = compact_json(item)
    text = _texts.get(compact)
    if text is None:
        if item is None:
            item = json.loads(compact)
        text = _indented_item(item)
        if len(_texts) >= _CACHE_LIMIT:
            _texts.clear()
        _texts[compact] = text
    return text


def _indented_item(item: Any) -> str:
    return "    " + _indented(item).replace("\n", "\n    ")


def document_text(document: Any, interaction_texts: Optional[Sequence[str]] = None) -> str:
    """The file text of ``document``; ``interaction_texts`` (from :func:`item_text`), when
    given, stand for its ``interactions`` (or spec 3 ``messages``) list, which is then not
    looked at."""
    return "".join(document_chunks(document, interaction_texts))


def document_chunks(document: Any, interaction_texts: Optional[Iterable[str]] = None) -> Iterator[str]:
    """The file text of :func:`document_text` in pieces, each interaction's text one of
    them: a writer streams them to the file instead of holding the whole text (and its
    bytes) at once, which for a large pact was most of the write's peak memory."""
    if not isinstance(document, dict) or not document or not all(isinstance(k, str) for k in document):
        yield _indented(document) + "\n"
        return
    lead = "{\n"
    for name, value in document.items():
        yield lead + "  " + json.dumps(name, ensure_ascii=False) + ": "
        lead = ",\n"
        if name in _LISTS and (interaction_texts is not None or isinstance(value, list)):
            texts = interaction_texts if interaction_texts is not None else (item_text(i) for i in value)
            sep = "[\n"
            for text in texts:
                yield sep
                yield text
                sep = ",\n"
            yield "[]" if sep == "[\n" else "\n  ]"
        else:
            yield _indented(value).replace("\n", "\n  ")
    yield "\n}\n"


def render_pact(document: Dict[str, Any]) -> str:
    """The file text: 2-space indent, ``": "`` separators, raw UTF-8, one final newline.

    Ruby and the Rust core write no final newline; we add one so that a pact under version
    control ends like every other text file (no "No newline at end of file" in diffs).
    Readers ignore it. NaN and infinities are rejected: they are not JSON.

    Equal to ``json.dumps(document, indent=2, separators=(",", ": "), ensure_ascii=False,
    allow_nan=False) + "\\n"``, made fast by :func:`document_text`.
    """
    return document_text(document)


class Entry:
    """One interaction as written: its dict, identity, compact JSON and (lazily) its text.

    Entries are never changed after creation, so the writer can keep them across writes
    (the file it wrote last, the interactions a mock service session has verified).
    ``keep_item=False`` keeps only the compact text (the dict is read back from it when
    asked for): what a test class holds per passed test until its one write, and what the
    writer remembers of the file it wrote, so that memory per interaction stays near its
    size in the file. Such an entry does not keep its indented text either (nor does the
    module's cache): a test class writes each one once, and a later write of the same file
    takes the text from the file's bytes (see :func:`~.writer.write_pact`).
    """

    __slots__ = ("_item", "compact", "key", "_text", "_canonical")

    def __init__(self, item: Dict[str, Any], compact: Optional[str] = None,
                 keep_item: bool = True) -> None:
        self._item: Optional[Dict[str, Any]] = item if keep_item else None
        self.compact = compact if compact is not None else compact_json(item)
        self.key: FileKey = file_key(item)
        self._text: Optional[str] = None
        self._canonical: Optional[str] = None

    @property
    def item(self) -> Dict[str, Any]:
        """The interaction's dict (a fresh copy from the compact text if not kept)."""
        return self._item if self._item is not None else json.loads(self.compact)

    def compacted(self) -> "Entry":
        """This entry without its dict (the same entry when it has none)."""
        if self._item is None:
            return self
        other = Entry.__new__(Entry)
        other._item, other.compact, other.key = None, self.compact, self.key
        other._text, other._canonical = self._text, self._canonical
        return other

    @property
    def order(self) -> FileKey:
        """Where the entry goes in the file: = ``layout.sort_key`` of its dict (made when
        asked, once per write, rather than kept: a tuple per interaction)."""
        kind, description, states = self.key
        return (description, states, kind)

    @property
    def text(self) -> str:
        """The indented text (kept only by an entry that keeps its dict, see the class doc)."""
        if self._text is not None:
            return self._text
        if self._item is None:
            return _indented_item(json.loads(self.compact))
        self._text = item_text(self._item, self.compact)
        return self._text

    @property
    def known_text(self) -> Optional[str]:
        """The indented text if this entry keeps it, else None (without making it)."""
        return self._text

    @property
    def canonical(self) -> str:
        """Sorted-key JSON without the v4 ``key`` (tools compute that differently)."""
        if self._canonical is None:  # from the compact text: what was rendered, not the dict now
            comparable = json.loads(self.compact)
            comparable.pop("key", None)
            self._canonical = json.dumps(comparable, sort_keys=True, ensure_ascii=False)
        return self._canonical

    def same(self, other: "Entry") -> bool:
        """Equal as written JSON (not as Python values: there ``1 == True == 1.0``)."""
        return self is other or self.compact == other.compact or self.canonical == other.canonical
