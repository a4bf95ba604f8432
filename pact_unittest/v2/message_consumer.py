"""``MessageConsumer``: pact-python v2's entry point for message pacts."""
from __future__ import annotations

from typing import Any, List, Optional

from .message_pact import MessagePact
from .provider import Provider

__all__ = ["MessageConsumer"]


class MessageConsumer:
    """A consumer of messages, and its version data for the broker (pact-python v2 API).

    ``has_pact_with(Provider(...))`` creates the contract (``service_cls``,
    :class:`MessagePact` by default or a subclass with v2's constructor).
    """

    def __init__(self, name: str, service_cls: Any = MessagePact, tags: Optional[List[str]] = None,
                 tag_with_git_branch: bool = False, version: str = "0.0.0",
                 branch: Optional[str] = None, build_url: Optional[str] = None,
                 auto_detect_version_properties: bool = False) -> None:
        self.name = name
        self.service_cls = service_cls
        self.tags = tags
        self.tag_with_git_branch = tag_with_git_branch
        self.version = version
        self.branch = branch
        self.build_url = build_url
        self.auto_detect_version_properties = auto_detect_version_properties

    def __repr__(self) -> str:
        return f"MessageConsumer({self.name!r})"

    def has_pact_with(self, provider: Provider, publish_to_broker: bool = False,
                      broker_base_url: Optional[str] = None, broker_username: Optional[str] = None,
                      broker_password: Optional[str] = None, broker_token: Optional[str] = None,
                      pact_dir: Optional[str] = None, version: str = "3.0.0",
                      file_write_mode: str = "merge") -> MessagePact:
        """The message contract between this consumer and ``provider`` (v2's arguments)."""
        if not isinstance(provider, Provider):
            raise ValueError("provider must be an instance of the Provider class.")
        return self.service_cls(
            broker_base_url=broker_base_url, broker_username=broker_username,
            broker_password=broker_password, broker_token=broker_token, consumer=self,
            provider=provider, pact_dir=pact_dir, publish_to_broker=publish_to_broker,
            version=version, file_write_mode=file_write_mode,
        )
