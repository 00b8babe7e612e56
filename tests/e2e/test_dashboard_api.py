"""What the dashboard reads: each party's own share of an order (a supplier never
sees the order's total, nor another supplier's lines or share), names instead of
ids, orders filtered by status and day, and the money held in escrow day by day —
with the forbidden paths tried: another merchant's order, another party's history.

Figures from SPEC.md's cast (tests/scenario.py): 2 × P1 by S1 (wholesale 3500, sold
5000), 1 × P2 by S2 (wholesale 2000, sold 2999), courier C's fee 590; escrow mode.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from tests.conftest import ADMIN, FakeClock
from tests.scenario import World, delivery_order, ok, spec_world


def _problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code, response.json()


def _get(world: World, name: str, path: str) -> Any:
    return ok(world.client.get(path, headers=world.parties[name].headers))


def _handed_over(client: Any) -> tuple[World, Any]:
    """Paid; the courier hands over the lamps (S1's line) and P2 is missing."""
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    return world, order


def test_each_party_reads_its_own_share_and_a_supplier_no_order_total(client: Any) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    path = f"/v1/orders/{order['id']}"

    s1 = _get(world, "S1", path)
    assert (s1["amount_total"], s1["delivery_fee"], s1["amounts"]) == (None, None, None)
    assert [line["supplier_name"] for line in s1["lines"]] == ["S1"]
    assert [line["product_name"] for line in s1["lines"]] == ["P1"]
    assert s1["merchant_name"] == "M"
    assert s1["share"] == {
        "party_id": world.parties["S1"].id,
        "role": "supplier",
        "amount": 7000,
        "released": 0,
        "held": 7000,
        "refunded": 0,
    }
    # Nothing of S2 in what S1 reads: not its line, not its name, not its share.
    s1_text = str(s1)
    assert world.parties["S2"].id not in s1_text and "'S2'" not in s1_text
    assert _get(world, "S2", path)["share"]["amount"] == 2000

    merchant = _get(world, "M", path)
    assert merchant["amount_total"] == 10000 + 2999 + 590
    assert merchant["share"]["amount"] == 3000 + 999  # its commissions
    assert _get(world, "C", path)["share"]["amount"] == 590
    assert ok(client.get(path, headers=ADMIN))["share"] is None

    world.redeem(
        "C", world.code(order["id"]), lines=[{"line_id": order["lines"][0]["id"]}], complete=True
    )
    after = {name: _get(world, name, path)["share"] for name in ("S1", "S2", "M", "C")}
    assert (after["S1"]["released"], after["S1"]["held"], after["S1"]["refunded"]) == (7000, 0, 0)
    assert (after["S2"]["released"], after["S2"]["held"], after["S2"]["refunded"]) == (0, 0, 2999)
    assert (after["M"]["released"], after["M"]["refunded"]) == (3000, 2999)
    assert (after["C"]["released"], after["C"]["held"]) == (590, 0)
    # The list says the same as the order.
    listed = _get(world, "S1", "/v1/orders")["data"]
    assert [entry["share"]["released"] for entry in listed] == [7000]
    assert listed[0]["amount_total"] is None


def test_a_supplier_never_reads_another_merchants_order_or_another_partys_money(
    client: Any,
) -> None:
    world, order = _handed_over(client)
    # Another merchant sells S2's product only: S1 has no line in its order.
    other = world.party("Other shop", "merchant")
    ok(
        client.post(
            "/v1/listings",
            json={"product_id": world.products["P2"], "unit_price": 2999},
            headers=other.headers,
        ),
        201,
    )
    theirs = world.order(
        merchant="Other shop",
        payment_mode="escrow",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        lines=[{"product_id": world.products["P2"], "quantity": 1}],
    )
    s1 = world.parties["S1"].headers
    _problem(client.get(f"/v1/orders/{theirs['id']}", headers=s1), 404, "order_not_found")
    assert [entry["id"] for entry in _get(world, "S1", "/v1/orders")["data"]] == [order["id"]]
    assert _get(world, "S1", f"/v1/refunds?order_id={theirs['id']}")["data"] == []
    # Refunds: S2's missing line was refunded; S1 sees none of it, S2 and M do.
    [refund] = _get(world, "S2", "/v1/refunds")["data"]
    assert (refund["order_id"], refund["amount"]) == (order["id"], 2999)
    assert _get(world, "S1", "/v1/refunds")["data"] == []
    _problem(client.get(f"/v1/refunds/{refund['id']}", headers=s1), 404, "refund_not_found")
    assert [entry["id"] for entry in _get(world, "M", "/v1/refunds")["data"]] == [refund["id"]]
    # Balances and their history: one's own only; the operator names the party.
    s2_id = world.parties["S2"].id
    _problem(
        client.get(f"/v1/balance/history?party_id={s2_id}", headers=s1), 403, "not_your_balance"
    )
    _problem(
        client.get(f"/v1/balance/history?party_id={s2_id}&format=svg", headers=s1),
        403,
        "not_your_balance",
    )
    _problem(client.get("/v1/balance/history"), 401, "unauthenticated")
    named = ok(client.get(f"/v1/balance/history?party_id={s2_id}&days=1", headers=ADMIN))
    assert named["party_id"] == s2_id


def test_orders_filtered_by_status_and_day(client: Any, clock: FakeClock) -> None:
    world = spec_world(client)
    first = delivery_order(world, "escrow")
    clock.advance(days=3)
    second = delivery_order(world, "escrow")
    world.pay(second["id"])
    today = clock().astimezone(UTC).date()

    def listed(query: str) -> list[str]:
        return [entry["id"] for entry in _get(world, "M", "/v1/orders?" + query)["data"]]

    assert listed("") == [second["id"], first["id"]]
    assert listed("status=paid") == [second["id"]]
    assert listed("status=awaiting_payment") == [first["id"]]
    assert listed(f"created_from={today.isoformat()}") == [second["id"]]
    before = (today - timedelta(days=1)).isoformat()
    assert listed(f"created_to={before}") == [first["id"]]
    assert listed(f"created_from={before}&created_to={before}") == []
    assert listed(f"status=paid&created_to={before}") == []
    _problem(
        client.get(
            f"/v1/orders?created_from={today}&created_to={before}",
            headers=world.parties["M"].headers,
        ),
        422,
        "invalid_date_range",
    )
    _problem(
        client.get("/v1/orders?created_from=yesterday", headers=world.parties["M"].headers),
        422,
        "validation_error",
    )


def test_money_held_in_escrow_day_by_day(client: Any, clock: FakeClock) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    clock.advance(days=2)
    world.redeem(
        "C", world.code(order["id"]), lines=[{"line_id": order["lines"][0]["id"]}], complete=True
    )

    s1 = _get(world, "S1", "/v1/balance/history?days=5")
    assert s1["currency"] == "EUR" and len(s1["days"]) == 5
    today = clock().astimezone(UTC).date()
    assert s1["days"][-1]["day"] == today.isoformat()
    # Held for S1 from the payment (two days ago) until today's hand-over.
    assert [day["held"] for day in s1["days"]] == [0, 0, 7000, 7000, 0]
    courier = _get(world, "C", "/v1/balance/history?days=3")
    assert [day["held"] for day in courier["days"]] == [590, 590, 0]
    # The operator: every escrow, captured 13589, less what left it today.
    everything = ok(client.get("/v1/balance/history?days=3", headers=ADMIN))
    assert everything["party_id"] is None
    assert [day["held"] for day in everything["days"]] == [13589, 13589, 0]
    # Today's figure is the balance's "held".
    balance = _get(world, "S2", "/v1/balance")["balances"]
    assert _get(world, "S2", "/v1/balance/history?days=1")["days"][-1]["held"] == sum(
        entry["held"] for entry in balance
    )
    _problem(
        client.get("/v1/balance/history?days=0", headers=world.parties["S1"].headers),
        422,
        "validation_error",
    )


def test_the_chart_is_an_svg_in_the_readers_language(client: Any, clock: FakeClock) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    headers = {**world.parties["S1"].headers, "Accept-Language": "fr-FR"}
    chart = client.get("/v1/balance/history?format=svg&days=7", headers=headers)
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    text = chart.text.replace("\u00a0", " ").replace("\u202f", " ")
    assert text.startswith("<svg") and "<script" not in text
    assert "Aujourd’hui : 70,00 €" in text
    assert "Sommes sous séquestre, jour par jour" in text
    english = client.get("/v1/balance/history?format=svg", headers=world.parties["S1"].headers)
    assert "Today: 70.00 EUR" in english.text


def test_the_operators_escrow_series_is_the_replay_of_every_transfer(
    client: Any, context: Any, clock: FakeClock
) -> None:
    """The operator's chart is summed in the database; the reference is the replay of
    every transfer (``held_in_escrows``), as the chart was computed before."""
    from axokey.adapters.db import ledger_reads
    from axokey.domain.escrow_history import daily, held_in_escrows

    world = spec_world(client)
    # Day 0: two orders paid, one left unpaid.
    first, second = delivery_order(world, "escrow"), delivery_order(world, "escrow")
    world.pay(first["id"])
    world.pay(second["id"])
    delivery_order(world, "escrow")
    clock.advance(days=1)
    # Day 1: the first one's lamps handed over, P2 missing (refunded).
    world.redeem(
        "C", world.code(first["id"]), lines=[{"line_id": first["lines"][0]["id"]}], complete=True
    )
    clock.advance(days=2)
    # Day 3: the second one cancelled (refunded), a store order paid.
    world.cancel(second["id"])
    store = world.order(
        payment_mode="escrow",
        fulfilment="store",
        store_id=world.parties["ST"].id,
        lines=[{"product_id": world.products["P1"], "quantity": 3}],
    )
    world.pay(store["id"])
    clock.advance(days=1)
    # Day 4: another one paid.
    world.pay(delivery_order(world, "escrow")["id"])

    def replayed(days: int) -> list[dict[str, Any]]:
        last_day = context.now().astimezone(UTC).date()
        with context.database.read() as connection:
            transfers, more = ledger_reads.transfers_page(
                connection, order_id=None, account_prefix=None, limit=10_000, starting_after=None
            )
        assert not more
        of_orders = [t for t in transfers if t.currency == "EUR" and t.order_id is not None]
        series = daily(held_in_escrows(of_orders), last_day - timedelta(days=days - 1), last_day)
        return [{"day": each.day.isoformat(), "held": each.held} for each in series]

    for days in (1, 2, 4, 5, 30):
        served = ok(client.get(f"/v1/balance/history?days={days}", headers=ADMIN))["days"]
        assert served == replayed(days), days
    # Not a flat line: the days differ, and money was held before a short window.
    week = [
        day["held"] for day in ok(client.get("/v1/balance/history?days=7", headers=ADMIN))["days"]
    ]
    assert week[:2] == [0, 0] and len(set(week)) >= 3
    assert ok(client.get("/v1/balance/history?days=1", headers=ADMIN))["days"][0]["held"] > 0


def test_a_balance_and_its_history_have_the_same_owner_rules(client: Any) -> None:
    world = spec_world(client)
    s1, s2 = world.parties["S1"], world.parties["S2"]
    for path in ("/v1/balance", "/v1/balance/history"):
        # A party reads its own, naming itself or not; never another's.
        assert client.get(path, headers=s1.headers).status_code == 200
        assert client.get(f"{path}?party_id={s1.id}", headers=s1.headers).status_code == 200
        _problem(
            client.get(f"{path}?party_id={s2.id}", headers=s1.headers), 403, "not_your_balance"
        )
        # The operator names a party, which must exist.
        named = ok(client.get(f"{path}?party_id={s2.id}", headers=ADMIN))
        assert named["party_id"] == s2.id
        _problem(
            client.get(f"{path}?party_id=pty_00000000000000000000000000", headers=ADMIN),
            404,
            "party_not_found",
        )
    # Without a party, the operator's balance is refused, its history is every escrow.
    _problem(client.get("/v1/balance", headers=ADMIN), 403, "party_required")
    assert ok(client.get("/v1/balance/history", headers=ADMIN))["party_id"] is None
