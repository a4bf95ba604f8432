"""Pact files written by our MockService pass the official provider verifiers.

A consumer test drives our embedded mock service with interactions carrying matchers, the
service writes the pact file (spec 1.0.0, 2.0.0, 3.0.0 and, when the writer supports it,
4.0.0), and the Ruby ``pact-provider-verifier`` (spec 1 and 2) and the Rust ``pact
verifier`` (every version) replay it against ``tests/provider_app.py``, a real HTTP
provider that honours the contract with *other* values than the examples wherever a
matcher allows it (so the rules in the file are what makes it pass). A provider that
breaks the contract must make both verifiers fail.
"""
from __future__ import annotations

import json
import pathlib
from typing import Any, Dict, List, Tuple

import pytest
import requests

from provider_app import ProviderApp, path_regex
from reference import (admin, require_ruby_verifier, require_rust, verify_with_ruby,
                       verify_with_rust)

pytestmark = pytest.mark.reference

STATE = "user 42 exists"
ISO = r"^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-6]\d:[0-6]\d(?:\.\d+)?(?:[+-]\d\d:?\d\d|Z)?$"


def _term(regex: str, generate: str) -> Dict[str, Any]:
    return {"json_class": "Pact::Term",
            "data": {"generate": generate, "matcher": {"json_class": "Regexp", "o": 0, "s": regex}}}


def _like(contents: Any) -> Dict[str, Any]:
    return {"json_class": "Pact::SomethingLike", "contents": contents}


def _each_like(contents: Any, minimum: int = 1) -> Dict[str, Any]:
    return {"json_class": "Pact::ArrayLike", "contents": contents, "min": minimum}


def _v2_interactions() -> List[Dict[str, Any]]:
    """pact-python v2 wire form, every v2 matcher kind, on request and response sides."""
    return [
        {"description": "a request for user 42", "provider_state": STATE,
         "request": {"method": "GET", "path": "/users/42",
                     "headers": {"Accept": "application/json"}},
         "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                      "body": _like({"id": 42, "name": "Ada",
                                     "roles": _each_like("admin", 2),
                                     "created": _term(ISO, "2020-01-01T00:00:00Z")})}},
        {"description": "a search for users",
         "request": {"method": "GET", "path": "/users", "query": "name=Ada&limit=10"},
         "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                      "body": {"users": _each_like({"id": _like(1), "name": "Ada"})}}},
        {"description": "create a user",
         "request": {"method": "POST", "path": "/users",
                     "headers": {"Content-Type": "application/json"},
                     "body": {"name": "Bob", "tags": ["new"]}},
         "response": {"status": 201,
                      "headers": {"Location": _term(r"/users/\d+", "/users/7"),
                                  "Content-Type": "application/json"},
                      "body": {"id": _like(7), "name": "Bob"}}},
    ]


def _v3_interactions() -> List[Dict[str, Any]]:
    """v3 adds FFI-style matchers and a provider state with parameters."""
    items = _v2_interactions()
    items.append({
        "description": "a user's account",
        "providerStates": [{"name": "an account exists", "params": {"id": 5}}],
        "request": {"method": "GET", "path": "/accounts/5"},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                     "body": {"id": {"pact:matcher:type": "integer", "value": 5},
                              "balance": {"pact:matcher:type": "decimal", "value": 10.5},
                              "active": {"pact:matcher:type": "boolean", "value": True},
                              "opened": {"pact:matcher:type": "date", "format": "yyyy-MM-dd",
                                         "value": "2020-02-01"}}},
    })
    return items


def _consumer_requests(uri: str, spec: str) -> None:
    """What the consumer code does against the mock (each interaction once)."""
    assert requests.get(uri + "/users/42", headers={"Accept": "application/json"}).status_code == 200
    assert requests.get(uri + "/users?limit=10&name=Ada").status_code == 200
    assert requests.post(uri + "/users", json={"name": "Bob", "tags": ["new"]}).status_code == 201
    if spec >= "3":
        assert requests.get(uri + "/accounts/5").status_code == 200


def write_pact_with_ours(pact_dir: pathlib.Path, spec: str) -> pathlib.Path:
    """Run the consumer side on our embedded MockService and return the written file."""
    from pact_unittest.mock_service import MockService

    try:
        svc = MockService("C", "P", pact_dir=str(pact_dir), specification_version=spec)
    except (ValueError, NotImplementedError) as exc:
        pytest.skip(f"our MockService does not write spec {spec} yet: {exc}")
    with svc:
        items = _v3_interactions() if spec >= "3" else _v2_interactions()
        try:
            svc.set_interactions(items)
        except (ValueError, NotImplementedError) as exc:
            if spec >= "4":
                pytest.skip(f"our MockService does not take spec {spec} yet: {exc}")
            raise
        _consumer_requests(svc.uri, spec)
        verification = svc.verification()
        assert verification.ok, verification.describe()
        try:
            path = svc.write_pact()
        except (ValueError, NotImplementedError) as exc:
            if spec >= "4":
                pytest.skip(f"our pact writer does not write spec {spec} yet: {exc}")
            raise
    assert path is not None and path.is_file()
    pact = json.loads(path.read_text(encoding="utf-8"))
    # "4.0" for spec 4 as the Rust core writes it; "x.0.0" before
    assert pact["metadata"]["pactSpecification"]["version"] in (spec, spec[:3])
    assert len(pact["interactions"]) == len(items)
    return path


