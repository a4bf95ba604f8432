"""The resources a simulated fake broker keeps besides pacts and verification results:
environments, pacticipants, versions and branches, releases, webhooks.

Used by :class:`fake_broker.FakeBroker` with ``resources=True``: the index is then the one
a real pact_broker 2.112.0 served in the recordings (every relation), and the requests the
commands without a recording send (``list-environments``, ``describe-pacticipant``,
``create-webhook``, ``test-webhook``, ...) are answered as that broker answers them, in its
bodies' shapes (``_embedded`` lists, ``self`` links with titles and names, 201 on create,
204 on delete, 404 with the broker's error body). Identifiers are deterministic (a counter),
so two fakes seeded alike give a Ruby CLI and ours the very same answers.

:meth:`Resources.handle` returns ``(status, payload)`` (``payload`` None: no body) or
None when the request is not one of these resources.
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, quote

NOT_FOUND = {"error": "The requested document was not found on this server."}
STAMP = "2026-12-06T12:45:16+00:00"
Reply = Tuple[int, Optional[Dict[str, Any]]]
EVENTS = ("contract_content_changed", "contract_published", "provider_verification_published",
          "provider_verification_succeeded", "provider_verification_failed",
          "contract_requiring_verification_published")


def _q(value: str) -> str:
    return quote(value, safe="")


class Resources:
    """State and answers; ``base()`` gives the broker's base URL at call time."""

    def __init__(self, base: Callable[[], str], pacts: Dict[Tuple[str, str, str], Any]) -> None:
        self.base = base
        self.pacts = pacts
        self.environments: Dict[str, Dict[str, Any]] = {}
        self.pacticipants: Dict[str, Dict[str, Any]] = {}
        self.versions: Dict[Tuple[str, str], Dict[str, Any]] = {}
        self.branches: Dict[Tuple[str, str], List[str]] = {}
        self.releases: Dict[str, Dict[str, Any]] = {}
        self.webhooks: Dict[str, Dict[str, Any]] = {}
        #: Each webhook execution: (method, url, headers, body) as sent.
        self.executions: List[Tuple[str, str, Dict[str, str], Optional[str]]] = []
        self._counter = 0
        self._lock = threading.Lock()

    # -- seeding ------------------------------------------------------------------------

    def next_uuid(self) -> str:
        with self._lock:
            self._counter += 1
            return f"{self._counter:08x}-0000-4000-8000-00000000a11d"

    def add_environment(self, name: str, display_name: Optional[str] = None,
                        production: bool = False, **extra: Any) -> Dict[str, Any]:
        env = {"uuid": extra.pop("uuid", None) or self.next_uuid(), "name": name,
               "displayName": display_name, "production": production, **extra,
               "createdAt": STAMP}
        self.environments[env["uuid"]] = {k: v for k, v in env.items() if v is not None}
        return self.environments[env["uuid"]]

    def add_pacticipant(self, name: str, **fields: Any) -> Dict[str, Any]:
        entry = {"name": name, **{k: v for k, v in fields.items() if v is not None},
                 "createdAt": STAMP}
        self.pacticipants[name] = entry
        return entry

    def add_version(self, pacticipant: str, number: str, branch: Optional[str] = None) -> None:
        self.pacticipants.setdefault(pacticipant, {"name": pacticipant, "createdAt": STAMP})
        self.versions[(pacticipant, number)] = {"number": number, "createdAt": STAMP}
        if branch:
            self.branches.setdefault((pacticipant, branch), []).append(number)

    def add_release(self, pacticipant: str, number: str, environment: str) -> Dict[str, Any]:
        env = next(e for e in self.environments.values() if e["name"] == environment)
        self.add_version(pacticipant, number)
        release = {"uuid": self.next_uuid(), "pacticipant": pacticipant, "version": number,
                   "environment": env["uuid"], "currentlySupported": True}
        self.releases[release["uuid"]] = release
        return release

    # -- bodies -------------------------------------------------------------------------

    def environment_body(self, env: Dict[str, Any]) -> Dict[str, Any]:
        base, label = self.base(), env.get("displayName") or env["name"]
        here = f"{base}/environments/{env['uuid']}"
        return dict(env, _links={
            "self": {"title": "Environment", "name": env["name"], "href": here},
            "pb:currently-deployed-deployed-versions": {
                "title": f"Versions currently deployed to {label} environment",
                "href": here + "/deployed-versions/currently-deployed"},
            "pb:currently-supported-released-versions": {
                "title": f"Versions released and supported in {label} environment",
                "href": here + "/released-versions/currently-supported"},
            "pb:environments": {"title": "Environments", "href": f"{base}/environments"}})

    def pacticipant_body(self, entry: Dict[str, Any]) -> Dict[str, Any]:
        base, name = self.base(), entry["name"]
        here = f"{base}/pacticipants/{_q(name)}"
        body = {k: v for k, v in entry.items() if k != "labels"}
        body["_embedded"] = {"labels": [{"name": l} for l in entry.get("labels") or []]}
        body["_links"] = {"self": {"href": here}, "pb:versions": {"href": here + "/versions"},
                          "pb:branches": {"href": here + "/branches"}}
        return body

    def release_body(self, release: Dict[str, Any]) -> Dict[str, Any]:
        base = self.base()
        name, number = release["pacticipant"], release["version"]
        return {"uuid": release["uuid"], "currentlySupported": release["currentlySupported"],
                "createdAt": STAMP, "_embedded": {
                    "pacticipant": {"name": name, "_links": {"self": {
                        "href": f"{base}/pacticipants/{_q(name)}"}}},
                    "version": {"number": number, "_links": {"self": {
                        "title": "Version", "name": number,
                        "href": f"{base}/pacticipants/{_q(name)}/versions/{_q(number)}"}}}},
                "_links": {"self": {"href": f"{base}/released-versions/{release['uuid']}"}}}

    def webhook_body(self, uuid: str) -> Dict[str, Any]:
        hook, base = self.webhooks[uuid], self.base()
        consumer = (hook.get("consumer") or {}).get("name")
        provider = (hook.get("provider") or {}).get("name")
        if consumer and provider:
            title = f"A webhook for the pact between {consumer} and {provider}"
        elif consumer or provider:
            title = f"A webhook for {consumer or provider}"
        else:
            title = "A webhook for all pacts"
        here = f"{base}/webhooks/{uuid}"
        request = {k: v for k, v in hook["request"].items() if k != "password"}
        if "password" in hook["request"]:
            request["password"] = "**********"
        out = {"uuid": uuid, "description": hook.get("description") or title,
               "enabled": True, "request": request, "events": hook["events"],
               "createdAt": STAMP,
               "_links": {"self": {"title": hook.get("description") or title, "href": here},
                          "pb:execute": {"title": "Test the execution of the webhook with the "
                                         "latest matching pact or verification by sending a "
                                         "POST request to this URL", "href": here + "/execute"},
                          "pb:webhooks": {"title": "All webhooks", "href": f"{base}/webhooks"}}}
        for side in ("consumer", "provider"):
            if hook.get(side):
                out[side] = hook[side]
        if hook.get("teamUuid"):
            out["teamUuid"] = hook["teamUuid"]
        return out

    # -- dispatch -----------------------------------------------------------------------

    def handle(self, method: str, parts: List[str], query: str, body: bytes) -> Optional[Reply]:
        try:
            data = json.loads(body.decode("utf-8")) if body else None
        except ValueError as exc:
            return 400, {"error": f"JSON::ParserError - {exc}"}
        head = parts[0] if parts else ""
        if head == "environments":
            return self._environments(method, parts[1:], dict(parse_qsl(query)), data)
        if head == "released-versions" and len(parts) == 2 and method == "PATCH":
            release = self.releases.get(parts[1])
            if release is None:
                return 404, NOT_FOUND
            release.update({k: v for k, v in (data or {}).items() if k == "currentlySupported"})
            return 200, self.release_body(release)
        if head == "pacticipants" and len(parts) <= 2:
            return self._pacticipants(method, parts[1:], data)
        if head == "pacticipants" and method == "GET" and (
                parts[2:] == ["latest-version"] or len(parts) == 4 and parts[2] == "versions"):
            return self._version(parts[1], parts[3] if len(parts) == 4 else None)
        if head == "pacticipants" and len(parts) == 4 and parts[2] == "branches":
            return self._branch(method, parts[1], parts[3])
        if head == "pacts" and parts[1:] == ["latest"] and method == "GET":
            return 200, self._latest_pacts()
        if head == "webhooks":
            return self._webhooks(method, parts[1:], data)
        return None

    def _environments(self, method: str, rest: List[str], query: Dict[str, str],
                      data: Any) -> Optional[Reply]:
        base = self.base()
        if not rest:
            if method == "GET":
                envs = [self.environment_body(e) for e in self.environments.values()]
                return 200, {"_embedded": {"environments": envs}, "_links": {
                    "self": {"href": f"{base}/environments"},
                    "pb:create": {"title": "Create an environment", "href": f"{base}/environments"},
                    "pb:environments": [{"title": "Environment", "name": e["name"],
                                         "href": e["_links"]["self"]["href"]} for e in envs]}}
            if method == "POST":
                errors = self._environment_errors(data, None)
                if errors:
                    return 400, {"errors": errors}
                return 201, self.environment_body(self.add_environment(
                    data["name"], data.get("displayName"), bool(data.get("production")),
                    **({"contacts": data["contacts"]} if data.get("contacts") else {})))
            return 405, None
        env = self.environments.get(rest[0])
        if env is None:
            return 404, NOT_FOUND
        if len(rest) == 1:
            if method == "GET":
                return 200, self.environment_body(env)
            if method == "PUT":
                errors = self._environment_errors(data, env["uuid"])
                if errors:
                    return 400, {"errors": errors}
                keep = {"uuid": env["uuid"], "createdAt": env["createdAt"]}
                env.clear()
                env.update(keep, **{k: v for k, v in data.items()
                                    if k not in ("uuid", "createdAt", "_links")})
                env["updatedAt"] = STAMP
                return 200, self.environment_body(env)
            if method == "DELETE":
                del self.environments[env["uuid"]]
                return 204, None
            return 405, None
        if rest[1:] == ["released-versions", "currently-supported"] and method == "GET":
            found = [r for r in self.releases.values() if r["environment"] == env["uuid"]
                     and r["currentlySupported"]
                     and query.get("pacticipant", r["pacticipant"]) == r["pacticipant"]
                     and query.get("version", r["version"]) == r["version"]]
            return 200, {"_embedded": {"releasedVersions": [self.release_body(r) for r in found]},
                         "_links": {"self": {"href": f"{base}/environments/{env['uuid']}"
                                                     "/released-versions/currently-supported"}}}
        return None

    def _environment_errors(self, data: Any, uuid: Optional[str]) -> Dict[str, List[str]]:
        if not isinstance(data, dict) or not data.get("name"):
            return {"name": ["is missing"]}
        if any(e["name"] == data["name"] and e["uuid"] != uuid for e in self.environments.values()):
            return {"name": [f"name '{data['name']}' is already used by an existing environment"]}
        return {}

    def _pacticipants(self, method: str, rest: List[str], data: Any) -> Optional[Reply]:
        base = self.base()
        fields = ("name", "displayName", "mainBranch", "repositoryUrl")
        if not rest:
            if method == "GET":
                items = [self.pacticipant_body(p) for p in
                         sorted(self.pacticipants.values(), key=lambda p: p["name"].lower())]
                return 200, {"_embedded": {"pacticipants": items},
                             "_links": {"self": {"href": f"{base}/pacticipants"}}}
            if method == "POST":
                if not isinstance(data, dict) or not data.get("name"):
                    return 400, {"errors": {"name": ["is missing"]}}
                if data["name"] in self.pacticipants:
                    return 409, {"errors": {"name": ["is already taken"]}}
                return 201, self.pacticipant_body(self.add_pacticipant(
                    data["name"], **{k: data.get(k) for k in fields[1:]}))
            return 405, None
        entry = self.pacticipants.get(rest[0])
        if entry is None:
            return 404, NOT_FOUND
        if method == "GET":
            return 200, self.pacticipant_body(entry)
        if method == "PATCH":
            entry.update({k: v for k, v in (data or {}).items() if k in fields[1:]})
            entry["updatedAt"] = STAMP
            return 200, self.pacticipant_body(entry)
        return 405, None

    def _version(self, pacticipant: str, number: Optional[str]) -> Reply:
        numbers = [n for p, n in self.versions if p == pacticipant]
        if number is None and numbers:
            number = numbers[-1]
        if number not in numbers:
            return 404, NOT_FOUND
        here = f"{self.base()}/pacticipants/{_q(pacticipant)}/versions/{_q(str(number))}"
        return 200, dict(self.versions[(pacticipant, str(number))], _embedded={"tags": []},
                         _links={"self": {"title": "Version", "name": number, "href": here}})

    def _branch(self, method: str, pacticipant: str, branch: str) -> Optional[Reply]:
        key = (pacticipant, branch)
        if key not in self.branches:
            return 404, NOT_FOUND
        if method == "DELETE":
            del self.branches[key]
            return 204, None
        if method == "GET":
            return 200, {"name": branch, "createdAt": STAMP, "_links": {"self": {
                "href": f"{self.base()}/pacticipants/{_q(pacticipant)}/branches/{_q(branch)}"}}}
        return 405, None

    def _latest_pacts(self) -> Dict[str, Any]:
        latest: Dict[Tuple[str, str], str] = {}
        for consumer, provider, version in self.pacts:  # insertion order: the last wins
            latest[(consumer, provider)] = version
        base, pacts = self.base(), []
        for (consumer, provider), version in sorted(latest.items()):
            href = (f"{base}/pacts/provider/{_q(provider)}/consumer/{_q(consumer)}"
                    f"/version/{_q(version)}")
            pacts.append({"createdAt": STAMP, "_embedded": {
                "consumer": {"name": consumer, "_links": {"self": {
                    "href": f"{base}/pacticipants/{_q(consumer)}"}},
                    "_embedded": {"version": {"number": version}}},
                "provider": {"name": provider, "_links": {"self": {
                    "href": f"{base}/pacticipants/{_q(provider)}"}}}},
                "_links": {"self": [{"href": f"{base}/pacts/provider/{_q(provider)}/consumer/"
                                             f"{_q(consumer)}/latest"}, {"href": href}]}})
        return {"_links": {"self": {"href": f"{base}/pacts/latest"}}, "pacts": pacts}

    # -- webhooks -----------------------------------------------------------------------

    def _webhooks(self, method: str, rest: List[str], data: Any) -> Optional[Reply]:
        if not rest and method == "POST":
            return self.save_webhook(self.next_uuid(), data)
        if len(rest) == 4 and rest[0] == "provider" and rest[2] == "consumer" and method == "POST":
            for name in (rest[1], rest[3]):
                if name not in self.pacticipants:
                    return 404, NOT_FOUND
            body = dict(data or {}, provider={"name": rest[1]}, consumer={"name": rest[3]})
            return self.save_webhook(self.next_uuid(), body)
        if len(rest) == 1 and method == "PUT":
            return self.save_webhook(rest[0], data)
        if len(rest) == 1 and method == "GET":
            return (200, self.webhook_body(rest[0])) if rest[0] in self.webhooks else (404, NOT_FOUND)
        if len(rest) == 2 and rest[1] == "execute" and method == "POST":
            return self._execute(rest[0])
        return None

    def save_webhook(self, uuid: str, data: Any) -> Reply:
        errors: Dict[str, List[str]] = {}
        if not isinstance(data, dict):
            return 400, {"errors": {"body": ["must be a JSON object"]}}
        events = data.get("events") or []
        if not events:
            errors["events"] = ["size cannot be less than 1"]
        for i, event in enumerate(events):
            if not isinstance(event, dict) or event.get("name") not in EVENTS:
                errors[f"events[{i}].name"] = ["is not a valid event name"]
        request = data.get("request") or {}
        for key in ("method", "url"):
            if not request.get(key):
                errors[f"request.{key}"] = ["is missing"]
        if str(request.get("url", "")).startswith("ftp:"):
            errors["request.url"] = ["scheme must be https. See /doc/webhooks#whitelist for more information."]
        for side in ("consumer", "provider"):
            name = (data.get(side) or {}).get("name")
            if name and name not in self.pacticipants:
                errors[f"{side}.name"] = ["does not match an existing pacticipant"]
        if errors:
            return 400, {"errors": errors}
        created = uuid not in self.webhooks
        self.webhooks[uuid] = {k: v for k, v in data.items() if k != "uuid"}
        return (201 if created else 200), self.webhook_body(uuid)

    def _execute(self, uuid: str) -> Reply:
        hook = self.webhooks.get(uuid)
        if hook is None:
            return 404, NOT_FOUND
        request = hook["request"]
        body = request.get("body")
        text = body if isinstance(body, str) or body is None else json.dumps(body)
        headers = dict(request.get("headers") or {})
        self.executions.append((request["method"], request["url"], headers, text))
        sent = urllib.request.Request(request["url"], method=request["method"], headers=headers,
                                      data=text.encode("utf-8") if text is not None else None)
        try:
            with urllib.request.urlopen(sent, timeout=5) as answer:
                status, success = answer.status, 200 <= answer.status < 300
        except urllib.error.HTTPError as exc:
            status, success = exc.code, False
        except OSError as exc:
            success = False
            logs = f"[{STAMP}] ERROR: Error executing webhook {uuid}. {exc}"
            return 200, {"request": {"method": request["method"], "url": request["url"]},
                         "logs": logs, "success": success, "_links": {}}
        logs = (f"[{STAMP}] DEBUG: Webhook context {{}}\n"
                f"[{STAMP}] INFO: HTTP/1.1 {request['method']} {request['url']}\n"
                f"[{STAMP}] INFO: HTTP/1.0 {status}\n"
                f"[{STAMP}] INFO: Webhook {uuid} executed {'successfully' if success else 'unsuccessfully'}")
        return 200, {"request": {"method": request["method"], "url": request["url"]},
                     "response": {"status": status}, "logs": logs, "success": success,
                     "_links": {}}
