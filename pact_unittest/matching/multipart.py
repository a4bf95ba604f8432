"""``multipart/*`` bodies compared part by part (compat suite V1 multipart scenarios).

Each part is parsed with the stdlib ``email`` parser (so ``Content-Transfer-Encoding:
base64`` is decoded) and compared with the part at the same position: its base content
type and its decoded content. A body that is not a well-formed multipart document returns
None, and the caller compares it as text.
"""
from __future__ import annotations

import email
import email.message
from typing import Any, List, Optional

from .mismatch import Mismatch, make


def _parts(body: Any, content_type: str) -> Optional[List[email.message.Message]]:
    data = body if isinstance(body, (bytes, bytearray)) else str(body).encode("utf-8")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = email.message_from_bytes(head + bytes(data))
    if not message.is_multipart() or message.defects:
        return None
    payload = message.get_payload()
    if not isinstance(payload, list) or not payload:
        return None
    return [part for part in payload if isinstance(part, email.message.Message)] or None


def describe_bytes(data: Any, content_type: Optional[str]) -> str:
    """``[image/jpeg, 28058 bytes, starting with ffd8ff...]``: how a binary body is shown."""
    raw = data if isinstance(data, (bytes, bytearray)) else str(data).encode("utf-8")
    return f"[{content_type or 'application/octet-stream'}, {len(raw)} bytes, starting with {bytes(raw[:32]).hex()}]"


def compare_multipart(expected: Any, actual: Any, exp_type: str,
                      act_type: Optional[str]) -> Optional[List[Mismatch]]:
    """Mismatches part by part, or None when either side is not parseable multipart."""
    exp_parts = _parts(expected, exp_type)
    act_parts = _parts(actual, act_type or exp_type)
    if exp_parts is None or act_parts is None:
        return None
    out: List[Mismatch] = []
    if len(exp_parts) != len(act_parts):
        out.append(make("body", "$", len(exp_parts), len(act_parts),
                        f"expected a multipart body of {len(exp_parts)} part(s) "
                        f"but got {len(act_parts)}"))
    for index, (exp, act) in enumerate(zip(exp_parts, act_parts), 1):
        exp_ct, act_ct = exp.get_content_type(), act.get_content_type()
        if exp_ct != act_ct:
            out.append(make("body", "$", exp_ct, act_ct, f"multipart part {index}: expected "
                                                         f"content type {exp_ct!r} but got {act_ct!r}"))
            continue
        exp_data = exp.get_payload(decode=True) or b""
        act_data = act.get_payload(decode=True) or b""
        if exp_data != act_data:
            out.append(make("body", "$", exp_data, act_data,
                            f"multipart part {index}: expected {describe_bytes(exp_data, exp_ct)} "
                            f"but got {describe_bytes(act_data, act_ct)}"))
    return out
