"""Orders through HTTP: the three fulfilments, amounts per SPEC.md, every refusal
with its stable code (and nothing created), visibility, lists, cancellation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from axokey.domain.money import MAX_AMOUNT_MINOR
from axokey.services.ledger import check_ledger
from tests.conftest import ADMIN, bearer
from tests.scenario import World, delivery_order, ok, spec_world

VALID_IBAN = "FR1420041010050500013M02606"


@pytest.fixture
def world(client: Any) -> World:
    return spec_world(client)


def all_order_ids(client: Any) -> list[str]:
    """Every order in the database, as the operator lists them."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        query = "/v1/orders?limit=100" + (f"&starting_after={cursor}" if cursor else "")
        page = ok(client.get(query, headers=ADMIN))
        ids += [order["id"] for order in page["data"]]
        if not page["has_more"]:
            return ids
        cursor = ids[-1]


def in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def delivery_body(world: World, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "payment_mode": "escrow",
        "fulfilment": "delivery",
        "courier_id": world.parties["C"].id,
        "delivery_fee": 590,
        "lines": [
            {"product_id": world.products["P1"], "quantity": 2},
            {"product_id": world.products["P2"], "quantity": 1},
        ],
    }
    body.update(changes)
    return body


def store_body(world: World, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "payment_mode": "escrow",
        "fulfilment": "store",
        "store_id": world.parties["ST"].id,
        "lines": [{"product_id": world.products["P1"], "quantity": 1}],
    }
    body.update(changes)
    return body


def itinerary_body(world: World, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "payment_mode": "deposit",
        "fulfilment": "itinerary",
        "lines": [
            {"product_id": world.products["NIGHT"], "quantity": 2, "service_date": in_days(3)},
            {"product_id": world.products["KAYAK"], "quantity": 1, "service_date": in_days(4)},
        ],
    }
    body.update(changes)
    return body


def line(world: World, product: str, quantity: int = 1, **fields: Any) -> dict[str, Any]:
    return {"product_id": world.products[product], "quantity": quantity, **fields}


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- the three fulfilments ----------------------------------------------------------


def test_a_delivery_order_in_deposit_mode_has_its_amounts_commissions_and_deposits(
    world: World, client: Any
) -> None:
    world.agree("S1", 3000)
    world.agree("S2", 2000)
    order = world.order(
        **delivery_body(
            world,
            payment_mode="deposit",
            lines=[
                line(world, "P1", 2),  # listed: the listing's price, 5000
                line(world, "P2", 3, unit_price=3333),  # an explicit price wins
            ],
        )
    )
    assert order["id"].startswith("ord_")
    assert order["status"] == "awaiting_payment"
    assert (order["currency"], order["payment_mode"], order["fulfilment"]) == (
        "EUR",
        "deposit",
        "delivery",
    )
    assert order["courier_id"] == world.parties["C"].id and order["store_id"] is None
    assert order["merchant_id"] == world.parties["M"].id
    assert order["delivery_fee"] == 590
    assert order["courier_fee_status"] == "pending"
    first, second = order["lines"]
    assert first["id"].startswith("ln_") and first["id"] != second["id"]
    assert (first["product_id"], first["supplier_id"]) == (
        world.products["P1"],
        world.parties["S1"].id,
    )
    assert {k: first[k] for k in ("quantity", "unit_price", "amount", "supplier_amount")} == {
        "quantity": 2,
        "unit_price": 5000,
        "amount": 10000,
        "supplier_amount": 7000,
    }
    assert (first["commission"], first["deposit_bps"], first["deposit"]) == (3000, 3000, 2100)
    # 3 × 3333 = 9999; supplier 3 × 2000 = 6000; deposit floor(6000 × 20 %) = 1200
    assert (second["unit_price"], second["amount"], second["supplier_amount"]) == (3333, 9999, 6000)
    assert (second["commission"], second["deposit"]) == (3999, 1200)
    assert {first["status"], second["status"]} == {"pending"}
    assert order["amount_total"] == 10000 + 9999 + 590
    assert order["amounts"] == {"captured": 0, "released": 0, "refunded": 0, "held": 0}
    assert order["redemption"] is None
    assert order["customer"] == {
        "email": "customer@example.com",
        "name": "Camille",
        "iban": None,
        "locale": "fr",
    }
    assert order["customer_url"].startswith("http://testserver/orders/" + order["id"] + "/")
    created = parse_time(order["created_at"])
    assert abs(created - datetime.now(UTC)) < timedelta(minutes=1)
    # Without redeem_by, an order may be redeemed for 30 days.
    assert abs(parse_time(order["redeem_by"]) - created - timedelta(days=30)) < timedelta(seconds=5)
    assert world.get_order(order["id"]) == order


