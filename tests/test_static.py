"""Static checks that belong to the test suite, so README's one test command covers them.

Only Python 3.11 runs here, yet the package promises 3.9+: vermin proves statically that
nothing newer slipped in. mypy checks the public API's type hints (the package ships
py.typed, so users' type checkers read them).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pact_unittest"


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' brings it)")
    return path


def test_package_is_valid_python_3_9() -> None:
    result = subprocess.run(
        [_tool("vermin"), "-t=3.9-", "--no-tips", "--violations",
         "--backport", "typing", str(PACKAGE)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, "code newer than Python 3.9:\n" + result.stdout + result.stderr


def test_public_api_type_checks() -> None:
    result = subprocess.run(
        [_tool("mypy"), "--config-file", str(ROOT / "setup.cfg"), "-p", "pact_unittest"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, "mypy found problems:\n" + result.stdout + result.stderr
