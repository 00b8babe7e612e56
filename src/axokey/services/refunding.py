"""Refunds: recorded with the decision that makes them, then paid out.

A refund decided by a redemption, a cancellation or the sweep is recorded in the
same transaction as its ledger transfer (escrow → refunds). Then it leaves:

- ``sepa`` when the customer gave an IBAN: pending until a payout batch carries it;
- ``card`` otherwise: back to the card through the provider that took the money.
  The provider is called outside any database transaction (record the intent,
  commit, call, record the result). A refund is claimed before the call, so two
  workers never send the same one; a failure is recorded as failed with a
  ``refund.failed`` event, never dropped.

Card refund states (``refunds.status``): ``pending`` (to send), ``sending`` (claimed by
a worker), ``unconfirmed`` (sent, outcome not known yet: the call failed mid-way, a
worker died, or the provider holds it as a request to confirm), ``succeeded``,
``failed``. The API shows ``sending`` and ``unconfirmed`` as ``pending``. An
unconfirmed refund is reconciled with the provider (``reconcile_refund``): paid, never
received (then sent again: it cannot be paid twice), or still unknown; only what stays
unknown after ``CARD_REFUND_ATTEMPTS_MAX`` attempts reaches an operator, as failed.

Every move goes through the refund's machine (``domain/refund_states.py``) and is
written by ``refund_repository.save_status`` only if the refund is still where the
machine moved it from.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta

from axokey.adapters.db import order_repository, payment_repository, refund_repository
from axokey.adapters.db.transaction import Connection
from axokey.adapters.providers.base import (
    REFUND_NOT_RECEIVED,
    ProviderError,
    RefundOutcome,
    RefundStatus,
)
from axokey.domain import refund_states
from axokey.domain.errors import NotFound
from axokey.domain.identifiers import new_id
from axokey.domain.orders import Order
from axokey.domain.parties import Principal
from axokey.domain.refund_states import CardRefund, Refund, RefundState
from axokey.domain.refunds import RefundDecision, card_refund_paid
from axokey.services.context import ServiceContext
from axokey.services.events import record_event
from axokey.services.ledger import post_or_raise

__all__ = [
    "CARD_REFUND_ATTEMPTS_MAX",
    "Refund",
    "get_refund",
    "list_refunds",
    "reconcile_card_refunds",
    "record_refunds",
    "record_refunds_by_transfer",
    "retry_stalled_card_refunds",
    "send_card_refunds",
]

CARD_REFUND_ATTEMPTS_MAX = 5
FINAL_STATES = frozenset({RefundState.SUCCEEDED, RefundState.FAILED})

logger = logging.getLogger("axokey.refunds")


def record_refunds(
    connection: Connection,
    context: ServiceContext,
    order: Order,
    decisions: Sequence[RefundDecision],
    *,
    payment_id: str | None = None,
    currency: str | None = None,
) -> list[str]:
    """Record a refund per decision (their ledger transfers are already posted).

    Returns the ids of the card refunds to send once the transaction commits.
    """
    card_refunds, _ = record_refunds_by_transfer(
        connection, context, order, decisions, payment_id=payment_id, currency=currency
    )
    return card_refunds


def record_refunds_by_transfer(
    connection: Connection,
    context: ServiceContext,
    order: Order,
    decisions: Sequence[RefundDecision],
    *,
    payment_id: str | None = None,
    currency: str | None = None,
) -> tuple[list[str], dict[str, str]]:
    """:func:`record_refunds`, and the new refunds' ids by their ledger transfer's."""
    if not decisions:
        return [], {}
    now = context.now()
    payment_id = payment_id or payment_repository.captured_payment_id(connection, order.id)
    method = "sepa" if order.customer.iban else "card"
    card_refunds = []
    by_transfer = {}
    for decision in decisions:
        refund_id = new_id("rfd")
        by_transfer[decision.transfer_id] = refund_id
        refund_repository.add_refund(
            connection,
            refund_id=refund_id,
            transfer_id=decision.transfer_id,
            order_id=order.id,
            line_id=decision.line_id,
            amount=decision.amount,
            currency=currency or order.currency,
            reason=decision.reason.value,
            method=method,
            iban=order.customer.iban,
            payment_id=payment_id,
            now=now,
        )
        if method == "card":
            card_refunds.append(refund_id)
    return card_refunds, by_transfer


def _claim(
    context: ServiceContext, refund_id: str, *, from_state: RefundState = RefundState.PENDING
) -> CardRefund | None:
    """Mark a pending (or unconfirmed) card refund as being sent by this worker;
    None if another worker has it."""
    refund_states.move(from_state, RefundState.SENDING)
    now = context.now()

    def claim_for_this_worker(connection: Connection) -> CardRefund | None:
        return refund_repository.claim_card_refund(
            connection, refund_id, expected=from_state, now=now
        )

    return context.database.run(claim_for_this_worker)


def _move_claimed(
    context: ServiceContext,
    refund: CardRefund,
    to: RefundState,
    *,
    provider_refund_id: str | None = refund_repository.UNCHANGED,
) -> None:
    """Move a refund this worker claimed (``sending``) back to pending or on to
    unconfirmed, as the machine allows; nothing if another worker moved it first
    (after a lease reset)."""
    if to in FINAL_STATES:
        raise ValueError("a claimed refund finishes through _finish (its money and event)")
    status = refund_states.move(RefundState.SENDING, to)
    now = context.now()

    def save_the_move(connection: Connection) -> None:
        refund_repository.save_status(
            connection,
            refund.id,
            expected=RefundState.SENDING,
            status=status,
            now=now,
            provider_refund_id=provider_refund_id,
        )

    context.database.run(save_the_move)


def _finish(
    context: ServiceContext,
    refund: CardRefund,
    *,
    status: RefundState,
    provider_refund_id: str | None = None,
    failure_code: str | None = None,
) -> None:
    """A claimed card refund succeeded (its money leaves the ledger) or failed, with
    its event, in one transaction."""
    if status not in FINAL_STATES:
        raise ValueError(f"{status.value} does not finish a refund")
    status = refund_states.move(RefundState.SENDING, status)
    now = context.now()

    def record_the_outcome(connection: Connection) -> None:
        finished = refund_repository.save_status(
            connection,
            refund.id,
            expected=RefundState.SENDING,
            status=status,
            now=now,
            provider_refund_id=provider_refund_id or refund.provider_refund_id,
            failure_code=failure_code,
        )
        if not finished:
            return  # another worker finished it (after a lease reset): nothing twice
        if status is RefundState.SUCCEEDED:
            # The money leaves through the provider that took it in.
            assert refund.provider is not None
            post_or_raise(
                connection,
                context,
                [
                    card_refund_paid(
                        refund_id=refund.id,
                        amount=refund.amount,
                        currency=refund.currency,
                        provider=refund.provider,
                        order_id=refund.order_id,
                        line_id=refund.line_id,
                    )
                ],
            )
        record_event(
            connection,
            f"refund.{status.value}",
            now=now,
            # The order's event: in its outbox sequence, for the order's parties.
            order=order_repository.load_order(connection, refund.order_id),
            data={
                "refund_id": refund.id,
                "order_id": refund.order_id,
                "line_id": refund.line_id,
                "amount": refund.amount,
                "currency": refund.currency,
                "method": "card",
                "failure_code": failure_code,
            },
        )

    context.database.run(record_the_outcome)


def send_card_refunds(context: ServiceContext, refund_ids: Iterable[str]) -> None:
    """Send card refunds through their provider, outside any transaction.

    Called after a use case committed: whatever goes wrong here is logged and left
    to the sweep's retry, never raised into the use case that decided the refund.
    """
    for refund_id in refund_ids:
        try:
            _send_card_refund(context, refund_id)
        except Exception:  # the refund stays claimed; its lease brings it back
            logger.exception("card refund %s: sending failed", refund_id)


def _send_card_refund(context: ServiceContext, refund_id: str) -> None:
    refund = _claim(context, refund_id)
    if refund is None:
        return
    provider = context.providers.get(refund.provider) if refund.provider else None
    if provider is None or refund.provider_transaction_id is None or not refund.provider_reference:
        _finish(context, refund, status=RefundState.FAILED, failure_code="no_card_payment")
        return
    try:
        outcome = provider.refund(
            provider_reference=refund.provider_reference,
            transaction_id=refund.provider_transaction_id,
            amount_minor=refund.amount,
            currency=refund.currency,
            refund_id=refund.id,
        )
    except ProviderError:
        if not provider.refunds_are_idempotent:
            # The refund may have been paid: sending it again could pay it twice.
            # It is reconciled with the provider first (``reconcile_card_refunds``).
            _move_claimed(context, refund, RefundState.UNCONFIRMED, provider_refund_id=None)
        elif refund.attempts >= CARD_REFUND_ATTEMPTS_MAX:
            _finish(context, refund, status=RefundState.FAILED, failure_code="provider_unavailable")
        else:
            # The provider could not be reached: left for a later attempt.
            _move_claimed(context, refund, RefundState.PENDING)
        return
    _apply_outcome(context, refund, outcome)


def _apply_outcome(context: ServiceContext, refund: CardRefund, outcome: RefundOutcome) -> None:
    """Record what the provider said of a claimed refund (sent or reconciled)."""
    out_of_attempts = refund.attempts >= CARD_REFUND_ATTEMPTS_MAX
    if outcome.status is RefundStatus.SUCCEEDED:
        _finish(
            context,
            refund,
            status=RefundState.SUCCEEDED,
            provider_refund_id=outcome.provider_refund_id,
        )
    elif outcome.status is RefundStatus.FAILED and outcome.failure_code == REFUND_NOT_RECEIVED:
        # The provider shows no trace of it: nothing was paid, it is sent again.
        if out_of_attempts:
            _finish(context, refund, status=RefundState.FAILED, failure_code="provider_unavailable")
        else:
            _move_claimed(context, refund, RefundState.PENDING)
    elif outcome.status is RefundStatus.FAILED:
        _finish(context, refund, status=RefundState.FAILED, failure_code=outcome.failure_code)
    elif out_of_attempts:
        # Still unknown after every attempt: the operator checks with the provider.
        _finish(context, refund, status=RefundState.FAILED, failure_code="refund_outcome_unknown")
    else:
        # Pending at the provider (a refund request to confirm, say): never sent
        # again blindly; reconciled later.
        _move_claimed(
            context,
            refund,
            RefundState.UNCONFIRMED,
            provider_refund_id=outcome.provider_refund_id or refund.provider_refund_id,
        )


def reconcile_card_refunds(context: ServiceContext, *, limit: int) -> int:
    """Ask the provider what became of unconfirmed card refunds (oldest first)."""

    def unconfirmed_refund_ids(connection: Connection) -> list[str]:
        return refund_repository.card_refund_ids(
            connection, RefundState.UNCONFIRMED, limit=limit, oldest_change_first=True
        )

    refund_ids = context.database.run(unconfirmed_refund_ids)
    for refund_id in refund_ids:
        try:
            _reconcile_card_refund(context, refund_id)
        except Exception:  # the refund stays claimed; its lease brings it back
            logger.exception("card refund %s: reconciliation failed", refund_id)
    return len(refund_ids)


def _reconcile_card_refund(context: ServiceContext, refund_id: str) -> None:
    refund = _claim(context, refund_id, from_state=RefundState.UNCONFIRMED)
    if refund is None:
        return
    provider = context.providers.get(refund.provider) if refund.provider else None
    if provider is None or refund.provider_transaction_id is None or not refund.provider_reference:
        _finish(context, refund, status=RefundState.FAILED, failure_code="refund_outcome_unknown")
        return
    with context.database.read() as connection:
        known = refund_repository.provider_refund_ids_besides(
            connection, refund.payment_id, refund.id
        )
    try:
        outcome = provider.reconcile_refund(
            provider_reference=refund.provider_reference,
            transaction_id=refund.provider_transaction_id,
            amount_minor=refund.amount,
            refund_id=refund.id,
            provider_refund_id=refund.provider_refund_id,
            known_refund_ids=known,
        )
    except ProviderError:
        outcome = RefundOutcome(status=RefundStatus.PENDING)
    _apply_outcome(context, refund, outcome)


def retry_stalled_card_refunds(context: ServiceContext, *, limit: int) -> int:
    """Send card refunds left pending (provider down) or stuck mid-send (worker died)."""
    now = context.now()
    # A claimed refund whose worker died is sent again after this lease.
    stale = now - timedelta(seconds=context.settings.refund_sending_lease_seconds)
    resendable = sorted(
        name for name, provider in context.providers.items() if provider.refunds_are_idempotent
    )
    back_to_pending = refund_states.move(RefundState.SENDING, RefundState.PENDING)
    to_confirm = refund_states.move(RefundState.SENDING, RefundState.UNCONFIRMED)

    def release_stalled_and_list_pending(connection: Connection) -> list[str]:
        refund_repository.move_stalled_sends(
            connection, stale_before=stale, status=back_to_pending, now=now, providers=resendable
        )
        # A worker died while sending through a provider whose refunds are not
        # idempotent: it may have been paid. Reconciled with the provider first.
        refund_repository.move_stalled_sends(
            connection, stale_before=stale, status=to_confirm, now=now
        )
        return refund_repository.card_refund_ids(
            connection, RefundState.PENDING, limit=limit, oldest_change_first=False
        )

    refund_ids = context.database.run(release_stalled_and_list_pending)
    reconcile_card_refunds(context, limit=limit)
    send_card_refunds(context, refund_ids)
    return len(refund_ids)


def list_refunds(
    context: ServiceContext,
    principal: Principal,
    *,
    order_id: str | None,
    limit: int,
    starting_after: str | None,
) -> tuple[list[Refund], bool]:
    with context.database.read() as connection:
        return refund_repository.refunds_page(
            connection, principal, order_id=order_id, limit=limit, starting_after=starting_after
        )


def get_refund(context: ServiceContext, principal: Principal, refund_id: str) -> Refund:
    with context.database.read() as connection:
        refund = refund_repository.visible_refund(connection, principal, refund_id)
    if refund is None:
        raise NotFound(f"refund {refund_id} not found", code="refund_not_found")
    return refund
