"""The outbox: the one place that writes and reads the ``events`` table (and who
may read each event). Written with each change; read by the events API, the
webhook dispatcher and the email sender."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, String, func, insert, literal, select
from sqlalchemy.dialects import postgresql

from axokey.adapters.db.tables import event_recipients, events, orders


def insert_event(
    connection: Connection,
    *,
    event_id: str,
    event_type: str,
    order_id: str | None,
    party_ids: Sequence[str],
    data: dict[str, Any],
    snapshot: dict[str, Any] | None,
    now: datetime,
) -> int:
    """Insert an event and who may read it; returns its sequence number. On
    PostgreSQL one statement (the event's insert feeds its readers' insert)."""
    event = (
        insert(events)
        .values(
            id=event_id,
            type=event_type,
            order_id=order_id,
            party_ids=list(party_ids),
            data=data,
            snapshot=snapshot,
            created_at=now,
        )
        .returning(events.c.seq)
    )
    if party_ids and connection.dialect.name == "postgresql":
        new_event = event.cte("new_event")
        readers = select(
            func.unnest(postgresql.array([literal(p, String) for p in party_ids])),
            new_event.c.seq,
        )
        return int(
            connection.execute(
                insert(event_recipients)
                .from_select(["party_id", "event_seq"], readers)
                .returning(event_recipients.c.event_seq)
            ).first()[0]  # type: ignore[index]
        )
    seq = connection.execute(event).scalar_one()
    if party_ids:
        connection.execute(
            insert(event_recipients),
            [{"party_id": party_id, "event_seq": seq} for party_id in party_ids],
        )
    return int(seq)


def events_of_order(connection: Connection, order_id: str) -> list[tuple[str, dict[str, Any]]]:
    rows = connection.execute(
        select(events.c.type, events.c.data)
        .where(events.c.order_id == order_id)
        .order_by(events.c.seq)
    )
    return [(row.type, row.data) for row in rows]


def _readable(party_id: str | None) -> Any:
    query = select(events)
    if party_id is not None:
        query = query.join(
            event_recipients,
            (event_recipients.c.event_seq == events.c.seq)
            & (event_recipients.c.party_id == party_id),
        )
    return query


def list_events(
    connection: Connection,
    *,
    party_id: str | None,
    event_type: str | None,
    before_seq: int | None,
    limit: int,
) -> Sequence[Row[Any]]:
    """Newest first; ``party_id=None`` reads every event (the operator)."""
    query = _readable(party_id)
    if event_type is not None:
        query = query.where(events.c.type == event_type)
    if before_seq is not None:
        query = query.where(events.c.seq < before_seq)
    return connection.execute(query.order_by(events.c.seq.desc()).limit(limit)).all()


def find_event(connection: Connection, event_id: str, *, party_id: str | None) -> Row[Any] | None:
    return connection.execute(_readable(party_id).where(events.c.id == event_id)).first()


def event_by_seq(connection: Connection, seq: int) -> Row[Any]:
    return connection.execute(select(events).where(events.c.seq == seq)).one()


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
