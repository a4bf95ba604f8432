"""pact-python v2's ``Broker`` class, name for name, without the Ruby subprocess.

v2 ran ``pact-broker publish --broker-password=...``: the secret sat on a process command
line and failures came back as a bare ``RuntimeError``. This class speaks HTTP directly
(:class:`~pact_unittest.broker.client.BrokerClient`) and raises
:class:`~pact_unittest.broker.errors.BrokerError` subclasses, which are ``RuntimeError``
subclasses, so v2 code that catches ``RuntimeError`` still works.

Differences from v2, deliberate: username, password and token are read from
``PACT_BROKER_USERNAME/PASSWORD/TOKEN`` when not given (v2 relied on the Ruby CLI for
that); only pact files whose ``consumer.name`` is the consumer are published (v2's
file-name prefix glob could pick up another consumer's files); ``publish`` returns a
:class:`~pact_unittest.broker.contracts.PublishResult` instead of None.
"""
from __future__ import annotations

import os
from typing import Any, List, Optional, Sequence

from ..pact_file import pact_file_prefix
from .ci_env import resolve_version_properties
from .client import BrokerClient
from .config import MASK, mask_url
from .contracts import PublishResult, read_pact_file
from .errors import BrokerConfigError


class Broker:
    """Publishes a consumer's pact files to a Pact Broker (pact-python v2 API)."""

    def __init__(self, broker_base_url: Optional[str] = None,
                 broker_username: Optional[str] = None,
                 broker_password: Optional[str] = None,
                 broker_token: Optional[str] = None, **client_options: Any) -> None:
        """Unset values come from ``PACT_BROKER_BASE_URL``, ``PACT_BROKER_USERNAME``,
        ``PACT_BROKER_PASSWORD`` and ``PACT_BROKER_TOKEN`` when publishing; prefer the
        environment for secrets. ``client_options`` (``ca_bundle``, ``timeout``,
        ``max_retries``, ``sleep``, ...) go to :class:`BrokerClient`."""
        self.broker_base_url = broker_base_url
        self.broker_username = broker_username
        self.broker_password = broker_password
        self.broker_token = broker_token
        self.client_options = client_options

    def __repr__(self) -> str:
        return (f"Broker(broker_base_url={mask_url(self.broker_base_url)!r}, "
                f"broker_username={self.broker_username!r}, "
                f"broker_password={MASK if self.broker_password else None!r}, "
                f"broker_token={MASK if self.broker_token else None!r})")

    def _get_broker_base_url(self) -> Optional[str]:
        return self.broker_base_url or os.environ.get("PACT_BROKER_BASE_URL")

    def _pact_files(self, consumer_name: str, pact_dir: Optional[str]) -> List[str]:
        directory = pact_dir if pact_dir is not None else os.getcwd()
        try:
            names = sorted(os.listdir(directory))
        except OSError as exc:
            raise BrokerConfigError(f"Cannot read the pact directory {directory!r}: {exc}") from None
        # Files are found by the rule that named them (pact_file.pact_file_name), so a
        # consumer "User/Web" finds "user_web-....json".
        prefix = pact_file_prefix(consumer_name)
        paths = [os.path.join(directory, n) for n in names
                 if n.startswith(prefix) and n.endswith(".json")]
        # Consumers "a" and "a-b" share the prefix "a-": the file says whose it is.
        return [p for p in paths if read_pact_file(p).consumer == consumer_name]

    def publish(self, consumer_name: str, version: Optional[str], pact_dir: Optional[str] = None,
                tag_with_git_branch: Optional[bool] = None,
                consumer_tags: Optional[Sequence[str]] = None, branch: Optional[str] = None,
                build_url: Optional[str] = None,
                auto_detect_version_properties: Optional[bool] = None) -> PublishResult:
        """Publish the pact files of ``consumer_name`` found in ``pact_dir`` (default: the
        current directory), as pact-python v2 did. Raises ``BrokerError`` subclasses."""
        if not self._get_broker_base_url():
            raise BrokerConfigError("No pact broker URL specified. Did you expect the "
                                    "PACT_BROKER_BASE_URL environment variable to be set?")
        props = resolve_version_properties(
            version, branch=branch, tags=list(consumer_tags or ()), build_url=build_url,
            tag_with_git_branch=bool(tag_with_git_branch),
            auto_detect_version_properties=bool(auto_detect_version_properties))
        files = self._pact_files(consumer_name, pact_dir)
        if not files:
            where = pact_dir if pact_dir is not None else os.getcwd()
            raise BrokerConfigError(
                f"No pact files for consumer {consumer_name!r} in {where!r} (looked for "
                f"{pact_file_prefix(consumer_name)}*.json). Run the contract "
                "tests first, or pass the pact_dir they wrote to.")
        with BrokerClient(self.broker_base_url, self.broker_username, self.broker_password,
                          self.broker_token, **getattr(self, "client_options", {})) as client:
            return client.publish_pacts(
                files, props.version or "", branch=props.branch, tags=props.tags,
                build_url=props.build_url, consumer_name=consumer_name)
