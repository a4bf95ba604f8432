"""A consumer of order events: the shipping service creates a shipment for each order.

``ShipmentHandler`` is what a queue or topic subscriber calls with each message's body
(bytes) and metadata; its contract tests (``tests/``) hand it the messages the pact
describes, so a message it cannot digest fails the test. The provider side (the order
service producing the event) verifies the pact written to samples/pacts/.
"""
from .handler import Shipment, ShipmentHandler, UnsupportedEvent

__all__ = ["Shipment", "ShipmentHandler", "UnsupportedEvent"]
