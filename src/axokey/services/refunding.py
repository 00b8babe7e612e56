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
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Row, exists, insert, select, update

from axokey.adapters.db import order_repository
from axokey.adapters.db.order_repository import visible_orders_clause
from axokey.adapters.db.tables import ledger_transfers, orders, payments, refunds
from axokey.adapters.providers.base import (
    REFUND_NOT_RECEIVED,
    ProviderError,
    RefundOutcome,
    RefundStatus,
)
from axokey.domain.errors import NotFound
from axokey.domain.identifiers import new_id
from axokey.domain.orders import Order
from axokey.domain.parties import Principal
from axokey.domain.refunds import RefundDecision, card_refund_paid
from axokey.services.context import ServiceContext
from axokey.services.events import record_event
from axokey.services.ledger import post_or_raise

CARD_REFUND_ATTEMPTS_MAX = 5
# Card refunds sent (or being sent) whose outcome is not known yet: shown as pending.
IN_FLIGHT_STATUSES = frozenset({"sending", "unconfirmed"})

logger = logging.getLogger("axokey.refunds")


@dataclass(frozen=True)
class Refund:
    id: str
    order_id: str
    line_id: str | None
    amount: int
    currency: str
    reason: str
    method: str
    status: str  # pending | succeeded | failed ("sending", "unconfirmed" shown as pending)
    failure_code: str | None
    created_at: datetime
    updated_at: datetime


