"""``Idempotency-Key`` on the POSTs that need no API key (the sandbox's payment
route, the customer's pages): honoured, and scoped by route and client address,
so that a client never replays, nor learns, another client's response."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from axokey.adapters.db.tables import payments
from axokey.api.app import create_app
from tests.scenario import SUCCEEDS, World, delivery_order, spec_world


def from_address(context: Any, address: str) -> TestClient:
    return TestClient(
        create_app(context=context), raise_server_exceptions=False, client=(address, 40000)
    )


def payment_count(context: Any, order_id: str) -> int:
    with context.database.read() as connection:
        query = select(func.count()).select_from(payments).where(payments.c.order_id == order_id)
        return int(connection.execute(query).scalar_one())


def test_the_sandbox_payment_route_replays_per_client_address(client: Any, context: Any) -> None:
    world: World = spec_world(client)
    order = delivery_order(world, "escrow")
    payment = world.checkout(order["id"])
    path = f"/v1/sandbox/payments/{payment['id']}/pay"
    body = {"card_number": SUCCEEDS}
    headers = {"Idempotency-Key": "pay-once"}
    customer, stranger = from_address(context, "10.0.0.1"), from_address(context, "10.0.0.2")

    first = customer.post(path, json=body, headers=headers)
    again = customer.post(path, json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    assert first.json()["status"] == "succeeded"

    # Another client with the same key: its own request, never the customer's answer.
    other = stranger.post(path, json=body, headers=headers)
    assert other.headers.get("idempotent-replayed") is None
    # The same key with another body from the customer: refused, as for API keys.
    reused = customer.post(path, json={"card_number": "4000000000000002"}, headers=headers)
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
    assert world.get_order(order["id"])["status"] == "paid"


def test_the_customer_pay_button_starts_one_checkout_per_key(client: Any, context: Any) -> None:
    world: World = spec_world(client)
    order = delivery_order(world, "escrow")
    page_path = order["customer_url"].removeprefix("http://testserver")
    customer = from_address(context, "10.0.0.1")
    customer.follow_redirects = False
    headers = {"Idempotency-Key": "pay-button"}

    first = customer.post(f"{page_path}/pay", headers=headers)
    again = customer.post(f"{page_path}/pay", headers=headers)
    assert first.status_code == again.status_code == 303
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.headers["location"] == first.headers["location"]
    assert payment_count(context, order["id"]) == 1
    # The same key on another route is another key (scoped by route): not refused.
    other_route = customer.post(
        "/v1/sandbox/payments/pay_unknown/pay", json={"card_number": SUCCEEDS}, headers=headers
    )
    assert other_route.json()["code"] != "idempotency_key_reused"
