"""Provider HTTP steps (V1-V4 ``http_provider``), bound to our ProviderVerifier.

The Background table (read by the shared "the following HTTP interactions have been
defined" step) describes interactions; each side takes its part of a row:

* the **provider** (:mod:`.provider_stub`, a real HTTP server in a thread) answers each
  interaction's request with its response, with the "following changes" applied;
* the **pact** to verify is the interaction written by our own pact writer
  (``pact_document``) in the folder's spec version, to a real file (consumer ``c_N``,
  provider ``p``, as the broker fixtures name them) -- or, for "from a Pact broker", served
  by the broker stub of :mod:`.steps_broker`.

"When the verification is run" calls ``ProviderVerifier.verify`` once over every pact; the
Then steps read the report (its ``problems()`` headings, warnings and the text summary --
the "console") and the events the provider and the state callback recorded.
"""
from __future__ import annotations

import base64
import json
from typing import Any, Dict, List, Optional, Tuple

from pact_unittest.model.wire import parse_interaction
from pact_unittest.pact_file import pact_document, render_pact
from pact_unittest.verifier import ProviderRequest, ProviderVerifier, StateCallback, render_text

from .cells import Body, load_json_fixture, parse_body, parse_headers, table_rows
from .provider_stub import Canned, ProviderStub
from .registry import World, step

PROVIDER = "p"


# ---------------------------------------------------------------- the two sides of a row
def _response_body(row: Dict[str, str], changes: Dict[str, str]) -> Tuple[Optional[Body], Optional[str]]:
    """The response body and its content type; a changed body without one of its own keeps
    the interaction's (README: "the request keeps the content type of the interaction")."""
    original = parse_body(row.get("response body", ""))
    body = parse_body(changes["response body"]) if "response body" in changes else original
    column = row.get("response content") or None
    if body is None:
        return None, column
    if body is original:
        return body, column or body.content_type
    return body, body.content_type or column or (original.content_type if original else None)


def _response_headers(row: Dict[str, str], changes: Dict[str, str],
                      content_type: Optional[str]) -> List[Tuple[str, str]]:
    headers = parse_headers(changes.get("response headers", row.get("response headers", "")))
    if content_type and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", content_type))
    return headers


def canned_answer(world: World, number: str, changes: Dict[str, str]) -> Canned:
    """What the provider answers to interaction ``number``'s request."""
    row = world.data["defs"][number]
    body, content_type = _response_body(row, changes)
    return Canned(row["method"], row["path"], row.get("query", ""),
                  int(changes.get("response") or row.get("response") or 200),
                  _response_headers(row, changes, content_type),
                  body.raw() if body is not None else b"")


def interaction_json(world: World, number: str) -> Dict[str, Any]:
    """Interaction ``number`` in pact-file form (binary bodies as v4 base64 body objects,
    which ``parse_interaction`` reads for every spec version)."""
    row = world.data["defs"][number]
    request: Dict[str, Any] = {"method": row["method"], "path": row["path"]}
    if row.get("query"):
        request["query"] = row["query"]
    request_headers = parse_headers(row.get("headers", ""))
    request_body = parse_body(row.get("body", ""))
    if request_body is not None and request_body.content_type:
        request_headers.append(("Content-Type", request_body.content_type))
    if request_headers:
        request["headers"] = dict(request_headers)
    if request_body is not None:
        request["body"] = _body_json(request_body)
    body, content_type = _response_body(row, {})
    response: Dict[str, Any] = {"status": int(row.get("response") or 200)}
    headers = _response_headers(row, {}, content_type)
    if headers:
        response["headers"] = dict(headers)
    if body is not None:
        response["body"] = _body_json(body, content_type)
    if row.get("response matching rules"):
        response["matchingRules"] = load_json_fixture(row["response matching rules"])
    return {"description": f"interaction {number}", "request": request, "response": response}


def _body_json(body: Body, content_type: Optional[str] = None) -> Any:
    if isinstance(body.value, bytes):
        return {"contentType": content_type or body.content_type, "encoded": "base64",
                "content": base64.b64encode(body.value).decode("ascii")}
    return body.value


# ---------------------------------------------------------------- Given: the provider
def _start_provider(world: World, answers: List[Canned]) -> None:
    provider = ProviderStub(answers, _events(world)).start()
    world.add_cleanup(provider.stop)
    world.data["provider"] = provider


def _events(world: World) -> List[Any]:
    return world.data.setdefault("events", [])


