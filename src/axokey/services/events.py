"""The transactional outbox: events are written in the same transaction as the
state change they tell of. In that same transaction each event is queued for the
webhook endpoints that subscribe to it and may read it, and for the customer's
email when it is one the customer receives (``order.paid``, ``refund.succeeded``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from axokey.adapters.db import email_repository, event_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.errors import InvariantBroken
from axokey.domain.event_views import order_snapshot, recipients
from axokey.domain.identifiers import new_id
from axokey.domain.orders import Order
from axokey.domain.webhooks import EVENT_TYPES

__all__ = ["EVENT_TYPES", "OPERATOR_ALERT_TYPES", "record_event", "record_order_events"]

CUSTOMER_EMAIL_EVENTS = {"order.paid": "order_paid", "refund.succeeded": "refund"}
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
    object_id: str | None = None,
) -> str:
    """Write one event and queue its deliveries. ``object_id``: what the event is
    about when it is not an order (deliveries about one object go out in order)."""
    snapshot = order_snapshot(order) if order is not None else None
    event = _new_event(event_type, order, snapshot, party_ids, data, object_id)
    event_repository.insert_events_and_deliveries(connection, [event], now=now)
    _queue_customer_email(connection, order, event, now)
    return event.event_id


def record_order_events(
    connection: Connection,
    order: Order,
    decided: Iterable[tuple[str, dict[str, Any]]],
    *,
    now: datetime,
) -> None:
    """The events a decision about ``order`` produced, in their order: written
    together (one statement on PostgreSQL), each with the order as it now stands."""
    snapshot = order_snapshot(order)
    new_events = [
        _new_event(event_type, order, snapshot, (), data, None) for event_type, data in decided
    ]
    if not new_events:
        return
    event_repository.insert_events_and_deliveries(connection, new_events, now=now)
    for event in new_events:
        _queue_customer_email(connection, order, event, now)


def _new_event(
    event_type: str,
    order: Order | None,
    snapshot: dict[str, Any] | None,
    party_ids: Iterable[str],
    data: dict[str, Any] | None,
    object_id: str | None,
) -> event_repository.NewEvent:
    if event_type not in EVENT_TYPES:
        raise InvariantBroken(f"unknown event type {event_type}")
    event_id = new_id("evt")
    payload = dict(data or {})
    if order is not None:
        payload.setdefault("order_id", order.id)
        payload.setdefault("order_status", order.status.value)
    readers = recipients(
        event_type,
        payload,
        snapshot,
        sorted({*party_ids, *(order_parties(order) if order else [])}),
    )
    return event_repository.NewEvent(
        event_id=event_id,
        event_type=event_type,
        order_id=order.id if order else None,
        party_ids=readers,
        data=payload,
        snapshot=snapshot,
        object_id=order.id if order else (object_id or event_id),
    )


def _queue_customer_email(
    connection: Connection, order: Order | None, event: event_repository.NewEvent, now: datetime
) -> None:
    """The customer's email for the events the customer receives (``order.paid``…)."""
    email_kind = CUSTOMER_EMAIL_EVENTS.get(event.event_type)
    if order is not None and email_kind is not None:
        email_repository.enqueue_email(
            connection,
            kind=email_kind,
            order_id=order.id,
            event_id=event.event_id,
            details=event.data,
            now=now,
        )
