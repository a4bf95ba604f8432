"""The shipping service's message contract, unittest-style: PactTestCase and @message.

The test receives the message the contract describes (``self.message``: examples, with
generators applied) and feeds it to the real handler. Run with ``python -m unittest
discover samples/orderevents``; the pact lands in samples/pacts/shipping-orders.json.
"""
import os

from pact_unittest import EachLike, Integer, Like, PactTestCase, Term, message

from samples.orderevents import ShipmentHandler, UnsupportedEvent

PACT_DIR = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "pacts")

ORDER_CREATED = {
    "orderId": Integer(1001),
    "shipTo": Like({"name": "Ada", "address": "1 Analytical St"}),
    "lines": EachLike({"sku": Term(r"[A-Z]+-\d+", "BOOK-1"), "quantity": Integer(1)}),
}


class OrderEventsContract(PactTestCase):
    consumer = "Shipping"
    provider = "Orders"
    pact_dir = PACT_DIR
    specification_version = "3.0.0"

    @message("an order-created event", given=("order 1001 was placed", {"orderId": 1001}),
             with_content=ORDER_CREATED,
             with_metadata={"contentType": "application/json", "topic": "orders",
                            "eventType": "order-created"})
    def test_an_order_becomes_a_shipment(self):
        handler = ShipmentHandler()
        shipment = handler(self.message.body, self.message.metadata)
        self.assertEqual(shipment.order_id, 1001)
        self.assertEqual(shipment.skus, ["BOOK-1"])

    def test_other_topics_are_refused(self):
        with self.assertRaises(UnsupportedEvent):
            ShipmentHandler()(b"{}", {"topic": "billing"})
