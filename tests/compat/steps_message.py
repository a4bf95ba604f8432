"""Message consumer steps (V3/V4 ``message_consumer``, V4 ``synchronous_message_consumer``,
V4 ``v4``), bound to the unittest-native ``@message`` decorator.

"The consumer test" of a scenario is a real PactTestCase class made for it: the message the
steps describe is declared with ``@message`` (and the HTTP interaction of ``v4.feature``
with ``@interaction``), the test body receives ``self.message`` (generators applied) and
either handles it or raises the scenario's exception; unittest runs it and the class writes
the pact at its cleanup, only when the test passed.
"""
from __future__ import annotations

import json
import unittest
from typing import Any, Dict, List, Optional

import requests

from pact_unittest import PactTestCase, interaction, message
from pact_unittest.model.message import content_type_of
from pact_unittest.matching.paths import parse_path

from .cells import load_json_fixture, parse_body, parse_generators, table_rows
from .registry import World, step
from .steps_consumer import CONSUMER, PROVIDER, pact_path, read_pact

_KIND = r"(?:synchronous )?message"


# ---------------------------------------------------------------- defining the message
def _new_part() -> Dict[str, Any]:
    return {"contents": None, "metadata": {}, "generators": None}


def _define(world: World, sync: bool) -> None:
    world.data["msg"] = {"sync": sync, "states": [], "request": _new_part(), "responses": [],
                         "extra": {}}
    world.data["generate_pact"] = generate


@step(r"a message integration is being defined for a consumer test")
def define_v3(world: World) -> None:
    _define(world, sync=False)


@step(r"a message interaction is being defined for a consumer test")
def define_async(world: World) -> None:
    _define(world, sync=False)


@step(r"a synchronous message interaction is being defined for a consumer test")
def define_sync(world: World) -> None:
    _define(world, sync=True)


def _document(cell: str) -> Any:
    """``"basic"`` (a JSON fixture) or a body cell (``file: xml-body.xml``): (value, type)."""
    body = parse_body(cell if ":" in cell else f"file: {cell}.json")
    assert body is not None, cell
    return body


def _set_contents(part: Dict[str, Any], cell: str) -> None:
    body = _document(cell)
    part["contents"] = body.value
    if body.content_type and body.content_type != "application/json":
        part["metadata"].setdefault("contentType", body.content_type)


@step(r'the message payload contains the "([^"]+)" JSON document')
def payload(world: World, name: str) -> None:
    _set_contents(world.data["msg"]["request"], name)


@step(r'the message request payload contains the "([^"]+)" JSON document')
def request_payload(world: World, name: str) -> None:
    _set_contents(world.data["msg"]["request"], name)


@step(r'the message response payload contains the "([^"]+)" document')
def response_payload(world: World, cell: str) -> None:
    part = _new_part()
    _set_contents(part, cell)
    world.data["msg"]["responses"].append(part)


def _cell_value(text: str) -> Any:
    return json.loads(text[len("JSON:"):]) if text.startswith("JSON:") else text


@step(r"the message contains the following metadata:")
def metadata(world: World) -> None:
    for row in table_rows(world.table):
        world.data["msg"]["request"]["metadata"][row["key"]] = _cell_value(row["value"])


@step(r"the message request contains the following metadata:")
def request_metadata(world: World) -> None:
    metadata(world)


@step(r"a message is defined")
def message_defined(world: World) -> None:
    part = world.data["msg"]["request"]
    if part["contents"] is None:
        part["contents"] = {"defined": True}


@step(r'a provider state "([^"]+)" for the ' + _KIND + r" is specified")
def state(world: World, name: str) -> None:
    world.data["msg"]["states"].append((name, None))


@step(r'a provider state "([^"]+)" for the ' + _KIND + r" is specified with the following data:")
def state_with_data(world: World, name: str) -> None:
    row = table_rows(world.table)[0]
    world.data["msg"]["states"].append((name, {k: json.loads(v) for k, v in row.items()}))


def _configure(part: Dict[str, Any], world: World) -> None:
    row = table_rows(world.table)[0]
    if row.get("body"):
        _set_contents(part, row["body"])
    if row.get("generators"):
        part["generators"] = parse_generators(row["generators"])
    if row.get("metadata"):
        part["metadata"].update(json.loads(row["metadata"]))
    if part["contents"] is None:
        part["contents"] = {}


