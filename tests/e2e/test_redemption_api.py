"""Redemption through HTTP: partial quantities, barcodes, double scans, every refused
code, every role, and the refunds a redemption makes — to the cent, on the real
database, with the whole ledger checked after each story.

Figures come from SPEC.md's cast (tests/scenario.py): P1 by S1 at wholesale 3500,
sold 5000; P2 by S2 at wholesale 2000, sold 2999; courier C's fee 590. In deposit
mode the agreements are M–S1 3000 bps and M–S2 2000 bps, so line 1 (2 × P1) has a
2100 deposit and line 2 (1 × P2) a 400 deposit.
"""

from __future__ import annotations

from typing import Any

import pytest

from axokey.adapters.db.event_repository import events_of_order
from axokey.domain.money import allocate
from axokey.domain.redemption_codes import (
    Keyring,
    SigningKey,
    format_short_code,
    issue_token,
    new_short_code,
    verify_token,
)
from axokey.services import signing
from axokey.services.ledger import check_ledger
from tests.conftest import ADMIN
from tests.scenario import (
    REFUNDS_FAIL,
    World,
    delivery_order,
    money_snapshot,
    ok,
    paid_delivery,
    spec_world,
    world_for,
)

ZERO = {"held": 0, "available": 0, "paid_out": 0}
CUSTOMER_IBAN = "FR7630006000011234567890189"


def refused(world: World, as_party: str, code: str, status: int, expected: str, **body: Any) -> Any:
    problem = world.redeem(as_party, code, expect=status, **body)
    assert problem["code"] == expected, problem
    return problem


def store_order(world: World, store: str = "ST", mode: str = "escrow") -> Any:
    """A pre-reservation at M's store ``store``: 2 × P1 and 1 × P2."""
    for product in ("P1", "P2"):
        # Stock is set where the stock API exists; before it does, orders don't reserve.
        world.client.put(
            f"/v1/stock/{world.parties[store].id}/{world.products[product]}",
            json={"on_hand": 100},
            headers=world.parties["M"].headers,
        )
    return world.order(
        payment_mode=mode,
        fulfilment="store",
        store_id=world.parties[store].id,
        lines=[
            {"product_id": world.products["P1"], "quantity": 2},
            {"product_id": world.products["P2"], "quantity": 1},
        ],
    )


def itinerary_order(world: World) -> Any:
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC).date()
    return world.order(
        payment_mode="deposit",
        fulfilment="itinerary",
        lines=[
            {
                "product_id": world.products["NIGHT"],
                "quantity": 2,
                "service_date": (today + timedelta(days=3)).isoformat(),
            },
            {
                "product_id": world.products["KAYAK"],
                "quantity": 1,
                "service_date": (today + timedelta(days=4)).isoformat(),
            },
        ],
    )


# --- 1. Partial quantities ----------------------------------------------------------


