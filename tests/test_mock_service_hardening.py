"""Hostile or broken input to the mock service (issue 14): each is refused with a clear
answer naming the problem, and the service goes on serving what was registered before.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List

import pytest
import requests

from pact_unittest.mock_service import MockService

ADMIN = {"X-Pact-Mock-Service": "true", "Content-Type": "application/json"}
BASELINE = {"description": "the baseline", "request": {"method": "GET", "path": "/base"},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": {"ok": True}}}


@contextmanager
def serving(**options: Any) -> Iterator[MockService]:
    """A started service holding BASELINE, checked to still hold and serve it at the end."""
    with MockService("C", "P", **options) as svc:
        assert put(svc, [BASELINE]).status_code == 200
        yield svc
        still_serves(svc)


def put(svc: MockService, interactions: List[Dict[str, Any]], **headers: str) -> requests.Response:
    return requests.put(svc.uri + "/interactions", headers={**ADMIN, **headers},
                        data=json.dumps({"interactions": interactions}), timeout=30)


def post(svc: MockService, interaction: Dict[str, Any]) -> requests.Response:
    return requests.post(svc.uri + "/interactions", headers=ADMIN, data=json.dumps(interaction),
                         timeout=30)


def still_serves(svc: MockService) -> None:
    """The baseline is still registered and answered."""
    assert "the baseline" in [i.description for i in svc.session.snapshot_expected()]
    reply = requests.get(svc.uri + "/base", timeout=30)
    assert (reply.status_code, reply.json()) == (200, {"ok": True})


def interaction(description: str = "x", request: Any = None, response: Any = None) -> Dict[str, Any]:
    return {"description": description,
            "request": request or {"method": "GET", "path": "/x"},
            "response": response or {"status": 200}}


# ------------------------------------------------------------------ 1. CORS on admin paths

def test_without_cors_a_web_page_cannot_drive_the_admin_api(tmp_path):
    with serving(pact_dir=str(tmp_path)) as svc:
        evil = {"Origin": "http://evil.example"}
        preflight = requests.options(svc.uri + "/interactions", headers={
            **evil, "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "x-pact-mock-service,content-type"})
        assert preflight.status_code == 403
        assert "cross-origin" in preflight.json()["message"]
        assert "--cors" in preflight.json()["message"]
        assert "Access-Control-Allow-Origin" not in preflight.headers
        reply = put(svc, [interaction("planted")], **evil)
        assert reply.status_code == 403 and "--cors" in reply.json()["message"]
        assert "Access-Control-Allow-Origin" not in reply.headers
        reply = requests.post(svc.uri + "/pact", headers={**ADMIN, **evil},
                              data=json.dumps({"pact_dir": str(tmp_path / "elsewhere")}))
        assert reply.status_code == 403
        assert list(tmp_path.iterdir()) == []
        # the service's own origin (a page it served) and non-browser clients still pass
        own = put(svc, [BASELINE], Origin=svc.uri)
        assert own.status_code == 200 and "Access-Control-Allow-Origin" not in own.headers


def test_with_cors_admin_preflights_and_requests_are_allowed():
    with serving(cors=True) as svc:
        origin = {"Origin": "http://app.example"}
        preflight = requests.options(svc.uri + "/interactions", headers={
            **origin, "Access-Control-Request-Headers": "x-pact-mock-service"})
        assert preflight.status_code == 200
        assert preflight.headers["Access-Control-Allow-Origin"] == "http://app.example"
        reply = put(svc, [BASELINE, interaction("from a page")], **origin)
        assert reply.status_code == 200
        assert reply.headers["Access-Control-Allow-Origin"] == "http://app.example"
        assert reply.headers["Access-Control-Allow-Credentials"] == "true"
