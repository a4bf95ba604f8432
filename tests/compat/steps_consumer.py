"""Consumer HTTP steps (V1-V4 ``http_consumer``), bound to our embedded MockService.

Interactions are built as pact-file JSON and parsed by ``wire.parse_interaction`` (binary
bodies as v4 base64 body objects, which it reads for every spec version: bytes in the
internal form for spec 1-3);
the service is driven by its direct API (the same Session the HTTP admin API calls), or,
for the "(admin API)" runs, over HTTP exactly as a client in another language would; the
client requests are real HTTP on 127.0.0.1, sent with ``http.client`` so that repeated
header lines stay separate lines.
"""
from __future__ import annotations

import base64
import http.client
import json
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from pact_unittest.model import Interaction, ProviderState
from pact_unittest.mock_service import MockService
from pact_unittest.pact_file import pact_file_name
from pact_unittest.model.verification import Verification
from pact_unittest.model.wire import parse_interaction

from .cells import Body, load_json_fixture, parse_body, parse_headers, table_rows
from .facts import assert_mismatch
from .registry import World, step

CONSUMER = "compat-consumer"
PROVIDER = "compat-provider"


# ---------------------------------------------------------------- building interactions
def _content_type(headers: List[Tuple[str, str]]) -> Optional[str]:
    return next((v for k, v in headers if k.lower() == "content-type"), None)


def build_interaction(world: World, number: str, body_cell: Optional[str] = None) -> Any:
    """Interaction ``number`` of the Background table, optionally with another body.

    In-process: an Interaction. Over the admin API (``world.data["transport"] == "admin"``):
    the JSON a client sends. Either way binary bodies are v4 base64 body objects.
    """
    row = world.data["defs"][number]
    request: Dict[str, Any] = {"method": row["method"], "path": row["path"]}
    if row.get("query"):
        request["query"] = row["query"]
    headers = parse_headers(row.get("headers", ""))
    body = parse_body(body_cell if body_cell is not None else row.get("body", ""))
    if body is not None and body.content_type and _content_type(headers) is None:
        headers.append(("Content-Type", body.content_type))
    if headers:
        request["headers"] = dict(headers)
    if body is not None and isinstance(body.value, bytes):
        request["body"] = {"contentType": body.content_type, "encoded": "base64",
                           "content": base64.b64encode(body.value).decode("ascii")}
    elif body is not None:
        request["body"] = body.value
    if row.get("matching rules"):
        request["matchingRules"] = load_json_fixture(row["matching rules"])
    response: Dict[str, Any] = {"status": int(row.get("response") or 200)}
    if row.get("response content"):
        response["headers"] = {"Content-Type": row["response content"]}
    response_body = parse_body(row.get("response body", ""))
    if response_body is not None:
        response["body"] = response_body.value
    data = {"description": f"interaction {number}", "request": request, "response": response}
    if world.data.get("transport") == "admin":
        return data
    return parse_interaction(data, world.spec_version)


def start_service(world: World, interactions: List[Interaction]) -> MockService:
    service = MockService(CONSUMER, PROVIDER, pact_dir=world.pact_dir,
                          specification_version=world.spec_version)
    service.start()
    world.add_cleanup(service.stop)
    world.data["service"] = service
    if world.data.get("transport") == "admin":
        status, _, answer = _admin(world, "PUT", "/interactions", {"interactions": interactions})
        assert status == 200, answer
    else:
        service.set_interactions(interactions)
    return service


