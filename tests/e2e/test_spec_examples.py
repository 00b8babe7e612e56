"""SPEC.md's worked examples A, B and C, end to end through HTTP, to the cent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from axokey.services.ledger import check_ledger
from tests.conftest import ADMIN
from tests.scenario import delivery_order, ok, spec_world


def test_example_a_escrow_mode(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    assert order["amount_total"] == 13589
    line1, line2 = order["lines"]
    assert (line1["amount"], line1["supplier_amount"], line1["commission"]) == (10000, 7000, 3000)
    assert (line2["amount"], line2["supplier_amount"], line2["commission"]) == (2999, 2000, 999)
    assert line1["deposit"] == line2["deposit"] == 0

    assert world.pay(order["id"])["status"] == "succeeded"
    paid = world.get_order(order["id"])
    assert paid["status"] == "paid"
    assert paid["amounts"] == {"captured": 13589, "released": 0, "refunded": 0, "held": 13589}
    assert {line["status"] for line in paid["lines"]} == {"held"}

    result = world.redeem(
        "C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True
    )
    assert result["released"] == [
        {
            "line_id": line1["id"],
            "product_name": "P1",
            "supplier_id": world.parties["S1"].id,
            "supplier_name": "S1",
            "amount": 7000,
            "commission": 3000,
            "quantity": 2,
        }
    ]
    assert [(r["line_id"], r["amount"]) for r in result["refunded"]] == [(line2["id"], 2999)]
    assert result["courier_fee_released"] == 590
    assert result["order_status"] == "completed"

    done = world.get_order(order["id"])
    assert done["amounts"] == {"captured": 13589, "released": 10590, "refunded": 2999, "held": 0}
    assert world.balance("S1") == {"held": 0, "available": 7000, "paid_out": 0}
    assert world.balance("M") == {"held": 0, "available": 3000, "paid_out": 0}
    assert world.balance("C") == {"held": 0, "available": 590, "paid_out": 0}
    assert world.balance("S2") == {"held": 0, "available": 0, "paid_out": 0}
    refunds = ok(
        client.get(f"/v1/refunds?order_id={order['id']}", headers=world.parties["M"].headers)
    )
    assert [(r["amount"], r["method"], r["status"]) for r in refunds["data"]] == [
        (2999, "card", "succeeded")
    ]
    assert check_ledger(context) == []


def test_example_b_deposit_mode(client: Any, context: Any) -> None:
    world = spec_world(client)
    world.agree("S1", 3000)
    world.agree("S2", 2000)
    order = delivery_order(world, "deposit")
    line1, line2 = order["lines"]
    assert (line1["deposit"], line2["deposit"]) == (2100, 400)

    world.pay(order["id"])
    paid = world.get_order(order["id"])
    assert paid["amounts"] == {"captured": 13589, "released": 2500, "refunded": 0, "held": 11089}
    assert world.balance("S1") == {"held": 4900, "available": 2100, "paid_out": 0}
    assert world.balance("S2") == {"held": 1600, "available": 400, "paid_out": 0}
    assert world.balance("M") == {"held": 3999, "available": 0, "paid_out": 0}
    assert world.balance("C") == {"held": 590, "available": 0, "paid_out": 0}

    result = world.redeem(
        "C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True
    )
    assert [(r["amount"], r["commission"]) for r in result["released"]] == [(4900, 3000)]
    assert [r["amount"] for r in result["refunded"]] == [2599]
    done = world.get_order(order["id"])
    assert done["amounts"]["held"] == 0
    assert done["amounts"]["refunded"] == 2599
    assert world.balance("S1") == {"held": 0, "available": 7000, "paid_out": 0}
    assert world.balance("S2") == {"held": 0, "available": 400, "paid_out": 0}
    assert world.balance("M") == {"held": 0, "available": 3000, "paid_out": 0}
    assert world.balance("C") == {"held": 0, "available": 590, "paid_out": 0}
    assert check_ledger(context) == []


def test_example_c_itinerary_deposit_mode(client: Any, context: Any, clock: Any) -> None:
    world = spec_world(client)
    today = datetime.now(UTC).date()
    night_date = today + timedelta(days=3)
    kayak_date = today + timedelta(days=4)
    order = world.order(
        payment_mode="deposit",
        fulfilment="itinerary",
        lines=[
            {
                "product_id": world.products["NIGHT"],
                "quantity": 2,
                "service_date": night_date.isoformat(),
            },
            {
                "product_id": world.products["KAYAK"],
                "quantity": 1,
                "service_date": kayak_date.isoformat(),
            },
        ],
    )
    night, kayak = order["lines"]
    assert (night["deposit"], kayak["deposit"]) == (5000, 400)
    world.pay(order["id"])
    assert world.balance("H")["available"] == 5000
    assert world.balance("K")["available"] == 400

    code = world.code(order["id"])
    # The kayak provider may not redeem the hotel's line, nor the hotel the kayak's.
    refused = world.redeem("K", code, expect=403, lines=[{"line_id": night["id"]}])
    assert refused["code"] == "not_your_line"
    result = world.redeem("H", code, lines=[{"line_id": night["id"]}])
    assert [(r["amount"], r["commission"]) for r in result["released"]] == [(15000, 4000)]
    assert result["order_status"] == "partially_redeemed"
    assert world.balance("H") == {"held": 0, "available": 20000, "paid_out": 0}
    assert world.balance("M") == {"held": 500, "available": 4000, "paid_out": 0}

    # Not before the deadline: the day after the kayak plus 24 h of grace.
    deadline = datetime.combine(
        kayak_date + timedelta(days=1), datetime.min.time(), UTC
    ) + timedelta(hours=24)
    early = ok(
        client.post(
            "/v1/sandbox/sweep",
            json={"as_of": (deadline - timedelta(seconds=1)).isoformat()},
            headers=ADMIN,
        )
    )
    assert early["lines_refunded"] == 0
    swept = ok(
        client.post("/v1/sandbox/sweep", json={"as_of": deadline.isoformat()}, headers=ADMIN)
    )
    assert swept["lines_refunded"] == 1 and swept["amount_refunded"] == 4100
    done = world.get_order(order["id"])
    assert done["status"] == "completed"
    assert done["amounts"] == {"captured": 28500, "released": 24400, "refunded": 4100, "held": 0}
    assert world.balance("K") == {"held": 0, "available": 400, "paid_out": 0}
    assert world.balance("M") == {"held": 0, "available": 4000, "paid_out": 0}
    assert check_ledger(context) == []
    _ = date
