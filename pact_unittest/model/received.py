"""An HTTP message received from the wire, read into the matching engine's ``actual`` form.

The mock service reads the requests a consumer sends and the verifier reads the responses a
provider sends; both must agree on what a body *is*, or a contract would pass on one side
and fail on the other. The rule (ruby-mock-service.md §7.1, with our deliberate differences):
an empty body is absent; a body whose Content-Type says JSON is parsed (invalid JSON is
reported as an error to turn into a body mismatch, never an exception); any other body that
decodes in its charset (UTF-8 by default) is text; the rest stays bytes.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Dict, Optional, Tuple

__all__ = ["read_body", "join_headers"]

_JSON = re.compile("json", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*\"?([\w.:-]+)", re.IGNORECASE)


def read_body(raw: bytes, content_type: Optional[str]) -> Tuple[bool, Any, Optional[str]]:
    """``(has_body, value, error)`` for a received body; ``error`` says why JSON was unreadable."""
    if not raw:
        return False, None, None
    content_type = content_type or ""
    found = _CHARSET.search(content_type)
    charset = found.group(1) if found else "utf-8"
    is_json = bool(_JSON.search(content_type))
    try:
        text = raw.decode(charset)
    except (UnicodeDecodeError, LookupError):
        error = "the body is JSON but not valid UTF-8" if is_json else None
        return True, raw, error
    if is_json:
        try:
            return True, json.loads(text), None
        except ValueError as exc:
            return True, text, f"the body is not valid JSON ({exc})"
        except RecursionError:
            return True, text, "the body is JSON nested too deeply to read"
    return True, text, None


def join_headers(pairs: Iterable[Tuple[str, str]]) -> Dict[str, str]:
    """Header lines as one dict: a repeated name's values joined with ", " (RFC 9110 §5.3),
    the first spelling of the name kept."""
    out: Dict[str, str] = {}
    spelled: Dict[str, str] = {}
    for name, value in pairs:
        key = spelled.setdefault(name.lower(), name)
        out[key] = value if key not in out else out[key] + ", " + value
    return out
