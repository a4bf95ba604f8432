"""The examples of pact-python 2.3.3's documentation (README and docstrings), run as tests.

Written anew from the documented usage; only the import differs from v2.
"""
from __future__ import annotations

import atexit
import json
import os
import tempfile
import unittest

import requests

from pact_unittest import Consumer, EachLike, Format, Like, Provider, SomethingLike, Term

# v2's README used the default port 1234 and the current directory; port 0 and a temporary
# directory keep parallel runs and the checkout apart.
PACT_DIR = tempfile.mkdtemp(prefix="pact-v2-docs-")
pact = Consumer("Consumer").has_pact_with(Provider("Provider"), port=0, pact_dir=PACT_DIR)
pact.start_service()
atexit.register(pact.stop_service)


def user(user_name):
    """The code under test: fetch a user from the provider."""
    response = requests.get(pact.uri + "/users/" + user_name)
    response.raise_for_status()
    return response.json()


class GetUserInfoContract(unittest.TestCase):
    """The README's unittest example."""

    def test_get_user(self):
        expected = {
            "username": "UserA",
            "id": 123,
            "groups": ["Editors"],
        }

        (pact
         .given("UserA exists and is not an administrator")
         .upon_receiving("a request for UserA")
         .with_request("get", "/users/UserA")
         .will_respond_with(200, body=expected))

        with pact:
            result = user("UserA")

        self.assertEqual(result, expected)

    def test_get_user_setup_verify(self):
        """The README's variant without a ``with`` block: setup(), the call, verify()."""
        expected = {"username": "UserA", "id": 123}
        (pact
         .given("UserA exists and is not an administrator")
         .upon_receiving("a request for UserA without with")
         .with_request("get", "/users/UserA")
         .will_respond_with(200, body=expected))

        pact.setup()
        result = user("UserA")
        pact.verify()

        self.assertEqual(result, expected)


def test_echo_docstring_example():
    """``Pact``'s docstring: a query dict and a text body."""
    (pact.given("the echo service is available")
     .upon_receiving("a request is made to the echo service")
     .with_request("get", "/echo", query={"text": "Hello!"})
     .will_respond_with(200, body="Hello!"))
    with pact:
        answer = requests.get(pact.uri + "/echo?text=Hello!")
    assert answer.text == "Hello!"


def test_each_like_docstring_example():
    """``EachLike``'s docstring: at least two comments, each like the example."""
    (pact.given("there are three comments")
     .upon_receiving("a request for the most recent 2 comments")
     .with_request("get", "/comment", query={"limit": "2"})
     .will_respond_with(200, body={
         "comments": EachLike(
             {"name": SomethingLike("bob"),
              "text": SomethingLike("Hello!")},
             minimum=2)
     }))
    with pact:
        comments = requests.get(pact.uri + "/comment", params={"limit": 2}).json()
    assert comments == {"comments": [{"name": "bob", "text": "Hello!"}] * 2}


def test_term_and_like_docstring_examples():
    """``Term``'s and ``Like``'s docstrings: a theme regex and a number like an example."""
    (pact.given("the current user is logged in")
     .upon_receiving("a request for the user's current theme")
     .with_request("get", "/theme")
     .will_respond_with(200, body={"theme": Term("light|dark|legacy", "dark")}))
    (pact.given("there is a random number generator")
     .upon_receiving("a request for a random number")
     .with_request("get", "/generate-number")
     .will_respond_with(200, body={"number": Like(1111222233334444)}))
    with pact:
        theme = requests.get(pact.uri + "/theme").json()
        number = requests.get(pact.uri + "/generate-number").json()
    assert theme == {"theme": "dark"}
    assert number == {"number": 1111222233334444}


def test_format_docstring_example():
    """``Format``'s docstring: formats as values of a response body."""
    (pact.given("the current user is logged in as `tester`")
     .upon_receiving("a request for the user profile")
     .with_request("get", "/profile")
     .will_respond_with(200, body={
         "name": "tester",
         "age": Format().integer,
         "id": Format().uuid,
         "last_login": Format().timestamp,
         "ip": Format().ip_address,
     }))
    with pact:
        profile = requests.get(pact.uri + "/profile").json()
    assert profile["id"] == "fc763eba-0905-41c5-a27f-3934ab26786c"
    assert profile["age"] == 1
    with open(os.path.join(pact.pact_dir, "consumer-provider.json")) as handle:
        rules = json.load(handle)["interactions"]
    assert any("matchingRules" in i["response"] for i in rules)


def test_a_wrong_request_fails_the_with_block():
    (pact.given("UserA exists")
     .upon_receiving("a request for UserA, sent wrong")
     .with_request("get", "/users/UserA")
     .will_respond_with(200, body={"username": "UserA"}))
    try:
        with pact:
            requests.get(pact.uri + "/users/UserB")
    except AssertionError as failure:
        message = str(failure)
    else:  # pragma: no cover - the assertion below reports it
        message = ""
    assert "Missing" in message and "/users/UserA" in message, message
    assert "/users/UserB" in message, message
