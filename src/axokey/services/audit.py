"""The audit trail of privileged and money-moving actions.

Other use cases call ``record`` inside their own transaction, with the connection
they write with: the entry is written if and only if the action is::

    def cancel_the_order(connection: Connection) -> Order:
        ...  # the change itself
        audit.record(connection, context, principal, Action.ORDER_CANCELLED,
                     object_id=order.id, subject_party_id=order.merchant_id,
                     details={"refunded": amount})

Entries are never changed nor deleted (a PostgreSQL trigger refuses it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from axokey.adapters.db import audit_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.audit import Action, Actor, AuditEvent
from axokey.domain.errors import FieldError, ValidationFailed
from axokey.domain.identifiers import new_id
from axokey.domain.parties import Principal
from axokey.services.context import ServiceContext


def record(
    connection: Connection,
    context: ServiceContext,
    principal: Principal,
    action: Action | str,
    *,
    object_id: str | None,
    subject_party_id: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one entry, in the caller's transaction. ``subject_party_id`` is the
    party whose trail this belongs to (the owner of the object) when it is not the
    acting party; ``details`` must be JSON (no secrets, no full IBANs)."""
    event = AuditEvent(
        id=new_id("aud"),
        action=str(action),
        object_id=object_id,
        party_id=principal.party_id,
        key_id=principal.key_id,
        actor=Actor(principal.authenticated_by),
        subject_party_id=subject_party_id or principal.party_id,
        ip=principal.client_address,
        request_id=principal.request_id,
        created_at=context.now(),
        details=dict(details or {}),
    )
    audit_repository.add_event(connection, event)
    return event


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    has_more: bool


def list_events(
    context: ServiceContext,
    principal: Principal,
    *,
    action: str | None,
    object_id: str | None,
    limit: int,
    starting_after: str | None,
) -> AuditPage:
    """The operator reads every entry; a party what it did and what was done to its
    objects, without the operator's address, request id or key."""
    if action is not None and action not in Action.__members__.values():
        raise ValidationFailed(
            f"unknown action {action!r}",
            code="unknown_action",
            errors=[FieldError("action", "one of: " + ", ".join(item.value for item in Action))],
        )
    party_id = None if principal.is_admin else principal.party_id
    with context.database.read() as connection:
        events, has_more = audit_repository.list_events(
            connection,
            party_id=party_id,
            action=action,
            object_id=object_id,
            limit=limit,
            starting_after=starting_after,
        )
    if party_id is not None:
        events = [_as_seen_by(event, party_id) for event in events]
    return AuditPage(events=events, has_more=has_more)


def _as_seen_by(event: AuditEvent, party_id: str) -> AuditEvent:
    if event.party_id == party_id:
        return event
    # Done by someone else (the operator) to this party's objects.
    return replace(event, key_id=None, ip=None, request_id=None)
