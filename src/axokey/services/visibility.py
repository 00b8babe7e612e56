"""Who may see an order: one rule, used by every read of order data.

The operator sees every order; a merchant its own; a supplier the orders that
hold its lines; a courier or a store the orders assigned to it. Anyone else gets
404, as if the order did not exist. The rule as a query lives in
``order_repository.visible_orders_clause``.
"""

from __future__ import annotations

from axokey.adapters.db import order_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.errors import NotFound
from axokey.domain.parties import Principal


def require_visible_order(connection: Connection, principal: Principal, order_id: str) -> None:
    if not order_repository.is_visible(connection, principal, order_id):
        raise NotFound(f"order {order_id} not found", code="order_not_found")
