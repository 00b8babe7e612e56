"""A refund's life, as a state machine (the refund's money is already set aside in
the ledger when it is recorded; this is about paying it out).

::

    pending ──> sending ──> succeeded
       │  <──────┘  └────> failed
       └──────────────────> failed

A card refund is claimed (``sending``) before its provider is called, so two
workers never send it twice; a claim whose worker could not reach the provider
goes back to ``pending``. ``succeeded`` and ``failed`` are final: a failed refund
is the operator's to settle, never sent again by itself. A SEPA refund stays
``pending`` until a payout carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from axokey.domain.errors import Conflict


class RefundState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


ALLOWED_TRANSITIONS: dict[RefundState, frozenset[RefundState]] = {
    RefundState.PENDING: frozenset({RefundState.SENDING, RefundState.FAILED}),
    RefundState.SENDING: frozenset(
        {RefundState.PENDING, RefundState.SUCCEEDED, RefundState.FAILED}
    ),
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
    """The status the API shows: a refund being sent is still pending to its reader."""
    return RefundState.PENDING.value if state is RefundState.SENDING else state.value


@dataclass(frozen=True)
class Refund:
    """A refund as its reader sees it (``status`` is ``shown_as`` its state)."""

    id: str
    order_id: str
    line_id: str | None
    amount: int
    currency: str
    reason: str
    method: str
    status: str  # pending | succeeded | failed ("sending" is shown as pending)
    failure_code: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RefundToSend:
    """A card refund claimed for sending, with the payment it goes back to."""

    id: str
    order_id: str
    line_id: str | None
    amount: int
    currency: str
    attempts: int
    provider: str | None
    provider_reference: str | None
    provider_transaction_id: str | None
