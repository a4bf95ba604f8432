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
    assert Memory._pact_collected.by_key == {}  # emptied by the write: the file holds it
    assert held[0].digest is not None and held[0].origin.endswith("test_one")


def test_later_writes_take_earlier_texts_from_the_file_and_keep_none(tmp_path, monkeypatch):
    """Compact-only entries (what a class holds) keep no indented text, before or after the
    write; a later write of the same file in the run (the next class of the pair) takes
    their texts from the file's bytes instead of rendering them again, and the file is
    byte for byte what rendering everything would give."""
    from pact_unittest.pact_file import pact_document, render_pact, write_pact
    from pact_unittest.pact_file import text as text_module
    from pact_unittest.pact_file import writer as writer_module
    from pact_unittest.pact_file.message_layout import render_item
    from pact_unittest.model import parse_interaction

    def model(i):
        return parse_interaction({
            "description": f"a request for item {i}", "providerState": f"item {i} exists",
            "request": {"method": "GET", "path": f"/items/{i}"},
            "response": {"status": 200, "body": {"id": i, "name": "pen ü"}},
        }, "2.0.0")

    models = [model(i) for i in range(6)]
    path = write_pact(tmp_path, "C", "P", [render_item(m, "2.0.0") for m in models[:3]],
                      run_id="r")
    record = writer_module._written[str(path.resolve())]
    assert [e.known_text for e in record.entries] == [None] * 3
    cached_before = len(text_module._texts)

    rendered = []
    original = text_module.Entry.text

    def counting(entry):
        rendered.append(json.loads(entry.compact)["description"])
        return original.fget(entry)

    monkeypatch.setattr(text_module.Entry, "text", property(counting))
    write_pact(tmp_path, "C", "P", [render_item(m, "2.0.0") for m in models[3:]], run_id="r")
    assert sorted(rendered) == [f"a request for item {i}" for i in range(3, 6)]  # new ones only
    assert len(text_module._texts) == cached_before  # nothing added to the module's cache
    expected = render_pact(pact_document("C", "P", models, "2.0.0"))
    assert path.read_text(encoding="utf-8") == expected

    # edited by someone else since: the bytes are no longer ours, so they are parsed
    path.write_text(expected.replace("pen ü", "pen ä"), encoding="utf-8")
    rendered.clear()
    write_pact(tmp_path, "C", "P", [render_item(model(9), "2.0.0")], run_id="r")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [i["response"]["body"]["name"] for i in document["interactions"]] == ["pen ä"] * 6 + ["pen ü"]
