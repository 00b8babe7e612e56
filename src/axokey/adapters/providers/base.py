"""The payment-provider port. ``sandbox`` and ``payxpert`` implement it.

A provider hosts the card page (card numbers never reach our server), runs the
3-D Secure challenge (strong customer authentication), tells us of results by a
notification, answers status queries, and refunds to the card.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


class UnrecognisedProviderAnswer(ProviderError):
    """The provider answered, but with a status or result code we do not know.

    Never guessed at: the payment stays as it is and an operator is alerted.
    """


# A ``RefundOutcome.failure_code`` meaning "the provider shows no trace of this
# refund": it was never made, so sending it again cannot pay it twice.
REFUND_NOT_RECEIVED = "refund_not_received"


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
    # The provider holds an authorisation that was never captured (a sale was asked
    # for): it must be released with ``release_authorisation``, never left to lapse.
    authorisation_to_release: bool = False


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

    def reconcile_refund(
        self,
        *,
        provider_reference: str,
        transaction_id: str,
        amount_minor: int,
        refund_id: str,
        provider_refund_id: str | None,
        known_refund_ids: Sequence[str],
    ) -> RefundOutcome:
        """What became of a refund whose outcome we do not know (the call failed
        mid-way, or the provider left it pending). ``known_refund_ids`` are the
        provider's ids of this payment's other refunds, already accounted for.

        SUCCEEDED: it was paid. FAILED with ``REFUND_NOT_RECEIVED``: it was never
        made (safe to send again). PENDING: still unknown. ``ProviderError``: the
        provider could not be asked."""
        ...

    def release_authorisation(
        self, *, provider_reference: str, transaction_id: str, amount_minor: int
    ) -> None:
        """Void an authorisation that was never captured (``authorisation_to_release``).
        ``ProviderError`` when the provider did not release it."""
        ...

    def reference_from_return(
        self, fields: Mapping[str, str], candidates: Sequence[str]
    ) -> str | None:
        """Which of ``candidates`` (provider references) the customer's browser came
        back from, read from what it brought back (form or query fields); None when
        the return does not say. A hint only: the status is always fetched."""
        ...

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
