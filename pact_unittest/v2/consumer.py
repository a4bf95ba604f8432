"""``Consumer``: pact-python v2's entry point, ``Consumer(name).has_pact_with(Provider(...))``."""
from __future__ import annotations

from typing import List, Optional, Sequence, Type, Union

from .pact import Pact
from .provider import Provider


class Consumer:
    """A Pact consumer: the service making requests, and its version data for the broker.

    ``has_pact_with`` creates the contract object (``service_cls``, ``Pact`` by default or a
    subclass with v2's constructor) for one provider.
    """

    def __init__(self, name: str, service_cls: Type[Pact] = Pact,
                 tags: Optional[List[str]] = None, tag_with_git_branch: bool = False,
                 version: str = "0.0.0", branch: Optional[str] = None,
                 build_url: Optional[str] = None,
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
        return f"Consumer({self.name!r})"

    def has_pact_with(self, provider: Provider, host_name: str = "localhost", port: int = 1234,
                      log_dir: Optional[str] = None, ssl: bool = False,
                      sslcert: Optional[str] = None, sslkey: Optional[str] = None,
                      cors: bool = False, publish_to_broker: bool = False,
                      broker_base_url: Optional[str] = None,
                      broker_username: Optional[str] = None,
                      broker_password: Optional[str] = None,
                      broker_token: Optional[str] = None, pact_dir: Optional[str] = None,
                      specification_version: str = "2.0.0",
                      file_write_mode: str = "overwrite", *,
                      mock_service: Optional[str] = None,
                      mock_service_command: Union[str, Sequence[str], None] = None,
                      mock_service_url: Optional[str] = None,
                      partial_regex: Optional[bool] = None) -> Pact:
        """Create the contract between this consumer and ``provider``.

        The keyword-only ``mock_service*`` arguments choose where the mock service runs
        (see :mod:`pact_unittest.pact`), and ``partial_regex=True`` makes regexes match
        anywhere in a value, as Ruby's service did. They are passed on only when given, so
        a ``service_cls`` written for v2's constructor keeps working.
        """
        if not isinstance(provider, Provider):
            raise ValueError("provider must be an instance of the Provider class.")
        extra: dict = {}
        if mock_service is not None:
            extra["mock_service"] = mock_service
        if mock_service_command is not None:
            extra["mock_service_command"] = mock_service_command
        if mock_service_url is not None:
            extra["mock_service_url"] = mock_service_url
        if partial_regex is not None:
            extra["partial_regex"] = partial_regex
        return self.service_cls(
            broker_base_url=broker_base_url,
            broker_username=broker_username,
            broker_password=broker_password,
            broker_token=broker_token,
            consumer=self,
            provider=provider,
            host_name=host_name,
            port=port,
            log_dir=log_dir,
            ssl=ssl,
            sslcert=sslcert,
            sslkey=sslkey,
            cors=cors,
            pact_dir=pact_dir,
            publish_to_broker=publish_to_broker,
            specification_version=specification_version,
            file_write_mode=file_write_mode,
            **extra,
        )
