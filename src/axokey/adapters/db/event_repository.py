"""The outbox: the one place that writes and reads the ``events`` table (and who
may read each event). Written with each change; read by the events API, the
webhook dispatcher and the email sender."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    String,
    any_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql

from axokey.adapters.db import webhook_repository
from axokey.adapters.db.tables import (
    event_recipients,
    events,
    orders,
    webhook_deliveries,
    webhook_endpoints,
)


def _event_with_readers_and_deliveries() -> Any:
    """PostgreSQL: an event, who may read it, and its webhook deliveries (every
    enabled endpoint of the operator or of a reader that subscribes to its type),
    in one statement built once; returns the event's ``seq``."""
    readers = bindparam("readers", type_=postgresql.ARRAY(String))
    new_event = (
        insert(events)
        .values(
            id=bindparam("event_id"),
            type=bindparam("event_type"),
            order_id=bindparam("order_id"),
            party_ids=bindparam("party_ids", type_=events.c.party_ids.type),
            data=bindparam("data", type_=events.c.data.type),
            snapshot=bindparam("snapshot", type_=events.c.snapshot.type),
            created_at=bindparam("now", type_=events.c.created_at.type),
        )
        .returning(events.c.seq)
        .cte("new_event")
    )
    recipients = (
        insert(event_recipients)
        .from_select(["party_id", "event_seq"], select(func.unnest(readers), new_event.c.seq))
        .returning(event_recipients.c.event_seq)
        .cte("new_recipients")
    )
    created_at = bindparam("now", type_=webhook_deliveries.c.created_at.type)
    deliveries = (
        insert(webhook_deliveries)
        .from_select(
            [
                "endpoint_id",
                "event_id",
                "event_seq",
                "object_id",
                "status",
                "attempts",
                "next_attempt_at",
                "created_at",
            ],
            select(
                webhook_endpoints.c.id,
                bindparam("event_id", type_=String),
                new_event.c.seq,
                bindparam("object_id", type_=String),
                literal("pending", String),
                literal(0),
                created_at,
                created_at,
            )
            .select_from(webhook_endpoints)
            .join(new_event, true())  # its one row: the new event's seq
            .where(
                webhook_endpoints.c.enabled.is_(True),
                or_(
                    webhook_endpoints.c.party_id.is_(None),
                    webhook_endpoints.c.party_id == any_(readers),
                ),
                cast(webhook_endpoints.c.event_types, postgresql.JSONB).op("?")(
                    bindparam("event_type", type_=String)
                ),
            ),
        )
        .returning(webhook_deliveries.c.seq)
        .cte("new_deliveries")
    )
    return select(new_event.c.seq).add_cte(recipients, deliveries)


_EVENT_WITH_READERS_AND_DELIVERIES = _event_with_readers_and_deliveries()


@dataclass(frozen=True)
class NewEvent:
    """An event to write, with who may read it and what its deliveries are about."""

    event_id: str
    event_type: str
    order_id: str | None
    party_ids: Sequence[str]
    data: dict[str, Any]
    snapshot: dict[str, Any] | None
    object_id: str


def _insert_event_and_deliveries(connection: Connection, event: NewEvent, now: datetime) -> None:
    """:func:`insert_event`, then ``webhook_repository.enqueue_deliveries`` for it:
    one statement on PostgreSQL."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            _EVENT_WITH_READERS_AND_DELIVERIES,
            {
                "event_id": event.event_id,
                "event_type": event.event_type,
                "order_id": event.order_id,
                "party_ids": list(event.party_ids),
                "data": event.data,
                "snapshot": event.snapshot,
                "now": now,
                "readers": list(event.party_ids),
                "object_id": event.object_id,
            },
        )
        return
    seq = insert_event(
        connection,
        event_id=event.event_id,
        event_type=event.event_type,
        order_id=event.order_id,
        party_ids=event.party_ids,
        data=event.data,
        snapshot=event.snapshot,
        now=now,
    )
    webhook_repository.enqueue_deliveries(
        connection,
        event_id=event.event_id,
        event_seq=seq,
        event_type=event.event_type,
        object_id=event.object_id,
        party_ids=event.party_ids,
        now=now,
    )


# PostgreSQL: several events, their readers and their webhook deliveries in one
# statement, each event's columns as one array; events take their ``seq`` in the
# given order, and so do their deliveries.
_EVENTS_WITH_READERS_AND_DELIVERIES = text(
    """
    WITH given AS (
        SELECT * FROM unnest(
            CAST(:ids AS VARCHAR[]), CAST(:types AS VARCHAR[]), CAST(:order_ids AS VARCHAR[]),
            CAST(:party_ids AS JSON[]), CAST(:datas AS JSON[]), CAST(:snapshots AS JSON[]),
            CAST(:object_ids AS VARCHAR[])
        ) WITH ORDINALITY
          AS given (id, type, order_id, party_ids, data, snapshot, object_id, position)
    ),
    new_events AS (
        INSERT INTO events (id, type, order_id, party_ids, data, snapshot, created_at)
        SELECT id, type, order_id, party_ids, data, snapshot, :now
          FROM given ORDER BY position
        RETURNING seq, id
    ),
    readers AS (
        SELECT new_events.seq, given.id, given.type, given.object_id,
               json_array_elements_text(given.party_ids) AS party_id
          FROM new_events JOIN given ON given.id = new_events.id
    ),
    new_readers AS (
        INSERT INTO event_recipients (party_id, event_seq)
        SELECT party_id, seq FROM readers
    ),
    new_deliveries AS (
        INSERT INTO webhook_deliveries
            (endpoint_id, event_id, event_seq, object_id, status, attempts,
             next_attempt_at, created_at)
        SELECT endpoint.id, new_events.id, new_events.seq, given.object_id, 'pending', 0,
               :now, :now
          FROM new_events
          JOIN given ON given.id = new_events.id
          JOIN webhook_endpoints AS endpoint
            ON endpoint.enabled
           AND CAST(endpoint.event_types AS JSONB) ? given.type
           AND (endpoint.party_id IS NULL
                OR endpoint.party_id IN (
                    SELECT readers.party_id FROM readers WHERE readers.id = given.id))
         ORDER BY new_events.seq, endpoint.id
    )
    SELECT count(*) FROM new_events
    """
).bindparams(bindparam("now", type_=events.c.created_at.type))


def insert_events_and_deliveries(
    connection: Connection, new_events: Sequence[NewEvent], *, now: datetime
) -> None:
    """Each of ``new_events``, who may read it and its webhook deliveries, in their
    order: one statement on PostgreSQL."""
    if connection.dialect.name != "postgresql" or len(new_events) == 1:
        for event in new_events:
            _insert_event_and_deliveries(connection, event, now)
        return
    dumps = connection.dialect._json_serializer or json.dumps
    parameters = {
        "ids": [event.event_id for event in new_events],
        "types": [event.event_type for event in new_events],
        "order_ids": [event.order_id for event in new_events],
        "party_ids": [dumps(list(event.party_ids)) for event in new_events],
        "datas": [dumps(event.data) for event in new_events],
        "snapshots": [
            None if event.snapshot is None else dumps(event.snapshot) for event in new_events
        ],
        "object_ids": [event.object_id for event in new_events],
        "now": now,
    }
    written = connection.execute(_EVENTS_WITH_READERS_AND_DELIVERIES, parameters).scalar_one()
    assert written == len(new_events), "every event is written"


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
