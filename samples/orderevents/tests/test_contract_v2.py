"""The same handler tested the pact-python v2 way (``MessageConsumer``/``MessagePact``): only
the import differs from v2. A second consumer ("ShippingV2"); its pact is
samples/pacts/shippingv2-orders.json.
"""
import json
import os
import unittest

from pact_unittest import EachLike, Like, MessageConsumer, Provider

from samples.orderevents import ShipmentHandler

PACT_DIR = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "pacts")

pact = MessageConsumer("ShippingV2").has_pact_with(Provider("Orders"), pact_dir=PACT_DIR)


class OrderEventsV2Contract(unittest.TestCase):
    def test_an_order_becomes_a_shipment(self):
        event = {"orderId": 1001, "shipTo": Like({"name": "Ada", "address": "1 Analytical St"}),
                 "lines": EachLike({"sku": "BOOK-1", "quantity": 1})}
        (pact.given("order 1001 was placed").expects_to_receive("an order-created event")
             .with_content(event)
             .with_metadata({"contentType": "application/json", "topic": "orders",
                             "eventType": "order-created"}))
        example = {"orderId": 1001, "shipTo": {"name": "Ada", "address": "1 Analytical St"},
                   "lines": [{"sku": "BOOK-1", "quantity": 1}]}
        with pact:
            shipment = ShipmentHandler()(json.dumps(example).encode(), {"topic": "orders", "eventType": "order-created"})
        self.assertEqual(shipment.order_id, 1001)
