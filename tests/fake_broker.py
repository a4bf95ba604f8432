"""A local fake Pact Broker for tests: a real HTTP server on 127.0.0.1 in a thread.

It answers in two ways:

* **Scripted**: ``broker.script(method, path, status, body)`` queues one answer for that
  request; ``broker.replay(transcript)`` queues every recorded answer of a transcript from
  ``shared/broker/transcripts`` (hrefs rewritten from the recording's host to ours).
  ``drop=True`` closes the connection without answering (a connection error).
* **Simulated** (when nothing is queued for a request): a small broker that behaves as
  pact_broker 2.112.0 did in the recordings: HAL index (with or without
  ``pb:publish-contracts``), ``POST /contracts/publish`` (200 with notices; 409 when a
  version's content changes; 400 for missing fields), the older PUT endpoints, and basic
  or bearer auth (401 text/plain; 400 for a Bearer token on a basic-auth broker), verification
  results (``POST /pacts/provider/P/consumer/C/version/V/verification-results``) and a
  ``GET /matrix`` computed from them for explicit pacticipant versions (can-i-deploy).

Every request is recorded (``broker.requests``) and, with ``log_path``, appended to a
JSON-lines file. Run it as a process for end-to-end tests::

    python tests/fake_broker.py --port 0 --log publishes.jsonl [--old-api]
        [--username U --password P | --token T] [--prefix /broker]

prints ``port=NNNN`` once listening and stops on SIGTERM/SIGINT. Each log line is
``{"method", "path", "status", "json", "decoded_contracts"}``; count publishes with the
lines whose path ends in ``/contracts/publish`` (or PUT ``/pacts/...``).
"""
from __future__ import annotations

import argparse
import base64
import collections
import json
import os
import shutil
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Deque, Dict, List, Optional, Tuple, Union
from urllib.parse import parse_qsl, unquote, urlsplit

from _http_test_server import QuietHandler, ThreadedServer, body_bytes
from fake_broker_resources import Resources

TRANSCRIPTS = Path(os.environ.get(
    "PACT_UNITTEST_BROKER_TRANSCRIPTS",
    str(Path(__file__).resolve().parents[2] / "shared" / "broker" / "transcripts")))
RECORDED_ORIGINS = ("http://127.0.0.1:9300", "http://127.0.0.1:9393")
#: The recorded ConsumerApp -> ProviderAPI pact most broker tests publish.
SAMPLE_PACT = TRANSCRIPTS / "pacts" / "consumerapp-providerapi.json"
HAL = "application/hal+json;charset=utf-8"


def needs_transcripts() -> Any:
    """The pytest mark that skips a test module when the recorded transcripts are absent."""
    import pytest  # imported here: the fake broker also runs as a plain process

    return pytest.mark.skipif(
        not (TRANSCRIPTS / "index.json").exists(),
        reason=f"broker transcripts not found at {TRANSCRIPTS} (set PACT_UNITTEST_BROKER_TRANSCRIPTS)")


