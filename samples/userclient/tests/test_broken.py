"""What a contract failure looks like: run with PACT_SAMPLES_BROKEN=1.

The "buggy" client asks for /users/42 with the wrong Accept header, while the contract says
application/json: the mock answers 500, the client raises, and unittest reports one FAIL
whose message names the mismatched request, the header mismatch and the missing
interaction, with the client's HTTPError shown as the cause.
"""
import os
import unittest

import requests

from pact_unittest import Like, PactTestCase, interaction

PACT_DIR = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "pacts")


@unittest.skipUnless(os.environ.get("PACT_SAMPLES_BROKEN"), "set PACT_SAMPLES_BROKEN=1 to see a failure")
class BrokenClientContract(PactTestCase):
    consumer = "UserWeb"
    provider = "UserService"
    pact_dir = PACT_DIR

    @interaction(
        given="user 42 exists",
        upon_receiving="a request for user 42",
        with_request={"method": "GET", "path": "/users/42",
                      "headers": {"Accept": "application/json"}},
        will_respond_with={"status": 200, "body": Like({"id": 42, "name": "Ada"})},
    )
    def test_buggy_client(self):
        reply = requests.get(self.mock_service_uri + "/users/42", headers={"Accept": "text/html"})
        reply.raise_for_status()
