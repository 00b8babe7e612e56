"""Stock per store over HTTP: counting, adjusting, importing, listing; the
pre-reservation of store orders and everything that ends it; who may do what."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ADMIN, FakeClock, bearer
from tests.scenario import DECLINED, NEEDS_CHALLENGE, STORE_STOCK, World, ok, spec_world


@pytest.fixture
def world(client: Any) -> World:
    return spec_world(client)


def store_order(world: World, quantity: int, *, product: str = "P1", **body: Any) -> Any:
    body.setdefault("payment_mode", "escrow")
    return world.client.post(
        "/v1/orders",
        json={
            "currency": "EUR",
            "fulfilment": "store",
            "store_id": world.parties["ST"].id,
            "customer": {"email": "camille@example.com", "name": "Camille"},
            "lines": [{"product_id": world.products[product], "quantity": quantity}],
            **body,
        },
        headers=world.parties["M"].headers,
    )


def stock_events(world: World, who: str = "M") -> list[dict[str, Any]]:
    found = ok(
        world.client.get(
            "/v1/events?type=stock.changed&limit=100", headers=world.parties[who].headers
        )
    )["data"]
    return [event["data"] for event in reversed(found)]


def test_two_of_three_leaves_one_and_a_third_order_of_two_is_refused(world: World) -> None:
    world.stock("ST", "P1", 3)
    first = ok(store_order(world, 2), 201)
    assert world.stock_level("ST", "P1") == {"on_hand": 3, "reserved": 2, "available": 1}

    refused = store_order(world, 2)
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "out_of_stock"
    assert world.products["P1"] in problem["detail"]
    assert problem["errors"] == [{"field": "lines[0]", "message": "2 wanted, 1 available"}]
    # Nothing changed: no order, no reservation.
    assert world.stock_level("ST", "P1") == {"on_hand": 3, "reserved": 2, "available": 1}
    orders = ok(world.client.get("/v1/orders", headers=world.parties["M"].headers))["data"]
    assert [order["id"] for order in orders] == [first["id"]]

    ok(store_order(world, 1), 201)  # the last unit
    assert world.stock_level("ST", "P1") == {"on_hand": 3, "reserved": 3, "available": 0}
    assert store_order(world, 1).json()["code"] == "out_of_stock"


def test_an_order_names_every_short_line_and_a_product_never_counted(world: World) -> None:
    world.stock("ST", "P1", 1)
    world.stock("ST", "P2", 5)
    response = world.client.post(
        "/v1/orders",
        json={
            "currency": "EUR",
            "payment_mode": "escrow",
            "fulfilment": "store",
            "store_id": world.parties["ST"].id,
            "customer": {"email": "c@example.com"},
            "lines": [
                {"product_id": world.products["P2"], "quantity": 1},
                {"product_id": world.products["P1"], "quantity": 2},
            ],
        },
        headers=world.parties["M"].headers,
    )
    assert response.status_code == 409
    assert response.json()["errors"] == [{"field": "lines[1]", "message": "2 wanted, 1 available"}]
    assert world.stock_level("ST", "P2")["reserved"] == 0
    # A second store that never counted P1 has none.
    world.party("ST2", "store", merchant_id=world.parties["M"].id)
    other = store_order(world, 1, store_id=world.parties["ST2"].id)
    assert other.status_code == 409 and other.json()["code"] == "out_of_stock"


def test_cancellation_frees_the_reservation(world: World) -> None:
    world.stock("ST", "P1", 3)
    unpaid = ok(store_order(world, 2), 201)
    world.cancel(unpaid["id"])
    assert world.stock_level("ST", "P1") == {"on_hand": 3, "reserved": 0, "available": 3}
    paid = ok(store_order(world, 3), 201)
    world.pay(paid["id"])
    world.cancel(paid["id"])
    assert world.stock_level("ST", "P1") == {"on_hand": 3, "reserved": 0, "available": 3}


def test_a_hand_over_takes_from_on_hand_and_missing_units_are_freed(world: World) -> None:
    world.stock("ST", "P1", 5)
    world.stock("ST", "P2", 5)
    order = world.order(
        payment_mode="escrow",
        fulfilment="store",
        store_id=world.parties["ST"].id,
        lines=[
            {"product_id": world.products["P1"], "quantity": 3},
            {"product_id": world.products["P2"], "quantity": 1},
        ],
    )
    assert world.stock_level("ST", "P1") == {"on_hand": 5, "reserved": 3, "available": 2}
    world.pay(order["id"])
    line1, _ = order["lines"]
    # 2 of the 3 units of P1 handed over, P2 declared missing.
    redemption = world.redeem(
        "ST",
        world.code(order["id"]),
        lines=[{"line_id": line1["id"], "quantity": 2}],
        complete=True,
    )
    assert redemption["order_status"] == "completed"
    assert world.stock_level("ST", "P1") == {"on_hand": 3, "reserved": 0, "available": 3}
    assert world.stock_level("ST", "P2") == {"on_hand": 5, "reserved": 0, "available": 5}
    # Money as SPEC.md says: 2 × 5000 released (7000 to S1, 3000 to M), the rest refunded.
    done = world.get_order(order["id"])
    assert done["amounts"] == {"captured": 17999, "released": 10000, "refunded": 7999, "held": 0}
    changes = [(e["product_id"], e["change"], e.get("taken")) for e in stock_events(world)]
    assert changes[-2:] == [
        (world.products["P1"], "handed_over", 2),
        (world.products["P2"], "freed", 0),
    ]


def test_expiry_and_an_unpaid_hold_free_the_reservation(world: World, context: Any) -> None:
    world.stock("ST", "P1", 4)
    now = context.now()
    paid = ok(store_order(world, 1, redeem_by=(now + timedelta(days=2)).isoformat()), 201)
    world.pay(paid["id"])
    unpaid = ok(store_order(world, 2), 201)
    assert world.stock_level("ST", "P1")["reserved"] == 3

    hold = context.settings.store_unpaid_hold_seconds
    created = datetime.fromisoformat(unpaid["created_at"])
    # Just before the hold ends: nothing moves.
    world.sweep(created + timedelta(seconds=hold - 60))
    assert world.stock_level("ST", "P1")["reserved"] == 3
    report = world.sweep(created + timedelta(seconds=hold + 1))
    assert report["unpaid_store_orders_expired"] == 1
    assert world.get_order(unpaid["id"])["status"] == "expired"
    assert world.stock_level("ST", "P1") == {"on_hand": 4, "reserved": 1, "available": 3}
    # The unpaid order can no longer be paid.
    late = world.client.post(
        f"/v1/orders/{unpaid['id']}/checkout", json={}, headers=world.parties["M"].headers
    )
    assert late.status_code == 409

    # The paid order's deadline passes: refunded, its reservation freed.
    world.sweep(now + timedelta(days=2, seconds=1))
    assert world.get_order(paid["id"])["status"] == "expired"
    assert world.stock_level("ST", "P1") == {"on_hand": 4, "reserved": 0, "available": 4}


def challenged_payment(world: World, order_id: str) -> Any:
    """A checkout started and stopped on its 3-D Secure page: an open payment."""
    payment = world.checkout(order_id)
    challenged = ok(
        world.client.post(
            f"/v1/sandbox/payments/{payment['id']}/pay", json={"card_number": NEEDS_CHALLENGE}
        )
    )
    assert challenged["status"] == "requires_action"
    return payment


def freed_events(world: World, order_id: str) -> list[dict[str, Any]]:
    return [
        event
        for event in stock_events(world)
        if event["change"] == "freed" and event.get("order_id") == order_id
    ]


def test_a_customer_paying_near_the_end_of_the_hold_keeps_the_goods(
    world: World, context: Any, clock: FakeClock
) -> None:
    world.stock("ST", "P1", 4)
    hold = timedelta(seconds=context.settings.store_unpaid_hold_seconds)
    order = ok(store_order(world, 2), 201)
    created = datetime.fromisoformat(order["created_at"])
    clock.advance(seconds=hold.total_seconds() - 120)
    payment = challenged_payment(world, order["id"])

    # The hold since the order's creation is over, the customer is on 3-D Secure.
    report = world.sweep(created + hold + timedelta(seconds=1))
    assert report["unpaid_store_orders_expired"] == 0
    assert world.get_order(order["id"])["status"] == "awaiting_payment"
    assert world.stock_level("ST", "P1")["reserved"] == 2

    clock.advance(seconds=180)
    passed = ok(
        world.client.post(
            f"/v1/sandbox/payments/{payment['id']}/pay",
            json={"card_number": NEEDS_CHALLENGE, "otp": "123456"},
        )
    )
    assert passed["status"] == "succeeded"
    assert world.get_order(order["id"])["status"] == "paid"
    assert world.refunds(order["id"]) == []
    assert world.stock_level("ST", "P1") == {"on_hand": 4, "reserved": 2, "available": 2}
    assert freed_events(world, order["id"]) == []


def test_an_abandoned_payment_holds_the_goods_one_hold_from_its_start_and_no_longer(
    world: World, context: Any, clock: FakeClock
) -> None:
    world.stock("ST", "P1", 4)
    hold = timedelta(seconds=context.settings.store_unpaid_hold_seconds)
    order = ok(store_order(world, 2), 201)
    clock.advance(seconds=hold.total_seconds() - 120)
    payment = challenged_payment(world, order["id"])
    started = datetime.fromisoformat(payment["created_at"])

    world.sweep(started + hold - timedelta(seconds=60))
    assert world.get_order(order["id"])["status"] == "awaiting_payment"
    assert world.stock_level("ST", "P1")["reserved"] == 2

    # Past the hold counted from the checkout's start: expired, freed once.
    report = world.sweep(started + hold + timedelta(seconds=1))
    assert report["unpaid_store_orders_expired"] == 1
    assert world.get_order(order["id"])["status"] == "expired"
    assert world.stock_level("ST", "P1") == {"on_hand": 4, "reserved": 0, "available": 4}
    again = world.sweep(started + hold + timedelta(seconds=120))
    assert again["unpaid_store_orders_expired"] == 0
    assert len(freed_events(world, order["id"])) == 1

    # The customer comes back and passes 3-D Secure: too late, refunded whole, and
    # the stock is not freed a second time.
    clock.advance(seconds=hold.total_seconds() + 60)
    ok(
        world.client.post(
            f"/v1/sandbox/payments/{payment['id']}/pay",
            json={"card_number": NEEDS_CHALLENGE, "otp": "123456"},
        )
    )
    assert world.get_order(order["id"])["status"] == "expired"
    assert [refund["amount"] for refund in world.refunds(order["id"])] == [order["amount_total"]]
    assert world.stock_level("ST", "P1") == {"on_hand": 4, "reserved": 0, "available": 4}
    assert len(freed_events(world, order["id"])) == 1


def test_a_failed_attempt_does_not_extend_the_hold(
    world: World, context: Any, clock: FakeClock
) -> None:
    world.stock("ST", "P1", 4)
    hold = timedelta(seconds=context.settings.store_unpaid_hold_seconds)
    order = ok(store_order(world, 2), 201)
    created = datetime.fromisoformat(order["created_at"])
    clock.advance(seconds=hold.total_seconds() - 120)
    failed = world.pay(order["id"], DECLINED)
    assert failed["status"] == "failed"

    report = world.sweep(created + hold + timedelta(seconds=1))
    assert report["unpaid_store_orders_expired"] == 1
    assert world.stock_level("ST", "P1")["reserved"] == 0
    assert len(freed_events(world, order["id"])) == 1


def test_counting_and_adjusting(world: World) -> None:
    store, product = world.parties["ST"].id, world.products["P2"]
    path = f"/v1/stock/{store}/{product}"
    st_headers = world.parties["ST"].headers
    assert ok(world.client.put(path, json={"on_hand": 7}, headers=st_headers)) == {
        "object": "stock_level",
        "store_id": store,
        "product_id": product,
        "on_hand": 7,
        "reserved": 0,
        "available": 7,
    }
    adjusted = ok(
        world.client.post(
            f"/v1/stock/{store}/adjustments",
            json={"product_id": product, "delta": 5, "reason": "reception"},
            headers=st_headers,
        )
    )
    assert (adjusted["on_hand"], adjusted["available"]) == (12, 12)
    ok(store_order(world, 10, product="P2"), 201)
    last = stock_events(world, "ST")[-1]
    assert last["change"] == "reserved" and last["available"] == 2

    def refused(method: str, url: str, body: Any, status: int, code: str) -> None:
        before = world.stock_level("ST", "P2")
        events_before = len(stock_events(world))
        response = world.client.request(method, url, json=body, headers=st_headers)
        assert response.status_code == status, response.text
        assert response.json()["code"] == code
        assert world.stock_level("ST", "P2") == before
        assert len(stock_events(world)) == events_before

    adjustments = f"/v1/stock/{store}/adjustments"
    refused("PUT", path, {"on_hand": -1}, 422, "validation_error")
    refused("PUT", path, {"on_hand": "3"}, 422, "validation_error")
    refused("PUT", path, {"on_hand": 9}, 409, "stock_below_reserved")
    loss = {"product_id": product, "delta": -13, "reason": "loss"}
    refused("POST", adjustments, loss, 409, "stock_negative")
    refused("POST", adjustments, {**loss, "delta": -3}, 409, "stock_below_reserved")
    refused("POST", adjustments, {**loss, "delta": 0}, 422, "invalid_stock_quantity")
    refused("POST", adjustments, {**loss, "delta": 2.5}, 422, "validation_error")
    refused("POST", adjustments, {**loss, "delta": 1, "reason": "  "}, 422, "validation_error")
    # A product the store's merchant does not list.
    unlisted = ok(
        world.client.post(
            "/v1/products",
            json={
                "sku": "X",
                "name": "X",
                "kind": "good",
                "currency": "EUR",
                "wholesale_price": 100,
            },
            headers=world.parties["S1"].headers,
        ),
        201,
    )
    # The stock of a product the merchant does not list (or of no product) does not exist.
    for product_id in (unlisted["id"], "prd_01M8XZBNGFZZH4PVH2X2QFCGT8"):
        refused("PUT", f"/v1/stock/{store}/{product_id}", {"on_hand": 1}, 404, "product_not_listed")
        refused(
            "POST",
            adjustments,
            {**loss, "product_id": product_id, "delta": 1},
            404,
            "product_not_listed",
        )
    # A whole number is a JSON integer (3.0 is 3); never a string, a fraction or a boolean.
    assert ok(world.client.put(path, json={"on_hand": 12.0}, headers=st_headers))["on_hand"] == 12
    for bad in ("12", 12.5, True):
        refused("PUT", path, {"on_hand": bad}, 422, "validation_error")
    # Down to what is reserved is allowed.
    assert ok(world.client.put(path, json={"on_hand": 10}, headers=st_headers))["available"] == 0


def test_lists_are_paginated_by_product(world: World) -> None:
    store = world.parties["ST"].id
    page = ok(
        world.client.get(f"/v1/stock?store_id={store}&limit=1", headers=world.parties["ST"].headers)
    )
    assert page["has_more"] is True and len(page["data"]) == 1
    rest = ok(
        world.client.get(
            f"/v1/stock?store_id={store}&limit=1&starting_after={page['data'][0]['product_id']}",
            headers=world.parties["M"].headers,
        )
    )
    assert rest["has_more"] is False
    assert sorted(level["product_id"] for level in page["data"] + rest["data"]) == sorted(
        [world.products["P1"], world.products["P2"]]
    )
    assert ok(world.client.get(f"/v1/stock?store_id={store}", headers=ADMIN))["data"]
    bad = world.client.get(f"/v1/stock?store_id={store}&limit=101", headers=ADMIN)
    assert bad.status_code == 422
    missing = world.client.get("/v1/stock", headers=ADMIN)
    assert missing.status_code == 422


def test_only_the_store_its_merchant_and_the_operator_see_and_change_its_stock(
    world: World,
) -> None:
    world.party("M2", "merchant")
    world.party("ST2", "store", merchant_id=world.parties["M2"].id)
    world.party("ST3", "store", merchant_id=world.parties["M"].id)
    store, product = world.parties["ST"].id, world.products["P1"]
    before = world.stock_level("ST", "P1")
    requests = [
        ("GET", f"/v1/stock?store_id={store}", None),
        ("GET", f"/v1/stock/{store}/{product}", None),
        ("PUT", f"/v1/stock/{store}/{product}", {"on_hand": 1}),
        (
            "POST",
            f"/v1/stock/{store}/adjustments",
            {"product_id": product, "delta": 1, "reason": "x"},
        ),
    ]
    for method, url, body in requests:
        # Another merchant, another merchant's store, a sister store: not found.
        for who in ("M2", "ST2", "ST3"):
            response = world.client.request(
                method, url, json=body, headers=world.parties[who].headers
            )
            assert response.status_code == 404, (who, method, url, response.text)
            assert response.json()["code"] == "store_not_found"
        # A supplier or a courier has no stock to manage.
        for who in ("S1", "C"):
            response = world.client.request(
                method, url, json=body, headers=world.parties[who].headers
            )
            assert response.status_code == 403, (who, method, url)
        assert world.client.request(method, url, json=body).status_code == 401
    # A party that is not a store is not a store.
    response = world.client.get(
        f"/v1/stock?store_id={world.parties['C'].id}", headers=world.parties["M"].headers
    )
    assert response.status_code == 404
    assert world.stock_level("ST", "P1") == before
    # The operator may.
    assert ok(world.client.put(f"/v1/stock/{store}/{product}", json={"on_hand": 9}, headers=ADMIN))
    # Stock events: the store and its merchant, never a supplier.
    assert stock_events(world, "ST") and stock_events(world, "M")
    assert stock_events(world, "S1") == [] and stock_events(world, "ST3") == []


def test_a_csv_import_applies_what_it_can_and_reports_the_rest(world: World) -> None:
    store = world.parties["ST"].id
    ok(store_order(world, 2, product="P2"), 201)
    csv_body = (
        "sku,gtin,on_hand\n"
        "P1,,40\n"  # by SKU
        ",5901234123457,25\n"  # by GTIN (P2)
        "NOPE,,3\n"  # unknown SKU
        ",4006381333932,3\n"  # bad check digit
        ",96385074,3\n"  # a valid GTIN-8 nobody lists
        "P1,,-2\n"  # negative
        "P2,,1\n"  # below the 2 reserved
        "P1,,lots\n"
    )
    report = ok(
        world.client.post(
            f"/v1/stock/{store}/import",
            content=csv_body.encode(),
            headers={**world.parties["M"].headers, "Content-Type": "text/csv"},
        )
    )
    assert report["imported_count"] == 2 and report["refused_count"] == 6
    assert [(r["line"], r["code"]) for r in report["refused"]] == [
        (4, "unknown_sku"),
        (5, "invalid_gtin"),
        (6, "unknown_gtin"),
        (7, "invalid_stock_quantity"),
        (8, "stock_below_reserved"),
        (9, "invalid_stock_quantity"),
    ]
    assert world.stock_level("ST", "P1")["on_hand"] == 40
    assert world.stock_level("ST", "P2") == {"on_hand": 25, "reserved": 2, "available": 23}
    headers = {**world.parties["ST"].headers, "Content-Type": "text/csv"}
    for body, code in (
        (b"name,count\nP1,3\n", "import_header_invalid"),
        (b"SKU,On_Hand\nP1,3\n", "import_header_invalid"),
        (b"on_hand,sku\n3,P1\n", "import_header_invalid"),
        (b"\xff\xfe", "import_invalid"),
    ):
        response = world.client.post(f"/v1/stock/{store}/import", content=body, headers=headers)
        assert response.status_code == 422 and response.json()["code"] == code
    other = world.party("M2", "merchant")
    response = world.client.post(
        f"/v1/stock/{store}/import",
        content=csv_body.encode(),
        headers={**other.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 404
    assert world.stock_level("ST", "P1")["on_hand"] == 40


def test_an_idempotent_adjustment_applies_once(world: World) -> None:
    store = world.parties["ST"].id
    body = {"product_id": world.products["P1"], "delta": 4, "reason": "reception 42"}
    headers = {**world.parties["ST"].headers, "Idempotency-Key": "reception-42"}
    first = ok(world.client.post(f"/v1/stock/{store}/adjustments", json=body, headers=headers))
    again = world.client.post(f"/v1/stock/{store}/adjustments", json=body, headers=headers)
    assert again.json() == first and again.headers.get("idempotent-replayed") == "true"
    assert world.stock_level("ST", "P1")["on_hand"] == first["on_hand"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        # A quote left open swallows the rest: one line, an unknown SKU.
        (b'sku,on_hand\n"P1\r\n,2', 200, "unknown_sku"),
        (b'"sku\nx",on_hand\n', 422, "import_header_invalid"),
        (b"", 422, "import_header_invalid"),
        (b"\x00\x00", 422, "invalid_characters"),
        (b"\xff\xfe", 422, "import_invalid"),
    ],
)
def test_a_malformed_import_is_a_clear_problem_and_changes_nothing(
    world: World, body: bytes, status: int, code: str
) -> None:
    before = world.stock_level("ST", "P1")
    response = world.client.post(
        f"/v1/stock/{world.parties['ST'].id}/import",
        content=body,
        headers={**world.parties["ST"].headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == status, response.text
    if status == 200:
        report = response.json()
        assert report["imported_count"] == 0
        assert [refused["code"] for refused in report["refused"]] == [code]
    else:
        assert response.json()["code"] == code
    assert world.stock_level("ST", "P1") == before


def stock_trail(world: World, headers: dict[str, str]) -> list[dict[str, Any]]:
    """The stock entries of the audit trail that ``headers`` may read, oldest first."""
    found = ok(world.client.get("/v1/audit-events?limit=100", headers=headers))["data"]
    return [event for event in reversed(found) if event["action"].startswith("stock.")]


def test_stock_changed_by_people_is_audited_and_read_by_whom_it_concerns(
    world: World,
) -> None:
    store, merchant = world.parties["ST"], world.parties["M"]
    other = world.party("M2", "merchant")
    p1, p2 = world.products["P1"], world.products["P2"]
    before = stock_trail(world, ADMIN)

    ok(world.client.put(f"/v1/stock/{store.id}/{p1}", json={"on_hand": 7}, headers=store.headers))
    ok(
        world.client.post(
            f"/v1/stock/{store.id}/adjustments",
            json={"product_id": p2, "delta": -2, "reason": "broken"},
            headers=merchant.headers,
        )
    )
    imported = ok(
        world.client.post(
            f"/v1/stock/{store.id}/import",
            content="gtin,on_hand\n4006381333931,9\n5901234123457,oops\n0000000000000,1\n",
            headers={**merchant.headers, "Content-Type": "text/csv"},
        )
    )
    assert len(imported["imported"]) == 1 and len(imported["refused"]) == 2
    # A reservation (an order) is an event, not an entry of the audit trail.
    ok(store_order(world, 1), 201)

    entries = stock_trail(world, ADMIN)[len(before) :]
    assert [(e["action"], e["party_id"], e["object_id"]) for e in entries] == [
        ("stock.set", store.id, store.id),
        ("stock.adjusted", merchant.id, store.id),
        ("stock.imported", merchant.id, store.id),
    ]
    assert all(e["subject_party_id"] == merchant.id for e in entries)
    counted, adjusted, file = entries
    assert counted["details"] == {
        "product_id": p1,
        "on_hand_before": STORE_STOCK,
        "on_hand_after": 7,
        "reserved": 0,
    }
    assert counted["key_id"] is not None and counted["actor"] == "api_key"
    assert adjusted["details"] == {
        "product_id": p2,
        "delta": -2,
        "reason": "broken",
        "on_hand_before": STORE_STOCK,
        "on_hand_after": STORE_STOCK - 2,
    }
    assert file["details"] == {"lines": 3, "imported": 1, "changed": 1, "refused": 2}

    # The merchant reads all three (its own and its store's); the store what it did;
    # another merchant none; a key without audit:read is refused.
    assert [e["id"] for e in stock_trail(world, merchant.headers)][-3:] == [
        e["id"] for e in entries
    ]
    assert [e["id"] for e in stock_trail(world, store.headers)] == [counted["id"]]
    assert stock_trail(world, other.headers) == []
    narrow = ok(
        world.client.post(
            "/v1/api-keys",
            json={"name": "till", "scopes": ["stock:write"]},
            headers=merchant.headers,
        ),
        201,
    )
    refused = world.client.get("/v1/audit-events", headers=bearer(narrow["secret"]))
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"


def test_a_refused_stock_change_writes_no_audit_entry(world: World) -> None:
    store = world.parties["ST"]
    p1 = world.products["P1"]
    before = stock_trail(world, ADMIN)
    below = world.client.post(
        f"/v1/stock/{store.id}/adjustments",
        json={"product_id": p1, "delta": -(STORE_STOCK + 1), "reason": "theft"},
        headers=store.headers,
    )
    assert below.status_code == 409
    header = world.client.post(
        f"/v1/stock/{store.id}/import",
        content="name,count\nx,1\n",
        headers={**store.headers, "Content-Type": "text/csv"},
    )
    assert header.status_code == 422
    assert stock_trail(world, ADMIN) == before
