"""Query strings, form bodies and header values: how they are written in each pact family.

Spec-2 files keep the query as a string. A query given as a dict is rendered as the Ruby
mock service renders it (keys as written, values through ``URI.encode_www_form_component``,
insertion order), so our spec-2 files equal Ruby's. Spec-3 files keep a map of lists.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import unquote_plus

from .hydrate import FfiType
from ..matchers import EachLike

__all__ = [
    "sniff_content_type", "encode_component", "query_hash", "render_query", "parse_query", "encode_form",
    "scalar_text", "is_array_like",
]

_UNRESERVED = "*-._"  # besides 0-9A-Za-z: what Ruby's encode_www_form_component leaves alone
_KEY_SAFE = _UNRESERVED + "[]"


def encode_component(text: str, safe: str = _UNRESERVED) -> str:
    """Ruby ``URI.encode_www_form_component``: space -> ``+``, all else but ``*-._`` -> %XX.

    Written out because ``urllib.parse.quote`` always leaves ``~`` alone, and Ruby does not.
    """
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if byte < 128 and (char.isalnum() or char in safe):
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def scalar_text(value: Any) -> Optional[str]:
    """The text of a scalar query/header value (``2`` -> ``"2"``), None if not a scalar.

    Ruby compared ``2`` with ``"2"`` and never matched (a documented difference: we coerce).
    ``True`` becomes ``"True"``, which is what ``requests`` sends for it.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return str(value)
    return None


def is_array_like(node: Any) -> bool:
    """An each-like matcher: Ruby keeps it as a query value instead of wrapping it in a list."""
    return isinstance(node, EachLike) or (
        isinstance(node, FfiType) and isinstance(node.value, list)
        and ("min" in node.attrs or "max" in node.attrs)
    )


def query_hash(query: Dict[str, Any]) -> Dict[str, Any]:
    """Ruby's ``QueryHash``: nested dicts flattened to ``k[k2]`` keys, values as lists.

    An each-like matcher stays as it is (Ruby keeps ``Pact::ArrayLike`` unwrapped); a list
    stays a list; ``None`` becomes ``[]``; anything else ``[value]``.
    """
    out: Dict[str, Any] = {}

    def insert(key: str, value: Any) -> None:
        if isinstance(value, dict):
            for sub, item in value.items():
                insert(f"{key}[{sub}]", item)
        elif is_array_like(value) or isinstance(value, list):
            out[key] = value
        elif value is None:
            out[key] = []
        else:
            out[key] = [value]

    for key, value in query.items():
        insert(str(key), value)
    return out


def render_query(pairs: Dict[str, List[Optional[str]]]) -> str:
    """A map of lists as a query string, Ruby's rendering (``None`` key alone, see docs)."""
    parts = []
    for key, values in pairs.items():
        name = encode_component(key, _KEY_SAFE)
        if not values:
            parts.append(name)  # Ruby dropped the key entirely (a documented difference)
        for value in values:
            parts.append(name + "=" + encode_component("" if value is None else value))
    return "&".join(parts)


def parse_query(text: str) -> Dict[str, List[str]]:
    """A query string as a map of lists (split on ``&``/``;``, ``+`` and %XX decoded)."""
    out: Dict[str, List[str]] = {}
    for part in text.replace(";", "&").split("&"):
        part = part.lstrip(" ")
        if not part:
            continue
        key, _, value = part.partition("=")
        out.setdefault(unquote_plus(key), []).append(unquote_plus(value))
    return out


def encode_form(body: Dict[str, Any]) -> str:
    """Ruby ``URI.encode_www_form`` of a reified dict body (list values repeat the key)."""
    pairs: List[Tuple[str, Optional[str]]] = []
    for key, value in body.items():
        values = value if isinstance(value, list) else ([] if value is None else [value])
        for item in values:
            text = scalar_text(item) if item is not None else None
            if item is not None and text is None:
                raise ValueError(f"form body field {key!r}: {item!r} is not a scalar value")
            pairs.append((str(key), text))
    return "&".join(
        encode_component(k) if v is None else encode_component(k) + "=" + encode_component(v)
        for k, v in pairs
    )


def sniff_content_type(body: Any) -> str:
    """The content type a body implies when none is given: bytes are binary, a dict, list or
    number JSON, a string JSON or XML when it parses or declares itself so, else text."""
    if isinstance(body, (bytes, bytearray)):
        return "application/octet-stream"
    if not isinstance(body, str):
        return "application/json"
    stripped = body.strip()
    if stripped[:1] in ("{", "["):
        try:
            json.loads(stripped)
            return "application/json"
        except ValueError:
            pass
    if stripped.startswith("<?xml"):
        return "application/xml"
    return "text/plain"
