"""Pact file names: which file holds the contract of a consumer/provider pair.

Ruby's rule (lower case, whitespace -> ``_``) plus what keeps a file inside ``pact_dir`` and
portable on every OS; see :func:`pact_file_name`.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

#: Characters replaced by "_" in consumer and provider names, besides whitespace (which
#: Ruby replaces too): path separators ``/`` and ``\``, the characters Windows forbids in
#: file names ``< > : " | ? *`` (``:`` is also macOS Finder's path separator), and control
#: characters U+0000-U+001F and U+007F (NUL included).
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WHITESPACE = re.compile(r"\s")
_WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(1, 10)] + [f"lpt{i}" for i in range(1, 10)]
)
#: Leaves room under the usual 255-byte limit for the ".<name>.<pid>.<rand>.tmp" temp file.
_MAX_NAME_BYTES = 200
#: A name over _MAX_NAME_BYTES keeps this many bytes, then "-<digest>.json".
_DIGEST_CHARS = 12
_CUT_STEM_BYTES = _MAX_NAME_BYTES - _DIGEST_CHARS - len("-.json")


def _name_part(name: Any, role: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"the {role} name must be a string, not {type(name).__name__}")
    if not name.strip():
        raise ValueError(f"the {role} name must not be empty")
    text = _WHITESPACE.sub("_", name.lower())
    text = _UNSAFE_CHARS.sub("_", text)
    if text.startswith("."):
        # Keeps the pact visible (a hidden file is easily left out of a commit).
        text = "_" + text[1:]
    return text


def pact_file_name(consumer: str, provider: str) -> str:
    """The pact's file name: ``"My Web App"``, ``"User Service"`` -> ``my_web_app-user_service.json``.

    Ruby's rule (lower case, each whitespace character -> ``_``) plus what keeps the file
    inside ``pact_dir`` and portable: path separators, ``< > : " | ? *`` and control
    characters become ``_``; a leading ``.`` becomes ``_``; a name whose part before the
    first dot is a Windows device name (``con``, ``nul``, ``com1``...) gets a ``_`` prefix;
    a name over 200 bytes is cut and given a hash suffix. Empty names raise ValueError.
    """
    name = _device_safe(f"{_name_part(consumer, 'consumer')}-{_name_part(provider, 'provider')}.json")
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:_DIGEST_CHARS]
        name = f"{_cut_to_bytes(name[: -len('.json')], _CUT_STEM_BYTES)}-{digest}.json"
    return name


def pact_file_prefix(consumer: str) -> str:
    """What the name of every pact file of ``consumer`` begins with, whatever the provider.

    Finds a consumer's pacts in a directory (the broker's v2 ``publish``) by the same rule
    :func:`pact_file_name` names them with. Several consumers may share a prefix (``"a"``
    and ``"a-b"``), so a caller should still check the consumer named inside the file.
    """
    # The device rule looks at the name up to its first dot. With no dot in the consumer
    # part, that text contains the "-" before the provider, and no device name has one: so
    # the rule decides the same on the consumer part + "-" as on the whole name.
    prefix = _device_safe(_name_part(consumer, "consumer") + "-")
    # A long name keeps its first _CUT_STEM_BYTES bytes at most.
    return _cut_to_bytes(prefix, _CUT_STEM_BYTES)


def _device_safe(name: str) -> str:
    return "_" + name if name.split(".", 1)[0] in _WINDOWS_DEVICES else name


def _cut_to_bytes(text: str, limit: int) -> str:
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text
