"""The app configured for PayXpert, against the fake Connect2Pay: checkout through
the adapter, the customer pays on the fake's page, the fake's (unsigned) callback is
posted to the app over HTTP, the app confirms the status with the provider and
captures; a missing item is refunded to the card through PayXpert's refund call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from axokey.adapters.providers.payxpert import PayXpertProvider
from axokey.api.app import create_app
from axokey.services.ledger import check_ledger
from tests.conftest import ADMIN, make_settings
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
    sale = fake.pay(merchant_token, CustomerOutcome.SUCCEED)
    sale.amount = 13000  # the sale took 130.00; the status still echoes the 135.89 asked
    assert fake.payment(merchant_token).to_json()["amount"] == 13589
    deliver(client, client.posted[-1])
    seen = world.get_order(order["id"])
    assert seen["status"] == "awaiting_payment"
    assert seen["amounts"] == {"captured": 13000, "released": 0, "refunded": 13000, "held": 0}
    refunds = ok(
        client.get(f"/v1/refunds?order_id={order['id']}", headers=world.parties["M"].headers)
    )
    assert [(r["amount"], r["reason"]) for r in refunds["data"]] == [(13000, "amount_mismatch")]
    assert check_ledger(context) == []


def test_a_payxpert_refund_of_unknown_outcome_is_reconciled_never_sent_twice(
    payxpert_app: Any,
) -> None:
    """The refund is made but its answer is lost: it stays pending (unconfirmed), and
    the sweep finds it in the payment's status: succeeded, sent once."""
    from axokey.services.sweeping import sweep

    client, fake, context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.checkout(order["id"])
    merchant_token = next(iter(fake.payments))
    fake.pay(merchant_token, CustomerOutcome.SUCCEED)
    deliver(client, client.posted[-1])
    # The refund goes through at PayXpert, then the connection drops before the answer.
    original = fake._refund

    def refund_then_lose_the_answer(transaction_id: str, document: Any) -> Any:
        original(transaction_id, document)
        raise httpx.ReadTimeout("the answer was lost")

    fake._refund = refund_then_lose_the_answer  # type: ignore[method-assign]
    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    fake._refund = original  # type: ignore[method-assign]
    assert refunds_of(client, world, order) == [("pending", None)]

    sweep(context)
    assert refunds_of(client, world, order) == [("succeeded", None)]
    refund_calls = [r for r in fake.received if r.path.endswith("/refund")]
    assert len(refund_calls) == 1
    assert fake.payment(merchant_token).transactions[0].refunded_amount == 2999
    assert check_ledger(context) == []


def test_a_payxpert_refund_never_received_is_sent_again(payxpert_app: Any) -> None:
    from axokey.services.sweeping import sweep

    client, fake, context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.checkout(order["id"])
    merchant_token = next(iter(fake.payments))
    fake.pay(merchant_token, CustomerOutcome.SUCCEED)
    deliver(client, client.posted[-1])
    fake.fail_next(httpx.ConnectError("refused"), path_suffix="/refund")
    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    assert refunds_of(client, world, order) == [("pending", None)]
    sweep(context)  # reconciled: PayXpert shows no trace of it, so it goes back to send
    sweep(context)  # sent
    assert refunds_of(client, world, order) == [("succeeded", None)]
    assert fake.payment(merchant_token).transactions[0].refunded_amount == 2999
    assert check_ledger(context) == []


def test_a_payxpert_refund_that_stays_unknown_reaches_the_operator(payxpert_app: Any) -> None:
    from axokey.services.refunding import CARD_REFUND_ATTEMPTS_MAX
    from axokey.services.sweeping import sweep

    client, fake, context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.checkout(order["id"])
    merchant_token = next(iter(fake.payments))
    sale = fake.pay(merchant_token, CustomerOutcome.SUCCEED)
    deliver(client, client.posted[-1])
    fake.fail_next(httpx.ConnectError("refused"), path_suffix="/refund")
    sale.refunded_amount = 1  # money left that no refund of ours explains
    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    for _ in range(CARD_REFUND_ATTEMPTS_MAX):
        sweep(context)
    assert refunds_of(client, world, order) == [("failed", "refund_outcome_unknown")]
    assert len([r for r in fake.received if r.path.endswith("/refund")]) == 1
    assert check_ledger(context) == []


