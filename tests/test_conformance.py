"""The official Pact specification cases (v1 to v4): one test per case file.

The cases live outside the repository (``../shared/pact-spec`` next to the checkout, or
wherever ``PACT_UNITTEST_SPEC_CASES`` points); on a clone without them every test skips
with the reason. A case passes when "no mismatches" equals the file's ``match``.
"""
from __future__ import annotations

import json
import os
import pathlib

import pytest

from pact_unittest import matching

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = {"v1": "1.0.0", "v1.1": "1.1.0", "v2": "2.0.0", "v3": "3.0.0", "v4": "4.0.0"}


def _cases_dir() -> pathlib.Path:
    env = os.environ.get("PACT_UNITTEST_SPEC_CASES")
    if env:
        return pathlib.Path(env)
    return ROOT.parent / "shared" / "pact-spec"


CASES = _cases_dir()


def _case_files():
    if not CASES.is_dir():
        return []
    found = []
    for version in SPEC:
        base = CASES / version
        if base.is_dir():
            found.extend(sorted(base.rglob("*.json")))
    return found


FILES = _case_files()


@pytest.mark.skipif(not FILES, reason=f"Pact specification cases not found at {CASES} "
                                      "(set PACT_UNITTEST_SPEC_CASES to their folder)")
@pytest.mark.parametrize("case_file", FILES or [None],
                         ids=[str(f.relative_to(CASES)) for f in FILES] or ["no-cases"])
def test_case(case_file):
    relative = case_file.relative_to(CASES)
    version, direction = relative.parts[0], relative.parts[1]
    # utf-8-sig: two v1 status cases start with a BOM (README quirk 1).
    case = json.loads(case_file.read_text(encoding="utf-8-sig"))
    func = getattr(matching, f"match_{direction}")
    mismatches = func(case["expected"], case["actual"], spec_version=SPEC[version])
    assert (not mismatches) == case["match"], (
        f"{relative}: expected match={case['match']}; mismatches: "
        + "; ".join(m.message for m in mismatches)
    )
    for mismatch in mismatches:
        assert mismatch.kind in matching.KINDS
        assert "\n" not in mismatch.message


def test_case_count():
    if not FILES:
        pytest.skip(f"Pact specification cases not found at {CASES}")
    assert len(FILES) == 803
