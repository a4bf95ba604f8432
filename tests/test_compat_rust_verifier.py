"""Pact files written by the compatibility suite's scenarios verify with the Rust verifier.

The suite's own checks read our pact files; this proves the Rust core (``pact verifier`` of
pact-python-cli) reads them too and finds a provider that honours them compliant:

* the V3 and V4 ``http_consumer`` scenarios (provider states with parameters; v4 ``type``,
  ``key``, ``pending``, ``comments``), each run as in the suite, then verified;
* the nine V1 background interactions (JSON, text, XML, binary JPEG, form and multipart
  bodies, query, headers) recorded by one mock service at spec 3.0.0 and at spec 4.0 (v4
  body objects, base64 for binary), then verified against a provider answering each;
* a provider that breaks the contract fails, so a pass means something.
"""
from __future__ import annotations

import json
import pathlib
from typing import Any, Dict, List

import pytest

from compat.cells import load_json_fixture, suite_root
from compat.gherkin import parse_feature
from compat.registry import World, run_step
from compat import steps_consumer
from compat.steps_consumer import PROVIDER, pact_path
from provider_app import ProviderApp
from reference import rust_pact_bin, verify_with_rust

pytestmark = [
    pytest.mark.reference,
    pytest.mark.skipif(rust_pact_bin() is None, reason="Rust pact CLI (pact-python-cli) not installed "
                       "(set PACT_UNITTEST_REF_VENV)"),
]
needs_suite = pytest.mark.skipif(not (suite_root() / "features").is_dir(),
                                 reason=f"Pact compatibility suite not found at {suite_root()}")


def _run_scenarios(feature_name: str, tmp_path: pathlib.Path) -> List[pathlib.Path]:
    """Run every scenario of a feature; return the pact files they wrote."""
    feature = parse_feature(suite_root() / "features" / f"{feature_name}.feature")
    written = []
    for index, scenario in enumerate(feature.scenarios):
        world = World(feature.path.parent.name, tmp_path / f"s{index}")
        try:
            for item in feature.background + scenario.steps:
                run_step(world, item)
        finally:
            world.close()
        assert pact_path(world).is_file(), scenario.name
        written.append(pact_path(world))
    return written


def _verify(pact: pathlib.Path, app: ProviderApp) -> str:
    passed, output = verify_with_rust(pact, app.host, app.port, states_url=app.states_url,
                                      provider_name=PROVIDER)
    assert passed, f"{pact}:\n{pact.read_text()}\n{output}"
    return output


@needs_suite
@pytest.mark.parametrize("feature_name", ["V3/http_consumer", "V4/http_consumer"])
def test_suite_pacts_verify(feature_name: str, tmp_path: pathlib.Path) -> None:
    pacts = _run_scenarios(feature_name, tmp_path)
    with ProviderApp() as app:
        app.add("GET", "/compat", 200)
        for pact in pacts:
            document = json.loads(pact.read_text())
            expected = "4.0" if feature_name.startswith("V4") else "3.0.0"
            assert document["metadata"]["pactSpecification"]["version"] == expected
            _verify(pact, app)
    params = [c.get("params") for c in app.state_calls if c.get("state") == "a user exists"]
    if feature_name.startswith("V3"):  # the verifier passed the state's parameters on
        assert {"username": "Test", "name": "Test Guy", "age": 66} in params, app.state_calls


def _record_v1_interactions(spec: str, tmp_path: pathlib.Path) -> pathlib.Path:
    """The V1 background's nine interactions, each requested once, written at ``spec``."""
    feature = parse_feature(suite_root() / "features" / "V1" / "http_consumer.feature")
    world = World("V1", tmp_path, spec_version=spec)
    try:
        for item in feature.background:
            run_step(world, item)
        numbers = sorted(world.data["defs"], key=int)
        steps_consumer.start_with_many(world, ", ".join(numbers))
        for number in numbers:
            steps_consumer.make_request(world, number)
            steps_consumer.status_returned(world, "200")
        steps_consumer.pact_test_done(world)
        steps_consumer.status_ok(world)
    finally:
        world.close()
    return pact_path(world)


def _v1_provider(app: ProviderApp, basic: Dict[str, Any]) -> None:
    app.add("GET", "/basic", 200, basic, {"Content-Type": "application/json"})
    app.add("GET", "/with_params", 200)
    app.add("GET", "/with_headers", 200)
    for path in ("/basic", "/plain", "/xml", "/bin", "/form", "/multipart"):
        app.add("PUT", path, 200)


