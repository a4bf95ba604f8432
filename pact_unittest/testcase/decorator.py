"""``@interaction``: contract metadata on a test method or a TestCase class.

The decorator only *records*: it appends itself to one list attribute on the function or
the class and returns the target unchanged (no wrapper, so stacking never nests and
``unittest``'s skip/expected-failure markers keep working). :class:`PactMixin` reads the
list when it runs a test, the way Django's ``override_settings`` records and
``SimpleTestCase`` applies. Build the wire form only then, because the pact specification
version belongs to the class, not to the decorator.
"""
from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from ..model import spec_family
from ..pact_file.text import compact_json

__unittest = True

#: The list attribute on a test function (method-level) and on a class (class-level).
METHOD_ATTR = "_pact_interactions"
CLASS_ATTR = "_pact_class_interactions"

StateSpec = Union[str, Tuple[str, Optional[Dict[str, Any]]], Mapping, Sequence]


def _normalize_given(given: Any) -> Tuple[Tuple[str, Optional[Dict[str, Any]]], ...]:
    """Turn every accepted form of ``given`` into ((name, params or None), ...).

    Accepted: None; "name"; ("name", {params}); {"name": {params}, ...} (several states,
    v3); a list of any of the former.
    """
    if given is None:
        return ()
    if isinstance(given, str):
        return ((given, None),)
    if isinstance(given, Mapping):
        states = []
        for name, params in given.items():
            if not isinstance(name, str):
                raise TypeError(f"given: provider state names must be strings, not {name!r}")
            if params is not None and not isinstance(params, Mapping):
                raise TypeError(f"given: parameters of {name!r} must be a dict, not {params!r}")
            states.append((name, dict(params) if params else None))
        return tuple(states)
    if (
        isinstance(given, tuple)
        and len(given) == 2
        and isinstance(given[0], str)
        and (given[1] is None or isinstance(given[1], Mapping))
    ):
        return ((given[0], dict(given[1]) if given[1] else None),)
    if isinstance(given, (list, tuple)):
        states = []
        for item in given:
            states.extend(_normalize_given(item))
        return tuple(states)
    raise TypeError(
        "given= takes a provider state name, a (name, params) pair, a {name: params} dict "
        f"or a list of those, not {given!r}"
    )


def _part_to_wire(part: Any, what: str) -> Dict[str, Any]:
    """A request/response given as a dict or as a v2 ``Request``/``Response`` object."""
    if isinstance(part, Mapping):
        data = dict(part)
    elif callable(getattr(part, "json", None)):
        data = part.json()  # pact-python v2 Request/Response: wire form with json_class terms
        if not isinstance(data, Mapping):
            raise TypeError(f"{what}: {type(part).__name__}.json() returned {data!r}, not a dict")
        data = dict(data)
    else:
        raise TypeError(f"{what} takes a dict or a Request/Response object, not {part!r}")
    from ..matchers import from_term  # matcher objects -> their wire JSON (json_class / FFI)

    return from_term(data)


def _frozen_wire(request: Any, response: Any) -> Optional[str]:
    """Request and response as the compact text of their wire JSON, made once, when the
    decorator is applied; None when they have no exact JSON form (bytes, a non-string
    key, NaN) or cannot be converted now (a bad argument: reported when a test
    runs, as before).

    A decorator lives as long as its test class, so a large class kept every request and
    response as the nested dicts and matcher objects given (~1 KiB per interaction); the
    text is a quarter of that, and parsing it back for each test is faster than converting
    the objects was. It also fixes the values as they were when the decorator was applied,
    so a dict changed afterwards (one dict reused for the next test) no longer changes
    this test's interaction.
    """
    try:
        wire = [_part_to_wire(request, "with_request"), _part_to_wire(response, "will_respond_with")]
        text = compact_json(wire)
    except Exception:  # noqa: BLE001 - kept as given; the test reports it when it runs
        return None
    return text if json.loads(text) == wire else None  # JSON would change a key or value


class RecordingDecorator:
    """A decorator that only records itself on a test method or a TestCase class.

    Subclasses name the two list attributes (``method_attr``, ``class_attr``) and how
    they are called in messages (``what``); :func:`method_entries` and
    :func:`class_entries` read the lists back.
    """

    __slots__ = ()
    method_attr = METHOD_ATTR
    class_attr = CLASS_ATTR
    what = "@interaction"

    def __call__(self, target: Any) -> Any:
        """Dispatch only: a function gets a method-level entry, a class a class-level one."""
        if isinstance(target, type):
            # Only the class's *own* list lives in its __dict__ (never add to a parent's);
            # class_entries() concatenates along the MRO. insert(0): decorators apply
            # bottom-up, and the list stays in source order.
            if self.class_attr not in target.__dict__:
                setattr(target, self.class_attr, [])
            target.__dict__[self.class_attr].insert(0, self)
            return target
        if inspect.isfunction(target):
            target.__dict__.setdefault(self.method_attr, []).insert(0, self)
            return target
        raise TypeError(
            f"{self.what} decorates a test method or a TestCase class, "
            f"not {type(target).__name__} ({target!r})"
        )


