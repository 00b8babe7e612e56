"""Deadlines and cancellation through HTTP: the sweep (sandbox endpoint and the
``axokey sweep`` command) and the merchant's cancel, refunding by the money rules
— suppliers keep their deposits, the courier's fee goes back when nobody
delivered — never early, never twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from axokey.cli import app as cli_app
from axokey.services.ledger import check_ledger
from tests.conftest import ADMIN, ADMIN_KEY
from tests.scenario import (
    World,
    delivery_order,
    money_snapshot,
    ok,
    paid_delivery,
    spec_world,
    world_for,
)

ZERO = {"held": 0, "available": 0, "paid_out": 0}
# line 1 (2 × P1), line 2 (1 × P2), courier fee: what a refund gives back per mode.
REFUNDS = {"escrow": (10000, 2999, 590), "deposit": (10000 - 2100, 2999 - 400, 590)}
DEPOSITS = {"escrow": (0, 0), "deposit": (2100, 400)}


def deadline_of(order: Any) -> datetime:
    return datetime.fromisoformat(order["redeem_by"])


def assert_refunded_by_the_rules(world: World, order_id: str, mode: str, reason: str) -> None:
    """Every line and the fee refunded; the deposits stay with their suppliers."""
    line_refund1, line_refund2, fee = REFUNDS[mode]
    deposit1, deposit2 = DEPOSITS[mode]
    order = world.get_order(order_id)
    assert order["amounts"] == {
        "captured": 13589,
        "released": deposit1 + deposit2,
        "refunded": line_refund1 + line_refund2 + fee,
        "held": 0,
    }
    assert [line["status"] for line in order["lines"]] == ["refunded", "refunded"]
    assert [line["refunded_amount"] for line in order["lines"]] == [line_refund1, line_refund2]
    assert order["courier_fee_status"] == "refunded"
    line1, line2 = order["lines"]
    refunds = world.refunds(order_id)
    fee_reason = "no_delivery" if reason == "expired" else reason
    assert sorted((r["line_id"] or "", r["amount"], r["reason"], r["status"]) for r in refunds) == (
        sorted(
            [
                (line1["id"], line_refund1, reason, "succeeded"),
                (line2["id"], line_refund2, reason, "succeeded"),
                ("", fee, fee_reason, "succeeded"),
            ]
        )
    )
    assert world.balances() == {
        "M": ZERO,
        "S1": {"held": 0, "available": deposit1, "paid_out": 0},
        "S2": {"held": 0, "available": deposit2, "paid_out": 0},
        "C": ZERO,
        "ST": ZERO,
        "H": ZERO,
        "K": ZERO,
    }


# --- 6. The sweep --------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["escrow", "deposit"])
def test_the_sweep_refunds_an_unredeemed_delivery_order_at_its_deadline_never_before(
    client: Any, context: Any, mode: str
) -> None:
    world = world_for(client, mode)
    order = paid_delivery(world, mode)
    deadline = deadline_of(order)

    before = money_snapshot(world, context)
    early = world.sweep(deadline - timedelta(seconds=1))
    assert (early["orders_settled"], early["lines_refunded"], early["amount_refunded"]) == (0, 0, 0)
    assert early["pending_transfers_expired"] == 0
    assert money_snapshot(world, context) == before
    assert world.get_order(order["id"])["status"] == "paid"

    swept = world.sweep(deadline)
    assert (swept["orders_settled"], swept["lines_refunded"]) == (1, 2)
    assert swept["amount_refunded"] == sum(REFUNDS[mode])
    done = world.get_order(order["id"])
    assert done["status"] == "expired"
    assert_refunded_by_the_rules(world, order["id"], mode, "expired")
    assert check_ledger(context) == []

    # Sweeping again, later, does nothing more.
    after = money_snapshot(world, context)
    again = world.sweep(deadline + timedelta(days=30))
    assert (again["orders_settled"], again["lines_refunded"], again["amount_refunded"]) == (0, 0, 0)
    assert money_snapshot(world, context) == after


def test_the_sweep_refunds_what_is_left_after_a_partial_redemption(
    client: Any, context: Any
) -> None:
    world = world_for(client, "deposit")
    order = paid_delivery(world, "deposit")
    line1, line2 = order["lines"]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}])
    swept = world.sweep(deadline_of(order))
    assert (swept["lines_refunded"], swept["amount_refunded"]) == (1, 2599)
    done = world.get_order(order["id"])
    # Something was handed over: the order is completed, not expired.
    assert done["status"] == "completed"
    assert done["amounts"] == {"captured": 13589, "released": 10990, "refunded": 2599, "held": 0}
    assert world.balance("S2") == {"held": 0, "available": 400, "paid_out": 0}
    assert world.balance("C") == {"held": 0, "available": 590, "paid_out": 0}
    assert check_ledger(context) == []
    _ = line2


def test_the_sweep_refunds_itinerary_lines_after_their_service_day_and_grace(
    client: Any, context: Any
) -> None:
    world = spec_world(client)
    today = datetime.now(UTC).date()
    night_date, kayak_date = today + timedelta(days=3), today + timedelta(days=4)
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
    world.pay(order["id"])
    night, kayak = order["lines"]
    grace = timedelta(seconds=context.settings.itinerary_grace_seconds)
    night_deadline = datetime.combine(night_date + timedelta(days=1), datetime.min.time(), UTC)
    night_deadline += grace
    kayak_deadline = datetime.combine(kayak_date + timedelta(days=1), datetime.min.time(), UTC)
    kayak_deadline += grace
    shown = world.get_order(order["id"])["lines"]
    assert [datetime.fromisoformat(line["deadline"]) for line in shown] == [
        night_deadline,
        kayak_deadline,
    ]

    before = money_snapshot(world, context)
    assert world.sweep(night_deadline - timedelta(seconds=1))["lines_refunded"] == 0
    assert money_snapshot(world, context) == before

    first = world.sweep(night_deadline)
    assert (first["lines_refunded"], first["amount_refunded"]) == (1, 24000 - 5000)
    middle = world.get_order(order["id"])
    assert [line["status"] for line in middle["lines"]] == ["refunded", "held"]
    assert middle["status"] == "paid"
    assert middle["amounts"]["held"] == 4500 - 400
    # The kayak may still be redeemed before its own deadline... but not the night.
    code = world.code(order["id"])
    problem = world.redeem("H", code, expect=409, lines=[{"line_id": night["id"]}])
    assert problem["code"] == "line_refunded"

    assert world.sweep(kayak_deadline - timedelta(seconds=1))["lines_refunded"] == 0
    last = world.sweep(kayak_deadline)
    assert (last["lines_refunded"], last["amount_refunded"]) == (1, 4100)
    done = world.get_order(order["id"])
    assert done["status"] == "expired"
    assert done["amounts"] == {"captured": 28500, "released": 5400, "refunded": 23100, "held": 0}
    assert world.balance("H") == {"held": 0, "available": 5000, "paid_out": 0}
    assert world.balance("K") == {"held": 0, "available": 400, "paid_out": 0}
    assert world.balance("M") == ZERO
    assert check_ledger(context) == []
    _ = kayak


def test_the_sweep_is_for_the_operator_only(client: Any) -> None:
    world = spec_world(client)
    for name in ("M", "C", "S1"):
        response = client.post(
            "/v1/sandbox/sweep",
            json={"as_of": datetime.now(UTC).isoformat()},
            headers=world.parties[name].headers,
        )
        assert (response.status_code, response.json()["code"]) == (403, "role_not_allowed")
    response = client.post(
        "/v1/sandbox/sweep", json={"as_of": "2030-01-01T00:00:00"}, headers=ADMIN
    )
    assert response.status_code == 422  # a time without its offset is ambiguous


def _cli_env(context: Any) -> dict[str, str]:
    settings = context.settings
    return {
        "AXOKEY_DATABASE_URL": settings.database_url,
        "AXOKEY_ADMIN_KEY": ADMIN_KEY,
        "AXOKEY_SIGNING_KEYS": settings.secret("signing_keys"),
        "AXOKEY_PROVIDER": "sandbox",
        "AXOKEY_PUBLIC_BASE_URL": settings.public_base_url,
    }


@pytest.mark.parametrize("mode", ["escrow", "deposit"])
def test_the_sweep_command_does_the_same(client: Any, context: Any, mode: str) -> None:
    world = world_for(client, mode)
    order = paid_delivery(world, mode)
    deadline = deadline_of(order)
    runner = CliRunner()
    env = _cli_env(context)

    before = money_snapshot(world, context)
    early = runner.invoke(
        cli_app, ["sweep", "--as-of", (deadline - timedelta(seconds=1)).isoformat()], env=env
    )
    assert early.exit_code == 0, early.output
    assert money_snapshot(world, context) == before

    result = runner.invoke(
        cli_app, ["sweep", "--as-of", deadline.isoformat().replace("+00:00", "Z")], env=env
    )
    assert result.exit_code == 0, result.output
    # The amount with its currency (110.89 EUR), never bare minor units.
    amount = sum(REFUNDS[mode])
    assert f"{amount // 100}.{amount % 100:02d} EUR" in result.output
    assert world.get_order(order["id"])["status"] == "expired"
    assert_refunded_by_the_rules(world, order["id"], mode, "expired")
    checked = runner.invoke(cli_app, ["ledger", "check"], env=env)
    assert checked.exit_code == 0, checked.output

    bad = runner.invoke(cli_app, ["sweep", "--as-of", "next tuesday"], env=env)
    assert bad.exit_code == 2


def test_the_sweep_command_refuses_a_future_time_outside_the_sandbox(context: Any) -> None:
    env = {**_cli_env(context), "AXOKEY_PROVIDER": "payxpert"}
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    result = CliRunner().invoke(cli_app, ["sweep", "--as-of", future], env=env)
    assert result.exit_code == 2


# --- 7. Cancellation -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["escrow", "deposit"])
def test_cancel_after_payment_refunds_by_the_money_rules(
    client: Any, context: Any, mode: str
) -> None:
    world = world_for(client, mode)
    order = paid_delivery(world, mode)
    cancelled = world.cancel(order["id"])
    assert cancelled["status"] == "cancelled"
    assert_refunded_by_the_rules(world, order["id"], mode, "cancelled")
    assert check_ledger(context) == []

    after = money_snapshot(world, context)
    problem = world.cancel(order["id"], expect=409)
    assert problem["code"] == "order_cancelled"
    # The sweep has nothing left to do.
    swept = world.sweep(deadline_of(order) + timedelta(days=1))
    assert swept["lines_refunded"] == 0
    assert money_snapshot(world, context) == after


def test_cancel_after_a_partial_redemption_is_refused(client: Any, context: Any) -> None:
    world = world_for(client, "deposit")
    order = paid_delivery(world, "deposit")
    line1, _ = order["lines"]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"], "quantity": 1}])
    before = money_snapshot(world, context)
    problem = world.cancel(order["id"], expect=409)
    assert problem["code"] == "order_partially_redeemed"
    assert money_snapshot(world, context) == before
    assert world.get_order(order["id"])["status"] == "partially_redeemed"


def test_cancel_of_a_completed_or_expired_order_is_refused(client: Any, context: Any) -> None:
    world = spec_world(client)
    completed = paid_delivery(world, "escrow")
    world.redeem("C", world.code(completed["id"]), complete=True)
    expired = paid_delivery(world, "escrow")
    world.sweep(deadline_of(expired))
    before = money_snapshot(world, context)
    assert world.cancel(completed["id"], expect=409)["code"] == "order_completed"
    assert world.cancel(expired["id"], expect=409)["code"] == "order_expired"
    assert money_snapshot(world, context) == before


def test_cancel_before_payment_moves_nothing(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    before = money_snapshot(world, context)
    cancelled = world.cancel(order["id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["amounts"] == {"captured": 0, "released": 0, "refunded": 0, "held": 0}
    assert cancelled["redemption"] is None
    assert world.refunds(order["id"]) == []
    assert money_snapshot(world, context) == before
    response = client.post(
        f"/v1/orders/{order['id']}/checkout", json={}, headers=world.parties["M"].headers
    )
    assert (response.status_code, response.json()["code"]) == (409, "order_not_payable")


def test_a_payment_that_lands_after_the_cancellation_goes_back(client: Any, context: Any) -> None:
    """The customer had the payment page open when the merchant cancelled."""
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    payment = world.checkout(order["id"])
    world.cancel(order["id"])
    ok(
        client.post(
            f"/v1/sandbox/payments/{payment['id']}/pay", json={"card_number": "4242424242424242"}
        )
    )
    done = world.get_order(order["id"])
    assert done["status"] == "cancelled"
    assert done["amounts"] == {"captured": 13589, "released": 0, "refunded": 13589, "held": 0}
    assert [(r["amount"], r["status"]) for r in world.refunds(order["id"])] == [
        (13589, "succeeded")
    ]
    assert world.balances() == dict.fromkeys(world.parties, ZERO)
    assert check_ledger(context) == []


def test_only_the_orders_merchant_cancels(client: Any, context: Any) -> None:
    world = spec_world(client)
    world.party("M2", "merchant")
    order = paid_delivery(world, "escrow")
    before = money_snapshot(world, context)
    problem = world.cancel(order["id"], merchant="M2", expect=404)
    assert problem["code"] == "order_not_found"
    for name in ("C", "S1"):
        response = client.post(
            f"/v1/orders/{order['id']}/cancel", headers=world.parties[name].headers
        )
        assert (response.status_code, response.json()["code"]) == (403, "role_not_allowed")
    assert client.post(f"/v1/orders/{order['id']}/cancel").status_code == 401
    assert world.cancel("ord_does_not_exist", expect=404)["code"] == "order_not_found"
    assert money_snapshot(world, context) == before
    assert world.get_order(order["id"])["status"] == "paid"


def test_cancel_after_the_sweep_refunded_one_itinerary_line(client: Any, context: Any) -> None:
    """The hotel night is past its deadline and refunded; the kayak is still ahead.
    Nothing was handed over, so the merchant may still cancel: the kayak is refunded."""
    world = spec_world(client)
    today = datetime.now(UTC).date()
    night_date = today + timedelta(days=1)
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
                "service_date": (today + timedelta(days=10)).isoformat(),
            },
        ],
    )
    world.pay(order["id"])
    night_deadline = datetime.combine(night_date + timedelta(days=1), datetime.min.time(), UTC)
    night_deadline += timedelta(seconds=context.settings.itinerary_grace_seconds)
    assert world.sweep(night_deadline)["amount_refunded"] == 19000
    assert world.get_order(order["id"])["status"] == "paid"

    cancelled = world.cancel(order["id"])
    assert cancelled["status"] == "cancelled"
    assert [line["status"] for line in cancelled["lines"]] == ["refunded", "refunded"]
    assert [line["refunded_amount"] for line in cancelled["lines"]] == [19000, 4100]
    assert cancelled["amounts"] == {
        "captured": 28500,
        "released": 5400,
        "refunded": 23100,
        "held": 0,
    }
    assert sorted((r["amount"], r["reason"]) for r in world.refunds(order["id"])) == [
        (4100, "cancelled"),
        (19000, "expired"),
    ]
    assert world.balance("H") == {"held": 0, "available": 5000, "paid_out": 0}
    assert world.balance("K") == {"held": 0, "available": 400, "paid_out": 0}
    assert check_ledger(context) == []
