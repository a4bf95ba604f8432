"""The order service verifies the shipping service's message pact: one test per message.

``python -m unittest discover samples/orderservice`` (after samples/orderevents wrote the
pacts). The state method places the order the message is about; the producer method
returns the event the real publisher would send for it.
"""
import os

from pact_unittest import PactVerificationTestCase, message_producer, provider_state

from samples.orderservice import Order, OrderStore, order_created

PACTS = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "pacts")


class OrderEventContracts(PactVerificationTestCase):
    provider = "Orders"
    pacts = [os.path.join(PACTS, "shipping-orders.json"),
             os.path.join(PACTS, "shippingv2-orders.json")]

    def setUp(self):
        self.store = OrderStore()

    @provider_state("order 1001 was placed")
    def order_placed(self, params):
        self.store.place(Order(int(params.get("orderId", 1001)), "Grace",
                               "2 Compiler Way", [("PEN-7", 3)]))

    @message_producer("an order-created event")
    def order_created_event(self):
        (order,) = self.store.orders.values()
        return order_created(order)
