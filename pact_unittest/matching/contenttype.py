"""Media types: parsing ``Content-Type`` values, grouping them, and sniffing bodies.

The expected side's content type chooses how bodies are compared (JSON, XML, text,
form). When no header says it, the body is sniffed, as the v1.1+ README allows ("magic
number test") and as the XML cases without headers require.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Optional, Tuple

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BM", "image/bmp"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
)


def parse_media_type(value: Any) -> Tuple[str, Dict[str, str]]:
    """``'application/json; charset=UTF-8'`` -> ``('application/json', {'charset': 'UTF-8'})``."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    text = str(value or "")
    parts = [p.strip() for p in text.split(";")]
    params: Dict[str, str] = {}
    for part in parts[1:]:
        if not part:
            continue
        name, _, val = part.partition("=")
        params[name.strip().lower()] = val.strip().strip('"')
    return parts[0].lower(), params


def family(media_type: Optional[str]) -> str:
    """"json", "xml", "text", "form", "multipart" or "binary" for a base media type."""
    if not media_type:
        return "binary"
    base = media_type.split(";")[0].strip().lower()
    if base == "application/json" or base.endswith("+json") or base.endswith("/json") \
            or base in ("application/hal+json", "text/json", "application/javascript+json"):
        return "json"
    if base in ("application/xml", "text/xml") or base.endswith("+xml") or base.endswith("/xml"):
        return "xml"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    if base.startswith("text/"):
        return "text"
    return "binary"


def sniff(body: Any) -> str:
    """Guess the media type of a body that came without one."""
    if body is None:
        return "text/plain"
    if isinstance(body, (dict, list, bool, int, float)):
        return "application/json"
    data = body if isinstance(body, (bytes, bytearray)) else None
    if data is not None:
        for magic, kind in _MAGIC:
            if data.startswith(magic):
                return kind
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return "image/webp"
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
    else:
        text = str(body)
    head = text.lstrip()[:200].lower()
    if head.startswith("<?xml") or (head.startswith("<") and not head.startswith("<!doctype html")
                                    and not head.startswith("<html")):
        return "application/xml"
    if head.startswith("<"):
        return "text/html"
    if head[:1] in ("{", "["):
        try:
            json.loads(text)
            return "application/json"
        except ValueError:
            pass
    return "text/plain"


def same_type(expected: str, actual: str) -> bool:
    """Whether two base media types are equal or of the same structured family."""
    exp = expected.split(";")[0].strip().lower()
    act = actual.split(";")[0].strip().lower()
    if exp == act:
        return True
    fam = family(exp)
    return fam in ("json", "xml") and fam == family(act)
