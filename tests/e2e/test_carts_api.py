"""Carts over HTTP: started online or in the store, filled by scanning, checked out
once into the order POST /v1/orders would make; and the whole store channel of
the issue's "done when": a cart started online, finished in the store by scanning
two barcodes, paid, redeemed in the store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import ADMIN
from tests.scenario import World, ok, spec_world

P1_GTIN = "4006381333931"
P2_GTIN = "5901234123457"


@pytest.fixture
def world(client: Any) -> World:
    return spec_world(client)


def new_cart(world: World, who: str = "M", expect: int = 201, **body: Any) -> Any:
    body.setdefault("currency", "EUR")
    return ok(world.client.post("/v1/carts", json=body, headers=world.parties[who].headers), expect)


def scan(world: World, cart_id: str, gtin: str, who: str = "ST", **extra: Any) -> Any:
    return world.client.post(
        f"/v1/carts/{cart_id}/scan",
        json={"gtin": gtin, **extra},
        headers=world.parties[who].headers,
    )


def checkout(world: World, cart_id: str, who: str = "ST", **body: Any) -> Any:
    body.setdefault("payment_mode", "escrow")
    body.setdefault("customer", {"email": "camille@example.com", "name": "Camille"})
    return world.client.post(
        f"/v1/carts/{cart_id}/checkout", json=body, headers=world.parties[who].headers
    )


def test_online_cart_finished_in_the_store_paid_and_redeemed_there(
    world: World, context: Any
) -> None:
    """The issue's "done when", through HTTP."""
    # Online: the merchant's shop starts a cart with one P1.
    cart = new_cart(world, lines=[{"product_id": world.products["P1"], "quantity": 1}])
    assert cart["status"] == "open" and cart["store_id"] is None
    assert cart["amount_total"] == 5000
    # In the store: the clerk scans two barcodes (P1 again, and P2).
    ok(scan(world, cart["id"], P1_GTIN))
    scanned = ok(scan(world, cart["id"], P2_GTIN))
    assert scanned["store_id"] == world.parties["ST"].id  # now the store's cart
    assert [
        (line["product_id"], line["quantity"], line["amount"]) for line in scanned["lines"]
    ] == [
        (world.products["P1"], 2, 10000),
        (world.products["P2"], 1, 2999),
    ]
    assert scanned["amount_total"] == 12999
    # Checkout: the order POST /v1/orders would make, reserving at the store.
    order = ok(checkout(world, cart["id"]), 201)
    assert order["object"] == "order" and order["fulfilment"] == "store"
    assert order["store_id"] == world.parties["ST"].id
    assert order["amount_total"] == 12999 and order["customer_url"]
    assert world.stock_level("ST", "P1") == {"on_hand": 100, "reserved": 2, "available": 98}
    assert world.get_cart(cart["id"])["status"] == "checked_out"
    again = checkout(world, cart["id"])
    assert again.status_code == 409 and again.json()["code"] == "cart_checked_out"
    late_scan = scan(world, cart["id"], P1_GTIN)
    assert late_scan.status_code == 409 and late_scan.json()["code"] == "cart_checked_out"

    # The customer pays on their phone; the clerk scans the QR, then the two P1 barcodes;
    # the P2 is not on the shelf: declared missing.
    world.pay(order["id"])
    redemption = world.redeem(
        "ST", world.code(order["id"]), gtins=[P1_GTIN, P1_GTIN], complete=True
    )
    assert redemption["order_status"] == "completed"
    # SPEC.md's money rules (example A without a courier): S1 7000, M 3000, refunded 2999.
    done = world.get_order(order["id"])
    assert done["amounts"] == {"captured": 12999, "released": 10000, "refunded": 2999, "held": 0}
    assert world.balance("S1") == {"held": 0, "available": 7000, "paid_out": 0}
    assert world.balance("M") == {"held": 0, "available": 3000, "paid_out": 0}
    assert [refund["amount"] for refund in world.refunds(order["id"])] == [2999]
    # What was handed over left the shelf; the missing P2's reservation is freed.
    assert world.stock_level("ST", "P1") == {"on_hand": 98, "reserved": 0, "available": 98}
    assert world.stock_level("ST", "P2") == {"on_hand": 100, "reserved": 0, "available": 100}
    from axokey.services.ledger import check_ledger

    assert check_ledger(context) == []


