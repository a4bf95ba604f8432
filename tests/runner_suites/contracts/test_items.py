import os
import unittest

from pact_unittest.testcase import PactTestCase
from pact_unittest.testcase.decorator import interaction
from pact_unittest.matchers import Like, Term

from .client import ItemClient


def get_item(item_id, given=None):
    return interaction(
        given=given or f"item {item_id} exists",
        upon_receiving=f"a request for item {item_id}",
        with_request={"method": "GET", "path": f"/items/{item_id}",
                      "headers": {"Accept": "application/json"}},
        will_respond_with={"status": 200, "body": Like({"id": item_id, "name": "pen"})},
    )


class ItemContract(PactTestCase):
    consumer = "RunnerWeb"
    provider = "ItemService"

    @get_item(1)
    def test_get_item(self):
        self.assertEqual(ItemClient(self.mock_service_uri).get(1)["name"], "pen")

    @get_item(2)
    @interaction(
        upon_receiving="a request to create an item",
        with_request={"method": "POST", "path": "/items", "body": {"name": "ink"}},
        will_respond_with={"status": 201, "body": Like({"id": 3, "name": "ink"}),
                           "headers": {"Location": Term(r"/items/\d+", "/items/3")}},
    )
    def test_get_and_create(self):
        client = ItemClient(self.mock_service_uri)
        self.assertEqual(client.get(2)["id"], 2)
        self.assertEqual(client.create("ink")["id"], 3)

    @get_item(9)
    @unittest.skip("shows that a skipped test's interaction is not written")
    def test_skipped(self):
        pass

    if os.environ.get("RS_EXTRA"):

        @get_item(7)
        def test_extra(self):
            ItemClient(self.mock_service_uri).get(7)

    if os.environ.get("RS_BROKEN"):

        @get_item(4)
        def test_wrong_header(self):
            # The client sends the wrong Accept header: the mock answers 500, the client
            # raises HTTPError, and the test FAILS with the contract problem first.
            ItemClient(self.mock_service_uri, accept="text/html").get(4)

        @get_item(5)
        def test_own_failure(self):
            # The contract holds; the test's own assertion fails and stands unchanged.
            self.assertEqual(ItemClient(self.mock_service_uri).get(5)["name"], "ink")
