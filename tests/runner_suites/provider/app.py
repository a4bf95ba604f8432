"""The provider of the provider-test suite: a WSGI app over an in-memory user table.

``PROVIDER_BROKEN=1`` breaks it (a user's id as a string, the caller's token missing), so
the suite's runs can show the FAILs.
"""
import json
import os

USERS = {}


def _json(start_response, status, data):
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(data).encode("utf-8")]


def application(environ, start_response):
    broken = os.environ.get("PROVIDER_BROKEN") == "1"
    path = environ["PATH_INFO"]
    if path == "/me":
        if environ.get("HTTP_AUTHORIZATION") != "Bearer let-me-in":
            return _json(start_response, "401 Unauthorized", {"error": "no token"})
        return _json(start_response, "200 OK", {} if broken else {"token": "secret"})
    if path.startswith("/users/"):
        user = USERS.get(int(path.rsplit("/", 1)[1]))
        if user is None:
            start_response("404 Not Found", [])
            return [b""]
        return _json(start_response, "200 OK", dict(user, id=str(user["id"])) if broken else user)
    start_response("404 Not Found", [])
    return [b""]
