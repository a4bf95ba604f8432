"""``@message``: a PactTestCase test receives the messages it declares, handles them, and
only a passed test's messages reach the pact (with the class's HTTP interactions); a
parallel run writes the serial run's file."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import unittest
from pathlib import Path

import pytest
import requests

from pact_unittest import PactTestCase, interaction, message
from pact_unittest.matchers import EachLike, Like, Term
from pact_unittest.matchers.v3 import Integer

REPO = Path(__file__).resolve().parent.parent


class OrderEventHandler:
    """A consumer's handler: created events only, with a positive id."""

    def __init__(self):
        self.seen = []

    def __call__(self, event, metadata):
        if event.get("type") != "created" or metadata.get("topic") != "orders":
            raise ValueError(f"cannot digest {event!r}")
        self.seen.append(event["id"])
        return event["id"]


def run_class(cls):
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(cls).run(result)
    return result


def pact_of(tmp_path, name="consumer-provider.json"):
    return json.loads((tmp_path / name).read_text())


def make_class(tmp_path, spec="3.0.0"):
    @message("a ping", with_content="ping", with_metadata={"contentType": "text/plain"})
    class Events(PactTestCase):
        consumer, provider, pact_dir, specification_version = "Consumer", "Provider", str(tmp_path), spec

        @message("an order created event", given=("an order exists", {"id": 5}),
                 with_content={"type": "created", "id": Integer(5), "lines": EachLike({"sku": "A"})},
                 with_metadata={"topic": Term("orders|billing", "orders")})
        def test_handles_created(self):
            self.assertEqual(self.message.contents, "ping")  # class-level first
            created = self.messages[1]
            self.assertEqual(OrderEventHandler()(created.contents, created.metadata), 5)
            self.assertEqual(created.provider_states[0].params, {"id": 5})

        @message("an order deleted event", with_content={"type": "deleted", "id": 5},
                 with_metadata={"topic": "orders"})
        def test_handler_rejects_deleted(self):
            OrderEventHandler()(self.messages[1].contents, self.messages[1].metadata)

    return Events


def test_passed_tests_messages_are_written_failed_ones_are_not(tmp_path):
    result = run_class(make_class(tmp_path))
    assert len(result.errors) == 1 and "cannot digest" in result.errors[0][1]
    document = pact_of(tmp_path)
    assert [m["description"] for m in document["messages"]] == ["a ping", "an order created event"]
    created = document["messages"][1]
    assert created["providerStates"] == [{"name": "an order exists", "params": {"id": 5}}]
    assert created["contents"] == {"type": "created", "id": 5, "lines": [{"sku": "A"}]}
    assert created["matchingRules"]["metadata"]["topic"]["matchers"][0]["regex"] == "orders|billing"


def test_generators_reach_the_test_and_not_the_file(tmp_path):
    class Generated(PactTestCase):
        consumer, provider, pact_dir, specification_version = "C", "P", str(tmp_path), "3.0.0"

        @message("numbered", with_content={"n": 7},
                 with_metadata={"id": {"pact:matcher:type": "integer", "value": 1,
                                       "pact:generator:type": "RandomInt", "min": 100, "max": 900}})
        def test_it(self):
            assert 100 <= self.message.metadata["id"] <= 900, self.message.metadata

    assert run_class(Generated).wasSuccessful()
    written = pact_of(tmp_path, "c-p.json")["messages"][0]
    assert written["metadata"] == {"id": 1}
    assert written["generators"]["metadata"]["id"]["type"] == "RandomInt"


def test_http_interactions_and_messages_share_a_spec_4_file(tmp_path):
    @message("a question", with_content={"q": Like("why")},
             will_respond_with=[{"contents": {"a": 42}, "metadata": {"contentType": "application/json"}}])
    class Mixed(PactTestCase):
        consumer, provider, pact_dir, specification_version = "C", "P", str(tmp_path), "4.0.0"

        @interaction("get order", with_request={"method": "GET", "path": "/orders/5"},
                     will_respond_with={"status": 200, "body": {"id": 5}})
        @message("get order", with_content={"id": 5})  # same description, other kind: no clash
        def test_both(self):
            self.assertEqual(requests.get(self.mock_service_uri + "/orders/5").json(), {"id": 5})
            asked = self.messages[0]
            self.assertEqual((asked.request.contents, asked.response.contents), ({"q": "why"}, {"a": 42}))

    result = run_class(Mixed)
    assert result.wasSuccessful(), result.errors + result.failures
    kinds = sorted((i["description"], i["type"]) for i in pact_of(tmp_path, "c-p.json")["interactions"])
    assert kinds == [("a question", "Synchronous/Messages"), ("get order", "Asynchronous/Messages"),
                     ("get order", "Synchronous/HTTP")]


def test_bad_messages_fail_the_test_naming_it(tmp_path):
    class Spec2(PactTestCase):
        consumer, provider, pact_dir = "C", "P", str(tmp_path)

        @message("an event", with_content={})
        def test_it(self):
            pass

    result = run_class(Spec2)
    assert len(result.errors) == 1
    assert "test_it: @message 'an event': message pacts need pact specification 3.0.0 or 4.0.0" in result.errors[0][1]
    with pytest.raises(TypeError, match="expects_to_receive"):
        message(with_content={})
    with pytest.raises(TypeError, match="decorates a test method or a TestCase class"):
        message("x")(42)


_SUITE = '''
import os
from pact_unittest import PactTestCase, message

class A(PactTestCase):
    consumer, provider, specification_version = "C", "P", "4.0.0"
    pact_dir = os.environ["PACTS"]
{tests_a}

class B(PactTestCase):
    consumer, provider, specification_version = "C", "P", "4.0.0"
    pact_dir = os.environ["PACTS"]
{tests_b}
'''


def _tests(prefix, count):
    return "\n".join(textwrap.indent(textwrap.dedent(f'''
        @message("{prefix} event {n}", with_content={{"n": {n}}}, given="state {n % 2}")
        def test_{n}(self):
            assert self.message.contents == {{"n": {n}}}
        '''), "    ") for n in range(count))


def test_a_parallel_run_writes_the_serial_runs_file(tmp_path):
    (tmp_path / "suite_messages.py").write_text(_SUITE.format(tests_a=_tests("a", 6), tests_b=_tests("b", 6)))
    base = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(tmp_path), str(REPO),
                                                                     os.environ.get("PYTHONPATH")])))
    base.pop("PACT_UNITTEST_RUN_ID", None)
    base.pop("PYTEST_XDIST_TESTRUNUID", None)
    serial = dict(base, PACTS=str(tmp_path / "serial"))
    subprocess.run([sys.executable, "-m", "unittest", "-q", "suite_messages"], env=serial, check=True,
                   cwd=tmp_path, capture_output=True)
    parallel = dict(base, PACTS=str(tmp_path / "parallel"), PACT_UNITTEST_RUN_ID="one parallel run")
    workers = [subprocess.Popen([sys.executable, "-m", "unittest", "-q", f"suite_messages.{name}"], env=parallel,
                                cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for name in ("A", "B")]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    serial_bytes = (tmp_path / "serial" / "c-p.json").read_bytes()
    assert len(json.loads(serial_bytes)["interactions"]) == 12
    assert (tmp_path / "parallel" / "c-p.json").read_bytes() == serial_bytes
