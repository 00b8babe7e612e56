"""The webhook dispatcher: deliver queued events to their endpoints.

At least once, in order per object (an order's events reach an endpoint one after
the other), each attempt recorded. A round leases due deliveries in one short
transaction (``SKIP LOCKED`` on PostgreSQL, so several ``serve`` processes never
send the same attempt at once), sends them concurrently outside any transaction
(a receiver that hangs holds one worker thread for at most the timeout), then
records each outcome in its own transaction: success, a retry at the next step
of ``AXOKEY_WEBHOOK_RETRY_SCHEDULE_SECONDS``, or — past the schedule — the
delivery given up and the endpoint disabled, with a ``webhook_endpoint.disabled``
event.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from axokey.adapters.db import webhook_repository
from axokey.adapters.db.webhook_repository import Claim
from axokey.adapters.webhooks import http_sender
from axokey.adapters.webhooks.signing import signature_header
from axokey.domain.event_views import OPERATOR, Reader, event_view
from axokey.domain.identifiers import new_id
from axokey.domain.parties import Role
from axokey.domain.webhooks import ENDPOINT_DISABLED, after_failure, parse_retry_schedule
from axokey.services.context import ServiceContext
from axokey.services.events import record_event

logger = logging.getLogger("axokey.webhooks")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def signing_secrets(endpoint: Any, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one until it
    expires (24 h after a rotation)."""
    found = [endpoint.secret]
    expires_at = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires_at is not None and expires_at > now:
        found.append(endpoint.previous_secret)
    return found


@dataclass(frozen=True)
class DeliveryRequest:
    headers: dict[str, str]
    body: bytes


