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


def _package_modules() -> list:
    """Every module of the package by dotted name, except ``__main__`` ones (importing them
    runs a program)."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    # An import cycle only shows when the modules of the cycle are imported in one order
    # (matchers_v3 first used to fail while matchers first worked), so each module gets
    # an interpreter of its own.
    from concurrent.futures import ThreadPoolExecutor

    def _import(name: str) -> tuple:
        result = subprocess.run([sys.executable, "-c", f"import {name}"],
                                capture_output=True, text=True, cwd=ROOT)
        return name, result.returncode, result.stderr

    modules = _package_modules()
    assert len(modules) > 60 and "pact_unittest.matchers.v3" in modules
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(_import, modules))
    failures = [f"{name}:\n{stderr.strip().splitlines()[-1] if stderr.strip() else rc}"
                for name, rc, stderr in results if rc != 0]
    assert not failures, "modules that fail to import alone:\n" + "\n".join(failures)