@pytest.mark.parametrize("mode", ["escrow", "deposit"])
def test_partial_quantity_releases_the_units_handed_over_and_refunds_the_others(
    client: Any, context: Any, mode: str
) -> None:
    world = world_for(client, mode)
    order = paid_delivery(world, mode)
    line1, line2 = order["lines"]
    deposit1, deposit2 = (2100, 400) if mode == "deposit" else (0, 0)
    assert (line1["deposit"], line2["deposit"]) == (deposit1, deposit2)
    # The deposit is split over the two units (domain/redemption.py: allocate).
    handed_share, missing_share = allocate(deposit1, [1, 1])

    result = world.redeem(
        "C", world.code(order["id"]), lines=[{"line_id": line1["id"], "quantity": 1}]
    )
    assert result["released"] == [
        {
            "line_id": line1["id"],
            "product_name": "P1",
            "supplier_id": world.parties["S1"].id,
            "supplier_name": "S1",
            "amount": 3500 - handed_share,
            "commission": 1500,
            "quantity": 1,
        }
    ]
    assert [(r["line_id"], r["amount"], r["reason"]) for r in result["refunded"]] == [
        (line1["id"], 5000 - missing_share, "partial")
    ]
    assert result["courier_fee_released"] == 590
    assert result["order_status"] == "partially_redeemed"

    middle = world.get_order(order["id"])
    first = middle["lines"][0]
    assert (first["status"], first["quantity_released"]) == ("released", 1)
    assert first["released_amount"] == 3500 - handed_share + 1500
    assert first["refunded_amount"] == 5000 - missing_share
    assert middle["lines"][1]["status"] == "held"
    assert middle["amounts"] == {
        "captured": 13589,
        "released": deposit1 + deposit2 + 3500 - handed_share + 1500 + 590,
        "refunded": 5000 - missing_share,
        "held": 2999 - deposit2,
    }
    s1_available = 3500 + deposit1 - handed_share
    assert world.balance("S1") == {"held": 0, "available": s1_available, "paid_out": 0}
    assert world.balance("S2") == {"held": 2000 - deposit2, "available": deposit2, "paid_out": 0}
    assert world.balance("M") == {"held": 999, "available": 1500, "paid_out": 0}
    assert world.balance("C") == {"held": 0, "available": 590, "paid_out": 0}
    assert check_ledger(context) == []

    # The courier completes: line 2 was not there, it is refunded (minus its deposit).
    done = world.redeem("C", world.code(order["id"]), complete=True)
    assert done["released"] == []
    assert [(r["line_id"], r["amount"], r["reason"]) for r in done["refunded"]] == [
        (line2["id"], 2999 - deposit2, "missing")
    ]
    assert done["courier_fee_released"] == 0  # released once, at the first hand-over
    assert done["order_status"] == "completed"

    final = world.get_order(order["id"])
    assert final["status"] == "completed"
    assert final["amounts"] == {
        "captured": 13589,
        "released": deposit1 + deposit2 + 3500 - handed_share + 1500 + 590,
        "refunded": 5000 - missing_share + 2999 - deposit2,
        "held": 0,
    }
    assert world.balances() == {
        "M": {"held": 0, "available": 1500, "paid_out": 0},
        "S1": {"held": 0, "available": 3500 + deposit1 - handed_share, "paid_out": 0},
        "S2": {"held": 0, "available": deposit2, "paid_out": 0},
        "C": {"held": 0, "available": 590, "paid_out": 0},
        "ST": ZERO,
        "H": ZERO,
        "K": ZERO,
    }
    refunds = world.refunds(order["id"])
    assert sorted((r["line_id"], r["amount"], r["reason"]) for r in refunds) == sorted(
        [(line1["id"], 5000 - missing_share, "partial"), (line2["id"], 2999 - deposit2, "missing")]
    )
    assert check_ledger(context) == []


def test_an_odd_deposit_is_split_over_the_units_with_allocate(client: Any, context: Any) -> None:
    """3 × P1 at 3333 bps: deposit floor(10500 × 0.3333) = 3499; 2 units handed over."""
    world = spec_world(client)
    world.agree("S1", 3333)
    order = world.order(
        payment_mode="deposit",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        lines=[{"product_id": world.products["P1"], "quantity": 3}],
    )
    (line,) = order["lines"]
    assert line["deposit"] == 3499
    world.pay(order["id"])
    handed_share, missing_share = allocate(3499, [2, 1])
    assert handed_share + missing_share == 3499

    result = world.redeem(
        "C", world.code(order["id"]), lines=[{"line_id": line["id"], "quantity": 2}]
    )
    assert [(r["amount"], r["commission"], r["quantity"]) for r in result["released"]] == [
        (7000 - handed_share, 3000, 2)
    ]
    assert [r["amount"] for r in result["refunded"]] == [5000 - missing_share]
    assert result["order_status"] == "completed"
    final = world.get_order(order["id"])
    assert final["amounts"] == {
        "captured": 15000,
        "released": 3499 + 7000 - handed_share + 3000,
        "refunded": 5000 - missing_share,
        "held": 0,
    }
    assert world.balance("S1") == {"held": 0, "available": 7000 + missing_share, "paid_out": 0}
    assert world.balance("M") == {"held": 0, "available": 3000, "paid_out": 0}
    assert check_ledger(context) == []


def test_preview_shows_what_a_hand_over_would_release_and_moves_nothing(
    client: Any, context: Any
) -> None:
    world = world_for(client, "deposit")
    order = paid_delivery(world, "deposit")
    line1, line2 = order["lines"]
    before = money_snapshot(world, context)
    preview = ok(
        client.post(
            "/v1/redemptions/preview",
            json={"code": world.short_code(order["id"])},
            headers=world.parties["C"].headers,
        )
    )
    assert preview["order_id"] == order["id"]
    assert preview["courier_fee"] == 590
    assert [
        (p["line_id"], p["releasable_amount"], p["releasable_commission"], p["gtin"])
        for p in preview["lines"]
    ] == [
        (line1["id"], 4900, 3000, "4006381333931"),
        (line2["id"], 1600, 999, "5901234123457"),
    ]
    # Names, for the person scanning: the product's and its supplier's.
    assert [(p["product_name"], p["supplier_name"]) for p in preview["lines"]] == [
        ("P1", "S1"),
        ("P2", "S2"),
    ]
    assert money_snapshot(world, context) == before

    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}])
    after = ok(
        client.post(
            "/v1/redemptions/preview",
            json={"code": world.code(order["id"])},
            headers=world.parties["C"].headers,
        )
    )
    assert [p["line_id"] for p in after["lines"]] == [line2["id"]]
    assert after["courier_fee"] == 0