def test_a_store_order_names_one_of_the_merchants_stores(world: World) -> None:
    redeem_by = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    order = world.order(
        **store_body(
            world,
            lines=[line(world, "P1", 1, unit_price=6000), line(world, "P2", 2)],
            redeem_by=redeem_by.isoformat(),
        )
    )
    assert order["fulfilment"] == "store"
    assert order["store_id"] == world.parties["ST"].id and order["courier_id"] is None
    assert (order["delivery_fee"], order["courier_fee_status"]) == (0, "none")
    assert [(x["amount"], x["commission"], x["deposit"]) for x in order["lines"]] == [
        (6000, 2500, 0),
        (5998, 1998, 0),
    ]
    assert order["amount_total"] == 11998
    assert parse_time(order["redeem_by"]) == redeem_by
    assert {x["deadline"] for x in order["lines"]} == {order["redeem_by"]}


def test_an_itinerary_order_holds_dated_services_with_their_booking_deposits(
    world: World,
) -> None:
    order = world.order(**itinerary_body(world))
    night, kayak = order["lines"]
    assert (night["kind"], night["service_date"]) == ("service", in_days(3))
    assert (night["amount"], night["supplier_amount"], night["commission"]) == (24000, 20000, 4000)
    # No agreement is needed: a service's booking deposit is its supplier's.
    assert (night["deposit_bps"], night["deposit"]) == (2500, 5000)
    assert (kayak["deposit_bps"], kayak["deposit"]) == (1000, 400)
    assert order["amount_total"] == 28500
    # Each line is due at the end of its service day plus the grace period (24 h);
    # the order at the end of the last one's.
    end_of_night = datetime.combine(
        date.fromisoformat(in_days(4)), datetime.min.time(), UTC
    ) + timedelta(hours=24)
    assert parse_time(night["deadline"]) == end_of_night
    assert parse_time(kayak["deadline"]) == end_of_night + timedelta(days=1)
    assert parse_time(order["redeem_by"]) == end_of_night + timedelta(days=1)


def test_a_service_without_a_booking_deposit_uses_the_agreement(world: World) -> None:
    guide = world.product("GUIDE", "S1", 1000, 1500, kind="service")
    refused = world.order(
        expect=422,
        **itinerary_body(
            world, lines=[{"product_id": guide, "quantity": 1, "service_date": in_days(2)}]
        ),
    )
    assert refused["code"] == "agreement_required"
    world.agree("S1", 1500)
    order = world.order(
        **itinerary_body(
            world, lines=[{"product_id": guide, "quantity": 3, "service_date": in_days(2)}]
        )
    )
    assert (order["lines"][0]["deposit_bps"], order["lines"][0]["deposit"]) == (1500, 450)


def test_an_order_may_hold_a_hundred_lines(world: World) -> None:
    order = world.order(**store_body(world, lines=[line(world, "P2")] * 100))
    assert len(order["lines"]) == 100
    assert order["amount_total"] == 100 * 2999
    assert [x["id"] for x in order["lines"]] == [
        x["id"] for x in world.get_order(order["id"])["lines"]
    ]


def test_the_customer_iban_is_kept_in_its_compact_form(world: World) -> None:
    order = world.order(
        customer={"email": "c@example.com", "iban": "FR14 2004 1010 0505 0001 3M02 606"},
        **store_body(world),
    )
    assert order["customer"]["iban"] == VALID_IBAN