def delivery_request(
    endpoint: Any,
    *,
    event_id: str,
    event_type: str,
    created_at: datetime,
    data: dict[str, Any],
    now: datetime,
) -> DeliveryRequest:
    """The Standard Webhooks request: body ``{type, timestamp, data}``, headers
    ``webhook-id`` (the event's id), ``webhook-timestamp``, ``webhook-signature``.
    The signature's timestamp is the wall clock's: receivers compare it to theirs."""
    body = json.dumps(
        {"type": event_type, "timestamp": rfc3339(created_at), "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    signed_at = datetime.now(UTC).replace(microsecond=0)
    return DeliveryRequest(
        headers={
            "webhook-id": event_id,
            "webhook-timestamp": str(int(signed_at.timestamp())),
            "webhook-signature": signature_header(
                signing_secrets(endpoint, now), event_id, signed_at, body
            ),
            "User-Agent": "AXOKEY-Webhooks/1",
        },
        body=body.encode(),
    )


def attempt_values(
    delivery_seq: int | None,
    endpoint_id: str,
    event_id: str,
    event_type: str,
    outcome: http_sender.Outcome,
    *,
    attempted_at: datetime,
) -> dict[str, Any]:
    return {
        "id": new_id("wha"),
        "delivery_seq": delivery_seq,
        "endpoint_id": endpoint_id,
        "event_id": event_id,
        "event_type": event_type,
        "succeeded": outcome.succeeded,
        "response_status": outcome.response_status,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
        "response_excerpt": outcome.response_excerpt,
        "attempted_at": attempted_at,
    }


def _reader(endpoint: Any) -> Reader:
    if endpoint.party_id is None:
        return OPERATOR
    return Reader(Role(endpoint.owner_role), endpoint.party_id)


@dataclass
class DispatchReport:
    attempted: int = 0
    succeeded: int = 0
    retried: int = 0
    given_up: int = 0
    endpoints_disabled: int = 0


def dispatch_due(
    context: ServiceContext, *, resolver: http_sender.Resolver | None = None
) -> DispatchReport:
    """One round: lease the due deliveries, send them, record the outcomes."""
    settings = context.settings
    timeout = settings.webhook_delivery_timeout_seconds
    now = context.now()
    claims = context.database.run(
        lambda connection: webhook_repository.claim_due(
            connection,
            now=now,
            limit=settings.webhook_dispatch_batch_size,
            lease_seconds=3 * timeout + 30,
        )
    )
    report = DispatchReport()
    if not claims:
        return report
    schedule = parse_retry_schedule(settings.webhook_retry_schedule_seconds)
    workers = max(1, min(settings.webhook_delivery_concurrency, len(claims)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="axokey-webhook") as pool:
        outcomes = list(pool.map(lambda claim: (claim, _send(context, claim, resolver)), claims))
    for claim, outcome in outcomes:
        try:
            _record(context, claim, outcome, schedule, report)
        except Exception:  # one failed record must not lose the others
            logger.exception("could not record the attempt of delivery %s", claim.delivery_seq)
    return report


def dispatch_until_idle(
    context: ServiceContext, *, resolver: http_sender.Resolver | None = None, rounds_max: int = 1000
) -> DispatchReport:
    """Rounds until nothing is due (a background job's work, and tests')."""
    total = DispatchReport()
    for _ in range(rounds_max):
        report = dispatch_due(context, resolver=resolver)
        if report.attempted == 0:
            break
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(report, name))
    return total


def _send(
    context: ServiceContext, claim: Claim, resolver: http_sender.Resolver | None
) -> http_sender.Outcome | None:
    """Send one claimed delivery; None when its owner may not read the event."""
    event = claim.event
    endpoint = claim.endpoint
    data = event_view(event.type, event.data, event.snapshot, _reader(endpoint))
    if data is None:
        return None
    request = delivery_request(
        endpoint,
        event_id=event.id,
        event_type=event.type,
        created_at=event.created_at,
        data=data,
        now=context.now(),
    )
    from axokey.services.webhook_endpoints import url_policy

    return http_sender.send(
        endpoint.url,
        headers=request.headers,
        body=request.body,
        policy=url_policy(context),
        timeout_seconds=context.settings.webhook_delivery_timeout_seconds,
        resolver=resolver or http_sender.resolve,
    )


def _record(
    context: ServiceContext,
    claim: Claim,
    outcome: http_sender.Outcome | None,
    schedule: tuple[int, ...],
    report: DispatchReport,
) -> None:
    now = context.now()
    endpoint = claim.endpoint

    def record_delivery_outcome(connection: Any) -> str:
        if outcome is None:
            webhook_repository.finish_delivery(
                connection,
                claim.delivery_seq,
                status="skipped",
                attempts=claim.attempts,
                next_attempt_at=None,
                now=now,
            )
            return "skipped"
        webhook_repository.insert_attempt(
            connection,
            attempt_values(
                claim.delivery_seq,
                endpoint.id,
                claim.event.id,
                claim.event.type,
                outcome,
                attempted_at=now,
            ),
        )
        attempts = claim.attempts + 1
        if outcome.succeeded:
            webhook_repository.finish_delivery(
                connection,
                claim.delivery_seq,
                status="succeeded",
                attempts=attempts,
                next_attempt_at=None,
                now=now,
            )
            return "succeeded"
        step = after_failure(attempts, schedule, now)
        if step.retry_at is not None:
            webhook_repository.finish_delivery(
                connection,
                claim.delivery_seq,
                status="pending",
                attempts=attempts,
                next_attempt_at=step.retry_at,
                now=now,
            )
            return "retried"
        webhook_repository.finish_delivery(
            connection,
            claim.delivery_seq,
            status="failed",
            attempts=attempts,
            next_attempt_at=None,
            now=now,
        )
        return (
            "disabled"
            if _disable_if_failing(connection, endpoint.id, schedule, now)
            else "given_up"
        )

    result = context.database.run(record_delivery_outcome)
    report.attempted += outcome is not None
    if result == "succeeded":
        report.succeeded += 1
    elif result == "retried":
        report.retried += 1
    elif result in ("given_up", "disabled"):
        report.given_up += 1
        report.endpoints_disabled += result == "disabled"


def _disable_if_failing(
    connection: Any, endpoint_id: str, schedule: tuple[int, ...], now: datetime
) -> bool:
    """Disable an endpoint that has not once succeeded over the whole schedule."""
    endpoint = webhook_repository.lock_endpoint(connection, endpoint_id)
    if endpoint is None or not endpoint.enabled:
        return False
    last_success = webhook_repository.last_success_at(connection, endpoint_id)
    if last_success is not None and last_success > now - timedelta(seconds=sum(schedule)):
        return False
    webhook_repository.update_endpoint(
        connection,
        endpoint_id,
        {"enabled": False, "disabled_reason": "failing", "updated_at": now},
    )
    record_event(
        connection,
        ENDPOINT_DISABLED,
        now=now,
        party_ids=[endpoint.party_id] if endpoint.party_id else [],
        data={"endpoint_id": endpoint_id, "url": endpoint.url, "reason": "failing"},
    )
    logger.warning(
        "webhook endpoint %s disabled: failing for the whole retry schedule", endpoint_id
    )
    return True