# --- 2. Hand-over by barcode --------------------------------------------------------


def test_hand_over_by_gtin_one_unit_per_scan(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = paid_delivery(world, "escrow")
    line1, line2 = order["lines"]
    code = world.code(order["id"])

    # One scan of P1: one unit of line 1; the other unit is refunded.
    result = world.redeem("C", code, gtins=["4006381333931"])
    released = [
        (r["line_id"], r["quantity"], r["amount"], r["commission"]) for r in result["released"]
    ]
    assert released == [(line1["id"], 1, 3500, 1500)]
    assert [(r["line_id"], r["amount"]) for r in result["refunded"]] == [(line1["id"], 5000)]

    # P1 scanned again: its line was redeemed — a double scan.
    before = money_snapshot(world, context)
    refused(world, "C", code, 409, "already_redeemed", gtins=["4006381333931"])
    # A barcode that is in no line of the order.
    problem = refused(
        world, "C", code, 422, "unknown_gtin", gtins=["5901234123457", "0012345678905"]
    )
    assert problem["errors"][0]["field"] == "gtins.1"
    assert money_snapshot(world, context) == before

    # A trailing space from a scanner does not matter.
    done = world.redeem("C", code, gtins=["5901234123457 "], complete=True)
    assert [(r["line_id"], r["quantity"], r["amount"]) for r in done["released"]] == [
        (line2["id"], 1, 2000)
    ]
    assert done["order_status"] == "completed"
    assert world.get_order(order["id"])["amounts"]["held"] == 0
    assert check_ledger(context) == []


def test_every_unit_by_gtin_and_more_scans_than_units(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = paid_delivery(world, "escrow")
    line1, _ = order["lines"]
    code = world.code(order["id"])
    before = money_snapshot(world, context)
    # Three scans of P1 for two units: refused as a whole, nothing moves.
    refused(world, "C", code, 422, "unknown_gtin", gtins=["4006381333931"] * 3)
    assert money_snapshot(world, context) == before
    result = world.redeem("C", code, gtins=["4006381333931", "4006381333931"])
    assert [(r["line_id"], r["quantity"], r["amount"]) for r in result["released"]] == [
        (line1["id"], 2, 7000)
    ]
    assert result["refunded"] == []
    assert check_ledger(context) == []


def test_a_scan_goes_to_the_held_line_when_a_product_is_in_two_lines(
    client: Any, context: Any
) -> None:
    world = spec_world(client)
    order = world.order(
        payment_mode="escrow",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        lines=[
            {"product_id": world.products["P1"], "quantity": 1},
            {"product_id": world.products["P1"], "quantity": 1, "unit_price": 4000},
        ],
    )
    world.pay(order["id"])
    first, second = order["lines"]
    code = world.code(order["id"])
    world.redeem("C", code, lines=[{"line_id": first["id"]}])
    result = world.redeem("C", code, gtins=["4006381333931"])
    assert [(r["line_id"], r["amount"], r["commission"]) for r in result["released"]] == [
        (second["id"], 3500, 500)
    ]
    assert result["order_status"] == "completed"
    refused(world, "C", code, 409, "already_redeemed", gtins=["4006381333931"])
    assert check_ledger(context) == []


def test_gtin_13_or_14_scanned_for_a_product_stored_as_gtin_12(client: Any, context: Any) -> None:
    world = spec_world(client)
    upc = world.product("UPC", "S1", 1000, 1500, gtin="036000291452")  # UPC-A (GTIN-12)
    order = world.order(
        payment_mode="escrow",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        lines=[{"product_id": upc, "quantity": 2}],
    )
    world.pay(order["id"])
    code = world.code(order["id"])
    # The same number as a GTIN-13 (EAN-13) and as a GTIN-14.
    result = world.redeem("C", code, gtins=["0036000291452", "00036000291452"])
    assert [(r["quantity"], r["amount"], r["commission"]) for r in result["released"]] == [
        (2, 2000, 1000)
    ]
    assert result["order_status"] == "completed"
    assert check_ledger(context) == []


def test_gtin_scans_at_the_store(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = store_order(world)
    world.pay(order["id"])
    line1, line2 = order["lines"]
    result = world.redeem(
        "ST",
        world.short_code(order["id"]),
        gtins=["4006381333931", "5901234123457", "4006381333931"],
    )
    assert sorted((r["line_id"], r["quantity"]) for r in result["released"]) == sorted(
        [(line1["id"], 2), (line2["id"], 1)]
    )
    assert result["courier_fee_released"] == 0
    assert result["order_status"] == "completed"
    assert world.balance("S1")["available"] == 7000
    assert world.balance("S2")["available"] == 2000
    assert world.balance("M")["available"] == 3999
    assert check_ledger(context) == []


# --- 3. Double scan -----------------------------------------------------------------


def test_a_second_scan_of_a_redeemed_line_is_refused_and_moves_nothing(
    client: Any, context: Any
) -> None:
    world = world_for(client, "deposit")
    order = paid_delivery(world, "deposit")
    line1, line2 = order["lines"]
    code = world.code(order["id"])
    world.redeem("C", code, lines=[{"line_id": line1["id"]}])

    before = money_snapshot(world, context)
    for again in (code, world.short_code(order["id"])):
        refused(world, "C", again, 409, "already_redeemed", lines=[{"line_id": line1["id"]}])
        # Also when it comes with the other line: all or nothing.
        refused(
            world,
            "C",
            again,
            409,
            "already_redeemed",
            lines=[{"line_id": line2["id"]}, {"line_id": line1["id"]}],
        )
        refused(world, "C", again, 409, "already_redeemed", gtins=["4006381333931"])
    assert money_snapshot(world, context) == before
    assert world.get_order(order["id"])["lines"][1]["status"] == "held"

    world.redeem("C", code, lines=[{"line_id": line2["id"]}], complete=True)
    after_complete = money_snapshot(world, context)
    refused(world, "C", code, 409, "already_redeemed", lines=[{"line_id": line2["id"]}])
    refused(world, "C", code, 409, "already_redeemed", complete=True)
    assert money_snapshot(world, context) == after_complete
    assert check_ledger(context) == []


def test_the_same_redemption_with_the_same_idempotency_key_is_replayed(
    client: Any, context: Any
) -> None:
    world = spec_world(client)
    order = paid_delivery(world, "escrow")
    line1, _ = order["lines"]
    body = {"code": world.code(order["id"]), "lines": [{"line_id": line1["id"]}], "complete": True}
    headers = {**world.parties["C"].headers, "Idempotency-Key": "scan-1"}
    first = client.post("/v1/redemptions", json=body, headers=headers)
    assert first.status_code == 201
    before = money_snapshot(world, context)
    again = client.post("/v1/redemptions", json=body, headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert money_snapshot(world, context) == before
    # The same key with another body is refused.
    other = client.post("/v1/redemptions", json={**body, "complete": False}, headers=headers)
    assert other.status_code == 422
    assert money_snapshot(world, context) == before


# --- 4. Refused codes ----------------------------------------------------------------


def _flip(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def test_unknown_forged_and_foreign_codes_are_404_and_move_nothing(
    client: Any, context: Any
) -> None:
    world = spec_world(client)
    order = paid_delivery(world, "escrow")
    line1, _ = order["lines"]
    token = world.code(order["id"])
    short = world.short_code(order["id"])
    reference = verify_token(signing.keyring(context), token)
    before = money_snapshot(world, context)
    other_secret = Keyring((SigningKey("K1", b"another-secret-of-32-bytes-or-more!!"),))
    other_kid = Keyring((SigningKey("K9", b"s" * 43),))

    bad_codes = [
        format_short_code(new_short_code()),  # well-formed, good check symbol, unknown
        _flip(token, len(token) - 3),  # forged: the tag changed
        _flip(token, len(token) - 30),  # forged: the reference changed
        _flip(short.replace("-", ""), 2),  # a typo: the check symbol catches it
        issue_token(other_secret, reference),  # signed by someone else's key K1
        issue_token(other_kid, reference),  # a key id that is not ours
        "AXK1:K1:not-a-token",
        "hello",
    ]
    for bad in bad_codes:
        for party in ("C", "S1", "ST"):
            problem = refused(
                world, party, bad, 404, "unknown_code", lines=[{"line_id": line1["id"]}]
            )
            # Forged and unknown are indistinguishable.
            assert problem["detail"] == "This is not a known AXOKEY redemption code."
        preview = client.post(
            "/v1/redemptions/preview", json={"code": bad}, headers=world.parties["C"].headers
        )
        assert (preview.status_code, preview.json()["code"]) == (404, "unknown_code")
    assert money_snapshot(world, context) == before
    # The genuine code, in lower case with spaces around, still works.
    world.redeem("C", f"  {token.lower()} ", lines=[{"line_id": line1["id"]}])
    assert check_ledger(context) == []


def test_rotated_codes_stop_working_and_the_new_ones_work(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = paid_delivery(world, "escrow")
    line1, line2 = order["lines"]
    old_token, old_short = world.code(order["id"]), world.short_code(order["id"])
    rotated = ok(
        client.post(f"/v1/orders/{order['id']}/rotate-code", headers=world.parties["M"].headers)
    )
    new_token = rotated["redemption"]["qr_payload"]
    new_short = rotated["redemption"]["short_code"]
    assert (new_token, new_short) != (old_token, old_short)
    assert new_token != old_token and new_short != old_short

    before = money_snapshot(world, context)
    for old in (old_token, old_short):
        refused(world, "C", old, 404, "unknown_code", lines=[{"line_id": line1["id"]}])
    assert money_snapshot(world, context) == before
    # Another merchant cannot rotate it (nor learn it exists); a courier may not at all.
    world.party("M2", "merchant")
    problem = ok(
        client.post(f"/v1/orders/{order['id']}/rotate-code", headers=world.parties["M2"].headers),
        404,
    )
    assert problem["code"] == "order_not_found"
    problem = ok(
        client.post(f"/v1/orders/{order['id']}/rotate-code", headers=world.parties["C"].headers),
        403,
    )
    assert problem["code"] == "role_not_allowed"
    assert world.code(order["id"]) == new_token

    world.redeem("C", new_token, lines=[{"line_id": line1["id"]}])
    world.redeem("C", new_short, lines=[{"line_id": line2["id"]}])
    assert world.get_order(order["id"])["status"] == "completed"
    assert check_ledger(context) == []


def test_an_unpaid_order_has_no_code_to_scan(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    assert world.get_order(order["id"])["redemption"] is None
    problem = ok(
        client.get(f"/v1/orders/{order['id']}/qr", headers=world.parties["M"].headers), 409
    )
    assert problem["code"] == "order_not_paid"
    problem = ok(
        client.post(f"/v1/orders/{order['id']}/rotate-code", headers=world.parties["M"].headers),
        409,
    )
    assert problem["code"] == "order_not_paid"
    # A declined card issues no code either.
    world.pay(order["id"], card="4000000000000002")
    assert world.get_order(order["id"])["redemption"] is None
    assert world.get_order(order["id"])["status"] == "awaiting_payment"


def test_a_cancelled_order_is_refused_with_order_cancelled(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = paid_delivery(world, "escrow")
    line1, _ = order["lines"]
    code, short = world.code(order["id"]), world.short_code(order["id"])
    world.cancel(order["id"])
    before = money_snapshot(world, context)
    for scanned in (code, short):
        refused(world, "C", scanned, 409, "order_cancelled", lines=[{"line_id": line1["id"]}])
        refused(world, "C", scanned, 409, "order_cancelled", complete=True)
        preview = client.post(
            "/v1/redemptions/preview", json={"code": scanned}, headers=world.parties["C"].headers
        )
        assert (preview.status_code, preview.json()["code"]) == (409, "order_cancelled")
    assert money_snapshot(world, context) == before


def test_an_order_past_its_deadline_is_refused_before_and_after_the_sweep(
    client: Any, context: Any, clock: Any
) -> None:
    from datetime import datetime, timedelta

    world = spec_world(client)
    order = paid_delivery(world, "escrow")
    line1, _ = order["lines"]
    code = world.code(order["id"])
    redeem_by = datetime.fromisoformat(order["redeem_by"])

    # Past the deadline but not yet swept: the lines may no longer be handed over.
    clock.advance(seconds=(redeem_by - datetime.now(redeem_by.tzinfo)).total_seconds() + 1)
    before = money_snapshot(world, context)
    refused(world, "C", code, 409, "order_expired", lines=[{"line_id": line1["id"]}])
    assert money_snapshot(world, context) == before
    preview = ok(
        client.post(
            "/v1/redemptions/preview", json={"code": code}, headers=world.parties["C"].headers
        )
    )
    assert preview["lines"] == []

    world.sweep(redeem_by + timedelta(seconds=1))
    swept = money_snapshot(world, context)
    assert world.get_order(order["id"])["status"] == "expired"
    refused(world, "C", code, 409, "order_expired", lines=[{"line_id": line1["id"]}])
    refused(world, "C", code, 409, "order_expired", complete=True)
    assert money_snapshot(world, context) == swept
    assert check_ledger(context) == []


def test_validation_errors_of_a_redemption(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = paid_delivery(world, "escrow")
    line1, _ = order["lines"]
    code = world.code(order["id"])
    other = paid_delivery(world, "escrow")
    before = money_snapshot(world, context)
    refused(world, "C", code, 422, "nothing_to_redeem")
    refused(world, "C", code, 422, "unknown_line", lines=[{"line_id": other["lines"][0]["id"]}])
    refused(
        world, "C", code, 422, "invalid_quantity", lines=[{"line_id": line1["id"], "quantity": 3}]
    )
    refused(
        world,
        "C",
        code,
        422,
        "invalid_quantity",
        lines=[{"line_id": line1["id"], "quantity": 1}, {"line_id": line1["id"], "quantity": 2}],
    )
    for body in (
        {"lines": [{"line_id": line1["id"], "quantity": 0}]},
        {"gtins": ["not-a-gtin"]},
        {"lines": "everything"},
        {"complete": "yes please"},
    ):
        response = client.post(
            "/v1/redemptions", json={"code": code, **body}, headers=world.parties["C"].headers
        )
        assert response.status_code == 422, body
    assert money_snapshot(world, context) == before


# --- 5. Roles ------------------------------------------------------------------------


def _cast_of_outsiders(world: World) -> None:
    world.party("M2", "merchant")
    world.party("C2", "courier")
    world.party("ST2", "store", merchant_id=world.parties["M2"].id)
    world.party("S3", "supplier")


def test_who_may_redeem_what(client: Any, context: Any) -> None:
    world = spec_world(client)
    _cast_of_outsiders(world)
    delivery = paid_delivery(world, "escrow")
    at_store = store_order(world)
    world.pay(at_store["id"])
    trip = itinerary_order(world)
    world.pay(trip["id"])
    night, kayak = trip["lines"]
    d_code, s_code, t_code = (world.code(o["id"]) for o in (delivery, at_store, trip))
    d_line = delivery["lines"][0]["id"]
    s_line = at_store["lines"][0]["id"]

    before = money_snapshot(world, context)
    # A courier not assigned to the order, a store on a delivery order or of another
    # merchant, a supplier on a delivery or store order (even one with lines in it).
    for party, code, line in (
        ("C2", d_code, d_line),
        ("ST", d_code, d_line),
        ("S1", d_code, d_line),
        ("S2", d_code, d_line),
        ("ST2", s_code, s_line),
        ("C", s_code, s_line),
        ("S1", s_code, s_line),
        ("C", t_code, night["id"]),
        ("ST", t_code, night["id"]),
        ("S1", t_code, night["id"]),
    ):
        # Told exactly what an unknown code is told: the order's existence never leaks.
        refused(world, party, code, 404, "unknown_code", lines=[{"line_id": line}])
        refused(world, party, code, 404, "unknown_code", complete=True)
        refused(world, party, code, 404, "unknown_code", gtins=["4006381333931"])
        preview = client.post(
            "/v1/redemptions/preview", json={"code": code}, headers=world.parties[party].headers
        )
        assert (preview.status_code, preview.json()["code"]) == (404, "unknown_code"), party
    # A supplier redeeming another supplier's itinerary line.
    refused(world, "K", t_code, 403, "not_your_line", lines=[{"line_id": night["id"]}])
    refused(world, "H", t_code, 403, "not_your_line", lines=[{"line_id": kayak["id"]}])
    # Merchants and the operator do not scan.
    for headers in (world.parties["M"].headers, world.parties["M2"].headers, ADMIN):
        for path, body in (
            ("/v1/redemptions", {"code": d_code, "lines": [{"line_id": d_line}]}),
            ("/v1/redemptions/preview", {"code": d_code}),
        ):
            response = client.post(path, json=body, headers=headers)
            assert (response.status_code, response.json()["code"]) == (403, "role_not_allowed")
    # No key, or a wrong one.
    for headers in ({}, {"Authorization": "Bearer axk_courier_not_a_real_key"}):
        response = client.post(
            "/v1/redemptions", json={"code": d_code, "complete": True}, headers=headers
        )
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
    assert money_snapshot(world, context) == before

    # The right professional for each.
    world.redeem("C", d_code, complete=True, lines=[{"line_id": d_line}])
    world.redeem("ST", s_code, complete=True, lines=[{"line_id": s_line}])
    world.redeem("H", t_code, lines=[{"line_id": night["id"]}])
    world.redeem("K", t_code, lines=[{"line_id": kayak["id"]}])
    assert world.get_order(trip["id"])["status"] == "completed"
    assert check_ledger(context) == []


def _as_unknown(world: World, party: str, code: str) -> list[tuple[int, Any]]:
    """Every answer ``party`` gets for ``code``: redeem (by line, by barcode,
    complete) and preview, each as (status, body without its instance)."""
    headers = world.parties[party].headers
    answers = []
    for path, body in (
        ("/v1/redemptions", {"code": code, "complete": True}),
        ("/v1/redemptions", {"code": code, "gtins": ["4006381333931"]}),
        ("/v1/redemptions", {"code": code, "lines": [{"line_id": "ln_0"}]}),
        ("/v1/redemptions/preview", {"code": code}),
    ):
        response = world.client.post(path, json=body, headers=headers)
        answers.append((response.status_code, response.json()))
    return answers


UNKNOWN = (404, "unknown_code")


@pytest.mark.parametrize("state", ["awaiting_payment", "paid", "completed", "cancelled"])
def test_another_professional_is_answered_as_for_an_unknown_code(
    client: Any, context: Any, state: str
) -> None:
    """No ``not_your_order`` (403), no ``already_redeemed`` or ``order_cancelled``
    (409) for someone else's order: the very answers an unknown code gets."""
    world = spec_world(client)
    _cast_of_outsiders(world)
    order = delivery_order(world, "escrow")
    if state != "awaiting_payment":
        world.pay(order["id"])
    code = world.short_code(order["id"]) if state != "awaiting_payment" else None
    if state == "completed":
        world.redeem("C", code, complete=True, lines=[{"line_id": order["lines"][0]["id"]}])
    if state == "cancelled":
        world.cancel(order["id"])
    if code is None:  # an unpaid order has no code yet: a forged one is all there is
        code = "7K3Q-M9XD-2VN"
    before = money_snapshot(world, context)
    unknown = _as_unknown(world, "C2", "0000-0000-000")
    assert all((status, body["code"]) == UNKNOWN for status, body in unknown)
    answers = _as_unknown(world, "C2", code)
    assert answers == unknown
    assert money_snapshot(world, context) == before


def test_a_supplier_completing_declares_only_its_own_lines_missing(
    client: Any, context: Any
) -> None:
    world = spec_world(client)
    trip = itinerary_order(world)
    world.pay(trip["id"])
    night, kayak = trip["lines"]
    result = world.redeem("K", world.code(trip["id"]), complete=True)
    assert [(r["line_id"], r["amount"]) for r in result["refunded"]] == [(kayak["id"], 4100)]
    # Nothing was handed over: the order stays paid, and its merchant may still
    # cancel what is left.
    assert result["order_status"] == "paid"
    order = world.get_order(trip["id"])
    assert [line["status"] for line in order["lines"]] == ["held", "refunded"]
    assert order["amounts"]["held"] == 24000 - 5000
    cancelled = world.cancel(trip["id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["amounts"]["held"] == 0
    assert cancelled["amounts"]["refunded"] == 4100 + night["amount"] - night["deposit"]
    assert check_ledger(context) == []


def test_who_sees_an_order_and_its_transfers(client: Any, context: Any) -> None:
    world = spec_world(client)
    _cast_of_outsiders(world)
    order = paid_delivery(world, "escrow")
    order_id = order["id"]

    insiders = ("M", "S1", "S2", "C")
    outsiders = ("M2", "C2", "ST", "ST2", "S3", "H")
    for name in insiders:
        seen = ok(client.get(f"/v1/orders/{order_id}", headers=world.parties[name].headers))
        assert seen["id"] == order_id
        # Only the merchant (and the operator) see the code.
        assert (seen["redemption"] is not None) == (name == "M"), name
        listed = ok(client.get("/v1/orders", headers=world.parties[name].headers))
        assert order_id in [o["id"] for o in listed["data"]], name
        transfers = ok(
            client.get(
                f"/v1/ledger/transfers?order_id={order_id}", headers=world.parties[name].headers
            )
        )
        assert transfers["data"] and {t["order_id"] for t in transfers["data"]} == {order_id}
    assert ok(client.get(f"/v1/orders/{order_id}", headers=ADMIN))["redemption"] is not None
    for name in outsiders:
        problem = ok(client.get(f"/v1/orders/{order_id}", headers=world.parties[name].headers), 404)
        assert problem["code"] == "order_not_found"
        listed = ok(client.get("/v1/orders", headers=world.parties[name].headers))
        assert order_id not in [o["id"] for o in listed["data"]], name
        response = client.get(
            f"/v1/ledger/transfers?order_id={order_id}", headers=world.parties[name].headers
        )
        assert response.status_code == 404, name
        refunds = ok(
            client.get(f"/v1/refunds?order_id={order_id}", headers=world.parties[name].headers)
        )
        assert refunds["data"] == []
    # A party lists the transfers of one order at a time; the operator sees them all.
    response = client.get("/v1/ledger/transfers", headers=world.parties["M"].headers)
    assert response.status_code == 403
    assert response.json()["code"] == "order_id_required"
    everything = ok(client.get("/v1/ledger/transfers?limit=100", headers=ADMIN))
    assert {t["order_id"] for t in everything["data"]} == {order_id}

    # Store orders: the store sees its own; an outsider store does not.
    at_store = store_order(world)
    seen = ok(client.get(f"/v1/orders/{at_store['id']}", headers=world.parties["ST"].headers))
    assert seen["redemption"] is None
    ok(client.get(f"/v1/orders/{at_store['id']}", headers=world.parties["ST2"].headers), 404)
    ok(client.get(f"/v1/orders/{at_store['id']}", headers=world.parties["C"].headers), 404)


# --- 8. Refunds ----------------------------------------------------------------------


def _refunds_account(context: Any) -> tuple[int, int, int, int]:
    from axokey.adapters.db import ledger_store

    with context.database.read() as connection:
        for account in ledger_store.all_accounts(connection):
            if account.id == "acc_refunds_EUR":
                return account.counters()
    return (0, 0, 0, 0)


def test_a_card_refund_goes_back_to_the_card(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = paid_delivery(world, "escrow")
    line1, line2 = order["lines"]
    code = world.code(order["id"])
    result = world.redeem("C", code, lines=[{"line_id": line1["id"]}], complete=True)
    (refunded,) = result["refunded"]
    refunds = world.refunds(order["id"])
    assert [
        (r["id"], r["line_id"], r["amount"], r["method"], r["status"], r["failure_code"])
        for r in refunds
    ] == [(refunded["refund_id"], line2["id"], 2999, "card", "succeeded", None)]
    one = ok(client.get(f"/v1/refunds/{refunded['refund_id']}", headers=world.parties["M"].headers))
    assert one["status"] == "succeeded"
    # Decided (escrow → refunds) and paid out (refunds → the provider's clearing).
    assert _refunds_account(context) == (0, 2999, 0, 2999)
    assert check_ledger(context) == []


def test_a_customer_iban_makes_sepa_refunds_that_wait_for_a_payout_batch(
    client: Any, context: Any
) -> None:
    world = spec_world(client)
    order = world.order(
        payment_mode="escrow",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        delivery_fee=590,
        customer={"email": "customer@example.com", "iban": CUSTOMER_IBAN},
        lines=[
            {"product_id": world.products["P1"], "quantity": 2},
            {"product_id": world.products["P2"], "quantity": 1},
        ],
    )
    world.pay(order["id"])
    line1, line2 = order["lines"]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    refunds = world.refunds(order["id"])
    assert [(r["line_id"], r["amount"], r["method"], r["status"]) for r in refunds] == [
        (line2["id"], 2999, "sepa", "pending")
    ]
    # The money waits in the refunds account.
    assert _refunds_account(context) == (0, 0, 0, 2999)
    assert check_ledger(context) == []


def test_a_failed_card_refund_is_recorded_and_the_money_stays_set_aside(
    client: Any, context: Any
) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"], card=REFUNDS_FAIL)
    line1, line2 = order["lines"]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    (refund,) = world.refunds(order["id"])
    assert (refund["line_id"], refund["amount"], refund["method"]) == (line2["id"], 2999, "card")
    assert (refund["status"], refund["failure_code"]) == ("failed", "refund_declined")
    assert _refunds_account(context) == (0, 0, 0, 2999)
    assert world.get_order(order["id"])["amounts"] == {
        "captured": 13589,
        "released": 10590,
        "refunded": 2999,
        "held": 0,
    }
    with context.database.read() as connection:
        told = events_of_order(connection, order["id"])
    failed = [data for kind, data in told if kind == "refund.failed"]
    assert len(failed) == 1
    assert failed[0]["refund_id"] == refund["id"]
    assert failed[0]["failure_code"] == "refund_declined"
    assert failed[0]["amount"] == 2999
    assert check_ledger(context) == []
