"""Reading the suite's table cells and fixtures (README "Fixture conventions").

A body cell becomes a :class:`Body`: the value our product takes (parsed JSON, text, or
bytes for binary data) and the content type the cell implies (None: keep the one of the
interaction being changed).
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

_REPO = pathlib.Path(__file__).resolve().parents[2]
ENV_VAR = "PACT_UNITTEST_COMPAT_SUITE"
_BY_EXTENSION = {".json": "application/json", ".xml": "application/xml",
                 ".jpg": "image/jpeg", ".pdf": "application/pdf"}


def suite_root() -> pathlib.Path:
    """Where the suite is: ``$PACT_UNITTEST_COMPAT_SUITE`` or ``../shared/pact-compatibility-suite``."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return pathlib.Path(configured)
    return _REPO.parent / "shared" / "pact-compatibility-suite"


def fixture_path(name: str) -> pathlib.Path:
    return suite_root() / "fixtures" / name.strip()


def load_json_fixture(name: str) -> Any:
    return json.loads(fixture_path(name).read_text(encoding="utf-8"))


@dataclass
class Body:
    value: Any                      # dict/list for JSON, str for text/XML/form, bytes otherwise
    content_type: Optional[str]     # None: the cell does not say (a literal text body)

    def raw(self) -> bytes:
        """The bytes a client sends."""
        if isinstance(self.value, bytes):
            return self.value
        if isinstance(self.value, str):
            return self.value.encode("utf-8")
        return json.dumps(self.value).encode("utf-8")


def _wrapper(path: pathlib.Path) -> Body:
    """A ``*-body.xml`` body wrapper: ``<body><contentType/><contents/></body>``."""
    root = ET.parse(str(path)).getroot()
    ctype = (root.findtext("contentType") or "").strip() or None
    contents = root.find("contents")
    text = (contents.text or "") if contents is not None else ""
    attrs = contents.attrib if contents is not None else {}
    if attrs.get("encoding") == "base64":
        import base64

        return Body(base64.b64decode(text.strip()), ctype or "application/octet-stream")
    if ctype and ctype.startswith("multipart/"):
        text = text.strip() + "\n"     # the CDATA's surrounding whitespace would land in the preamble
    else:
        text = text.strip()
    if attrs.get("eol") == "CRLF":
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return Body(text, ctype or "text/plain")


def parse_body(cell: str) -> Optional[Body]:
    """A body cell: ``file: NAME``, ``JSON: ...``, ``XML: ...``, ``EMPTY``, text; None if empty."""
    cell = cell.strip()
    if not cell:
        return None
    if cell.startswith("file:"):
        name = cell[len("file:"):].strip()
        path = fixture_path(name)
        if name.endswith("-body.xml"):
            return _wrapper(path)
        ctype = _BY_EXTENSION.get(path.suffix, "application/octet-stream")
        data = path.read_bytes()
        if ctype == "application/json":
            return Body(json.loads(data.decode("utf-8")), ctype)
        if ctype == "application/xml":
            return Body(data.decode("utf-8"), ctype)
        return Body(data, ctype)
    if cell.startswith("JSON:"):
        return Body(json.loads(cell[len("JSON:"):]), "application/json")
    if cell.startswith("XML:"):
        return Body(cell[len("XML:"):].strip(), "application/xml")
    if cell == "EMPTY":
        return Body(b"", None)
    return Body(cell, None)


def parse_headers(cell: str) -> List[Tuple[str, str]]:
    """``'X-A: 1', 'X-B: 2'`` -> [("X-A", "1"), ("X-B", "2")] (repeated names kept)."""
    out = []
    for item in re.findall(r"'([^']*)'", cell):
        name, _, value = item.partition(":")
        out.append((name.strip(), value.strip()))
    return out


def parse_generators(cell: str) -> Dict[str, Any]:
    """A generators cell: ``JSON: {...}`` or a fixture file name."""
    cell = cell.strip()
    if cell.startswith("JSON:"):
        return json.loads(cell[len("JSON:"):])
    return load_json_fixture(cell)


def table_rows(table: Optional[List[List[str]]]) -> List[Dict[str, str]]:
    """A table with a header row as a list of dicts."""
    if not table:
        return []
    header = table[0]
    return [dict(zip(header, row)) for row in table[1:]]
