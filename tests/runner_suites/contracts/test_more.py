"""PactMixin on Django's TestCase and SimpleTestCase, and on IsolatedAsyncioTestCase."""
import asyncio
import os
import unittest

from django.test import SimpleTestCase, TestCase

from pact_unittest.testcase import PactMixin
from pact_unittest.testcase.decorator import interaction
from pact_unittest.matchers import EachLike, Like

from .client import ItemClient

DELETE = interaction(
    given="item 6 exists",
    upon_receiving="a request to delete item 6",
    with_request={"method": "DELETE", "path": "/items/6"},
    will_respond_with={"status": 204},
)


class DjangoItemContract(PactMixin, TestCase):
    consumer = "RunnerWeb"
    provider = "ItemService"

    @DELETE
    def test_delete(self):
        ItemClient(self.mock_service_uri).delete(6)

    @interaction(
        upon_receiving="a request to create a pencil",
        with_request={"method": "POST", "path": "/items", "body": {"name": "pencil"}},
        will_respond_with={"status": 201, "body": Like({"id": 8, "name": "pencil"})},
    )
    def test_create(self):
        self.assertEqual(ItemClient(self.mock_service_uri).create("pencil")["id"], 8)


@interaction(
    upon_receiving="a request for all items",
    with_request={"method": "GET", "path": "/items"},
    will_respond_with={"status": 200, "body": EachLike({"id": 1, "name": "pen"})},
)
class SimpleItemContract(PactMixin, SimpleTestCase):
    consumer = "RunnerWeb"
    provider = "ItemService"

    def test_list(self):
        import requests

        self.assertEqual(requests.get(self.mock_service_uri + "/items").json()[0]["id"], 1)


# Django's --parallel pickles the test instances it sends to workers, and an
# IsolatedAsyncioTestCase holds a contextvars.Context, which does not pickle (Django's
# limitation, with or without pact_unittest): the parallel Django runs leave this out
# (its interaction equals ItemContract's 'a request for item 1', so the pact is the same).
if not os.environ.get("RS_NO_ASYNC"):

    class AsyncItemContract(PactMixin, unittest.IsolatedAsyncioTestCase):
        consumer = "RunnerWeb"
        provider = "ItemService"

        @interaction(
            given="item 1 exists",
            upon_receiving="a request for item 1",
            with_request={"method": "GET", "path": "/items/1",
                          "headers": {"Accept": "application/json"}},
            will_respond_with={"status": 200, "body": Like({"id": 1, "name": "pen"})},
        )
        async def test_get_async(self):
            item = await asyncio.get_running_loop().run_in_executor(
                None, ItemClient(self.mock_service_uri).get, 1)
            self.assertEqual(item["id"], 1)
