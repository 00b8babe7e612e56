"""Refunds: the only module that writes the ``refunds`` table, and the one that maps
its rows to ``Refund`` and ``CardRefund`` (``domain/refund_states.py``).

Every status it writes is one the refund's machine allowed: the caller passes the
state it expects the refund in and the state the machine gave, and the write
happens only if the refund is still in the expected state (False otherwise:
another worker moved it first). A payout batch's read of the SEPA refunds it
carries stays in ``payout_repository``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, Row, bindparam, insert, select, true, update

from axokey.adapters.db.order_repository import visible_orders_clause
from axokey.adapters.db.pagination import newest_first_page
from axokey.adapters.db.tables import order_lines, orders, payments, refunds
from axokey.domain.parties import Principal, Role
from axokey.domain.refund_states import CardRefund, Refund, RefundState, shown_as

# A value a status write leaves as it is.
UNCHANGED: Final[Any] = object()


def refund_from_row(row: Row[Any]) -> Refund:
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


def _card_refund_from_row(row: Row[Any]) -> CardRefund:
    return CardRefund(
        id=row.id,
        order_id=row.order_id,
        line_id=row.line_id,
        amount=row.amount,
        currency=row.currency,
        state=RefundState(row.status),
        attempts=row.attempts,
        payment_id=row.payment_id,
        provider=row.provider,
        provider_reference=row.provider_reference,
        provider_transaction_id=row.provider_transaction_id,
        provider_refund_id=row.provider_refund_id,
    )


# --- recorded -------------------------------------------------------------------------


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
    """A new refund, pending (its ledger transfer is already posted)."""
    connection.execute(
        _INSERT_REFUND,
        {
            "id": refund_id,
            "transfer_id": transfer_id,
            "order_id": order_id,
            "line_id": line_id,
            "amount": amount,
            "currency": currency,
            "reason": reason,
            "method": method,
            "status": RefundState.PENDING.value,
            "iban": iban,
            "payment_id": payment_id,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        },
    )


_INSERT_REFUND = insert(refunds)

# --- moved -----------------------------------------------------------------------------


def save_status(
    connection: Connection,
    refund_id: str,
    *,
    expected: RefundState,
    status: RefundState,
    now: datetime,
    failure_code: str | None = UNCHANGED,
    provider_refund_id: str | None = UNCHANGED,
) -> bool:
    """Write a status the refund's machine allowed, if the refund is still in
    ``expected``; ``failure_code`` and ``provider_refund_id`` only when given."""
    # The parameters named after columns are the SET clause: one statement is
    # compiled per set of columns written.
    values: dict[str, Any] = {
        "refund_id": refund_id,
        "expected": expected.value,
        "status": status.value,
        "updated_at": now,
    }
    if failure_code is not UNCHANGED:
        values["failure_code"] = failure_code
    if provider_refund_id is not UNCHANGED:
        values["provider_refund_id"] = provider_refund_id
    moved = connection.execute(_MOVE, values)
    return bool(moved.rowcount == 1)


_MOVE = update(refunds).where(
    refunds.c.id == bindparam("refund_id"), refunds.c.status == bindparam("expected")
)


def claim_card_refund(
    connection: Connection, refund_id: str, *, expected: RefundState, now: datetime
) -> CardRefund | None:
    """Mark a card refund in ``expected`` as being sent by this worker (one more
    attempt) and return it; None if another worker has it."""
    row = connection.execute(
        _CLAIM_CARD_REFUND, {"refund_id": refund_id, "expected": expected.value, "now": now}
    ).first()
    return _card_refund_from_row(row) if row is not None else None


def _of_its_payment(column: Any) -> Any:
    """``column`` of the refund's payment, as a column of the refund's row."""
    return (
        select(column)
        .where(payments.c.id == refunds.c.payment_id)
        .scalar_subquery()
        .label(column.name)
    )


# The claim and the refund as claimed, with its payment's provider, in one statement.
_CLAIM_CARD_REFUND = (
    update(refunds)
    .where(
        refunds.c.id == bindparam("refund_id"),
        refunds.c.status == bindparam("expected"),
        refunds.c.method == "card",
    )
    .values(
        status=RefundState.SENDING.value,
        attempts=refunds.c.attempts + 1,
        updated_at=bindparam("now"),
    )
    .returning(
        refunds,
        _of_its_payment(payments.c.provider),
        _of_its_payment(payments.c.provider_reference),
        _of_its_payment(payments.c.provider_transaction_id),
    )
)


def move_stalled_sends(
    connection: Connection,
    *,
    stale_before: datetime,
    status: RefundState,
    now: datetime,
    providers: Sequence[str] | None = None,
) -> None:
    """Refunds claimed (``sending``) before ``stale_before`` whose worker died move to
    ``status``; only those paid through ``providers`` when given."""
    query = update(refunds).where(
        refunds.c.status == RefundState.SENDING.value, refunds.c.updated_at <= stale_before
    )
    if providers is not None:
        through = select(payments.c.id).where(payments.c.provider.in_(providers))
        query = query.where(refunds.c.payment_id.in_(through))
    connection.execute(query.values(status=status.value, updated_at=now))


def mark_bank_return(connection: Connection, refund_id: str, reason: str, now: datetime) -> None:
    """The bank rejected a SEPA refund's transfer: it stays pending, with the bank's
    reason, for the next batch."""
    connection.execute(
        update(refunds)
        .where(refunds.c.id == refund_id)
        .values(status=RefundState.PENDING.value, failure_code=reason[:64], updated_at=now)
    )


def reopen(
    connection: Connection,
    refund_id: str,
    *,
    status: RefundState,
    now: datetime,
    sepa_iban: str | None = None,
) -> bool:
    """A failed card refund reopened by the operator (``status`` from
    ``reopened_by_operator``): sent to the card again, or, given ``sepa_iban``, paid by
    SEPA transfer to it by the next batch."""
    values: dict[str, Any] = {"status": status.value, "updated_at": now}
    if sepa_iban is None:
        values["failure_code"] = None
    else:
        values.update(method="sepa", iban=sepa_iban)
    done = connection.execute(
        update(refunds)
        .where(
            refunds.c.id == refund_id,
            refunds.c.method == "card",
            refunds.c.status == RefundState.FAILED.value,
        )
        .values(**values)
    ).rowcount
    return bool(done == 1)


# --- read --------------------------------------------------------------------------------


def card_refund_ids(
    connection: Connection, state: RefundState, *, limit: int, oldest_change_first: bool
) -> list[str]:
    """Card refunds in ``state``, the oldest first (by creation, or by last change)."""
    order = (refunds.c.updated_at, refunds.c.id) if oldest_change_first else (refunds.c.created_at,)
    rows = connection.execute(
        select(refunds.c.id)
        .where(refunds.c.method == "card", refunds.c.status == state.value)
        .order_by(*order)
        .limit(limit)
    )
    return [row.id for row in rows]


def provider_refund_ids_besides(
    connection: Connection, payment_id: str | None, refund_id: str
) -> list[str]:
    """The provider's ids of the payment's other refunds (how the provider tells
    ours apart when it is asked about one)."""
    return list(
        connection.execute(
            select(refunds.c.provider_refund_id).where(
                refunds.c.payment_id == payment_id,
                refunds.c.id != refund_id,
                refunds.c.provider_refund_id.is_not(None),
            )
        )
        .scalars()
        .all()
    )


def lock_refund(connection: Connection, refund_id: str) -> Refund | None:
    query = select(refunds).where(refunds.c.id == refund_id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).first()
    return refund_from_row(row) if row else None


def failed_card_refunds_of_order(connection: Connection, order_id: str) -> list[Refund]:
    rows = connection.execute(
        select(refunds)
        .where(
            refunds.c.order_id == order_id,
            refunds.c.method == "card",
            refunds.c.status == RefundState.FAILED.value,
        )
        .order_by(refunds.c.created_at, refunds.c.id)
    )
    return [refund_from_row(row) for row in rows]


def _refunds_seen_by(principal: Principal) -> ColumnElement[bool]:
    """A supplier sees the refunds of its own lines only (not another supplier's,
    nor the courier's fee); everyone else every refund of the orders it may see."""
    if principal.role is not Role.SUPPLIER or principal.party_id is None:
        return true()
    own_lines = select(order_lines.c.id).where(order_lines.c.supplier_id == principal.party_id)
    return refunds.c.line_id.in_(own_lines)


def refunds_page(
    connection: Connection,
    principal: Principal,
    *,
    order_id: str | None,
    limit: int,
    starting_after: str | None,
) -> tuple[list[Refund], bool]:
    """The refunds of the orders ``principal`` may see, newest first."""
    query = (
        select(refunds)
        .select_from(refunds.join(orders, orders.c.id == refunds.c.order_id))
        .where(visible_orders_clause(principal), _refunds_seen_by(principal))
    )
    if order_id is not None:
        query = query.where(refunds.c.order_id == order_id)
    rows, has_more = newest_first_page(
        connection, query, refunds.c.id, limit=limit, starting_after=starting_after
    )
    return [refund_from_row(row) for row in rows], has_more


def visible_refund(connection: Connection, principal: Principal, refund_id: str) -> Refund | None:
    row = connection.execute(
        select(refunds)
        .select_from(refunds.join(orders, orders.c.id == refunds.c.order_id))
        .where(
            refunds.c.id == refund_id,
            visible_orders_clause(principal),
            _refunds_seen_by(principal),
        )
    ).first()
    return refund_from_row(row) if row else None
