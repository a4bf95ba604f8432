"""The Pact Broker of the V1 provider "via a Pact broker" scenarios: a real HTTP server on
127.0.0.1 in a thread, answering as the suite's ``fixtures/pact-broker_cN.json`` says.

That fixture is a v4 pact between a broker client and "Pact Broker": its interactions are
the broker's answers (HAL root, ``pb:provider-pacts-for-verification``, the publish of
results), with ``MockServerURL`` generators that move each example href onto the broker's
own address -- applied here by our generator code, as a mock server does. The fixture has
no interaction for the pact itself, so the stub also serves ``/pacts/provider/p/consumer/c_N``:
the pact to verify, with its ``pb:publish-verification-results`` link (as the Rust suite's
own binding adds it).

A request is answered by the fixture interaction with its method and path (for the publish,
the one whose ``success`` agrees with the body: c_2 has a passing and a failing one); any
other request gets a 404 naming it. Every request is recorded with its JSON body.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Tuple

from _http_test_server import QuietHandler, ThreadedServer
from pact_unittest.matchers.generators import apply_generators
from pact_unittest.matching import match_request

from .cells import load_json_fixture


def java_quoting_to_python(pattern: str) -> str:
    r"""``\Q...\E`` (Java's literal quoting, which pact-jvm writes) as Python escapes."""
    return re.sub(r"\\Q(.*?)(?:\\E|$)", lambda m: re.escape(m.group(1)), pattern)


def _python_generators(generators: Dict[str, Any]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for category, entries in generators.items():
        out[category] = {path: dict(gen, regex=java_quoting_to_python(gen["regex"]))
                         if isinstance(gen, dict) and "regex" in gen else gen
                         for path, gen in entries.items()}
    return out


class BrokerStub(ThreadedServer):
    """Answers as ``pact-broker_c{number}.json`` says and serves ``pact`` for consumer c_N."""

    def __init__(self, number: str, pact: Dict[str, Any]) -> None:
        self.number = number
        self.fixture = load_json_fixture(f"pact-broker_c{number}.json")
        self.pact = pact
        self.url = ""
        self.received: List[Dict[str, Any]] = []

    @property
    def pact_path(self) -> str:
        return f"/pacts/provider/p/consumer/c_{self.number}"

    def start(self) -> "BrokerStub":
        stub = self

        class Handler(QuietHandler):
            def _answer(self) -> None:
                raw = self._read_body()
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                stub.received.append({"method": self.command, "path": self.path,
                                      "headers": dict(self.headers.items()), "body": body})
                status, payload = stub.answer(self.command, self.path, body,
                                              dict(self.headers.items()))
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/hal+json" if status < 400
                                 else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        server = self._serve(("127.0.0.1", 0), Handler, name="compat-broker-{port}",
                             poll_interval=0.05)
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        return self

    def answer(self, method: str, path: str, body: Any,
               headers: Dict[str, str]) -> Tuple[int, Any]:
        if method == "GET" and path.split("?")[0] == self.pact_path:
            links = {"pb:publish-verification-results": {
                "title": "Publish verification results",
                "href": f"{self.url}{self.pact_path}/verification-results"}}
            return 200, {**self.pact, "_links": links}
        found = self._interaction(method, path.split("?")[0], body)
        if found is None:
            return 404, {"error": f"the broker stub (pact-broker_c{self.number}.json) has no "
                                  f"answer for {method} {path}"}
        problems = self._request_problems(found, method, path, body, headers)
        if problems:   # as a mock server answers a request that breaks its contract
            return 500, {"error": f"request does not match {found['description']!r}",
                         "mismatches": problems}
        response = found["response"]
        content = (response.get("body") or {}).get("content")
        part = {"status": response["status"], "body": content,
                "generators": _python_generators(response.get("generators") or {})}
        ready = apply_generators(part, mode="consumer", context={"mockServer": {"href": self.url}})
        return int(ready["status"]), ready.get("body")

    def _interaction(self, method: str, path: str, body: Any) -> Optional[Dict[str, Any]]:
        candidates = [i for i in self.fixture["interactions"]
                      if i["request"]["method"] == method and i["request"]["path"] == path]
        if len(candidates) > 1 and isinstance(body, dict):
            agreeing = [i for i in candidates
                        if i["request"]["body"]["content"].get("success") == body.get("success")]
            candidates = agreeing or candidates
        return candidates[0] if candidates else None

    def _request_problems(self, interaction: Dict[str, Any], method: str, path: str,
                          body: Any, headers: Dict[str, str]) -> List[str]:
        """The fixture's request checked by our matcher (v4 rules), except the publish's
        ``testResults``, which we send in the Ruby verifier's format (steps_broker.py)."""
        expected = dict(interaction["request"])
        if "body" not in expected:
            return []
        content = expected["body"]["content"]
        if path.endswith("/verification-results"):
            return []   # checked, field by field, by the publish Then steps
        expected["body"] = content
        actual = {"method": method, "path": path, "body": body, "headers": headers}
        return [m.message for m in match_request(expected, actual, spec_version="4.0")]

    def expected_publish(self, success: bool) -> Dict[str, Any]:
        """The fixture's publish request (body content and its matching rules) for ``success``."""
        return next(i["request"] for i in self.fixture["interactions"]
                    if i["request"]["path"].endswith("/verification-results")
                    and i["request"]["body"]["content"]["success"] is success)

    def publishes(self) -> List[Dict[str, Any]]:
        return [r for r in self.received
                if r["method"] == "POST" and r["path"].endswith("/verification-results")]
