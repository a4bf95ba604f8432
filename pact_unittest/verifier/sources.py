"""Where pacts to verify come from: files, directories, HTTP(S) URLs (and, through
:mod:`.broker_pacts`, a Pact Broker), each read into a :class:`PactSource`.

A source that cannot be read is a :class:`PactSourceError` naming the file or URL and why,
raised before anything is verified: a verification that silently skipped a contract would
report success for a contract nobody checked.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from ..broker.config import mask_url
from ..pact_file.reader import parse_pact

__all__ = ["PactSource", "PactSourceError", "load_pacts", "pact_from_document"]


class PactSourceError(ValueError):
    """A pact file, directory or URL that could not be read into a pact (exit code 2)."""


@dataclass
class PactSource:
    """One pact to verify and what the place it came from says about it."""

    document: Dict[str, Any]
    origin: str
    #: Broker only: the pact is pending (its failures do not fail the run) or work in progress.
    pending: bool = False
    wip: bool = False
    #: Broker only: the notices to print and the link results are published to.
    notices: List[str] = field(default_factory=list)
    publish_url: Optional[str] = None
    #: Broker only: the notices to print after verification, by their ``when``
    #: (``after_verification:success_true_published_false``...).
    after_notices: Dict[str, str] = field(default_factory=dict)

    @property
    def consumer(self) -> str:
        return _name(self.document.get("consumer"))

    @property
    def provider(self) -> str:
        return _name(self.document.get("provider"))


def _name(party: Any) -> str:
    return str(party.get("name", "")) if isinstance(party, Mapping) else ""


Auth = Optional[Union[Tuple[str, str], str]]


def load_pacts(places: Iterable[Union[str, "os.PathLike[str]", Mapping[str, Any]]], *, auth: Auth = None,
               timeout: float = 30.0) -> List[PactSource]:
    """Every pact at ``places``: pact files, directories (their ``*.json`` files, sorted),
    ``http(s)://`` URLs (``auth``: a ``(user, password)`` pair or a bearer token), or pact
    documents already parsed."""
    out: List[PactSource] = []
    for place in places:
        if isinstance(place, Mapping):
            out.append(pact_from_document(dict(place), "<pact document>"))
        elif str(place).startswith(("http://", "https://")):
            out.append(_from_url(str(place), auth, timeout))
        else:
            out.extend(_from_path(Path(place)))
    return out


def pact_from_document(document: Any, origin: str, **details: Any) -> PactSource:
    """A parsed pact checked for the parts a verifier needs, as a :class:`PactSource`."""
    if not isinstance(document, dict):
        raise PactSourceError(f"{origin} is not a pact (the top level is not a JSON object)")
    found = [key for key in ("interactions", "messages") if key in document]
    if not found:
        raise PactSourceError(f"{origin} is not a pact: it has neither 'interactions' nor 'messages'")
    for key in found:
        if not isinstance(document[key], list):
            raise PactSourceError(f"{origin} is not a valid pact: '{key}' is not a list")
    source = PactSource(document, origin, **details)
    links = document.get("_links")
    link = links.get("pb:publish-verification-results") if isinstance(links, Mapping) else None
    if source.publish_url is None and isinstance(link, Mapping) and isinstance(link.get("href"), str):
        source.publish_url = link["href"]   # a pact fetched from a broker by its URL
    return source


def _from_path(path: Path) -> List[PactSource]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
        if not files:
            raise PactSourceError(f"{path} is a directory with no pact files (*.json) in it")
        return [_from_file(p) for p in files]
    return [_from_file(path)]


def _from_file(path: Path) -> PactSource:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PactSourceError(f"cannot read pact file {path}: {exc.strerror or exc}") from None
    try:
        document = parse_pact(data, path)
    except ValueError as exc:
        raise PactSourceError(str(exc)) from None
    return pact_from_document(document, str(path))


def _from_url(url: str, auth: Auth, timeout: float) -> PactSource:
    """A pact by URL; credentials written in the URL are used but never shown."""
    import requests

    shown = mask_url(url) or url

    headers = {"Accept": "application/hal+json, application/json"}
    basic = None
    if isinstance(auth, tuple):
        basic = auth
    elif auth:
        headers["Authorization"] = f"Bearer {auth}"
    try:
        answer = requests.get(url, headers=headers, auth=basic, timeout=timeout)
    except requests.RequestException as exc:
        raise PactSourceError(f"cannot fetch pact {shown}: {type(exc).__name__}: {exc}") from None
    if answer.status_code != 200:
        hint = " (check the credentials)" if answer.status_code in (401, 403) else ""
        raise PactSourceError(f"cannot fetch pact {shown}: HTTP {answer.status_code}{hint}")
    try:
        document = json.loads(answer.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PactSourceError(f"{shown} is not a valid pact (not UTF-8 JSON: {exc})") from None
    return pact_from_document(document, shown)
