"""Broker steps of V1 ``http_provider``: pacts fetched from a Pact Broker, results published.

Each "a Pact file for interaction N is to be verified from a Pact broker" starts a
:class:`~.broker_stub.BrokerStub` answering as ``fixtures/pact-broker_cN.json`` says and
serving interaction N's pact (written by our writer, each interaction with the ``_id`` a
broker adds). At "the verification is run" our broker client
(``pacts_for_verification``) fetches the pacts from each stub -- HAL root,
``pb:provider-pacts-for-verification``, the pact -- and, when publishing is enabled,
``publish_results`` sends each pact's verdict to its ``pb:publish-verification-results``
link. The Then steps read what each stub received; a published body must satisfy the
fixture's publish request under its own matching rules (extra fields allowed, as the
broker accepts them), except ``testResults``, which we send in the Ruby verifier's format.
"""
from __future__ import annotations

from typing import Any, Dict, List

from pact_unittest.broker import BrokerClient
from pact_unittest.matching import match_response
from pact_unittest.verifier.broker_pacts import pacts_for_verification, publish_results

from .broker_stub import BrokerStub
from .registry import World, step
from .steps_provider import PROVIDER, pact_json

#: The provider version the scenarios publish (the fixture's example value).
PROVIDER_VERSION = "0.0.0"


def _brokers(world: World) -> List[BrokerStub]:
    return world.data.setdefault("brokers", [])


@step(r"a Pact file for interaction (\d+) is to be verified from a Pact broker")
def pact_from_broker(world: World, number: str) -> None:
    pact = pact_json(world, number)
    for index, interaction in enumerate(pact["interactions"], 1):
        interaction["_id"] = f"ID{index}"
    broker = BrokerStub(number, pact).start()
    world.add_cleanup(broker.stop)
    _brokers(world).append(broker)
    client = BrokerClient(broker.url, max_retries=0)
    world.add_cleanup(client.close)
    world.data.setdefault("broker_clients", {})[broker.url] = client
    world.data.setdefault("pact_fetchers", []).append(
        lambda: pacts_for_verification(client, PROVIDER))


@step(r"publishing of verification results is enabled")
def publishing_enabled(world: World) -> None:
    def publish(report: Any) -> None:
        for pact in report.pacts:
            assert pact.publish_url, f"no publish link on the pact from {pact.origin}"
            url = next(u for u in world.data["broker_clients"] if pact.publish_url.startswith(u))
            publish_results(world.data["broker_clients"][url], pact, PROVIDER_VERSION)

    world.data.setdefault("after_verification", []).append(publish)


@step(r"a verification result will NOT be published back")
def not_published(world: World) -> None:
    published = [p for broker in _brokers(world) for p in broker.publishes()]
    assert _brokers(world) and not published, published


def _broker_for(world: World, number: str) -> BrokerStub:
    return next(b for b in _brokers(world) if b.number == number)


def _check_published(world: World, number: str, success: bool) -> None:
    broker = _broker_for(world, number)
    publishes = broker.publishes()
    assert len(publishes) == 1, broker.received
    body = publishes[0]["body"]
    assert isinstance(body, dict) and body.get("success") is success, body
    assert body.get("providerApplicationVersion") == PROVIDER_VERSION, body
    # testResults: we send the Ruby verifier's format (issue 11), an object of tests, where
    # the fixture (written by pact-jvm) shows the JVM/Rust list; the broker stores either
    # as given. Each test names the broker's interaction id and says whether it passed.
    tests = body["testResults"]["tests"]
    assert tests and all(t.get("interactionId") == "ID1" for t in tests), tests
    assert any(t["status"] == "failed" for t in tests) is not success, tests
    # The rest of the fixture's publish request, its own rules applied, extra fields allowed.
    fixture = broker.expected_publish(success)
    content = {k: v for k, v in fixture["body"]["content"].items() if k != "testResults"}
    rules = {path: rule for path, rule in fixture["matchingRules"]["body"].items()
             if not path.startswith("$.testResults")}
    expected: Dict[str, Any] = {"status": 200, "body": content, "matchingRules": {"body": rules}}
    actual = {"status": 200, "body": {k: v for k, v in body.items() if k != "testResults"}}
    mismatches = match_response(expected, actual, spec_version="4.0")
    assert not mismatches, "\n".join(m.message for m in mismatches)


@step(r"a successful verification result will be published back for interaction \{(\d+)\}")
def published_success(world: World, number: str) -> None:
    _check_published(world, number, True)


@step(r"a failed verification result will be published back for the interaction \{(\d+)\}")
def published_failure(world: World, number: str) -> None:
    _check_published(world, number, False)
