"""No charged customer is ever left without escrow (issue 7, part 2), both databases.

Each test plays one way a crash, a lost message or a provider can leave money the
provider took outside our escrow, and shows the sweep (or ``serve`` starting)
puts it right — captured, or refunded whole — through the same path as a
notification. Plus: notifications cost nothing when rejected, are purged after
their retention, are processed once per event under concurrency, and only the
configured provider has a notification route.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from axokey.adapters.db import notification_repository
from axokey.adapters.db.tables import (
    events,
    ledger_transfers,
    payments,
    provider_notifications,
    refunds,
    sandbox_notifications,
)
from axokey.adapters.providers.base import PaymentStatus, ProviderError, ProviderPaymentState
from axokey.adapters.providers.sandbox import SIGNATURE_HEADER, SandboxProvider
from axokey.api.background import PeriodicJob, sweep_job
from axokey.services import payments as payment_service
from axokey.services import signing, sweeping
from axokey.services.ledger import check_ledger
from tests.conftest import ADMIN, make_settings
from tests.scenario import SUCCEEDS, World, delivery_order, ok, spec_world

AFTER_SECONDS = 120  # the default payment_reconcile_after_seconds


@pytest.fixture
def world(client: Any) -> World:
    world = spec_world(client)
    world.agree("S1", 3000)
    world.agree("S2", 2000)
    return world


@pytest.fixture
def sandbox(context: Any) -> SandboxProvider:
    provider = context.providers["sandbox"]
    assert isinstance(provider, SandboxProvider)
    return provider


def cut_off(sandbox: SandboxProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app is unreachable (or dies) when the sandbox tries to tell it: each
    delivery fails, so the outbox keeps the notification."""

    def unreachable(_headers: Mapping[str, str], _body: bytes) -> None:
        raise ConnectionError("the app is down")

    monkeypatch.setattr(sandbox, "deliver", unreachable)


def checkout(world: World, order_id: str) -> dict[str, Any]:
    return ok(
        world.client.post(
            f"/v1/orders/{order_id}/checkout", json={}, headers=world.parties["M"].headers
        ),
        201,
    )


def pay(world: World, payment_id: str, card: str = SUCCEEDS) -> dict[str, Any]:
    return ok(
        world.client.post(f"/v1/sandbox/payments/{payment_id}/pay", json={"card_number": card})
    )


def reference_of(payment: dict[str, Any]) -> str:
    return str(payment["checkout_url"].rsplit("/", 1)[1])


def sweep_now(context: Any) -> sweeping.SweepReport:
    return sweeping.sweep(context)


