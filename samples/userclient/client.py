"""The user service client: what a real consumer's API wrapper looks like."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

import requests


class UserNotFound(LookupError):
    """The service has no user with that id."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    email: str
    roles: List[str]

    @classmethod
    def from_json(cls, data: dict) -> "User":
        return cls(data["id"], data["name"], data["email"], list(data.get("roles", [])))


class UserClient:
    """Talks JSON to the user service at ``base_url``."""

    def __init__(self, base_url: str, session: Optional[requests.Session] = None,
                 timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers["Accept"] = "application/json"
        self.timeout = timeout

    def get_user(self, user_id: int) -> User:
        reply = self.session.get(f"{self.base_url}/users/{user_id}", timeout=self.timeout)
        if reply.status_code == 404:
            raise UserNotFound(user_id)
        reply.raise_for_status()
        return User.from_json(reply.json())

    def search(self, name: str) -> List[User]:
        reply = self.session.get(f"{self.base_url}/users", params={"name": name},
                                 timeout=self.timeout)
        reply.raise_for_status()
        return [User.from_json(item) for item in reply.json()["users"]]

    def create_user(self, name: str, email: str) -> User:
        reply = self.session.post(f"{self.base_url}/users",
                                  json={"name": name, "email": email}, timeout=self.timeout)
        reply.raise_for_status()
        return User.from_json(reply.json())
