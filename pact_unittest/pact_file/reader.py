"""Reading pact files back: the bytes of a file as a pact document, or a clear error.

Whoever reads a pact file (a merge into an existing file, the broker publisher, the
verifier) gets one answer for a file that is not a pact: a ValueError naming the file and
what is wrong with it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Union

__all__ = ["parse_pact", "read_pact"]


def parse_pact(data: bytes, path: Path) -> Dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path} is not a valid pact file (not UTF-8 JSON: {exc})") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not a valid pact file (the top level is not a JSON object)")
    return document


def read_pact(path: Union[str, Path]) -> Dict[str, Any]:
    """The parsed pact file at ``path``; ValueError naming the path if it isn't a JSON object."""
    path = Path(path)
    return parse_pact(path.read_bytes(), path)
