"""A small consumer under test: the kind of client pact-python v2's examples exercised."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import requests


class User:
    def __init__(self, name: str, created_on: str) -> None:
        self.name = name
        self.created_on = created_on


class UserConsumer:
    """Talks to the user service at ``base_uri``."""

    def __init__(self, base_uri: str) -> None:
        self.base_uri = base_uri

    def get_user(self, user_name: str) -> Optional[User]:
        uri = self.base_uri + "/users/" + user_name
        response = requests.get(uri, verify=False)
        if response.status_code == 404:
            return None
        data = response.json()
        return User(data["name"], data["created_on"])

    def list_users(self, limit: int) -> List[Dict[str, Any]]:
        response = requests.get(self.base_uri + "/users", params={"limit": limit},
                                headers={"Accept": "application/json"}, verify=False)
        response.raise_for_status()
        return response.json()["users"]

    def create_user(self, name: str, admin: bool = False) -> Dict[str, Any]:
        response = requests.post(self.base_uri + "/users", json={"name": name, "admin": admin},
                                 verify=False)
        response.raise_for_status()
        return response.json()
