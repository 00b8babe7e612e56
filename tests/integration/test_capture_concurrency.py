"""Concurrent provider notifications capture a payment exactly once (both databases).

The sandbox's notifications are held back (not delivered), so the payments have
succeeded at the provider while the app knows nothing; then 16 threads deliver
notifications (the same event, distinct events) and synchronise the payments at
once, as a provider retrying and a reconciliation job would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from sqlalchemy import select

from axokey.adapters.db.tables import ledger_transfers, orders, payments, refunds
from axokey.adapters.providers.sandbox import SIGNATURE_HEADER, SandboxProvider
from axokey.services import signing
from axokey.services.ledger import check_ledger
from axokey.services.payments import receive_notification, synchronise_payment
from tests.scenario import SUCCEEDS, World, delivery_order, ok, spec_world

THREADS = 16


@pytest.fixture
def world(client: Any, context: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    sandbox = context.providers["sandbox"]
    assert isinstance(sandbox, SandboxProvider)

    def hold_back(_headers: Mapping[str, str], _body: bytes) -> None:
        return None

    monkeypatch.setattr(sandbox, "deliver", hold_back)
    world = spec_world(client)
    world.agree("S1", 3000)
    world.agree("S2", 2000)
    return world


def succeeded_at_provider(world: World, order_id: str) -> tuple[str, str]:
    """A checkout paid on the sandbox's page; the app has not been told."""
    payment = ok(
        world.client.post(
            f"/v1/orders/{order_id}/checkout", json={}, headers=world.parties["M"].headers
        ),
        201,
    )
    paid = ok(
        world.client.post(
            f"/v1/sandbox/payments/{payment['id']}/pay", json={"card_number": SUCCEEDS}
        )
    )
    assert paid["status"] == "requires_payment_method"  # the app does not know yet
    return payment["id"], payment["checkout_url"].rsplit("/", 1)[1]


def notification(context: Any, reference: str, event: str) -> tuple[dict[str, str], bytes]:
    body = json.dumps(
        {"event_id": f"{reference}:{event}", "reference": reference}, separators=(",", ":")
    ).encode()
    signature = hmac.new(
        signing.sandbox_notification_key(context), body, hashlib.sha256
    ).hexdigest()
    return {SIGNATURE_HEADER: signature, "content-type": "application/json"}, body


def run_at_once(calls: list[Callable[[], str]]) -> list[str]:
    """Run every call in its own thread, all released together; re-raise any error."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = [""] * len(calls)
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


def money_rows(context: Any, order_id: str) -> tuple[list[Any], list[Any], list[Any]]:
    with context.database.read() as connection:
        transfers = connection.execute(
            select(ledger_transfers).where(ledger_transfers.c.order_id == order_id)
        ).all()
        payment_rows = connection.execute(
            select(payments).where(payments.c.order_id == order_id)
        ).all()
        refund_rows = connection.execute(
            select(refunds).where(refunds.c.order_id == order_id)
        ).all()
    return transfers, payment_rows, refund_rows


def order_status(context: Any, order_id: str) -> str:
    with context.database.read() as connection:
        return str(
            connection.execute(select(orders.c.status).where(orders.c.id == order_id)).scalar()
        )


def test_concurrent_duplicate_notifications_capture_once(world: World, context: Any) -> None:
    order = delivery_order(world, "deposit")
    _payment_id, reference = succeeded_at_provider(world, order["id"])
    same_event = notification(context, reference, "1")
    calls: list[Callable[[], str]] = []
    for index in range(THREADS):
        if index % 4 == 0:
            calls.append(lambda: synchronise_payment(context, "sandbox", reference))
        elif index % 4 == 1:
            headers, body = notification(context, reference, f"retry-{index}")
            calls.append(lambda h=headers, b=body: receive_notification(context, "sandbox", h, b))
        else:
            calls.append(lambda: receive_notification(context, "sandbox", *same_event))
    outcomes = run_at_once(calls)

    # (receive_notification answers "processed" or "duplicate", whatever it did.)
    counted = Counter(outcomes)
    assert counted["captured"] <= 1, counted
    assert set(counted) <= {"captured", "already_succeeded", "processed", "duplicate"}
    transfers, payment_rows, refund_rows = money_rows(context, order["id"])
    assert Counter(t.code for t in transfers) == {"capture": 1, "deposit": 2, "hold": 5}
    assert [t.amount for t in transfers if t.code == "capture"] == [13589]
    assert [p.status for p in payment_rows] == ["succeeded"]
    assert refund_rows == []
    assert order_status(context, order["id"]) == "paid"
    assert world.balance("S1") == {"held": 4900, "available": 2100, "paid_out": 0}
    assert check_ledger(context) == []


def test_two_payments_succeeding_at_once_capture_one_and_refund_the_other(
    world: World, context: Any
) -> None:
    order = delivery_order(world, "escrow")
    first = succeeded_at_provider(world, order["id"])
    second = succeeded_at_provider(world, order["id"])
    calls: list[Callable[[], str]] = []
    for index in range(THREADS):
        _payment_id, reference = (first, second)[index % 2]
        if index % 4 < 2:
            calls.append(lambda r=reference: synchronise_payment(context, "sandbox", r))
        else:
            headers, body = notification(context, reference, "1")
            calls.append(lambda h=headers, b=body: receive_notification(context, "sandbox", h, b))
    outcomes = run_at_once(calls)

    counted = Counter(outcomes)
    assert counted["captured"] <= 1 and counted["refunded"] <= 1, counted
    transfers, payment_rows, refund_rows = money_rows(context, order["id"])
    captures = [t for t in transfers if t.code == "capture"]
    assert sorted(t.amount for t in captures) == [13589, 13589]
    assert {p.status for p in payment_rows} == {"succeeded"}
    assert [(r.amount, r.reason, r.status) for r in refund_rows] == [
        (13589, "duplicate_payment", "succeeded")
    ]
    refunded_payment = refund_rows[0].payment_id
    assert refunded_payment in {first[0], second[0]}
    assert order_status(context, order["id"]) == "paid"
    paid = world.get_order(order["id"])
    assert paid["amounts"]["held"] == 13589
    assert world.balance("M") == {"held": 3999, "available": 0, "paid_out": 0}
    assert check_ledger(context) == []
