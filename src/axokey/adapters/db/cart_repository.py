"""Carts and their lines: the one place that queries ``carts`` and ``cart_lines``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    delete,
    false,
    insert,
    or_,
    select,
    true,
    update,
)

from axokey.adapters.db.pagination import newest_first_page
from axokey.adapters.db.tables import cart_lines, carts
from axokey.domain.carts import Cart, CartLine, CartStatus
from axokey.domain.parties import Principal, Role


def _lines(connection: Connection, cart_ids: Sequence[str]) -> dict[str, list[CartLine]]:
    found: dict[str, list[CartLine]] = {cart_id: [] for cart_id in cart_ids}
    if not cart_ids:
        return found
    rows = connection.execute(
        select(cart_lines)
        .where(cart_lines.c.cart_id.in_(list(cart_ids)))
        .order_by(cart_lines.c.cart_id, cart_lines.c.created_at, cart_lines.c.id)
    )
    for row in rows:
        found[row.cart_id].append(
            CartLine(row.id, row.product_id, row.quantity, row.unit_price, row.created_at)
        )
    return found


def _cart(row: Row[Any], lines: list[CartLine]) -> Cart:
    return Cart(
        id=row.id,
        merchant_id=row.merchant_id,
        store_id=row.store_id,
        currency=row.currency,
        status=CartStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        lines=lines,
        order_id=row.order_id,
    )


def load_cart(connection: Connection, cart_id: str, *, lock: bool = False) -> Cart | None:
    """A cart with its lines; with ``lock``, its row is locked until commit
    (PostgreSQL; SQLite serialises writers): two checkouts of one cart queue."""
    query = select(carts).where(carts.c.id == cart_id)
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).first()
    if row is None:
        return None
    return _cart(row, _lines(connection, [row.id])[row.id])


def insert_cart(connection: Connection, cart: Cart) -> None:
    connection.execute(
        insert(carts).values(
            id=cart.id,
            merchant_id=cart.merchant_id,
            store_id=cart.store_id,
            currency=cart.currency,
            status=cart.status.value,
            order_id=cart.order_id,
            created_at=cart.created_at,
            updated_at=cart.updated_at,
            expires_at=cart.expires_at,
        )
    )
    _write_lines(connection, cart)


def _write_lines(connection: Connection, cart: Cart) -> None:
    connection.execute(delete(cart_lines).where(cart_lines.c.cart_id == cart.id))
    if cart.lines:
        connection.execute(
            insert(cart_lines),
            [
                {
                    "id": line.id,
                    "cart_id": cart.id,
                    "product_id": line.product_id,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "created_at": line.created_at,
                }
                for line in cart.lines
            ],
        )


def save_cart(connection: Connection, cart: Cart) -> None:
    """Write the cart's state and its lines as they are now."""
    connection.execute(
        update(carts)
        .where(carts.c.id == cart.id)
        .values(
            store_id=cart.store_id,
            status=cart.status.value,
            order_id=cart.order_id,
            updated_at=cart.updated_at,
            expires_at=cart.expires_at,
        )
    )
    _write_lines(connection, cart)


def visible_carts_clause(principal: Principal) -> ColumnElement[bool]:
    """The operator sees every cart; a merchant its own; a store its own."""
    if principal.is_admin:
        return true()
    if principal.role is Role.MERCHANT:
        return carts.c.merchant_id == principal.party_id
    if principal.role is Role.STORE:
        return carts.c.store_id == principal.party_id
    return false()


def carts_page(
    connection: Connection,
    principal: Principal,
    *,
    status: CartStatus | None,
    now: datetime,
    limit: int,
    starting_after: str | None,
) -> tuple[list[Cart], bool]:
    query = select(carts).where(visible_carts_clause(principal))
    if status is CartStatus.OPEN:
        query = query.where(carts.c.status == CartStatus.OPEN.value, carts.c.expires_at > now)
    elif status is CartStatus.EXPIRED:
        query = query.where(
            or_(
                carts.c.status == CartStatus.EXPIRED.value,
                and_(carts.c.status == CartStatus.OPEN.value, carts.c.expires_at <= now),
            )
        )
    elif status is not None:
        query = query.where(carts.c.status == status.value)
    rows, has_more = newest_first_page(
        connection, query, carts.c.id, limit=limit, starting_after=starting_after
    )
    lines = _lines(connection, [row.id for row in rows])
    return [_cart(row, lines[row.id]) for row in rows], has_more


def expire_open_carts(connection: Connection, *, now: datetime, limit: int) -> int:
    """Mark open carts past their time as expired (at most ``limit``)."""
    due = [
        row.id
        for row in connection.execute(
            select(carts.c.id)
            .where(carts.c.status == CartStatus.OPEN.value, carts.c.expires_at <= now)
            .order_by(carts.c.expires_at)
            .limit(limit)
        )
    ]
    if not due:
        return 0
    connection.execute(
        update(carts)
        .where(carts.c.id.in_(due), carts.c.status == CartStatus.OPEN.value)
        .values(status=CartStatus.EXPIRED.value, updated_at=now)
    )
    return len(due)
