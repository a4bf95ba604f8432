"""Message provider steps (V3 and V4 ``message_provider``), bound to our ProviderVerifier.

"A provider is started that can generate the "NAME" message with BODY" is a real HTTP
message endpoint (:class:`MessageEndpoint`) in the official verifiers' protocol: our
verifier POSTs ``{"description", "providerStates"}`` and gets the message back, its
Content-Type as the content type and a ``Pact-Message-Metadata`` header (base64 JSON) as the
rest of the metadata. "A Pact file for "NAME":BODY" is a message pact our own writer
writes (``parse_message`` + ``pact_document``). The shared steps of
:mod:`.steps_provider` run the verification and read the report.
"""
from __future__ import annotations

import base64
import json
from typing import Any, Dict, List, Optional, Tuple

from _http_test_server import QuietHandler, ThreadedServer
from pact_unittest.model.message_wire import parse_message
from pact_unittest.pact_file import pact_document, render_pact

from .cells import Body, load_json_fixture, parse_body, table_rows
from .registry import World, step
from .steps_provider import PROVIDER, _events, comments_table

Produced = Tuple[Body, Dict[str, Any]]


class MessageEndpoint(ThreadedServer):
    """Answers each POSTed message request with the message of that description."""

    def __init__(self, events: List[Any]) -> None:
        self.messages: Dict[str, Produced] = {}
        self.events = events
        self.url = ""

    def start(self) -> "MessageEndpoint":
        endpoint = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                payload = json.loads(self._read_body() or b"{}")
                endpoint.events.append(("request", "POST", self.path, "", [], payload))
                found = endpoint.messages.get(payload.get("description"))
                if found is None:
                    self._send(404, [("Content-Type", "text/plain")], b"no such message")
                    return
                body, metadata = found
                headers = [("Content-Type", body.content_type or "text/plain")]
                if metadata:
                    headers.append(("Pact-Message-Metadata",
                                    base64.b64encode(json.dumps(metadata).encode()).decode()))
                self._send(200, headers, body.raw())

            def _send(self, status: int, headers: List[Tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = self._serve(("127.0.0.1", 0), Handler, name="compat-messages-{port}",
                             poll_interval=0.05)
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        return self


def _endpoint(world: World) -> MessageEndpoint:
    endpoint = world.data.get("provider")
    if not isinstance(endpoint, MessageEndpoint):
        endpoint = MessageEndpoint(_events(world)).start()
        world.add_cleanup(endpoint.stop)
        world.data["provider"] = endpoint
    return endpoint


def _body(cell: str) -> Body:
    body = parse_body(cell)
    assert body is not None, f"no body in {cell!r}"
    if body.content_type is None:   # a literal cell is a plain-text message
        body = Body(body.value, "text/plain")
    return body


def _metadata_table(world: World) -> Dict[str, Any]:
    return {row["key"]: _value(row["value"]) for row in table_rows(world.table)}


def _value(text: str) -> Any:
    text = text.strip()
    return json.loads(text[len("JSON:"):]) if text.startswith("JSON:") else text


# ---------------------------------------------------------------- Given: the provider
@step(r'a provider is started that can generate the "([^"]+)" message with "(.+)"')
def provider_message(world: World, name: str, cell: str) -> None:
    _endpoint(world).messages[name] = (_body(cell.replace('\\"', '"')), {})


@step(r'a provider is started that can generate the "([^"]+)" message with "(.+)" and the '
      r'following metadata:')
def provider_message_metadata(world: World, name: str, cell: str) -> None:
    _endpoint(world).messages[name] = (_body(cell), _metadata_table(world))


# ---------------------------------------------------------------- Given: the pacts
def _write(world: World, name: str, body: Body, metadata: Optional[Dict[str, Any]] = None,
           **extra: Any) -> None:
    contents: Any = body.value
    if isinstance(contents, bytes):
        contents = {"content": base64.b64encode(contents).decode("ascii"),
                    "contentType": body.content_type, "encoded": "base64"}
    elif world.spec_version >= "4":
        contents = {"content": contents, "contentType": body.content_type, "encoded": False}
    meta = dict(metadata or {})
    meta.setdefault("contentType", body.content_type)
    data: Dict[str, Any] = {"description": name, "contents": contents, "metadata": meta, **extra}
    if world.spec_version >= "4":
        data["type"] = "Asynchronous/Messages"
    message = parse_message(data, world.spec_version)
    number = len(world.data.get("pacts", [])) + 1
    path = world.pact_dir / f"c_{number}-{PROVIDER}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_pact(pact_document(f"c_{number}", PROVIDER, [message],
                                              world.spec_version)), encoding="utf-8")
    world.data.setdefault("pacts", []).append(path)


@step(r'a Pact file for "([^"]+)":"([^"]+)" is to be verified')
def pact_message(world: World, name: str, cell: str) -> None:
    _write(world, name, _body(cell))


@step(r'a Pact file for "([^"]+)":"([^"]+)" is to be verified with provider state "([^"]*)"')
def pact_message_state(world: World, name: str, cell: str, state: str) -> None:
    _write(world, name, _body(cell), providerStates=[{"name": state}])


@step(r'a Pact file for "([^"]+)":"([^"]+)" is to be verified with the following metadata:')
def pact_message_metadata(world: World, name: str, cell: str) -> None:
    _write(world, name, _body(cell), _metadata_table(world))


@step(r'a Pact file for "([^"]+)" is to be verified with the following:')
def pact_message_with(world: World, name: str) -> None:
    rows = {row[0].strip(): row[1].strip() for row in world.table or []}
    metadata: Dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in rows.get("metadata", "").split(";"))):
        key, _, value = item.partition("=")
        metadata[key.strip()] = _value(value)
    extra: Dict[str, Any] = {}
    if rows.get("matching rules"):
        extra["matchingRules"] = load_json_fixture(rows["matching rules"])
    _write(world, name, _body(rows["body"]), metadata, **extra)


@step(r'a Pact file for "([^"]+)":"([^"]+)" is to be verified, but is marked pending')
def pact_message_pending(world: World, name: str, cell: str) -> None:
    _write(world, name, _body(cell), pending=True)


@step(r'a Pact file for "([^"]+)":"([^"]+)" is to be verified with the following comments:')
def pact_message_comments(world: World, name: str, cell: str) -> None:
    _write(world, name, _body(cell), comments=comments_table(world.table))
