"""The verdict-parity corpus: five interactions, a provider that honours them, seven that
break them one way each (the state setup fails twice: answering 500, and 400).

Shared by ``tests/test_verifier_parity.py`` (which writes our pact files from
:data:`INTERACTIONS` and verifies every pact against every provider with all three
verifiers) and ``tests/fixtures/rust_pacts/make_rust_pacts.py`` (which had the Rust core's
mock server write the same interactions as its own pact files, once).

Each interaction carries the rule a breaking provider violates, so a verdict "failed" on
exactly the broken interaction (and "passed" on the others) is what every verifier should
say. The honouring provider answers *other* values than the examples wherever a rule allows
it, so only the rules make it pass.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional

from provider_app import ProviderApp

STATE = "user 1 exists"
PROVIDER = "ParityProvider"
JSON = {"Content-Type": "application/json"}


def _type(value: Any) -> Dict[str, Any]:
    return {"pact:matcher:type": "type", "value": value}


#: The interactions, in the FFI JSON form our mock service takes (v3 state params kept
#: for spec 3 and 4; a spec 2 pact has the state name only).
INTERACTIONS: List[Dict[str, Any]] = [
    {"description": "a user", "providerStates": [{"name": STATE, "params": {"id": 1}}],
     "request": {"method": "GET", "path": "/users/1", "headers": {"Accept": "application/json"}},
     "response": {"status": 200, "headers": dict(JSON),
                  "body": {"id": _type(1), "name": _type("Ada")}}},
    {"description": "a user's tags", "providerStates": [{"name": STATE, "params": {"id": 1}}],
     "request": {"method": "GET", "path": "/users/1/tags"},
     "response": {"status": 200, "headers": dict(JSON),
                  "body": {"tags": {"pact:matcher:type": "type", "max": 3, "value": ["a"]}}}},
    {"description": "the friends",
     "request": {"method": "GET", "path": "/friends"},
     "response": {"status": 200, "headers": dict(JSON),
                  "body": {"friends": {"pact:matcher:type": "type", "min": 2,
                                       "value": [_type(2), _type(3)]}}}},
    {"description": "create an item",
     "request": {"method": "POST", "path": "/items", "headers": dict(JSON),
                 "body": {"name": "pen"}},
     "response": {"status": 201,
                  "headers": {"Location": {"pact:matcher:type": "regex", "regex": r"/items/\d+",
                                           "value": "/items/7"}}}},
    {"description": "the health check",
     "request": {"method": "GET", "path": "/health"},
     "response": {"status": 200, "headers": {"Content-Type": "text/plain"}, "body": "ok"}},
]
DESCRIPTIONS = [i["description"] for i in INTERACTIONS]


def interactions(spec: str) -> List[Dict[str, Any]]:
    """:data:`INTERACTIONS` as given for ``spec`` (spec 2 states have no params)."""
    items = copy.deepcopy(INTERACTIONS)
    if spec.startswith("2"):
        for item in items:
            states = item.pop("providerStates", None)
            if states:
                item["providerState"] = states[0]["name"]
    return items


def replay(base_url: str) -> None:
    """Each corpus request once, as the consumer sends it (to a mock service)."""
    import requests

    with requests.Session() as session:
        for item in INTERACTIONS:
            req = item["request"]
            session.request(req["method"], base_url + req["path"], headers=req.get("headers"),
                            json=req.get("body"))


def _routes() -> Dict[str, Dict[str, Any]]:
    """The honouring provider's answers by description: other values, same shapes."""
    return {
        "a user": {"method": "GET", "path": "/users/1", "status": 200, "headers": dict(JSON),
                   "body": {"id": 42, "name": "Grace"}, "state": STATE},
        "a user's tags": {"method": "GET", "path": "/users/1/tags", "status": 200,
                          "headers": dict(JSON), "body": {"tags": ["x", "y"]}, "state": STATE},
        "the friends": {"method": "GET", "path": "/friends", "status": 200, "headers": dict(JSON),
                        "body": {"friends": [5, 6, 7]}},
        "create an item": {"method": "POST", "path": "/items", "status": 201,
                           "headers": {"Location": "/items/99"}, "body": None},
        "the health check": {"method": "GET", "path": "/health", "status": 200,
                             "headers": {"Content-Type": "text/plain"}, "body": "ok"},
    }


def _break(routes: Dict[str, Dict[str, Any]], how: str) -> Optional[int]:
    """Break the contract ``how``; return the status the states URL answers for
    :data:`STATE`, when it refuses it."""
    if how == "wrong_type":
        routes["a user"]["body"]["id"] = "42"
    elif how == "missing_field":
        del routes["a user"]["body"]["name"]
    elif how == "over_max":
        routes["a user's tags"]["body"]["tags"] = ["w", "x", "y", "z"]
    elif how == "under_min":
        routes["the friends"]["body"]["friends"] = [5]
    elif how == "wrong_status":
        routes["create an item"]["status"] = 200
    elif how == "missing_header":
        routes["create an item"]["headers"] = {}
    elif how.startswith("state_"):
        return int(how[len("state_"):])
    elif how != "honours":
        raise ValueError(f"unknown provider variant {how!r}")
    return None


#: Provider variants, and the interactions each one breaks (what a correct verifier fails).
BREAKS: Dict[str, List[str]] = {
    "honours": [],
    "wrong_type": ["a user"],
    "missing_field": ["a user"],
    "over_max": ["a user's tags"],
    "under_min": ["the friends"],
    "wrong_status": ["create an item"],
    "missing_header": ["create an item"],
    "state_500": ["a user", "a user's tags"],
    "state_400": ["a user", "a user's tags"],
}


def provider(how: str) -> ProviderApp:
    """A started provider app for variant ``how`` (see :data:`BREAKS`)."""
    routes = _routes()
    refused = _break(routes, how)
    app = ProviderApp(failing_states=[STATE] if refused else [], failing_status=refused or 500)
    for route in routes.values():
        app.add(route.pop("method"), route.pop("path"), **route)
    return app.start()
