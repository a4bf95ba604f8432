"""What a test class keeps per passed test until its one write: compact text, no models.

Guards the mechanism behind the consumer side's memory per interaction (issue 13): the
class's collection holds each interaction rendered as compact JSON (no dict, no
Interaction, no received request), and the file written from it is the same as before.
"""
import json
import unittest

import requests

from pact_unittest import Like, PactTestCase, interaction
from pact_unittest.model import Interaction
from pact_unittest.pact_file.message_layout import Rendered


def test_collection_keeps_only_compact_text(tmp_path):
    seen = {}

    class Memory(PactTestCase):
        consumer, provider, pact_dir = "MemWeb", "MemService", str(tmp_path)

        @interaction(given="item 1 exists", upon_receiving="a request for item 1",
                     with_request={"method": "GET", "path": "/items/1"},
                     will_respond_with={"status": 200, "body": Like({"id": 1})})
        def test_one(self):
            assert requests.get(f"{self.mock_service_uri}/items/1").status_code == 200

        @classmethod
        def tearDownClass(cls):
            seen["held"] = list(cls._pact_collected.by_key.values())
            super().tearDownClass()

    result = unittest.TextTestRunner(verbosity=0, stream=open("/dev/null", "w")).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(Memory))
    assert result.wasSuccessful()
    held = seen["held"]
    assert len(held) == 1 and isinstance(held[0], Rendered)
    assert not isinstance(held[0], Interaction)
    assert held[0].entry._item is None  # the dict is not kept, only its compact JSON
    assert json.loads(held[0].entry.compact)["description"] == "a request for item 1"
    document = json.loads((tmp_path / "memweb-memservice.json").read_text())
    assert [i["description"] for i in document["interactions"]] == ["a request for item 1"]
