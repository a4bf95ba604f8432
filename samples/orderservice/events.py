"""The order service's ``order-created`` events, as its publisher puts them on the topic."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple


@dataclass
class Order:
    order_id: int
    customer: str
    address: str
    lines: List[Tuple[str, int]] = field(default_factory=list)


class OrderStore:
    """The service's orders (a database in real life)."""

    def __init__(self) -> None:
        self.orders: Dict[int, Order] = {}

    def place(self, order: Order) -> Order:
        self.orders[order.order_id] = order
        return order


def order_created(order: Order) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """The event body and its metadata for a placed order."""
    body: Dict[str, Any] = {
        "orderId": order.order_id,
        "shipTo": {"name": order.customer, "address": order.address},
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in order.lines],
    }
    if os.environ.get("ORDER_SERVICE_BROKEN"):
        del body["shipTo"]   # the deliberate bug of the broken sample
    return body, {"contentType": "application/json", "topic": "orders",
                  "eventType": "order-created"}