@step(r"the message is configured with the following:")
def configure(world: World) -> None:
    _configure(world.data["msg"]["request"], world)


@step(r"the message (request|response) is configured with the following:")
def configure_part(world: World, which: str) -> None:
    if which == "request":
        _configure(world.data["msg"]["request"], world)
    else:
        part = _new_part()
        _configure(part, world)
        world.data["msg"]["responses"].append(part)


@step(r'a key of "([^"]+)" is specified for the ' + _KIND + r" interaction")
def key(world: World, value: str) -> None:
    world.data["msg"]["extra"]["key"] = value


@step(r"the " + _KIND + r" interaction is marked as pending")
def pending(world: World) -> None:
    world.data["msg"]["extra"]["pending"] = True


@step(r'a comment "([^"]*)" is added to the ' + _KIND + r" interaction")
def comment(world: World, text: str) -> None:
    world.data["msg"]["extra"].setdefault("comments", {}).setdefault("text", []).append(text)


# ---------------------------------------------------------------- the consumer test
def _decorator(world: World) -> Any:
    spec = world.data["msg"]
    request = spec["request"]
    contents = request["contents"] if request["contents"] is not None else {"message": True}
    responses = None
    if spec["sync"]:
        responses = [{k: v for k, v in part.items() if v} or {"contents": None}
                     for part in spec["responses"]]
    return message("a compatibility-suite message", with_content=contents,
                   with_metadata=request["metadata"] or None, given=spec["states"] or None,
                   generators=request["generators"], will_respond_with=responses, **spec["extra"])


def run_consumer_test(world: World, error: Optional[str] = None) -> None:
    """Make and run the scenario's PactTestCase; keep its result and what it received."""
    received: List[Any] = []
    http = world.data.get("definition")

    def test_handles_the_message(self: Any) -> None:
        received.append(self.message)
        if http is not None:
            requests.get(self.mock_service_uri + http["request"]["path"], timeout=10)
        if error is not None:
            raise Exception(error)

    test = _decorator(world)(test_handles_the_message)
    if http is not None:
        test = interaction(http["description"], with_request=http["request"],
                           will_respond_with=http["response"])(test)
    cls = type("CompatMessageConsumerTest", (PactTestCase,), {
        "consumer": CONSUMER, "provider": PROVIDER, "pact_dir": str(world.pact_dir),
        "specification_version": world.spec_version, "test_handles_the_message": test})
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(cls).run(result)
    world.data.update(result=result, received=received[0] if received else None)


def generate(world: World) -> None:
    """``the Pact file for the test is generated``: a clean consumer test, which writes it."""
    run_consumer_test(world)
    result = world.data["result"]
    assert result.wasSuccessful(), result.errors + result.failures


@step(r"the message is successfully processed")
def processed(world: World) -> None:
    run_consumer_test(world)


@step(r'the message is NOT successfully processed with a "([^"]+)" exception')
def not_processed(world: World, text: str) -> None:
    run_consumer_test(world, error=text)


@step(r"the consumer test will have passed")
def passed(world: World) -> None:
    result = world.data["result"]
    assert result.wasSuccessful() and result.testsRun == 1, result.errors + result.failures


@step(r"the consumer test will have failed")
def failed(world: World) -> None:
    assert not world.data["result"].wasSuccessful()


@step(r'the consumer test error will be "([^"]+)"')
def error_text(world: World, text: str) -> None:
    (_, trace), = world.data["result"].errors
    assert trace.strip().splitlines()[-1] == f"Exception: {text}", trace


# ---------------------------------------------------------------- what the test received
def _received(world: World, which: str = "") -> Any:
    got = world.data["received"]
    if world.data["msg"]["sync"]:
        return got.request if which == "request" else got.response
    return got


def _at(value: Any, path: str) -> Any:
    for token in parse_path(path):
        value = value[token]
    return value


@step(r'the received message payload will contain the "([^"]+)" (?:JSON )?document')
def received_payload(world: World, cell: str) -> None:
    assert _received(world).contents == _document(cell).value


@step(r'the received message content type will be "([^"]+)"')
def received_type(world: World, mime: str) -> None:
    assert _received(world).content_type == mime


@step(r'the received message (?:(request|response) )?metadata will contain "([^"]+)" == "(.*)"')
def received_metadata(world: World, which: Optional[str], name: str, value: str) -> None:
    expected = _cell_value(value.replace('\\"', '"'))
    assert _received(world, which or "").metadata[name] == expected


