"""``@provider_state``: the decorator that marks a provider-side test method as a state handler.

Like ``@interaction`` on the consumer side it only records metadata on the function (one
list, appended to, so decorators stack without nesting wrappers); the provider test class
(:mod:`.provider`) reads it when the class is made. Two forms::

    @provider_state("user 42 exists")            # set up; may return a dict for
    def user_42(self, params): ...                # ProviderState generators

    @provider_state("user 42 exists", teardown=True)
    def remove_user_42(self, params): ...         # run after the request

Teardown can also be ``self.addCleanup(...)`` inside the setup method (it runs when the
test ends, as any cleanup). A handler may take ``params`` or only ``self``.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, List, Tuple, TypeVar

__all__ = ["provider_state", "collect_states", "message_producer", "collect_producers"]

F = TypeVar("F", bound=Callable[..., Any])

#: The attribute the decorator appends ``(state name, is teardown)`` pairs to.
MARK = "_pact_provider_states"


def provider_state(*names: str, teardown: bool = False) -> Callable[[F], F]:
    """Mark a method as the setup (or, with ``teardown=True``, the teardown) of the provider
    states ``names``. Stacks: one method may handle several states."""
    if not names or not all(isinstance(name, str) for name in names):
        raise TypeError("provider_state() takes the state names as strings, e.g. "
                        "@provider_state('user 42 exists')")

    def mark(func: F) -> F:
        if not callable(func) or isinstance(func, type):
            raise TypeError(f"@provider_state decorates a method, not {type(func).__name__}")
        marks = func.__dict__.setdefault(MARK, [])
        marks.extend((name, bool(teardown)) for name in names)
        return func

    return mark


def collect_states(cls: type) -> Tuple[Dict[str, str], Dict[str, str]]:
    """The class's state handlers: ``(setups, teardowns)``, each state name -> method name.

    Two methods for the same state (and direction) are a TypeError naming both; a subclass
    that overrides a handler's method by name replaces it.
    """
    found: Tuple[Dict[str, str], Dict[str, str]] = ({}, {})
    for attr in _attribute_names(cls):
        func = inspect.getattr_static(cls, attr, None)
        func = getattr(func, "__func__", func)  # staticmethod / classmethod
        for name, is_teardown in getattr(func, MARK, ()) if callable(func) else ():
            table = found[1 if is_teardown else 0]
            if name in table and table[name] != attr:
                kind = "teardown" if is_teardown else "setup"
                raise TypeError(f"{cls.__qualname__}: two {kind} handlers for provider state "
                                f"{name!r}: {table[name]}() and {attr}()")
            table[name] = attr
    return found


#: The attribute ``@message_producer`` appends message keys to.
PRODUCER_MARK = "_pact_message_producers"


def message_producer(*keys: str) -> Callable[[F], F]:
    """Mark a method as the producer of the messages with these descriptions (or provider
    state names, as pact-python v2 keyed them). It returns the message's contents, a
    ``(contents, metadata)`` pair or a ``ProducedMessage``; a synchronous message's producer
    gets the request contents."""
    if not keys or not all(isinstance(key, str) for key in keys):
        raise TypeError("message_producer() takes message descriptions as strings, e.g. "
                        "@message_producer('an order was placed')")

    def mark(func: F) -> F:
        if not callable(func) or isinstance(func, type):
            raise TypeError(f"@message_producer decorates a method, not {type(func).__name__}")
        func.__dict__.setdefault(PRODUCER_MARK, []).extend(keys)
        return func

    return mark


def collect_producers(cls: type) -> Dict[str, str]:
    """The class's message producers: message key -> method name (two for one key: TypeError)."""
    found: Dict[str, str] = {}
    for attr in _attribute_names(cls):
        func = inspect.getattr_static(cls, attr, None)
        func = getattr(func, "__func__", func)
        for key in getattr(func, PRODUCER_MARK, ()) if callable(func) else ():
            if key in found and found[key] != attr:
                raise TypeError(f"{cls.__qualname__}: two message producers for {key!r}: "
                                f"{found[key]}() and {attr}()")
            found[key] = attr
    return found


def _attribute_names(cls: type) -> List[str]:
    seen: List[str] = []
    for klass in cls.__mro__:
        for attr in vars(klass):
            if attr not in seen:
                seen.append(attr)
    return sorted(seen)


def call_handler(method: Callable[..., Any], params: Dict[str, Any]) -> Any:
    """Call a bound handler with ``params`` when it takes them."""
    try:
        takes = any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
                    for p in inspect.signature(method).parameters.values())
    except (TypeError, ValueError):  # no signature to read: pass them
        takes = True
    return method(params) if takes else method()
