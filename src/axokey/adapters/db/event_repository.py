"""The outbox: the one place that writes and reads the ``events`` table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from axokey.adapters.db.tables import events


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