@step(r'the received message (?:(request|response) )?metadata will contain "([^"]+)" replaced with an? "(\w+)"')
def received_metadata_generated(world: World, which: Optional[str], name: str, kind: str) -> None:
    value = _received(world, which or "").metadata[name]
    assert kind == "integer" and isinstance(value, int) and not isinstance(value, bool), value


@step(r'the message (?:(request|response) )?contents for "([^"]+)" will have been replaced with an? "(\w+)"')
def contents_generated(world: World, which: Optional[str], path: str, kind: str) -> None:
    value = _at(_received(world, which or "").contents, path)
    assert kind == "integer" and isinstance(value, int) and not isinstance(value, bool), value


# ---------------------------------------------------------------- the pact file
@step(r"a Pact file for the message interaction will have been written")
def written(world: World) -> None:
    assert pact_path(world).is_file(), f"no pact file at {pact_path(world)}"


@step(r"a Pact file for the message interaction will NOT have been written")
def not_written(world: World) -> None:
    assert not pact_path(world).exists()


def _items(world: World) -> List[Dict[str, Any]]:
    document = read_pact(world)
    return document["messages"] if world.spec_version.startswith("3") else document["interactions"]


def _first(world: World) -> Dict[str, Any]:
    return _items(world)[0]


def _contents(part: Dict[str, Any]) -> Any:
    contents = part.get("contents")
    if isinstance(contents, dict) and "contentType" in contents and "content" in contents:  # v4
        return contents["content"]
    return contents


def _file_type(part: Dict[str, Any]) -> str:
    contents = part.get("contents")
    if isinstance(contents, dict) and "contentType" in contents and "content" in contents:
        return contents["contentType"]
    return content_type_of(contents, part.get("metadata") or {})


@step(r"the pact file will contain (\d+) (?:message )?interactions?")
def count(world: World, number: str) -> None:
    assert len(_items(world)) == int(number)


@step(r'the first message in the pact file will contain the "([^"]+)" document')
def first_document(world: World, name: str) -> None:
    assert _contents(_first(world)) == load_json_fixture(name)


@step(r'the first message in the pact file content type will be "([^"]+)"')
def first_type(world: World, mime: str) -> None:
    assert _file_type(_first(world)) == mime


@step(r'the first message in the pact file will contain the (request )?message metadata "([^"]+)" == "(.*)"')
def first_metadata(world: World, request: Optional[str], name: str, value: str) -> None:
    part = _first(world)["request"] if request else _first(world)
    assert part["metadata"][name] == _cell_value(value.replace('\\"', '"'))


@step(r"the first message in the pact file will contain (\d+) provider states?")
def state_count(world: World, number: str) -> None:
    assert len(_first(world).get("providerStates", [])) == int(number)


@step(r'the first message in the Pact file will contain provider state "([^"]+)"')
def has_state(world: World, name: str) -> None:
    assert any(s["name"] == name for s in _first(world)["providerStates"])


@step(r'the provider state "([^"]+)" for the message will contain the following parameters:')
def state_params(world: World, name: str) -> None:
    expected = json.loads(table_rows(world.table)[0]["parameters"])
    found = next(s for s in _first(world)["providerStates"] if s["name"] == name)
    assert found.get("params") == expected, found


@step(r'the first interaction in the pact file will contain the "([^"]+)" document as the request')
def first_request(world: World, cell: str) -> None:
    assert _contents(_first(world)["request"]) == _document(cell).value


@step(r'the first interaction in the pact file will contain the "([^"]+)" document as (?:a|the (first|second)) response(?: message)?')
def first_response(world: World, cell: str, which: Optional[str]) -> None:
    index = 1 if which == "second" else 0
    assert _contents(_first(world)["response"][index]) == _document(cell).value


@step(r'the first interaction in the pact file (request|response) content type will be "([^"]+)"')
def part_type(world: World, which: str, mime: str) -> None:
    part = _first(world)["request"] if which == "request" else _first(world)["response"][0]
    assert _file_type(part) == mime


@step(r"the first interaction in the pact file will contain (\d+) response messages")
def response_count(world: World, number: str) -> None:
    assert len(_first(world)["response"]) == int(number)


@step(r'there will be an interaction in the Pact file with a type of "([^"]+)"')
def has_type(world: World, kind: str) -> None:
    assert kind in {item.get("type") for item in read_pact(world)["interactions"]}
