"""pact-python 2.3.3's message consumer example, in its flow (written anew), runnable by
pact-python 2.3.3 (+ Ruby ``pact-message``) or by us.

Usage: ``python message_scenario.py pact|pact_unittest PACT_DIR``

The flow of pact-python v2's ``examples/message`` consumer tests: one ``MessagePact`` shared
by every test (their session fixture, with the broker arguments and ``pact_dir``); a
handler that raises for an unsupported document, so that block writes nothing; the pact
file removed before each test; ``given``/``expects_to_receive``/``with_content``/
``with_metadata`` then ``with pact:`` around the handler. Two steps more than the example
keep the file between blocks, to compare merging, state params and v2 matchers too. Only
the import differs between the two libraries.
"""
from __future__ import annotations

import os
import sys

LIBRARY, PACT_DIR = sys.argv[1], sys.argv[2]

if LIBRARY == "pact":
    import warnings

    warnings.simplefilter("ignore")
    from pact import EachLike, Like, MessageConsumer, Provider, Term
else:
    from pact_unittest import EachLike, Like, MessageConsumer, Provider, Term

CONSUMER_NAME = "DetectContentLambda"
PROVIDER_NAME = "ContentProvider"
PACT_FILE = os.path.join(PACT_DIR, f"{CONSUMER_NAME.lower()}-{PROVIDER_NAME.lower()}.json")


class UnsupportedDocument(Exception):
    pass


def handle(event):
    """The consumer's handler: only Word documents are supported."""
    if event.get("documentType") != "microsoft-word":
        raise UnsupportedDocument(f"unsupported document type {event.get('documentType')!r}")
    return event["documentName"]


def remove_pact_file():
    if os.path.isfile(PACT_FILE):
        os.remove(PACT_FILE)


pact = MessageConsumer(CONSUMER_NAME, version="1.0.0").has_pact_with(
    Provider(PROVIDER_NAME), publish_to_broker=False, broker_base_url="http://localhost",
    broker_username="pactbroker", broker_password="pactbroker", pact_dir=PACT_DIR)


def test_unsupported_document_raises_and_writes_nothing():
    remove_pact_file()
    event = {"event": "ObjectCreated:Put", "documentName": "spreadsheet.xls", "creator": "WI",
             "documentType": "microsoft-excel"}
    (pact.given("Document unsupported type").expects_to_receive("Description")
         .with_content(event).with_metadata({"Content-Type": "application/json"}))
    try:
        with pact:
            handle(event)
    except UnsupportedDocument:
        pass
    else:
        raise AssertionError("the handler accepted an Excel document")
    assert not os.path.isfile(PACT_FILE)


def test_document_created():
    remove_pact_file()
    event = {"event": "ObjectCreated:Put", "documentName": "document.doc", "creator": "TP",
             "documentType": "microsoft-word"}
    (pact.given("A document created successfully").expects_to_receive("Description")
         .with_content(event).with_metadata({"Content-Type": "application/json"}))
    with pact:
        handle(event)
    assert os.path.isfile(PACT_FILE)


def test_document_deleted():
    remove_pact_file()
    event = {"event": "ObjectCreated:Delete", "documentName": "document.doc", "creator": "TP",
             "documentType": "microsoft-word"}
    (pact.given("A document deleted successfully").expects_to_receive("Description with broker")
         .with_content(event).with_metadata({"Content-Type": "application/json"}))
    with pact:
        handle(event)
    assert os.path.isfile(PACT_FILE)


def test_kept_file_with_matchers_and_state_params():
    """Beyond the example: the file kept, a message with v2 matchers and state params."""
    event = {"event": Term(r"ObjectCreated:\w+", "ObjectCreated:Copy"),
             "documentName": Like("copy.doc"), "creator": "TP",
             "documentType": "microsoft-word", "tags": EachLike("draft", minimum=2)}
    (pact.given("A document exists", {"name": "copy.doc", "size": 12})
         .given("A bucket exists").expects_to_receive("A copied document")
         .with_content(event).with_metadata({"Content-Type": "application/json", "topic": "docs"}))
    with pact:
        handle({"documentType": "microsoft-word", "documentName": "copy.doc"})


if __name__ == "__main__":
    test_unsupported_document_raises_and_writes_nothing()
    test_document_created()
    test_document_deleted()
    test_kept_file_with_matchers_and_state_params()