def refund_from_row(row: Row) -> Refund:  # type: ignore[type-arg]
    return Refund(
        id=row.id,
        order_id=row.order_id,
        line_id=row.line_id,
        amount=row.amount,
        currency=row.currency,
        reason=row.reason,
        method=row.method,
        status="pending" if row.status in IN_FLIGHT_STATUSES else row.status,
        failure_code=row.failure_code,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _captured_payment_id(connection: Connection, order_id: str) -> str | None:
    """The payment that paid the order. Another payment that also succeeded (paid
    twice) went through the escrow under its own capture id and was refunded whole:
    refunds of lines never go back to it."""
    refunded_whole = exists(
        select(ledger_transfers.c.id).where(ledger_transfers.c.id == payments.c.id + ":capture")
    )
    return connection.execute(
        select(payments.c.id)
        .where(
            payments.c.order_id == order_id,
            payments.c.status == "succeeded",
            ~refunded_whole,
        )
        .order_by(payments.c.created_at)
        .limit(1)
    ).scalar()


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
    if not decisions:
        return []
    now = context.now()
    payment_id = payment_id or _captured_payment_id(connection, order.id)
    method = "sepa" if order.customer.iban else "card"
    card_refunds = []
    for decision in decisions:
        refund_id = new_id("rfd")
        connection.execute(
            insert(refunds).values(
                id=refund_id,
                transfer_id=decision.transfer_id,
                order_id=order.id,
                line_id=decision.line_id,
                amount=decision.amount,
                currency=currency or order.currency,
                reason=decision.reason.value,
                method=method,
                status="pending",
                iban=order.customer.iban,
                payment_id=payment_id,
                attempts=0,
                created_at=now,
                updated_at=now,
            )
        )
        if method == "card":
            card_refunds.append(refund_id)
    return card_refunds


def refund_ids_by_transfer(connection: Connection, order_id: str) -> dict[str, str]:
    """The refunds of an order, keyed by the ledger transfer that moved their money."""
    rows = connection.execute(
        select(refunds.c.id, refunds.c.transfer_id).where(refunds.c.order_id == order_id)
    )
    return {row.transfer_id: row.id for row in rows}


def _claim(context: ServiceContext, refund_id: str, *, from_status: str = "pending") -> Row | None:  # type: ignore[type-arg]
    """Mark a pending (or unconfirmed) card refund as being handled by this worker;
    None if another worker has it."""
    now = context.now()

    def work(connection: Connection) -> Row | None:  # type: ignore[type-arg]
        claimed = connection.execute(
            update(refunds)
            .where(
                refunds.c.id == refund_id,
                refunds.c.status == from_status,
                refunds.c.method == "card",
            )
            .values(status="sending", attempts=refunds.c.attempts + 1, updated_at=now)
        )
        if claimed.rowcount != 1:
            return None
        return connection.execute(
            select(
                refunds,
                payments.c.provider,
                payments.c.provider_reference,
                payments.c.provider_transaction_id,
            )
            .select_from(refunds.outerjoin(payments, payments.c.id == refunds.c.payment_id))
            .where(refunds.c.id == refund_id)
        ).one()

    return context.database.run(work)


def _finish(
    context: ServiceContext,
    row: Row,  # type: ignore[type-arg]
    *,
    status: str,
    provider_refund_id: str | None = None,
    failure_code: str | None = None,
) -> None:
    now = context.now()

    def work(connection: Connection) -> None:
        finished = connection.execute(
            update(refunds)
            .where(refunds.c.id == row.id, refunds.c.status == "sending")
            .values(
                status=status,
                provider_refund_id=provider_refund_id or row.provider_refund_id,
                failure_code=failure_code,
                updated_at=now,
            )
        )
        if finished.rowcount != 1:
            return  # another worker finished it (after a lease reset): nothing twice
        if status == "succeeded":
            # The money leaves through the provider that took it in.
            post_or_raise(
                connection,
                context,
                [
                    card_refund_paid(
                        refund_id=row.id,
                        amount=row.amount,
                        currency=row.currency,
                        provider=row.provider,
                        order_id=row.order_id,
                        line_id=row.line_id,
                    )
                ],
            )
        record_event(
            connection,
            "refund.succeeded" if status == "succeeded" else "refund.failed",
            now=now,
            # The order's event: in its outbox sequence, for the order's parties.
            order=order_repository.load_order(connection, row.order_id),
            data={
                "refund_id": row.id,
                "order_id": row.order_id,
                "line_id": row.line_id,
                "amount": row.amount,
                "currency": row.currency,
                "method": "card",
                "failure_code": failure_code,
            },
        )

    context.database.run(work)


def record_refund_failure(
    connection: Connection, context: ServiceContext, refund_id: str, failure_code: str
) -> None:
    row = connection.execute(select(refunds).where(refunds.c.id == refund_id)).one()
    connection.execute(
        update(refunds)
        .where(refunds.c.id == refund_id)
        .values(status="failed", failure_code=failure_code, updated_at=context.now())
    )
    record_event(
        connection,
        "refund.failed",
        now=context.now(),
        order=order_repository.load_order(connection, row.order_id),
        data={
            "refund_id": row.id,
            "order_id": row.order_id,
            "line_id": row.line_id,
            "amount": row.amount,
            "currency": row.currency,
            "method": row.method,
            "failure_code": failure_code,
        },
    )


def _release_claim(context: ServiceContext, refund_id: str) -> None:
    """The provider could not be reached: leave the refund for a later attempt."""
    now = context.now()

    def work(connection: Connection) -> None:
        connection.execute(
            update(refunds)
            .where(refunds.c.id == refund_id, refunds.c.status == "sending")
            .values(status="pending", updated_at=now)
        )

    context.database.run(work)


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
    row = _claim(context, refund_id)
    if row is None:
        return
    provider = context.providers.get(row.provider) if row.provider else None
    if provider is None or row.provider_transaction_id is None:
        _finish(context, row, status="failed", failure_code="no_card_payment")
        return
    try:
        outcome = provider.refund(
            provider_reference=row.provider_reference,
            transaction_id=row.provider_transaction_id,
            amount_minor=row.amount,
            currency=row.currency,
            refund_id=row.id,
        )
    except ProviderError:
        if not provider.refunds_are_idempotent:
            # The refund may have been paid: sending it again could pay it twice.
            # It is reconciled with the provider first (``reconcile_card_refunds``).
            _set_unconfirmed(context, refund_id, provider_refund_id=None)
        elif row.attempts >= CARD_REFUND_ATTEMPTS_MAX:
            _finish(context, row, status="failed", failure_code="provider_unavailable")
        else:
            _release_claim(context, refund_id)
        return
    _apply_outcome(context, row, outcome)


def _apply_outcome(context: ServiceContext, row: Row, outcome: RefundOutcome) -> None:  # type: ignore[type-arg]
    """Record what the provider said of a claimed refund (sent or reconciled)."""
    if outcome.status is RefundStatus.SUCCEEDED:
        _finish(context, row, status="succeeded", provider_refund_id=outcome.provider_refund_id)
    elif outcome.status is RefundStatus.FAILED and outcome.failure_code == REFUND_NOT_RECEIVED:
        # The provider shows no trace of it: nothing was paid, it is sent again.
        if row.attempts >= CARD_REFUND_ATTEMPTS_MAX:
            _finish(context, row, status="failed", failure_code="provider_unavailable")
        else:
            _release_claim(context, row.id)
    elif outcome.status is RefundStatus.FAILED:
        _finish(context, row, status="failed", failure_code=outcome.failure_code)
    elif row.attempts >= CARD_REFUND_ATTEMPTS_MAX:
        # Still unknown after every attempt: the operator checks with the provider.
        _finish(context, row, status="failed", failure_code="refund_outcome_unknown")
    else:
        # Pending at the provider (a refund request to confirm, say): never sent
        # again blindly; reconciled later.
        _set_unconfirmed(
            context, row.id, provider_refund_id=outcome.provider_refund_id or row.provider_refund_id
        )


def _set_unconfirmed(
    context: ServiceContext, refund_id: str, *, provider_refund_id: str | None
) -> None:
    now = context.now()

    def work(connection: Connection) -> None:
        connection.execute(
            update(refunds)
            .where(refunds.c.id == refund_id, refunds.c.status == "sending")
            .values(status="unconfirmed", provider_refund_id=provider_refund_id, updated_at=now)
        )

    context.database.run(work)


def reconcile_card_refunds(context: ServiceContext, *, limit: int) -> int:
    """Ask the provider what became of unconfirmed card refunds (oldest first)."""

    def work(connection: Connection) -> list[str]:
        rows = connection.execute(
            select(refunds.c.id)
            .where(refunds.c.method == "card", refunds.c.status == "unconfirmed")
            .order_by(refunds.c.updated_at, refunds.c.id)
            .limit(limit)
        )
        return [row.id for row in rows]

    refund_ids = context.database.run(work)
    for refund_id in refund_ids:
        try:
            _reconcile_card_refund(context, refund_id)
        except Exception:  # the refund stays claimed; its lease brings it back
            logger.exception("card refund %s: reconciliation failed", refund_id)
    return len(refund_ids)


def _reconcile_card_refund(context: ServiceContext, refund_id: str) -> None:
    row = _claim(context, refund_id, from_status="unconfirmed")
    if row is None:
        return
    provider = context.providers.get(row.provider) if row.provider else None
    if provider is None or row.provider_transaction_id is None:
        _finish(context, row, status="failed", failure_code="refund_outcome_unknown")
        return
    with context.database.read() as connection:
        known = (
            connection.execute(
                select(refunds.c.provider_refund_id).where(
                    refunds.c.payment_id == row.payment_id,
                    refunds.c.id != row.id,
                    refunds.c.provider_refund_id.is_not(None),
                )
            )
            .scalars()
            .all()
        )
    try:
        outcome = provider.reconcile_refund(
            provider_reference=row.provider_reference,
            transaction_id=row.provider_transaction_id,
            amount_minor=row.amount,
            refund_id=row.id,
            provider_refund_id=row.provider_refund_id,
            known_refund_ids=list(known),
        )
    except ProviderError:
        outcome = RefundOutcome(status=RefundStatus.PENDING)
    _apply_outcome(context, row, outcome)


def retry_stalled_card_refunds(context: ServiceContext, *, limit: int) -> int:
    """Send card refunds left pending (provider down) or stuck mid-send (worker died)."""
    now = context.now()
    # A claimed refund whose worker died is sent again after this lease.
    stale = now - timedelta(seconds=context.settings.refund_sending_lease_seconds)

    resendable = sorted(
        name for name, provider in context.providers.items() if provider.refunds_are_idempotent
    )

    def work(connection: Connection) -> list[str]:
        stuck = select(refunds.c.id).where(
            refunds.c.status == "sending", refunds.c.updated_at <= stale
        )
        resent_by = select(payments.c.id).where(payments.c.provider.in_(resendable))
        connection.execute(
            update(refunds)
            .where(refunds.c.id.in_(stuck), refunds.c.payment_id.in_(resent_by))
            .values(status="pending", updated_at=now)
        )
        # A worker died while sending through a provider whose refunds are not
        # idempotent: it may have been paid. Reconciled with the provider first.
        connection.execute(
            update(refunds)
            .where(refunds.c.id.in_(stuck))
            .values(status="unconfirmed", updated_at=now)
        )
        rows = connection.execute(
            select(refunds.c.id)
            .where(refunds.c.method == "card", refunds.c.status == "pending")
            .order_by(refunds.c.created_at)
            .limit(limit)
        )
        return [row.id for row in rows]

    refund_ids = context.database.run(work)
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
    query = (
        select(refunds)
        .select_from(refunds.join(orders, orders.c.id == refunds.c.order_id))
        .where(visible_orders_clause(principal))
    )
    if order_id is not None:
        query = query.where(refunds.c.order_id == order_id)
    if starting_after is not None:
        query = query.where(refunds.c.id < starting_after)
    query = query.order_by(refunds.c.id.desc()).limit(limit + 1)
    with context.database.read() as connection:
        rows = connection.execute(query).all()
    return [refund_from_row(row) for row in rows[:limit]], len(rows) > limit


def get_refund(context: ServiceContext, principal: Principal, refund_id: str) -> Refund:
    query = (
        select(refunds)
        .select_from(refunds.join(orders, orders.c.id == refunds.c.order_id))
        .where(refunds.c.id == refund_id, visible_orders_clause(principal))
    )
    with context.database.read() as connection:
        row = connection.execute(query).first()
    if row is None:
        raise NotFound(f"refund {refund_id} not found", code="refund_not_found")
    return refund_from_row(row)
