"""Message interactions: the wire forms read into the model, and the pact files written.

Spec 3 message pacts (``messages``) and spec 4 ``Asynchronous/Messages`` and
``Synchronous/Messages`` beside HTTP interactions, as the Rust core writes them; the
files are deterministic, merge and overwrite by run id as HTTP pacts do (a parallel run
writes the serial run's file), and the Rust verifier reads them: it passes a provider
that sends the message and fails one that breaks it.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import reference
from _http_test_server import QuietHandler, ThreadedServer
from pact_unittest.matchers import EachLike, Like, Term
from pact_unittest.matchers.v3 import Integer
from pact_unittest.model import (Message, SynchronousMessage, parse_interaction,
                                 parse_message)
from pact_unittest.pact_file import PactConflictError, read_pact, write_pact

REPO = Path(__file__).resolve().parent.parent


def event(description="an order was created", spec="3.0.0", **extra):
    data = {"description": description, "providerStates": [{"name": "order 1 exists", "params": {"id": 1}}],
            "contents": {"id": Integer(1), "items": EachLike({"sku": "A-1"}, minimum=1)},
            "metadata": {"contentType": "application/json", "topic": Term(r"orders\..*", "orders.created")}}
    data.update(extra)
    return parse_message(data, spec)


# -- the wire forms ------------------------------------------------------------------------------

def test_matchers_in_contents_and_metadata_become_rules_and_examples():
    message = event()
    assert isinstance(message, Message)
    assert message.message.contents == {"id": 1, "items": [{"sku": "A-1"}]}
    assert message.message.metadata == {"contentType": "application/json", "topic": "orders.created"}
    rules = message.message.matching_rules
    assert list(rules) == ["body", "metadata"]
    assert rules["body"]["$.id"]["matchers"] == [{"match": "integer"}]
    assert rules["body"]["$.items"]["matchers"] == [{"match": "type", "min": 1}]
    assert rules["metadata"]["topic"]["matchers"] == [{"match": "regex", "regex": r"orders\..*"}]


def test_v2_json_class_and_ffi_wire_forms_read_the_same():
    v2 = parse_message({"description": "d", "contents": {"json_class": "Pact::SomethingLike",
                                                         "contents": {"a": 1}}})
    ffi = parse_message({"description": "d", "contents": {"pact:matcher:type": "type", "value": {"a": 1}}})
    assert v2.message.contents == ffi.message.contents == {"a": 1}
    assert v2.message.matching_rules == ffi.message.matching_rules == {
        "body": {"$": {"matchers": [{"match": "type"}], "combine": "AND"}}}


def test_pact_file_forms_read_back_to_the_same_model(tmp_path):
    for spec in ("3.0.0", "4.0.0"):
        message = event(spec=spec)
        path = write_pact(tmp_path / spec, "C", "P", [message], spec, run_id="roundtrip")
        document = read_pact(path)
        items = document["messages" if spec == "3.0.0" else "interactions"]
        again = parse_message(items[0], spec).message
        expected = message.message
        assert (again.contents, again.metadata, again.matching_rules, again.content_type) == (
            expected.contents, expected.metadata, expected.matching_rules, expected.content_type), spec
        assert parse_message(items[0], spec).provider_states == message.provider_states


def test_v4_body_objects_base64_and_synchronous_messages():
    binary = parse_message({"type": "Asynchronous/Messages", "description": "bytes",
                            "contents": {"content": base64.b64encode(b"\x00\xff").decode(),
                                         "contentType": "application/octet-stream", "encoded": "base64"}},
                           "4.0.0")
    assert binary.message.contents == b"\x00\xff"
    assert binary.reified().body == b"\x00\xff"
    sync = parse_message({"type": "Synchronous/Messages", "description": "ask",
                          "request": {"contents": {"q": Like("x")}},
                          "response": [{"contents": "<a/>", "metadata": {"contentType": "application/xml"}}]},
                         "4.0.0")
    assert isinstance(sync, SynchronousMessage)
    exchange = sync.reified()
    assert exchange.request.contents == {"q": "x"}
    assert exchange.response.content_type == "application/xml"


def test_generators_are_applied_to_what_the_test_receives_not_to_the_file(tmp_path):
    message = parse_message({"description": "d", "contents": {"id": "x", "n": 3},
                             "metadata": {"ID": 7},
                             "generators": {"body": {"$.id": {"type": "Uuid"}},
                                            "metadata": {"ID": {"type": "RandomInt", "min": 100, "max": 200}}}})
    received = message.reified()
    assert len(received.contents["id"]) == 36 and received.contents["n"] == 3
    assert 100 <= received.metadata["ID"] <= 200
    assert message.message.contents["id"] == "x"
    assert message.message.metadata["ID"] == 7
    path = write_pact(tmp_path, "C", "P", [message], "3.0.0", run_id="g")
    written = read_pact(path)["messages"][0]
    assert written["metadata"]["ID"] == 7
    assert written["generators"]["metadata"]["ID"]["type"] == "RandomInt"
    assert written["generators"]["body"]["$.id"]["type"] == "Uuid"


@pytest.mark.parametrize("data, spec, problem", [
    ({"contents": {}}, "3.0.0", "message description is missing"),
    ({"description": "d", "metadata": []}, "3.0.0", "metadata: must be an object"),
    ({"description": "d", "contents": {"json_class": "Pact::Nope"}}, "3.0.0", "Pact::Nope"),
    ({"description": "d"}, "2.0.0", "need pact specification 3.0.0 or 4.0.0"),
    ({"description": "d", "type": "Synchronous/Messages", "request": {}}, "3.0.0", "need pact specification 4.0.0"),
    ({"description": "d", "matchingRules": {"path": {"matchers": [{"match": "type"}]}}}, "3.0.0", "no 'path' category"),
    ({"description": "d", "type": "Synchronous/Messages", "request": {}, "response": 3}, "4.0.0", "list of messages"),
])
def test_bad_messages_are_refused_naming_the_field(data, spec, problem):
    with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(".", r"\.")):
        parse_message(data, spec)


# -- the files -----------------------------------------------------------------------------------

def test_spec_3_message_pact_is_the_rust_layout_and_deterministic(tmp_path):
    a, b = event("a"), event("b", providerStates=[])
    first = write_pact(tmp_path / "1", "Consumer", "Provider", [a, b], "3.0.0", run_id="x")
    second = write_pact(tmp_path / "2", "Consumer", "Provider", [b, a], "3.0.0", run_id="x")
    assert first.read_bytes() == second.read_bytes()
    document = json.loads(first.read_text())
    assert list(document) == ["consumer", "provider", "messages", "metadata"]
    assert document["metadata"] == {"pactSpecification": {"version": "3.0.0"}}
    assert [m["description"] for m in document["messages"]] == ["a", "b"]
    assert list(document["messages"][0]) == ["description", "providerStates", "contents", "metadata",
                                             "matchingRules"]
    assert "providerStates" not in document["messages"][1]


def test_spec_4_file_mixes_http_interactions_and_both_message_kinds(tmp_path):
    http = parse_interaction({"description": "get order", "request": {"method": "GET", "path": "/o/1"},
                              "response": {"status": 200}}, "4.0.0")
    sync = parse_message({"type": "Synchronous/Messages", "description": "ask", "key": "K1",
                          "comments": {"text": ["hi"]}, "pending": True,
                          "request": {"contents": {"q": 1}}, "response": [{"contents": {"a": 2}}]}, "4.0.0")
    path = write_pact(tmp_path, "C", "P", [event(spec="4.0.0"), http, sync], "4.0.0", run_id="x")
    document = read_pact(path)
    assert document["metadata"]["pactSpecification"]["version"] == "4.0"
    kinds = {i["description"]: i["type"] for i in document["interactions"]}
    assert kinds == {"an order was created": "Asynchronous/Messages", "get order": "Synchronous/HTTP",
                     "ask": "Synchronous/Messages"}
    message = next(i for i in document["interactions"] if i["type"] == "Asynchronous/Messages")
    assert message["contents"] == {"content": {"id": 1, "items": [{"sku": "A-1"}]},
                                   "contentType": "application/json", "encoded": False}
    assert set(message["matchingRules"]) == {"content", "metadata"}
    assert len(message["key"]) == 16
    asked = next(i for i in document["interactions"] if i["type"] == "Synchronous/Messages")
    assert (asked["key"], asked["pending"], asked["comments"]) == ("K1", True, {"text": ["hi"]})
    assert asked["response"][0]["contents"]["content"] == {"a": 2}


def test_merge_overwrite_conflicts_and_the_spec_3_mix(tmp_path):
    write_pact(tmp_path, "C", "P", [event("a")], "3.0.0", run_id="run 1")
    write_pact(tmp_path, "C", "P", [event("b")], "3.0.0", run_id="run 1")  # same run: merged
    path = write_pact(tmp_path, "C", "P", [event("c")], "3.0.0", mode="merge", run_id="run 2")
    assert [m["description"] for m in read_pact(path)["messages"]] == ["a", "b", "c"]
    path = write_pact(tmp_path, "C", "P", [event("d")], "3.0.0", run_id="run 3")  # new run: replaced
    assert [m["description"] for m in read_pact(path)["messages"]] == ["d"]
    changed = parse_message({"description": "d", "providerStates": [{"name": "order 1 exists", "params": {"id": 1}}],
                             "contents": {"other": True}}, "3.0.0")
    with pytest.raises(PactConflictError, match="differ"):
        write_pact(tmp_path, "C", "P", [changed], "3.0.0", run_id="run 3")
    http = parse_interaction({"description": "h", "request": {"method": "GET", "path": "/"},
                              "response": {"status": 200}}, "3.0.0")
    with pytest.raises(PactConflictError, match="either HTTP interactions or messages"):
        write_pact(tmp_path, "C", "P", [http], "3.0.0", run_id="run 3")
    with pytest.raises(ValueError, match="either HTTP interactions or messages"):
        write_pact(tmp_path / "new", "C", "P", [http, event()], "3.0.0", run_id="run 3")
    assert [m["description"] for m in read_pact(path)["messages"]] == ["d"]  # untouched


_WORKER = """
import sys
from pact_unittest.model import parse_message
from pact_unittest.pact_file import write_pact
folder, worker = sys.argv[1], int(sys.argv[2])
for n in range(worker, 8, 2):
    message = parse_message({"description": f"event {n}", "contents": {"n": n}}, "4.0.0")
    write_pact(folder, "C", "P", [message], "4.0.0")
