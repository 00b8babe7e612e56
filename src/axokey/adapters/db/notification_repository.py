"""Providers' notifications as we received them: stored first, then claimed and
processed once per (provider, event id). The only place that queries
``provider_notifications``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, or_, select, update

from axokey.adapters.db.engine import insert_if_absent
from axokey.adapters.db.tables import provider_notifications

RECEIVED = "received"
PROCESSING = "processing"
PROCESSED = "processed"
REJECTED = "rejected"
DETAIL_MAX_LENGTH = 500


@dataclass(frozen=True)
class StoredNotification:
    provider: str
    event_id: str
    provider_reference: str | None
    status: str
    attempts: int


def store(
    connection: Connection,
    *,
    provider: str,
    event_id: str,
    provider_reference: str | None,
    body: bytes,
    body_sha256: str,
    status: str,
    detail: str | None,
    now: datetime,
    claimed: bool = False,
) -> bool:
    """Store a notification unless one with this (provider, event id) is stored
    already. True when this call stored it (``INSERT … ON CONFLICT DO NOTHING
    RETURNING``: a row comes back only from the insert that happened).
    ``claimed``: stored as taken for processing by this worker (``status`` must be
    ``processing``), as :func:`claim` would leave it, in the same statement."""
    if claimed and status != PROCESSING:
        raise ValueError("a notification stored as claimed is processing")
    return insert_if_absent(
        connection,
        provider_notifications,
        ["provider", "event_id"],
        {
            "provider": provider,
            "event_id": event_id,
            "provider_reference": provider_reference,
            "body": body,
            "body_sha256": body_sha256,
            "status": status,
            "detail": detail[:DETAIL_MAX_LENGTH] if detail else None,
            "attempts": 1 if claimed else 0,
            "received_at": now,
            "claimed_at": now if claimed else None,
        },
    )


def claim(
    connection: Connection, provider: str, event_id: str, *, now: datetime, stale_before: datetime
) -> bool:
    """Take the notification for processing: it is ``received``, or its last claim
    is older than ``stale_before`` (its worker died). One claimant wins: the
    conditional UPDATE re-reads the row after any concurrent claim commits."""
    result = connection.execute(
        _CLAIM,
        {
            "key_provider": provider,
            "key_event_id": event_id,
            "now": now,
            "stale_before": stale_before,
        },
    )
    return result.rowcount == 1


_BY_KEY = (
    provider_notifications.c.provider == bindparam("key_provider"),
    provider_notifications.c.event_id == bindparam("key_event_id"),
)
_CLAIM = (
    update(provider_notifications)
    .where(
        *_BY_KEY,
        or_(
            provider_notifications.c.status == RECEIVED,
            (provider_notifications.c.status == PROCESSING)
            & (provider_notifications.c.claimed_at <= bindparam("stale_before")),
        ),
    )
    .values(
        status=PROCESSING,
        claimed_at=bindparam("now"),
        attempts=provider_notifications.c.attempts + 1,
    )
)
_RELEASE = (
    update(provider_notifications)
    .where(*_BY_KEY, provider_notifications.c.status == PROCESSING)
    .values(status=RECEIVED, claimed_at=None, detail=bindparam("new_detail"))
)
_LOAD = select(provider_notifications).where(*_BY_KEY)
_FINISH = (
    update(provider_notifications)
    .where(*_BY_KEY, provider_notifications.c.status == PROCESSING)
    .values(status=PROCESSED, processed_at=bindparam("now"), detail=bindparam("new_detail"))
)


def finish(
    connection: Connection, provider: str, event_id: str, *, detail: str, now: datetime
) -> None:
    connection.execute(
        _FINISH,
        {
            "key_provider": provider,
            "key_event_id": event_id,
            "now": now,
            "new_detail": detail[:DETAIL_MAX_LENGTH],
        },
    )


def release(connection: Connection, provider: str, event_id: str, *, detail: str) -> None:
    """Processing failed (the provider could not be asked): back to ``received``
    for the next reconciliation."""
    connection.execute(
        _RELEASE,
        {
            "key_provider": provider,
            "key_event_id": event_id,
            "new_detail": detail[:DETAIL_MAX_LENGTH],
        },
    )


def load(connection: Connection, provider: str, event_id: str) -> StoredNotification | None:
    row = connection.execute(_LOAD, {"key_provider": provider, "key_event_id": event_id}).first()
    if row is None:
        return None
    return StoredNotification(
        row.provider, row.event_id, row.provider_reference, row.status, row.attempts
    )


def unprocessed(
    connection: Connection, *, stale_before: datetime, limit: int
) -> list[StoredNotification]:
    """Stored but not processed: released after a failure, or claimed by a worker
    that died (its claim older than ``stale_before``). Oldest first."""
    rows = connection.execute(
        select(provider_notifications)
        .where(
            or_(
                provider_notifications.c.status == RECEIVED,
                (provider_notifications.c.status == PROCESSING)
                & (provider_notifications.c.claimed_at <= stale_before),
            )
        )
        .order_by(provider_notifications.c.seq)
        .limit(limit)
    )
    return [
        StoredNotification(
            row.provider, row.event_id, row.provider_reference, row.status, row.attempts
        )
        for row in rows
    ]


def purge_finished(connection: Connection, *, received_before: datetime, limit: int) -> int:
    """Delete processed and rejected notifications received before the cut-off
    (at most ``limit``). Unprocessed ones are never purged."""
    oldest = (
        select(provider_notifications.c.seq)
        .where(
            provider_notifications.c.status.in_([PROCESSED, REJECTED]),
            provider_notifications.c.received_at < received_before,
        )
        .order_by(provider_notifications.c.seq)
        .limit(limit)
    )
    seqs = list(connection.execute(oldest).scalars())
    if not seqs:
        return 0
    connection.execute(delete(provider_notifications).where(provider_notifications.c.seq.in_(seqs)))
    return len(seqs)
