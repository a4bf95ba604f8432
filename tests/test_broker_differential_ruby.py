"""Differential: the real Ruby ``pact-broker`` CLI and ours, against twin simulated brokers,
for the commands no recording covers (environments, pacticipants, branches, latest pacts,
support ended, webhooks).

For each case both must send the same requests (method, path, query, JSON body, in order)
and exit alike; the output must be the same once normalised (``broker_differential``), the
same JSON with ``-o json``, and where we word it differently on purpose (listed in
:data:`DELIBERATE`, documented in README.rst "Broker commands"), say what Ruby says in
substance. All Ruby calls of the module run once, two at a time (about 1 s each).
"""
from __future__ import annotations

import json

import pytest

from broker_differential import PROD_UUID, STAGING_UUID, Case, run_cases, ruby_broker_cli
from fake_broker import needs_transcripts
from provider_app import ProviderApp

pytestmark = [pytest.mark.reference, needs_transcripts()]

#: The HTTP server test-webhook's webhook calls (started by the ``runs`` fixture).
TARGET = ProviderApp()
HOOK = "https://ci.example/build"
EVENT_FLAGS = ["--contract-content-changed", "--provider-verification-failed"]


def _existing_webhook(broker):
    broker.resources.save_webhook("hook-1", {
        "events": [{"name": "contract_published"}], "description": "Notify CI",
        "request": {"method": "POST", "url": TARGET.base_url + "/hook",
                    "headers": {"Content-Type": "application/json"}, "body": {"a": 1}}})


def _webhook(*args):
    return ["create-webhook", HOOK, "-X", "POST", *args]

