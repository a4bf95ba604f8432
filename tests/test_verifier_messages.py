"""Message interactions verified: v3 ``messages`` and v4 asynchronous and synchronous
messages, produced by Python callables in process or by a message endpoint in the official
verifiers' HTTP protocol; pact-python v2's ``MessageProvider``; and the same verdicts as the
Rust ``pact verifier`` on the same pacts and endpoint."""
from __future__ import annotations

import base64
import json
import pathlib
import subprocess
from typing import Any, Dict, List

import pytest

from _http_test_server import QuietHandler, ThreadedServer
from reference import reference_env, require_rust

from pact_unittest.message_provider import MessageProvider
from pact_unittest.verifier import ProducedMessage, ProviderVerifier, render_text

V3 = {
    "consumer": {"name": "Shop"}, "provider": {"name": "Orders"},
    "messages": [{
        "description": "an order was placed",
        "providerStates": [{"name": "an order exists", "params": {"id": 7}}],
        "contents": {"id": 7, "items": ["book"], "total": 12.5},
        "metaData": {"contentType": "application/json", "topic": "orders"},
        "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]},
                                   "$.items": {"matchers": [{"match": "type", "min": 1}]},
                                   "$.total": {"matchers": [{"match": "decimal"}]}},
                          "metadata": {"topic": {"matchers": [{"match": "regex", "regex": "orders|sales"}]}}},
    }],
    "metadata": {"pactSpecification": {"version": "3.0.0"}},
}

V4 = {
    "consumer": {"name": "Shop"}, "provider": {"name": "Orders"},
    "interactions": [
        {"type": "Asynchronous/Messages", "description": "an order was placed",
         "providerStates": [{"name": "an order exists"}],
         "contents": {"content": {"id": 7, "items": ["book"], "total": 12.5},
                      "contentType": "application/json", "encoded": False},
         "metadata": {"topic": "orders"},
         "matchingRules": {"body": {
             "$.id": {"combine": "AND", "matchers": [{"match": "integer"}]},
             "$.items": {"combine": "AND", "matchers": [{"match": "type", "min": 1}]},
             "$.total": {"combine": "AND", "matchers": [{"match": "decimal"}]}}}},
        {"type": "Synchronous/Messages", "description": "a price request",
         "request": {"contents": {"content": {"sku": "book"}, "contentType": "application/json",
                                  "encoded": False}},
         "response": [{"contents": {"content": {"sku": "book", "price": 10},
                                    "contentType": "application/json", "encoded": False},
                       "matchingRules": {"body": {"$.price": {"combine": "AND",
                                                              "matchers": [{"match": "integer"}]}}}}]},
    ],
    "metadata": {"pactSpecification": {"version": "4.0"}},
}


def _order(**changes: Any) -> Dict[str, Any]:
    return dict({"id": 99, "items": ["pen", "ink"], "total": 3.25}, **changes)


def test_v3_message_produced_in_process_passes_and_a_wrong_one_fails_by_path() -> None:
    ok = ProviderVerifier("Orders", "http://127.0.0.1:9", messages={
        "an order was placed": lambda: ProducedMessage(_order(), {"topic": "sales"})}).verify(V3)
    assert ok.success, render_text(ok)
    bad = ProviderVerifier("Orders", "http://127.0.0.1:9", messages={
        "an order was placed": lambda: (_order(id="99", items=[]), {"topic": "audit"})}).verify(V3)
    (result,) = bad.failures()
    lines = result.problems()
    assert "Body had differences" in lines and "Metadata had differences" in lines
    paths = sorted(m.path for m in result.mismatches)
    assert paths == ["$.id", "$.items", "topic"], lines


def test_producers_are_found_by_provider_state_as_v2_did() -> None:
    report = ProviderVerifier("Orders", "http://127.0.0.1:9", messages={
        "an order exists": lambda: (_order(), {"topic": "orders"})}).verify(V3)
    assert report.success, render_text(report)
    missing = ProviderVerifier("Orders", "http://127.0.0.1:9", messages={"x": dict}).verify(V3)
    (result,) = missing.failures()
    assert result.problems()[0] == "Message could not be produced"
    assert "no message producer for 'an order was placed'" in result.problems()[1]


class MessageEndpoint(ThreadedServer):
    """A provider's message endpoint in the official verifiers' protocol."""

    def __init__(self, broken: bool = False) -> None:
        self.broken = broken
        self.calls: List[Dict[str, Any]] = []

    def start(self) -> "MessageEndpoint":
        endpoint = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                payload = json.loads(self._read_body() or b"{}")
                endpoint.calls.append(payload)
                if payload.get("description") == "a price request":
                    body: Dict[str, Any] = {"sku": "book", "price": "10" if endpoint.broken else 11}
                    meta: Dict[str, Any] = {}
                else:
                    body = _order(id="x") if endpoint.broken else _order()
                    meta = {"topic": "orders"}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Pact-Message-Metadata",
                                 base64.b64encode(json.dumps(meta).encode()).decode())
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = self._serve(("127.0.0.1", 0), Handler, name="message-endpoint")
        self.port = server.server_address[1]
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.mark.parametrize("pact", [V3, V4], ids=["v3", "v4"])
def test_a_message_endpoint_over_http(pact: Dict[str, Any]) -> None:
    with MessageEndpoint() as endpoint:
        report = ProviderVerifier("Orders", endpoint.url).verify(pact)
    assert report.success, render_text(report)
    assert endpoint.calls[0]["description"] == "an order was placed"
    assert endpoint.calls[0]["providerStates"][0]["name"] == "an order exists"
    if pact is V4:
        assert endpoint.calls[1]["request"]["contents"] == {"sku": "book"}
        assert report.counts()["passed"] == 2


