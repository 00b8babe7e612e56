"""The outbox: the one place that writes and reads the ``events`` table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from axokey.adapters.db.tables import events, orders


def insert_event(
    connection: Connection,
    *,
    event_id: str,
    event_type: str,
    order_id: str | None,
    party_ids: Iterable[str],
    data: dict[str, Any],
    now: datetime,
) -> None:
    connection.execute(
        insert(events).values(
            id=event_id,
            type=event_type,
            order_id=order_id,
            party_ids=sorted(set(party_ids)),
            data=data,
            created_at=now,
        )
    )


def events_of_order(connection: Connection, order_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(type, data) of an order's events, in the order they were recorded."""
    rows = connection.execute(
        select(events.c.type, events.c.data)
        .where(events.c.order_id == order_id)
        .order_by(events.c.seq)
    )
    return [(row.type, row.data) for row in rows]


def alerts(
    connection: Connection,
    *,
    types: Iterable[str],
    merchant_id: str | None,
    limit: int,
    starting_after: str | None,
) -> tuple[list[tuple[str, str, datetime, dict[str, Any]]], bool]:
    """Events of ``types``, newest first: (id, type, created_at, data); all of them,
    or those of one merchant's orders."""
    query = select(
        events.c.seq, events.c.id, events.c.type, events.c.created_at, events.c.data
    ).where(events.c.type.in_(list(types)))
    if merchant_id is not None:
        own = select(orders.c.id).where(orders.c.merchant_id == merchant_id)
        query = query.where(events.c.order_id.in_(own))
    if starting_after is not None:
        before = select(events.c.seq).where(events.c.id == starting_after).scalar_subquery()
        query = query.where(events.c.seq < before)
    rows = connection.execute(query.order_by(events.c.seq.desc()).limit(limit + 1)).all()
    found = [(row.id, row.type, row.created_at, row.data) for row in rows[:limit]]
    return found, len(rows) > limit
