"""``Provider``: pact-python v2's name holder for the provider side of a contract."""
from __future__ import annotations


class Provider:
    """A Pact provider: the service the consumer's requests go to."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Provider({self.name!r})"
