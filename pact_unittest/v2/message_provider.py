"""pact-python v2's ``MessageProvider``, verifying message pacts in this process.

v2 started a FastAPI/uvicorn proxy on the fixed port 1234 and ran the Ruby verifier against
it; here the handlers are called directly by :mod:`pact_unittest.verifier` (no proxy, no
port, no extra dependency). As in v2 a handler is found by the provider state name of the
message; the message's description works too. A handler is called with no argument for
each message it produces (v2 called every handler once, on entering the ``with`` block)
and returns the contents, a ``(contents, metadata)`` pair or a
:class:`~pact_unittest.verifier.ProducedMessage`.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional

from ..pact_file.naming import pact_file_name
from ..verifier.engine import ProviderVerifier
from ..verifier.report import render_text
from ..verifier.run import RunOptions, run

__all__ = ["MessageProvider"]


class MessageProvider(object):
    """A Pact message provider (pact-python v2's class)."""

    def __init__(self, message_providers: Mapping[str, Callable[..., Any]], provider: str,
                 consumer: str, pact_dir: Optional[str] = None, version: str = "3.0.0",
                 proxy_host: str = "localhost", proxy_port: str = "1234") -> None:
        self.message_providers = message_providers
        self.provider = provider
        self.consumer = consumer
        self.version = version
        self.pact_dir = pact_dir if pact_dir is not None else os.getcwd()
        self.proxy_host = proxy_host   # kept for v2 code that reads them; no proxy runs
        self.proxy_port = proxy_port

    def _pact_file(self) -> str:
        """v2's file name; ours (the consumer side's) when only that one exists."""
        v2_name = f'{self.consumer}-{self.provider}.json'.lower().replace(' ', '_')
        if not (Path(self.pact_dir) / v2_name).exists():
            ours = pact_file_name(self.consumer, self.provider)
            if (Path(self.pact_dir) / ours).exists():
                return ours
        return v2_name

    def _verifier(self) -> ProviderVerifier:
        return ProviderVerifier(self.provider, _NO_HTTP, messages=dict(self.message_providers))

    def verify(self) -> None:
        """Verify the pact file ``pact_dir/<consumer>-<provider>.json``; AssertionError if not."""
        path = Path(self.pact_dir) / self._pact_file()
        verifier = self._verifier()
        report = verifier.verify([path])
        text = render_text(report)
        sys.stdout.write(text)
        assert report.exit_code == 0, \
            f'Expected returned_code = 0, actual = {report.exit_code}\n{text}'

    def verify_with_broker(self, enable_pending: bool = False,
                           include_wip_pacts_since: Optional[str] = None, **kwargs: Any) -> None:
        """Verify the message pacts a Pact Broker selects (v2's keyword arguments)."""
        from ..verifier.v2 import Verifier

        options: RunOptions = Verifier(self.provider, "")._options(
            kwargs, enable_pending, include_wip_pacts_since)
        options.provider_base_url = _NO_HTTP
        options.broker_url = kwargs.get("broker_url") or os.environ.get("PACT_BROKER_BASE_URL")
        options.broker_username = kwargs.get("broker_username")
        options.broker_password = kwargs.get("broker_password")
        options.broker_token = kwargs.get("broker_token")
        options.messages = dict(self.message_providers)
        code, _report, _text = run(options)
        assert code == 0, f'Expected returned_code = 0, actual = {code}'

    def __enter__(self) -> "MessageProvider":
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        """Nothing to stop (v2 stopped its proxy here); exceptions propagate, as in v2."""


def _no_http(environ: Dict[str, Any], start_response: Any) -> Any:
    """The 'provider' of a message-only verification: HTTP interactions have none."""
    start_response("501 Not Implemented", [("Content-Type", "text/plain")])
    return [b"MessageProvider verifies message interactions only"]


_NO_HTTP = _no_http