class InteractionDecorator(RecordingDecorator):
    """What :func:`interaction` returns: one interaction's metadata, usable on a test
    method or on a TestCase class (where it applies to every test of the class)."""

    # One per decorated test, alive as long as the test class: no per-instance dict.
    __slots__ = ("description", "states", "_parts", "_wire", "comments", "pending")

    def __init__(
        self,
        upon_receiving: str,
        with_request: Any,
        will_respond_with: Any,
        given: Optional[StateSpec] = None,
        comments: Optional[Dict[str, Any]] = None,
        pending: bool = False,
    ) -> None:
        if not isinstance(upon_receiving, str) or not upon_receiving:
            raise TypeError("@interaction needs upon_receiving= (the interaction's description)")
        if with_request is None or will_respond_with is None:
            raise TypeError(
                f"@interaction {upon_receiving!r} needs both with_request= and will_respond_with="
            )
        self.description = upon_receiving
        self.states = _normalize_given(given)
        self._wire = _frozen_wire(with_request, will_respond_with)
        # The objects as given only when they could not be frozen: the error (or the
        # surprise) then comes when a test needs them, as it always did.
        self._parts = None if self._wire is not None else (with_request, will_respond_with)
        self.comments = comments
        self.pending = pending

    @property
    def with_request(self) -> Any:
        """The request: its wire JSON (a fresh dict) or the object given."""
        return self._wire_parts()[0]

    @property
    def will_respond_with(self) -> Any:
        """The response: its wire JSON (a fresh dict) or the object given."""
        return self._wire_parts()[1]

    def _wire_parts(self) -> Tuple[Any, Any]:
        if self._wire is not None:
            request, response = json.loads(self._wire)
            return request, response
        assert self._parts is not None
        return self._parts

    def __repr__(self) -> str:
        return f"<interaction {self.description!r}>"

    def to_wire(self, spec_version: str) -> Dict[str, Any]:
        """The interaction as pact JSON with wire-form matchers, for ``parse_interaction``."""
        data: Dict[str, Any] = {"description": self.description}
        if self.states:
            if spec_family(spec_version) == 2:
                if len(self.states) > 1 or self.states[0][1]:
                    raise ValueError(
                        f"interaction {self.description!r}: provider state parameters and "
                        f"several states need pact specification 3 or 4, not {spec_version}"
                        " (set specification_version = '3.0.0' on the class)"
                    )
                data["providerState"] = self.states[0][0]
            else:
                data["providerStates"] = [
                    {"name": name, "params": params} if params else {"name": name}
                    for name, params in self.states
                ]
        request, response = self._wire_parts()
        if self._wire is None:
            request = _part_to_wire(request, "with_request")
            response = _part_to_wire(response, "will_respond_with")
        data["request"], data["response"] = request, response
        if self.comments:
            data["comments"] = self.comments
        if self.pending:
            data["pending"] = True
        return data


def interaction(
    upon_receiving: str = None,  # type: ignore[assignment]
    *,
    given: Optional[StateSpec] = None,
    with_request: Any = None,
    will_respond_with: Any = None,
    comments: Optional[Dict[str, Any]] = None,
    pending: bool = False,
) -> InteractionDecorator:
    """Declare one interaction of the contract for a test method or a whole TestCase class.

    ``given`` is a provider state name, a ``(name, params)`` pair or a ``{name: params}``
    dict (parameters and several states need spec 3+). ``with_request`` and
    ``will_respond_with`` are dicts in pact JSON form (matchers allowed anywhere) or the v2
    ``Request``/``Response`` objects. Stack several on one test for several interactions;
    on a class, each test gets a fresh copy. One decorator object may be reused on several
    tests.
    """
    return InteractionDecorator(
        upon_receiving,
        with_request,
        will_respond_with,
        given=given,
        comments=comments,
        pending=pending,
    )


def method_entries(func: Any, attr: str = METHOD_ATTR) -> List[Any]:
    """The method-level decorators of a test function (bound or not), in source order."""
    func = getattr(func, "__func__", func)
    return list(getattr(func, attr, ()))


def class_entries(cls: type, attr: str = CLASS_ATTR) -> List[Any]:
    """The class-level decorators of a class, inherited ones included, in source order."""
    found: List[Any] = []
    for klass in reversed(cls.__mro__):
        found.extend(klass.__dict__.get(attr, ()))
    return found


def method_interactions(func: Any) -> List[InteractionDecorator]:
    """The method-level ``@interaction`` decorators of a test function, in source order."""
    return method_entries(func)


def class_interactions(cls: type) -> List[InteractionDecorator]:
    """The class-level ``@interaction`` decorators of a class, in source order."""
    return class_entries(cls)
