"""What each broker command does, independent of the command line: environments,
deployments and releases.

Each function takes a :class:`Context` (the HAL navigator, the output style, whether the
caller wants JSON) and plain values, sends the requests the Ruby ``pact-broker`` CLI
sends, in its order, and returns an :class:`Outcome`: success and the text to print
(Ruby's wording; ``-o json`` prints the broker's body). A refusal the CLI decides itself
(an unknown environment, an ambiguous application instance) raises :class:`CommandError`;
HTTP failures raise the transport's :class:`~pact_unittest.broker.errors.BrokerError`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from .errors import BrokerError
from .hal import Hal, Resource, names
from .output import Style, describe, pretty_json, table

NOT_SUPPORTED = ("This version of the Pact Broker does not support environments. Please "
                 "upgrade to version 2.80.0 or later.")


class CommandError(BrokerError):
    """The command refused to go on (a precondition the CLI checks, not an HTTP error)."""


@dataclass
class Context:
    hal: Hal
    style: Style
    json: bool = False


@dataclass
class Outcome:
    ok: bool
    text: str


def raw_json(resource: Resource) -> str:
    return pretty_json(resource.raw)


def _environments_link(ctx: Context) -> str:
    link = ctx.hal.index.link("pb:environments")
    if link is None:
        raise CommandError(NOT_SUPPORTED)
    return link.href


# -- environments ----------------------------------------------------------------------

def environment_body(name: Optional[str], display_name: Optional[str], production: bool,
                     contact_name: Optional[str], contact_email: Optional[str]) -> Dict[str, Any]:
    """The environment JSON, keys as the Ruby CLI orders them; ``None`` values left out."""
    body: Dict[str, Any] = {"name": name, "displayName": display_name, "production": production}
    if contact_name or contact_email:
        contact: Dict[str, Any] = {"name": contact_name or "unknown"}
        if contact_email:
            contact["details"] = {"emailAddress": contact_email}
        body["contacts"] = [contact]
    return {k: v for k, v in body.items() if v is not None}


def create_environment(ctx: Context, body: Dict[str, Any]) -> Outcome:
    created = ctx.hal.send("POST", _environments_link(ctx), body)
    if ctx.json:
        return Outcome(True, raw_json(created))
    return Outcome(True, ctx.style.green(
        f"Created {body.get('name')} environment in {ctx.hal.name} with UUID "
        f"{created.data.get('uuid')}"))


def _environment(ctx: Context, uuid: str) -> Resource:
    _environments_link(ctx)
    url = ctx.hal.index_link("pb:environment", uuid=uuid)
    return ctx.hal.get(url, missing=f"No environment with UUID {uuid!r} exists")


_READ_ONLY = ("uuid", "_links", "_embedded", "createdAt", "updatedAt")


def update_environment(ctx: Context, uuid: str, body: Dict[str, Any]) -> Outcome:
    existing = _environment(ctx, uuid)
    merged = {k: v for k, v in existing.data.items() if k not in _READ_ONLY}
    merged.update(body)
    updated = ctx.hal.send("PUT", existing.url, merged)
    if ctx.json:
        return Outcome(True, raw_json(updated))
    return Outcome(True, ctx.style.green(
        f"Updated {merged.get('name')} environment in {ctx.hal.name}"))


def describe_environment(ctx: Context, uuid: str) -> Outcome:
    env = _environment(ctx, uuid)
    if ctx.json:
        return Outcome(True, raw_json(env))
    return Outcome(True, describe({k: v for k, v in env.data.items()
                                   if k not in ("_links", "_embedded")}))


def delete_environment(ctx: Context, uuid: str) -> Outcome:
    env = _environment(ctx, uuid)
    deleted = ctx.hal.send("DELETE", env.url)
    if ctx.json:
        return Outcome(True, raw_json(deleted))
    return Outcome(True, ctx.style.green(
        f"Deleted environment {env.data.get('name')} from {ctx.hal.name}"))


def list_environments(ctx: Context) -> Outcome:
    listing = ctx.hal.get(_environments_link(ctx))
    if ctx.json:
        return Outcome(True, raw_json(listing))
    envs = sorted(listing.embedded("environments"), key=lambda e: str(e.get("name", "")).lower())
    rows = [[e.get("uuid"), e.get("name"), e.get("displayName"),
             "true" if e.get("production") else "false"] for e in envs]
    uuid_width = max((len(str(e.get("uuid") or "")) for e in envs), default=4)
    return Outcome(True, table(rows, ["uuid", "name", "display name", "production"],
                               [max(uuid_width, 4), None, None, None]))


# -- deployments and releases ----------------------------------------------------------

def _pacticipant_version(ctx: Context, pacticipant: str, version: str) -> Resource:
    url = ctx.hal.index_link("pb:pacticipant-version", pacticipant=pacticipant, version=version)
    return ctx.hal.get(url, missing=f"{pacticipant} version {version} not found")


def record_deployment(ctx: Context, pacticipant: str, version: str, environment: str,
                      application_instance: Optional[str] = None, *,
                      action: str = "deployment") -> Outcome:
    """``record-deployment`` (``action="release"``: ``record-release``)."""
    _environments_link(ctx)
    rel = "pb:record-deployment" if action == "deployment" else "pb:record-release"
    version_resource = _pacticipant_version(ctx, pacticipant, version)
    if not version_resource.links(rel):
        raise CommandError(f"This version of the Pact Broker does not support recording "
                           f"{action}s. Please upgrade to version 2.80.0 or later.")
    link = version_resource.find(rel, environment)
    if link is None:
        # The Ruby CLI reads the version again before it looks at the environments.
        options = names(_pacticipant_version(ctx, pacticipant, version).links(rel))
        known = ctx.hal.get(_environments_link(ctx)).find("pb:environments", environment)
        if known is not None:
            message = (f"Environment '{environment}' is not an available option for "
                       f"recording a deployment of {pacticipant}.")
        else:
            message = f"No environment found with name '{environment}'."
        raise CommandError(message[:-1] + ". Available options: " + ", ".join(options))
    body = {}
    if action == "deployment" and application_instance:
        body = {"applicationInstance": application_instance, "target": application_instance}
    recorded = ctx.hal.send("POST", link.href, body)
    if ctx.json:
        return Outcome(True, raw_json(recorded))
    text = f"Recorded {action} of {pacticipant} version {version} to {environment} environment"
    if action == "deployment" and application_instance:
        text += f" (application instance {application_instance})"
    return Outcome(True, ctx.style.green(f"{text} in {ctx.hal.name}."))


def _environment_by_name(ctx: Context, environment: str) -> Resource:
    listing = ctx.hal.get(_environments_link(ctx))
    link = listing.find("pb:environments", environment)
    if link is None:
        raise CommandError(f"No environment found with name '{environment}'. Available "
                           "options: " + ", ".join(names(listing.links("pb:environments"))))
    return ctx.hal.get(link.href)


def _pacticipant_missing(ctx: Context, pacticipant: str) -> bool:
    link = ctx.hal.index.link("pb:pacticipant")
    return link is not None and ctx.hal.get_or_none(link.expand(pacticipant=pacticipant).href) is None


def record_undeployment(ctx: Context, pacticipant: str, environment: str,
                        application_instance: Optional[str] = None) -> Outcome:
    _environments_link(ctx)
    env = _environment_by_name(ctx, environment)
    link = env.require("pb:currently-deployed-deployed-versions", "pb:currently-deployed-versions")
    deployed = ctx.hal.get(link.href, [("pacticipant", pacticipant)]).embedded("deployedVersions")

    def instance(entry: Dict[str, Any]) -> Optional[str]:
        return entry.get("applicationInstance") or entry.get("target")

    chosen = [d for d in deployed if instance(d) == application_instance]
    if not chosen:
        if _pacticipant_missing(ctx, pacticipant):
            raise CommandError(f"No pacticipant with name '{pacticipant}' found.")
        if not deployed:
            raise CommandError(f"{pacticipant} is not currently deployed to {environment} "
                               "environment. Cannot record undeployment.")
        found = [instance(d) for d in deployed]
        listed = ", ".join(i for i in found if i)
        if application_instance is None:
            raise CommandError("Please specify one of the following application instances to "
                               f"record the undeployment from: {listed}")
        choices = (["omit the application instance"] if None in found else []) + (
            [f"specify one of the following application instances to record the undeployment "
             f"from: {listed}"] if listed else [])
        raise CommandError(f"{pacticipant} is not currently deployed to application instance "
                           f"'{application_instance}' in {environment} environment. Please "
                           + " or ".join(choices) + ".")
    return _patch_each(ctx, chosen, {"currentlyDeployed": False}, lambda r: _undeployed_text(
        r, pacticipant, environment, application_instance))


def _undeployed_text(resource: Resource, pacticipant: str, environment: str,
                     application_instance: Optional[str]) -> str:
    number = ((resource.data.get("_embedded") or {}).get("version") or {}).get("number")
    text = f"Recorded undeployment of {pacticipant}"
    if number:
        text += f" version {number}"
    text += f" from {environment} environment"
    if application_instance:
        text += f" (application instance {application_instance})"
    return text


def record_support_ended(ctx: Context, pacticipant: str, version: str,
                         environment: str) -> Outcome:
    _environments_link(ctx)
    env = _environment_by_name(ctx, environment)
    link = env.require("pb:currently-supported-released-versions", "pb:currently-supported-versions")
    released = ctx.hal.get(link.href, [("pacticipant", pacticipant), ("version", version)]
                           ).embedded("releasedVersions")
    if not released:
        if _pacticipant_missing(ctx, pacticipant):
            raise CommandError(f"No pacticipant with name '{pacticipant}' found.")
        raise CommandError(f"{pacticipant} version {version} is not currently released in "
                           f"{environment} environment. Cannot record support ended.")
    return _patch_each(ctx, released, {"currentlySupported": False}, lambda r: (
        f"Recorded support ended for {pacticipant} version {version} in {environment} "
        "environment"))


def _patch_each(ctx: Context, entries: List[Dict[str, Any]], body: Dict[str, Any],
                text: Any) -> Outcome:
    done = []
    for entry in entries:
        href = ((entry.get("_links") or {}).get("self") or {}).get("href")
        if not href:
            raise CommandError("The broker listed a deployment without a self link.")
        done.append(ctx.hal.send("PATCH", href, body))
    if ctx.json:
        return Outcome(True, json.dumps([r.raw for r in done], indent=2, ensure_ascii=False))
    return Outcome(True, "\n".join(ctx.style.green(f"{text(r)} in {ctx.hal.name}.") for r in done))
