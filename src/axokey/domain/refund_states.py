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
"""

from __future__ import annotations

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
