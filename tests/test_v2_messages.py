"""pact-python v2's ``MessageConsumer``/``MessagePact`` on our pact writer (no Ruby).

What v2 did right is kept (the block writes when it exits cleanly, the spec 3 layout Ruby
wrote, matchers in contents); where v2 was plainly wrong, v2 code keeps working and gets
what it meant: every message of a block is written (v2 wrote the last one only) and a
message without ``given`` or metadata is not overwritten by the next one.
"""
from __future__ import annotations

import importlib
import json

import pytest

import pact_unittest
from pact_unittest import Like, MessageConsumer, MessagePact, Provider, Term
from pact_unittest.matchers.v3 import Integer


def pact_in(tmp_path, **kwargs):
    return MessageConsumer("Consumer").has_pact_with(Provider("Provider"), pact_dir=str(tmp_path), **kwargs)


def messages(tmp_path):
    return json.loads((tmp_path / "consumer-provider.json").read_text())["messages"]


def test_v2_module_paths_and_top_level_names():
    assert importlib.import_module("pact_unittest.message_consumer").MessageConsumer is MessageConsumer
    assert importlib.import_module("pact_unittest.message_pact").MessagePact is MessagePact
    assert pact_unittest.message_pact.MessagePact is MessagePact
    assert {"MessageConsumer", "MessagePact"} <= set(pact_unittest.__all__)


def test_every_message_of_a_block_is_written_even_without_given_or_metadata(tmp_path):
    pact = pact_in(tmp_path)
    (pact.given("an order exists", {"id": 1}).expects_to_receive("an order created event")
         .with_content({"id": Like(1)}).with_metadata({"contentType": "application/json"}))
    pact.expects_to_receive("a ping").with_content("ping")            # no given, no metadata
    pact.expects_to_receive("a pong").with_content("pong")            # v2 overwrote "a ping"
    pact.with_content({"late": True}).expects_to_receive("a late event")  # fields in any order
    with pact:
        pass
    found = {m["description"]: m for m in messages(tmp_path)}
    assert sorted(found) == ["a late event", "a ping", "a pong", "an order created event"]
    assert found["a ping"]["contents"] == "ping" and "metaData" not in found["a ping"]
    assert found["an order created event"]["providerStates"] == [{"name": "an order exists", "params": {"id": 1}}]
    assert found["an order created event"]["matchingRules"] == {"body": {"$.id": {"matchers": [{"match": "type"}]}}}


def test_a_raising_block_writes_nothing_and_the_next_block_only_its_own(tmp_path):
    pact = pact_in(tmp_path)
    pact.given("s").expects_to_receive("bad").with_content({}).with_metadata({})
    with pytest.raises(KeyError):
        with pact:
            raise KeyError("handler failed")
    assert not (tmp_path / "consumer-provider.json").exists()
    pact.given("s").expects_to_receive("good").with_content({}).with_metadata({})
    with pact:
        pass
    assert [m["description"] for m in messages(tmp_path)] == ["good"]


def test_merge_mode_updates_a_message_as_ruby_did_and_metadata_matchers_become_rules(tmp_path):
    pact = pact_in(tmp_path)
    pact.given("s").expects_to_receive("e").with_content({"v": 1}).with_metadata({"topic": Term("t.*", "t1")})
    with pact:
        pass
    pact.given("s").expects_to_receive("e").with_content({"v": 2}).with_metadata({"topic": "t2"})
    with pact:
        pass
    (only,) = messages(tmp_path)
    assert only["contents"] == {"v": 2} and only["metaData"] == {"topic": "t2"}
    pact.given("s").expects_to_receive("f").with_content({}).with_metadata({"topic": Term("t.*", "t1")})
    with pact:
        pass
    f = next(m for m in messages(tmp_path) if m["description"] == "f")
    assert f["metaData"] == {"topic": "t1"}
    assert f["matchingRules"]["metadata"]["topic"]["matchers"] == [{"match": "regex", "regex": "t.*"}]


def test_spec_4_and_v3_matchers(tmp_path):
    pact = pact_in(tmp_path, version="4.0.0")
    pact.given("s").expects_to_receive("e").with_content({"n": Integer(3)}).with_metadata({"k": "v"})
    with pact:
        pass
    (item,) = json.loads((tmp_path / "consumer-provider.json").read_text())["interactions"]
    assert item["type"] == "Asynchronous/Messages"
    assert item["contents"]["content"] == {"n": 3}
    assert item["matchingRules"]["content"]["$.n"]["matchers"] == [{"match": "integer"}]


def test_bad_input_is_named(tmp_path):
    with pytest.raises(ValueError, match="provider must be an instance of the Provider class"):
        MessageConsumer("C").has_pact_with("P")
    with pytest.raises(ValueError, match="3.0.0 or 4.0.0"):
        pact_in(tmp_path, version="2.0.0")
    pact = pact_in(tmp_path)
    pact.given("s").with_content({"a": 1})
    with pytest.raises(ValueError, match="description is missing"):
        with pact:
            pass
    assert not (tmp_path / "consumer-provider.json").exists()


def test_publishing_after_the_block(tmp_path, monkeypatch):
    published = []
    monkeypatch.setattr(MessagePact, "publish", lambda self, *a, **k: published.append((a, k)))
    consumer = MessageConsumer("Consumer", version="1.2.3", tags=["main"], branch="main")
    pact = consumer.has_pact_with(Provider("Provider"), pact_dir=str(tmp_path), publish_to_broker=True,
                                  broker_base_url="http://127.0.0.1:9")
    pact.given("s").expects_to_receive("e").with_content({}).with_metadata({})
    with pact:
        pass
    assert published == [(("Consumer", "1.2.3"), {
        "pact_dir": str(tmp_path), "tag_with_git_branch": False, "consumer_tags": ["main"],
        "branch": "main", "build_url": None, "auto_detect_version_properties": False})]
