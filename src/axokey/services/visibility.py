"""Who may see an order: one rule, used by every read of order data.

The operator sees every order; a merchant its own; a supplier the orders that
hold its lines; a courier or a store the orders assigned to it. Anyone else gets
404, as if the order did not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, exists, false, select, true

from axokey.adapters.db.tables import order_lines, orders
from axokey.domain.errors import NotFound
from axokey.domain.parties import Principal, Role


def visible_orders_clause(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause over ``orders`` selecting what ``principal`` may see."""
    if principal.is_admin:
        return true()
    party_id = principal.party_id
    if principal.role is Role.MERCHANT:
        return orders.c.merchant_id == party_id
    if principal.role is Role.COURIER:
        return orders.c.courier_id == party_id
    if principal.role is Role.STORE:
        return orders.c.store_id == party_id
    if principal.role is Role.SUPPLIER:
        return exists(
            select(order_lines.c.id).where(
                order_lines.c.order_id == orders.c.id, order_lines.c.supplier_id == party_id
            )
        )
    return false()


def require_visible_order(connection: Connection, principal: Principal, order_id: str) -> None:
    found = connection.execute(
        select(orders.c.id).where(orders.c.id == order_id, visible_orders_clause(principal))
    ).first()
    if found is None:
        raise NotFound(f"order {order_id} not found", code="order_not_found")