def refunds_of(client: TestClient, world: Any, order: Any) -> list[tuple[str, Any]]:
    refunds = ok(
        client.get(f"/v1/refunds?order_id={order['id']}", headers=world.parties["M"].headers)
    )
    return [(r["status"], r["failure_code"]) for r in refunds["data"]]


# -- issue 14, "done when" ---------------------------------------------------------------


def customer_pays_and_comes_back(
    client: TestClient, fake: FakeConnect2Pay, world: Any, order: Any, outcomes: list[Any]
) -> Any:
    """The customer presses Pay on their page, is sent to PayXpert's page, makes the
    attempts, and PayXpert's page POSTs the browser back to ctrlRedirectURL."""
    customer_path = "/" + order["customer_url"].split("://", 1)[1].split("/", 1)[1]
    pressed = client.post(customer_path + "/pay", follow_redirects=False)
    assert pressed.status_code == 303
    assert pressed.headers["location"].startswith(fake.base_url + "/payment/")
    customer_token = pressed.headers["location"].rsplit("/", 1)[1]
    merchant_token = fake.payment(customer_token).merchant_token
    for outcome in outcomes:
        fake.pay(customer_token, outcome)
    back = fake.browser_return(merchant_token)
    assert back.url == order["customer_url"] + "/return"
    path = "/" + back.url.split("://", 1)[1].split("/", 1)[1]
    returned = client.post(path, data=back.fields, follow_redirects=False)
    assert returned.status_code == 303, returned.text[:300]
    assert returned.headers["location"].endswith(customer_path)
    return client.get(customer_path), merchant_token


def test_the_customer_comes_back_by_post_and_sees_paid(payxpert_app: Any) -> None:
    client, fake, context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    # The callback is not delivered (yet): the return alone synchronises the payment.
    page, _ = customer_pays_and_comes_back(
        client, fake, world, order, [CustomerOutcome.SUCCEED_AFTER_CHALLENGE]
    )
    assert page.status_code == 200
    assert 'data-order-status="paid"' in page.text
    assert 'id="short-code"' in page.text
    assert world.get_order(order["id"])["status"] == "paid"
    # The callback that arrives afterwards changes nothing.
    deliver(client, client.posted[-1])
    assert world.get_order(order["id"])["amounts"]["captured"] == 13589
    assert check_ledger(context) == []


def test_a_declined_attempt_then_a_paid_one_ends_paid_with_the_first_reason_recorded(
    payxpert_app: Any,
) -> None:
    from axokey.adapters.db.event_repository import events_of_order

    client, fake, context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    customer_path = "/" + order["customer_url"].split("://", 1)[1].split("/", 1)[1]
    pressed = client.post(customer_path + "/pay", follow_redirects=False)
    customer_token = pressed.headers["location"].rsplit("/", 1)[1]
    merchant_token = fake.payment(customer_token).merchant_token
    declined = fake.pay(customer_token, CustomerOutcome.DECLINE)
    deliver(client, client.posted[-1])  # "Pending": the page stays open
    payment = ok(
        client.get(
            f"/v1/payments/{ctrl_custom_data(fake, merchant_token)}",
            headers=world.parties["M"].headers,
        )
    )
    assert (payment["status"], payment["failure_code"]) == (
        "requires_payment_method",
        "card_declined",
    )
    seen = client.get(customer_path)
    # The customer's page is in the order's language (French by default).
    assert 'id="payment-failure"' in seen.text and "la carte a été refusée" in seen.text

    fake.pay(customer_token, CustomerOutcome.SUCCEED)
    back = fake.browser_return(merchant_token)
    path = "/" + back.url.split("://", 1)[1].split("/", 1)[1]
    assert client.post(path, data=back.fields, follow_redirects=False).status_code == 303
    assert 'data-order-status="paid"' in client.get(customer_path).text
    with context.database.read() as connection:
        recorded = events_of_order(connection, order["id"])
    failed = [data for kind, data in recorded if kind == "payment.attempt_failed"]
    assert [(d["failure_code"], d["provider_transaction_id"]) for d in failed] == [
        ("card_declined", declined.transaction_id)
    ]
    assert [kind for kind, _ in recorded].count("order.paid") == 1
    assert check_ledger(context) == []


