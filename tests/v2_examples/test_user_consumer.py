"""Consumer tests in the style of pact-python 2.3.3's ``examples/e2e`` (written anew).

Only the import differs from a pact-python v2 suite (``from pact import ...``). The mock
service listens on port 0 here instead of v2's fixed 1234 so parallel runs cannot collide;
``pact.uri`` then shows the real port.
"""
from __future__ import annotations

import json
import os

import pytest

from pact_unittest import Consumer, EachLike, Format, Like, Provider, Term

from user_client import UserConsumer

PACT_MOCK_HOST = "localhost"
PACT_MOCK_PORT = 0
PACT_FILE = "userserviceclient-userservice.json"

#: Descriptions verified so far by this module's one mock service (in this process).
VERIFIED = set()


def assert_pact_file_holds_all_verified(pact_dir, *descriptions):
    """As in v2, the service keeps every verified interaction; each verify() rewrites them all."""
    VERIFIED.update(descriptions)
    with open(os.path.join(pact_dir, PACT_FILE)) as handle:
        written = json.load(handle)
    assert written["consumer"] == {"name": "UserServiceClient"}
    assert written["provider"] == {"name": "UserService"}
    assert {i["description"] for i in written["interactions"]} == VERIFIED


@pytest.fixture(scope="module")
def pact_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("pacts"))


@pytest.fixture(scope="module")
def pact(pact_dir):
    pact = Consumer("UserServiceClient").has_pact_with(
        Provider("UserService"), host_name=PACT_MOCK_HOST, port=PACT_MOCK_PORT,
        pact_dir=pact_dir)
    pact.start_service()
    yield pact
    pact.stop_service()


@pytest.fixture
def consumer(pact):
    return UserConsumer(pact.uri)


def test_get_user_non_admin(pact, consumer, pact_dir):
    expected = {
        "name": "UserA",
        "id": Format().uuid,
        "created_on": Term(r"\d+-\d+-\d+T\d+:\d+:\d+", "2016-12-15T20:16:01"),
        "ip_address": Format().ip_address,
        "admin": False,
    }

    (pact
     .given("UserA exists and is not an administrator")
     .upon_receiving("a request for UserA")
     .with_request("get", "/users/UserA")
     .will_respond_with(200, body=Like(expected)))

    with pact:
        user = consumer.get_user("UserA")
        assert user.name == "UserA"
        assert user.created_on == "2016-12-15T20:16:01"
    assert_pact_file_holds_all_verified(pact_dir, "a request for UserA")


def test_get_non_existing_user(pact, consumer, pact_dir):
    (pact
     .given("UserA does not exist")
     .upon_receiving("a request for UserA")
     .with_request("get", "/users/UserA")
     .will_respond_with(404))

    with pact:
        user = consumer.get_user("UserA")
        assert user is None
    assert_pact_file_holds_all_verified(pact_dir, "a request for UserA")


def test_list_users_with_query_and_headers(pact, consumer, pact_dir):
    (pact
     .given("there are two users")
     .upon_receiving("a request for the first two users")
     .with_request("get", "/users", query={"limit": "2"},
                   headers={"Accept": "application/json"})
     .will_respond_with(200, headers={"Content-Type": "application/json"},
                        body={"users": EachLike({"name": Like("UserA"),
                                                 "id": Format().integer}, minimum=2)}))

    with pact:
        users = consumer.list_users(2)
    assert users == [{"name": "UserA", "id": 1}, {"name": "UserA", "id": 1}]
    assert_pact_file_holds_all_verified(pact_dir, "a request for the first two users")


def test_create_user_then_get_two_interactions_in_one_block(pact, consumer, pact_dir):
    (pact
     .given("UserB does not exist")
     .upon_receiving("a request to create UserB")
     .with_request("post", "/users", body={"name": "UserB", "admin": False},
                   headers={"Content-Type": "application/json"})
     .will_respond_with(201, body=Like({"name": "UserB", "id": 7})))
    (pact
     .given("UserB exists")
     .upon_receiving("a request for UserB")
     .with_request("get", "/users/UserB")
     .will_respond_with(200, body=Like({"name": "UserB",
                                        "created_on": Format().iso_datetime})))

    with pact:
        created = consumer.create_user("UserB")
        fetched = consumer.get_user("UserB")
    assert created == {"name": "UserB", "id": 7}
    assert fetched.name == "UserB"
    assert_pact_file_holds_all_verified(pact_dir, "a request to create UserB",
                                        "a request for UserB")
