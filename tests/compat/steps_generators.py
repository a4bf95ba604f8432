"""Generator steps (V3 ``generators``, ``http_generators``; V4 ``generators``).

A request or response in the internal v3 form goes through
``pact_unittest.matchers.generators.apply_generators`` with the scenario's mode and context, as the
mock service does when it renders a response (consumer mode, mock-server context).
"""
from __future__ import annotations

import json
import re
import uuid
from typing import Any, Callable, Dict

from pact_unittest.matchers.generators import apply_generators
from pact_unittest.matching.paths import parse_path

from .cells import parse_body, parse_generators, table_rows
from .registry import World, step

_KINDS: Dict[str, Callable[[Any], bool]] = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "decimal number": lambda v: isinstance(v, float) and v != int(v),
    "hexadecimal number": lambda v: isinstance(v, str) and re.fullmatch(r"[0-9a-fA-F]+", v) is not None,
    "random string": lambda v: isinstance(v, str) and len(v) > 0 and v != "a",
    "string from the regex": lambda v: isinstance(v, str) and re.fullmatch(r"\d{1,8}", v) is not None,
    "date": lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None,
    "time": lambda v: isinstance(v, str) and re.fullmatch(r"\d{2}:\d{2}:\d{2}", v) is not None,
    "date-time": lambda v: isinstance(v, str) and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?", v) is not None,
    "UUID": lambda v: isinstance(v, str) and str(uuid.UUID(v)) == v.lower(),
    "boolean": lambda v: isinstance(v, bool),
    "simple UUID": lambda v: isinstance(v, str) and re.fullmatch(r"[0-9a-f]{32}", v) is not None,
    "lower-case-hyphenated UUID": lambda v: isinstance(v, str) and re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", v) is not None,
    "upper-case-hyphenated UUID": lambda v: isinstance(v, str) and re.fullmatch(
        r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", v) is not None,
    "URN UUID": lambda v: isinstance(v, str) and re.fullmatch(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", v) is not None,
}


def _configured(world: World, base: Dict[str, Any]) -> Dict[str, Any]:
    row = table_rows(world.table)[0]
    part = dict(base)
    body = parse_body(row.get("body", ""))
    if body is not None:
        part["body"] = body.value
        part["headers"] = {"Content-Type": body.content_type}
    part["generators"] = parse_generators(row["generators"])
    world.data["mode"] = "consumer"
    world.data["context"] = {}
    return part


@step(r"a request configured with the following generators:")
def request_with_generators(world: World) -> None:
    world.data["original"] = _configured(world, {"method": "GET", "path": "/path"})


@step(r"a response configured with the following generators:")
def response_with_generators(world: World) -> None:
    world.data["original"] = _configured(world, {"status": 200})


@step(r'the generator test mode is set as "(Provider|Consumer)"')
def set_mode(world: World, mode: str) -> None:
    world.data["mode"] = mode.lower()


@step(r"the (?:request|response) is prepared for use")
def prepare(world: World) -> None:
    original = world.data["original"]
    world.data["generated"] = apply_generators(original, original["generators"],
                                               world.data["mode"], world.data["context"])


@step(r'the request is prepared for use with a "(providerState|mockServer)" context:')
def prepare_with_context(world: World, name: str) -> None:
    world.data["context"] = {name: json.loads(world.table[0][0])}
    prepare(world)


def _body_value(world: World, path: str) -> Any:
    node = world.data["generated"]["body"]
    for token in parse_path(path):
        node = node[token]
    return node


@step(r'the body value for "([^"]+)" will have been replaced with an? "([^"]+)"')
def replaced_with_kind(world: World, path: str, kind: str) -> None:
    value = _body_value(world, path)
    assert _KINDS[kind](value), f"{path} = {value!r} is not a {kind}"


@step(r'the body value for "([^"]+)" will have been replaced with "([^"]*)"')
def replaced_with_value(world: World, path: str, expected: str) -> None:
    value = _body_value(world, path)
    assert value == expected or json.dumps(value) == expected, f"{path} = {value!r}"


def _part_value(world: World, part: str) -> str:
    generated = world.data["generated"]
    found = re.fullmatch(r"(header|queryParameter)\[(.+)\]", part)
    if found and found.group(1) == "header":
        return next(v for k, v in generated["headers"].items() if k.lower() == found.group(2).lower())
    if found:
        values = generated["query"][found.group(2)]
        assert len(values) == 1, values
        return values[0]
    return str(generated[part])


@step(r'the request "([^"]+)" will be set as "([^"]*)"')
def request_set_as(world: World, part: str, value: str) -> None:
    assert _part_value(world, part) == value


@step(r'the (?:request|response) "([^"]+)" will match "([^"]*)"')
def part_matches(world: World, part: str, pattern: str) -> None:
    assert re.fullmatch(pattern, _part_value(world, part)), _part_value(world, part)


@step(r'the response "([^"]+)" will not be "([^"]*)"')
def part_is_not(world: World, part: str, value: str) -> None:
    assert _part_value(world, part) != value
