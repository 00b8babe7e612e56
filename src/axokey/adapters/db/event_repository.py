"""The outbox: the one place that writes and reads the ``events`` table (and who
may read each event). Written with each change; read by the events API, the
webhook dispatcher and the email sender."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from axokey.adapters.db.tables import event_recipients, events


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
    """Insert an event and who may read it; returns its sequence number."""
    seq = connection.execute(
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
    ).scalar_one()
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
