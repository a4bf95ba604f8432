"""``self.pact`` inside a PactMixin test: the v2 fluent API on the test's session.

Interactions register with the class's shared mock service as soon as they are complete
(``with self.pact:`` also works and registers what is left); the test verifies them with
its decorated ones right after the body, and the class writes the pact file, so the v2
``verify()``/``write_pact`` steps are no-ops here. An interaction still incomplete when
the body returns fails the test with v2's ``setup()`` message (:meth:`incomplete`):
otherwise it would vanish, or its request would look merely "unexpected".
"""
from __future__ import annotations

from typing import Any, Dict, List

from .settings import ClassSettings

__unittest = True


class _SessionBackend:
    """What ``self.pact`` talks to: the running test's session on the shared service.

    Registration adds to the test's interactions (never replaces the decorator's); the
    verification and the pact file are the test's and the class's business, so the v2
    ``verify``/``write_pact`` steps do nothing here.
    """

    def __init__(self, service: Any) -> None:
        self.service = service
        self.uri = service.uri

    def clear_interactions(self) -> None:
        pass

    def set_interactions(self, interactions: List[Dict[str, Any]]) -> None:
        for item in interactions:
            self.service.add_interaction(item)

    def verify(self) -> None:
        pass

    def write_pact(self, durable: bool = True) -> None:
        pass


#: Each field of an interaction, in the fluent API's order, with the call that sets it.
_FIELDS = (("description", ".upon_receiving(...)"), ("request", ".with_request(...)"),
           ("response", ".will_respond_with(...)"))


def _incomplete_text(item: Dict[str, Any]) -> str:
    """v2's ``PactException`` text for an unfinished interaction, naming it and the fix."""
    missing = [(name, call) for name, call in _FIELDS if name not in item]
    label = repr(item["description"]) if "description" in item else "an interaction"
    states = [state.get("name") for state in item.get("providerStates") or ()]
    if item.get("provider_state") is not None:
        states = [item["provider_state"]]
    if states:
        label += " given " + ", ".join(repr(name) for name in states)
    return (
        f"Interaction incomplete, missing field(s): {', '.join(n for n, _ in missing)} "
        f"({label}): self.pact never registered it; add {' and '.join(c for _, c in missing)}"
    )


def make_test_pact(cfg: ClassSettings, service: Any) -> Any:
    """A v2 ``Pact`` bound to this test: interactions register as soon as they are complete."""
    from ..v2.consumer import Consumer
    from ..v2.pact import Pact
    from ..v2.provider import Provider

    class TestPact(Pact):
        def __init__(self) -> None:
            super().__init__(
                Consumer(cfg.consumer), Provider(cfg.provider), host_name=cfg.host,
                port=service.port, ssl=cfg.ssl, cors=cfg.cors, pact_dir=cfg.pact_dir,
                specification_version=cfg.specification_version,
                file_write_mode=cfg.file_write_mode,
            )
            self.uri = service.uri
            self._session = _SessionBackend(service)
            # id -> the interaction itself: holding it keeps its id from being reused by
            # a new dict after ``with self.pact:`` (verify) empties the list.
            self._registered: Dict[int, Any] = {}

        def _client(self) -> Any:
            return self._session

        def _flush(self) -> "TestPact":
            for item in reversed(self._interactions):  # oldest first
                if id(item) not in self._registered and self.MANDATORY_FIELDS <= set(item):
                    self._session.set_interactions([item])
                    self._registered[id(item)] = item
            return self

        def given(self, *args: Any, **kwargs: Any) -> "TestPact":
            return super().given(*args, **kwargs)._flush()  # type: ignore[attr-defined]

        def upon_receiving(self, *args: Any, **kwargs: Any) -> "TestPact":
            return super().upon_receiving(*args, **kwargs)._flush()  # type: ignore

        def with_request(self, *args: Any, **kwargs: Any) -> "TestPact":
            return super().with_request(*args, **kwargs)._flush()  # type: ignore

        def will_respond_with(self, *args: Any, **kwargs: Any) -> "TestPact":
            return super().will_respond_with(*args, **kwargs)._flush()  # type: ignore

        def setup(self) -> None:
            pending = [i for i in self._interactions if id(i) not in self._registered]
            if pending:  # incomplete ones: let v2's setup() raise its PactException
                self._interactions = pending
                super().setup()
                self._registered.update((id(i), i) for i in pending)

        def verify(self) -> None:  # the test verifies everything right after its body
            self._interactions = []

        def incomplete(self) -> List[str]:
            """What v2's ``setup()`` would raise for each unfinished interaction, as text."""
            return [_incomplete_text(item) for item in reversed(self._interactions)
                    if id(item) not in self._registered
                    and not self.MANDATORY_FIELDS <= set(item)]

        def start_service(self) -> None:  # the class's service is already running
            pass

        def stop_service(self) -> None:
            pass

    return TestPact()
