"""The one interaction model, the wire forms read into it, and what a verification found.

* :mod:`.interaction`: :class:`Interaction` and :class:`ProviderState`, in the *internal pact
  form* (the pact-file form of a spec family, matchers split out into rules).
* :mod:`.wire` (with :mod:`.hydrate`, :mod:`.rules_extract`, :mod:`.rules_convert`,
  :mod:`.http_forms`): any wire form in (pact-python v2 ``json_class`` JSON, FFI
  ``pact:matcher:type`` JSON, pact-file JSON of any version, matcher objects), one
  :class:`Interaction` out.
* :mod:`.message` and :mod:`.message_wire`: message interactions (spec 3 messages, v4
  asynchronous and synchronous messages) and the wire forms read into them.
* :mod:`.verification` (told in Ruby's words by :mod:`.ruby_diff` and :mod:`.ruby_text`):
  what a mock service received against what was registered.
* :mod:`.settings`: where settings come from (argument, ``PACT_UNITTEST_*``, default) and the
  run's identity.
"""
from __future__ import annotations

from ..matching.spec import SPEC_VERSIONS, matching_version, normalize_spec_version, spec_family
from .interaction import MAX_DEPTH, Interaction, ProviderState, interaction_label
from .message import (ASYNC_TYPE, SYNC_TYPE, Message, MessageContents, ReifiedExchange,
                      ReifiedMessage, SynchronousMessage)
from .message_wire import is_message_form, parse_message
from .settings import WRITE_MODES
from .verification import EarlierMatch, Verification
from .wire import parse_interaction, reify, to_wire

__all__ = [
    "Interaction", "ProviderState", "interaction_label", "MAX_DEPTH",
    "SPEC_VERSIONS", "normalize_spec_version", "spec_family", "matching_version",
    "WRITE_MODES", "parse_interaction", "reify", "to_wire", "Verification", "EarlierMatch",
    "Message", "SynchronousMessage", "MessageContents", "ReifiedMessage", "ReifiedExchange",
    "ASYNC_TYPE", "SYNC_TYPE", "parse_message", "is_message_form",
]