def test_a_store_cart_checked_out_beyond_the_stock_is_refused_and_stays_open(
    world: World,
) -> None:
    world.stock("ST", "P2", 1)
    cart = new_cart(world, "ST")
    assert cart["store_id"] == world.parties["ST"].id
    ok(scan(world, cart["id"], P2_GTIN, quantity=2))
    refused = checkout(world, cart["id"])
    assert refused.status_code == 409 and refused.json()["code"] == "out_of_stock"
    assert world.get_cart(cart["id"])["status"] == "open"
    line = world.get_cart(cart["id"])["lines"][0]
    changed = ok(
        world.client.patch(
            f"/v1/carts/{cart['id']}/lines/{line['id']}",
            json={"quantity": 1},
            headers=world.parties["ST"].headers,
        )
    )
    assert changed["amount_total"] == 2999
    order = ok(checkout(world, cart["id"]), 201)
    assert world.stock_level("ST", "P2") == {"on_hand": 1, "reserved": 1, "available": 0}
    assert order["lines"][0]["quantity"] == 1


def test_bad_scans_and_changes_add_nothing(world: World) -> None:
    cart = new_cart(world, "ST")
    path = f"/v1/carts/{cart['id']}"

    def refused(response: Any, status: int, code: str) -> None:
        assert response.status_code == status, response.text
        assert response.json()["code"] == code
        assert world.get_cart(cart["id"])["lines"] == []

    refused(scan(world, cart["id"], "4006381333932"), 422, "invalid_gtin")  # check digit
    refused(scan(world, cart["id"], "96385074"), 404, "unknown_gtin")  # nobody lists it
    refused(scan(world, cart["id"], P1_GTIN, quantity=0), 422, "validation_error")
    refused(scan(world, cart["id"], P1_GTIN, quantity=10_001), 422, "validation_error")
    # 6000 + 6000 units of one product: more than a line holds.
    ok(scan(world, cart["id"], P1_GTIN, quantity=6000))
    over = scan(world, cart["id"], P1_GTIN, quantity=6000)
    assert over.status_code == 409 and over.json()["code"] == "cart_line_full"
    line = world.get_cart(cart["id"])["lines"][0]
    assert line["quantity"] == 6000
    ok(world.client.delete(f"{path}/lines/{line['id']}", headers=world.parties["ST"].headers))
    refused(scan(world, cart["id"], ""), 422, "validation_error")
    # The hotel night is listed, but in another currency cart it cannot go.
    usd = new_cart(world, "ST", currency="USD")
    response = world.client.post(
        f"/v1/carts/{usd['id']}/lines",
        json={"product_id": world.products["P1"]},
        headers=world.parties["ST"].headers,
    )
    assert response.status_code == 409 and response.json()["code"] == "currency_mismatch"
    assert world.get_cart(usd["id"])["lines"] == []
    # A supplier's product the merchant does not list.
    unlisted = ok(
        world.client.post(
            "/v1/products",
            json={"sku": "U", "name": "U", "kind": "good", "currency": "EUR", "wholesale_price": 9},
            headers=world.parties["S1"].headers,
        ),
        201,
    )
    response = world.client.post(
        f"{path}/lines", json={"product_id": unlisted["id"]}, headers=world.parties["ST"].headers
    )
    refused(response, 404, "product_not_listed")
    response = world.client.post(
        f"{path}/lines", json={"product_id": "prd_nope"}, headers=world.parties["ST"].headers
    )
    refused(response, 404, "product_not_found")
    response = world.client.patch(
        f"{path}/lines/cln_nope", json={"quantity": 2}, headers=world.parties["ST"].headers
    )
    refused(response, 404, "cart_line_not_found")
    # An empty cart cannot be checked out.
    empty = checkout(world, cart["id"])
    assert empty.status_code == 422 and empty.json()["code"] == "no_lines"
    # Lines: add, change, delete.
    line = ok(scan(world, cart["id"], P1_GTIN))["lines"][0]
    bad = world.client.patch(
        f"{path}/lines/{line['id']}", json={"quantity": 0}, headers=world.parties["ST"].headers
    )
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    gone = ok(
        world.client.delete(f"{path}/lines/{line['id']}", headers=world.parties["ST"].headers)
    )
    assert gone["lines"] == [] and gone["amount_total"] == 0


