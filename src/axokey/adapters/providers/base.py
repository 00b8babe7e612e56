"""The payment-provider port. ``sandbox`` and ``payxpert`` implement it.

A provider hosts the card page (card numbers never reach our server), runs the
3-D Secure challenge (strong customer authentication), tells us of results by a
notification, answers status queries, and refunds to the card.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from axokey.domain.payments import PaymentStatus

__all__ = ["PaymentStatus"]


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ProviderError(Exception):
    """The provider could not be reached or answered something unexpected."""


class InvalidNotification(Exception):
    """A notification that does not verify (forged, malformed, unknown)."""


@dataclass(frozen=True)
class CheckoutRequest:
    payment_id: str
    order_id: str
    amount_minor: int
    currency: str
    customer_email: str
    return_url: str | None
    notification_url: str


@dataclass(frozen=True)
class CheckoutSession:
    provider_reference: str  # the provider's id of this payment (merchant token)
    checkout_url: str  # where the customer pays


@dataclass(frozen=True)
class ProviderPaymentState:
    provider_reference: str
    status: PaymentStatus
    amount_minor: int
    currency: str
    transaction_id: str | None = None
    failure_code: str | None = None
    next_action_url: str | None = None


@dataclass(frozen=True)
class ProviderNotification:
    """A verified notification: which payment it is about, under which event id.

    It is only a hint that something changed: the payment service confirms it by
    fetching the status before acting.
    """

    provider: str
    event_id: str
    provider_reference: str


@dataclass(frozen=True)
class RefundOutcome:
    status: RefundStatus
    provider_refund_id: str | None = None
    failure_code: str | None = None


class PaymentProvider(Protocol):
    name: str
    # Whether asking for the same refund twice (same ``refund_id``) pays it once.
    # When not, a refund whose outcome is unknown is never sent again by itself.
    refunds_are_idempotent: bool

    def start_checkout(self, request: CheckoutRequest) -> CheckoutSession: ...

    def fetch_status(self, provider_reference: str) -> ProviderPaymentState: ...

    def refund(
        self,
        *,
        provider_reference: str,
        transaction_id: str,
        amount_minor: int,
        currency: str,
        refund_id: str,
    ) -> RefundOutcome: ...

    def parse_notification(
        self, headers: Mapping[str, str], body: bytes
    ) -> ProviderNotification: ...

    def acknowledge_notification(self, outcome: str) -> dict[str, str]:
        """The body to answer a stored notification with (each provider expects its
        own; any other answer may be taken as undelivered and sent again)."""
        ...

    def deliver_pending_notifications(self, *, limit: int) -> int:
        """Send again the notifications this provider owes us and could not deliver
        (a provider of our own keeps them in an outbox; a remote one retries by
        itself and has none here). Returns how many were delivered."""
        ...


@runtime_checkable
class HostedTestPayments(Protocol):
    """The sandbox's customer side: a script or a page plays the customer."""

    name: str

    def fetch_status(self, provider_reference: str) -> ProviderPaymentState: ...

    def submit_card(
        self, reference: str, card_number: str, otp: str | None = None
    ) -> ProviderPaymentState: ...

    def complete_challenge(self, reference: str, otp: str) -> ProviderPaymentState: ...

    def return_url(self, reference: str) -> str | None: ...
