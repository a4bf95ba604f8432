"""The shipping service's handler of ``order-created`` events."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping


class UnsupportedEvent(ValueError):
    """A message the handler cannot act on (other topic, other event version)."""


@dataclass(frozen=True)
class Shipment:
    order_id: int
    address: str
    skus: List[str]


class ShipmentHandler:
    """Turns each ``order-created`` event into a :class:`Shipment` (kept in ``shipments``)."""

    def __init__(self) -> None:
        self.shipments: Dict[int, Shipment] = {}

    def __call__(self, body: bytes, metadata: Mapping[str, Any]) -> Shipment:
        if metadata.get("topic") != "orders" or metadata.get("eventType") != "order-created":
            raise UnsupportedEvent(f"not an order-created event: {dict(metadata)!r}")
        event = json.loads(body.decode("utf-8"))
        shipment = Shipment(int(event["orderId"]), event["shipTo"]["address"],
                            [line["sku"] for line in event["lines"]])
        self.shipments[shipment.order_id] = shipment
        return shipment
