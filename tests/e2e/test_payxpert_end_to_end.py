"""The app configured for PayXpert, against the fake Connect2Pay: checkout through
the adapter, the customer pays on the fake's page, the fake's (unsigned) callback is
posted to the app over HTTP, the app confirms the status with the provider and
captures; a missing item is refunded to the card through PayXpert's refund call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from axokey.adapters.providers.payxpert import PayXpertProvider
from axokey.api.app import create_app
from axokey.services.ledger import check_ledger
from tests.conftest import make_settings
from tests.fakes.connect2pay import Callback, CustomerOutcome, FakeConnect2Pay
from tests.scenario import delivery_order, ok, spec_world


@pytest.fixture
def payxpert_app(
    database_url: str, clock: Any
) -> Iterator[tuple[TestClient, FakeConnect2Pay, Any]]:
    from axokey.adapters.db.engine import Database, make_engine
    from axokey.bootstrap import bootstrap

    settings = make_settings(
        database_url,
        provider="payxpert",
        payxpert_originator="104211",
        payxpert_password="c2p-test-password",
    )
    context = bootstrap(settings, database=Database(make_engine(database_url)), clock=clock)
    posted: list[Callback] = []
    fake = FakeConnect2Pay(on_callback=posted.append)
    context.providers["payxpert"] = PayXpertProvider(
        base_url=fake.base_url,
        originator=fake.originator,
        password=fake.password,
        timeout_seconds=5.0,
        transport=fake.transport(),
    )
    with TestClient(create_app(context=context), raise_server_exceptions=False) as client:
        client.posted = posted  # type: ignore[attr-defined]
        yield client, fake, context
    context.database.dispose()


def deliver(client: TestClient, callback: Callback) -> Any:
    """Post the fake's callback to the URL it was given, over HTTP."""
    path = callback.url.split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + path, content=callback.body, headers=callback.headers)
    return ok(response)


def test_payxpert_checkout_capture_and_card_refund(payxpert_app: Any) -> None:
    client, fake, context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    payment = world.checkout(order["id"])
    assert payment["provider"] == "payxpert"
    assert payment["checkout_url"].startswith(fake.base_url + "/payment/")
    merchant_token = next(iter(fake.payments))
    prepared = fake.received[0].json
    assert prepared["amount"] == 13589 and prepared["currency"] == "EUR"
    assert prepared["ctrlCallbackURL"].endswith("/v1/providers/payxpert/notifications")

    fake.pay(merchant_token, CustomerOutcome.SUCCEED_AFTER_CHALLENGE)
    assert deliver(client, client.posted[-1]) == {"status": "OK", "message": "Status recorded"}
    paid = world.get_order(order["id"])
    assert paid["status"] == "paid" and paid["amounts"]["held"] == 13589
    # The same callback again changes nothing.
    deliver(client, client.posted[-1])
    assert world.get_order(order["id"])["amounts"]["captured"] == 13589

    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    refunds = ok(
        client.get(f"/v1/refunds?order_id={order['id']}", headers=world.parties["M"].headers)
    )
    assert [(r["amount"], r["method"], r["status"]) for r in refunds["data"]] == [
        (2999, "card", "succeeded")
    ]
    refund_calls = [r for r in fake.received if r.path.endswith("/refund")]
    assert len(refund_calls) == 1 and refund_calls[0].json["amount"] == 2999
    assert check_ledger(context) == []


def test_a_forged_payxpert_callback_cannot_capture(payxpert_app: Any) -> None:
    client, fake, _context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.checkout(order["id"])
    merchant_token = next(iter(fake.payments))
    # Someone posts a callback claiming success; the provider says nothing was paid.
    forged = {
        "merchantToken": merchant_token,
        "status": "Authorized",
        "errorCode": "000",
        "transactions": [
            {
                "transactionID": "T1",
                "operation": "sale",
                "resultCode": "000",
                "status": "Authorized",
                "amount": 13589,
            }
        ],
    }
    client.post("/v1/providers/payxpert/notifications", json=forged)
    assert world.get_order(order["id"])["status"] == "awaiting_payment"

    fake.pay(merchant_token, CustomerOutcome.DECLINE)
    deliver(client, client.posted[-1])
    assert world.get_order(order["id"])["status"] == "awaiting_payment"


def test_a_payment_of_another_amount_is_refused_and_refunded_whole(payxpert_app: Any) -> None:
    client, fake, context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.checkout(order["id"])
    merchant_token = next(iter(fake.payments))
    fake.pay(merchant_token, CustomerOutcome.SUCCEED)
    fake.tamper(merchant_token, amount=13000)  # the provider says it took 130.00
    deliver(client, client.posted[-1])
    seen = world.get_order(order["id"])
    assert seen["status"] == "awaiting_payment"
    assert seen["amounts"] == {"captured": 13000, "released": 0, "refunded": 13000, "held": 0}
    refunds = ok(
        client.get(f"/v1/refunds?order_id={order['id']}", headers=world.parties["M"].headers)
    )
    assert [(r["amount"], r["reason"]) for r in refunds["data"]] == [(13000, "amount_mismatch")]
    assert check_ledger(context) == []


def test_a_payxpert_refund_of_unknown_outcome_is_never_sent_twice(payxpert_app: Any) -> None:
    import httpx

    from axokey.services.sweeping import sweep

    client, fake, context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.checkout(order["id"])
    merchant_token = next(iter(fake.payments))
    fake.pay(merchant_token, CustomerOutcome.SUCCEED)
    deliver(client, client.posted[-1])
    fake.fail_next(httpx.ReadTimeout("the answer was lost"))
    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    refunds = ok(
        client.get(f"/v1/refunds?order_id={order['id']}", headers=world.parties["M"].headers)
    )
    assert [(r["status"], r["failure_code"]) for r in refunds["data"]] == [
        ("failed", "refund_outcome_unknown")
    ]
    sweep(context)
    refund_calls = [r for r in fake.received if r.path.endswith("/refund")]
    assert len(refund_calls) == 1
    assert check_ledger(context) == []