def test_a_refund_answered_as_a_refund_request_ends_succeeded_after_confirmation(
    payxpert_app: Any,
) -> None:
    client, fake, context = payxpert_app
    fake.refund_mode = "refund_request"
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    customer_pays_and_comes_back(client, fake, world, order, [CustomerOutcome.SUCCEED])
    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    assert refunds_of(client, world, order) == [("succeeded", None)]
    paths = [r.path for r in fake.received if "/transaction/" in r.path]
    assert [p.rsplit("/", 2)[-2:] for p in paths] == [
        [paths[0].split("/")[2], "refund"],
        ["refund", "confirm"],
    ]
    assert check_ledger(context) == []


def test_a_refund_request_whose_confirmation_is_lost_is_confirmed_by_the_sweep(
    payxpert_app: Any,
) -> None:
    from axokey.services.sweeping import sweep

    client, fake, context = payxpert_app
    fake.refund_mode = "refund_request"
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    customer_pays_and_comes_back(client, fake, world, order, [CustomerOutcome.SUCCEED])
    fake.fail_next(httpx.ConnectError("down"), path_suffix="/refund/confirm")
    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    assert refunds_of(client, world, order) == [("pending", None)]
    sweep(context)
    assert refunds_of(client, world, order) == [("succeeded", None)]
    assert len([r for r in fake.received if r.path.endswith("/refund")]) == 1
    assert check_ledger(context) == []


def test_an_authorisation_instead_of_a_sale_alerts_the_operator_and_is_released(
    payxpert_app: Any,
) -> None:
    client, fake, context = payxpert_app
    fake.forced_operation = "authorize"  # the account's default operation
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    page, merchant_token = customer_pays_and_comes_back(
        client, fake, world, order, [CustomerOutcome.SUCCEED]
    )
    assert 'data-order-status="awaiting_payment"' in page.text
    cancels = [r for r in fake.received if r.path.endswith("/cancel")]
    assert len(cancels) == 1
    authorisation = fake.payment(merchant_token).transactions[0]
    assert cancels[0].path == f"/transaction/{authorisation.transaction_id}/cancel"
    payment = ok(
        client.get(
            f"/v1/payments/{ctrl_custom_data(fake, merchant_token)}",
            headers=world.parties["M"].headers,
        )
    )
    assert (payment["status"], payment["failure_code"]) == ("failed", "authorisation_released")
    alerts = ok(client.get("/v1/payment-alerts", headers=ADMIN))
    assert [(a["type"], a["data"]["reason"]) for a in alerts["data"]] == [
        ("payment.attention_required", "authorisation_instead_of_sale")
    ]
    assert alerts["data"][0]["data"]["order_id"] == order["id"]
    # The callback that follows changes nothing, and alerts nobody twice.
    assert deliver(client, client.posted[-1]) == {"status": "OK", "message": "Status recorded"}
    assert len([r for r in fake.received if r.path.endswith("/cancel")]) == 1
    assert len(ok(client.get("/v1/payment-alerts", headers=ADMIN))["data"]) == 1
    # The merchant reads the alerts of its own orders; a courier or a supplier none.
    own = ok(client.get("/v1/payment-alerts", headers=world.parties["M"].headers))["data"]
    assert [a["id"] for a in own] == [alerts["data"][0]["id"]]
    for party in ("C", "S1"):
        seen = ok(client.get("/v1/payment-alerts", headers=world.parties[party].headers))
        assert seen == {"data": [], "has_more": False}
    other = world.party("M2", "merchant")
    assert ok(client.get("/v1/payment-alerts", headers=other.headers))["data"] == []
    assert world.get_order(order["id"])["amounts"]["captured"] == 0
    assert check_ledger(context) == []


