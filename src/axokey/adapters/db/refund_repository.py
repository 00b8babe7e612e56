"""Refunds: the only place that queries the ``refunds`` table. Every status it
writes is conditional on the state the refund's machine moved it from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Row, insert, select, update

from axokey.adapters.db.order_repository import visible_orders_clause
from axokey.adapters.db.tables import orders, payments, refunds
from axokey.domain.parties import Principal
from axokey.domain.refund_states import Refund, RefundState, RefundToSend, shown_as


def refund_from_row(row: Row) -> Refund:  # type: ignore[type-arg]
    return Refund(
        id=row.id,
        order_id=row.order_id,
        line_id=row.line_id,
        amount=row.amount,
        currency=row.currency,
        reason=row.reason,
        method=row.method,
        status=shown_as(RefundState(row.status)),
        failure_code=row.failure_code,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def add_refund(
    connection: Connection,
    *,
    refund_id: str,
    transfer_id: str,
    order_id: str,
    line_id: str | None,
    amount: int,
    currency: str,
    reason: str,
    method: str,
    iban: str | None,
    payment_id: str | None,
    now: datetime,
) -> None:
    connection.execute(
        insert(refunds).values(
            id=refund_id,
            transfer_id=transfer_id,
            order_id=order_id,
            line_id=line_id,
            amount=amount,
            currency=currency,
            reason=reason,
            method=method,
            status=RefundState.PENDING.value,
            iban=iban,
            payment_id=payment_id,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
    )


def ids_by_transfer(connection: Connection, order_id: str) -> dict[str, str]:
    rows = connection.execute(
        select(refunds.c.id, refunds.c.transfer_id).where(refunds.c.order_id == order_id)
    )
    return {row.transfer_id: row.id for row in rows}


def state_of(connection: Connection, refund_id: str) -> RefundState | None:
    value = connection.execute(select(refunds.c.status).where(refunds.c.id == refund_id)).scalar()
    return RefundState(value) if value is not None else None


def load_refund(connection: Connection, refund_id: str) -> Refund | None:
    row = connection.execute(select(refunds).where(refunds.c.id == refund_id)).first()
    return refund_from_row(row) if row else None


def move(
    connection: Connection,
    refund_id: str,
    *,
    expected: RefundState,
    to: RefundState,
    now: datetime,
    failure_code: str | None = None,
    provider_refund_id: str | None = None,
    count_attempt: bool = False,
) -> bool:
    """Write a move the refund's machine allowed, if the refund is still in
    ``expected`` (False: another worker moved it first)."""
    values: dict[str, object] = {"status": to.value, "updated_at": now}
    if to in (RefundState.SUCCEEDED, RefundState.FAILED):
        values["failure_code"] = failure_code
        values["provider_refund_id"] = provider_refund_id
    if count_attempt:
        values["attempts"] = refunds.c.attempts + 1
    result = connection.execute(
        update(refunds)
        .where(refunds.c.id == refund_id, refunds.c.status == expected.value)
        .values(**values)
    )
    return result.rowcount == 1


def claim_card_refund(connection: Connection, refund_id: str, now: datetime) -> RefundToSend | None:
    """pending → sending for a card refund; the refund and its payment, or None."""
    claimed = connection.execute(
        update(refunds)
        .where(
            refunds.c.id == refund_id,
            refunds.c.status == RefundState.PENDING.value,
            refunds.c.method == "card",
        )
        .values(status=RefundState.SENDING.value, attempts=refunds.c.attempts + 1, updated_at=now)
    )
    if claimed.rowcount != 1:
        return None
    row = connection.execute(
        select(
            refunds,
            payments.c.provider,
            payments.c.provider_reference,
            payments.c.provider_transaction_id,
        )
        .select_from(refunds.outerjoin(payments, payments.c.id == refunds.c.payment_id))
        .where(refunds.c.id == refund_id)
    ).one()
    return RefundToSend(
        id=row.id,
        order_id=row.order_id,
        line_id=row.line_id,
        amount=row.amount,
        currency=row.currency,
        attempts=row.attempts,
        provider=row.provider,
        provider_reference=row.provider_reference,
        provider_transaction_id=row.provider_transaction_id,
    )


def stuck_sending_ids(connection: Connection, *, stale_before: datetime) -> list[str]:
    rows = connection.execute(
        select(refunds.c.id).where(
            refunds.c.status == RefundState.SENDING.value, refunds.c.updated_at <= stale_before
        )
    )
    return [row.id for row in rows]


def provider_of(connection: Connection, refund_id: str) -> str | None:
    return connection.execute(
        select(payments.c.provider)
        .select_from(refunds.join(payments, payments.c.id == refunds.c.payment_id))
        .where(refunds.c.id == refund_id)
    ).scalar()


def pending_card_ids(connection: Connection, *, limit: int) -> list[str]:
    rows = connection.execute(
        select(refunds.c.id)
        .where(refunds.c.method == "card", refunds.c.status == RefundState.PENDING.value)
        .order_by(refunds.c.created_at)
        .limit(limit)
    )
    return [row.id for row in rows]


def list_visible(
    connection: Connection,
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
    rows: Sequence[Row] = connection.execute(  # type: ignore[type-arg]
        query.order_by(refunds.c.id.desc()).limit(limit + 1)
    ).all()
    return [refund_from_row(row) for row in rows[:limit]], len(rows) > limit


def get_visible(connection: Connection, principal: Principal, refund_id: str) -> Refund | None:
    row = connection.execute(
        select(refunds)
        .select_from(refunds.join(orders, orders.c.id == refunds.c.order_id))
        .where(refunds.c.id == refund_id, visible_orders_clause(principal))
    ).first()
    return refund_from_row(row) if row else None
