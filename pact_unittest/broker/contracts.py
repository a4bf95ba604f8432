"""Pact files to publish, the request bodies built from them, and the publish result.

Checked before anything is sent (better messages than a broker 400): every file is a
JSON object naming ``consumer.name`` and ``provider.name``; one file per consumer/
provider pair (our writer makes one; two would make the broker see a conflict).

The ``content`` we send is the Base64 of the file's exact bytes: what the broker stores
is what the tests wrote. The Ruby CLI re-serialises instead; the broker's conflict check
ignores formatting, so both are equivalent there (``shared/broker/README.md`` 2.2).
"""
from __future__ import annotations

import base64
import glob
import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from .errors import BrokerConfigError

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class PactFile:
    """One pact file read from disk."""

    path: str
    consumer: str
    provider: str
    raw: bytes = field(repr=False)

    @property
    def content(self) -> Dict[str, Any]:
        return json.loads(self.raw.decode("utf-8"))

    def base64(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")


@dataclass(frozen=True)
class Notice:
    """One line of the broker's answer: ``type`` in debug/info/warning/prompt/success/error/
    danger; ``text`` is meant for a terminal (keep its leading spaces)."""

    type: str
    text: str


@dataclass(frozen=True)
class PublishedPact:
    consumer: str
    provider: str
    path: str
    url: Optional[str] = None


@dataclass(frozen=True)
class ConsumerOutcome:
    """What happened to one consumer's pacts: ``status`` is ``published`` (new content),
    ``unchanged`` (the broker already had exactly this content) or ``refused`` (the broker
    answered 409; ``message`` is its explanation). ``response`` is the broker's body."""

    consumer: str
    status: str
    providers: Tuple[str, ...]
    message: str = ""
    response: Any = field(default=None, repr=False, compare=False)
    #: For a refusal: the full error text (the broker's notices with the diff, what to do).
    detail: str = field(default="", repr=False, compare=False)

    def as_json(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"consumer": self.consumer, "status": self.status,
                               "providers": list(self.providers)}
        if self.message:
            out["message"] = self.message
        out["response"] = self.response
        return out


@dataclass(frozen=True)
class PublishResult:
    """What a publish did. Failures raise instead, so a result always means success.

    ``api`` is ``"contracts"`` (``POST pb:publish-contracts``) or ``"legacy"`` (the older
    PUT sequence); ``dry_run`` results list the requests that would have been sent in
    ``planned`` and nothing was published.
    """

    consumer_version: str
    branch: Optional[str]
    tags: Tuple[str, ...]
    build_url: Optional[str]
    pacts: Tuple[PublishedPact, ...]
    notices: Tuple[Notice, ...] = ()
    broker_version: Optional[str] = None
    api: str = "contracts"
    responses: Tuple[Any, ...] = field(default=(), repr=False, compare=False)
    dry_run: bool = False
    planned: Tuple[Dict[str, Any], ...] = field(default=(), repr=False)
    consumers: Tuple[ConsumerOutcome, ...] = ()

    @property
    def refused(self) -> Tuple[ConsumerOutcome, ...]:
        """The consumers the broker refused (only with ``keep_going=True``; else it raises)."""
        return tuple(c for c in self.consumers if c.status == "refused")

    def text(self) -> str:
        """The notices one per line, as the pact-broker CLI prints them."""
        return "\n".join(n.text for n in self.notices)


def collect_pact_files(paths: Iterable[PathLike], consumer: Optional[str] = None) -> List[PactFile]:
    """Read the pact files named (directories contribute their ``*.json``), in order.

    With ``consumer``, files of other consumers found in a *directory* are skipped (a
    shared ``pacts/`` directory); a file named explicitly must belong to it.
    """
    found: List[Tuple[str, bool]] = []
    for item in paths:
        path = os.fspath(item)
        if os.path.isdir(path):
            found.extend((p, False) for p in sorted(glob.glob(os.path.join(path, "*.json"))))
        elif os.path.isfile(path):
            found.append((path, True))
        else:
            raise BrokerConfigError(f"Pact file or directory {path!r} does not exist.")
    pacts: List[PactFile] = []
    seen: Dict[Tuple[str, str], str] = {}
    for path, explicit in found:
        pact = read_pact_file(path)
        if consumer is not None and pact.consumer != consumer:
            if explicit:
                raise BrokerConfigError(
                    f"{path} is a pact of consumer {pact.consumer!r}, not {consumer!r}.")
            continue
        key = (pact.consumer, pact.provider)
        if key in seen:
            raise BrokerConfigError(
                f"Two pact files for consumer {key[0]!r} and provider {key[1]!r}: "
                f"{seen[key]} and {path}. Publish one file per pair (merge them first).")
        seen[key] = path
        pacts.append(pact)
    if not pacts:
        whose = f" of consumer {consumer!r}" if consumer else ""
        shown = ", ".join(os.fspath(p) for p in paths) or "(nothing given)"
        raise BrokerConfigError(f"No pact files{whose} found in {shown}. Run the contract "
                                "tests first, or point at the directory they wrote to.")
    return pacts


def read_pact_file(path: str) -> PactFile:
    """Read and check one pact file."""
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BrokerConfigError(f"{path} is not a JSON pact file: {exc}") from None
    if not isinstance(data, dict):
        raise BrokerConfigError(f"{path} is not a pact file: its top level is not an object.")
    names = []
    for role in ("consumer", "provider"):
        part = data.get(role)
        name = part.get("name") if isinstance(part, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise BrokerConfigError(f"{path} is not a pact file: no {role}.name.")
        names.append(name)
    return PactFile(path, names[0], names[1], raw)


def group_by_consumer(pacts: Sequence[PactFile]) -> Dict[str, List[PactFile]]:
    """Consumers in first-seen order, each with its pacts (one publish request each)."""
    groups: Dict[str, List[PactFile]] = {}
    for pact in pacts:
        groups.setdefault(pact.consumer, []).append(pact)
    return groups


def contracts_body(
    consumer: str,
    pacts: Sequence[PactFile],
    version: str,
    branch: Optional[str],
    tags: Sequence[str],
    build_url: Optional[str],
    merge: bool = False,
) -> Dict[str, Any]:
    """The ``POST pb:publish-contracts`` body, keys in the Ruby CLI's order, no null keys."""
    body: Dict[str, Any] = {
        "pacticipantName": consumer,
        "pacticipantVersionNumber": version,
        "tags": list(tags),
    }
    if branch:
        body["branch"] = branch
    if build_url:
        body["buildUrl"] = build_url
    contracts = []
    for pact in pacts:
        contract = {
            "consumerName": pact.consumer,
            "providerName": pact.provider,
            "specification": "pact",
            "contentType": "application/json",
            "content": pact.base64(),
        }
        if merge:
            contract["onConflict"] = "merge"
        contracts.append(contract)
    body["contracts"] = contracts
    return body


def validate_version_properties(version: Optional[str], branch: Optional[str],
                                tags: Sequence[str], build_url: Optional[str]) -> None:
    """Catch what the broker's schema would reject, with a message naming our argument."""
    if not version or not str(version).strip():
        raise BrokerConfigError(
            "No consumer version given. Pass version (CLI: --consumer-app-version), or "
            "auto_detect_version_properties=True (CLI: -r) to use the git commit SHA.")
    for name, value in (("consumer version", version), ("branch", branch),
                        ("build URL", build_url)):
        if value is not None and ("\n" in value or "\r" in value):
            raise BrokerConfigError(f"The {name} {value!r} must be a single line.")
    if branch is not None and not branch.strip():
        raise BrokerConfigError("The branch must not be blank (leave it unset instead).")
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip():
            raise BrokerConfigError(f"Tags must be non-blank strings, got {tag!r}.")


def summarise_body(body: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a request body fit to print: pact contents replaced by a summary."""
    out = dict(body)
    if isinstance(body.get("contracts"), list):
        out["contracts"] = [_summarise_contract(c) for c in body["contracts"]]
    elif "interactions" in body or "messages" in body:
        out = _summary_of(body)
    return out


def _summarise_contract(contract: Dict[str, Any]) -> Dict[str, Any]:
    out = dict(contract)
    raw = contract.get("content", "")
    try:
        decoded = json.loads(base64.b64decode(raw))
        out["content"] = _summary_of(decoded, len(raw))
    except (ValueError, TypeError):
        out["content"] = f"<{len(raw)} Base64 characters>"
    return out


def _summary_of(pact: Dict[str, Any], b64_len: Optional[int] = None) -> Dict[str, Any]:
    items = pact.get("interactions") or pact.get("messages") or []
    spec = ((pact.get("metadata") or {}).get("pactSpecification") or {}).get("version")
    summary: Dict[str, Any] = {
        "summary": f"pact {pact.get('consumer', {}).get('name')} -> "
                   f"{pact.get('provider', {}).get('name')}, {len(items)} interaction(s)"
                   + (f", spec {spec}" if spec else ""),
        "descriptions": [i.get("description") for i in items if isinstance(i, dict)],
    }
    if b64_len is not None:
        summary["base64_length"] = b64_len
    return summary
