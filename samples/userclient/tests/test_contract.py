"""The user client's contract, unittest-style: PactTestCase and @interaction.

Run with ``python -m unittest discover samples/userclient`` (or pytest); the pact file
lands in samples/pacts/userweb-userservice.json.
"""
import os

from pact_unittest import EachLike, Like, PactTestCase, Term, interaction

from samples.userclient import UserClient, UserNotFound

PACT_DIR = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "pacts")

ADA = {"id": 42, "name": "Ada", "email": "ada@example.com", "roles": ["admin"]}


class UserClientContract(PactTestCase):
    consumer = "UserWeb"
    provider = "UserService"
    pact_dir = PACT_DIR

    @interaction(
        given="user 42 exists",
        upon_receiving="a request for user 42",
        with_request={"method": "GET", "path": "/users/42",
                      "headers": {"Accept": "application/json"}},
        will_respond_with={
            "status": 200,
            "headers": {"Content-Type": "application/json"},
            "body": Like({"id": 42, "name": "Ada",
                          "email": Term(r".+@.+", "ada@example.com"),
                          "roles": EachLike("admin")}),
        },
    )
    def test_get_user(self):
        user = UserClient(self.mock_service_uri).get_user(42)
        self.assertEqual(user.name, "Ada")
        self.assertEqual(user.roles, ["admin"])

    @interaction(
        given="no user 7",
        upon_receiving="a request for a missing user",
        with_request={"method": "GET", "path": "/users/7"},
        will_respond_with={"status": 404},
    )
    def test_missing_user(self):
        with self.assertRaises(UserNotFound):
            UserClient(self.mock_service_uri).get_user(7)

    @interaction(
        given="user 42 exists",
        upon_receiving="a search for users named Ada",
        with_request={"method": "GET", "path": "/users", "query": "name=Ada"},
        will_respond_with={"status": 200, "body": {"users": EachLike(ADA)}},
    )
    def test_search(self):
        users = UserClient(self.mock_service_uri).search("Ada")
        self.assertEqual([u.id for u in users], [42])

    @interaction(
        upon_receiving="a request to create a user",
        with_request={"method": "POST", "path": "/users",
                      "headers": {"Content-Type": "application/json"},
                      "body": {"name": "Grace", "email": "grace@example.com"}},
        will_respond_with={"status": 201, "body": Like(dict(ADA, id=43, name="Grace"))},
    )
    def test_create_user(self):
        user = UserClient(self.mock_service_uri).create_user("Grace", "grace@example.com")
        self.assertEqual(user.id, 43)

    def test_fluent_api_inside_a_test(self):
        # self.pact is the v2 fluent API on this class's mock service: the interaction
        # is registered when complete and verified right after the test, like the others.
        (self.pact.given("user 42 exists")
             .upon_receiving("a request for user 42 by the fluent API")
             .with_request("GET", "/users/42")
             .will_respond_with(200, body=Like(ADA)))
        self.assertEqual(UserClient(self.mock_service_uri).get_user(42).id, 42)