@needs_suite
@pytest.mark.parametrize("spec", ["3.0.0", "4.0.0"])
def test_every_body_kind_verifies(spec: str, tmp_path: pathlib.Path) -> None:
    pact = _record_v1_interactions(spec, tmp_path)
    document = json.loads(pact.read_text())
    assert len(document["interactions"]) == 9
    if spec == "4.0.0":
        bodies = {i["request"]["path"]: i["request"].get("body") for i in document["interactions"]}
        assert bodies["/bin"]["encoded"] == "base64" and bodies["/bin"]["contentType"] == "image/jpeg"
        assert bodies["/multipart"]["contentType"].startswith("multipart/mixed")
        assert all(i["type"] == "Synchronous/HTTP" for i in document["interactions"])
    with ProviderApp() as app:
        _v1_provider(app, load_json_fixture("basic.json"))
        _verify(pact, app)
        requests = sorted(app.requests)
    assert requests.count("PUT /bin") == 1 and "GET /with_params?a=1&b=2" in requests


@needs_suite
def test_a_provider_breaking_the_contract_fails(tmp_path: pathlib.Path) -> None:
    pact = _record_v1_interactions("4.0.0", tmp_path)
    with ProviderApp() as app:
        _v1_provider(app, {"one": "a", "two": "changed"})
        passed, output = verify_with_rust(pact, app.host, app.port, provider_name=PROVIDER)
    assert not passed, output


# ---------------------------------------------------------------- spec 4 wherever a version is chosen
_V4_ROUTE = ("GET", "/v4", 200, {"id": 7}, {"Content-Type": "application/json"})


def _check_v4_and_verify(pact: pathlib.Path) -> None:
    document = json.loads(pact.read_text())
    assert document["metadata"]["pactSpecification"]["version"] == "4.0"
    assert document["interactions"][0]["type"] == "Synchronous/HTTP"
    with ProviderApp() as app:
        app.add(*_V4_ROUTE)
        passed, output = verify_with_rust(pact, app.host, app.port, states_url=app.states_url,
                                          provider_name=document["provider"]["name"])
    assert passed, output


def _get(url: str) -> None:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.status == 200


def test_spec4_from_the_v2_api(tmp_path: pathlib.Path) -> None:
    from pact_unittest import Consumer, Like, Provider
    from reference import free_port

    pact = Consumer("V4Consumer").has_pact_with(
        Provider("V4Provider"), host_name="127.0.0.1", port=free_port(), pact_dir=str(tmp_path),
        specification_version="4.0")
    pact.start_service()
    try:
        (pact.given("a thing exists").upon_receiving("a v4 request").with_request("get", "/v4")
             .will_respond_with(200, headers={"Content-Type": "application/json"},
                                body=Like({"id": 7})))
        with pact:
            _get(pact.uri + "/v4")
    finally:
        pact.stop_service()
    _check_v4_and_verify(tmp_path / "v4consumer-v4provider.json")


def test_spec4_from_pact_test_case(tmp_path: pathlib.Path) -> None:
    import unittest

    from pact_unittest import Like, PactTestCase
    from pact_unittest.testcase.decorator import interaction  # see report: `from pact_unittest import interaction` is shadowed

    class Contract(PactTestCase):
        consumer = "V4Consumer"
        provider = "V4Provider"
        specification_version = "4.0"
        pact_dir = str(tmp_path)

        @interaction(given="a thing exists", upon_receiving="a v4 request",
                     with_request={"method": "GET", "path": "/v4"},
                     will_respond_with={"status": 200, "headers": {"Content-Type": "application/json"},
                                        "body": Like({"id": 7})})
        def test_v4(self) -> None:
            _get(self.mock_service_uri + "/v4")

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Contract).run(result)
    assert result.wasSuccessful(), result.failures + result.errors
    _check_v4_and_verify(tmp_path / "v4consumer-v4provider.json")


def test_spec4_from_the_cli(tmp_path: pathlib.Path) -> None:
    import subprocess

    from reference import admin, python_cli

    proc = python_cli("pact_unittest.mock_service", "service", "-p", "0", "-i", "4",
                      "-d", str(tmp_path), "--consumer", "V4Consumer", "--provider", "V4Provider",
                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = None
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith("port="):
                port = int(line.strip()[len("port="):])
                break
        assert port, "the CLI printed no port"
        base = f"http://127.0.0.1:{port}"
        assert admin(base, "PUT", "/interactions", {"interactions": [{
            "description": "a v4 request", "providerState": "a thing exists",
            "request": {"method": "GET", "path": "/v4"},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": {"id": 7}}}]}).status == 200
        _get(base + "/v4")
        assert admin(base, "POST", "/pact", {}).status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    _check_v4_and_verify(tmp_path / "v4consumer-v4provider.json")
