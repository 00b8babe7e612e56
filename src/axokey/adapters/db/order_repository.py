"""Loading and saving orders (the aggregate: an order with its lines), and who may
see them: the one place that queries ``orders`` and ``order_lines``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Row,
    and_,
    bindparam,
    exists,
    false,
    insert,
    or_,
    select,
    true,
    update,
)

from axokey.adapters.db import field_encryption
from axokey.adapters.db.bulk import insert_rows, update_rows
from axokey.adapters.db.pagination import newest_first_page
from axokey.adapters.db.tables import order_lines, orders
from axokey.domain.catalog import ProductKind
from axokey.domain.orders import (
    OPEN_STATUSES,
    Customer,
    FeeStatus,
    Fulfilment,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMode,
)
from axokey.domain.parties import Principal, Role


def _line_from_row(row: Row[Any]) -> OrderLine:
    return OrderLine(
        id=row.id,
        position=row.position,
        product_id=row.product_id,
        supplier_id=row.supplier_id,
        product_kind=ProductKind(row.product_kind),
        gtin=row.gtin,
        quantity=row.quantity,
        unit_price=row.unit_price,
        wholesale_price=row.wholesale_price,
        deposit_bps=row.deposit_bps,
        service_date=row.service_date,
        status=LineStatus(row.status),
        quantity_released=row.quantity_released,
        released_amount=row.released_amount,
        refunded_amount=row.refunded_amount,
        closed_at=row.closed_at,
    )


def _order_from_row(row: Row[Any], lines: list[OrderLine]) -> Order:
    return Order(
        id=row.id,
        merchant_id=row.merchant_id,
        status=OrderStatus(row.status),
        currency=row.currency,
        payment_mode=PaymentMode(row.payment_mode),
        fulfilment=Fulfilment(row.fulfilment),
        customer=Customer(
            row.customer_email, row.customer_name, row.customer_iban, row.customer_locale or "fr"
        ),
        courier_id=row.courier_id,
        store_id=row.store_id,
        delivery_fee=row.delivery_fee,
        fee_status=FeeStatus(row.courier_fee_status),
        redeem_by=row.redeem_by,
        created_at=row.created_at,
        lines=lines,
        paid_at=row.paid_at,
        closed_at=row.closed_at,
    )


# The reads of every request, built once (no construction nor cache key per call).
_ORDER = select(orders).where(orders.c.id == bindparam("order_id"))
_ORDER_LOCKED = _ORDER.with_for_update()
_LINES_OF_ORDERS = (
    select(order_lines)
    .where(order_lines.c.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(order_lines.c.order_id, order_lines.c.position)
)


def lock_order_row(connection: Connection, order_id: str) -> Row[Any] | None:
    """Read an order's row, locking it until commit (PostgreSQL; SQLite's write
    transactions are serialised already). Every state change of an order goes
    through this lock, so two scans of one order never interleave."""
    query = _ORDER_LOCKED if connection.dialect.name == "postgresql" else _ORDER
    return connection.execute(query, {"order_id": order_id}).first()


def load_orders(connection: Connection, rows: Sequence[Row[Any]]) -> list[Order]:
    if not rows:
        return []
    ids = [row.id for row in rows]
    lines: dict[str, list[OrderLine]] = {order_id: [] for order_id in ids}
    for line_row in connection.execute(_LINES_OF_ORDERS, {"order_ids": ids}):
        lines[line_row.order_id].append(_line_from_row(line_row))
    return [_order_from_row(row, lines[row.id]) for row in rows]


_ORDER_BY_QR_REFERENCE = select(orders).where(orders.c.qr_reference == bindparam("reference"))
_ORDER_BY_SHORT_CODE = select(orders).where(orders.c.short_code == bindparam("reference"))
_ORDERS_BY_CODE_LOCKED = {
    False: _ORDER_BY_QR_REFERENCE.with_for_update(),
    True: _ORDER_BY_SHORT_CODE.with_for_update(),
}
_ORDERS_BY_CODE = {False: _ORDER_BY_QR_REFERENCE, True: _ORDER_BY_SHORT_CODE}


def load_order_by_code(
    connection: Connection, reference: str, *, short_code: bool, lock: bool = False
) -> Order | None:
    """The order whose current QR reference (hex), or short code, is ``reference``:
    one read, locked as :func:`lock_order_row` locks with ``lock``. A code replaced
    while this waited for the lock finds nothing: PostgreSQL checks the condition
    again on the row as it was committed."""
    locked = lock and connection.dialect.name == "postgresql"
    query = (_ORDERS_BY_CODE_LOCKED if locked else _ORDERS_BY_CODE)[short_code]
    row = connection.execute(query, {"reference": reference}).first()
    if row is None:
        return None
    return load_orders(connection, [row])[0]


def load_order(connection: Connection, order_id: str, *, lock: bool = False) -> Order | None:
    if lock:
        row = lock_order_row(connection, order_id)
    else:
        row = connection.execute(_ORDER, {"order_id": order_id}).first()
    if row is None:
        return None
    return load_orders(connection, [row])[0]


_INSERT_ORDER = insert(orders)


def insert_order(connection: Connection, order: Order, *, customer_token_hash: str) -> None:
    connection.execute(
        _INSERT_ORDER,
        {
            "id": order.id,
            "merchant_id": order.merchant_id,
            "status": order.status.value,
            "currency": order.currency,
            "payment_mode": order.payment_mode.value,
            "fulfilment": order.fulfilment.value,
            "customer_email": order.customer.email,
            "customer_email_index": field_encryption.email_index(connection, order.customer.email),
            "customer_name": order.customer.name,
            "customer_iban": order.customer.iban,
            "customer_locale": order.customer.locale,
            "courier_id": order.courier_id,
            "store_id": order.store_id,
            "delivery_fee": order.delivery_fee,
            "courier_fee_status": order.fee_status.value,
            "amount_total": order.amount_total,
            "redeem_by": order.redeem_by,
            "customer_token_hash": customer_token_hash,
            "created_at": order.created_at,
        },
    )
    insert_rows(
        connection,
        order_lines,
        [
            {
                "id": line.id,
                "order_id": order.id,
                "position": line.position,
                "product_id": line.product_id,
                "supplier_id": line.supplier_id,
                "product_kind": line.product_kind.value,
                "gtin": line.gtin,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "wholesale_price": line.wholesale_price,
                "amount": line.amount,
                "supplier_amount": line.supplier_amount,
                "commission": line.commission,
                "deposit_bps": line.deposit_bps,
                "deposit": line.deposit,
                "service_date": line.service_date,
                **_line_state(line),
            }
            for line in order.lines
        ],
    )


def _line_state(line: OrderLine) -> dict[str, Any]:
    """What changes on a line as its order moves (``save_order`` writes it)."""
    return {
        "status": line.status.value,
        "quantity_released": line.quantity_released,
        "released_amount": line.released_amount,
        "refunded_amount": line.refunded_amount,
        "closed_at": line.closed_at,
    }


_SAVE_ORDER = (
    update(orders)
    .where(orders.c.id == bindparam("order_id"))
    .values(
        status=bindparam("status"),
        courier_fee_status=bindparam("courier_fee_status"),
        paid_at=bindparam("paid_at"),
        closed_at=bindparam("closed_at"),
    )
)


def save_order(connection: Connection, order: Order) -> None:
    """Write the order's and its lines' mutable state (statuses and totals): two
    statements built once. The caller holds the order's lock (``lock_order_row``),
    and with it its lines."""
    connection.execute(
        _SAVE_ORDER,
        {
            "order_id": order.id,
            "status": order.status.value,
            "courier_fee_status": order.fee_status.value,
            "paid_at": order.paid_at,
            "closed_at": order.closed_at,
        },
    )
    update_rows(
        connection,
        order_lines,
        "id",
        [{"id": line.id, **_line_state(line)} for line in order.lines],
    )


_TAKEN = orders.alias("taken")
_SET_CODES_UNLESS_TAKEN = (
    update(orders)
    .where(
        orders.c.id == bindparam("order_id"),
        ~exists().where(_TAKEN.c.short_code == bindparam("new_short_code")),
    )
    .values(qr_reference=bindparam("reference"), short_code=bindparam("new_short_code"))
    .returning(orders.c.id)
)


def set_codes_unless_taken(
    connection: Connection, order_id: str, *, reference: str, short_code: str
) -> bool:
    """Give the order this QR reference and short code (issued at capture, replaced
    on rotation), unless another order has that short code: False then, and nothing
    changed. One statement (the check is in the update)."""
    parameters = {"order_id": order_id, "reference": reference, "new_short_code": short_code}
    return connection.execute(_SET_CODES_UNLESS_TAKEN, parameters).first() is not None


def due_order_ids(
    connection: Connection, now: datetime, grace: timedelta, limit: int, after: str | None
) -> list[str]:
    """Orders that may have something due (a superset; the domain decides exactly)."""
    last_service_day = (now - grace).date()
    query = (
        select(orders.c.id)
        .where(
            orders.c.status.in_([status.value for status in OPEN_STATUSES]),
            or_(
                orders.c.redeem_by <= now,
                exists(
                    select(order_lines.c.id).where(
                        and_(
                            order_lines.c.order_id == orders.c.id,
                            order_lines.c.status == LineStatus.HELD.value,
                            order_lines.c.service_date.is_not(None),
                            order_lines.c.service_date <= last_service_day,
                        )
                    )
                ),
            ),
        )
        .order_by(orders.c.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(orders.c.id > after)
    return [row.id for row in connection.execute(query)]


# --- the order's codes (issued at capture, rotated on demand) ------------------------------


@dataclass(frozen=True)
class StoredOrder:
    """An order with the codes stored beside it: the QR reference (hex) and the
    short code, both None until the order is paid."""

    order: Order
    qr_reference: str | None
    short_code: str | None


def _stored(connection: Connection, rows: Sequence[Row[Any]]) -> list[StoredOrder]:
    return [
        StoredOrder(order, row.qr_reference, row.short_code)
        for row, order in zip(rows, load_orders(connection, rows), strict=True)
    ]


def merchant_of(connection: Connection, order_id: str) -> str | None:
    merchant_id = connection.execute(
        select(orders.c.merchant_id).where(orders.c.id == order_id)
    ).scalar()
    return str(merchant_id) if merchant_id is not None else None


# --- who may see an order ------------------------------------------------------------------


def visible_orders_clause(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause over ``orders`` selecting what ``principal`` may see: the
    operator every order; a merchant its own; a supplier the orders that hold its
    lines; a courier or a store the orders assigned to it; anyone else none."""
    return _visible_to(_visibility(principal), principal.party_id)


