"""The same client tested the pact-python v2 way: only the import differs from v2.

A second consumer ("UserAdmin") of the user service; its pact file is
samples/pacts/useradmin-userservice.json.
"""
import os
import unittest

from pact_unittest import Consumer, EachLike, Like, Provider

from samples.userclient import UserClient

PACT_DIR = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "pacts")

pact = Consumer("UserAdmin").has_pact_with(
    Provider("UserService"), host_name="127.0.0.1", port=0, pact_dir=PACT_DIR)


def setUpModule():
    pact.start_service()


def tearDownModule():
    pact.stop_service()


class UserAdminContract(unittest.TestCase):
    def test_get_user(self):
        (pact.given("user 42 exists")
             .upon_receiving("a request for user 42")
             .with_request("get", "/users/42")
             .will_respond_with(200, body=Like({"id": 42, "name": "Ada",
                                                "email": "ada@example.com",
                                                "roles": EachLike("admin")})))
        with pact:
            user = UserClient(pact.uri).get_user(42)
        self.assertEqual(user.email, "ada@example.com")
