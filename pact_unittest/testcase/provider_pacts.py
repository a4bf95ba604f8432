"""The pacts a provider test class verifies, read when the class is made, and the names of
the test methods its interactions become.

Reading happens at class creation because the loader needs the test names then (unittest,
pytest and Django list a class's ``test*`` attributes); nothing is sent to the provider
until a test runs. A pact that cannot be read is not an import error: it becomes one test
that fails with the reason, so the rest of the suite still runs and reports.

Names are ``test_<consumer>__<description>[__given_<state>[_and_<state>]]``, lowercased,
ASCII, every run of other characters one ``_``; a name already taken gets ``__2``, ``__3``
in pact order, so names are the same in every process (pytest-xdist compares its workers'
collections) and ``-k userweb`` or ``-k given_user_42`` select what they say.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple, Union

from ..verifier import PactInteraction, PactSource, PactSourceError, load_pacts, read_interactions

__all__ = ["read_class_pacts", "method_name", "unique_names", "places_of"]

#: Longest generated name before it is cut and given a hash of the whole.
MAX_NAME = 150


def places_of(pacts: Any) -> List[Union[str, "os.PathLike[str]"]]:
    """A ``pacts`` class attribute (a file, a directory, a URL, or a list of them) as a list."""
    if pacts is None:
        return []
    if isinstance(pacts, (str, os.PathLike)):
        return [pacts]
    if isinstance(pacts, Iterable) and not isinstance(pacts, (bytes, dict)):
        return list(pacts)
    raise TypeError(f"pacts must be a pact file, a directory, a URL or a list of them, "
                    f"got {type(pacts).__name__}")


def read_class_pacts(places: Iterable[Union[str, "os.PathLike[str]"]]
                     ) -> Tuple[List[PactSource], List[str]]:
    """The pacts at ``places``, one file at a time: ``(sources, errors)``, where each error
    names a file, directory or URL that could not be read, and why."""
    sources: List[PactSource] = []
    errors: List[str] = []
    for place in places:
        try:
            files = _expand(place)
        except PactSourceError as exc:
            errors.append(str(exc))
            continue
        for one in files:
            try:
                sources.extend(load_pacts([one]))
            except PactSourceError as exc:
                errors.append(str(exc))
    return sources, errors


def _expand(place: Union[str, "os.PathLike[str]"]) -> List[Union[str, "os.PathLike[str]"]]:
    text = os.fspath(place)
    if text.startswith(("http://", "https://")):
        return [text]
    path = Path(text)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
        if not files:
            raise PactSourceError(f"{path} is a directory with no pact files (*.json) in it")
        return list(files)
    return [path]


def interactions_of(sources: Iterable[PactSource]) -> List[PactInteraction]:
    return [item for source in sources for item in read_interactions(source)]


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9a-z]+", "_", ascii_text.lower()).strip("_")


def method_name(consumer: str, description: str, states: Iterable[str]) -> str:
    """The generated test's name for one interaction (before making it unique)."""
    parts = [slug(consumer) or "pact", slug(description) or "interaction"]
    given = [slug(state) for state in states if slug(state)]
    if given:
        parts.append("given_" + "_and_".join(given))
    name = "test_" + "__".join(parts)
    if len(name) > MAX_NAME:
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
        name = name[:MAX_NAME - 9].rstrip("_") + "_" + digest
    return name


def unique_names(names: Iterable[str]) -> List[str]:
    """``names`` with the second and later of each made unique by ``__2``, ``__3``..."""
    taken: Dict[str, int] = {}
    out: List[str] = []
    seen = set()
    for name in names:
        candidate = name
        while candidate in seen:
            taken[name] = taken.get(name, 1) + 1
            candidate = f"{name}__{taken[name]}"
        seen.add(candidate)
        out.append(candidate)
    return out
