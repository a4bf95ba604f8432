"""The Pact specification versions, and the forms one version may be written in.

The lowest layer owns them because matching is what the version changes first (which rules
apply, how numbers compare); every layer above reads them from here.
"""
from __future__ import annotations

from typing import Any

SPEC_VERSIONS = ("1.0.0", "1.1.0", "2.0.0", "3.0.0", "4.0.0")


def normalize_spec_version(version: Any) -> str:
    """Return the full form ("2.0.0") of a spec version given as "2", "2.0", 2, "v2"...

    Raises ValueError naming the accepted versions for anything else.
    """
    text = str(version).strip().lower().lstrip("v")
    parts = text.split(".")
    while len(parts) < 3:
        parts.append("0")
    full = ".".join(parts[:3])
    if full not in SPEC_VERSIONS or len(parts) > 3:
        raise ValueError(
            f"unsupported pact specification version {version!r}: use one of "
            + ", ".join(SPEC_VERSIONS)
        )
    return full


def spec_family(version: str) -> int:
    """2 for spec 1.x/2.x (v2 internal form), 3 for spec 3.x/4.x (v3 internal form)."""
    return 2 if normalize_spec_version(version) < "3" else 3


def matching_version(version: str) -> str:
    """The spec version whose rules the mock service applies at run time.

    Spec 1 files carry no rules, but the contract the user wrote does: like the Ruby
    service, we match spec 1 interactions with the v2 semantics and rules.
    """
    full = normalize_spec_version(version)
    return "2.0.0" if full < "2" else full
