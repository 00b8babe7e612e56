"""A payment's life, as a state machine: its statuses, the moves allowed between
them, and what a provider's report of a payment decides.

The services persist these decisions; they never write a status this module did
not allow. A report that would move a payment where it cannot go raises
``PaymentTransitionRefused`` instead of being written.

::

    requires_payment_method ─┬─> requires_action ─┬─> succeeded
                             │                    ├─> failed ──> succeeded (late success)
                             └─> processing ──────┘

A payment that failed can still succeed late (a provider that retried a
transaction after a refusal, a session that outlived a crash): the money was
taken, so it is captured or refunded whole, never ignored. ``succeeded`` is final,
and so is a payment refused whole (another amount or another currency than
asked): its money went straight back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from axokey.domain.errors import Conflict


class PaymentStatus(StrEnum):
    """Our payment states (API.md). Providers' states are mapped onto these."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


# Still waiting for the customer or the provider: reconciliation asks about these.
OPEN_STATUSES = frozenset(
    {PaymentStatus.REQUIRES_PAYMENT_METHOD, PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING}
)

ALLOWED_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.REQUIRES_PAYMENT_METHOD: frozenset(
        {
            PaymentStatus.REQUIRES_ACTION,
            PaymentStatus.PROCESSING,
            PaymentStatus.SUCCEEDED,
            PaymentStatus.FAILED,
        }
    ),
    PaymentStatus.REQUIRES_ACTION: frozenset(
        {
            PaymentStatus.REQUIRES_PAYMENT_METHOD,
            PaymentStatus.PROCESSING,
            PaymentStatus.SUCCEEDED,
            PaymentStatus.FAILED,
        }
    ),
    PaymentStatus.PROCESSING: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}),
    PaymentStatus.FAILED: frozenset({PaymentStatus.SUCCEEDED}),
    PaymentStatus.SUCCEEDED: frozenset(),
}

# Failure codes of a payment whose money arrived but was refunded whole.
AMOUNT_MISMATCH = "amount_mismatch"
CURRENCY_MISMATCH = "currency_mismatch"
REFUSED_WHOLE_CODES = frozenset({AMOUNT_MISMATCH, CURRENCY_MISMATCH})


class PaymentTransitionRefused(Conflict):
    """A payment asked to move where its state machine does not go."""

    code = "payment_transition_refused"
    title = "Impossible payment transition"

    def __init__(self, current: PaymentStatus, requested: PaymentStatus) -> None:
        super().__init__(
            f"a payment cannot go from {current.value} to {requested.value}",
            code=self.code,
        )
        self.current = current
        self.requested = requested


def can_move(current: PaymentStatus, requested: PaymentStatus) -> bool:
    return requested is current or requested in ALLOWED_TRANSITIONS[current]


def move(current: PaymentStatus, requested: PaymentStatus) -> PaymentStatus:
    """The new status, or ``PaymentTransitionRefused``. Staying put is allowed."""
    if not can_move(current, requested):
        raise PaymentTransitionRefused(current, requested)
    return requested


def is_final(status: PaymentStatus, failure_code: str | None) -> bool:
    """Nothing a provider says can change this payment any more."""
    return status is PaymentStatus.SUCCEEDED or (
        status is PaymentStatus.FAILED and failure_code in REFUSED_WHOLE_CODES
    )


class MoneyAction(StrEnum):
    NONE = "none"  # no money moved (yet)
    CAPTURE = "capture"  # into the order's escrow
    REFUND_WHOLE = "refund_whole"  # the money came, the order cannot take it: all back


@dataclass(frozen=True)
class ProviderReport:
    """What the provider says of one payment (confirmed by asking it)."""

    status: PaymentStatus
    amount_minor: int
    currency: str
    failure_code: str | None = None


@dataclass(frozen=True)
class PaymentDecision:
    status: PaymentStatus
    failure_code: str | None
    action: MoneyAction
    changed: bool  # whether anything is to be written

    @property
    def outcome(self) -> str:
        """A word for logs and the notification's record."""
        if self.action is MoneyAction.CAPTURE:
            return "captured"
        if self.action is MoneyAction.REFUND_WHOLE:
            return "refunded"
        return self.status.value


def decide(
    status: PaymentStatus,
    failure_code: str | None,
    *,
    amount_minor: int,
    currency: str,
    report: ProviderReport,
    order_can_take_it: bool,
) -> PaymentDecision:
    """What a provider's report does to a payment of ``amount_minor`` ``currency``.

    ``order_can_take_it``: the order still awaits this payment (not paid, not
    cancelled, not past its deadline). Money taken otherwise goes back whole.
    """
    if is_final(status, failure_code):
        return PaymentDecision(status, failure_code, MoneyAction.NONE, changed=False)
    if report.status is not PaymentStatus.SUCCEEDED:
        move(status, report.status)
        changed = report.status is not status or report.failure_code != failure_code
        return PaymentDecision(report.status, report.failure_code, MoneyAction.NONE, changed)
    move(status, PaymentStatus.SUCCEEDED)
    if report.currency != currency:
        return PaymentDecision(
            PaymentStatus.FAILED, CURRENCY_MISMATCH, MoneyAction.REFUND_WHOLE, changed=True
        )
    if report.amount_minor != amount_minor:
        return PaymentDecision(
            PaymentStatus.FAILED, AMOUNT_MISMATCH, MoneyAction.REFUND_WHOLE, changed=True
        )
    action = MoneyAction.CAPTURE if order_can_take_it else MoneyAction.REFUND_WHOLE
    return PaymentDecision(PaymentStatus.SUCCEEDED, None, action, changed=True)


def reconcile_delay_seconds(base_seconds: int, attempts: int, *, cap_seconds: int) -> int:
    """How long to wait before asking the provider again about an open payment:
    doubling from ``base_seconds`` with each attempt, never more than the cap."""
    if base_seconds <= 0:
        return 0
    delay: int = base_seconds * 2 ** min(attempts, 30)
    return min(cap_seconds, delay)


@dataclass(frozen=True)
class Payment:
    """One attempt to pay an order, as we record it."""

    id: str
    order_id: str
    status: PaymentStatus
    amount: int
    currency: str
    provider: str
    checkout_url: str | None
    next_action_url: str | None
    failure_code: str | None
    return_url: str | None
    created_at: datetime
    updated_at: datetime
    provider_reference: str | None = None
    provider_transaction_id: str | None = None
    reconcile_attempts: int = 0