def test_an_authorisation_that_cannot_be_released_is_retried_by_the_callback(
    payxpert_app: Any,
) -> None:
    client, fake, context = payxpert_app
    fake.forced_operation = "authorize"
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.checkout(order["id"])
    merchant_token = next(iter(fake.payments))
    fake.pay(merchant_token, CustomerOutcome.SUCCEED)
    fake.fail_next(httpx.ConnectError("down"), path_suffix="/cancel")
    refused = client.post(
        "/v1/providers/payxpert/notifications",
        content=client.posted[-1].body,
        headers=client.posted[-1].headers,
    )
    # Stored and acknowledged (Connect2Pay's retries are not what recovers it): the
    # notification is left unprocessed for our reconciliation, or a resend.
    assert refused.status_code == 200
    reasons = [
        a["data"]["reason"] for a in ok(client.get("/v1/payment-alerts", headers=ADMIN))["data"]
    ]
    assert reasons == ["authorisation_release_failed", "authorisation_instead_of_sale"]
    deliver(client, client.posted[-1])  # resent: released now
    assert len([r for r in fake.received if r.path.endswith("/cancel")]) == 2
    authorisation = fake.payment(merchant_token).transactions[0]
    assert [t.operation for t in fake.payment(merchant_token).transactions] == [
        "authorize",
        "cancel",
    ]
    assert authorisation.operation == "authorize"
    assert check_ledger(context) == []


def test_an_unknown_result_code_alerts_the_operator_and_changes_nothing(
    payxpert_app: Any,
) -> None:
    client, fake, context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    customer_path = "/" + order["customer_url"].split("://", 1)[1].split("/", 1)[1]
    client.post(customer_path + "/pay", follow_redirects=False)
    merchant_token = next(iter(fake.payments))
    attempt = fake.pay(merchant_token, CustomerOutcome.DECLINE)
    attempt.result_code = "054"  # a code no PayXpert source we read lists
    assert deliver(client, client.posted[-1]) == {"status": "OK", "message": "Status recorded"}
    payment = ok(
        client.get(
            f"/v1/payments/{ctrl_custom_data(fake, merchant_token)}",
            headers=world.parties["M"].headers,
        )
    )
    assert (payment["status"], payment["failure_code"]) == ("requires_payment_method", None)
    alerts = ok(client.get("/v1/payment-alerts", headers=ADMIN))["data"]
    assert [a["data"]["reason"] for a in alerts] == ["unrecognised_answer"]
    assert "054" in alerts[0]["data"]["detail"]
    # Seen again (the customer's return): the same alert is not repeated.
    back = fake.browser_return(merchant_token)
    path = "/" + back.url.split("://", 1)[1].split("/", 1)[1]
    assert client.post(path, data=back.fields, follow_redirects=False).status_code == 303
    assert len(ok(client.get("/v1/payment-alerts", headers=ADMIN))["data"]) == 1
    assert check_ledger(context) == []


def test_a_customer_who_leaves_payxperts_page_comes_back_to_a_payable_order(
    payxpert_app: Any,
) -> None:
    client, fake, _context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    customer_path = "/" + order["customer_url"].split("://", 1)[1].split("/", 1)[1]
    pressed = client.post(customer_path + "/pay", follow_redirects=False)
    customer_token = pressed.headers["location"].rsplit("/", 1)[1]
    fake.cancel(customer_token)
    back = fake.browser_return(customer_token)
    path = "/" + back.url.split("://", 1)[1].split("/", 1)[1]
    assert client.post(path, data=back.fields, follow_redirects=False).status_code == 303
    seen = client.get(customer_path)
    assert 'data-order-status="awaiting_payment"' in seen.text
    assert "le paiement a été annulé" in seen.text and 'id="pay-form"' in seen.text


def test_the_return_route_refuses_another_link_and_survives_garbage(payxpert_app: Any) -> None:
    client, fake, _context = payxpert_app
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    customer_path = "/" + order["customer_url"].split("://", 1)[1].split("/", 1)[1]
    wrong = customer_path.rsplit("/", 1)[0] + "/" + "a" * 32
    assert client.post(wrong + "/return", data={"data": "x"}).status_code == 404
    assert client.get(wrong + "/return").status_code == 404
    # No payment yet, garbage posted: back to the page, nothing called.
    for fields in ({}, {"data": "garbage", "customer": "x"}, {"data": "A" * 5000}):
        returned = client.post(customer_path + "/return", data=fields, follow_redirects=False)
        assert returned.status_code == 303
    assert fake.received == []


def ctrl_custom_data(fake: FakeConnect2Pay, merchant_token: str) -> str:
    """Our payment id, as PayXpert gives it back (``ctrlCustomData``)."""
    custom = fake.payment(merchant_token).custom_data
    assert custom is not None
    return custom
