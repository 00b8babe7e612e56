"""The transactional outbox: events are written in the same transaction as the
state change they tell of; webhook delivery reads them later."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from axokey.adapters.db import event_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.errors import InvariantBroken
from axokey.domain.identifiers import new_id
from axokey.domain.orders import Order

EVENT_TYPES = frozenset(
    {
        "order.created",
        "order.paid",
        "order.redeemed",
        "order.completed",
        "order.expired",
        "order.cancelled",
        "line.released",
        "line.refunded",
        "refund.succeeded",
        "refund.failed",
        "payment.refused",
        "payout.paid",
        "payout.failed",
        "stock.changed",
        # A refused attempt on a payment page that allows another (PayXpert's "Pending").
        "payment.attempt_failed",
        # Someone must look: the provider answered something we do not recognise, or
        # authorised without capturing; never a guess (see services/payments.py).
        "payment.attention_required",
    }
)
# Events someone must act on: the operator (all), a merchant (its orders' payments);
# listed at GET /v1/payment-alerts and on the dashboard.
OPERATOR_ALERT_TYPES = ("payment.attention_required",)


def order_parties(order: Order) -> list[str]:
    """Who an order's events concern (and may be delivered to)."""
    parties = [order.merchant_id, *sorted({line.supplier_id for line in order.lines})]
    parties += [party for party in (order.courier_id, order.store_id) if party]
    return parties


def record_event(
    connection: Connection,
    event_type: str,
    *,
    now: datetime,
    order: Order | None = None,
    party_ids: Iterable[str] = (),
    data: dict[str, Any] | None = None,
) -> str:
    if event_type not in EVENT_TYPES:
        raise InvariantBroken(f"unknown event type {event_type}")
    event_id = new_id("evt")
    payload = dict(data or {})
    if order is not None:
        payload.setdefault("order_id", order.id)
        payload.setdefault("order_status", order.status.value)
    event_repository.insert_event(
        connection,
        event_id=event_id,
        event_type=event_type,
        order_id=order.id if order else None,
        party_ids={*party_ids, *(order_parties(order) if order else [])},
        data=payload,
        now=now,
    )
    return event_id


def record_order_events(
    connection: Connection,
    order: Order,
    decided: Iterable[tuple[str, dict[str, Any]]],
    *,
    now: datetime,
) -> None:
    for event_type, data in decided:
        record_event(connection, event_type, now=now, order=order, data=data)
