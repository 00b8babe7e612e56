"""A refund's life, as a state machine (the refund's money is already set aside in
the ledger when it is recorded; this is about paying it out).

::

    pending ──> sending ──> succeeded
       │  <──────┘  │ └──> failed
       │            └──> unconfirmed ──> sending (asked again)
       └──────────────────> failed

A card refund is claimed (``sending``) before its provider is called, so two
workers never send it twice; a claim whose worker could not reach the provider
goes back to ``pending``; one whose outcome the provider left unknown (a call cut
mid-way through a provider whose refunds are not idempotent, a refund pending at
the provider) is ``unconfirmed`` until the provider is asked what became of it.
``succeeded`` and ``failed`` are final: a failed refund
is the operator's to settle, never sent again by itself. A SEPA refund stays
``pending`` until a payout carries it.

Two moves are not the worker's, and have their own functions: the operator
reopening a failed card refund (``reopened_by_operator``: retried, or converted to
a SEPA transfer), and a confirmed payout batch paying a pending SEPA refund
(``paid_by_transfer``); a transfer the bank rejects leaves its refund pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from axokey.domain.errors import Conflict


class RefundState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    UNCONFIRMED = "unconfirmed"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


ALLOWED_TRANSITIONS: dict[RefundState, frozenset[RefundState]] = {
    RefundState.PENDING: frozenset({RefundState.SENDING, RefundState.FAILED}),
    RefundState.SENDING: frozenset(
        {RefundState.PENDING, RefundState.SUCCEEDED, RefundState.FAILED, RefundState.UNCONFIRMED}
    ),
    RefundState.UNCONFIRMED: frozenset({RefundState.SENDING}),
    RefundState.SUCCEEDED: frozenset(),
    RefundState.FAILED: frozenset(),
}


class RefundTransitionRefused(Conflict):
    code = "refund_transition_refused"
    title = "Impossible refund transition"

    def __init__(self, current: RefundState, requested: RefundState) -> None:
        super().__init__(
            f"a refund cannot go from {current.value} to {requested.value}", code=self.code
        )
        self.current = current
        self.requested = requested


def can_move(current: RefundState, requested: RefundState) -> bool:
    return requested in ALLOWED_TRANSITIONS[current]


def move(current: RefundState, requested: RefundState) -> RefundState:
    """The new state, or ``RefundTransitionRefused`` (staying put is not a move)."""
    if not can_move(current, requested):
        raise RefundTransitionRefused(current, requested)
    return requested


def shown_as(state: RefundState) -> str:
    """The status the API shows: a refund being sent, or whose outcome is being
    confirmed, is still pending to its reader."""
    in_flight = (RefundState.SENDING, RefundState.UNCONFIRMED)
    return RefundState.PENDING.value if state in in_flight else state.value


def reopened_by_operator(current: RefundState) -> RefundState:
    """The operator sends a failed refund again (retried, or converted to a SEPA
    transfer): it is pending once more. Only a failed refund is reopened; a refund
    never reopens itself."""
    if current is not RefundState.FAILED:
        raise RefundTransitionRefused(current, RefundState.PENDING)
    return RefundState.PENDING


def paid_by_transfer(current: RefundState) -> RefundState:
    """A confirmed payout batch paid a SEPA refund: from pending to succeeded (a SEPA
    refund is never claimed: the batch that carries it is its ``sending``)."""
    if current is not RefundState.PENDING:
        raise RefundTransitionRefused(current, RefundState.SUCCEEDED)
    return RefundState.SUCCEEDED


@dataclass(frozen=True)
class Refund:
    """A refund as its readers see it (``status`` as ``shown_as`` gives it)."""

    id: str
    order_id: str
    line_id: str | None
    amount: int
    currency: str
    reason: str
    method: str  # card | sepa
    status: str  # pending | succeeded | failed
    failure_code: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CardRefund:
    """A card refund claimed to be sent or reconciled, with the payment it goes back
    through (None when no card payment took the money)."""

    id: str
    order_id: str
    line_id: str | None
    amount: int
    currency: str
    state: RefundState
    attempts: int
    payment_id: str | None
    provider: str | None
    provider_reference: str | None
    provider_transaction_id: str | None
    provider_refund_id: str | None