def provider(exact: bool, broken: bool = False) -> ProviderApp:
    """The provider. ``exact``: answer the examples themselves (spec 1 files carry no rules).

    Otherwise answer other values of the same types/patterns, so only the rules make the
    verification pass. ``broken`` returns the user id as a string: a contract violation.
    """
    app = ProviderApp()
    json_ct = {"Content-Type": "application/json"}
    user: Dict[str, Any] = (
        {"id": 42, "name": "Ada", "roles": ["admin", "admin"], "created": "2020-01-01T00:00:00Z"}
        if exact else
        {"id": 43, "name": "Grace", "roles": ["dev", "ops", "qa"],
         "created": "2023-06-30T12:00:00+02:00"})
    if broken:
        user["id"] = "42"
    app.add("GET", "/users/42", 200, user, json_ct, state=STATE)
    app.add("GET", "/users", 200,
            {"users": [{"id": 1, "name": "Ada"}] if exact else
             [{"id": 3, "name": "Ada"}, {"id": 4, "name": "Ada"}]}, json_ct,
            query={"name": ["Ada"], "limit": ["10"]})
    app.add("POST", "/users", 201, {"id": 7 if exact else 99, "name": "Bob"},
            dict(json_ct, Location="/users/7" if exact else "/users/99"))
    app.add("GET", path_regex(r"/accounts/5"), 200,
            {"id": 6, "balance": 3.25, "active": False, "opened": "2024-12-31"}, json_ct,
            state="an account exists")
    return app.start()


SPECS: List[Tuple[str, bool]] = [  # (spec, ruby verifier reads it)
    ("1.0.0", True), ("2.0.0", True), ("3.0.0", False), ("4.0.0", False)]


@pytest.mark.parametrize("spec,ruby_reads", SPECS, ids=[s for s, _ in SPECS])
def test_official_verifiers_accept_our_pact(spec: str, ruby_reads: bool,
                                            tmp_path: pathlib.Path) -> None:
    require_rust()
    if ruby_reads:
        require_ruby_verifier()
    path = write_pact_with_ours(tmp_path, spec)
    app = provider(exact=spec < "2")
    try:
        ok, output = verify_with_rust(path, app.host, app.port, app.states_url)
        assert ok, output
        assert STATE in json.dumps(app.state_calls)  # states really were set up
        if spec >= "3":  # v3 provider state parameters reach the provider
            assert any(c.get("state") == "an account exists" and c.get("params") == {"id": 5}
                       for c in app.state_calls), app.state_calls
        if ruby_reads:
            ok, output = verify_with_ruby(path, app.base_url, app.states_url)
            assert ok, output
            assert "0 failures" in output
    finally:
        app.stop()


@pytest.mark.parametrize("spec", ["2.0.0", "3.0.0"])
def test_verifiers_reject_a_provider_breaking_the_contract(spec: str,
                                                          tmp_path: pathlib.Path) -> None:
    require_rust()
    if spec < "3":
        require_ruby_verifier()
    path = write_pact_with_ours(tmp_path, spec)
    app = provider(exact=False, broken=True)
    try:
        ok, output = verify_with_rust(path, app.host, app.port, app.states_url)
        assert not ok, output
        assert "a request for user 42" in output
        if spec < "3":
            ok, output = verify_with_ruby(path, app.base_url, app.states_url)
            assert not ok, output
            assert "1 failure" in output
    finally:
        app.stop()


def test_verifiers_need_the_provider_state(tmp_path: pathlib.Path) -> None:
    """Without the states URL the state-bound route 404s: the pact's state is honoured."""
    require_rust()
    path = write_pact_with_ours(tmp_path, "2.0.0")
    app = provider(exact=False)
    try:
        ok, output = verify_with_rust(path, app.host, app.port, states_url=None)
        assert not ok, output
    finally:
        app.stop()


def test_spec1_pact_readable_by_rust_unlike_rubys(ruby_mock_service: Any,
                                                  tmp_path: pathlib.Path) -> None:
    """ruby-mock-service.md §14.3: Ruby's v1 pacts leak ``json_class`` objects into response
    bodies, which the Rust verifier cannot read; ours are plain examples and pass."""
    uri = ruby_mock_service.uri
    assert admin(uri, "DELETE", "/session").status == 200
    assert admin(uri, "PUT", "/interactions", {"interactions": _v2_interactions()}).status == 200
    _consumer_requests(uri, "2.0.0")
    ruby_dir = tmp_path / "ruby"
    written = admin(uri, "POST", "/pact", {"pact_specification_version": "1.0.0",
                                           "pact_dir": str(ruby_dir)})
    assert written.status == 200 and "Pact::SomethingLike" in written.text
    ours = write_pact_with_ours(tmp_path / "ours", "1.0.0")
    assert "json_class" not in ours.read_text(encoding="utf-8")
    app = provider(exact=True)
    try:
        ok, output = verify_with_rust(ruby_dir / "c-p.json", app.host, app.port, app.states_url)
        assert not ok and "json_class" in output, output
        ok, output = verify_with_rust(ours, app.host, app.port, app.states_url)
        assert ok, output
    finally:
        app.stop()
