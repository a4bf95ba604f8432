"""``MessagePact``: pact-python v2's message contract, written without Ruby.

pact-python 2.3.3 ran the Ruby ``pact-message update`` binary for every ``with pact:`` block.
Here the block's messages go through the same model and pact writer as every other pact
(:func:`pact_unittest.model.parse_message`, :func:`pact_unittest.pact_file.write_pact`), in
the spec 3 layout Ruby wrote (``messages``, ``providerStates`` with ``params``,
``contents``, ``matchingRules``, ``metaData``), so a v2 suite's file stays equal as JSON.

Where v2 was plainly wrong, v2 code keeps working and gets what it meant:

* v2 wrote only the *last* message of a block (``_messages[0]``); every message defined
  since the last block is written here.
* v2 started a new message only once the current one had ``given``, a description,
  contents *and* metadata, so a message without ``given`` or ``with_metadata`` was
  overwritten by the next one's fields and silently lost. Here setting a field the current
  message already has (a second ``expects_to_receive``, ``with_content`` or
  ``with_metadata``) starts a new message too.
* A message without a description is an error naming it, not a Ruby stack trace.

``file_write_mode``: v2 never passed it to Ruby, which always updated the file (a message of
the same description and provider states replaced). ``"merge"`` (v2's default) does that;
``"overwrite"`` replaces the file at the run's first write (see the README's run id).
"""
from __future__ import annotations

import copy
import os
from typing import Any, Dict, List, Optional

from ..broker import Broker
from ..matchers import from_term
from ..model import parse_message, settings
from ..pact_file import write_pact

__all__ = ["MessagePact"]

__unittest = True


class MessagePact(Broker):
    """A contract between a consumer and a provider that exchange messages.

    ``given``, ``expects_to_receive``, ``with_content`` and ``with_metadata`` describe a
    message (v2 matchers allowed in contents and metadata); ``with pact:`` around the code
    that handles it writes the block's messages to the pact file when the block exits
    without an exception (and publishes when ``publish_to_broker``)::

        pact = MessageConsumer("Consumer").has_pact_with(Provider("Provider"))
        (pact.given("a document exists").expects_to_receive("a document created event")
             .with_content({"name": Like("doc.txt")}).with_metadata({"Content-Type": "application/json"}))
        with pact:
            handler(event)
    """

    MANDATORY_FIELDS = {"providerStates", "description", "contents", "metaData"}

    def __init__(self, consumer: Any, provider: Any, publish_to_broker: bool = False,
                 broker_base_url: Optional[str] = None, broker_username: Optional[str] = None,
                 broker_password: Optional[str] = None, broker_token: Optional[str] = None,
                 pact_dir: Optional[str] = None, version: str = "3.0.0",
                 file_write_mode: str = "merge") -> None:
        """As pact-python 2.3.3: ``pact_dir`` defaults to the current directory (fixed
        now), ``version`` is the pact specification (3.0.0 or 4.0.0 for messages)."""
        super().__init__(broker_base_url, broker_username, broker_password, broker_token)
        parse_message({"description": "check"}, version)  # a bad version fails here, named
        if str(file_write_mode).lower() not in ("merge", "overwrite", "update", "none"):
            raise ValueError(f"unknown file_write_mode {file_write_mode!r}: use 'merge' or 'overwrite'")
        self.consumer = consumer
        self.file_write_mode = file_write_mode
        self.pact_dir = pact_dir or os.getcwd()
        self.provider = provider
        self.publish_to_broker = publish_to_broker
        self.version = version
        self._process = None
        self._message_process = None
        #: The messages in v2's wire form, newest first (as v2 kept them).
        self._messages: List[Dict[str, Any]] = []
        #: How many of the newest messages the next block exit writes.
        self._pending = 0
        settings.run_id()  # fix the run's identity before any fork (see the README)

    # -- describing a message ---------------------------------------------------------------
    def given(self, name: str, params: Optional[Dict[str, Any]] = None) -> "MessagePact":
        """Add a provider state (``params``: its parameters) to the current message."""
        self._insert_message_if_complete()
        provider_state: Dict[str, Any] = {"name": "{}".format(name)}
        if params:
            provider_state["params"] = params
        self._messages[0].setdefault("providerStates", []).append(provider_state)
        return self

    def with_metadata(self, metadata: Optional[Dict[str, Any]]) -> "MessagePact":
        """The message's metadata (``contentType``, a topic, ...), matchers allowed."""
        self._insert_message_if_complete("metaData")
        self._messages[0]["metaData"] = from_term(metadata)
        return self

    def with_content(self, contents: Any) -> "MessagePact":
        """The message's contents (the event), matchers allowed."""
        self._insert_message_if_complete("contents")
        self._messages[0]["contents"] = from_term(contents)
        return self

    def expects_to_receive(self, description: str) -> "MessagePact":
        """The message's description (``upon_receiving`` of HTTP pacts)."""
        self._insert_message_if_complete("description")
        self._messages[0]["description"] = description
        return self

    def _insert_message_if_complete(self, setting: Optional[str] = None) -> None:
        """Start a new message when the current one is complete (v2's rule), was written
        already, or already has the field being set (where v2 overwrote it)."""
        current = self._messages[0] if self._messages and self._pending else None
        if (current is None or all(f in current for f in self.MANDATORY_FIELDS)
                or (setting is not None and setting in current)):
            self._messages.insert(0, {})
            self._pending += 1

    # -- writing ------------------------------------------------------------------------------
    def write_to_pact_file(self) -> None:
        """Write the messages defined since the last write to the pact file.

        Raises ValueError naming a message that cannot be written (no description, a bad
        matcher); the file is then left untouched.
        """
        pending = [copy.deepcopy(m) for m in reversed(self._messages[:self._pending])]
        messages = []
        for index, data in enumerate(pending):
            try:
                messages.append(parse_message(data, self.version, ruby_layout=True))
            except ValueError as exc:
                raise ValueError(f"message {data.get('description', f'#{index + 1} of the block')!r}: "
                                 f"{exc}") from None
        self._pending = 0
        if not messages:
            return
        mode = str(self.file_write_mode).lower()
        write_pact(self.pact_dir, self.consumer.name, self.provider.name, messages,
                   spec_version=self.version, mode="update" if mode == "merge" else mode,
                   run_id=settings.run_id())

    def __enter__(self) -> None:
        """Enter the block in which the consumer handles the messages."""

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        """Write the block's messages (and publish) unless the block raised; a raising
        block's messages are dropped, as v2 never wrote them."""
        if (exc_type, exc_val, exc_tb) != (None, None, None):
            self._pending = 0
            return
        self.write_to_pact_file()
        if self.publish_to_broker:
            self.publish(
                self.consumer.name, self.consumer.version, pact_dir=self.pact_dir,
                tag_with_git_branch=self.consumer.tag_with_git_branch,
                consumer_tags=self.consumer.tags, branch=self.consumer.branch,
                build_url=self.consumer.build_url,
                auto_detect_version_properties=self.consumer.auto_detect_version_properties,
            )
