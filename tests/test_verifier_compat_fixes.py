"""Verifier fixes found by the Pact compatibility suite's provider features (each names its
scenario). Real pact files, a real provider on a loopback port."""
from __future__ import annotations

import base64
import json
import pathlib
from http.server import BaseHTTPRequestHandler
from typing import Any

from _http_test_server import ThreadedServer

from pact_unittest.verifier import ProviderVerifier, read_interactions, load_pacts

_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))


class _Provider(ThreadedServer):
    """Answers every GET with ``body`` as image/jpeg."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.url = ""

    def start(self) -> "_Provider":
        body = self.body

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = self._serve(("127.0.0.1", 0), Handler, name="binary-provider-{port}",
                             poll_interval=0.05)
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        return self


def _pact(tmp_path: pathlib.Path, spec: str, body: Any) -> pathlib.Path:
    document = {
        "consumer": {"name": "c"}, "provider": {"name": "p"},
        "interactions": [{"description": "an image", "request": {"method": "GET", "path": "/bin"},
                          "response": {"status": 200, "headers": {"Content-Type": "image/jpeg"},
                                       "body": body}}],
        "metadata": {"pactSpecification": {"version": spec}},
    }
    path = tmp_path / f"c-p-{spec}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_base64_binary_body_of_a_spec_1_to_3_pact_is_decoded(tmp_path: pathlib.Path) -> None:
    """V1/http_provider: Response with binary body (positive and negative case).

    Spec 1-3 files have no binary form; our writer (like the Rust core) writes the bytes as
    base64 text under the binary Content-Type, and the verifier must compare the bytes."""
    encoded = base64.b64encode(_JPEG).decode("ascii")
    for spec in ("1.0.0", "2.0.0", "3.0.0"):
        path = _pact(tmp_path, spec, encoded)
        item, = read_interactions(load_pacts([path])[0])
        assert item.interaction is not None and item.interaction.response["body"] == _JPEG
        with _Provider(_JPEG) as provider:
            assert ProviderVerifier("p", provider.url).verify([path]).success, spec
        with _Provider(_JPEG[:-1] + b"!") as provider:
            report = ProviderVerifier("p", provider.url).verify([path])
        assert not report.success
        assert "Body had differences" in report.results[0].problems(), spec


def test_text_that_is_not_base64_is_kept_as_written(tmp_path: pathlib.Path) -> None:
    """A binary content type over a text body that is no base64 stays that text."""
    path = _pact(tmp_path, "3.0.0", "not base64!")
    item, = read_interactions(load_pacts([path])[0])
    assert item.interaction is not None and item.interaction.response["body"] == "not base64!"


def test_published_results_say_who_verified() -> None:
    """V1/http_provider: the broker fixtures' publish request requires ``verifiedBy`` with an
    implementation name and a semver version (as the Rust and JVM verifiers send it)."""
    from pact_unittest import __version__
    from pact_unittest.verifier import PactResult
    from pact_unittest.verifier.broker_pacts import results_body

    body = results_body(PactResult("c", "p", "broker"), "1.2.3")
    assert body["verifiedBy"] == {"implementation": "pact_unittest", "version": __version__}
