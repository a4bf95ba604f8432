"""The order service's side of the order events: it publishes an ``order-created`` event for
each placed order. Its contract tests (``tests/``) verify that the events it produces are
the ones the shipping service's pact (samples/pacts/, written by samples/orderevents)
expects, with ``@message_producer`` on a provider TestCase and with pact-python v2's
``MessageProvider``. ``ORDER_SERVICE_BROKEN=1`` makes the producer forget the address, to
show a message verification failure."""
from .events import Order, OrderStore, order_created

__all__ = ["Order", "OrderStore", "order_created"]