CASES = [
    Case("list-environments", ["list-environments"]),
    Case("list-environments-json", ["list-environments", "-o", "json"]),
    Case("describe-environment", ["describe-environment", "--uuid", PROD_UUID]),
    Case("describe-environment-json", ["describe-environment", "--uuid", PROD_UUID, "-o", "json"]),
    Case("describe-environment-missing", ["describe-environment", "--uuid", "nope"]),
    Case("update-environment", ["update-environment", "--uuid", STAGING_UUID, "--display-name",
                                "Staging EU", "--contact-name", "Ops",
                                "--contact-email-address", "ops@example.invalid"]),
    Case("update-environment-missing", ["update-environment", "--uuid", "nope", "--name", "x"]),
    Case("delete-environment", ["delete-environment", "--uuid", STAGING_UUID]),
    Case("record-support-ended", ["record-support-ended", "-a", "InventoryAPI", "-e", "5.0.0",
                                  "--environment", "production"]),
    Case("record-support-ended-not-released", ["record-support-ended", "-a", "InventoryAPI",
                                               "-e", "9.9.9", "--environment", "production"]),
    Case("record-support-ended-no-pacticipant", ["record-support-ended", "-a", "Ghost", "-e",
                                                 "1", "--environment", "production"]),
    Case("record-support-ended-unknown-environment", ["record-support-ended", "-a",
                                                      "InventoryAPI", "-e", "5.0.0",
                                                      "--environment", "mars"]),
    Case("create-pacticipant", ["create-or-update-pacticipant", "--name", "NewApp",
                                "--display-name", "New App", "--main-branch", "main",
                                "--repository-url", "https://git.example/new"]),
    Case("update-pacticipant", ["create-or-update-pacticipant", "--name", "WebShop",
                                "--display-name", "Web Shop 2"]),
    Case("update-pacticipant-json", ["create-or-update-pacticipant", "--name", "WebShop",
                                     "--main-branch", "trunk", "-o", "json"]),
    Case("describe-pacticipant", ["describe-pacticipant", "--name", "WebShop"]),
    Case("describe-pacticipant-missing", ["describe-pacticipant", "--name", "Nope"]),
    Case("list-pacticipants", ["list-pacticipants"]),
    Case("list-pacticipants-json", ["list-pacticipants", "-o", "json"]),
    Case("list-latest-pact-versions", ["list-latest-pact-versions"]),
    Case("list-latest-pact-versions-json", ["list-latest-pact-versions", "-o", "json"]),
    Case("delete-branch", ["delete-branch", "-a", "WebShop", "--branch", "feat/x"]),
    Case("delete-branch-missing", ["delete-branch", "-a", "WebShop", "--branch", "gone"]),
    Case("delete-branch-missing-allowed", ["delete-branch", "-a", "WebShop", "--branch", "gone",
                                           "--no-error-when-not-found"]),
    # -- webhooks
    Case("create-webhook", _webhook(
        "-H", "Content-Type: application/json", "Authorization: Bearer x", "-d",
        '{"event": "${pactbroker.eventName}"}', "--user", "bob:pw", "--consumer", "WebShop",
        "--provider", "InventoryAPI", "--description", "Trigger CI", *EVENT_FLAGS)),
    Case("create-webhook-no-description", _webhook("--consumer", "WebShop", "--provider",
                                                   "InventoryAPI", "--contract-published")),
    Case("create-webhook-provider-only", ["create-webhook", HOOK, "-X", "GET", "--provider",
                                          "InventoryAPI", "--contract-published", "--team-uuid",
                                          "t-1", "-d", "plain text", "--user", "alice"]),
    Case("create-webhook-consumer-label", _webhook("--consumer-label", "mobile",
                                                   "--provider-verification-published")),
    Case("create-webhook-every-event", _webhook(
        "--contract-requiring-verification-published", "--provider-verification-succeeded",
        "--contract-published", "--provider-verification-published", *EVENT_FLAGS)),
    Case("create-webhook-repeated-headers", _webhook("-H", "A: 1", "-H", "B: 2 : 3",
                                                     "--contract-published")),
    Case("create-webhook-no-events", _webhook("--consumer", "WebShop")),
    Case("create-webhook-name-and-label", _webhook("--consumer", "A", "--consumer-label", "b",
                                                   "--contract-published")),
    Case("create-webhook-refused", ["create-webhook", "ftp://ci.example/x", "-X", "POST",
                                    "--contract-published"]),
    Case("create-webhook-unknown-consumer", _webhook("--consumer", "Ghost", "--provider",
                                                     "InventoryAPI", "--contract-published")),
    Case("create-webhook-data-file-missing", _webhook("-d", "@/nonexistent/x.json",
                                                      "--contract-published")),
    Case("create-or-update-webhook-new", ["create-or-update-webhook", HOOK, "--uuid", "hook-9",
                                          "-X", "POST", "--consumer", "WebShop", "--provider",
                                          "InventoryAPI", "--contract-published",
                                          "--no-provider-verification-failed"]),
    Case("create-or-update-webhook-existing", ["create-or-update-webhook", HOOK + "/2", "--uuid",
                                               "hook-1", "-X", "PUT", "--description", "again",
                                               "--contract-published"], _existing_webhook),
    Case("test-webhook", ["test-webhook", "--uuid", "hook-1"], _existing_webhook),
    Case("test-webhook-missing", ["test-webhook", "--uuid", "nope"]),
    # -- can-i-deploy --all / --limit, describe-version -o id
    Case("can-i-deploy-all", ["can-i-deploy", "-a", "WebShop", "--all", "prod", "--to", "prod"]),
    Case("can-i-deploy-all-and-version", ["can-i-deploy", "-a", "WebShop", "--all", "prod", "-a",
                                          "InventoryAPI", "-e", "5.0.0"]),
    Case("can-i-deploy-limit", ["can-i-deploy", "-a", "WebShop", "-e", "1.0.0", "--limit", "5",
                                "--to-environment", "production"]),
    Case("describe-version-id", ["describe-version", "-a", "WebShop", "-e", "1.0.0", "-o", "id"]),
    Case("describe-version-latest-id", ["describe-version", "-a", "WebShop", "-o", "id"]),
]

