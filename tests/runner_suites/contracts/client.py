"""The consumer under test: a small client of an item service."""
import requests


class ItemClient:
    def __init__(self, base_url, accept="application/json"):
        self.base_url = base_url
        self.accept = accept

    def get(self, item_id):
        reply = requests.get(f"{self.base_url}/items/{item_id}",
                             headers={"Accept": self.accept}, timeout=5)
        reply.raise_for_status()
        return reply.json()

    def create(self, name):
        reply = requests.post(f"{self.base_url}/items", json={"name": name}, timeout=5)
        reply.raise_for_status()
        return reply.json()

    def delete(self, item_id):
        requests.delete(f"{self.base_url}/items/{item_id}", timeout=5).raise_for_status()
