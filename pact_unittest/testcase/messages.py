"""``@message``: the messages a PactTestCase test expects to receive.

A message test exercises the consumer's *handler*: the test receives the message the
contract describes (example values, generators applied) as ``self.message`` (all of them,
in declaration order, as ``self.messages``) and hands it to the code under test. A message
the handler cannot digest fails the test, and only a passed test's messages are written to
the pact, with the class's HTTP interactions, once per class, under the same run id (a
parallel run writes the serial run's file). Messages need ``specification_version`` 3.0.0
or 4.0.0; synchronous messages (``will_respond_with``) need 4.0.0.

Like ``@interaction``, the decorator only records itself (on the method, or on the class
for every test); :class:`~pact_unittest.testcase.PactMixin` reads the records when the test
runs.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Dict, List, Optional, Sequence

from ..model import SYNC_TYPE, parse_message
from .decorator import RecordingDecorator, StateSpec, _normalize_given, class_entries, method_entries

__unittest = True

__all__ = ["MessageDecorator", "message", "declared_messages"]

METHOD_ATTR = "_pact_messages"
CLASS_ATTR = "_pact_class_messages"


_PART_KEYS = {"contents", "metadata", "generators"}


def _part(contents: Any, metadata: Any, what: str, generators: Any = None) -> Dict[str, Any]:
    from ..matchers import from_term  # matcher objects -> their wire JSON

    if metadata is not None and not isinstance(metadata, Mapping):
        raise TypeError(f"{what}: metadata must be a dict, not {metadata!r}")
    data: Dict[str, Any] = {"contents": from_term(contents)}
    if metadata:
        data["metadata"] = from_term(dict(metadata))
    if generators:
        data["generators"] = dict(generators)
    return data


class MessageDecorator(RecordingDecorator):
    """What :func:`message` returns: one message's metadata, for a test or a class."""

    method_attr = METHOD_ATTR
    class_attr = CLASS_ATTR
    what = "@message"

    def __init__(self, expects_to_receive: str, with_content: Any = None,
                 with_metadata: Optional[Mapping] = None, given: Optional[StateSpec] = None,
                 will_respond_with: Any = None, comments: Optional[Dict[str, Any]] = None,
                 pending: bool = False, key: Optional[str] = None,
                 generators: Optional[Mapping] = None) -> None:
        if not isinstance(expects_to_receive, str) or not expects_to_receive:
            raise TypeError("@message needs expects_to_receive= (the message's description)")
        self.description = expects_to_receive
        self.states = _normalize_given(given)
        self.request = _part(with_content, with_metadata, f"@message {expects_to_receive!r}", generators)
        self.responses: Optional[List[Dict[str, Any]]] = None
        if will_respond_with is not None:
            replies = will_respond_with if isinstance(will_respond_with, (list, tuple)) else [will_respond_with]
            self.responses = []
            for reply in replies:
                if isinstance(reply, Mapping) and reply and set(reply) <= _PART_KEYS:
                    self.responses.append(_part(reply.get("contents"), reply.get("metadata"),
                                                f"@message {expects_to_receive!r} response",
                                                reply.get("generators")))
                else:
                    self.responses.append(_part(reply, None, f"@message {expects_to_receive!r} response"))
        self.comments = comments
        self.pending = pending
        self.key = key

    def __repr__(self) -> str:
        return f"<message {self.description!r}>"

    def to_wire(self) -> Dict[str, Any]:
        """The message as pact JSON with wire-form matchers, for ``parse_message``."""
        data: Dict[str, Any] = {"description": self.description}
        if self.states:
            data["providerStates"] = [{"name": n, "params": p} if p else {"name": n}
                                      for n, p in self.states]
        if self.responses is not None:
            data.update(type=SYNC_TYPE, request=self.request, response=self.responses)
        else:
            data.update(self.request)
        for name in ("comments", "key"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.pending:
            data["pending"] = True
        return data


def message(expects_to_receive: str = None,  # type: ignore[assignment]
            *, with_content: Any = None, with_metadata: Optional[Mapping] = None,
            given: Optional[StateSpec] = None, will_respond_with: Any = None,
            comments: Optional[Dict[str, Any]] = None, pending: bool = False,
            key: Optional[str] = None, generators: Optional[Mapping] = None) -> MessageDecorator:
    """Declare a message the test (or every test of a class) expects to receive.

    ``with_content`` is the payload (matchers allowed anywhere: v2 ``Like``/``Term``/...,
    v3 ``Integer``/``Uuid``/...), ``with_metadata`` its metadata (``contentType``, a topic;
    matchers allowed), ``given`` provider states as for ``@interaction``.
    ``will_respond_with`` makes it a spec 4 synchronous message: the reply (or a list of
    replies), each a payload or ``{"contents": ..., "metadata": ..., "generators": ...}``.
    ``generators``: generators in pact-file form (``{"body": {"$.id": {"type":
    "RandomInt"}}, "metadata": {...}}``), beside those of v3 matchers. ``comments``,
    ``pending`` and ``key`` are written into spec 4 files. The test reads ``self.message``
    (``contents``, ``metadata``, ``content_type``, ``body`` bytes; for a synchronous
    message ``request`` and ``responses``).
    """
    return MessageDecorator(expects_to_receive, with_content, with_metadata, given=given,
                            will_respond_with=will_respond_with, comments=comments,
                            pending=pending, key=key, generators=generators)


def declared_messages(cls: type, func: Any, spec_version: str, origin: str) -> List[Any]:
    """The parsed messages of one test (class-level first), each with its ``origin``.

    Raises ValueError naming the test and the message for anything invalid.
    """
    found: List[Any] = []
    decorators: Sequence[MessageDecorator] = (class_entries(cls, CLASS_ATTR)
                                              + method_entries(func, METHOD_ATTR))
    for decorator in decorators:
        try:
            item = parse_message(decorator.to_wire(), spec_version)
        except ValueError as exc:
            raise ValueError(f"{origin}: @message {decorator.description!r}: {exc}") from None
        item.origin = origin
        found.append(item)
    return found
