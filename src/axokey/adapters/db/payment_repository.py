"""Payments (our record of each attempt to pay an order): the only place that
queries the ``payments`` table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Row, bindparam, exists, func, insert, select, update

from axokey.adapters.db.tables import ledger_transfers, orders, payments
from axokey.domain.payments import OPEN_STATUSES, Payment, PaymentStatus


def payment_from_row(row: Row) -> Payment:  # type: ignore[type-arg]
    return Payment(
        id=row.id,
        order_id=row.order_id,
        status=PaymentStatus(row.status),
        amount=row.amount,
        currency=row.currency,
        provider=row.provider,
        checkout_url=row.checkout_url,
        next_action_url=row.next_action_url,
        failure_code=row.failure_code,
        return_url=row.return_url,
        created_at=row.created_at,
        updated_at=row.updated_at,
        provider_reference=row.provider_reference,
        provider_transaction_id=row.provider_transaction_id,
        reconcile_attempts=row.reconcile_attempts,
    )


_INSERT_PAYMENT = insert(payments)


def add_payment(
    connection: Connection,
    *,
    payment_id: str,
    order_id: str,
    amount: int,
    currency: str,
    provider: str,
    return_url: str | None,
    now: datetime,
    reconcile_after: datetime,
) -> None:
    connection.execute(
        _INSERT_PAYMENT,
        {
            "id": payment_id,
            "order_id": order_id,
            "status": PaymentStatus.REQUIRES_PAYMENT_METHOD.value,
            "amount": amount,
            "currency": currency,
            "provider": provider,
            "return_url": return_url,
            "reconcile_after": reconcile_after,
            "reconcile_attempts": 0,
            "created_at": now,
            "updated_at": now,
        },
    )


_COUNT_FOR_ORDER = (
    select(func.count()).select_from(payments).where(payments.c.order_id == bindparam("order_id"))
)
_PAYMENT = select(payments).where(payments.c.id == bindparam("payment_id"))
_PAYMENT_LOCKED = _PAYMENT.with_for_update()
_BY_REFERENCE = select(payments).where(
    payments.c.provider == bindparam("provider"),
    payments.c.provider_reference == bindparam("reference"),
)


def count_for_order(connection: Connection, order_id: str) -> int:
    return int(connection.execute(_COUNT_FOR_ORDER, {"order_id": order_id}).scalar_one())


def load_payment(connection: Connection, payment_id: str, *, lock: bool = False) -> Payment | None:
    query = _PAYMENT_LOCKED if lock and connection.dialect.name == "postgresql" else _PAYMENT
    row = connection.execute(query, {"payment_id": payment_id}).first()
    return payment_from_row(row) if row else None


def load_with_merchant(connection: Connection, payment_id: str) -> tuple[Payment, str] | None:
    """A payment and the merchant of its order (who may read it)."""
    row = connection.execute(
        select(payments, orders.c.merchant_id)
        .select_from(payments.join(orders, orders.c.id == payments.c.order_id))
        .where(payments.c.id == payment_id)
    ).first()
    return (payment_from_row(row), row.merchant_id) if row else None


def find_by_reference(connection: Connection, provider: str, reference: str) -> Payment | None:
    row = connection.execute(_BY_REFERENCE, {"provider": provider, "reference": reference}).first()
    return payment_from_row(row) if row else None


def last_for_order(connection: Connection, order_id: str) -> Payment | None:
    """The order's latest payment attempt."""
    row = connection.execute(
        select(payments)
        .where(payments.c.order_id == order_id)
        .order_by(payments.c.created_at.desc(), payments.c.id.desc())
        .limit(1)
    ).first()
    return payment_from_row(row) if row is not None else None


def latest_open_started_at(connection: Connection, order_id: str) -> datetime | None:
    """When the order's latest payment attempt still open (not succeeded, not
    failed) was started; None when no attempt of the order is open."""
    value = connection.execute(
        select(func.max(payments.c.created_at)).where(
            payments.c.order_id == order_id,
            payments.c.status.in_([status.value for status in OPEN_STATUSES]),
        )
    ).scalar()
    return value


_RECORD_SESSION = (
    update(payments)
    .where(payments.c.id == bindparam("payment_id"))
    .values(
        provider_reference=bindparam("reference"),
        checkout_url=bindparam("url"),
        updated_at=bindparam("now"),
    )
    .returning(*payments.c)
)


