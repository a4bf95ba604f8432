"""The one model of an interaction that flows from the test to the pact file.

An :class:`Interaction` holds its request and response in the *internal pact form*: the
pact-file form of a specification family, with matchers already split out into rules and
every value reified to its example. That way the matching engine, the mock service and the
pact writer all read the same dicts and nothing is converted back and forth:

* family 2 (spec 1.0.0, 1.1.0, 2.0.0): v2 pact-file form. ``query`` is a string, rules are
  the flat ``matchingRules`` dict (``{"$.body.id": {"match": "type"}}``). The writer drops the
  rules for spec 1; at run time the mock matches spec 1 with the v2 rules, as Ruby does.
* family 3 (spec 3.0.0, 4.0.0): v3 pact-file form. ``query`` is a map of lists, rules are
  nested by category (``{"body": {"$.id": {"matchers": [...]}}}``), ``generators`` may be
  present, bodies are raw values (the writer wraps them into v4 body objects for spec 4).

Use :func:`pact_unittest.model.parse_interaction` to build one from anything a user or a
client sends (pact-python v2 ``json_class`` matchers, FFI-style ``pact:matcher:type``
matchers, or plain pact-file JSON of any version).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Tuple

#: How deep an interaction's values may nest. Deeper ones are refused when read (nothing
#: real nests this far, and it bounds recursion); the admin API names the limit when it
#: refuses a request for it.
MAX_DEPTH = 150


def interaction_label(description: str, states: Sequence[str]) -> str:
    """How an interaction is named in every message: ``'desc' (given 'a', 'b')``.

    One rule for the model and for the verification results rebuilt from JSON, which
    know the interaction only by description and provider state.
    """
    text = repr(description)
    if states:
        text += " (given " + ", ".join(repr(state) for state in states) + ")"
    return text


@dataclass(frozen=True)
class ProviderState:
    """A provider state: a name and, from spec 3 on, parameters."""

    name: str
    params: Optional[Dict[str, Any]] = None

    def to_json(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {"name": self.name}
        if self.params:
            data["params"] = self.params
        return data


@dataclass
class Interaction:
    """One request/response pair of a contract, in the internal pact form (see module doc)."""

    description: str
    request: Dict[str, Any]
    response: Dict[str, Any]
    spec_version: str = "2.0.0"
    provider_states: Tuple[ProviderState, ...] = ()
    #: v4 only: free-form comments ({"text": [...], "testname": ...}) and the pending flag.
    comments: Optional[Dict[str, Any]] = None
    pending: bool = False
    #: v4 only: a key chosen by the user; None lets the writer derive a stable one.
    v4_key: Optional[str] = None
    #: Where the interaction came from, for error messages (e.g. "test_get_user").
    origin: Optional[str] = field(default=None, compare=False)

    @property
    def provider_state(self) -> Optional[str]:
        """The first provider state's name: what spec 1/2 files call ``providerState``."""
        return self.provider_states[0].name if self.provider_states else None

    def key(self) -> Tuple[str, str]:
        """Identity in a pact file: description plus provider states (names and params).

        Two interactions with the same key must have the same content, or the pact file
        would be ambiguous to a provider verifier.
        """
        states = json.dumps([s.to_json() for s in self.provider_states], sort_keys=True)
        return (self.description, states)

    def content(self) -> str:
        """A canonical text of everything that matters, to compare two same-key interactions."""
        return json.dumps(
            {
                "request": self.request,
                "response": self.response,
                "comments": self.comments,
                "pending": self.pending,
            },
            sort_keys=True,
            default=str,
        )

    def label(self) -> str:
        """How the interaction is named in messages: 'desc' (given 'state')."""
        return interaction_label(self.description, [s.name for s in self.provider_states])