def signed(context: Any, message: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    body = json.dumps(message, separators=(",", ":")).encode()
    signature = hmac.new(
        signing.sandbox_notification_key(context), body, hashlib.sha256
    ).hexdigest()
    return {SIGNATURE_HEADER: signature, "content-type": "application/json"}, body


def notify(client: Any, headers: dict[str, str], body: bytes, provider: str = "sandbox") -> Any:
    return client.post(f"/v1/providers/{provider}/notifications", content=body, headers=headers)


def charged_but_unescrowed(context: Any) -> list[str]:
    """Payments the sandbox took that our ledger neither captured nor refunded."""
    with context.database.read() as connection:
        rows = connection.execute(
            select(payments.c.id, payments.c.order_id, payments.c.provider_reference)
        ).all()
        transfer_ids = set(connection.execute(select(ledger_transfers.c.id)).scalars())
    sandbox = context.providers["sandbox"]
    lost = []
    for row in rows:
        if row.provider_reference is None:
            continue
        if sandbox.fetch_status(row.provider_reference).status is not PaymentStatus.SUCCEEDED:
            continue
        taken = (
            f"{row.order_id}:capture" in transfer_ids
            or f"{row.id}:capture" in transfer_ids
            or f"{row.id}:refund" in transfer_ids
        )
        if not taken:
            lost.append(row.id)
    return lost


def events_of(context: Any, event_type: str) -> list[Any]:
    with context.database.read() as connection:
        return list(
            connection.execute(
                select(events.c.data).where(events.c.type == event_type).order_by(events.c.seq)
            ).scalars()
        )


# --- a success the app was never told of -------------------------------------------


def test_a_notification_the_app_never_got_is_delivered_again_by_the_sweep(
    world: World, context: Any, sandbox: SandboxProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = delivery_order(world, "deposit")
    payment = checkout(world, order["id"])
    cut_off(sandbox, monkeypatch)
    assert pay(world, payment["id"])["status"] == "requires_payment_method"
    assert world.get_order(order["id"])["status"] == "awaiting_payment"
    assert charged_but_unescrowed(context) == [payment["id"]]
    with context.database.read() as connection:
        kept = connection.execute(select(sandbox_notifications)).all()
    assert [(row.status, row.attempts) for row in kept] == [("pending", 1)]

    monkeypatch.undo()  # the app is back
    report = sweep_now(context)
    assert report.notifications_processed == 0  # it came through the outbox, processed on arrival
    paid = world.get_order(order["id"])
    assert paid["status"] == "paid" and paid["amounts"]["captured"] == 13589
    assert charged_but_unescrowed(context) == []
    with context.database.read() as connection:
        assert connection.execute(select(sandbox_notifications.c.status)).scalars().all() == [
            "delivered"
        ]
    # A second sweep finds nothing more to do, and takes nothing twice.
    sweep_now(context)
    assert len(events_of(context, "order.paid")) == 1
    assert check_ledger(context) == []


def test_an_open_payment_is_asked_about_once_it_is_old_enough(
    world: World,
    context: Any,
    sandbox: SandboxProvider,
    monkeypatch: pytest.MonkeyPatch,
    clock: Any,
) -> None:
    """A provider that never notifies (its message lost for good): reconciliation
    asks it (``fetch_status``) once the payment is ``payment_reconcile_after_seconds``
    old, and captures exactly as a notification would."""
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"])
    cut_off(sandbox, monkeypatch)
    pay(world, payment["id"])
    with context.database.transaction() as connection:
        connection.execute(delete(sandbox_notifications))  # lost: never sent again
    monkeypatch.undo()

    assert sweep_now(context).payments_reconciled == 0  # too young to ask about
    assert world.get_order(order["id"])["status"] == "awaiting_payment"
    clock.advance(seconds=AFTER_SECONDS + 1)
    report = sweep_now(context)
    assert report.payments_reconciled == 1
    assert world.get_order(order["id"])["status"] == "paid"
    assert ok(world.client.get(f"/v1/payments/{payment['id']}", headers=ADMIN))["status"] == (
        "succeeded"
    )
    assert charged_but_unescrowed(context) == []
    assert check_ledger(context) == []


def test_an_unpaid_payment_is_asked_about_less_and_less_often(
    world: World, context: Any, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"])
    calls: list[str] = []
    sandbox = context.providers["sandbox"]
    fetch = sandbox.fetch_status

    def counting(reference: str) -> ProviderPaymentState:
        calls.append(reference)
        return fetch(reference)

    monkeypatch.setattr(sandbox, "fetch_status", counting)
    asked_at = []
    for minute in range(1, 40):
        clock.advance(seconds=60)
        before = len(calls)
        sweep_now(context)
        if len(calls) > before:
            asked_at.append(minute)
    # 2 min old, then after 4, 8, 16 more minutes: doubling, never every sweep.
    assert asked_at == [2, 6, 14, 30]
    with context.database.read() as connection:
        row = connection.execute(select(payments).where(payments.c.id == payment["id"])).one()
    assert row.status == "requires_payment_method" and row.reconcile_attempts == 4


def test_a_notification_stored_by_a_worker_that_died_is_processed_by_the_sweep(
    world: World,
    context: Any,
    sandbox: SandboxProvider,
    monkeypatch: pytest.MonkeyPatch,
    clock: Any,
) -> None:
    """The worker stored and claimed the notification, then was killed before
    processing it: after the claim's lease, the sweep processes it."""
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"])
    received: list[tuple[dict[str, str], bytes]] = []
    monkeypatch.setattr(sandbox, "deliver", lambda h, b: received.append((dict(h), b)))
    pay(world, payment["id"])
    [(headers, body)] = received
    event_id = json.loads(body)["event_id"]
    now = context.now()
    with context.database.transaction() as connection:  # what the dead worker committed
        assert notification_repository.store(
            connection,
            provider="sandbox",
            event_id=event_id,
            provider_reference=reference_of(payment),
            body=body,
            body_sha256=hashlib.sha256(body).hexdigest(),
            status=notification_repository.RECEIVED,
            detail=None,
            now=now,
        )
        assert notification_repository.claim(
            connection, "sandbox", event_id, now=now, stale_before=now
        )
    # Its provider sends it again meanwhile: another worker holds it, so no second run.
    assert ok(notify(world.client, headers, body)) == {"status": "duplicate"}
    assert sweep_now(context).notifications_processed == 0  # the claim is still fresh
    assert world.get_order(order["id"])["status"] == "awaiting_payment"

    clock.advance(seconds=AFTER_SECONDS + 1)
    assert sweep_now(context).notifications_processed == 1
    assert world.get_order(order["id"])["status"] == "paid"
    with context.database.read() as connection:
        row = connection.execute(select(provider_notifications)).one()
    assert (row.status, row.attempts, row.detail) == ("processed", 2, "captured")
    assert check_ledger(context) == []


def test_a_notification_whose_provider_cannot_be_asked_is_acknowledged_and_processed_later(
    world: World, context: Any, sandbox: SandboxProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"])
    received: list[tuple[dict[str, str], bytes]] = []
    monkeypatch.setattr(sandbox, "deliver", lambda h, b: received.append((dict(h), b)))
    pay(world, payment["id"])
    [(headers, body)] = received
    monkeypatch.undo()

    def down(_reference: str) -> ProviderPaymentState:
        raise ProviderError("status API down")

    monkeypatch.setattr(sandbox, "fetch_status", down)
    # Stored and acknowledged: the provider must not hold back its other messages.
    assert ok(notify(world.client, headers, body)) == {"status": "stored"}
    assert world.get_order(order["id"])["status"] == "awaiting_payment"
    monkeypatch.undo()
    assert sweep_now(context).notifications_processed == 1
    assert world.get_order(order["id"])["status"] == "paid"
    assert ok(notify(world.client, headers, body)) == {"status": "duplicate"}
    assert check_ledger(context) == []


def test_a_late_success_on_an_order_that_can_no_longer_take_it_is_refunded_whole(
    world: World,
    context: Any,
    sandbox: SandboxProvider,
    monkeypatch: pytest.MonkeyPatch,
    clock: Any,
) -> None:
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"])
    cut_off(sandbox, monkeypatch)
    pay(world, payment["id"])
    monkeypatch.undo()
    world.cancel(order["id"])  # the merchant cancels, not knowing the customer paid
    with context.database.transaction() as connection:
        connection.execute(delete(sandbox_notifications))
    clock.advance(seconds=AFTER_SECONDS + 1)
    sweep_now(context)
    refunded = world.refunds(order["id"])
    assert [(r["amount"], r["reason"], r["status"]) for r in refunded] == [
        (13589, "cancelled", "succeeded")
    ]
    assert world.get_order(order["id"])["status"] == "cancelled"
    assert charged_but_unescrowed(context) == []
    assert check_ledger(context) == []


def test_a_payment_whose_checkout_never_started_is_failed_not_left_open(
    world: World, context: Any, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between recording the intent and getting the provider's session: the
    customer never got a page, so the attempt is failed (and not asked about for
    ever)."""
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"])
    with context.database.transaction() as connection:
        connection.execute(
            update(payments)
            .where(payments.c.id == payment["id"])
            .values(provider_reference=None, checkout_url=None)
        )
    clock.advance(seconds=AFTER_SECONDS + 1)
    sweep_now(context)
    shown = ok(world.client.get(f"/v1/payments/{payment['id']}", headers=ADMIN))
    assert (shown["status"], shown["failure_code"]) == ("failed", "checkout_not_started")
    assert checkout(world, order["id"])["status"] == "requires_payment_method"  # retry works


# --- money in the wrong currency or amount ------------------------------------------------


def provider_reports(
    sandbox: SandboxProvider, monkeypatch: pytest.MonkeyPatch, **changes: Any
) -> None:
    """The provider says it took something else than we asked for."""
    fetch = sandbox.fetch_status

    def altered(reference: str) -> ProviderPaymentState:
        state = fetch(reference)
        if state.status is PaymentStatus.SUCCEEDED:
            return replace(state, **changes)
        return state

    monkeypatch.setattr(sandbox, "fetch_status", altered)


def test_money_in_another_currency_is_refunded_whole_in_that_currency_with_an_event(
    world: World, context: Any, sandbox: SandboxProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"])
    provider_reports(sandbox, monkeypatch, currency="USD", amount_minor=15000)
    pay(world, payment["id"])
    shown = ok(world.client.get(f"/v1/payments/{payment['id']}", headers=ADMIN))
    assert (shown["status"], shown["failure_code"]) == ("failed", "currency_mismatch")
    assert world.get_order(order["id"])["status"] == "awaiting_payment"
    with context.database.read() as connection:
        rows = connection.execute(select(refunds).where(refunds.c.order_id == order["id"])).all()
        moved = connection.execute(
            select(ledger_transfers).where(ledger_transfers.c.id == f"{payment['id']}:refund")
        ).one()
    # In the ledger, in dollars, owed back to the card: never outside the books.
    assert [(r.amount, r.currency, r.reason, r.payment_id) for r in rows] == [
        (15000, "USD", "currency_mismatch", payment["id"])
    ]
    assert (moved.amount, moved.debit_account_id, moved.credit_account_id) == (
        15000,
        f"acc_escrow_{payment['id']}",  # an escrow of its own, in dollars
        "acc_refunds_USD",
    )
    [refused] = events_of(context, "payment.refused")
    assert refused["payment_id"] == payment["id"] and refused["reason"] == "currency_mismatch"
    assert (refused["amount"], refused["currency"]) == (15000, "USD")
    # A replay of the news changes nothing: the payment is settled.
    assert payment_service.synchronise_payment(context, "sandbox", reference_of(payment)) == (
        "already_refunded"
    )
    assert len(events_of(context, "payment.refused")) == 1
    assert check_ledger(context) == []


def test_money_of_another_amount_is_refunded_whole_with_an_event(
    world: World, context: Any, sandbox: SandboxProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"])
    provider_reports(sandbox, monkeypatch, amount_minor=100)
    pay(world, payment["id"])
    refunded = world.refunds(order["id"])
    assert [(r["amount"], r["reason"]) for r in refunded] == [(100, "amount_mismatch")]
    [refused] = events_of(context, "payment.refused")
    assert (refused["reason"], refused["amount"], refused["expected_amount"]) == (
        "amount_mismatch",
        100,
        13589,
    )
    assert check_ledger(context) == []


# --- notifications: nothing stored for free -------------------------------------------------


def test_a_rejected_notification_keeps_a_hash_and_a_short_prefix_not_its_body(
    client: Any, context: Any
) -> None:
    body = b'{"event_id":"x","reference":"y","padding":"' + b"A" * 200_000 + b'"}'
    response = notify(client, {SIGNATURE_HEADER: "0" * 64}, body)
    assert response.status_code == 403 and response.json()["code"] == "invalid_notification"
    with context.database.read() as connection:
        [row] = connection.execute(select(provider_notifications)).all()
    assert row.status == "rejected"
    assert len(row.body) <= 64 and body.startswith(bytes(row.body))
    assert row.body_sha256 == hashlib.sha256(body).hexdigest()
    # The same rejected body again: one row, not two.
    assert notify(client, {SIGNATURE_HEADER: "0" * 64}, body).status_code == 403
    with context.database.read() as connection:
        assert len(connection.execute(select(provider_notifications)).all()) == 1


def test_notifications_are_purged_after_their_retention_but_unprocessed_ones_stay(
    world: World,
    context: Any,
    clock: Any,
    sandbox: SandboxProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = delivery_order(world, "escrow")
    pay(world, checkout(world, order["id"])["id"])  # one processed notification
    assert notify(world.client, {SIGNATURE_HEADER: "0" * 64}, b"forged").status_code == 403
    # And one that cannot be processed: its provider cannot be asked, ever.
    other = checkout(world, delivery_order(world, "escrow")["id"])
    headers, body = signed(context, {"event_id": "late:1", "reference": reference_of(other)})

    def down(_reference: str) -> ProviderPaymentState:
        raise ProviderError("status API down")

    monkeypatch.setattr(sandbox, "fetch_status", down)
    assert ok(notify(world.client, headers, body)) == {"status": "stored"}
    clock.advance(seconds=context.settings.provider_notification_retention_seconds - 60)
    assert sweep_now(context).notifications_purged == 0
    clock.advance(seconds=120)
    assert sweep_now(context).notifications_purged == 2
    with context.database.read() as connection:
        left = connection.execute(
            select(provider_notifications.c.event_id, provider_notifications.c.status)
        ).all()
    assert [tuple(row) for row in left] == [("late:1", "received")]


def test_the_sandbox_has_no_notification_route_when_it_is_not_the_provider(
    database_url: str, clock: Any
) -> None:
    from fastapi.testclient import TestClient

    from axokey.adapters.db.engine import Database, make_engine
    from axokey.api.app import create_app
    from axokey.bootstrap import bootstrap

    settings = make_settings(
        database_url,
        provider="payxpert",
        payxpert_originator="104211",
        payxpert_password="c2p-test-password",
    )
    context = bootstrap(settings, database=Database(make_engine(database_url)), clock=clock)
    try:
        with TestClient(create_app(context=context)) as client:
            headers, body = signed(context, {"event_id": "e:1", "reference": "sbx_x"})
            for forged in (body, b"x" * 10_000):
                response = notify(client, headers, forged)
                assert response.status_code == 404
                assert response.json()["code"] == "unknown_provider"
            sweep = client.post(
                "/v1/sandbox/sweep", json={"as_of": "2030-01-01T00:00:00Z"}, headers=ADMIN
            )
            assert sweep.status_code == 404
        with context.database.read() as connection:
            assert connection.execute(select(provider_notifications)).all() == []
    finally:
        context.database.dispose()


# --- once per event, under concurrency -------------------------------------------------------


def run_at_once(calls: list[Callable[[], str]]) -> list[str]:
    barrier = threading.Barrier(len(calls))
    results = [""] * len(calls)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert errors == [], errors
    return results


DUPLICATES = 24
ROUNDS = 4


def test_concurrent_duplicate_notifications_are_processed_exactly_once(
    world: World, context: Any, sandbox: SandboxProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """24 threads deliver the same event at once, in 4 rounds (one payment each):
    the provider is asked once per event, the money captured once. On PostgreSQL
    (CI) the threads really overlap; on SQLite writers queue."""
    received: list[tuple[dict[str, str], bytes]] = []
    monkeypatch.setattr(sandbox, "deliver", lambda h, b: received.append((dict(h), b)))
    asked: list[str] = []
    lock = threading.Lock()
    fetch = sandbox.fetch_status

    def counting(reference: str) -> ProviderPaymentState:
        with lock:
            asked.append(reference)
        time.sleep(0.01)  # widen the window between store and process
        return fetch(reference)

    monkeypatch.setattr(sandbox, "fetch_status", counting)
    for _ in range(ROUNDS):
        order = delivery_order(world, "deposit")
        payment = checkout(world, order["id"])
        received.clear()
        pay(world, payment["id"])
        [(headers, body)] = received
        asked.clear()
        outcomes = run_at_once(
            [
                lambda: payment_service.receive_notification(context, "sandbox", headers, body)
                for _ in range(DUPLICATES)
            ]
        )
        assert sorted(outcomes) == ["duplicate"] * (DUPLICATES - 1) + ["processed"]
        assert asked == [reference_of(payment)]  # one processing, one question
        with context.database.read() as connection:
            row = connection.execute(
                select(provider_notifications).where(
                    provider_notifications.c.event_id == json.loads(body)["event_id"]
                )
            ).one()
            captures = connection.execute(
                select(ledger_transfers.c.id).where(
                    ledger_transfers.c.order_id == order["id"],
                    ledger_transfers.c.code == "capture",
                )
            ).all()
        assert (row.status, row.attempts, row.detail) == ("processed", 1, "captured")
        assert len(captures) == 1
    assert len(events_of(context, "order.paid")) == ROUNDS
    assert check_ledger(context) == []


# --- serve reconciles when it starts ----------------------------------------------------------


def test_serve_reconciles_as_soon_as_it_starts(
    world: World, context: Any, sandbox: SandboxProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = delivery_order(world, "escrow")
    payment = checkout(world, order["id"])
    cut_off(sandbox, monkeypatch)
    pay(world, payment["id"])
    monkeypatch.undo()
    # A sweep every hour: only the start-up round can capture within the test.
    hourly = replace(
        context, settings=context.settings.model_copy(update={"sweep_interval_seconds": 3600})
    )
    periodic = PeriodicJob(sweep_job(hourly))
    periodic.start()
    try:
        deadline = time.monotonic() + 30
        while world.get_order(order["id"])["status"] != "paid":
            assert time.monotonic() < deadline, "serve did not reconcile at start"
            time.sleep(0.05)
    finally:
        periodic.stop()
    assert charged_but_unescrowed(context) == []
    assert check_ledger(context) == []