def _visibility(principal: Principal) -> str:
    """Which of the visibility rules applies to ``principal``."""
    if principal.is_admin:
        return "all"
    if principal.party_id is None:  # a party's rule needs the party
        return "none"
    if principal.role in (Role.MERCHANT, Role.COURIER, Role.STORE, Role.SUPPLIER):
        return principal.role.value
    return "none"


def _visible_to(rule: str, party: str | BindParameter[str] | None) -> ColumnElement[bool]:
    """The rule ``rule`` as a clause, for the party ``party`` (a value or a parameter)."""
    if rule == "all":
        return true()
    if rule == Role.MERCHANT.value:
        return orders.c.merchant_id == party
    if rule == Role.COURIER.value:
        return orders.c.courier_id == party
    if rule == Role.STORE.value:
        return orders.c.store_id == party
    if rule == Role.SUPPLIER.value:
        return exists(
            select(order_lines.c.id).where(
                order_lines.c.order_id == orders.c.id, order_lines.c.supplier_id == party
            )
        )
    return false()


_VISIBILITY_RULES = (
    "all",
    *(role.value for role in (Role.MERCHANT, Role.COURIER, Role.STORE, Role.SUPPLIER)),
    "none",
)
# One order as each rule shows it, built once (the party bound as a parameter).
_STORED_ORDER = select(orders).where(orders.c.id == bindparam("order_id"))
_STORED_ORDER_VISIBLE = {
    rule: _STORED_ORDER.where(_visible_to(rule, bindparam("party_id")))
    for rule in _VISIBILITY_RULES
}


