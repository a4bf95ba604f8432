"""The request a verifier sends to the provider, built from an interaction of the pact.

From spec 3 on the request's generators run in *provider* mode: ``ProviderState``
expressions are filled from the values the state setup returned, every other generator
makes a fresh value. The path is percent-encoded as an HTTP client would (an existing
``%XX`` escape is kept); a spec-2 query is sent as written, a spec-3 map of lists encoded
pair by pair; a JSON body is compact UTF-8, a dict form body URL-encoded.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional
from urllib.parse import quote

from ..matchers.generators import apply_generators
from ..model import Interaction, spec_family
from ..model.http_forms import encode_component, encode_form

__all__ = ["ProviderRequest", "build_request"]

_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_FORM = "application/x-www-form-urlencoded"


@dataclass
class ProviderRequest:
    """One request to the provider. A request filter may change any field in place."""

    method: str
    path: str
    query: str = ""
    headers: Dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def target(self) -> str:
        """The request target: encoded path plus query string."""
        return self.path + ("?" + self.query if self.query else "")

    def header(self, name: str) -> Optional[str]:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


def build_request(interaction: Interaction, state_values: Optional[Mapping[str, Any]] = None
                  ) -> ProviderRequest:
    """The HTTP request ``interaction`` describes, generators applied (spec 3+)."""
    data: Mapping[str, Any] = interaction.request
    family = spec_family(interaction.spec_version)
    if family == 3 and data.get("generators"):
        data = apply_generators(data, mode="provider",
                                context={"providerState": dict(state_values or {})})
    headers = {str(name): _header_text(value) for name, value in (data.get("headers") or {}).items()}
    request = ProviderRequest(
        method=str(data.get("method", "GET")).upper(),
        path=quote(str(data.get("path") or "/"), safe=_PATH_SAFE),
        query=_query_text(data.get("query")),
        headers=headers)
    body = data.get("body")
    if "body" in data and body is not None:
        request.body = _body_bytes(body, request.header("Content-Type"))
    return request


def _header_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _query_text(query: Any) -> str:
    if not query:
        return ""
    if isinstance(query, str):
        return query
    pairs = []
    for name, values in query.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append(encode_component(str(name)) if value is None
                         else encode_component(str(name)) + "=" + encode_component(str(value)))
    return "&".join(pairs)


def _body_bytes(body: Any, content_type: Optional[str]) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, dict) and content_type and content_type.lower().startswith(_FORM):
        return encode_form(body).encode("utf-8")
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
