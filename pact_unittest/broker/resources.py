"""What the version, tag, pacticipant, branch and pact-listing commands do.

Same contract as :mod:`pact_unittest.broker.commands` (a :class:`Context` in, an
:class:`Outcome` out, the Ruby CLI's requests in its order). ``describe-version
--version`` and ``create-version-tag`` go to ``/pacticipants/...`` directly, as the Ruby
CLI does; the others follow the index's relations.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence

from .errors import BrokerError
from .commands import CommandError, Context, Outcome, raw_json
from .hal import Resource
from .output import describe, table


# -- versions and tags -----------------------------------------------------------------

def create_or_update_version(ctx: Context, pacticipant: str, version: str,
                             branch: Optional[str] = None, tags: Sequence[str] = ()) -> Outcome:
    hal = ctx.hal
    created: Optional[Resource] = None
    if branch:
        link = hal.index.link("pb:pacticipant-branch-version")
        if link is None:
            raise CommandError(f"This version of {hal.name} does not support branch versions,"
                               "or you do not have the required permissions to create one. "
                               "Please ensure you have upgraded to version 2.82.0 or later for "
                               "branch support.")
        hal.send("PUT", link.expand(pacticipant=pacticipant, version=version, branch=branch).href,
                 empty_body=True)
    for tag in tags:
        hal.send("PUT", hal.index_link("pb:pacticipant-version-tag", pacticipant=pacticipant,
                                       version=version, tag=tag), empty_body=True)
    version_url = hal.index_link("pb:pacticipant-version", pacticipant=pacticipant, version=version)
    if not branch and not tags:
        created = hal.send("PUT", version_url, empty_body=True)
    if ctx.json:
        return Outcome(True, raw_json(created or hal.get(version_url)))
    text = f"Created/updated pacticipant version {version}"
    if branch and tags:
        text += f" with branch {branch} and tag(s) {', '.join(tags)}"
    elif branch:
        text += f" with branch {branch}"
    elif tags:
        text += f" with tag(s) {', '.join(tags)}"
    return Outcome(True, ctx.style.green(f"{text} in {hal.name}"))


def create_version_tag(ctx: Context, pacticipant: str, version: str, tags: Sequence[str],
                       auto_create_version: bool = False,
                       say: Callable[[str], None] = print) -> Outcome:
    """Tag a version; without ``auto_create_version`` the version must exist. ``say``
    gets each "Tagging ..." line before its request (as the Ruby CLI prints them)."""
    hal = ctx.hal
    version_url = hal.path("pacticipants", pacticipant, "versions", version)
    if not auto_create_version and hal.get_or_none(version_url) is None:
        raise CommandError(f"Could not create tag. Version {version} of {pacticipant} does "
                           "not exist.")
    for tag in tags:
        say(f"Tagging {pacticipant} version {version} as {tag}")
        hal.send("PUT", hal.path("pacticipants", pacticipant, "versions", version, "tags", tag),
                 empty_body=True)
    return Outcome(True, "")


def describe_version(ctx: Context, pacticipant: str, version: Optional[str] = None,
                     latest_tag: Optional[str] = None, *, id_only: bool = False) -> Outcome:
    """``id_only`` (``-o id``): just the version number, for a shell variable (what later
    Ruby clients print; 1.75.1 lists the option but refuses it)."""
    hal = ctx.hal
    if version:
        found = hal.get_or_none(hal.path("pacticipants", pacticipant, "versions", version))
    elif latest_tag:
        found = hal.get_or_none(hal.index_link("pb:latest-tagged-version",
                                               pacticipant=pacticipant, tag=latest_tag))
    else:
        found = hal.get_or_none(hal.index_link("pb:latest-version", pacticipant=pacticipant))
    if found is None:
        return Outcome(False, "Pacticipant version not found")
    if ctx.json:
        return Outcome(True, raw_json(found))
    if id_only:
        return Outcome(True, str(found.data.get("number", "")))
    tags = " ".join(str(t.get("name")) for t in found.embedded("tags"))
    return Outcome(True, table([[found.data.get("number"), tags]], ["number", "tags"], [None, None]))


# -- pacticipants ----------------------------------------------------------------------

def _pacticipant_url(ctx: Context, name: str) -> str:
    return ctx.hal.index_link("pb:pacticipant", pacticipant=name)


def create_or_update_pacticipant(ctx: Context, name: str, display_name: Optional[str] = None,
                                 main_branch: Optional[str] = None,
                                 repository_url: Optional[str] = None) -> Outcome:
    hal = ctx.hal
    body = {k: v for k, v in (("name", name), ("repositoryUrl", repository_url),
                              ("displayName", display_name), ("mainBranch", main_branch))
            if v is not None}
    existing = hal.get_or_none(_pacticipant_url(ctx, name))
    if existing is None:
        action = "created"
        answer = hal.send("POST", hal.index_link("pb:pacticipants"), body)
    else:
        action = "updated"
        answer = hal.send("PATCH", existing.require("self").href, body)
    if ctx.json:
        return Outcome(True, raw_json(answer))
    return Outcome(True, ctx.style.green(f'Pacticipant "{name}" {action} in {hal.name}'))


def describe_pacticipant(ctx: Context, name: str) -> Outcome:
    found = ctx.hal.get(_pacticipant_url(ctx, name), missing=f"No pacticipant named {name!r}")
    if ctx.json:
        return Outcome(True, raw_json(found))
    properties: Dict[str, Any] = {k: v for k, v in found.data.items()
                                  if k not in ("_links", "_embedded")}
    labels = found.embedded("labels")
    if labels:
        properties["labels"] = labels
    return Outcome(True, describe(properties))


def list_pacticipants(ctx: Context) -> Outcome:
    listing = ctx.hal.get(ctx.hal.index_link("pb:pacticipants"))
    if ctx.json:
        return Outcome(True, raw_json(listing))
    items = sorted(listing.embedded("pacticipants"), key=lambda p: str(p.get("name", "")).lower())
    rows: List[List[Any]] = [[p.get("name"), p.get("displayName")] for p in items]
    headers = ["name", "display name"]
    widths: List[Optional[int]] = [max([4] + [len(str(r[0] or "")) for r in rows]),
                                   max([12] + [len(str(r[1] or "")) for r in rows])]
    if any(p.get("uuid") for p in items):
        rows = [[p.get("uuid", "")] + r for p, r in zip(items, rows)]
        headers.insert(0, "uuid")
        widths.insert(0, max(len(str(p.get("uuid") or "")) for p in items))
    return Outcome(True, table(rows, headers, widths))


# -- branches and pacts ----------------------------------------------------------------

def delete_branch(ctx: Context, pacticipant: str, branch: str,
                  error_when_not_found: bool = True) -> Outcome:
    hal = ctx.hal
    link = hal.index.link("pb:pacticipant-branch")
    if link is None:
        raise CommandError(f"This version of {hal.name} does not support deleting branches. "
                           "Please upgrade to version 2.108.0 or later.")
    url = link.expand(pacticipant=pacticipant, branch=branch).href
    try:
        hal.send("DELETE", url)
    except BrokerError as exc:  # 404 is an answer here, not a failure
        if exc.status != 404:
            raise
        if error_when_not_found:
            return Outcome(False, ctx.style.red(f"Could not delete branch {branch} of "
                                                f"pacticipant {pacticipant} as it was not found"))
        return Outcome(True, ctx.style.green(f"Branch {branch} of pacticipant {pacticipant} "
                                             "not found"))
    return Outcome(True, ctx.style.green(f"Successfully deleted branch {branch} of pacticipant "
                                         f"{pacticipant}"))


def list_latest_pact_versions(ctx: Context) -> Outcome:
    listing = ctx.hal.get(ctx.hal.index_link("pb:latest-pact-versions"))
    if ctx.json:
        return Outcome(True, raw_json(listing))

    def dig(pact: Dict[str, Any], *keys: str) -> Any:
        node: Any = pact
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        return node

    found = listing.data.get("pacts")
    pacts: List[Any] = found if isinstance(found, list) else []
    rows = [[dig(p, "_embedded", "consumer", "name"),
             dig(p, "_embedded", "consumer", "_embedded", "version", "number"),
             dig(p, "_embedded", "provider", "name"), p.get("createdAt")]
            for p in pacts if isinstance(p, dict)]
    return Outcome(True, table(rows, ["consumer", "consumer_version", "provider", "created_at"]))
