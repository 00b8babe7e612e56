"""The customer's emails waiting to be sent (written with their event)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, or_, select, update

from axokey.adapters.db.engine import insert_ignoring_conflicts
from axokey.adapters.db.tables import outbound_emails
from axokey.domain.identifiers import new_id


def enqueue_email(
    connection: Connection,
    *,
    kind: str,
    order_id: str,
    event_id: str,
    details: dict[str, Any],
    now: datetime,
) -> None:
    connection.execute(
        insert_ignoring_conflicts(connection, outbound_emails, ["event_id"]),
        {
            "id": new_id("eml"),
            "kind": kind,
            "order_id": order_id,
            "event_id": event_id,
            "details": details,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )


def claim_due(
    connection: Connection, *, now: datetime, limit: int, lease_seconds: float
) -> list[Row[Any]]:
    """Lease due emails to this sender (``SKIP LOCKED`` on PostgreSQL)."""
    query = (
        select(outbound_emails.c.seq)
        .where(
            outbound_emails.c.status == "pending",
            outbound_emails.c.next_attempt_at <= now,
            or_(outbound_emails.c.lease_until.is_(None), outbound_emails.c.lease_until <= now),
        )
        .order_by(outbound_emails.c.seq)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    seqs = list(connection.execute(query).scalars())
    if not seqs:
        return []
    connection.execute(
        update(outbound_emails)
        .where(outbound_emails.c.seq.in_(seqs))
        .values(lease_until=now + timedelta(seconds=lease_seconds))
    )
    return list(
        connection.execute(
            select(outbound_emails)
            .where(outbound_emails.c.seq.in_(seqs))
            .order_by(outbound_emails.c.seq)
        ).all()
    )


def finish(
    connection: Connection,
    seq: int,
    *,
    status: str,
    attempts: int,
    next_attempt_at: datetime | None,
    error: str | None,
    now: datetime,
) -> None:
    values: dict[str, Any] = {
        "status": status,
        "attempts": attempts,
        "lease_until": None,
        "last_error": error[:300] if error else None,
    }
    if status == "sent":
        values["sent_at"] = now
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    connection.execute(update(outbound_emails).where(outbound_emails.c.seq == seq).values(**values))


def emails_of_order(connection: Connection, order_id: str) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(outbound_emails)
            .where(outbound_emails.c.order_id == order_id)
            .order_by(outbound_emails.c.seq)
        ).all()
    )


def order_codes_and_merchant(connection: Connection, order_id: str) -> Any:
    """The order's current QR reference and short code, and its merchant's name."""
    from axokey.adapters.db.tables import orders, parties

    return connection.execute(
        select(orders.c.qr_reference, orders.c.short_code, parties.c.name.label("merchant_name"))
        .join(parties, parties.c.id == orders.c.merchant_id)
        .where(orders.c.id == order_id)
    ).one()
