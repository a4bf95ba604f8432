"""The v2 examples run with the current directory in a temporary folder.

pact-python v2 writes pact files (and Ruby wrote its log) into the current directory by
default; running each example from its own temporary directory keeps the checkout clean.
"""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _in_tmp_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield tmp_path