def test_who_may_see_and_change_a_cart(world: World) -> None:
    world.party("M2", "merchant")
    world.party("ST2", "store", merchant_id=world.parties["M2"].id)
    world.party("ST3", "store", merchant_id=world.parties["M"].id)
    store_cart = new_cart(world, "ST")
    online = new_cart(world, "M")
    for who in ("M2", "ST2", "ST3"):
        headers = world.parties[who].headers
        for response in (
            world.client.get(f"/v1/carts/{store_cart['id']}", headers=headers),
            world.client.post(
                f"/v1/carts/{store_cart['id']}/scan", json={"gtin": P1_GTIN}, headers=headers
            ),
            world.client.post(
                f"/v1/carts/{store_cart['id']}/checkout",
                json={"payment_mode": "escrow", "customer": {"email": "c@example.com"}},
                headers=headers,
            ),
        ):
            assert response.status_code == 404, (who, response.text)
            assert response.json()["code"] == "cart_not_found"
    # Another merchant's store cannot claim M's online cart; a sister store of M can.
    assert (
        world.client.get(
            f"/v1/carts/{online['id']}", headers=world.parties["ST2"].headers
        ).status_code
        == 404
    )
    for who in ("S1", "C"):
        response = world.client.get(
            f"/v1/carts/{store_cart['id']}", headers=world.parties[who].headers
        )
        assert response.status_code == 403
        assert new_cart(world, who, expect=403)["code"] == "role_not_allowed"
    # A store starts carts for itself only; a merchant names only its own stores.
    other = new_cart(world, "ST", expect=404, store_id=world.parties["ST3"].id)
    assert other["code"] == "store_not_found"
    theirs = new_cart(world, "M", expect=404, store_id=world.parties["ST2"].id)
    assert theirs["code"] == "store_not_found"
    # Lists: each its own.
    listed = ok(world.client.get("/v1/carts", headers=world.parties["ST"].headers))["data"]
    assert [cart["id"] for cart in listed] == [store_cart["id"]]
    listed = ok(world.client.get("/v1/carts", headers=world.parties["M"].headers))["data"]
    assert {cart["id"] for cart in listed} == {store_cart["id"], online["id"]}
    assert ok(world.client.get("/v1/carts", headers=world.parties["M2"].headers))["data"] == []
    assert ok(world.client.get(f"/v1/carts/{online['id']}", headers=ADMIN))["id"] == online["id"]


def test_carts_left_alone_expire(world: World, context: Any) -> None:
    cart = new_cart(world, "ST")
    ok(scan(world, cart["id"], P1_GTIN))
    ttl = context.settings.cart_ttl_seconds
    now = context.now()
    world.sweep(now + timedelta(seconds=ttl + 1))
    assert world.get_cart(cart["id"])["status"] == "expired"
    late = scan(world, cart["id"], P1_GTIN)
    assert late.status_code == 409 and late.json()["code"] == "cart_expired"
    response = checkout(world, cart["id"])
    assert response.status_code == 409 and response.json()["code"] == "cart_expired"


def test_checkout_is_idempotent_with_a_key(world: World) -> None:
    cart = new_cart(world, "ST")
    ok(scan(world, cart["id"], P1_GTIN))
    headers = {**world.parties["ST"].headers, "Idempotency-Key": "till-7-sale-1"}
    body = {"payment_mode": "escrow", "customer": {"email": "c@example.com"}}
    first = world.client.post(f"/v1/carts/{cart['id']}/checkout", json=body, headers=headers)
    again = world.client.post(f"/v1/carts/{cart['id']}/checkout", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert world.stock_level("ST", "P1")["reserved"] == 1
