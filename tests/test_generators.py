"""pact_unittest.matchers.generators: each generator, the modes, the parts, and the mock's responses."""
from __future__ import annotations

import json
import re
import urllib.request
import uuid

import pytest

from pact_unittest.matchers.generators import (
    GeneratorError,
    UnknownGenerator,
    apply_generators,
    generate_from_regex,
    generate_value,
)
from pact_unittest.mock_service import MockService


@pytest.mark.parametrize("generator,check", [
    ({"type": "RandomInt", "min": 5, "max": 7}, lambda v: v in (5, 6, 7)),
    ({"type": "RandomDecimal", "digits": 6},
     lambda v: isinstance(v, float) and v != int(v) and len(repr(v).replace(".", "")) <= 6),
    ({"type": "RandomHexadecimal", "digits": 9}, lambda v: re.fullmatch(r"[0-9a-f]{9}", v)),
    ({"type": "RandomString", "size": 12}, lambda v: re.fullmatch(r"[A-Za-z0-9]{12}", v)),
    ({"type": "Regex", "regex": r"\d{1,8}"}, lambda v: re.fullmatch(r"\d{1,8}", v)),
    ({"type": "Uuid"}, lambda v: str(uuid.UUID(v)) == v),
    ({"type": "Uuid", "format": "simple"}, lambda v: re.fullmatch(r"[0-9a-f]{32}", v)),
    ({"type": "Uuid", "format": "upper-case-hyphenated"}, lambda v: str(uuid.UUID(v)).upper() == v),
    ({"type": "Uuid", "format": "URN"}, lambda v: v.startswith("urn:uuid:") and uuid.UUID(v[9:])),
    ({"type": "Date"}, lambda v: re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)),
    ({"type": "Date", "format": "dd/MM/yyyy"}, lambda v: re.fullmatch(r"\d{2}/\d{2}/\d{4}", v)),
    ({"type": "Time", "format": "HH:mm"}, lambda v: re.fullmatch(r"\d{2}:\d{2}", v)),
    ({"type": "DateTime", "format": "yyyy-MM-dd'T'HH:mm:ss"},
     lambda v: re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", v)),
    ({"type": "RandomBoolean"}, lambda v: isinstance(v, bool)),
])
def test_each_generator_makes_a_value_of_its_shape(generator, check):
    for _ in range(20):
        value = generate_value(generator, "example")
        assert check(value), (generator, value)


def test_date_expression_shifts_the_date():
    today = generate_value({"type": "Date", "format": "yyyyMMdd"})
    tomorrow = generate_value({"type": "Date", "format": "yyyyMMdd", "expression": "today + 1 day"})
    assert int(tomorrow) > int(today)


@pytest.mark.parametrize("pattern", [
    r"\d{1,8}", r"[a-z]+@\w+\.(com|org)", r"(ab)\1x?", r"[^abc]{3}", r"\w{3}\d{3}",
    r"^(?:GET|POST)$", r"[A-F0-9-]{5,}", r"a|b|c", r"\s*x\S+", r"(?i)hello", r".*(/a)",
])
def test_regex_strings_match_their_regex(pattern):
    for _ in range(20):
        assert re.fullmatch(pattern, generate_from_regex(pattern))


def test_bad_generators_raise():
    with pytest.raises(UnknownGenerator):
        generate_value({"type": "Nope"})
    with pytest.raises(GeneratorError) as bad_regex:
        generate_value({"type": "Regex", "regex": "("})
    assert not isinstance(bad_regex.value, UnknownGenerator)  # known type, bad attribute
    with pytest.raises(GeneratorError):
        generate_value({"type": "Uuid", "format": "mixed"})
    with pytest.raises(GeneratorError, match="min 5 is greater than max 1"):
        generate_value({"type": "RandomInt", "min": 5, "max": 1})
    with pytest.raises(ValueError):
        generate_value({"type": "RandomInt"}, mode="verifier")


def test_provider_state_runs_only_in_provider_mode():
    gen = {"type": "ProviderState", "expression": "/users/${id}/${kind}"}
    context = {"providerState": {"id": 1000, "kind": "admin"}}
    assert generate_value(gen, "/users/1", "provider", context) == "/users/1000/admin"
    assert generate_value(gen, "/users/1", "consumer", context) == "/users/1"
    lone = {"type": "ProviderState", "expression": "${id}"}
    assert generate_value(lone, 1, "provider", context) == 1000  # keeps the parameter's type
    assert generate_value(lone, 1, "provider", {"providerState": {}}) == 1  # unknown: example