@step(r"a provider is started that returns the response from interaction (\d+)")
def provider_one(world: World, number: str) -> None:
    _start_provider(world, [canned_answer(world, number, {})])


@step(r'a provider is started that returns the responses from interactions "([\d, ]+)"')
def provider_many(world: World, numbers: str) -> None:
    _start_provider(world, [canned_answer(world, n.strip(), {}) for n in numbers.split(",")])


@step(r"a provider is started that returns the response from interaction (\d+), with the following changes:")
def provider_changed(world: World, number: str) -> None:
    _start_provider(world, [canned_answer(world, number, table_rows(world.table)[0])])


# ---------------------------------------------------------------- Given: the pacts
def pact_json(world: World, number: str, **extra: Any) -> Dict[str, Any]:
    """A pact of consumer ``c_N`` holding interaction ``number`` (``extra`` merged into the
    interaction: providerStates, pending, comments), as our writer writes it."""
    definition = {**interaction_json(world, number), **extra}
    interaction = parse_interaction(definition, world.spec_version)
    return pact_document(f"c_{number}", PROVIDER, [interaction], world.spec_version)


def add_pact_file(world: World, number: str, **extra: Any) -> None:
    path = world.pact_dir / f"c_{number}-{PROVIDER}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_pact(pact_json(world, number, **extra)), encoding="utf-8")
    world.data.setdefault("pacts", []).append(path)


@step(r"a Pact file for interaction (\d+) is to be verified")
def pact_file(world: World, number: str) -> None:
    add_pact_file(world, number)


@step(r'a Pact file for interaction (\d+) is to be verified with a provider state "([^"]*)" defined')
def pact_file_with_state(world: World, number: str, state: str) -> None:
    add_pact_file(world, number, providerStates=[{"name": state}])


@step(r"a Pact file for interaction (\d+) is to be verified with the following provider states defined:")
def pact_file_with_states(world: World, number: str) -> None:
    states = []
    for row in table_rows(world.table):
        state: Dict[str, Any] = {"name": row["State Name"]}
        if row.get("Parameters"):
            state["params"] = json.loads(row["Parameters"])
        states.append(state)
    add_pact_file(world, number, providerStates=states)


@step(r"a Pact file for interaction (\d+) is to be verified, but is marked pending")
def pact_file_pending(world: World, number: str) -> None:
    add_pact_file(world, number, pending=True)


def comments_table(table: Any) -> Dict[str, Any]:
    """A "following comments" table as v4 ``comments``: ``text`` rows listed, others by type."""
    comments: Dict[str, Any] = {}
    for row in table_rows(table):
        if row["type"] == "text":
            comments.setdefault("text", []).append(row["comment"])
        else:
            comments[row["type"]] = row["comment"]
    return comments


@step(r"a Pact file for interaction (\d+) is to be verified with the following comments:")
def pact_file_with_comments(world: World, number: str) -> None:
    add_pact_file(world, number, comments=comments_table(world.table))


# ---------------------------------------------------------------- Given: states, filters
def _callback(world: World, fail: bool) -> StateCallback:
    events = _events(world)

    def callback(name: str, params: Dict[str, Any], action: str) -> None:
        events.append((action, name, params))
        if fail and action == "setup":
            raise RuntimeError(f"the compatibility suite's callback fails for {name!r}")

    return StateCallback(callback)


@step(r"a provider state callback is configured")
def state_callback(world: World) -> None:
    world.data["states"] = _callback(world, fail=False)


@step(r"a provider state callback is configured, but will return a failure")
def failing_state_callback(world: World) -> None:
    world.data["states"] = _callback(world, fail=True)


@step(r"a request filter is configured to make the following changes:")
def request_filter(world: World) -> None:
    headers = parse_headers(table_rows(world.table)[0]["headers"])

    def add_headers(request: ProviderRequest) -> None:
        for name, value in headers:
            request.headers[name] = value

    world.data["request_filter"] = add_headers


# ---------------------------------------------------------------- When
@step(r"the verification is run")
def run_verification(world: World) -> None:
    verifier = ProviderVerifier(PROVIDER, world.data["provider"].url,
                                states=world.data.get("states"),
                                request_filter=world.data.get("request_filter"))
    world.add_cleanup(verifier.close)
    sources: List[Any] = list(world.data.get("pacts", []))
    for fetch in world.data.get("pact_fetchers", []):   # steps_broker: pacts from a broker
        sources.extend(fetch())
    report = verifier.verify(sources)
    world.data["report"] = report
    world.data["console"] = render_text(report)
    for hook in world.data.get("after_verification", []):
        hook(report)


