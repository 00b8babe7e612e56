"""Store orders racing for a small stock, over HTTP, on the real database.

On PostgreSQL every reservation is a conditional ``UPDATE … WHERE on_hand - reserved
>= quantity`` that the database evaluates again on the row it locks, so of 50 orders
for the last 5 units exactly 5 win; on SQLite writers are serialised. Whatever the
interleaving: never oversold, ``0 <= reserved <= on_hand``, and every refusal is a
clean 409 ``out_of_stock``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from axokey.adapters.db.tables import orders, stock_reservations
from axokey.api.app import create_app
from tests.integration.test_redemption_concurrency import run_at_once
from tests.scenario import World, spec_world

CUSTOMERS = 50


def store_order_body(world: World, products: list[str]) -> dict[str, Any]:
    return {
        "currency": "EUR",
        "payment_mode": "escrow",
        "fulfilment": "store",
        "store_id": world.parties["ST"].id,
        "customer": {"email": "c@example.com"},
        "lines": [{"product_id": world.products[name], "quantity": 1} for name in products],
    }


def count(context: Any, table: Any) -> int:
    with context.database.read() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_fifty_orders_of_one_unit_against_five_give_exactly_five(client: Any, context: Any) -> None:
    world = spec_world(client)
    world.stock("ST", "P1", 5)
    orders_before = count(context, orders)
    app = create_app(context=context)
    devices = [TestClient(app, raise_server_exceptions=False) for _ in range(CUSTOMERS)]
    body = store_order_body(world, ["P1"])
    headers = world.parties["M"].headers

    responses = run_at_once(
        CUSTOMERS, lambda i: devices[i].post("/v1/orders", json=body, headers=headers)
    )

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 5, 409: CUSTOMERS - 5}, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"out_of_stock"}
    assert world.stock_level("ST", "P1") == {"on_hand": 5, "reserved": 5, "available": 0}
    assert count(context, orders) == orders_before + 5
    assert count(context, stock_reservations) == 5


def test_orders_of_two_products_in_either_order_never_oversell_nor_deadlock(
    client: Any, context: Any
) -> None:
    """Half the customers order (P1, P2), half (P2, P1): the reservations are taken
    in one order (by product id), so none waits on another in a cycle."""
    world = spec_world(client)
    world.stock("ST", "P1", 6)
    world.stock("ST", "P2", 4)
    app = create_app(context=context)
    devices = [TestClient(app, raise_server_exceptions=False) for _ in range(CUSTOMERS)]
    bodies = [store_order_body(world, ["P1", "P2"]), store_order_body(world, ["P2", "P1"])]
    headers = world.parties["M"].headers

    responses = run_at_once(
        CUSTOMERS, lambda i: devices[i].post("/v1/orders", json=bodies[i % 2], headers=headers)
    )

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 4, 409: CUSTOMERS - 4}, [r.text for r in responses]
    assert world.stock_level("ST", "P1") == {"on_hand": 6, "reserved": 4, "available": 2}
    assert world.stock_level("ST", "P2") == {"on_hand": 4, "reserved": 4, "available": 0}


def test_losses_and_orders_at_once_keep_reserved_within_on_hand(client: Any, context: Any) -> None:
    """Orders and losses racing for 10 units: each unit goes to one or the other."""
    world = spec_world(client)
    world.stock("ST", "P1", 10)
    app = create_app(context=context)
    devices = [TestClient(app, raise_server_exceptions=False) for _ in range(2 * 10)]
    store = world.parties["ST"].id
    order_body = store_order_body(world, ["P1"])
    loss = {"product_id": world.products["P1"], "delta": -1, "reason": "broken"}

    def act(i: int) -> Any:
        if i % 2:
            return devices[i].post(
                "/v1/orders", json=order_body, headers=world.parties["M"].headers
            )
        return devices[i].post(
            f"/v1/stock/{store}/adjustments", json=loss, headers=world.parties["ST"].headers
        )

    responses = run_at_once(20, act)
    assert {r.status_code for r in responses} <= {200, 201, 409}, [r.text for r in responses]
    won_orders = sum(1 for r in responses if r.status_code == 201)
    losses = sum(1 for r in responses if r.status_code == 200)
    level = world.stock_level("ST", "P1")
    assert level == {
        "on_hand": 10 - losses,
        "reserved": won_orders,
        "available": 10 - losses - won_orders,
    }
    assert level["available"] >= 0
    assert won_orders + losses == min(20, 10)