def test_synchronous_messages_in_process_get_the_request_contents() -> None:
    seen: List[Any] = []

    def price(request: Any) -> Dict[str, Any]:
        seen.append(request)
        return {"sku": request["sku"], "price": 8}

    report = ProviderVerifier("Orders", "http://127.0.0.1:9", messages={
        "an order was placed": lambda: (_order(), {"topic": "orders"}),
        "a price request": price}).verify(V4)
    assert report.success, render_text(report)
    assert seen == [{"sku": "book"}]


def test_v2_message_provider_verifies_in_process(tmp_path: pathlib.Path) -> None:
    (tmp_path / "shop-orders.json").write_text(json.dumps(V3))
    # a v2 handler returns the contents only: as with v2, only the contents are checked
    provider = MessageProvider(message_providers={"an order exists": lambda: _order()},
                               provider="Orders", consumer="Shop", pact_dir=str(tmp_path))
    with provider:
        provider.verify()
    wrong = MessageProvider(message_providers={"an order exists": lambda: _order(id="7")},
                            provider="Orders", consumer="Shop", pact_dir=str(tmp_path))
    with pytest.raises(AssertionError, match=r"Body had differences[\s\S]*\$\.id"):
        with wrong:
            wrong.verify()
    metadata = MessageProvider(
        message_providers={"an order exists": lambda: (_order(), {"topic": "audit"})},
        provider="Orders", consumer="Shop", pact_dir=str(tmp_path))
    with pytest.raises(AssertionError, match="Metadata had differences"):
        metadata.verify()


def _rust_verdicts(pact_path: pathlib.Path, port: int) -> Dict[str, bool]:
    with_json = pact_path.parent / (pact_path.stem + "-rust.json")
    subprocess.run([str(require_rust()), "verifier", "--file", str(pact_path), "--hostname",
                    "127.0.0.1", "--port", str(port), "--json", str(with_json), "--no-colour"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=reference_env(),
                   timeout=60)
    data = json.loads(with_json.read_text())
    return {r["description"]: r["result"] == "OK" for r in data["interactionResults"]}


@pytest.mark.reference
@pytest.mark.parametrize("pact", [V3, V4], ids=["v3", "v4"])
@pytest.mark.parametrize("broken", [False, True], ids=["honours", "breaks"])
def test_same_verdicts_as_the_rust_verifier(pact: Dict[str, Any], broken: bool,
                                            tmp_path: pathlib.Path) -> None:
    path = tmp_path / "shop-orders.json"
    path.write_text(json.dumps(pact))
    with MessageEndpoint(broken=broken) as endpoint:
        rust = _rust_verdicts(path, endpoint.port)
        ours = {r.description: r.ok for r in ProviderVerifier("Orders", endpoint.url).verify([path]).results}
    assert ours == rust
    assert all(rust.values()) is not broken


RUST_PACTS = pathlib.Path(__file__).parent / "fixtures" / "rust_pacts"


@pytest.mark.parametrize("spec", ["3", "4"])
@pytest.mark.parametrize("broken", [False, True], ids=["honours", "breaks"])
def test_message_pacts_the_rust_core_wrote_verify_with_ours(spec: str, broken: bool) -> None:
    path = RUST_PACTS / f"rust-messages-v{spec}.json"
    with MessageEndpoint(broken=broken) as endpoint:
        report = ProviderVerifier("OrdersRust", endpoint.url).verify([path])
    assert [r.ok for r in report.results] == [not broken] * len(report.results), render_text(report)
    assert len(report.results) == (1 if spec == "3" else 2)
    order_call = next(c for c in endpoint.calls if c["description"] == "an order was placed")
    assert order_call["providerStates"] == [{"name": "an order exists", "params": {"id": 7}}]


@pytest.mark.reference
@pytest.mark.parametrize("spec", ["3", "4"])
@pytest.mark.parametrize("broken", [False, True], ids=["honours", "breaks"])
def test_rust_core_message_pacts_same_verdicts_as_the_rust_verifier(
        spec: str, broken: bool, tmp_path: pathlib.Path) -> None:
    path = tmp_path / "rust.json"
    path.write_text((RUST_PACTS / f"rust-messages-v{spec}.json").read_text())
    with MessageEndpoint(broken=broken) as endpoint:
        rust = _rust_verdicts(path, endpoint.port)
        ours = {r.description: r.ok for r in ProviderVerifier("OrdersRust", endpoint.url).verify([path]).results}
    assert ours == rust