"""


def test_parallel_writers_of_one_run_write_the_serial_file(tmp_path):
    env = dict(os.environ, PACT_UNITTEST_RUN_ID="one run",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    (tmp_path / "parallel").mkdir()
    stale = parse_message({"description": "stale", "contents": {}}, "4.0.0")
    write_pact(tmp_path / "parallel", "C", "P", [stale], "4.0.0", run_id="an earlier run")
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, str(tmp_path / "parallel"), str(w)], env=env)
               for w in (0, 1)]
    assert [w.wait(timeout=60) for w in workers] == [0, 0]
    serial = [parse_message({"description": f"event {n}", "contents": {"n": n}}, "4.0.0") for n in range(8)]
    expected = write_pact(tmp_path / "serial", "C", "P", serial, "4.0.0", run_id="serial")
    assert (tmp_path / "parallel" / "c-p.json").read_bytes() == expected.read_bytes()


# -- the Rust verifier reads them ------------------------------------------------------------------

class _MessageProvider(ThreadedServer):
    """A provider endpoint in the Rust verifier's message protocol: POST {description,
    providerStates}; the body is the message, its metadata base64 JSON in a header."""

    def __init__(self, messages):
        self.messages = messages  # description -> (contents, metadata)

    def start(self):
        owner = self

        class Handler(QuietHandler):
            def do_POST(self):
                asked = json.loads(self._read_body() or b"{}")
                contents, metadata = owner.messages[asked["description"]]
                body = json.dumps(contents).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Pact-Message-Metadata",
                                 base64.b64encode(json.dumps(metadata).encode()).decode())
                self.end_headers()
                self.wfile.write(body)

        self.port = self._serve(("127.0.0.1", 0), Handler, name="message-provider-{port}").server_address[1]
        return self


@pytest.mark.reference
@pytest.mark.parametrize("spec", ["3.0.0", "4.0.0"])
def test_rust_verifier_passes_an_honest_provider_and_fails_a_broken_one(tmp_path, spec):
    path = write_pact(tmp_path, "C", "P", [event(spec=spec)], spec, run_id="rust")
    honest = {"an order was created": ({"id": 42, "items": [{"sku": "B"}, {"sku": "C"}]},
                                       {"contentType": "application/json", "topic": "orders.new"})}
    broken = {"an order was created": ({"id": "42", "items": []},
                                       {"contentType": "application/json", "topic": "billing"})}
    with _MessageProvider(honest) as provider:
        ok, output = reference.verify_with_rust(path, "127.0.0.1", provider.port, provider_name="P")
    assert ok, output
    with _MessageProvider(broken) as provider:
        ok, output = reference.verify_with_rust(path, "127.0.0.1", provider.port, provider_name="P")
    assert not ok
    assert "$.id" in output and "topic" in output
