"""What each party may read of an event: one rule for the events API and webhooks.

An order's event carries the facts of the change (``data``) and the order as it
stood then (``snapshot``). A reader sees them through the same rule as an order
read (``services/visibility.py``, ``OrderView``):

- the operator and the order's merchant see everything, the customer's contact
  details included;
- a supplier sees its own lines only (never another supplier's line, amount or
  refund) and what it earns on them; nothing of the customer but their language;
- a courier or a store sees every line to hand over and the customer's name (to
  hand over to them), but not their email nor what the merchant and the suppliers
  earn (line shares, refunded amounts, deposits).

An event that tells a reader nothing it may see (another supplier's line
released) is not that reader's event at all: it is neither listed nor delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from axokey.domain.orders import Order
from axokey.domain.parties import Role

# Line fields that tell what someone earns or gets back on the line.
LINE_SHARE_FIELDS = (
    "supplier_amount",
    "commission",
    "deposit_bps",
    "deposit",
    "released_amount",
    "refunded_amount",
)
# Order-level totals that only the merchant and the operator read, per event type.
CONFIDENTIAL_DATA_FIELDS = {"order.paid": ("deposits",), "order.cancelled": ("refunded",)}


@dataclass(frozen=True)
class Reader:
    """Who reads an event: the operator (``party_id is None``) or a party."""

    role: Role
    party_id: str | None

    @property
    def is_operator(self) -> bool:
        return self.role is Role.ADMIN


OPERATOR = Reader(Role.ADMIN, None)


def order_snapshot(order: Order) -> dict[str, Any]:
    """The whole order at the time of an event (filtered per reader when read)."""
    return {
        "id": order.id,
        "merchant_id": order.merchant_id,
        "status": order.status.value,
        "currency": order.currency,
        "payment_mode": order.payment_mode.value,
        "fulfilment": order.fulfilment.value,
        "amount_total": order.amount_total,
        "delivery_fee": order.delivery_fee,
        "courier_fee_status": order.fee_status.value,
        "courier_id": order.courier_id,
        "store_id": order.store_id,
        "customer": {
            "email": order.customer.email,
            "name": order.customer.name,
            "locale": order.customer.locale,
        },
        "lines": [
            {
                "id": line.id,
                "product_id": line.product_id,
                "supplier_id": line.supplier_id,
                "kind": line.product_kind.value,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": line.amount,
                "supplier_amount": line.supplier_amount,
                "commission": line.commission,
                "deposit_bps": line.deposit_bps,
                "deposit": line.deposit,
                "status": line.status.value,
                "quantity_released": line.quantity_released,
                "released_amount": line.released_amount,
                "refunded_amount": line.refunded_amount,
            }
            for line in order.lines
        ],
    }


def readers_of_order(snapshot: dict[str, Any]) -> list[Reader]:
    """The parties an order's events may concern, each with its role in the order."""
    readers = [Reader(Role.MERCHANT, snapshot["merchant_id"])]
    readers += [
        Reader(Role.SUPPLIER, supplier_id)
        for supplier_id in sorted({line["supplier_id"] for line in snapshot["lines"]})
    ]
    if snapshot.get("courier_id"):
        readers.append(Reader(Role.COURIER, snapshot["courier_id"]))
    if snapshot.get("store_id"):
        readers.append(Reader(Role.STORE, snapshot["store_id"]))
    return readers


class _OrderRule:
    def __init__(self, snapshot: dict[str, Any], reader: Reader) -> None:
        self.snapshot = snapshot
        self.reader = reader
        self.confidential = reader.is_operator or reader.party_id == snapshot["merchant_id"]
        self.supplier = reader.party_id if reader.role is Role.SUPPLIER else None
        self.suppliers = {line["id"]: line["supplier_id"] for line in snapshot["lines"]}

    def line_visible(self, line_id: str) -> bool:
        return self.supplier is None or self.suppliers.get(line_id) == self.supplier

    def shares_visible(self, line_id: str) -> bool:
        return self.confidential or (
            self.supplier is not None and self.suppliers.get(line_id) == self.supplier
        )

    def order(self) -> dict[str, Any]:
        shown = {key: value for key, value in self.snapshot.items() if key != "lines"}
        customer = dict(self.snapshot["customer"])
        if not self.confidential:
            customer["email"] = None
        if self.supplier is not None:
            customer["name"] = None  # only those who hand over need it
        shown["customer"] = customer
        shown["lines"] = [
            {
                key: (
                    None
                    if key in LINE_SHARE_FIELDS and not self.shares_visible(line["id"])
                    else value
                )
                for key, value in line.items()
            }
            for line in self.snapshot["lines"]
            if self.line_visible(line["id"])
        ]
        return shown


def _line_event_visible(rule: _OrderRule, data: dict[str, Any], shown: dict[str, Any]) -> bool:
    """A line's or a refund's event: whether the reader may see it, hiding the
    amounts from a reader who does not earn on the line."""
    line_id = data.get("line_id")
    if line_id is None:
        # A refund of no line (the courier's fee): the merchant's and the courier's.
        return rule.confidential or rule.reader.role is Role.COURIER
    if not rule.line_visible(line_id):
        return False
    if not rule.shares_visible(line_id):
        for key in ("amount", "commission"):
            shown.pop(key, None)
    return True


def event_view(
    event_type: str,
    data: dict[str, Any],
    snapshot: dict[str, Any] | None,
    reader: Reader,
) -> dict[str, Any] | None:
    """The event's ``data`` as ``reader`` may see it, or None: not its event."""
    if snapshot is None:
        return dict(data)
    rule = _OrderRule(snapshot, reader)
    shown = dict(data)
    if event_type.startswith("payment.") and not rule.confidential:
        return None  # a payment's troubles are the merchant's and the operator's
    if event_type.startswith(("line.", "refund.")) and not _line_event_visible(rule, data, shown):
        return None
    if event_type == "order.redeemed":
        for key in ("released", "refunded"):
            shown[key] = [line for line in data.get(key, []) if rule.line_visible(line)]
    if not rule.confidential:
        for key in CONFIDENTIAL_DATA_FIELDS.get(event_type, ()):
            shown.pop(key, None)
    shown["order"] = rule.order()
    return shown


def recipients(
    event_type: str,
    data: dict[str, Any],
    snapshot: dict[str, Any] | None,
    parties: list[str],
) -> list[str]:
    """The parties that may read an event (besides the operator, who reads all)."""
    if snapshot is None:
        return sorted(set(parties))
    found = {
        reader.party_id
        for reader in readers_of_order(snapshot)
        if reader.party_id and event_view(event_type, data, snapshot, reader) is not None
    }
    return sorted(found | (set(parties) - {r.party_id for r in readers_of_order(snapshot)}))
