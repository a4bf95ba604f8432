"""Contract tests of the shop's use of the user service, with Django's test runner.

``python manage.py test`` (add ``--parallel 2`` to spread the classes over two processes:
the pact file samples/pacts/shopweb-userservice.json comes out the same).
"""
import os

from django.test import SimpleTestCase, TestCase, override_settings

from pact_unittest import EachLike, Like, PactMixin, interaction

PACT_DIR = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "pacts")


class ShopContract(PactMixin):
    """The pair's settings, shared by the test classes below (PactMixin first)."""

    consumer = "ShopWeb"
    provider = "UserService"
    pact_dir = PACT_DIR

    def setUp(self):
        super().setUp()
        # Point the site at this class's mock service for the test.
        override = override_settings(USER_SERVICE_URL=self.mock_service_uri)
        override.enable()
        self.addCleanup(override.disable)


class ProfilePageContract(ShopContract, TestCase):
    @interaction(
        given="user 42 exists",
        upon_receiving="a request for user 42",
        with_request={"method": "GET", "path": "/users/42",
                      "headers": {"Accept": "application/json"}},
        will_respond_with={"status": 200, "body": Like({
            "id": 42, "name": "Ada", "email": "ada@example.com", "roles": EachLike("admin")})},
    )
    def test_profile_of_an_admin(self):
        reply = self.client.get("/profile/42/")
        self.assertEqual(reply.json(), {"name": "Ada", "admin": True})


class MissingProfileContract(ShopContract, SimpleTestCase):
    @interaction(
        given="no user 7",
        upon_receiving="a request for a missing user",
        with_request={"method": "GET", "path": "/users/7"},
        will_respond_with={"status": 404},
    )
    def test_missing_profile_is_404(self):
        self.assertEqual(self.client.get("/profile/7/").status_code, 404)