#: Where our output differs from Ruby's on purpose: what ours must still say, and why.
DELIBERATE = {
    # Ruby: 'Error making request to URL status=404 {body}'; we name what is missing.
    "describe-environment-missing": ["No environment with UUID 'nope' exists", "404",
                                     "BROKER/environments/nope"],
    "update-environment-missing": ["No environment with UUID 'nope' exists", "404"],
    "describe-pacticipant-missing": ["No pacticipant named 'Nope'", "404",
                                     "BROKER/pacticipants/Nope"],
    # Ruby's table prints "Method Mi..." (table_print's method_missing) for a pacticipant
    # without a display name; we leave the cell empty.
    "list-pacticipants": ["NAME | DISPLAY NAME", "InventoryAPI |", "WebShop | Web Shop"],
    # Ruby: 'Error creating webhook. response status=400 body={raw}'; we name each field.
    "create-webhook-refused": ["Error creating webhook.", "400", "request.url: scheme must be "
                               "https. See /doc/webhooks#whitelist for more information."],
    "create-webhook-unknown-consumer": ["Error creating webhook.", "404",
                                        "BROKER/webhooks/provider/InventoryAPI/consumer/Ghost"],
    # Ruby accepts --all but warns 'Unknown switches "--all"'; we declare it.
    "can-i-deploy-all": ["Computer says no", "Missing one or more required verification results"],
    "can-i-deploy-all-and-version": ["Computer says no",
                                     "Missing one or more required verification results"],
    # Ruby names its exception class (Errno::ENOENT ... @ rb_sysopen); we name Python's.
    "create-webhook-data-file-missing": ['Couldn\'t read data from file "/nonexistent/x.json" '
                                         "due to FileNotFoundError No such file or directory"],
    # Ruby crashes with a backtrace (an uncaught ErrorResponseReturned); we say what is missing.
    "test-webhook-missing": ["No webhook with UUID 'nope' exists", "404", "BROKER/webhooks/nope"],
}

#: Where the Ruby CLI fails by a bug of its own: the symptom it shows (checked, so a fixed
#: Ruby makes the test say so) and what ours prints instead, exiting 0.
RUBY_BUGS = {
    # pact_broker-client 1.75.1 reads the response of the create branch on the update path.
    "update-pacticipant-json": ("undefined method `response' for nil:NilClass",
                                '"mainBranch": "trunk"'),
    # 1.75.1 lists "json or table or id" but its formatter refuses id; later clients print
    # the number alone.
    "describe-version-id": ("Invalid output option 'id.", "1.0.0"),
    "describe-version-latest-id": ("Invalid output option 'id.", "1.1.0"),
}


@pytest.fixture(scope="module")
def runs():
    ruby_broker_cli()  # skips (or fails, when required) without the Ruby tools
    TARGET.add("POST", "/hook", 200, {"ok": True}, {"Content-Type": "application/json"})
    with TARGET:
        yield run_cases(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_ours_does_what_the_ruby_cli_does(case, runs):
    theirs, ours = runs[case.name]
    assert ours.requests == theirs.requests
    if case.name in RUBY_BUGS:
        symptom, text = RUBY_BUGS[case.name]
        assert symptom in theirs.output and theirs.code == 1
        assert ours.code == 0 and text in ours.output, ours.output
        return
    assert ours.code == theirs.code, (theirs.output, ours.output)
    if "json" in case.args and "-o" in case.args:
        assert json.loads(ours.output) == json.loads(theirs.output)
    elif case.name in DELIBERATE:
        for text in DELIBERATE[case.name]:
            assert text in ours.output, f"{text!r} missing from {ours.output!r}"
    else:
        assert ours.output == theirs.output
    if case.name == "test-webhook":  # the webhook really ran, once for each CLI
        assert "Webhook hook-1 executed successfully" in ours.output
        for run in (theirs, ours):
            assert run.broker.resources.executions == [
                ("POST", TARGET.base_url + "/hook", {"Content-Type": "application/json"},
                 '{"a": 1}')]
        assert TARGET.requests == ["POST /hook"] * 2


def test_the_cases_cover_every_command_without_a_recording():
    commands = {c.args[0] for c in CASES}
    assert commands >= {"list-environments", "describe-environment", "update-environment",
                        "delete-environment", "record-support-ended",
                        "create-or-update-pacticipant", "describe-pacticipant",
                        "list-pacticipants", "list-latest-pact-versions", "delete-branch",
                        "create-webhook", "create-or-update-webhook", "test-webhook"}
