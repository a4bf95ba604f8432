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

pytestmark = [pytest.mark.reference, needs_transcripts()]

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
}

#: Where the Ruby CLI fails by a bug of its own: the symptom it shows (checked, so a fixed
#: Ruby makes the test say so), and ours must succeed.
RUBY_BUGS = {
    # pact_broker-client 1.75.1 reads the response of the create branch on the update path.
    "update-pacticipant-json": "undefined method `response' for nil:NilClass",
}


@pytest.fixture(scope="module")
def runs():
    ruby_broker_cli()  # skips (or fails, when required) without the Ruby tools
    return run_cases(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_ours_does_what_the_ruby_cli_does(case, runs):
    theirs, ours = runs[case.name]
    assert ours.requests == theirs.requests
    if case.name in RUBY_BUGS:
        assert RUBY_BUGS[case.name] in theirs.output and theirs.code == 1
        assert ours.code == 0 and json.loads(ours.output)["mainBranch"] == "trunk"
        return
    assert ours.code == theirs.code, (theirs.output, ours.output)
    if "json" in case.args and "-o" in case.args:
        assert json.loads(ours.output) == json.loads(theirs.output)
    elif case.name in DELIBERATE:
        for text in DELIBERATE[case.name]:
            assert text in ours.output, f"{text!r} missing from {ours.output!r}"
    else:
        assert ours.output == theirs.output


def test_the_cases_cover_every_command_without_a_recording():
    commands = {c.args[0] for c in CASES}
    assert commands >= {"list-environments", "describe-environment", "update-environment",
                        "delete-environment", "record-support-ended",
                        "create-or-update-pacticipant", "describe-pacticipant",
                        "list-pacticipants", "list-latest-pact-versions", "delete-branch"}
