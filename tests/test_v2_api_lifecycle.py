"""The v2 API's service lifecycle: what pact-python 2.3.3 did where a QA pass found us
different (interaction clashes, a relative pact_dir, docstrings), two Pacts on one port,
and a service started before a fork (Django ``--parallel`` forks its workers after the
test modules were imported)."""
from __future__ import annotations

import inspect
import json
import os
import pydoc

import pytest
import requests

from pact_unittest.consumer import Consumer
from pact_unittest.matchers import Like
from pact_unittest.pact import Pact
from pact_unittest.provider import Provider


def _pact(**kwargs):
    kwargs.setdefault("host_name", "127.0.0.1")
    kwargs.setdefault("port", 0)
    return Consumer("C").has_pact_with(Provider("P"), **kwargs)


def _get_user(pact, body):
    (pact.given("user 1 exists").upon_receiving("a request for user 1")
         .with_request("get", "/users/1").will_respond_with(200, body=body))


# ----------------------------------------------------------------------------- clashes


def test_an_interaction_clash_is_an_assertion_error_with_rubys_text(tmp_path):
    # pact-python 2.3.3: Ruby answered the PUT with 500 and v2's `assert status == 200,
    # resp.text` made it an AssertionError, so unittest counted a FAIL, not an ERROR.
    pact = _pact(pact_dir=str(tmp_path))
    pact.start_service()
    try:
        _get_user(pact, {"name": "Ada"})
        with pact:
            requests.get(pact.uri + "/users/1")
        _get_user(pact, {"name": "Bob"})
        with pytest.raises(AssertionError) as info:
            with pact:
                pass
        assert "An interaction with same description (\"a request for user 1\")" in str(
            info.value)
        assert "but a different response body has already been used" in str(info.value)
    finally:
        pact.stop_service()


# ----------------------------------------------------------------------------- pact_dir


def test_a_relative_pact_dir_is_resolved_when_the_service_starts(tmp_path, monkeypatch):
    # pact-python 2.3.3 gave Ruby the relative path at start_service(); Ruby resolved it
    # against its own working directory, fixed when it was spawned.
    (tmp_path / "start").mkdir()
    (tmp_path / "later").mkdir()
    monkeypatch.chdir(tmp_path / "start")
    pact = _pact(pact_dir="pacts")
    pact.start_service()
    try:
        monkeypatch.chdir(tmp_path / "later")
        _get_user(pact, Like({"name": "Ada"}))
        with pact:
            requests.get(pact.uri + "/users/1")
    finally:
        pact.stop_service()
    assert (tmp_path / "start" / "pacts" / "c-p.json").is_file()
    assert not (tmp_path / "later" / "pacts").exists()
    assert pact.pact_dir == "pacts"  # the attribute stays as given, as in v2


# ----------------------------------------------------------------------------- docstrings


def test_pact_documents_its_own_constructor_and_v2_methods():
    init_doc = inspect.getdoc(Pact.__init__) or ""
    assert "client_options" not in init_doc  # was Broker.__init__'s, inherited
    assert "host_name" in init_doc and "mock_service" in init_doc
    for name in ("__enter__", "__exit__", "setup", "verify", "start_service", "stop_service"):
        doc = getattr(Pact, name).__doc__
        assert doc and len(doc.split()) > 12, name
    assert "verif" in Pact.__exit__.__doc__ and "raised" in Pact.__exit__.__doc__
    assert "client_options" not in pydoc.render_doc(Pact, renderer=pydoc.plaintext)
