"""One consumer scenario using every v2 matcher kind, runnable by pact-python 2.3.3 or by us.

Usage: ``python scenario_all_matchers.py pact|pact_unittest PACT_DIR PORT [SPEC]``

The code is the same for both libraries; only the import differs (the point of issue 4).
``tests/test_v2_api_reference.py`` runs it once with pact-python 2.3.3 (Ruby mock service)
and once with pact_unittest, then compares the two pact files.
"""
from __future__ import annotations

import sys

import requests

LIBRARY, PACT_DIR, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
SPEC = sys.argv[4] if len(sys.argv) > 4 else "2.0.0"

if LIBRARY == "pact":
    import warnings

    warnings.simplefilter("ignore")
    from pact import Consumer, EachLike, Format, Like, Provider, SomethingLike, Term
    from pact.matchers import get_generated_values
else:
    from pact_unittest import Consumer, EachLike, Format, Like, Provider, SomethingLike, Term
    from pact_unittest.matchers import get_generated_values

pact = Consumer("AllMatchersConsumer").has_pact_with(
    Provider("AllMatchersProvider"), host_name="127.0.0.1", port=PORT, pact_dir=PACT_DIR,
    specification_version=SPEC)


def call(method, path, **kwargs):
    response = requests.request(method, pact.uri + path, **kwargs)
    assert response.status_code < 500, response.text
    return response


def main():
    fmt = Format()
    pact.start_service()
    try:
        # Term in path, headers and body; Like at the top.
        (pact.given("user 42 exists")
         .upon_receiving("a request for a user by id")
         .with_request("get", Term(r"/users/\d+", "/users/42"),
                       headers={"Accept": Term(r"application/json.*", "application/json")})
         .will_respond_with(200,
                            headers={"Content-Type": Term(r"application/json.*",
                                                          "application/json")},
                            body=Like({"id": 42, "name": "Ada",
                                       "role": Term("admin|user", "admin")})))
        with pact:
            call("get", "/users/42", headers={"Accept": "application/json"})

        # EachLike minimum 1 and 2, nested inside Like and holding Likes and Terms.
        (pact.given("there are users")
         .upon_receiving("a request for users")
         .with_request("get", "/users", query={"limit": "2", "tags": ["a", "b"]})
         .will_respond_with(200, body={
             "users": EachLike({"id": Like(1), "name": SomethingLike("Ada"),
                                "tags": EachLike(Term("[a-z]+", "x"))}, minimum=2),
             "page": Like({"next": Term(r"/users\?page=\d+", "/users?page=2"),
                           "items": EachLike(1)}),
         }))
        (pact.upon_receiving("a request for groups with a query string")
         .with_request("get", "/groups", query="sort=name&limit=10")
         .will_respond_with(200, body=EachLike({"name": "g"}, minimum=1)))
        with pact:
            call("get", "/users", params=[("limit", "2"), ("tags", "a"), ("tags", "b")])
            call("get", "/groups?sort=name&limit=10")

        # Every Format; a request body with matchers.
        (pact.given("formats are supported")
         .upon_receiving("a request to create a record with every format")
         .with_request("post", "/records", headers={"Content-Type": "application/json"},
                       body={"name": Like("rec"), "ids": EachLike(fmt.integer, minimum=2)})
         .will_respond_with(201, body={
             "identifier": fmt.identifier, "integer": fmt.integer, "decimal": fmt.decimal,
             "ip_address": fmt.ip_address, "hexadecimal": fmt.hexadecimal,
             "ipv6_address": fmt.ipv6_address, "uuid": fmt.uuid,
             # Format().time is left out: pact-python 2.3.3's example "12:30:00" does not
             # match its own regex (it wants a leading "T"), so Ruby rejects the PUT.
             "timestamp": fmt.timestamp, "date": fmt.date,
             "iso_datetime": fmt.iso_datetime, "iso_datetime_ms": fmt.iso_datetime_ms,
         }))
        body = get_generated_values({"name": Like("rec"), "ids": EachLike(1, minimum=2)})
        with pact:
            call("post", "/records", json=body)

        # A query dict with a Term value, no provider state, a response without body.
        (pact.upon_receiving("a delete with a token query")
         .with_request("delete", "/records/7", query={"token": Term(r"[0-9a-f]+", "abc123")})
         .will_respond_with(204))
        with pact:
            call("delete", "/records/7?token=abc123")
    finally:
        pact.stop_service()


if __name__ == "__main__":
    main()