def test_mock_server_url_runs_only_in_consumer_mode():
    gen = {"type": "MockServerURL", "regex": r".*(/orders/\d+)$", "example": "http://x:1/orders/7"}
    context = {"mockServer": {"href": "http://127.0.0.1:5555", "port": 5555}}
    assert generate_value(gen, "x", "consumer", context) == "http://127.0.0.1:5555/orders/7"
    assert generate_value(gen, "x", "provider", context) == "x"


def test_mock_server_url_keeps_a_slash_between_href_and_a_group_without_one():
    """The compatibility suite's pact-broker_c2.json: ``.*\\/(pacts/...)$`` leaves the slash
    out of the group; the URL must still be ``http://host:port/pacts/...``."""
    gen = {"type": "MockServerURL", "regex": r".*\/(pacts/provider/p)$",
           "example": "http://localhost:9876/pacts/provider/p"}
    for href in ("http://127.0.0.1:5555", "http://127.0.0.1:5555/"):
        assert generate_value(gen, "x", "consumer", {"mockServer": {"href": href}}) == \
            "http://127.0.0.1:5555/pacts/provider/p"


def test_apply_generators_to_every_part_without_touching_the_original():
    request = {"method": "GET", "path": "/a", "query": {"q": ["1", "2"]},
               "headers": {"x-id": "1"}, "body": {"items": [{"id": 1}, {"id": 2}], "n": 1}}
    generators = {
        "path": {"type": "Regex", "regex": r"/b/\d{3}"},
        "query": {"q": {"type": "RandomInt", "min": 10, "max": 10}},
        "header": {"X-ID": {"type": "RandomInt", "min": 7, "max": 7},
                   "X-New": {"type": "RandomBoolean"}},
        "body": {"$.items[*].id": {"type": "RandomInt", "min": 3, "max": 3},
                 "$.missing": {"type": "RandomInt"}},
    }
    before = json.dumps(request, sort_keys=True)
    out = apply_generators(request, generators)
    assert json.dumps(request, sort_keys=True) == before
    assert re.fullmatch(r"/b/\d{3}", out["path"])
    assert out["query"] == {"q": ["10", "10"]}
    assert out["headers"]["x-id"] == "7" and out["headers"]["X-New"] in ("true", "false")
    assert out["body"] == {"items": [{"id": 3}, {"id": 3}], "n": 1}
    response = apply_generators({"status": 200, "generators": {
        "status": {"type": "RandomInt", "min": 201, "max": 201}}})
    assert response["status"] == 201


def test_mock_service_renders_generated_responses(tmp_path):
    interaction = {
        "description": "an order", "request": {"method": "GET", "path": "/orders/1"},
        "response": {
            "status": 200, "headers": {"Content-Type": "application/json"},
            "body": {"id": 1, "self": "http://example.com/orders/1", "state": "${state}"},
            "generators": {"body": {
                "$.id": {"type": "RandomInt", "min": 100, "max": 999},
                "$.self": {"type": "MockServerURL", "regex": r".*(/orders/\d+)$",
                           "example": "http://example.com/orders/1"},
                "$.state": {"type": "ProviderState", "expression": "${state}"}}},
        },
    }
    with MockService("c", "p", pact_dir=tmp_path, specification_version="3.0.0") as service:
        service.add_interaction(interaction)
        with urllib.request.urlopen(service.uri + "/orders/1") as answer:
            body = json.loads(answer.read())
        assert 100 <= body["id"] <= 999
        assert body["self"] == service.uri + "/orders/1"
        assert body["state"] == "${state}"  # ProviderState is for the provider side
        assert service.verification().ok
        written = json.loads(service.write_pact().read_text())
    generators = written["interactions"][0]["response"]["generators"]["body"]
    assert generators["$.id"] == {"type": "RandomInt", "min": 100, "max": 999}
    assert written["interactions"][0]["response"]["body"]["id"] == 1  # examples stay examples
