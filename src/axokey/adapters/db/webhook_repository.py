"""Webhook endpoints, their delivery queue and the record of every attempt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, delete, exists, insert, or_, select, update

from axokey.adapters.db.engine import insert_ignoring_conflicts
from axokey.adapters.db.pagination import newest_first_page
from axokey.adapters.db.tables import (
    events,
    parties,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)
from axokey.domain.webhooks import Attempt, Endpoint

# --- endpoints ---------------------------------------------------------------


def insert_endpoint(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(insert(webhook_endpoints).values(**values))


def find_endpoint(
    connection: Connection, endpoint_id: str, *, owner: str | None, operator: bool
) -> Row[Any] | None:
    """An endpoint its owner may see (the operator sees every endpoint)."""
    query = select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
    if not operator:
        query = query.where(webhook_endpoints.c.party_id == owner)
    return connection.execute(query).first()


def lock_endpoint(connection: Connection, endpoint_id: str) -> Row[Any] | None:
    query = select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return connection.execute(query).first()


def list_endpoints(
    connection: Connection,
    *,
    owner: str | None,
    operator: bool,
    starting_after: str | None,
    limit: int,
) -> tuple[list[Row[Any]], bool]:
    """Newest first, and whether more follow."""
    query = select(webhook_endpoints)
    if not operator:
        query = query.where(webhook_endpoints.c.party_id == owner)
    return newest_first_page(
        connection, query, webhook_endpoints.c.id, limit=limit, starting_after=starting_after
    )


def update_endpoint(connection: Connection, endpoint_id: str, values: dict[str, Any]) -> None:
    connection.execute(
        update(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id).values(**values)
    )


def delete_endpoint(connection: Connection, endpoint_id: str) -> None:
    connection.execute(
        delete(webhook_attempts).where(webhook_attempts.c.endpoint_id == endpoint_id)
    )
    connection.execute(
        delete(webhook_deliveries).where(webhook_deliveries.c.endpoint_id == endpoint_id)
    )
    connection.execute(delete(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id))


def endpoint_ids_of(connection: Connection, party_id: str | None) -> list[str]:
    """The endpoints a party owns (``None``: the operator's own)."""
    owner = (
        webhook_endpoints.c.party_id.is_(None)
        if party_id is None
        else webhook_endpoints.c.party_id == party_id
    )
    return list(connection.execute(select(webhook_endpoints.c.id).where(owner)).scalars())


def owner_role(connection: Connection, party_id: str | None) -> str | None:
    if party_id is None:
        return None
    role = connection.execute(select(parties.c.role).where(parties.c.id == party_id)).scalar()
    return str(role) if role is not None else None


# --- the delivery queue --------------------------------------------------------


def enqueue_deliveries(
    connection: Connection,
    *,
    event_id: str,
    event_seq: int,
    event_type: str,
    object_id: str,
    party_ids: Sequence[str],
    now: datetime,
    endpoint_ids: Sequence[str] | None = None,
) -> int:
    """Queue an event for every enabled endpoint that subscribes to its type and
    belongs to one of ``party_ids`` (or to the operator). Returns how many."""
    query = select(webhook_endpoints.c.id, webhook_endpoints.c.event_types).where(
        webhook_endpoints.c.enabled.is_(True),
        or_(
            webhook_endpoints.c.party_id.is_(None),
            webhook_endpoints.c.party_id.in_(list(party_ids)),
        ),
    )
    if endpoint_ids is not None:
        query = query.where(webhook_endpoints.c.id.in_(list(endpoint_ids)))
    rows = [
        {
            "endpoint_id": row.id,
            "event_id": event_id,
            "event_seq": event_seq,
            "object_id": object_id,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for row in connection.execute(query)
        if event_type in row.event_types
    ]
    if rows:
        connection.execute(
            insert_ignoring_conflicts(connection, webhook_deliveries, ["endpoint_id", "event_id"]),
            rows,
        )
    return len(rows)


def requeue(
    connection: Connection, *, event_id: str, endpoint_ids: Sequence[str], now: datetime
) -> int:
    """Deliver an event again to these endpoints: a new round of attempts."""
    result = connection.execute(
        update(webhook_deliveries)
        .where(
            webhook_deliveries.c.event_id == event_id,
            webhook_deliveries.c.endpoint_id.in_(list(endpoint_ids)),
        )
        .values(status="pending", attempts=0, next_attempt_at=now, lease_until=None)
    )
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class Claim:
    """A delivery leased to this dispatcher: what to send, where, signed how."""

    delivery_seq: int
    attempts: int
    endpoint: Row[Any]
    event: Row[Any]


def claim_due(
    connection: Connection, *, now: datetime, limit: int, lease_seconds: float
) -> list[Claim]:
    """Lease up to ``limit`` due deliveries. A delivery waits while an earlier
    delivery about the same object to the same endpoint is pending (order per
    object). On PostgreSQL, rows another dispatcher holds are skipped (``FOR
    UPDATE SKIP LOCKED``); SQLite has one writer at a time."""
    d = webhook_deliveries
    earlier = d.alias("earlier")
    blocked = exists(
        select(earlier.c.seq).where(
            earlier.c.endpoint_id == d.c.endpoint_id,
            earlier.c.object_id == d.c.object_id,
            earlier.c.status == "pending",
            earlier.c.event_seq < d.c.event_seq,
        )
    )
    query = (
        select(d.c.seq, d.c.attempts)
        .join(webhook_endpoints, webhook_endpoints.c.id == d.c.endpoint_id)
        .where(
            d.c.status == "pending",
            d.c.next_attempt_at <= now,
            or_(d.c.lease_until.is_(None), d.c.lease_until <= now),
            webhook_endpoints.c.enabled.is_(True),
            ~blocked,
        )
        .order_by(d.c.next_attempt_at, d.c.seq)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=d)
    due = connection.execute(query).all()
    if not due:
        return []
    seqs = [row.seq for row in due]
    connection.execute(
        update(d)
        .where(d.c.seq.in_(seqs))
        .values(lease_until=now + timedelta(seconds=lease_seconds))
    )
    rows = connection.execute(
        select(d.c.seq, d.c.attempts, d.c.endpoint_id, d.c.event_id).where(d.c.seq.in_(seqs))
    ).all()
    endpoint_rows = {
        row.id: row
        for row in connection.execute(
            select(webhook_endpoints, parties.c.role.label("owner_role"))
            .outerjoin(parties, parties.c.id == webhook_endpoints.c.party_id)
            .where(webhook_endpoints.c.id.in_({row.endpoint_id for row in rows}))
        )
    }
    event_rows = {
        row.id: row
        for row in connection.execute(
            select(events).where(events.c.id.in_({row.event_id for row in rows}))
        )
    }
    return [
        Claim(row.seq, row.attempts, endpoint_rows[row.endpoint_id], event_rows[row.event_id])
        for row in sorted(rows, key=lambda row: row.seq)
    ]


def delivery(connection: Connection, delivery_seq: int) -> Row[Any] | None:
    return connection.execute(
        select(webhook_deliveries).where(webhook_deliveries.c.seq == delivery_seq)
    ).first()


def finish_delivery(
    connection: Connection,
    delivery_seq: int,
    *,
    status: str,
    attempts: int,
    next_attempt_at: datetime | None,
    now: datetime,
) -> None:
    values: dict[str, Any] = {
        "status": status,
        "attempts": attempts,
        "lease_until": None,
        "last_attempt_at": now,
    }
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    connection.execute(
        update(webhook_deliveries).where(webhook_deliveries.c.seq == delivery_seq).values(**values)
    )


# --- attempts ------------------------------------------------------------------


def insert_attempt(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(insert(webhook_attempts).values(**values))


def list_attempts(
    connection: Connection, endpoint_id: str, *, starting_after: str | None, limit: int
) -> tuple[list[Row[Any]], bool]:
    """Newest first, and whether more follow."""
    query = select(webhook_attempts).where(webhook_attempts.c.endpoint_id == endpoint_id)
    return newest_first_page(
        connection, query, webhook_attempts.c.id, limit=limit, starting_after=starting_after
    )


def last_success_at(connection: Connection, endpoint_id: str) -> datetime | None:
    found = connection.execute(
        select(webhook_attempts.c.attempted_at)
        .where(
            webhook_attempts.c.endpoint_id == endpoint_id, webhook_attempts.c.succeeded.is_(True)
        )
        .order_by(webhook_attempts.c.seq.desc())
        .limit(1)
    ).scalar()
    return found if isinstance(found, datetime) else None


def endpoints_with_delivery(connection: Connection, event_id: str) -> list[str]:
    return list(
        connection.execute(
            select(webhook_deliveries.c.endpoint_id).where(
                webhook_deliveries.c.event_id == event_id
            )
        ).scalars()
    )


# --- rows to domain objects -------------------------------------------------------


def endpoint_from_row(row: Any) -> Endpoint:
    return Endpoint(
        id=row.id,
        party_id=row.party_id,
        url=row.url,
        events=list(row.event_types),
        enabled=bool(row.enabled),
        disabled_reason=row.disabled_reason,
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def attempt_from_row(row: Any) -> Attempt:
    return Attempt(
        id=row.id,
        endpoint_id=row.endpoint_id,
        event_id=row.event_id,
        event_type=row.event_type,
        succeeded=bool(row.succeeded),
        response_status=row.response_status,
        error=row.error,
        duration_ms=row.duration_ms,
        response_excerpt=row.response_excerpt,
        attempted_at=row.attempted_at,
    )