def load_transcript(name: str) -> Dict[str, Any]:
    """A transcript by relative name, e.g. ``"stub/ruby_publish_modern_basic"``."""
    path = TRANSCRIPTS / (name if name.endswith(".json") else name + ".json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def decode_contracts(body: Any) -> Optional[List[Any]]:
    """The pact JSON inside a ``/contracts/publish`` body (None where not decodable)."""
    if not isinstance(body, dict) or not isinstance(body.get("contracts"), list):
        return None
    out = []
    for contract in body["contracts"]:
        try:
            out.append(json.loads(base64.b64decode(contract.get("content", ""), validate=True)))
        except (ValueError, TypeError):
            out.append(None)
    return out


@dataclass
class Recorded:
    """One request the fake broker received."""

    method: str
    path: str
    query: str
    headers: Dict[str, str]  # lower-case names
    body: bytes
    status: int = 0

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else None
        except ValueError:
            return None

    @property
    def decoded_contracts(self) -> Optional[List[Any]]:
        return decode_contracts(self.json)


@dataclass
class Answer:
    status: int
    body: Optional[bytes] = None
    headers: List[Tuple[str, str]] = field(default_factory=list)
    drop: bool = False


class FakeBroker(ThreadedServer):
    """See the module docstring. Use as a context manager or call start()/stop()."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, prefix: str = "",
                 publish_contracts: bool = True, branch_versions: bool = True,
                 username: Optional[str] = None, password: Optional[str] = None,
                 token: Optional[str] = None, log_path: Optional[str] = None,
                 broker_version: str = "2.112.0", ssl_context: Any = None,
                 resources: bool = False) -> None:
        self.host, self.port, self.prefix = host, port, prefix.rstrip("/")
        self.publish_contracts = publish_contracts
        self.branch_versions = branch_versions
        self.username, self.password, self.token = username, password, token
        self.log_path = log_path
        self.broker_version = broker_version
        self.ssl_context = ssl_context
        self.requests: List[Recorded] = []
        self.pacts: Dict[Tuple[str, str, str], Any] = {}  # (consumer, provider, version)
        #: (consumer, provider, consumer version, provider version) -> verification success
        self.verifications: Dict[Tuple[str, str, str, str], bool] = {}
        self._queue: Dict[Tuple[str, str], Deque[Answer]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()
        #: With ``resources=True``: environments, pacticipants, branches, releases, webhooks
        #: (see :mod:`fake_broker_resources`) and the real broker's whole index.
        self.resources: Optional[Resources] = Resources(lambda: self.url, self.pacts) if resources else None

    # -- lifecycle (stop, with-block: ThreadedServer) -----------------------------------

    def start(self) -> "FakeBroker":
        broker = self

        class Handler(_Handler):
            fake = broker

        server = self._serve((self.host, self.port), Handler, name="fake-broker-{port}",
                             ssl_context=self.ssl_context, poll_interval=0.02)
        self.port = server.server_address[1]
        return self

    @property
    def origin(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL a client should use (origin + prefix)."""
        return self.origin + self.prefix

    # -- scripting ------------------------------------------------------------------

    def script(self, method: str, path: str, status: int = 200, body: Any = None, *,
               headers: Optional[List[Tuple[str, str]]] = None,
               content_type: Optional[str] = HAL, drop: bool = False) -> None:
        """Queue one answer for ``method path`` (path includes any prefix)."""
        raw = body_bytes(body)
        hdrs = list(headers or [])
        if content_type and not any(k.lower() == "content-type" for k, _ in hdrs):
            hdrs.append(("Content-Type", content_type))
        with self._lock:
            self._queue[(method.upper(), path)].append(Answer(status, raw, hdrs, drop))

    def replay(self, transcript: Union[str, Dict[str, Any]], skip: int = 0) -> Dict[str, Any]:
        """Queue the recorded answers of a transcript (after the first ``skip``)."""
        data = load_transcript(transcript) if isinstance(transcript, str) else transcript
        for exchange in data["exchanges"][skip:]:
            req, resp = exchange["request"], exchange["response"]
            headers = [(k, v) for k, v in resp.get("headers") or []
                       if k.lower() in ("content-type", "retry-after", "www-authenticate",
                                        "location", "x-pact-broker-version")]
            if resp.get("content_type") and not any(k.lower() == "content-type" for k, _ in headers):
                headers.append(("Content-Type", resp["content_type"]))
            if resp.get("body_json") is not None:
                text: Optional[str] = json.dumps(resp["body_json"])
            else:
                text = resp.get("body_text")
            raw = self._rewrite(text).encode("utf-8") if text is not None else None
            headers = [(k, self._rewrite(v)) for k, v in headers]
            with self._lock:
                self._queue[(req["method"], req["path"])].append(Answer(resp["status"], raw, headers))
        return data

    def _rewrite(self, text: str) -> str:
        for origin in RECORDED_ORIGINS:
            text = text.replace(origin, self.origin)
        return text

    def pending(self) -> List[Tuple[str, str]]:
        """Scripted answers not yet used."""
        with self._lock:
            return [key for key, q in self._queue.items() for _ in q]

    def _next_answer(self, method: str, path: str) -> Optional[Answer]:
        with self._lock:
            queue = self._queue.get((method, path))
            return queue.popleft() if queue else None

    # -- simulation -----------------------------------------------------------------

    def index(self) -> Dict[str, Any]:
        base = self.url
        if self.resources is not None:  # the index a real pact_broker 2.112.0 served
            recorded = load_transcript("real/real_ruby_create_environment")["exchanges"][0]
            return json.loads(json.dumps(recorded["response"]["body_json"]).replace(
                RECORDED_ORIGINS[0], base))
        links: Dict[str, Any] = {
            "self": {"href": base, "title": "Index", "templated": False},
            "pb:publish-pact": {"href": base + "/pacts/provider/{provider}/consumer/{consumer}"
                                "/version/{consumerApplicationVersion}", "templated": True},
            "pb:pacticipant-version-tag": {
                "href": base + "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}",
                "templated": True},
            "pb:pacticipant-version": {
                "href": base + "/pacticipants/{pacticipant}/versions/{version}", "templated": True},
        }
        if self.branch_versions:
            links["pb:pacticipant-branch-version"] = {
                "href": base + "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
                "templated": True}
        if self.publish_contracts:
            links["pb:publish-contracts"] = {"href": base + "/contracts/publish",
                                             "title": "Publish contracts", "templated": False}
        return {"_links": links}

    def _auth_failure(self, headers: Dict[str, str]) -> Optional[Answer]:
        given = headers.get("authorization", "")
        if self.username is not None:
            if given.startswith("Bearer "):
                return Answer(400, None, [("Content-Type", "text/plain")])
            raw = f"{self.username}:{self.password or ''}".encode("utf-8")
            if given != "Basic " + base64.b64encode(raw).decode("ascii"):
                return Answer(401, None, [("Content-Type", "text/plain"),
                                          ("WWW-Authenticate", 'Basic realm="Restricted area"')])
        elif self.token is not None and given != "Bearer " + self.token:
            return Answer(401, b'{"error": "Unauthorized"}', [("Content-Type", "application/json")])
        return None

    def simulate(self, method: str, path: str, headers: Dict[str, str], body: bytes,
                 query: str = "") -> Answer:
        failure = self._auth_failure(headers)
        if failure is not None:
            return failure
        rel = path[len(self.prefix):] if path.startswith(self.prefix) else None
        if rel is None:
            return _json_answer(404, {"error": "The requested document was not found on this server."})
        parts = [unquote(p) for p in rel.strip("/").split("/")] if rel.strip("/") else []
        if method == "GET" and not parts:
            return _json_answer(200, self.index())
        if parts == ["contracts", "publish"] and self.publish_contracts:
            if method != "POST":
                return Answer(405)
            return self._publish_contracts(body)
        if len(parts) == 8 and parts[0] == "pacts" and parts[-1] == "verification-results" \
                and method == "POST":
            return self._verification(parts[4], parts[2], parts[6], body)
        if parts == ["matrix"] and method == "GET":
            return self._matrix(query)
        if len(parts) == 7 and parts[0] == "pacts" and method in ("PUT", "PATCH", "GET"):
            return self._legacy_pact(method, parts[4], parts[2], parts[6], body)
        if len(parts) == 6 and parts[0] == "pacticipants" and method == "PUT":
            name = parts[3] if parts[2] == "branches" else parts[5]
            return _json_answer(201, {"name": name, "_links": {"self": {"href": self.origin + path}}})
        if self.resources is not None:
            found = self.resources.handle(method, parts, query, body)
            if found is not None:
                status, payload = found
                return _json_answer(status, payload) if payload is not None else Answer(status)
        return _json_answer(404, {"error": "The requested document was not found on this server."})

    def _store(self, consumer: str, provider: str, version: str, content: Any) -> str:
        key = (consumer, provider, version)
        old = self.pacts.get(key)
        if old is not None and _canonical(old) != _canonical(content):
            return "conflict"
        self.pacts[key] = content
        return "republished" if old is not None else "published"

    def _publish_contracts(self, body: bytes) -> Answer:
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError as exc:
            return _json_answer(400, {"error": f"JSON::ParserError - {exc}"})
        missing = [k for k in ("pacticipantName", "pacticipantVersionNumber", "contracts")
                   if not data.get(k)]
        if missing:
            return _json_answer(400, {"errors": {k: ["is missing"] for k in missing}})
        consumer, version = data["pacticipantName"], data["pacticipantVersionNumber"]
        decoded = decode_contracts(data) or []
        notices: List[Dict[str, str]] = [{"type": "debug", "text": f"Created {consumer} version {version}"}]
        links = []
        with self._lock:
            for contract, content in zip(data["contracts"], decoded):
                provider = contract.get("providerName")
                if content is None:
                    return _json_answer(400, {"errors": {"contracts": ["is not valid Base64 (at index 0)"]}})
                outcome = self._store(consumer, provider, version, content)
                if outcome == "conflict":
                    text = (f"Cannot change the content of the pact for {consumer} version "
                            f"{version} and provider {provider}, as race conditions will cause "
                            "unreliable results for can-i-deploy.")
                    return _json_answer(409, {"notices": [{"type": "error", "text": text},
                                                          {"type": "info", "text": "  -old\n  +new"}],
                                              "errors": {"contracts": [text]}},
                                        "application/json;charset=utf-8")
                verb = "republished" if outcome == "republished" else "published"
                notices.append({"type": "success", "text": f"Pact successfully {verb} for "
                                f"{consumer} version {version} and provider {provider}."})
                href = f"{self.url}/pacts/provider/{provider}/consumer/{consumer}/version/{version}"
                links.append({"title": "Pact", "name": f"Pact between {consumer} ({version}) and {provider}",
                              "href": href})
        return _json_answer(200, {"notices": notices, "_links": {"pb:contracts": links}})

    def _legacy_pact(self, method: str, consumer: str, provider: str, version: str,
                     body: bytes) -> Answer:
        key = (consumer, provider, version)
        if method == "GET":
            with self._lock:
                found = self.pacts.get(key)
            if found is None:
                return Answer(404, None, [("Content-Type", HAL)])
            here = f"{self.url}/pacts/provider/{provider}/consumer/{consumer}/version/{version}"
            return _json_answer(200, dict(found, _links={  # as a broker serves a pact
                "self": {"href": here},
                "pb:publish-verification-results": {"href": here + "/verification-results"}}))
        try:
            content = json.loads(body.decode("utf-8"))
        except ValueError as exc:
            return _json_answer(400, {"error": f"JSON::ParserError - {exc}"})
        with self._lock:
            outcome = self._store(consumer, provider, version, content)
        if outcome == "conflict":
            return _json_answer(409, {"error": f"Cannot change the content of the pact for {consumer} "
                                               f"version {version} and provider {provider}"})
        href = f"{self.url}/pacts/provider/{provider}/consumer/{consumer}/version/{version}"
        reply = dict(content, _links={"self": {"href": href}})
        return _json_answer(201 if outcome == "published" else 200, reply)

    def _verification(self, consumer: str, provider: str, version: str, body: bytes) -> Answer:
        """A verification result for the pact of ``consumer`` ``version`` (a real broker
        addresses it by pact version; the fake by consumer version)."""
        data = json.loads(body.decode("utf-8"))
        key = (consumer, provider, version, data["providerApplicationVersion"])
        with self._lock:
            self.verifications[key] = bool(data["success"])
        return _json_answer(201, dict(data, _links={"self": {"href": self.url + "/vr/1"}}))

    def _matrix(self, query: str) -> Answer:
        """``/matrix`` for explicit ``q[][pacticipant]``/``q[][version]`` pairs: one row per
        stored pact between two of them, deployable when every row verified successfully."""
        wanted: Dict[str, str] = {}
        name = None
        for key, value in parse_qsl(query):
            if key == "q[][pacticipant]":
                name = value
            elif key == "q[][version]" and name:
                wanted[name] = value
        rows, counts = [], {"success": 0, "failed": 0, "unknown": 0}
        with self._lock:
            for (consumer, provider, cv), _ in sorted(self.pacts.items()):
                if wanted.get(consumer) != cv or provider not in wanted:
                    continue
                pv = wanted[provider]
                success = self.verifications.get((consumer, provider, cv, pv))
                counts["unknown" if success is None else "success" if success else "failed"] += 1
                result = None if success is None else {
                    "success": success, "_links": {"self": {"href": f"{self.url}/vr/{consumer}/{pv}"}}}
                rows.append({"consumer": {"name": consumer, "version": {"number": cv}},
                             "provider": {"name": provider, "version": {"number": pv}},
                             "verificationResult": result})
        deployable = None if counts["unknown"] else (bool(rows) and not counts["failed"])
        reason = ("All required verification results are published and successful" if deployable
                  else "One or more verifications failed" if counts["failed"]
                  else "Missing one or more required verification results")
        summary = dict(counts, deployable=deployable, reason=reason)
        notices = [{"type": "success" if deployable else "error", "text": reason}]
        return _json_answer(200, {"summary": summary, "notices": notices, "matrix": rows})

    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)
        if self.log_path:
            line = json.dumps({"method": rec.method, "path": rec.path, "status": rec.status,
                               "json": rec.json, "decoded_contracts": rec.decoded_contracts})
            with self._lock, open(self.log_path, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")


def _canonical(content: Any) -> str:
    if isinstance(content, dict):
        content = {k: v for k, v in content.items() if k not in ("metadata", "_links", "createdAt")}
    return json.dumps(content, sort_keys=True)


def _json_answer(status: int, payload: Any, content_type: str = HAL) -> Answer:
    return Answer(status, json.dumps(payload).encode("utf-8"), [("Content-Type", content_type)])


class _Handler(QuietHandler):
    fake: FakeBroker
    protocol_version = "HTTP/1.0"

    def _handle(self) -> None:
        split = urlsplit(self.path)
        body = self._read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        rec = Recorded(self.command, split.path, split.query, headers, body)
        answer = self.fake._next_answer(self.command, split.path)
        if answer is None:
            answer = self.fake.simulate(self.command, split.path, headers, body, split.query)
        rec.status = answer.status if not answer.drop else 0
        self.fake._record(rec)
        if answer.drop:
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        if not any(k.lower() == "x-pact-broker-version" for k, _ in answer.headers):
            self.send_header("X-Pact-Broker-Version", self.fake.broker_version)
        self.send_header("Content-Length", str(len(answer.body or b"")))
        self.end_headers()
        if answer.body and self.command != "HEAD":
            self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


# -- helpers for the broker tests ------------------------------------------------------

SENTINEL = "SENTINEL-pw-7f3a9c"
SENTINEL_TOKEN = "SENTINEL-tok-51be02"


class Sleeps(list):
    """An injectable ``sleep`` that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def pact_files_for(decoded: List[Any], directory: Path) -> List[Path]:
    """Copy the transcript pact files whose JSON equals each decoded contract into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for content in decoded:
        for candidate in sorted((TRANSCRIPTS / "pacts").glob("*.json")):
            if json.loads(candidate.read_text(encoding="utf-8")) == content:
                target = directory / f"{content['consumer']['name']}-{content['provider']['name']}.json".lower()
                shutil.copyfile(candidate, target)
                out.append(target)
                break
        else:
            raise AssertionError(f"no pact file in transcripts/pacts equals {content}")
    return out


def sample_pact_files(directory: Path) -> List[Path]:
    """:data:`SAMPLE_PACT` copied into ``directory`` (through :func:`pact_files_for`)."""
    return pact_files_for([json.loads(SAMPLE_PACT.read_text())], directory)


def credentials(headers: List[List[str]]) -> Dict[str, Optional[str]]:
    """Broker credentials that produce the recorded Authorization header."""
    auth = next((v for k, v in headers if k.lower() == "authorization"), None)
    if auth is None:
        return {}
    scheme, _, value = auth.partition(" ")
    if scheme == "Bearer":
        return {"broker_token": value}
    user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
    return {"broker_username": user, "broker_password": password}


def header(headers: Any, name: str) -> Optional[str]:
    items = headers.items() if isinstance(headers, dict) else headers
    return next((v for k, v in items if k.lower() == name.lower()), None)


def publish_request(transcript: Dict[str, Any]) -> Dict[str, Any]:
    """The first publish request (POST or pact PUT) of a transcript."""
    for exchange in transcript["exchanges"]:
        request = exchange["request"]
        if request["method"] in ("POST", "PUT", "PATCH"):
            return request
    raise AssertionError("no publish request in transcript")


def decoded(body: Dict[str, Any]) -> Dict[str, Any]:
    """A publish body with each contract's content decoded, contracts sorted by provider."""
    out = dict(body)
    contracts = []
    for contract in body.get("contracts", []):
        item = dict(contract)
        item["content"] = json.loads(base64.b64decode(contract["content"]))
        contracts.append(item)
    out["contracts"] = sorted(contracts, key=lambda c: c["providerName"])
    return out


def sequence(transcript: Dict[str, Any]) -> List[Tuple[str, str]]:
    return [(e["request"]["method"], e["request"]["path"]) for e in transcript["exchanges"]]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run the fake Pact Broker as a process.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--log", help="append each request as a JSON line to this file")
    parser.add_argument("--old-api", action="store_true", help="no pb:publish-contracts")
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--token")
    args = parser.parse_args(argv)
    broker = FakeBroker(host=args.host, port=args.port, prefix=args.prefix,
                        publish_contracts=not args.old_api, username=args.username,
                        password=args.password, token=args.token, log_path=args.log)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    broker.start()
    print(f"port={broker.port}", flush=True)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