def record_session(
    connection: Connection, payment_id: str, *, reference: str, checkout_url: str, now: datetime
) -> Payment | None:
    """The provider's session on the payment; returns the payment as saved (None if
    there is no such payment)."""
    row = connection.execute(
        _RECORD_SESSION,
        {"payment_id": payment_id, "reference": reference, "url": checkout_url, "now": now},
    ).first()
    return payment_from_row(row) if row else None


def save_status(
    connection: Connection,
    payment_id: str,
    *,
    expected: PaymentStatus,
    status: PaymentStatus,
    failure_code: str | None,
    now: datetime,
    next_action_url: str | None = None,
    transaction_id: str | None = None,
) -> bool:
    """Write a status the payment's machine allowed, if the payment is still in
    ``expected`` (False otherwise: someone else moved it first)."""
    result = connection.execute(
        _SAVE_STATUS,
        {
            "payment_id": payment_id,
            "expected": expected.value,
            "new_status": status.value,
            "new_failure_code": failure_code,
            "new_next_action_url": next_action_url,
            "now": now,
            "transaction_id": transaction_id,
        },
    )
    return result.rowcount == 1


# A transaction id is kept when the provider reports none (None leaves it as it is).
_SAVE_STATUS = (
    update(payments)
    .where(payments.c.id == bindparam("payment_id"), payments.c.status == bindparam("expected"))
    .values(
        status=bindparam("new_status"),
        failure_code=bindparam("new_failure_code"),
        next_action_url=bindparam("new_next_action_url"),
        updated_at=bindparam("now"),
        provider_transaction_id=func.coalesce(
            bindparam("transaction_id", type_=payments.c.provider_transaction_id.type),
            payments.c.provider_transaction_id,
        ),
    )
)


def due_for_reconciliation(connection: Connection, now: datetime, limit: int) -> list[Payment]:
    """Open payments whose time to ask the provider again has come, oldest first."""
    rows = connection.execute(
        select(payments)
        .where(
            payments.c.status.in_([status.value for status in OPEN_STATUSES]),
            payments.c.reconcile_after <= now,
        )
        .order_by(payments.c.reconcile_after, payments.c.id)
        .limit(limit)
    )
    return [payment_from_row(row) for row in rows]


def schedule_reconciliation(
    connection: Connection, payment_id: str, *, after: datetime, attempts: int
) -> None:
    connection.execute(
        update(payments)
        .where(payments.c.id == payment_id)
        .values(reconcile_after=after, reconcile_attempts=attempts)
    )


def captured_payment_id(connection: Connection, order_id: str) -> str | None:
    """The payment that paid the order. Another payment that also succeeded (paid
    twice) went through the escrow under its own capture id and was refunded whole:
    refunds of lines never go back to it."""
    return connection.execute(_CAPTURED_PAYMENT_ID, {"order_id": order_id}).scalar()


_CAPTURED_PAYMENT_ID = (
    select(payments.c.id)
    .where(
        payments.c.order_id == bindparam("order_id"),
        payments.c.status == PaymentStatus.SUCCEEDED.value,
        ~exists(
            select(ledger_transfers.c.id).where(ledger_transfers.c.id == payments.c.id + ":capture")
        ),
    )
    .order_by(payments.c.created_at)
    .limit(1)
)


def open_payments_count(connection: Connection) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(payments)
            .where(payments.c.status.in_([status.value for status in OPEN_STATUSES]))
        ).scalar_one()
    )


def references_of_order(
    connection: Connection, order_id: str, *, limit: int
) -> list[tuple[Payment, str]]:
    """An order's payments that reached a provider, newest first, with their reference."""
    rows = connection.execute(
        select(payments)
        .where(payments.c.order_id == order_id, payments.c.provider_reference.is_not(None))
        .order_by(payments.c.created_at.desc(), payments.c.id.desc())
        .limit(limit)
    )
    return [(payment_from_row(row), row.provider_reference) for row in rows]


def set_failure_code_of_failed(
    connection: Connection, provider: str, reference: str, *, failure_code: str, now: datetime
) -> None:
    """A failed payment's failure code, more precisely known afterwards."""
    connection.execute(
        update(payments)
        .where(
            payments.c.provider == provider,
            payments.c.provider_reference == reference,
            payments.c.status == PaymentStatus.FAILED.value,
        )
        .values(failure_code=failure_code, updated_at=now)
    )