# ---------------------------------------------------------------- Then: the verdict
def _report(world: World) -> Any:
    return world.data["report"]


@step(r"the verification will be successful")
def verification_ok(world: World) -> None:
    report = _report(world)
    assert report.success and report.results, world.data["console"]


@step(r"the verification will NOT be successful")
def verification_not_ok(world: World) -> None:
    report = _report(world)
    assert not report.success and report.exit_code == 1, world.data["console"]


def _problems(world: World, status: str) -> List[str]:
    return [line for result in _report(world).results if result.status == status
            for line in result.problems()]


@step(r'the verification results will contain a "([^"]+)" error')
def results_contain(world: World, heading: str) -> None:
    assert heading in _problems(world, "failed"), world.data["console"]


@step(r'there will be a pending "([^"]+)" error')
def pending_error(world: World, heading: str) -> None:
    assert heading in _problems(world, "pending"), world.data["console"]
    assert "pending" in world.data["console"], world.data["console"]


@step(r'a warning will be displayed that there was no provider state callback configured '
      r'for provider state "([^"]+)"')
def missing_state_warning(world: World, state: str) -> None:
    warnings = [w for result in _report(world).results for w in result.warnings]
    assert any(repr(state) in w and "no provider state handler" in w for w in warnings), warnings
    assert f"WARNING: no provider state handler for {state!r}" in world.data["console"]


@step(r'the request to the provider will contain the header "([^"]+)"')
def provider_got_header(world: World, header: str) -> None:
    (name, value), = parse_headers(f"'{header}'")
    received = [r["headers"] for r in world.data["provider"].requests()]
    assert received and all(any(k.lower() == name.lower() and v == value for k, v in headers)
                            for headers in received), received


@step(r'the comment "([^"]+)" will have been printed to the console')
def comment_printed(world: World, text: str) -> None:
    assert f"comment: {text}" in world.data["console"], world.data["console"]


@step(r'the "([^"]+)" will displayed as the original test name')
def test_name_printed(world: World, name: str) -> None:
    assert f"test name: {name}" in world.data["console"], world.data["console"]


# ---------------------------------------------------------------- Then: the state callback
def _calls(world: World, action: Optional[str] = None) -> List[Tuple[int, str, Dict[str, Any]]]:
    """(position among all events, state name, params) of the callback's calls."""
    return [(index, event[1], event[2]) for index, event in enumerate(_events(world))
            if event[0] in ("setup", "teardown") and (action is None or event[0] == action)]


def _request_positions(world: World) -> List[int]:
    return [index for index, event in enumerate(_events(world)) if event[0] == "request"]


@step(r"the provider state callback will be called before the verification is run")
def called_before(world: World) -> None:
    setups = _calls(world, "setup")
    requests = _request_positions(world)
    assert setups, _events(world)
    assert not requests or setups[0][0] < requests[0], _events(world)


@step(r"the provider state callback will be called after the verification is run")
def called_after(world: World) -> None:
    teardowns = _calls(world, "teardown")
    requests = _request_positions(world)
    assert teardowns and requests and teardowns[-1][0] > requests[-1], _events(world)


def _has_call(world: World, action: str, name: str, params: Optional[Dict[str, Any]]) -> None:
    calls = _calls(world, action)
    assert any(n == name and (params is None or p == params) for _, n, p in calls), calls


@step(r'the provider state callback will receive a setup call with "([^"]*)" as the provider state parameter')
def setup_call(world: World, name: str) -> None:
    _has_call(world, "setup", name, None)


@step(r'the provider state callback will receive a teardown call "([^"]*)" as the provider state parameter')
def teardown_call(world: World, name: str) -> None:
    _has_call(world, "teardown", name, None)


def _params_table(world: World) -> Dict[str, Any]:
    return {k: json.loads(v) for k, v in table_rows(world.table)[0].items()}


@step(r'the provider state callback will receive a setup call with "([^"]*)" and the following parameters:')
def setup_call_params(world: World, name: str) -> None:
    _has_call(world, "setup", name, _params_table(world))


@step(r'the provider state callback will receive a teardown call "([^"]*)" and the following parameters:')
def teardown_call_params(world: World, name: str) -> None:
    _has_call(world, "teardown", name, _params_table(world))


@step(r"the provider state callback will NOT receive a teardown call")
def no_teardown(world: World) -> None:
    assert not _calls(world, "teardown"), _events(world)
