"""Refunds: recorded with the decision that makes them, then paid out.

A refund decided by a redemption, a cancellation or the sweep is recorded in the
same transaction as its ledger transfer (escrow → refunds). Then it leaves:

- ``sepa`` when the customer gave an IBAN: pending until a payout batch carries it;
- ``card`` otherwise: back to the card through the provider that took the money.
  The provider is called outside any database transaction (record the intent,
  commit, call, record the result). A refund is claimed before the call, so two
  workers never send the same one; a failure is recorded as failed with a
  ``refund.failed`` event, never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta

from axokey.adapters.db import order_repository, payment_repository, refund_repository
from axokey.adapters.db.transaction import Connection
from axokey.adapters.providers.base import ProviderError, RefundStatus
from axokey.domain import refund_states
from axokey.domain.errors import NotFound
from axokey.domain.identifiers import new_id
from axokey.domain.orders import Order
from axokey.domain.parties import Principal
from axokey.domain.refund_states import Refund, RefundState, RefundToSend
from axokey.domain.refunds import RefundDecision, card_refund_paid
from axokey.services.context import ServiceContext
from axokey.services.events import record_event
from axokey.services.ledger import post_or_raise

__all__ = ["Refund"]

CARD_REFUND_ATTEMPTS_MAX = 5

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

    ``currency``: the money's own, when it is not the order's (a payment in another
    currency, refunded whole). Returns the ids of the card refunds to send once the
    transaction commits.
    """
    if not decisions:
        return []
    now = context.now()
    payment_id = payment_id or payment_repository.captured_payment_id(connection, order.id)
    method = "sepa" if order.customer.iban else "card"
    card_refunds = []
    for decision in decisions:
        refund_id = new_id("rfd")
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
    return card_refunds


def refund_ids_by_transfer(connection: Connection, order_id: str) -> dict[str, str]:
    """The refunds of an order, keyed by the ledger transfer that moved their money."""
    return refund_repository.ids_by_transfer(connection, order_id)


def _claim(context: ServiceContext, refund_id: str) -> RefundToSend | None:
    """Mark a pending card refund as being sent; None if another worker has it."""
    now = context.now()
    return context.database.run(
        lambda connection: refund_repository.claim_card_refund(connection, refund_id, now)
    )


def _refund_event_data(
    refund: RefundToSend | Refund, failure_code: str | None
) -> dict[str, object]:
    return {
        "refund_id": refund.id,
        "order_id": refund.order_id,
        "line_id": refund.line_id,
        "amount": refund.amount,
        "currency": refund.currency,
        "method": "card",
        "failure_code": failure_code,
    }


def _finish(
    context: ServiceContext,
    refund: RefundToSend,
    *,
    state: RefundState,
    provider_refund_id: str | None = None,
    failure_code: str | None = None,
) -> None:
    now = context.now()
    refund_states.move(RefundState.SENDING, state)

    def finish_refund(connection: Connection) -> None:
        finished = refund_repository.move(
            connection,
            refund.id,
            expected=RefundState.SENDING,
            to=state,
            now=now,
            failure_code=failure_code,
            provider_refund_id=provider_refund_id,
        )
        if not finished:
            return  # another worker finished it (after a lease reset): nothing twice
        if state is RefundState.SUCCEEDED:
            assert refund.provider is not None
            # The money leaves through the provider that took it in.
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
            "refund.succeeded" if state is RefundState.SUCCEEDED else "refund.failed",
            now=now,
            # The order's event: in its outbox sequence, for the order's parties.
            order=order_repository.load_order(connection, refund.order_id),
            data=_refund_event_data(refund, failure_code),
        )

    context.database.run(finish_refund)


def record_refund_failure(
    connection: Connection, context: ServiceContext, refund_id: str, failure_code: str
) -> None:
    """A refund that cannot be paid out: failed, with its event (for the operator)."""
    refund = refund_repository.load_refund(connection, refund_id)
    current = refund_repository.state_of(connection, refund_id)
    if refund is None or current is None:
        raise NotFound(f"refund {refund_id} not found", code="refund_not_found")
    refund_states.move(current, RefundState.FAILED)
    if not refund_repository.move(
        connection,
        refund_id,
        expected=current,
        to=RefundState.FAILED,
        now=context.now(),
        failure_code=failure_code,
    ):
        return
    data = _refund_event_data(refund, failure_code)
    data["method"] = refund.method
    record_event(
        connection,
        "refund.failed",
        now=context.now(),
        order=order_repository.load_order(connection, refund.order_id),
        data=data,
    )


def _release_claim(context: ServiceContext, refund_id: str) -> None:
    """The provider could not be reached: leave the refund for a later attempt."""
    now = context.now()
    refund_states.move(RefundState.SENDING, RefundState.PENDING)
    context.database.run(
        lambda connection: refund_repository.move(
            connection, refund_id, expected=RefundState.SENDING, to=RefundState.PENDING, now=now
        )
    )


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
    if (
        provider is None
        or refund.provider_transaction_id is None
        or refund.provider_reference is None
    ):
        _finish(context, refund, state=RefundState.FAILED, failure_code="no_card_payment")
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
            # The operator checks with the provider.
            _finish(
                context, refund, state=RefundState.FAILED, failure_code="refund_outcome_unknown"
            )
        elif refund.attempts >= CARD_REFUND_ATTEMPTS_MAX:
            _finish(context, refund, state=RefundState.FAILED, failure_code="provider_unavailable")
        else:
            _release_claim(context, refund_id)
        return
    if outcome.status is RefundStatus.SUCCEEDED:
        _finish(
            context,
            refund,
            state=RefundState.SUCCEEDED,
            provider_refund_id=outcome.provider_refund_id,
        )
    elif outcome.status is RefundStatus.FAILED:
        _finish(context, refund, state=RefundState.FAILED, failure_code=outcome.failure_code)
    elif refund.attempts >= CARD_REFUND_ATTEMPTS_MAX:
        _finish(context, refund, state=RefundState.FAILED, failure_code="refund_still_pending")
    else:
        _release_claim(context, refund_id)


def retry_stalled_card_refunds(context: ServiceContext, *, limit: int) -> int:
    """Send card refunds left pending (provider down) or stuck mid-send (worker died)."""
    now = context.now()
    # A claimed refund whose worker died is sent again after this lease.
    stale = now - timedelta(seconds=context.settings.refund_sending_lease_seconds)

    def find_resendable(connection: Connection) -> list[str]:
        for refund_id in refund_repository.stuck_sending_ids(connection, stale_before=stale)[
            :limit
        ]:
            provider = context.providers.get(
                refund_repository.provider_of(connection, refund_id) or ""
            )
            if provider is not None and provider.refunds_are_idempotent:
                refund_repository.move(
                    connection,
                    refund_id,
                    expected=RefundState.SENDING,
                    to=RefundState.PENDING,
                    now=now,
                )
            else:
                # A worker died while sending through a provider whose refunds are
                # not idempotent: it may have been paid. Failed, for the operator.
                record_refund_failure(connection, context, refund_id, "refund_outcome_unknown")
        return refund_repository.pending_card_ids(connection, limit=limit)

    refund_ids = context.database.run(find_resendable)
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
        return refund_repository.list_visible(
            connection,
            principal,
            order_id=order_id,
            limit=limit,
            starting_after=starting_after,
        )


def get_refund(context: ServiceContext, principal: Principal, refund_id: str) -> Refund:
    with context.database.read() as connection:
        refund = refund_repository.get_visible(connection, principal, refund_id)
    if refund is None:
        raise NotFound(f"refund {refund_id} not found", code="refund_not_found")
    return refund
