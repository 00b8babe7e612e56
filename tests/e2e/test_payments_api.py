"""Pay-in through HTTP with the sandbox provider: checkout, test cards, 3-D Secure,
capture into escrow, balances, provider notifications, duplicate payments, and
card numbers never stored."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from axokey.adapters.db.tables import metadata
from axokey.adapters.providers.sandbox import SIGNATURE_HEADER, SandboxProvider
from axokey.services import signing
from axokey.services.ledger import check_ledger
from tests.conftest import ADMIN
from tests.scenario import (
    DECLINED,
    INSUFFICIENT_FUNDS,
    NEEDS_CHALLENGE,
    SUCCEEDS,
    World,
    delivery_order,
    ok,
    spec_world,
)

LUHN_INVALID = "4242424242424241"
OTHER_VALID_CARD = "4111111111111111"


@pytest.fixture
def world(client: Any) -> World:
    return spec_world(client)


def checkout(world: World, order_id: str, **body: Any) -> dict[str, Any]:
    return ok(
        world.client.post(
            f"/v1/orders/{order_id}/checkout", json=body, headers=world.parties["M"].headers
        ),
        201,
    )


def pay(
    world: World, payment_id: str, card: str, otp: str | None = None, *, expect: int = 200
) -> dict[str, Any]:
    body: dict[str, Any] = {"card_number": card}
    if otp is not None:
        body["otp"] = otp
    return ok(world.client.post(f"/v1/sandbox/payments/{payment_id}/pay", json=body), expect)


def transfers_of(client: Any, order_id: str) -> list[dict[str, Any]]:
    return ok(client.get(f"/v1/ledger/transfers?order_id={order_id}&limit=100", headers=ADMIN))[
        "data"
    ]


def all_transfers(client: Any) -> list[dict[str, Any]]:
    return ok(client.get("/v1/ledger/transfers?limit=100", headers=ADMIN))["data"]


def captures_of(client: Any, order_id: str) -> list[dict[str, Any]]:
    return [t for t in transfers_of(client, order_id) if t["code"] == "capture"]


def refunds_of(world: World, order_id: str) -> list[dict[str, Any]]:
    return ok(
        world.client.get(f"/v1/refunds?order_id={order_id}", headers=world.parties["M"].headers)
    )["data"]


def store_order(world: World) -> dict[str, Any]:
    return world.order(
        payment_mode="escrow",
        fulfilment="store",
        store_id=world.parties["ST"].id,
        lines=[{"product_id": world.products["P1"], "quantity": 1}],
    )


def unpaid(world: World, order_id: str) -> None:
    order = world.get_order(order_id)
    assert order["status"] == "awaiting_payment"
    assert order["redemption"] is None and order["paid_at"] is None
    assert order["amounts"] == {"captured": 0, "released": 0, "refunded": 0, "held": 0}
    assert {line["status"] for line in order["lines"]} == {"pending"}
    assert transfers_of(world.client, order_id) == []


# --- checkout ------------------------------------------------------------------------


def test_checkout_opens_a_hosted_payment_page(world: World) -> None:
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"], return_url="https://shop.example/thanks")
    assert payment["id"].startswith("pay_")
    assert payment["object"] == "payment"
    assert payment["order_id"] == order["id"]
    assert payment["status"] == "requires_payment_method"
    assert (payment["amount"], payment["currency"], payment["provider"]) == (
        13589,
        "EUR",
        "sandbox",
    )
    assert payment["checkout_url"].startswith("http://testserver/sandbox/checkout/sbx_")
    assert payment["next_action"] is None and payment["failure_code"] is None
    path = f"/v1/payments/{payment['id']}"
    assert ok(world.client.get(path, headers=world.parties["M"].headers)) == payment
    assert ok(world.client.get(path, headers=ADMIN)) == payment
    other = world.party("M2", "merchant")
    for headers in (other.headers, world.parties["S1"].headers, world.parties["C"].headers):
        response = world.client.get(path, headers=headers)
        assert response.status_code == 404 and response.json()["code"] == "payment_not_found"
    unpaid(world, order["id"])


def test_checkout_is_for_the_orders_merchant_only(world: World) -> None:
    order = delivery_order(world, "escrow")
    path = f"/v1/orders/{order['id']}/checkout"
    for name in ("S1", "C", "ST"):
        response = world.client.post(path, json={}, headers=world.parties[name].headers)
        assert response.status_code == 403, name
        assert response.json()["code"] == "role_not_allowed"
    other = world.party("M2", "merchant")
    response = world.client.post(path, json={}, headers=other.headers)
    assert response.status_code == 404 and response.json()["code"] == "order_not_found"
    response = world.client.post(
        "/v1/orders/ord_01JAAAAAAAAAAAAAAAAAAAAAAA/checkout",
        json={},
        headers=world.parties["M"].headers,
    )
    assert response.status_code == 404
    assert world.client.post(path, json={}).status_code == 401
    bad_url = world.client.post(
        path, json={"return_url": "javascript:alert(1)"}, headers=world.parties["M"].headers
    )
    assert bad_url.status_code == 422 and bad_url.json()["errors"][0]["field"] == "return_url"
    unpaid(world, order["id"])


def test_a_paid_order_is_not_payable_again(world: World) -> None:
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    response = world.client.post(
        f"/v1/orders/{order['id']}/checkout", json={}, headers=world.parties["M"].headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "order_not_payable"


def test_an_order_past_its_deadline_is_not_payable(world: World, clock: Any) -> None:
    order = store_order(world)
    clock.advance(days=31)
    response = world.client.post(
        f"/v1/orders/{order['id']}/checkout", json={}, headers=world.parties["M"].headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "order_expired"


# --- the test cards ------------------------------------------------------------------


def test_a_successful_card_captures_pays_deposits_and_issues_the_code(
    world: World, context: Any
) -> None:
    world.agree("S1", 3000)
    world.agree("S2", 2000)
    order = delivery_order(world, "deposit")
    payment = checkout(world, order["id"])
    paid_payment = pay(world, payment["id"], SUCCEEDS)
    assert paid_payment["status"] == "succeeded"
    assert paid_payment["failure_code"] is None and paid_payment["next_action"] is None
    paid = world.get_order(order["id"])
    assert paid["status"] == "paid"
    assert paid["paid_at"] is not None
    assert {line["status"] for line in paid["lines"]} == {"held"}
    assert paid["courier_fee_status"] == "held"
    assert paid["amounts"] == {"captured": 13589, "released": 2500, "refunded": 0, "held": 11089}
    assert paid["redemption"]["qr_payload"] and paid["redemption"]["short_code"]
    moves = transfers_of(world.client, order["id"])
    assert [(t["code"], t["amount"]) for t in moves if t["kind"] == "single"] == [
        ("capture", 13589),
        ("deposit", 2100),
        ("deposit", 400),
    ]
    assert sum(t["amount"] for t in moves if t["kind"] == "pending") == 11089
    assert check_ledger(context) == []


def test_3d_secure_challenge_then_the_right_code(world: World, context: Any) -> None:
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"])
    challenged = pay(world, payment["id"], NEEDS_CHALLENGE)
    assert challenged["status"] == "requires_action"
    assert challenged["next_action"]["type"] == "redirect_to_url"
    assert challenged["next_action"]["url"].startswith("http://testserver/sandbox/3ds/sbx_")
    seen = ok(world.client.get(f"/v1/payments/{payment['id']}", headers=world.parties["M"].headers))
    assert seen["status"] == "requires_action" and seen["next_action"] == challenged["next_action"]
    unpaid(world, order["id"])
    # The challenge page is waiting for the one-time code.
    again = world.client.post(
        f"/v1/sandbox/payments/{payment['id']}/pay", json={"card_number": NEEDS_CHALLENGE}
    )
    assert again.status_code == 409 and again.json()["code"] == "otp_required"
    passed = pay(world, payment["id"], NEEDS_CHALLENGE, otp="123456")
    assert passed["status"] == "succeeded" and passed["next_action"] is None
    assert world.get_order(order["id"])["status"] == "paid"
    assert len(captures_of(world.client, order["id"])) == 1
    assert check_ledger(context) == []


def test_3d_secure_code_given_with_the_card(world: World) -> None:
    order = store_order(world)
    payment = checkout(world, order["id"])
    assert pay(world, payment["id"], NEEDS_CHALLENGE, otp="123456")["status"] == "succeeded"
    assert world.get_order(order["id"])["status"] == "paid"


def test_a_wrong_3d_secure_code_fails_the_payment(world: World) -> None:
    order = store_order(world)
    payment = checkout(world, order["id"])
    pay(world, payment["id"], NEEDS_CHALLENGE)
    failed = pay(world, payment["id"], NEEDS_CHALLENGE, otp="654321")
    assert failed["status"] == "failed"
    assert failed["failure_code"] == "authentication_failed"
    assert failed["next_action"] is None
    unpaid(world, order["id"])
    # A failed payment takes no further step.
    response = world.client.post(
        f"/v1/sandbox/payments/{payment['id']}/pay", json={"card_number": SUCCEEDS}
    )
    assert response.status_code == 409 and response.json()["code"] == "payment_not_payable"
    unpaid(world, order["id"])


@pytest.mark.parametrize(
    ("card", "failure"),
    [
        (DECLINED, "card_declined"),
        (INSUFFICIENT_FUNDS, "insufficient_funds"),
        (OTHER_VALID_CARD, "card_declined"),
        ("4000 0000 0000 0002", "card_declined"),  # spaces as typed on the page
    ],
)
def test_failing_cards_leave_the_order_unpaid(world: World, card: str, failure: str) -> None:
    order = store_order(world)
    payment = checkout(world, order["id"])
    failed = pay(world, payment["id"], card)
    assert (failed["status"], failed["failure_code"]) == ("failed", failure)
    unpaid(world, order["id"])


@pytest.mark.parametrize("card", [LUHN_INVALID, "4242-4242-4242-4242", "abcdefghijklmnop"])
def test_an_invalid_card_number_is_422_and_the_page_stays_open(world: World, card: str) -> None:
    order = store_order(world)
    payment = checkout(world, order["id"])
    response = world.client.post(
        f"/v1/sandbox/payments/{payment['id']}/pay", json={"card_number": card}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_card_number"
    assert response.json()["errors"] == [
        {"field": "card_number", "message": "not a valid card number"}
    ]
    seen = ok(world.client.get(f"/v1/payments/{payment['id']}", headers=world.parties["M"].headers))
    assert seen["status"] == "requires_payment_method"
    unpaid(world, order["id"])
    assert pay(world, payment["id"], SUCCEEDS)["status"] == "succeeded"


def test_malformed_sandbox_requests_are_422(world: World) -> None:
    order = store_order(world)
    payment = checkout(world, order["id"])
    for body in ({"card_number": "4242"}, {}, {"card_number": SUCCEEDS, "cvc": "123"}):
        response = world.client.post(f"/v1/sandbox/payments/{payment['id']}/pay", json=body)
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_error"
    response = world.client.post(
        "/v1/sandbox/payments/pay_01JAAAAAAAAAAAAAAAAAAAAAAA/pay", json={"card_number": SUCCEEDS}
    )
    assert response.status_code == 404
    unpaid(world, order["id"])


def test_a_new_checkout_after_a_failure_pays_the_order(world: World, context: Any) -> None:
    order = store_order(world)
    first = checkout(world, order["id"])
    assert pay(world, first["id"], DECLINED)["status"] == "failed"
    second = checkout(world, order["id"])
    assert second["id"] != first["id"]
    assert pay(world, second["id"], SUCCEEDS)["status"] == "succeeded"
    paid = world.get_order(order["id"])
    assert paid["status"] == "paid"
    assert paid["amounts"] == {"captured": 5000, "released": 0, "refunded": 0, "held": 5000}
    assert len(captures_of(world.client, order["id"])) == 1
    assert refunds_of(world, order["id"]) == []
    assert check_ledger(context) == []


# --- balances after capture (SPEC.md's examples) ---------------------------------------


def test_balances_after_capture_example_a(world: World) -> None:
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    # Escrow mode: everything is held, each share for its payee.
    assert world.balance("S1") == {"held": 7000, "available": 0, "paid_out": 0}
    assert world.balance("S2") == {"held": 2000, "available": 0, "paid_out": 0}
    assert world.balance("M") == {"held": 3999, "available": 0, "paid_out": 0}
    assert world.balance("C") == {"held": 590, "available": 0, "paid_out": 0}
    assert world.balance("ST") == {"held": 0, "available": 0, "paid_out": 0}
    # The operator reads any party's balance, naming it.
    seen = ok(world.client.get(f"/v1/balance?party_id={world.parties['S1'].id}", headers=ADMIN))
    assert seen["party_id"] == world.parties["S1"].id
    assert seen["balances"] == [
        {"currency": "EUR", "held": 7000, "available": 0, "paid_out": 0, "in_transit": 0}
    ]
    response = world.client.get("/v1/balance", headers=ADMIN)
    assert response.status_code == 403 and response.json()["code"] == "party_required"


def test_balances_after_capture_example_c(world: World) -> None:
    today = datetime.now(UTC).date()
    order = world.order(
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
    world.pay(order["id"])
    assert world.balance("H") == {"held": 15000, "available": 5000, "paid_out": 0}
    assert world.balance("K") == {"held": 3600, "available": 400, "paid_out": 0}
    assert world.balance("M") == {"held": 4500, "available": 0, "paid_out": 0}
    assert world.get_order(order["id"])["amounts"] == {
        "captured": 28500,
        "released": 5400,
        "refunded": 0,
        "held": 23100,
    }
    _ = date


# --- card numbers are never stored --------------------------------------------------------


def _stored_text(context: Any) -> Iterator[tuple[str, str, str]]:
    """Every text, binary and JSON value of every table, as (table, column, text)."""
    with context.database.read() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    if isinstance(value, bytes):
                        yield table.name, column, value.decode("latin-1")
                    elif isinstance(value, str):
                        yield table.name, column, value
                    elif isinstance(value, (dict, list)):
                        yield table.name, column, json.dumps(value)


def test_card_numbers_are_never_stored(world: World, context: Any) -> None:
    cards = [SUCCEEDS, NEEDS_CHALLENGE, DECLINED, INSUFFICIENT_FUNDS, OTHER_VALID_CARD]
    for index, card in enumerate(cards):
        order = store_order(world)
        payment = checkout(world, order["id"])
        headers = {"Idempotency-Key": f"pay-{index}"}
        body: dict[str, Any] = {"card_number": " ".join(card[i : i + 4] for i in range(0, 16, 4))}
        world.client.post(f"/v1/sandbox/payments/{payment['id']}/pay", json=body, headers=headers)
        if card == NEEDS_CHALLENGE:
            pay(world, payment["id"], card, otp="123456")
    # The customer's own way: the hosted card page and the 3-D Secure page (forms).
    page_order = store_order(world)
    page_path = checkout(world, page_order["id"])["checkout_url"].removeprefix("http://testserver")
    world.client.post(page_path, data={"card_number": NEEDS_CHALLENGE, "cvc": "123"})
    world.client.post(page_path.replace("/checkout/", "/3ds/"), data={"otp": "123456"})
    assert world.get_order(page_order["id"])["status"] == "paid"
    invalid_order = store_order(world)
    payment = checkout(world, invalid_order["id"])
    world.client.post(
        f"/v1/sandbox/payments/{payment['id']}/pay",
        json={"card_number": LUHN_INVALID},
        headers={"Idempotency-Key": "pay-invalid"},
    )
    paid = world.client.get("/v1/orders?status=paid", headers=world.parties["M"].headers)
    assert len(paid.json()["data"]) == 3
    searched = 0
    for table, column, text in _stored_text(context):
        searched += 1
        compact = "".join(text.split())
        for card in [*cards, LUHN_INVALID]:
            assert card not in compact, f"card number stored in {table}.{column}"
            assert card[:12] not in compact, f"most of a card number stored in {table}.{column}"
    assert searched > 100  # the scan did read the database
    # What may be kept: the last four digits, on the provider's side.
    with context.database.read() as connection:
        from axokey.adapters.db.tables import sandbox_payments

        last4 = {row.card_last4 for row in connection.execute(select(sandbox_payments))}
    assert {card[-4:] for card in cards} <= last4


# --- provider notifications ----------------------------------------------------------


@pytest.fixture
def held_notifications(
    context: Any, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[dict[str, str], bytes]]:
    """Stop the sandbox from telling the app: its notifications are kept here, so a
    test can deliver, forge or replay them over HTTP."""
    kept: list[tuple[dict[str, str], bytes]] = []
    sandbox = context.providers["sandbox"]
    assert isinstance(sandbox, SandboxProvider)

    def keep(headers: Mapping[str, str], body: bytes) -> None:
        kept.append((dict(headers), body))

    monkeypatch.setattr(sandbox, "deliver", keep)
    return kept


def signed(
    context: Any, message: dict[str, Any], key: bytes | None = None
) -> tuple[dict[str, str], bytes]:
    """A notification built exactly as ``SandboxProvider._notify`` builds one."""
    body = json.dumps(message, separators=(",", ":")).encode()
    key = key if key is not None else signing.sandbox_notification_key(context)
    signature = hmac.new(key, body, hashlib.sha256).hexdigest()
    return {SIGNATURE_HEADER: signature, "content-type": "application/json"}, body


def notify(client: Any, headers: dict[str, str], body: bytes, provider: str = "sandbox") -> Any:
    return client.post(f"/v1/providers/{provider}/notifications", content=body, headers=headers)


def succeeded_quietly(world: World, context: Any) -> tuple[dict[str, Any], str, str]:
    """An order whose payment succeeded at the provider, which has not told us yet."""
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"])
    pay(world, payment["id"], SUCCEEDS)
    reference = payment["checkout_url"].rsplit("/", 1)[1]
    assert context.providers["sandbox"].fetch_status(reference).status.value == "succeeded"
    unpaid(world, order["id"])
    return order, payment["id"], reference


def test_forged_notifications_are_400_and_change_nothing(
    world: World, client: Any, context: Any, held_notifications: list[Any]
) -> None:
    order, payment_id, reference = succeeded_quietly(world, context)
    message = {"event_id": f"{reference}:1", "reference": reference}
    headers, body = signed(context, message)
    forgeries = [
        ({**headers, SIGNATURE_HEADER: "0" * 64}, body),
        (signed(context, message, key=b"not the key")[0], body),
        ({"content-type": "application/json"}, body),
        (headers, body.replace(b'"event_id"', b'"event_id" ')),  # signed bytes changed
        (headers, b""),
    ]
    for forged_headers, forged_body in forgeries:
        response = notify(client, forged_headers, forged_body)
        assert response.status_code == 403, forged_headers
        assert response.json()["code"] == "invalid_notification"
        unpaid(world, order["id"])
    payment = ok(client.get(f"/v1/payments/{payment_id}", headers=ADMIN))
    assert payment["status"] == "requires_payment_method"  # we were never told
    assert check_ledger(context) == []


def test_a_signed_but_malformed_notification_is_403(
    world: World, client: Any, context: Any, held_notifications: list[Any]
) -> None:
    order, _, reference = succeeded_quietly(world, context)
    for message in ({"reference": reference}, {"event_id": "x"}):
        headers, body = signed(context, message)
        response = notify(client, headers, body)
        assert response.status_code == 403 and response.json()["code"] == "invalid_notification"
    headers = signed(context, {})[0]
    key = signing.sandbox_notification_key(context)
    headers[SIGNATURE_HEADER] = hmac.new(key, b"not json", hashlib.sha256).hexdigest()
    assert notify(client, headers, b"not json").status_code == 403
    unpaid(world, order["id"])


def test_a_genuine_notification_replayed_is_processed_once(
    world: World, client: Any, context: Any, held_notifications: list[Any]
) -> None:
    order, _, reference = succeeded_quietly(world, context)
    # What the sandbox would have sent: deliver it ourselves, then replay it.
    assert len(held_notifications) == 1
    kept_headers, kept_body = held_notifications[0]
    assert json.loads(kept_body) == {"event_id": f"{reference}:1", "reference": reference}
    headers, body = signed(context, {"event_id": f"{reference}:1", "reference": reference})
    assert body == kept_body and headers[SIGNATURE_HEADER] == kept_headers[SIGNATURE_HEADER]

    assert ok(notify(client, headers, body)) == {"status": "processed"}
    paid = world.get_order(order["id"])
    assert paid["status"] == "paid"
    assert paid["amounts"]["captured"] == 13589
    for _ in range(2):
        assert ok(notify(client, headers, body)) == {"status": "duplicate"}
    # Another event about the same payment: confirmed with the provider, nothing new.
    other_headers, other_body = signed(
        context, {"event_id": f"{reference}:7", "reference": reference}
    )
    assert ok(notify(client, other_headers, other_body)) == {"status": "processed"}
    assert [t["amount"] for t in captures_of(client, order["id"])] == [13589]
    assert world.get_order(order["id"])["amounts"] == paid["amounts"]
    assert refunds_of(world, order["id"]) == []
    assert check_ledger(context) == []


def test_a_notification_about_an_unknown_payment_moves_nothing(
    world: World, client: Any, context: Any
) -> None:
    world.pay(store_order(world)["id"])
    headers, body = signed(context, {"event_id": "sbx_nope:1", "reference": "sbx_nope"})
    before = all_transfers(client)
    assert before
    for _ in range(2):
        # Acknowledged (a provider would otherwise retry it forever); nothing moves.
        assert ok(notify(client, headers, body))["status"] in ("processed", "duplicate")
    assert all_transfers(client) == before
    assert check_ledger(context) == []


@pytest.mark.parametrize("provider", ["nope", "payxpert", "SANDBOX"])
def test_an_unknown_provider_is_404(client: Any, context: Any, provider: str) -> None:
    headers, body = signed(context, {"event_id": "e", "reference": "r"})
    response = notify(client, headers, body, provider=provider)
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_provider"


# --- paid twice, paid too late ------------------------------------------------------------


def test_a_second_successful_payment_is_refunded_in_full(world: World, context: Any) -> None:
    world.agree("S1", 3000)
    world.agree("S2", 2000)
    order = delivery_order(world, "deposit")
    first = checkout(world, order["id"])
    second = checkout(world, order["id"])
    assert pay(world, first["id"], SUCCEEDS)["status"] == "succeeded"
    paid = world.get_order(order["id"])
    assert paid["amounts"]["held"] == 11089
    balances = {name: world.balance(name) for name in ("S1", "S2", "M", "C")}

    assert pay(world, second["id"], NEEDS_CHALLENGE, otp="123456")["status"] == "succeeded"
    after = world.get_order(order["id"])
    assert after["status"] == "paid"
    assert after["amounts"]["held"] == 11089
    assert after["redemption"] == paid["redemption"]
    refunds = refunds_of(world, order["id"])
    assert [(r["amount"], r["reason"], r["method"], r["status"]) for r in refunds] == [
        (13589, "duplicate_payment", "card", "succeeded")
    ]
    assert refunds[0]["line_id"] is None
    # Nobody's balance moved; the deposits were paid once.
    assert {name: world.balance(name) for name in balances} == balances
    assert [t["id"] for t in captures_of(world.client, order["id"])] == [
        f"{order['id']}:capture",
        f"{second['id']}:capture",
    ]
    assert check_ledger(context) == []


def test_refunds_of_lines_go_to_the_payment_that_paid_the_order(world: World, context: Any) -> None:
    order = delivery_order(world, "escrow")
    earlier = checkout(world, order["id"])
    later = checkout(world, order["id"])
    # The later attempt pays first and pays the order; the earlier one pays twice.
    assert pay(world, later["id"], SUCCEEDS)["status"] == "succeeded"
    assert pay(world, earlier["id"], SUCCEEDS)["status"] == "succeeded"
    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    refunds = refunds_of(world, order["id"])
    assert sorted((r["amount"], r["reason"], r["status"]) for r in refunds) == [
        (2999, "missing", "succeeded"),
        (13589, "duplicate_payment", "succeeded"),
    ]
    assert check_ledger(context) == []


def test_a_payment_after_cancellation_is_refunded_in_full(world: World, context: Any) -> None:
    order = store_order(world)
    payment = checkout(world, order["id"])
    ok(world.client.post(f"/v1/orders/{order['id']}/cancel", headers=world.parties["M"].headers))
    assert pay(world, payment["id"], SUCCEEDS)["status"] == "succeeded"
    cancelled = world.get_order(order["id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["amounts"] == {"captured": 5000, "released": 0, "refunded": 5000, "held": 0}
    assert [(r["amount"], r["reason"], r["status"]) for r in refunds_of(world, order["id"])] == [
        (5000, "cancelled", "succeeded")
    ]
    assert world.balance("S1") == {"held": 0, "available": 0, "paid_out": 0}
    assert check_ledger(context) == []


def test_a_payment_after_the_deadline_expires_the_order_and_is_refunded(
    world: World, context: Any, clock: Any
) -> None:
    order = store_order(world)
    payment = checkout(world, order["id"])
    clock.advance(days=31)
    assert pay(world, payment["id"], SUCCEEDS)["status"] == "succeeded"
    expired = world.get_order(order["id"])
    assert expired["status"] == "expired"
    assert expired["redemption"] is None
    assert expired["amounts"] == {"captured": 5000, "released": 0, "refunded": 5000, "held": 0}
    assert [(r["amount"], r["reason"]) for r in refunds_of(world, order["id"])] == [
        (5000, "expired")
    ]
    assert check_ledger(context) == []