# --- refusals: a stable code, field errors, and nothing created ---------------------------


def refused_order(
    world: World,
    body: dict[str, Any],
    *,
    status: int,
    code: str,
    fields: list[str],
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    before = all_order_ids(world.client)
    response = world.client.post(
        "/v1/orders",
        json={"currency": "EUR", "customer": {"email": "customer@example.com"}, **body},
        headers=headers or world.parties["M"].headers,
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code, problem
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert problem["type"].endswith("/" + code)
    assert [error["field"] for error in problem.get("errors", [])] == fields, problem
    assert all(error["message"] for error in problem.get("errors", []))
    assert all_order_ids(world.client) == before, "a refused order was created"
    return problem


Case = Callable[[World], dict[str, Any]]


def _usd_product(world: World) -> dict[str, Any]:
    product = ok(
        world.client.post(
            "/v1/products",
            json={
                "sku": "USD1",
                "name": "dollar thing",
                "kind": "good",
                "currency": "USD",
                "wholesale_price": 100,
            },
            headers=world.parties["S1"].headers,
        ),
        201,
    )
    return delivery_body(
        world, lines=[{"product_id": product["id"], "quantity": 1, "unit_price": 200}]
    )


def _unlisted_product(world: World) -> dict[str, Any]:
    product = ok(
        world.client.post(
            "/v1/products",
            json={
                "sku": "UNLISTED",
                "name": "not listed",
                "kind": "good",
                "currency": "EUR",
                "wholesale_price": 100,
            },
            headers=world.parties["S1"].headers,
        ),
        201,
    )
    return store_body(world, lines=[{"product_id": product["id"], "quantity": 1}])


def _proposed_agreement_only(world: World) -> dict[str, Any]:
    proposal = ok(
        world.client.post(
            "/v1/agreements",
            json={"supplier_id": world.parties["S1"].id, "deposit_bps": 3000},
            headers=world.parties["M"].headers,
        ),
        201,
    )
    assert proposal["status"] == "proposed"
    return delivery_body(world, payment_mode="deposit", lines=[line(world, "P1")])


def _another_merchants_store(world: World) -> dict[str, Any]:
    other = world.party("M2", "merchant")
    store = world.party("ST2", "store", merchant_id=other.id)
    return store_body(world, store_id=store.id)


REFUSALS: dict[str, tuple[Case, int, str, list[str]]] = {
    "unknown product": (
        lambda w: delivery_body(
            w,
            lines=[
                {"product_id": "prd_01JAAAAAAAAAAAAAAAAAAAAAAA", "quantity": 1, "unit_price": 9}
            ],
        ),
        404,
        "unknown_product",
        ["lines.0.product_id"],
    ),
    "product in another currency": (_usd_product, 422, "currency_mismatch", ["lines.0.product_id"]),
    "order in another currency": (
        lambda w: {**delivery_body(w), "currency": "USD"},
        422,
        "currency_mismatch",
        ["lines.0.product_id", "lines.1.product_id"],
    ),
    "price below wholesale": (
        lambda w: delivery_body(w, lines=[line(w, "P2"), line(w, "P1", 1, unit_price=3499)]),
        422,
        "price_below_wholesale",
        ["lines.1.unit_price"],
    ),
    "unlisted product without a price": (
        _unlisted_product,
        422,
        "unit_price_required",
        ["lines.0.unit_price"],
    ),
    "deposit mode without an agreement": (
        lambda w: delivery_body(w, payment_mode="deposit"),
        422,
        "agreement_required",
        ["lines.0.product_id", "lines.1.product_id"],
    ),
    "deposit mode with a proposed agreement only": (
        _proposed_agreement_only,
        422,
        "agreement_required",
        ["lines.0.product_id"],
    ),
    "quantity 0": (
        lambda w: delivery_body(w, lines=[line(w, "P1", 0)]),
        422,
        "invalid_quantity",
        ["lines.0.quantity"],
    ),
    "negative quantity": (
        lambda w: delivery_body(w, lines=[line(w, "P1", -1)]),
        422,
        "invalid_quantity",
        ["lines.0.quantity"],
    ),
    "quantity above the limit": (
        lambda w: delivery_body(w, lines=[line(w, "P1", 10_001)]),
        422,
        "invalid_quantity",
        ["lines.0.quantity"],
    ),
    "absurd quantity": (
        lambda w: delivery_body(w, lines=[line(w, "P1", 10**12)]),
        422,
        "validation_error",
        ["lines.0.quantity"],
    ),
    "line amount too large": (
        lambda w: delivery_body(w, lines=[line(w, "P1", 2, unit_price=MAX_AMOUNT_MINOR)]),
        422,
        "amount_too_large",
        ["lines.0.quantity"],
    ),
    "order total too large": (
        lambda w: delivery_body(w, lines=[line(w, "P1", 1, unit_price=MAX_AMOUNT_MINOR)]),
        422,
        "amount_too_large",
        ["lines"],
    ),
    "unit price above the bound": (
        lambda w: delivery_body(w, lines=[line(w, "P1", 1, unit_price=MAX_AMOUNT_MINOR + 1)]),
        422,
        "validation_error",
        ["lines.0.unit_price"],
    ),
    "no lines": (lambda w: delivery_body(w, lines=[]), 422, "no_lines", ["lines"]),
    "101 lines": (
        lambda w: delivery_body(w, lines=[line(w, "P2")] * 101),
        422,
        "too_many_lines",
        ["lines"],
    ),
    "delivery without a courier": (
        lambda w: {k: v for k, v in delivery_body(w).items() if k != "courier_id"},
        422,
        "courier_required",
        ["courier_id"],
    ),
    "courier_id that is a supplier": (
        lambda w: delivery_body(w, courier_id=w.parties["S1"].id),
        404,
        "unknown_courier",
        ["courier_id"],
    ),
    "courier_id that does not exist": (
        lambda w: delivery_body(w, courier_id="pty_01JAAAAAAAAAAAAAAAAAAAAAAA"),
        404,
        "unknown_courier",
        ["courier_id"],
    ),
    "negative delivery fee": (
        lambda w: delivery_body(w, delivery_fee=-1),
        422,
        "validation_error",
        ["delivery_fee"],
    ),
    "store order without a store": (
        lambda w: {k: v for k, v in store_body(w).items() if k != "store_id"},
        422,
        "store_required",
        ["store_id"],
    ),
    "another merchant's store": (
        _another_merchants_store,
        404,
        "unknown_store",
        ["store_id"],
    ),
    "store_id that is a courier": (
        lambda w: store_body(w, store_id=w.parties["C"].id),
        404,
        "unknown_store",
        ["store_id"],
    ),
    "store order with a courier": (
        lambda w: store_body(w, courier_id=w.parties["C"].id, delivery_fee=100),
        422,
        "courier_not_allowed",
        ["courier_id"],
    ),
    "delivery order with a store": (
        lambda w: delivery_body(w, store_id=w.parties["ST"].id),
        422,
        "store_not_allowed",
        ["store_id"],
    ),
    "itinerary line that is a good": (
        lambda w: itinerary_body(w, lines=[line(w, "P1", 1, service_date=in_days(2))]),
        422,
        "service_line_required",
        ["lines.0.product_id"],
    ),
    "itinerary line without a service date": (
        lambda w: itinerary_body(w, lines=[line(w, "NIGHT", 1)]),
        422,
        "service_date_required",
        ["lines.0.service_date"],
    ),
    "a good with a service date": (
        lambda w: delivery_body(w, lines=[line(w, "P1", 1, service_date=in_days(2))]),
        422,
        "service_date_not_allowed",
        ["lines.0.service_date"],
    ),
    "malformed service date": (
        lambda w: itinerary_body(w, lines=[line(w, "NIGHT", 1, service_date="2030-02-30")]),
        422,
        "validation_error",
        ["lines.0.service_date"],
    ),
    "redeem_by in the past": (
        lambda w: store_body(w, redeem_by=(datetime.now(UTC) - timedelta(minutes=1)).isoformat()),
        422,
        "deadline_in_past",
        ["redeem_by"],
    ),
    "redeem_by without a time zone": (
        lambda w: store_body(w, redeem_by="2031-01-01T00:00:00"),
        422,
        "validation_error",
        ["redeem_by"],
    ),
    "redeem_by out of range": (
        lambda w: store_body(w, redeem_by="9999-12-31T23:59:59-01:00"),
        422,
        "validation_error",
        ["redeem_by"],
    ),
    "service date out of range": (
        lambda w: itinerary_body(w, lines=[line(w, "NIGHT", 1, service_date="9999-12-31")]),
        422,
        "validation_error",
        ["lines.0.service_date"],
    ),
    "currency not ISO 4217": (
        lambda w: {**delivery_body(w), "currency": "EUX"},
        422,
        "invalid_currency",
        ["currency"],
    ),
    "currency in lower case": (
        lambda w: {**delivery_body(w), "currency": "eur"},
        422,
        "invalid_currency",
        ["currency"],
    ),
    "currency without a minor unit": (
        lambda w: {**delivery_body(w), "currency": "XAU"},
        422,
        "invalid_currency",
        ["currency"],
    ),
    "currency of four letters": (
        lambda w: {**delivery_body(w), "currency": "EURO"},
        422,
        "invalid_currency",
        ["currency"],
    ),
    "malformed customer email": (
        lambda w: {**delivery_body(w), "customer": {"email": "not-an-email"}},
        422,
        "validation_error",
        ["customer.email"],
    ),
    "customer without an email": (
        lambda w: {**delivery_body(w), "customer": {"name": "Camille"}},
        422,
        "validation_error",
        ["customer.email"],
    ),
    "bad IBAN": (
        lambda w: {
            **delivery_body(w),
            "customer": {"email": "c@example.com", "iban": "FR1420041010050500013M02607"},
        },
        422,
        "invalid_bank_details",
        ["customer.iban"],
    ),
    "unknown payment mode": (
        lambda w: delivery_body(w, payment_mode="cash"),
        422,
        "validation_error",
        ["payment_mode"],
    ),
    "unknown field": (
        lambda w: delivery_body(w, discount=10),
        422,
        "validation_error",
        ["discount"],
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS), ids=list(REFUSALS))
def test_a_refused_order_has_a_stable_code_and_creates_nothing(world: World, case: str) -> None:
    build, status, code, fields = REFUSALS[case]
    refused_order(world, build(world), status=status, code=code, fields=fields)


def test_every_refused_line_is_listed_at_once(world: World) -> None:
    problem = refused_order(
        world,
        delivery_body(
            world,
            lines=[
                line(world, "P1"),
                {"product_id": "prd_01JAAAAAAAAAAAAAAAAAAAAAAA", "quantity": 1, "unit_price": 9},
                line(world, "P2", 1, unit_price=1),
            ],
        ),
        status=404,
        code="unknown_product",
        fields=["lines.1.product_id", "lines.2.unit_price"],
    )
    assert "lines.2.unit_price" in problem["detail"]


def test_a_malformed_body_is_a_422_problem(world: World) -> None:
    before = all_order_ids(world.client)
    response = world.client.post(
        "/v1/orders",
        content=b"{not json",
        headers={**world.parties["M"].headers, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert all_order_ids(world.client) == before


@pytest.mark.parametrize(("role", "status"), [("S1", 403), ("C", 403), ("ST", 403), (None, 401)])
def test_only_merchants_create_orders(world: World, role: str | None, status: int) -> None:
    headers = world.parties[role].headers if role else {}
    problem = refused_order(
        world,
        delivery_body(world),
        status=status,
        code="unauthenticated" if status == 401 else "role_not_allowed",
        fields=[],
        headers=headers or {"X-Nothing": "1"},
    )
    assert problem["status"] == status


def test_the_admin_key_does_not_create_orders(world: World) -> None:
    refused_order(
        world, delivery_body(world), status=403, code="role_not_allowed", fields=[], headers=ADMIN
    )


def test_a_wrong_key_is_401(world: World) -> None:
    refused_order(
        world,
        delivery_body(world),
        status=401,
        code="unauthenticated",
        fields=[],
        headers=bearer("axk_merchant_" + "x" * 40),
    )


def test_the_same_idempotency_key_creates_one_order(world: World) -> None:
    headers = {**world.parties["M"].headers, "Idempotency-Key": "order-1"}
    body = {"currency": "EUR", "customer": {"email": "c@example.com"}, **store_body(world)}
    first = world.client.post("/v1/orders", json=body, headers=headers)
    again = world.client.post("/v1/orders", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert all_order_ids(world.client) == [first.json()["id"]]
    other = world.client.post(
        "/v1/orders", json={**body, "payment_mode": "deposit"}, headers=headers
    )
    assert other.status_code == 422
    assert all_order_ids(world.client) == [first.json()["id"]]


# --- visibility, lists ------------------------------------------------------------------


def test_who_sees_an_order(world: World) -> None:
    other = world.party("M2", "merchant")
    world.party("C2", "courier")
    world.party("ST2", "store", merchant_id=world.parties["M"].id)
    order = delivery_order(world, "escrow")
    path = f"/v1/orders/{order['id']}"
    for name in ("M", "S1", "S2", "C"):
        seen = ok(world.client.get(path, headers=world.parties[name].headers))
        assert seen["id"] == order["id"]
    assert ok(world.client.get(path, headers=ADMIN))["id"] == order["id"]
    # Not yours: 404, exactly as an order that does not exist.
    for name in ("M2", "C2", "ST", "ST2", "H"):
        response = world.client.get(path, headers=world.parties[name].headers)
        assert response.status_code == 404, name
        assert response.json()["code"] == "order_not_found"
    missing = world.client.get("/v1/orders/ord_01JAAAAAAAAAAAAAAAAAAAAAAA", headers=other.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "order_not_found"
    assert world.client.get(path).status_code == 401


def test_lists_show_each_caller_its_own_orders(world: World) -> None:
    world.party("M2", "merchant")
    delivery = delivery_order(world, "escrow")
    store = world.order(**store_body(world))
    itinerary = world.order(**itinerary_body(world))
    store2 = world.party("ST2", "store", merchant_id=world.parties["M2"].id)
    # M2 sells P1 too, and has one on ST2's shelf.
    ok(
        world.client.post(
            "/v1/listings",
            json={"product_id": world.products["P1"], "unit_price": 5500},
            headers=world.parties["M2"].headers,
        ),
        201,
    )
    world.stock("ST2", "P1", 1, as_party="M2")
    theirs = world.order(
        merchant="M2",
        **store_body(world, store_id=store2.id, lines=[line(world, "P1", 1, unit_price=5500)]),
    )

    def listed(name: str) -> list[str]:
        page = ok(world.client.get("/v1/orders", headers=world.parties[name].headers))
        assert page["has_more"] is False
        return [order["id"] for order in page["data"]]

    # Newest first.
    assert listed("M") == [itinerary["id"], store["id"], delivery["id"]]
    assert listed("M2") == [theirs["id"]]
    assert listed("C") == [delivery["id"]]
    assert listed("ST") == [store["id"]]
    assert listed("S1") == [theirs["id"], store["id"], delivery["id"]]  # P1 in all three
    assert listed("S2") == [delivery["id"]]
    assert listed("H") == [itinerary["id"]]
    assert listed("ST2") == [theirs["id"]]
    assert all_order_ids(world.client) == [
        theirs["id"],
        itinerary["id"],
        store["id"],
        delivery["id"],
    ]


def test_lists_filter_by_status(world: World) -> None:
    unpaid = world.order(**store_body(world))
    paid = world.order(**store_body(world))
    world.pay(paid["id"])
    cancelled = world.order(**store_body(world))
    ok(
        world.client.post(
            f"/v1/orders/{cancelled['id']}/cancel", headers=world.parties["M"].headers
        )
    )

    def with_status(status: str) -> list[str]:
        page = ok(
            world.client.get(f"/v1/orders?status={status}", headers=world.parties["M"].headers)
        )
        assert {order["status"] for order in page["data"]} <= {status}
        return [order["id"] for order in page["data"]]

    assert with_status("awaiting_payment") == [unpaid["id"]]
    assert with_status("paid") == [paid["id"]]
    assert with_status("cancelled") == [cancelled["id"]]
    assert with_status("completed") == []
    bad = world.client.get("/v1/orders?status=lost", headers=world.parties["M"].headers)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    assert bad.json()["errors"][0]["field"] == "status"


def test_lists_are_paginated_with_a_cursor(world: World) -> None:
    created = [world.order(**store_body(world))["id"] for _ in range(5)]
    newest_first = list(reversed(created))
    headers = world.parties["M"].headers
    seen: list[str] = []
    cursor = ""
    pages = []
    while True:
        page = ok(world.client.get(f"/v1/orders?limit=2{cursor}", headers=headers))
        pages.append((len(page["data"]), page["has_more"]))
        seen += [order["id"] for order in page["data"]]
        if not page["has_more"]:
            break
        cursor = f"&starting_after={seen[-1]}"
    assert pages == [(2, True), (2, True), (1, False)]
    assert seen == newest_first
    exact = ok(world.client.get("/v1/orders?limit=5", headers=headers))
    assert (len(exact["data"]), exact["has_more"]) == (5, False)
    after_last = ok(world.client.get(f"/v1/orders?starting_after={created[0]}", headers=headers))
    assert after_last == {"data": [], "has_more": False}
    for query in ("limit=0", "limit=101", "limit=x", "starting_after=" + "x" * 65):
        response = world.client.get(f"/v1/orders?{query}", headers=headers)
        assert response.status_code == 422, query
        assert response.json()["code"] == "validation_error"


# --- cancellation -----------------------------------------------------------------


def test_cancel_before_payment_moves_nothing(world: World, client: Any, context: Any) -> None:
    order = delivery_order(world, "escrow")
    path = f"/v1/orders/{order['id']}/cancel"
    for name in ("S1", "C"):
        response = client.post(path, headers=world.parties[name].headers)
        assert response.status_code == 403, name
    other = world.party("M2", "merchant")
    assert client.post(path, headers=other.headers).status_code == 404
    assert client.post(path).status_code == 401
    assert world.get_order(order["id"])["status"] == "awaiting_payment"

    cancelled = ok(client.post(path, headers=world.parties["M"].headers))
    assert cancelled["status"] == "cancelled"
    assert cancelled["amounts"] == {"captured": 0, "released": 0, "refunded": 0, "held": 0}
    assert world.get_order(order["id"])["status"] == "cancelled"
    refunds = ok(
        client.get(f"/v1/refunds?order_id={order['id']}", headers=world.parties["M"].headers)
    )
    assert refunds["data"] == []
    transfers = ok(client.get(f"/v1/ledger/transfers?order_id={order['id']}", headers=ADMIN))
    assert transfers["data"] == []

    again = client.post(path, headers=world.parties["M"].headers)
    assert again.status_code == 409 and again.json()["code"] == "order_cancelled"
    checkout = client.post(
        f"/v1/orders/{order['id']}/checkout", json={}, headers=world.parties["M"].headers
    )
    assert checkout.status_code == 409 and checkout.json()["code"] == "order_not_payable"
    assert check_ledger(context) == []


def test_cancel_after_payment_refunds_by_the_money_rules(
    world: World, client: Any, context: Any
) -> None:
    world.agree("S1", 3000)
    world.agree("S2", 2000)
    order = delivery_order(world, "deposit")
    world.pay(order["id"])
    cancelled = ok(
        client.post(f"/v1/orders/{order['id']}/cancel", headers=world.parties["M"].headers)
    )
    assert cancelled["status"] == "cancelled"
    assert cancelled["amounts"] == {
        "captured": 13589,
        "released": 2500,
        "refunded": 11089,
        "held": 0,
    }
    assert {x["status"] for x in cancelled["lines"]} == {"refunded"}
    refunds = ok(
        client.get(f"/v1/refunds?order_id={order['id']}", headers=world.parties["M"].headers)
    )
    assert sorted((r["amount"], r["reason"], r["status"]) for r in refunds["data"]) == [
        (590, "cancelled", "succeeded"),
        (2599, "cancelled", "succeeded"),
        (7900, "cancelled", "succeeded"),
    ]
    # Suppliers keep their deposits; nobody else is paid.
    assert world.balance("S1") == {"held": 0, "available": 2100, "paid_out": 0}
    assert world.balance("S2") == {"held": 0, "available": 400, "paid_out": 0}
    assert world.balance("M") == {"held": 0, "available": 0, "paid_out": 0}
    assert world.balance("C") == {"held": 0, "available": 0, "paid_out": 0}
    assert check_ledger(context) == []


def test_cancel_after_the_deadline_before_the_sweep(
    world: World, client: Any, context: Any, clock: Any
) -> None:
    order = world.order(**store_body(world))
    world.pay(order["id"])
    clock.advance(days=31)  # past redeem_by; the sweep has not run
    cancelled = ok(
        client.post(f"/v1/orders/{order['id']}/cancel", headers=world.parties["M"].headers)
    )
    assert cancelled["status"] == "cancelled"
    assert cancelled["amounts"] == {"captured": 5000, "released": 0, "refunded": 5000, "held": 0}
    assert check_ledger(context) == []


def test_an_order_whose_lines_hold_nothing_still_expires(
    world: World, client: Any, context: Any
) -> None:
    """A 100 % deposit at the wholesale price: everything is paid at capture and
    nothing is held. The sweep must still close the order at its deadline."""
    world.agree("S1", 10_000)
    order = world.order(
        **store_body(world, payment_mode="deposit", lines=[line(world, "P1", 1, unit_price=3500)])
    )
    world.pay(order["id"])
    paid = world.get_order(order["id"])
    assert paid["amounts"] == {"captured": 3500, "released": 3500, "refunded": 0, "held": 0}
    as_of = parse_time(paid["redeem_by"]) + timedelta(seconds=1)
    ok(client.post("/v1/sandbox/sweep", json={"as_of": as_of.isoformat()}, headers=ADMIN))
    done = world.get_order(order["id"])
    assert done["status"] == "expired"
    assert done["lines"][0]["status"] == "refunded"
    assert check_ledger(context) == []


@pytest.mark.parametrize(
    "as_of", ["0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00"]
)
def test_the_sandbox_sweep_refuses_times_out_of_range(world: World, as_of: str) -> None:
    world.pay(world.order(**store_body(world))["id"])
    response = world.client.post("/v1/sandbox/sweep", json={"as_of": as_of}, headers=ADMIN)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "as_of"


def test_the_nul_character_is_refused_everywhere_on_both_databases(world: World) -> None:
    """PostgreSQL cannot store (nor compare) U+0000: it is refused as bad input,
    the same way on SQLite, before anything runs."""
    headers = world.parties["M"].headers
    before = all_order_ids(world.client)
    body = {
        "currency": "EUR",
        "customer": {"email": "c@example.com", "name": "Cam\u0000ille"},
        **store_body(world),
    }
    for response in (
        world.client.post("/v1/orders", json=body, headers=headers),
        world.client.get("/v1/orders/ord_%00", headers=headers),
        world.client.get("/v1/orders?starting_after=%00", headers=headers),
        world.client.post(
            "/v1/orders",
            content=b"customer=%00",
            headers={**headers, "content-type": "application/x-www-form-urlencoded"},
        ),
    ):
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_characters"
    assert all_order_ids(world.client) == before
    # A backslash followed by "u0000" is only text.
    body["customer"] = {"email": "c@example.com", "name": "Cam\\u0000ille"}
    created = world.order(**{k: v for k, v in body.items() if k != "currency"})
    assert created["customer"]["name"] == "Cam\\u0000ille"