def is_visible(connection: Connection, principal: Principal, order_id: str) -> bool:
    found = connection.execute(
        select(orders.c.id).where(orders.c.id == order_id, visible_orders_clause(principal))
    ).first()
    return found is not None


def stored_order(
    connection: Connection, order_id: str, *, visible_to: Principal | None = None
) -> StoredOrder | None:
    """An order with its codes; with ``visible_to``, only if that caller may see it."""
    if visible_to is None:
        row = connection.execute(_STORED_ORDER, {"order_id": order_id}).first()
    else:
        query = _STORED_ORDER_VISIBLE[_visibility(visible_to)]
        parameters = {"order_id": order_id, "party_id": visible_to.party_id}
        row = connection.execute(query, parameters).first()
    return _stored(connection, [row])[0] if row is not None else None


def visible_orders_page(
    connection: Connection,
    principal: Principal,
    *,
    status: OrderStatus | None,
    limit: int,
    starting_after: str | None,
    created_from: date | None = None,
    created_to: date | None = None,
) -> tuple[list[StoredOrder], bool]:
    """The orders ``principal`` may see, newest first; created from the start of
    ``created_from`` to the end of ``created_to`` (UTC days) when given."""
    query = select(orders).where(visible_orders_clause(principal))
    if status is not None:
        query = query.where(orders.c.status == status.value)
    if created_from is not None:
        start = datetime.combine(created_from, time.min, tzinfo=UTC)
        query = query.where(orders.c.created_at >= start)
    if created_to is not None:
        end = datetime.combine(created_to + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(orders.c.created_at < end)
    rows, has_more = newest_first_page(
        connection, query, orders.c.id, limit=limit, starting_after=starting_after
    )
    return _stored(connection, rows), has_more
