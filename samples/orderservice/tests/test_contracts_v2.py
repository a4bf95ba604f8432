"""The same verification the pact-python v2 way: ``MessageProvider`` with handlers keyed by
provider state, as v2 suites wrote it (only the import changed)."""
import os
import unittest

from pact_unittest import MessageProvider

from samples.orderservice import Order, order_created

PACT_DIR = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "pacts")


def order_1001_event():
    body, _metadata = order_created(Order(1001, "Grace", "2 Compiler Way", [("PEN-7", 3)]))
    return body


class OrderEventsV2(unittest.TestCase):
    def test_shippingv2_pact(self):
        provider = MessageProvider(
            message_providers={"order 1001 was placed": order_1001_event},
            provider="Orders", consumer="ShippingV2", pact_dir=PACT_DIR)
        with provider:
            provider.verify()
