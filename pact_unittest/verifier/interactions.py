"""The interactions of a pact to verify, read into the one model the consumer side writes.

A pact of any version and any writer (ours, Ruby's, the Rust core's, pact-jvm's) is read
interaction by interaction: spec 1-3 ``interactions``, v3 ``messages`` and v4
``interactions`` with their ``type``. One unreadable interaction (a broken regex, say) is a
failure of that interaction, named, not of the whole pact; messages and other non-HTTP
kinds are listed so that the report can say they were not verified here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..model import Interaction, ProviderState, interaction_label, normalize_spec_version, \
    parse_interaction
from .sources import PactSource

__all__ = ["PactInteraction", "pact_spec_version", "read_interactions", "HTTP", "MESSAGE"]

HTTP = "Synchronous/HTTP"
MESSAGE = "Asynchronous/Messages"


@dataclass
class PactInteraction:
    """One interaction of one pact, as the verifier sees it."""

    source: PactSource
    index: int
    description: str
    states: Tuple[ProviderState, ...]
    kind: str
    spec_version: str
    #: The interaction in the internal model; None when it could not be read (see error) or
    #: is not an HTTP interaction.
    interaction: Optional[Interaction] = None
    error: Optional[str] = None
    #: The broker's id of the interaction (``_id``), sent back with the results.
    interaction_id: Optional[str] = None
    pending: bool = False
    comments: Optional[Dict[str, Any]] = None
    raw: Optional[Dict[str, Any]] = None

    @property
    def consumer(self) -> str:
        return self.source.consumer

    @property
    def state_names(self) -> List[str]:
        return [state.name for state in self.states]

    def label(self) -> str:
        return interaction_label(self.description, self.state_names)


def pact_spec_version(document: Mapping[str, Any]) -> str:
    """The spec version a pact says it follows (``metadata.pactSpecification.version`` and the
    older spellings); a v4 ``type`` wins over a missing or older number; "2.0.0" if none."""
    found = document.get("metadata")
    meta: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    version: Any = None
    for key in ("pactSpecification", "pact-specification"):
        entry = meta.get(key)
        if isinstance(entry, Mapping) and entry.get("version") is not None:
            version = entry["version"]
            break
    if version is None:
        version = meta.get("pactSpecificationVersion")
    try:
        spec = normalize_spec_version(version) if version is not None else "2.0.0"
    except ValueError:
        spec = "2.0.0"
    interactions = document.get("interactions")
    if isinstance(interactions, list) and any(
            isinstance(i, Mapping) and "type" in i for i in interactions):
        spec = "4.0.0"
    return spec


def read_interactions(source: PactSource) -> List[PactInteraction]:
    """Every interaction of ``source`` in pact order: HTTP ones read into the model."""
    document = source.document
    spec = pact_spec_version(document)
    out: List[PactInteraction] = []
    for index, raw in enumerate(document.get("interactions") or []):
        out.append(_read_one(source, index, raw, spec))
    for index, raw in enumerate(document.get("messages") or [],
                                start=len(document.get("interactions") or [])):
        item = _read_one(source, index, raw, spec, default_kind=MESSAGE)
        out.append(item)
    return out


def _read_one(source: PactSource, index: int, raw: Any, spec: str,
              default_kind: str = HTTP) -> PactInteraction:
    if not isinstance(raw, Mapping):
        return PactInteraction(source, index, f"interaction {index}", (), default_kind, spec,
                               error=f"interaction {index} is not a JSON object")
    description = raw.get("description")
    description = description if isinstance(description, str) else f"interaction {index}"
    kind = str(raw.get("type") or default_kind)
    item = PactInteraction(
        source, index, description, _states(raw), kind, spec,
        interaction_id=raw.get("_id") if isinstance(raw.get("_id"), str) else None,
        pending=raw.get("pending") is True,
        comments=raw.get("comments") if isinstance(raw.get("comments"), dict) else None,
        raw=dict(raw))
    if kind != HTTP:
        return item
    try:
        item.interaction = parse_interaction(raw, spec)  # spec 1-3 base64 binary bodies: bytes
    except (ValueError, TypeError) as exc:
        item.error = f"the pact's interaction {description!r} cannot be read: {exc}"
    return item


def _states(raw: Mapping[str, Any]) -> Tuple[ProviderState, ...]:
    """Provider states as written, without validating the rest of the interaction."""
    states: List[ProviderState] = []
    for key in ("providerState", "provider_state"):
        if isinstance(raw.get(key), str):
            states.append(ProviderState(raw[key]))
            break
    listed = raw.get("providerStates")
    for entry in listed if isinstance(listed, list) else []:
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
            params = entry.get("params")
            states.append(ProviderState(entry["name"], dict(params) if isinstance(params, Mapping) else None))
    return tuple(states)
