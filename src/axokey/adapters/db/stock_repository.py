"""Stock levels and reservations: the one place that queries ``stock_levels`` and
``stock_reservations``.

Concurrency: every change of a level is one conditional ``UPDATE … WHERE`` whose
condition is the rule it must keep (``on_hand - reserved >= quantity`` to reserve,
``reserved <= :on_hand`` to count the shelf), so the database decides under its
row lock: on PostgreSQL a second transaction waits for the first and evaluates the
condition again on the committed row; SQLite has one writer at a time. The table's
CHECK constraints hold ``0 <= reserved <= on_hand`` even against a bug.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, insert, select, update

from axokey.adapters.db.engine import insert_ignoring_conflicts
from axokey.adapters.db.tables import orders, payments, stock_levels, stock_reservations
from axokey.domain.payments import OPEN_STATUSES
from axokey.domain.stock import (
    Reservation,
    ReservationEnd,
    ReservationStatus,
    StockLevel,
    empty_level,
)


def _level(row: Row[Any]) -> StockLevel:
    return StockLevel(row.store_id, row.product_id, int(row.on_hand), int(row.reserved))


def get_level(connection: Connection, store_id: str, product_id: str) -> StockLevel:
    """The level of one product at one store (0 on hand when never counted)."""
    row = connection.execute(
        select(stock_levels).where(
            stock_levels.c.store_id == store_id, stock_levels.c.product_id == product_id
        )
    ).first()
    return _level(row) if row is not None else empty_level(store_id, product_id)


def lock_level(
    connection: Connection, store_id: str, product_id: str, *, now: datetime
) -> StockLevel:
    """The level, its row created if absent and locked until commit (PostgreSQL;
    SQLite's writers are serialised already): decide on it, then ``write_level``."""
    _ensure_rows(connection, store_id, [product_id], now=now)
    query = select(stock_levels).where(
        stock_levels.c.store_id == store_id, stock_levels.c.product_id == product_id
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return _level(connection.execute(query).one())


def levels(
    connection: Connection, store_id: str, product_ids: Iterable[str]
) -> dict[str, StockLevel]:
    """The levels of these products at the store, keyed by product (counted ones)."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return {}
    rows = connection.execute(
        select(stock_levels).where(
            stock_levels.c.store_id == store_id, stock_levels.c.product_id.in_(wanted)
        )
    ).all()
    return {row.product_id: _level(row) for row in rows}


def _ensure_rows(
    connection: Connection, store_id: str, product_ids: Iterable[str], *, now: datetime
) -> None:
    stamp = now
    rows = [
        {
            "store_id": store_id,
            "product_id": product_id,
            "on_hand": 0,
            "reserved": 0,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for product_id in sorted(set(product_ids))
    ]
    if rows:
        connection.execute(
            insert_ignoring_conflicts(connection, stock_levels, ["store_id", "product_id"]), rows
        )


def write_level(connection: Connection, level: StockLevel, *, now: datetime) -> None:
    """Store a level decided on the locked row (``get_level(lock=True)``)."""
    connection.execute(
        update(stock_levels)
        .where(
            stock_levels.c.store_id == level.store_id,
            stock_levels.c.product_id == level.product_id,
        )
        .values(on_hand=level.on_hand, reserved=level.reserved, updated_at=now)
    )


def reserve(
    connection: Connection, store_id: str, product_id: str, quantity: int, *, now: datetime
) -> StockLevel | None:
    """Take ``quantity`` units of the available stock, or None when fewer are
    available (nothing changed). Atomic under concurrency: the condition is
    evaluated on the row the update locks."""
    row = connection.execute(
        update(stock_levels)
        .where(
            stock_levels.c.store_id == store_id,
            stock_levels.c.product_id == product_id,
            stock_levels.c.on_hand - stock_levels.c.reserved >= quantity,
        )
        .values(reserved=stock_levels.c.reserved + quantity, updated_at=now)
        .returning(stock_levels)
    ).first()
    return _level(row) if row is not None else None


def end_reservation(connection: Connection, end: ReservationEnd, *, now: datetime) -> StockLevel:
    """Apply the end of a held reservation: ``taken`` units leave ``on_hand``, the
    whole reservation leaves ``reserved``; the reservation is closed. Only a
    reservation still held changes anything (a retried end is a no-op)."""
    reservation = end.reservation
    closed = connection.execute(
        update(stock_reservations)
        .where(
            stock_reservations.c.line_id == reservation.line_id,
            stock_reservations.c.status == ReservationStatus.HELD.value,
        )
        .values(status=end.status.value, taken=end.taken, closed_at=now)
        .returning(stock_reservations.c.line_id)
    ).first()
    if closed is None:
        return get_level(connection, reservation.store_id, reservation.product_id)
    row = connection.execute(
        update(stock_levels)
        .where(
            stock_levels.c.store_id == reservation.store_id,
            stock_levels.c.product_id == reservation.product_id,
        )
        .values(
            on_hand=stock_levels.c.on_hand - end.taken,
            reserved=stock_levels.c.reserved - reservation.quantity,
            updated_at=now,
        )
        .returning(stock_levels)
    ).one()
    return _level(row)


def insert_reservations(
    connection: Connection, reservations: Iterable[Reservation], *, now: datetime
) -> None:
    rows = [
        {
            "line_id": reservation.line_id,
            "order_id": reservation.order_id,
            "store_id": reservation.store_id,
            "product_id": reservation.product_id,
            "quantity": reservation.quantity,
            "taken": 0,
            "status": reservation.status.value,
            "created_at": now,
            "closed_at": None,
        }
        for reservation in reservations
    ]
    if rows:
        connection.execute(insert(stock_reservations), rows)


def _reservation(row: Row[Any]) -> Reservation:
    return Reservation(
        line_id=row.line_id,
        order_id=row.order_id,
        store_id=row.store_id,
        product_id=row.product_id,
        quantity=row.quantity,
        status=ReservationStatus(row.status),
    )


def held_reservations(connection: Connection, order_id: str) -> list[Reservation]:
    rows = connection.execute(
        select(stock_reservations)
        .where(
            stock_reservations.c.order_id == order_id,
            stock_reservations.c.status == ReservationStatus.HELD.value,
        )
        .order_by(stock_reservations.c.product_id, stock_reservations.c.line_id)
    ).all()
    return [_reservation(row) for row in rows]


def reservations_of_order(connection: Connection, order_id: str) -> list[Reservation]:
    rows = connection.execute(
        select(stock_reservations)
        .where(stock_reservations.c.order_id == order_id)
        .order_by(stock_reservations.c.line_id)
    ).all()
    return [_reservation(row) for row in rows]


def held_order_ids(
    connection: Connection, store_id: str, *, limit: int, after: str | None = None
) -> list[str]:
    """Orders holding reservations at this store, oldest first."""
    query = (
        select(stock_reservations.c.order_id)
        .where(
            stock_reservations.c.store_id == store_id,
            stock_reservations.c.status == ReservationStatus.HELD.value,
        )
        .group_by(stock_reservations.c.order_id)
        .order_by(stock_reservations.c.order_id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(stock_reservations.c.order_id > after)
    return [row.order_id for row in connection.execute(query)]


def levels_page(
    connection: Connection, store_id: str, *, limit: int, starting_after: str | None
) -> tuple[list[StockLevel], bool]:
    """A store's levels by product id (ascending: a stable order for a POS's sync)."""
    query = select(stock_levels).where(stock_levels.c.store_id == store_id)
    if starting_after is not None:
        query = query.where(stock_levels.c.product_id > starting_after)
    rows = connection.execute(query.order_by(stock_levels.c.product_id).limit(limit + 1)).all()
    return [_level(row) for row in rows[:limit]], len(rows) > limit


def ensure_levels(
    connection: Connection, store_id: str, product_ids: Iterable[str], *, now: datetime
) -> None:
    """Rows for these products at the store (0 on hand), so conditional updates
    always find one; never changes an existing row."""
    _ensure_rows(connection, store_id, product_ids, now=now)


def unpaid_orders_holding(
    connection: Connection, *, created_before: datetime, limit: int
) -> list[str]:
    """Orders awaiting payment with held reservations created at or before
    ``created_before``, and with no payment attempt still open started after it
    (the customer is paying: the hold counts from that attempt's start). The
    caller checks again, on the locked order, with the domain's rule."""
    paying = (
        select(payments.c.id)
        .where(
            payments.c.order_id == orders.c.id,
            payments.c.status.in_([status.value for status in OPEN_STATUSES]),
            payments.c.created_at > created_before,
        )
        .exists()
    )
    query = (
        select(stock_reservations.c.order_id)
        .join(orders, orders.c.id == stock_reservations.c.order_id)
        .where(
            and_(
                stock_reservations.c.status == ReservationStatus.HELD.value,
                orders.c.status == "awaiting_payment",
                orders.c.created_at <= created_before,
                ~paying,
            )
        )
        .group_by(stock_reservations.c.order_id)
        .order_by(stock_reservations.c.order_id)
        .limit(limit)
    )
    return [row.order_id for row in connection.execute(query)]
