"""The audit trail: the only place that queries ``audit_events``. Append-only:
nothing here deletes, and the one update clears the client address of entries
past its retention (the PostgreSQL trigger allows that change and no other)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from axokey.adapters.db.pagination import newest_first_page
from axokey.adapters.db.tables import audit_events
from axokey.domain.audit import Actor, AuditEvent


def audit_event_from_row(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        action=row.action,
        object_id=row.object_id,
        party_id=row.party_id,
        key_id=row.key_id,
        actor=Actor(row.actor),
        subject_party_id=row.subject_party_id,
        ip=row.ip,
        request_id=row.request_id,
        created_at=row.created_at,
        details=dict(row.details or {}),
    )


def add_event(connection: Connection, event: AuditEvent) -> None:
    connection.execute(
        insert(audit_events).values(
            id=event.id,
            action=event.action,
            object_id=event.object_id,
            party_id=event.party_id,
            key_id=event.key_id,
            actor=event.actor.value,
            subject_party_id=event.subject_party_id,
            ip=event.ip,
            request_id=event.request_id,
            details=event.details,
            created_at=event.created_at,
        )
    )


def list_events(
    connection: Connection,
    *,
    party_id: str | None,
    action: str | None,
    object_id: str | None,
    limit: int,
    starting_after: str | None,
) -> tuple[list[AuditEvent], bool]:
    """Newest first, and whether more follow. With ``party_id``: what that party
    did, and what was done to its objects; without: everything."""
    query = select(audit_events)
    if party_id is not None:
        query = query.where(
            or_(audit_events.c.party_id == party_id, audit_events.c.subject_party_id == party_id)
        )
    if action is not None:
        query = query.where(audit_events.c.action == action)
    if object_id is not None:
        query = query.where(audit_events.c.object_id == object_id)
    rows, has_more = newest_first_page(
        connection, query, audit_events.c.id, limit=limit, starting_after=starting_after
    )
    return [audit_event_from_row(row) for row in rows], has_more


def forget_addresses_before(connection: Connection, cutoff: datetime) -> int:
    """Clear the client address of the entries recorded before ``cutoff``; how many."""
    cleared = connection.execute(
        update(audit_events)
        .where(audit_events.c.created_at < cutoff, audit_events.c.ip.is_not(None))
        .values(ip=None)
    )
    return int(cleared.rowcount)
