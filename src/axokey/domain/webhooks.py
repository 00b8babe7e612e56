"""Webhook endpoints: which events may be subscribed, which URLs may receive them,
when a failed delivery is tried again. Plain rules; the HTTP and the database are
in ``adapters/webhooks`` and ``adapters/db/webhook_repository.py``."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from axokey.domain.errors import FieldError, ValidationFailed

ORDER_EVENT_TYPES = (
    "order.created",
    "order.paid",
    "order.redeemed",
    "order.completed",
    "order.expired",
    "order.cancelled",
    "line.released",
    "line.refunded",
    "refund.succeeded",
    "refund.failed",
    # Money the provider took in another amount or currency than asked: refunded whole.
    "payment.refused",
    "payout.paid",
    "payout.failed",
    "stock.changed",
    # A refused attempt on a payment page that allows another (PayXpert's "Pending").
    "payment.attempt_failed",
    # Someone must look: the provider answered something we do not recognise, or
    # authorised without capturing; never a guess (see services/payments.py).
    "payment.attention_required",
)
ENDPOINT_DISABLED = "webhook_endpoint.disabled"
EVENT_TYPES = frozenset({*ORDER_EVENT_TYPES, ENDPOINT_DISABLED})
# Sent by ``POST /v1/webhook-endpoints/{id}/test`` only; never stored as an event.
TEST_EVENT = "webhook_endpoint.test"

URL_LENGTH_MAX = 2000
DESCRIPTION_LENGTH_MAX = 500
RESPONSE_EXCERPT_CHARACTERS = 1024
DELIVERY_TIMEOUT_SECONDS = 10.0


def check_event_types(event_types: list[str]) -> list[str]:
    """The subscribed types, deduplicated in a stable order; unknown ones → 422."""
    unknown = [kind for kind in event_types if kind not in EVENT_TYPES]
    if unknown or not event_types:
        raise ValidationFailed(
            f"unknown event types: {', '.join(unknown)}" if unknown else "no event type",
            code="unknown_event_type" if unknown else "validation_error",
            errors=[FieldError("events", f"known types: {', '.join(sorted(EVENT_TYPES))}")],
        )
    return sorted(set(event_types))


@dataclass(frozen=True)
class UrlPolicy:
    """https to a public address; http and private addresses only when allowed
    (the sandbox provider, or AXOKEY_WEBHOOK_ALLOW_PRIVATE_URLS=true)."""

    allow_private: bool


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string


def parse_url(url: str, policy: UrlPolicy) -> Target:
    """The parts of an endpoint URL, or 422 ``webhook_url_invalid``."""

    def refuse(message: str, code: str = "webhook_url_invalid") -> ValidationFailed:
        return ValidationFailed(message, code=code, errors=[FieldError("url", message)])

    if len(url) > URL_LENGTH_MAX:
        raise refuse("the URL is too long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise refuse(f"not a URL: {error}") from None
    allowed_schemes = ("https", "http") if policy.allow_private else ("https",)
    if parts.scheme not in allowed_schemes:
        raise refuse("the URL must use https", code="webhook_url_not_https")
    if not parts.hostname or parts.username or parts.password:
        raise refuse("the URL needs a host and no credentials")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path
    )


def address_allowed(address: str, policy: UrlPolicy) -> bool:
    """Whether a resolved address may be called: public unicast only, unless private
    addresses are allowed (then loopback and private networks too, never the
    unspecified or multicast addresses, nor link-local cloud metadata)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return policy.allow_private
    if ip.is_unspecified or ip.is_multicast or ip.is_link_local or ip.is_reserved:
        return False
    if ip.is_global:
        return True
    return policy.allow_private and ip.is_private


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def parse_retry_schedule(value: str) -> tuple[int, ...]:
    """``"5,300,1800"`` → the waits in seconds before each retry."""
    try:
        waits = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"not a comma list of seconds: {value!r}") from None
    if not waits or any(wait < 0 for wait in waits):
        raise ValueError(f"a retry schedule needs one or more waits >= 0: {value!r}")
    return waits


@dataclass(frozen=True)
class NextStep:
    """After a failed attempt: try again at ``retry_at``, or give up (None)."""

    retry_at: datetime | None


def after_failure(attempts_made: int, schedule: tuple[int, ...], now: datetime) -> NextStep:
    """Exponential back-off as configured: after the n-th failed attempt wait
    ``schedule[n-1]``; past the schedule's end, give up."""
    if attempts_made > len(schedule):
        return NextStep(None)
    return NextStep(now + timedelta(seconds=schedule[attempts_made - 1]))


@dataclass(frozen=True)
class Endpoint:
    id: str
    party_id: str | None
    url: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None
    description: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Attempt:
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    succeeded: bool
    response_status: int | None
    error: str | None
    duration_ms: int
    response_excerpt: str | None
    attempted_at: datetime
