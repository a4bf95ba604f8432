"""The Users provider verified against tests/runner_suites/provider/pacts, in process."""
import os

from pact_unittest import PactVerificationTestCase, provider_state

import app

HERE = os.path.dirname(os.path.abspath(__file__))


class UsersContracts(PactVerificationTestCase):
    provider = "Users"
    pacts = os.path.join(HERE, "pacts")
    wsgi_application = app.application

    @provider_state("user 42 exists")
    def user_42(self, params):
        app.USERS[42] = {"id": 42, "name": "Ada", "roles": ["admin"]}
        self.addCleanup(app.USERS.pop, 42)

    @provider_state("no user 7")
    def no_user_7(self):
        self.assertNotIn(7, app.USERS)

    @provider_state("a user exists")
    def a_user(self, params):
        app.USERS[1001] = {"id": 1001, "name": params["name"], "roles": []}
        return {"id": 1001}

    @provider_state("a user exists", teardown=True)
    def remove_user(self, params):
        del app.USERS[1001]

    def filter_request(self, request):
        request.headers["Authorization"] = "Bearer let-me-in"
