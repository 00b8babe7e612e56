"""Webhook endpoints: register, read, change, rotate the secret, delete, test;
and the event feed that polling systems read (``GET /v1/events``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axokey.adapters.db import event_repository, webhook_repository
from axokey.adapters.webhooks import http_sender, signing
from axokey.domain.audit import Action
from axokey.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from axokey.domain.event_views import Reader, event_view
from axokey.domain.identifiers import new_id
from axokey.domain.parties import Principal, Role
from axokey.domain.webhooks import (
    DESCRIPTION_LENGTH_MAX,
    TEST_EVENT,
    Attempt,
    Endpoint,
    UrlPolicy,
    check_event_types,
)
from axokey.services import audit
from axokey.services.context import ServiceContext
from axokey.services.parties import require_role

ENDPOINT_ROLES = (Role.MERCHANT, Role.SUPPLIER, Role.STORE, Role.COURIER, Role.ADMIN)


def url_policy(context: ServiceContext) -> UrlPolicy:
    return UrlPolicy(allow_private=context.settings.webhook_private_urls_allowed)


def check_url(context: ServiceContext, url: str) -> str:
    """A URL that may receive webhooks now (scheme, and every resolved address)."""
    try:
        http_sender.checked_addresses(url, url_policy(context), http_sender.resolve)
    except http_sender.AddressRefused as error:
        raise ValidationFailed(
            str(error), code="webhook_url_refused", errors=[FieldError("url", str(error))]
        ) from None
    return url


def _check_description(description: str | None) -> str | None:
    if description is not None and len(description) > DESCRIPTION_LENGTH_MAX:
        raise ValidationFailed(
            "description too long",
            errors=[FieldError("description", f"at most {DESCRIPTION_LENGTH_MAX} characters")],
        )
    return description


def create_endpoint(
    context: ServiceContext,
    principal: Principal,
    *,
    url: str,
    events: list[str],
    description: str | None,
) -> tuple[Endpoint, str]:
    """A new endpoint and its secret (returned once)."""
    require_role(principal, *ENDPOINT_ROLES)
    event_types = check_event_types(events)
    _check_description(description)
    check_url(context, url)
    secret = signing.new_secret()
    now = context.now()
    endpoint_id = new_id("whe")
    values: dict[str, Any] = {
        "id": endpoint_id,
        "party_id": principal.party_id,
        "url": url,
        "event_types": event_types,
        "description": description,
        "enabled": True,
        "secret": secret,
        "created_at": now,
        "updated_at": now,
    }

    def add_endpoint(connection: Any) -> Endpoint:
        webhook_repository.insert_endpoint(connection, values)
        audit.record(
            connection,
            context,
            principal,
            Action.WEBHOOK_ENDPOINT_CREATED,
            object_id=endpoint_id,
            details={"url": url, "events": event_types},
        )
        row = webhook_repository.find_endpoint(connection, endpoint_id, owner=None, operator=True)
        return webhook_repository.endpoint_from_row(row)

    return context.database.run(add_endpoint), secret


def _find(connection: Any, principal: Principal, endpoint_id: str) -> Any:
    row = webhook_repository.find_endpoint(
        connection, endpoint_id, owner=principal.party_id, operator=principal.is_admin
    )
    if row is None:
        raise NotFound(
            f"webhook endpoint {endpoint_id} not found", code="webhook_endpoint_not_found"
        )
    return row


def get_endpoint(context: ServiceContext, principal: Principal, endpoint_id: str) -> Endpoint:
    require_role(principal, *ENDPOINT_ROLES)
    with context.database.read() as connection:
        return webhook_repository.endpoint_from_row(_find(connection, principal, endpoint_id))


def list_endpoints(
    context: ServiceContext, principal: Principal, *, starting_after: str | None, limit: int
) -> tuple[list[Endpoint], bool]:
    require_role(principal, *ENDPOINT_ROLES)
    with context.database.read() as connection:
        rows, has_more = webhook_repository.list_endpoints(
            connection,
            owner=principal.party_id,
            operator=principal.is_admin,
            starting_after=starting_after,
            limit=limit,
        )
    return [webhook_repository.endpoint_from_row(row) for row in rows], has_more


def update_endpoint(
    context: ServiceContext,
    principal: Principal,
    endpoint_id: str,
    *,
    url: str | None,
    events: list[str] | None,
    enabled: bool | None,
    description: str | None,
) -> Endpoint:
    require_role(principal, *ENDPOINT_ROLES)
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = check_url(context, url)
    if events is not None:
        changes["event_types"] = check_event_types(events)
    if description is not None:
        changes["description"] = _check_description(description)
    if enabled is not None:
        changes["enabled"] = enabled
        changes["disabled_reason"] = None if enabled else "disabled_by_owner"

    def apply_changes(connection: Any) -> Endpoint:
        _find(connection, principal, endpoint_id)
        if changes:
            changes["updated_at"] = context.now()
            webhook_repository.update_endpoint(connection, endpoint_id, changes)
            audit.record(
                connection,
                context,
                principal,
                Action.WEBHOOK_ENDPOINT_UPDATED,
                object_id=endpoint_id,
                details={key: value for key, value in changes.items() if key != "updated_at"},
            )
        return webhook_repository.endpoint_from_row(_find(connection, principal, endpoint_id))

    return context.database.run(apply_changes)


def delete_endpoint(context: ServiceContext, principal: Principal, endpoint_id: str) -> Endpoint:
    require_role(principal, *ENDPOINT_ROLES)

    def remove_endpoint(connection: Any) -> Endpoint:
        endpoint = webhook_repository.endpoint_from_row(_find(connection, principal, endpoint_id))
        webhook_repository.delete_endpoint(connection, endpoint_id)
        audit.record(
            connection,
            context,
            principal,
            Action.WEBHOOK_ENDPOINT_DELETED,
            object_id=endpoint_id,
            subject_party_id=endpoint.party_id,
        )
        return endpoint

    return context.database.run(remove_endpoint)


def rotate_secret(
    context: ServiceContext, principal: Principal, endpoint_id: str
) -> tuple[Endpoint, str]:
    """A new secret; the old one keeps signing (beside the new) for 24 hours."""
    require_role(principal, *ENDPOINT_ROLES)
    secret = signing.new_secret()
    now = context.now()
    ttl = timedelta(seconds=context.settings.webhook_previous_secret_ttl_seconds)

    def replace_secret(connection: Any) -> Endpoint:
        _find(connection, principal, endpoint_id)
        row = webhook_repository.lock_endpoint(connection, endpoint_id)
        assert row is not None
        webhook_repository.update_endpoint(
            connection,
            endpoint_id,
            {
                "secret": secret,
                "previous_secret": row.secret,
                "previous_secret_expires_at": now + ttl,
                "updated_at": now,
            },
        )
        audit.record(
            connection,
            context,
            principal,
            Action.WEBHOOK_ENDPOINT_ROTATED,
            object_id=endpoint_id,
            subject_party_id=row.party_id,
        )
        return webhook_repository.endpoint_from_row(_find(connection, principal, endpoint_id))

    return context.database.run(replace_secret), secret


# --- the events feed -----------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    id: str
    type: str
    created_at: datetime
    data: dict[str, Any]


def reader_of(principal: Principal) -> Reader:
    return Reader(principal.role, principal.party_id)


def _view(row: Any, reader: Reader) -> EventView | None:
    data = event_view(row.type, row.data, row.snapshot, reader)
    if data is None:
        return None
    return EventView(row.id, row.type, row.created_at, data)


def list_events(
    context: ServiceContext,
    principal: Principal,
    *,
    event_type: str | None,
    starting_after: str | None,
    limit: int,
) -> tuple[list[EventView], bool]:
    """The caller's events, newest first (the operator's: every event)."""
    if event_type is not None:
        check_event_types([event_type])
    party_id = None if principal.is_admin else principal.party_id
    reader = reader_of(principal)
    with context.database.read() as connection:
        before = None
        if starting_after is not None:
            cursor = event_repository.find_event(connection, starting_after, party_id=party_id)
            if cursor is None:
                raise ValidationFailed(
                    "starting_after names no event of yours",
                    code="invalid_cursor",
                    errors=[FieldError("starting_after", "unknown event id")],
                )
            before = cursor.seq
        rows = event_repository.list_events(
            connection, party_id=party_id, event_type=event_type, before_seq=before, limit=limit + 1
        )
    views = [view for row in rows[:limit] if (view := _view(row, reader)) is not None]
    return views, len(rows) > limit


def get_event(context: ServiceContext, principal: Principal, event_id: str) -> EventView:
    party_id = None if principal.is_admin else principal.party_id
    with context.database.read() as connection:
        row = event_repository.find_event(connection, event_id, party_id=party_id)
    view = _view(row, reader_of(principal)) if row is not None else None
    if view is None:
        raise NotFound(f"event {event_id} not found", code="event_not_found")
    return view


def redeliver(context: ServiceContext, principal: Principal, event_id: str) -> int:
    """Deliver an event again to the caller's enabled endpoints that subscribe to
    its type (the operator: to every endpoint it was delivered to, and its own).
    Returns how many deliveries were queued."""
    require_role(principal, *ENDPOINT_ROLES)
    party_id = None if principal.is_admin else principal.party_id
    now = context.now()

    def queue_redeliveries(connection: Any) -> int:
        row = event_repository.find_event(connection, event_id, party_id=party_id)
        if row is None:
            raise NotFound(f"event {event_id} not found", code="event_not_found")
        mine = webhook_repository.endpoint_ids_of(connection, principal.party_id)
        if principal.is_admin:
            mine += webhook_repository.endpoints_with_delivery(connection, event_id)
        webhook_repository.enqueue_deliveries(
            connection,
            event_id=row.id,
            event_seq=row.seq,
            event_type=row.type,
            object_id=row.order_id or row.id,
            party_ids=row.party_ids,
            now=now,
            endpoint_ids=mine,
        )
        queued = webhook_repository.requeue(
            connection, event_id=event_id, endpoint_ids=mine, now=now
        )
        audit.record(
            connection,
            context,
            principal,
            Action.EVENT_REDELIVERED,
            object_id=event_id,
            details={"deliveries_queued": queued},
        )
        if queued == 0:
            raise Conflict(
                "no enabled endpoint of yours subscribes to this event",
                code="no_webhook_endpoint",
            )
        return queued

    return context.database.run(queue_redeliveries)


# --- attempts and tests --------------------------------------------------------


def list_attempts(
    context: ServiceContext,
    principal: Principal,
    endpoint_id: str,
    *,
    starting_after: str | None,
    limit: int,
) -> tuple[list[Attempt], bool]:
    require_role(principal, *ENDPOINT_ROLES)
    with context.database.read() as connection:
        _find(connection, principal, endpoint_id)
        rows, has_more = webhook_repository.list_attempts(
            connection, endpoint_id, starting_after=starting_after, limit=limit
        )
    return [webhook_repository.attempt_from_row(row) for row in rows], has_more


def send_test(context: ServiceContext, principal: Principal, endpoint_id: str) -> Attempt:
    """Send a signed ``webhook_endpoint.test`` event now; the attempt is recorded."""
    from axokey.services.webhook_dispatch import attempt_values, delivery_request

    require_role(principal, *ENDPOINT_ROLES)
    with context.database.read() as connection:
        endpoint = _find(connection, principal, endpoint_id)
    event_id = new_id("evt")
    now = context.now()
    request = delivery_request(
        endpoint,
        event_id=event_id,
        event_type=TEST_EVENT,
        created_at=now,
        data={"endpoint_id": endpoint.id, "message": "AXOKEY webhook test"},
        now=now,
    )
    outcome = http_sender.send(
        endpoint.url,
        headers=request.headers,
        body=request.body,
        policy=url_policy(context),
        timeout_seconds=context.settings.webhook_delivery_timeout_seconds,
    )
    values = attempt_values(
        None, endpoint.id, event_id, TEST_EVENT, outcome, attempted_at=context.now()
    )

    def record_test_attempt(connection: Any) -> None:
        webhook_repository.insert_attempt(connection, values)

    context.database.run(record_test_attempt)
    return Attempt(**{field: values[field] for field in Attempt.__dataclass_fields__})