def _admin(world: World, method: str, path: str, payload: Any = None,
           accept: Optional[str] = None) -> Tuple[int, Dict[str, str], bytes]:
    """One call to the mock's HTTP admin API (the Ruby-style ``X-Pact-Mock-Service`` header)."""
    target = urlsplit(world.data["service"].uri)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    headers = {"X-Pact-Mock-Service": "true", "Content-Type": "application/json"}
    if accept:
        headers["Accept"] = accept
    try:
        connection.request(method, path, json.dumps(payload) if payload is not None else None, headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@step(r"the following HTTP interactions have been defined:")
def define_interactions(world: World) -> None:
    world.data["defs"] = {row["No"]: row for row in table_rows(world.table)}


@step(r"the mock server is started with interaction (\d+)")
def start_with_one(world: World, number: str) -> None:
    start_service(world, [build_interaction(world, number)])


@step(r'the mock server is started with interactions "([\d, ]+)"')
def start_with_many(world: World, numbers: str) -> None:
    start_service(world, [build_interaction(world, n.strip()) for n in numbers.split(",")])


@step(r"the mock server is started with interaction (\d+) but with the following changes:")
def start_with_changes(world: World, number: str) -> None:
    changes = table_rows(world.table)[0]
    start_service(world, [build_interaction(world, number, changes.get("body"))])


# ---------------------------------------------------------------- client requests
def send(world: World, number: str, changes: Dict[str, str]) -> None:
    row = world.data["defs"][number]
    method = changes.get("method") or row["method"]
    path = changes.get("path") or row["path"]
    query = changes["query"] if "query" in changes else row.get("query", "")
    headers = parse_headers(row.get("headers", ""))
    for column in ("headers", "raw headers"):
        if column in changes:
            headers = parse_headers(changes[column])
    body: Optional[Body] = parse_body(row.get("body", ""))
    original_type = body.content_type if body else None
    if "body" in changes:
        body = parse_body(changes["body"])
    if body is not None and _content_type(headers) is None:
        ctype = body.content_type or original_type
        if ctype:
            headers.append(("Content-Type", ctype))
    service: MockService = world.data["service"]
    target = urlsplit(service.uri)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    try:
        connection.putrequest(method, path + ("?" + query if query else ""),
                              skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        data = body.raw() if body is not None else b""
        if data or method not in ("GET", "HEAD"):
            connection.putheader("Content-Length", str(len(data)))
        connection.endheaders(data or None)
        response = connection.getresponse()
        world.data["response"] = (response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


@step(r"request (\d+) is made to the mock server")
def make_request(world: World, number: str) -> None:
    send(world, number, {})


@step(r"request (\d+) is made to the mock server with the following changes:")
def make_changed_request(world: World, number: str) -> None:
    send(world, number, table_rows(world.table)[0])


@step(r"a (\d+) (?:success|error) response is returned")
def status_returned(world: World, status: str) -> None:
    got = world.data["response"][0]
    assert got == int(status), f"expected status {status}, got {got}: {world.data['response'][2][:500]!r}"


@step(r'the payload will contain the "([^"]+)" JSON document')
def payload_document(world: World, name: str) -> None:
    assert json.loads(world.data["response"][2]) == load_json_fixture(name + ".json")


@step(r'the content type will be set as "([^"]+)"')
def payload_content_type(world: World, mime: str) -> None:
    headers = {k.lower(): v for k, v in world.data["response"][1].items()}
    assert headers.get("content-type", "").split(";")[0].strip() == mime, headers


# ---------------------------------------------------------------- end of test, status
@step(r"the pact test is done")
def pact_test_done(world: World) -> None:
    """What a ``with pact:`` block does at its end: verify, and write only when verified."""
    service: MockService = world.data["service"]
    if world.data.get("transport") == "admin":
        _, _, answer = _admin(world, "GET", "/interactions/verification", accept="application/json")
        verification = Verification.from_json(answer)
        world.data["verification"] = verification
        if verification.ok:
            status, _, answer = _admin(world, "POST", "/pact", {})
            assert status == 200, answer
        return
    verification = service.verification()
    world.data["verification"] = verification
    if verification.ok:
        service.write_pact()


def _verification(world: World) -> Any:
    if "verification" not in world.data and world.data.get("transport") == "admin":
        _, _, answer = _admin(world, "GET", "/interactions/verification", accept="application/json")
        return Verification.from_json(answer)
    return world.data.get("verification") or world.data["service"].verification()


@step(r"the mock server status will be OK")
def status_ok(world: World) -> None:
    verification = _verification(world)
    assert verification.ok, verification.describe()


@step(r"the mock server status will NOT be OK")
def status_not_ok(world: World) -> None:
    assert not _verification(world).ok


@step(r"the mock server status will be mismatches")
def status_mismatches(world: World) -> None:
    verification = _verification(world)
    assert verification.mismatched and any(c.mismatches for m in verification.mismatched
                                           for c in m.candidates), verification.describe()


@step(r"the mock server status will be an expected but not received error for interaction \{(\d+)\}")
def status_missing(world: World, number: str) -> None:
    row = world.data["defs"][number]
    missing = _verification(world).missing
    assert any(m.description == f"interaction {number}" and m.method.upper() == row["method"]
               and m.path == row["path"] for m in missing), missing


def _unexpected(world: World, method: str, path: str, query: Optional[str] = None) -> None:
    unexpected = _verification(world).unexpected
    assert any(u.request.method.upper() == method and u.request.path == path
               and (query is None or u.request.query == query) for u in unexpected), unexpected


@step(r'the mock server status will be an unexpected "(\w+)" request received error for interaction \{(\d+)\}')
def status_unexpected_interaction(world: World, method: str, number: str) -> None:
    row = world.data["defs"][number]
    _unexpected(world, method, row["path"], row.get("query") or "")


@step(r'the mock server status will be an unexpected "(\w+)" request received error for path "([^"]+)"')
def status_unexpected_path(world: World, method: str, path: str) -> None:
    _unexpected(world, method, path)


def _all_mismatches(world: World) -> List[Any]:
    verification = _verification(world)
    return [m for item in verification.mismatched for c in item.candidates for m in c.mismatches]


@step(r'the mismatches will contain a "([\w-]+)" mismatch with error "(.*)"')
def mismatch_with_error(world: World, kind: str, text: str) -> None:
    # Checks the mismatch kind and the facts the Rust text names (facts.py), not its wording.
    assert_mismatch(_all_mismatches(world), text, kind)


@step(r'the mismatches will contain a "([\w-]+)" mismatch with path "([^"]+)" with error "(.*)"')
def mismatch_with_path(world: World, kind: str, path: str, text: str) -> None:
    # Checks the mismatch kind, its JSON path and the facts the Rust text names, not its wording.
    assert_mismatch(_all_mismatches(world), text, kind, path)


# ---------------------------------------------------------------- the pact file
def pact_path(world: World) -> Any:
    return world.pact_dir / pact_file_name(CONSUMER, PROVIDER)


def read_pact(world: World) -> Dict[str, Any]:
    if "pact" not in world.data:
        world.data["pact"] = json.loads(pact_path(world).read_text(encoding="utf-8"))
    return world.data["pact"]


@step(r"the mock server will write out a Pact file for the interactions? when done")
def pact_written(world: World) -> None:
    assert pact_path(world).is_file(), f"no pact file at {pact_path(world)}"


@step(r"the mock server will NOT write out a Pact file for the interactions? when done")
def pact_not_written(world: World) -> None:
    assert not pact_path(world).exists(), f"unexpected pact file {pact_path(world)}"


@step(r"the pact file will contain \{(\d+)\} interactions?")
def pact_interaction_count(world: World, count: str) -> None:
    assert len(read_pact(world)["interactions"]) == int(count)


def _first(world: World, part: str) -> Dict[str, Any]:
    return read_pact(world)["interactions"][0][part]


def _header(part: Dict[str, Any], name: str) -> Optional[str]:
    for key, value in (part.get("headers") or {}).items():
        if key.lower() == name.lower():
            return ", ".join(value) if isinstance(value, list) else value
    return None


def _body_json(part: Dict[str, Any]) -> Any:
    body = part.get("body")
    if isinstance(body, dict) and "content" in body and "contentType" in body:  # v4 body object
        content = body["content"]
        return json.loads(content) if isinstance(content, str) else content
    return body


@step(r'the \{first\} interaction request will be for a "(\w+)"')
def first_method(world: World, method: str) -> None:
    assert _first(world, "request")["method"].upper() == method


@step(r'the \{first\} interaction request query parameters will be "([^"]*)"')
def first_query(world: World, query: str) -> None:
    assert _first(world, "request").get("query") == query, _first(world, "request")


@step(r'the \{first\} interaction request will contain the header "([^"]+)" with value "([^"]*)"')
def first_header(world: World, name: str, value: str) -> None:
    assert _header(_first(world, "request"), name) == value


@step(r'the \{first\} interaction request content type will be "([^"]+)"')
def first_content_type(world: World, mime: str) -> None:
    assert (_header(_first(world, "request"), "Content-Type") or "").split(";")[0] == mime


@step(r'the \{first\} interaction (request|response) will contain the "([^"]+)" document')
def first_document(world: World, part: str, name: str) -> None:
    assert _body_json(_first(world, part)) == load_json_fixture(name)


# ---------------------------------------------------------------- V3/V4: one interaction
def _new_definition(world: World) -> None:
    world.data["definition"] = {
        "description": "a compatibility-suite interaction",
        "request": {"method": "GET", "path": "/compat"},
        "response": {"status": 200},
    }
    world.data["states"] = []


@step(r"an integration is being defined for a consumer test")
def define_integration(world: World) -> None:
    _new_definition(world)


@step(r"an HTTP interaction is being defined for a consumer test")
def define_http_interaction(world: World) -> None:
    _new_definition(world)


@step(r'a provider state "([^"]+)" is specified')
def add_state(world: World, name: str) -> None:
    world.data["states"].append({"name": name})


@step(r'a provider state "([^"]+)" is specified with the following data:')
def add_state_with_data(world: World, name: str) -> None:
    row = table_rows(world.table)[0]
    world.data["states"].append({"name": name, "params": {k: json.loads(v) for k, v in row.items()}})


@step(r'a key of "([^"]+)" is specified for the HTTP interaction')
def set_key(world: World, key: str) -> None:
    world.data["definition"]["key"] = key


@step(r"the HTTP interaction is marked as pending")
def set_pending(world: World) -> None:
    world.data["definition"]["pending"] = True


@step(r'a comment "([^"]*)" is added to the HTTP interaction')
def add_comment(world: World, text: str) -> None:
    comments = world.data["definition"].setdefault("comments", {})
    comments.setdefault("text", []).append(text)


@step(r"the Pact file for the test is generated")
def generate_pact(world: World) -> None:
    """Register the interaction, make its request (a clean test), verify, write.

    A scenario that defines a message (tests/compat/steps_message.py) puts its own
    generation in ``world.data["generate_pact"]``, which writes its HTTP interaction too.
    """
    custom = world.data.get("generate_pact")
    if custom is not None:
        custom(world)
        return
    definition = dict(world.data["definition"])
    if world.data["states"]:
        definition["providerStates"] = world.data["states"]
    admin = world.data.get("transport") == "admin"
    interaction = definition if admin else parse_interaction(definition, world.spec_version)
    world.data["defs"] = {"1": {"method": "GET", "path": "/compat"}}
    start_service(world, [interaction])
    send(world, "1", {})
    pact_test_done(world)
    status_ok(world)


def _the_interaction(world: World) -> Dict[str, Any]:
    interactions = read_pact(world)["interactions"]
    assert len(interactions) == 1, interactions
    return interactions[0]


@step(r"the interaction in the Pact file will contain (\d+) provider states?")
def state_count(world: World, count: str) -> None:
    assert len(_the_interaction(world).get("providerStates", [])) == int(count)


@step(r'the interaction in the Pact file will contain provider state "([^"]+)"')
def has_state(world: World, name: str) -> None:
    assert any(s["name"] == name for s in _the_interaction(world)["providerStates"])


@step(r'the provider state "([^"]+)" in the Pact file will contain the following parameters:')
def state_params(world: World, name: str) -> None:
    expected = json.loads(table_rows(world.table)[0]["parameters"])
    state = next(s for s in _the_interaction(world)["providerStates"] if s["name"] == name)
    assert state.get("params") == expected, state


@step(r'the first interaction in the Pact file will have a type of "([^"]+)"')
def first_type(world: World, kind: str) -> None:
    assert read_pact(world)["interactions"][0]["type"] == kind


@step(r"the first interaction in the Pact file will have \"(\w+)\" = '(.*)'")
def first_field(world: World, name: str, value: str) -> None:
    assert read_pact(world)["interactions"][0].get(name) == json.loads(value), read_pact(world)["interactions"][0]
