"""The audit trail: who did what, on which object, when, from where.

Entries are append-only. Each one names the actor (the party and key, or the
operator's key, or the bootstrap key, or the command line), the action, the object,
the party whose trail it belongs to (``subject_party_id``: the owner of the object,
so that a merchant sees what the operator did to its orders), the client address and
the request id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    """What was done. New privileged actions add a member here."""

    PARTY_CREATED = "party.created"
    API_KEY_CREATED = "api_key.created"
    API_KEY_ROTATED = "api_key.rotated"
    API_KEY_REVOKED = "api_key.revoked"
    ORDER_CANCELLED = "order.cancelled"
    SANDBOX_SWEPT = "sandbox.swept"
    WEBHOOK_ENDPOINT_CREATED = "webhook_endpoint.created"
    WEBHOOK_ENDPOINT_UPDATED = "webhook_endpoint.updated"
    WEBHOOK_ENDPOINT_DELETED = "webhook_endpoint.deleted"
    WEBHOOK_ENDPOINT_ROTATED = "webhook_endpoint.rotated"
    EVENT_REDELIVERED = "event.redelivered"
    PAYOUT_DETAILS_CHANGED = "party.payout_details_changed"
    PAYOUT_BATCH_CREATED = "payout_batch.created"
    PAYOUT_BATCH_CONFIRMED = "payout_batch.confirmed"
    REFUND_RETRIED = "refund.retried"
    REFUND_CONVERTED_TO_SEPA = "refund.converted_to_sepa"
    # Stock changed by a person (a store, its merchant, the operator): the object is
    # the store. Reservations, hand-overs and frees stay ``stock.changed`` events.
    STOCK_SET = "stock.set"
    STOCK_ADJUSTED = "stock.adjusted"
    STOCK_IMPORTED = "stock.imported"
    # The customer's rights: the object is the customer's pseudonym, never the email.
    CUSTOMER_DATA_EXPORTED = "customer.data_exported"
    CUSTOMER_ERASED = "customer.erased"


class Actor(StrEnum):
    """How the caller authenticated."""

    API_KEY = "api_key"  # a party's key or an operator's named key
    BOOTSTRAP_KEY = "bootstrap_key"  # the environment's AXOKEY_ADMIN_KEY
    COMMAND_LINE = "command_line"  # an `axokey` command on the server


@dataclass(frozen=True)
class AuditEvent:
    id: str
    action: str
    object_id: str | None
    party_id: str | None  # the acting party (None: the operator)
    key_id: str | None  # the acting key (None: bootstrap key or command line)
    actor: Actor
    subject_party_id: str | None
    ip: str | None
    request_id: str | None
    created_at: datetime
    details: dict[str, Any] = field(default_factory=dict)
