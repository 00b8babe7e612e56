"""The transactional outbox: every state change of an order writes its event, in
the same transaction as the change (a change rolled back leaves no event, an event
never tells of a change that did not happen)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from axokey.adapters.db.event_repository import events_of_order
from axokey.adapters.db.tables import events, ledger_transfers, redemptions, refunds
from axokey.services import ordering, redeeming, sweeping
from axokey.services.ledger import check_ledger
from tests.scenario import World, delivery_order, money_snapshot, spec_world


def event_types(context: Any, order_id: str) -> list[str]:
    with context.database.read() as connection:
        return [kind for kind, _ in events_of_order(connection, order_id)]


def events_by_type(context: Any, order_id: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    with context.database.read() as connection:
        for kind, data in events_of_order(connection, order_id):
            found.setdefault(kind, []).append(data)
    return found


def count(context: Any, table: Any) -> int:
    with context.database.read() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_example_a_tells_its_story_in_events(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    line1, line2 = order["lines"]
    assert event_types(context, order["id"]) == ["order.created"]
    world.pay(order["id"])
    assert event_types(context, order["id"]) == ["order.created", "order.paid"]
    result = world.redeem(
        "C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True
    )
    assert event_types(context, order["id"]) == [
        "order.created",
        "order.paid",
        "line.released",
        "line.refunded",
        "order.redeemed",
        "order.completed",
        "refund.succeeded",
    ]
    found = events_by_type(context, order["id"])
    assert found["order.created"][0]["amount_total"] == 13589
    assert found["order.paid"][0] == {
        "order_id": order["id"],
        "order_status": "paid",
        "amount_total": 13589,
        "deposits": 0,
    }
    released = found["line.released"][0]
    assert (released["line_id"], released["amount"], released["commission"]) == (
        line1["id"],
        7000,
        3000,
    )
    assert released["supplier_id"] == world.parties["S1"].id
    refunded = found["line.refunded"][0]
    assert (refunded["line_id"], refunded["amount"], refunded["reason"]) == (
        line2["id"],
        2999,
        "missing",
    )
    redeemed = found["order.redeemed"][0]
    assert redeemed["professional_id"] == world.parties["C"].id
    assert (redeemed["released"], redeemed["refunded"]) == ([line1["id"]], [line2["id"]])
    succeeded = found["refund.succeeded"][0]
    assert succeeded["refund_id"] == result["refunded"][0]["refund_id"]
    assert (succeeded["amount"], succeeded["method"], succeeded["order_id"]) == (
        2999,
        "card",
        order["id"],
    )
    assert {data["order_id"] for kinds in found.values() for data in kinds} == {order["id"]}

    # Each event is addressed to the order's parties that may read it (for webhooks
    # and the events API): a line's event never to another supplier.
    with context.database.read() as connection:
        addressed = connection.execute(
            select(events.c.type, events.c.party_ids).where(events.c.order_id == order["id"])
        ).all()
    ids = {name: world.parties[name].id for name in ("M", "S1", "S2", "C")}
    expected = {
        "line.released": {ids["M"], ids["S1"], ids["C"]},
        "line.refunded": {ids["M"], ids["S2"], ids["C"]},
        "refund.succeeded": {ids["M"], ids["S2"], ids["C"]},
    }
    for kind, party_ids in addressed:
        assert set(party_ids) == expected.get(kind, set(ids.values())), kind


def test_example_c_tells_its_story_in_events(client: Any, context: Any) -> None:
    world = spec_world(client)
    today = datetime.now(UTC).date()
    kayak_date = today + timedelta(days=4)
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
                "service_date": kayak_date.isoformat(),
            },
        ],
    )
    night, kayak = order["lines"]
    world.pay(order["id"])
    world.redeem("H", world.code(order["id"]), lines=[{"line_id": night["id"]}])
    assert event_types(context, order["id"]) == [
        "order.created",
        "order.paid",
        "line.released",
        "order.redeemed",
    ]
    deadline = datetime.combine(kayak_date + timedelta(days=1), datetime.min.time(), UTC)
    world.sweep(deadline + timedelta(seconds=context.settings.itinerary_grace_seconds))
    assert event_types(context, order["id"]) == [
        "order.created",
        "order.paid",
        "line.released",
        "order.redeemed",
        "line.refunded",
        "order.completed",
        "refund.succeeded",
    ]
    found = events_by_type(context, order["id"])
    assert found["order.paid"][0]["deposits"] == 5400
    assert (found["line.released"][0]["amount"], found["line.released"][0]["commission"]) == (
        15000,
        4000,
    )
    assert found["order.redeemed"][0]["professional_id"] == world.parties["H"].id
    refunded = found["line.refunded"][0]
    assert (refunded["line_id"], refunded["amount"], refunded["reason"]) == (
        kayak["id"],
        4100,
        "expired",
    )
    assert found["order.completed"][0]["order_status"] == "completed"
    assert found["refund.succeeded"][0]["amount"] == 4100


def test_cancel_and_expiry_tell_theirs(client: Any, context: Any) -> None:
    world = spec_world(client)
    cancelled = delivery_order(world, "escrow")
    world.pay(cancelled["id"])
    world.cancel(cancelled["id"])
    assert event_types(context, cancelled["id"]) == [
        "order.created",
        "order.paid",
        "line.refunded",
        "line.refunded",
        "order.cancelled",
        "refund.succeeded",
        "refund.succeeded",
        "refund.succeeded",
    ]
    assert events_by_type(context, cancelled["id"])["order.cancelled"][0]["refunded"] == 13589

    expired = delivery_order(world, "escrow")
    world.pay(expired["id"])
    world.sweep(datetime.fromisoformat(expired["redeem_by"]))
    assert event_types(context, expired["id"]) == [
        "order.created",
        "order.paid",
        "line.refunded",
        "line.refunded",
        "order.expired",
        "refund.succeeded",
        "refund.succeeded",
        "refund.succeeded",
    ]

    unpaid = delivery_order(world, "escrow")
    world.cancel(unpaid["id"])
    assert event_types(context, unpaid["id"]) == ["order.created", "order.cancelled"]


def test_a_failed_card_refund_writes_refund_failed(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"], card="4000000000005126")
    world.redeem("C", world.code(order["id"]), complete=True)
    types = event_types(context, order["id"])
    assert types.count("refund.failed") == 3  # two lines and the fee
    assert "refund.succeeded" not in types
    failed = events_by_type(context, order["id"])["refund.failed"]
    assert {data["failure_code"] for data in failed} == {"refund_declined"}
    assert sorted(data["amount"] for data in failed) == [590, 2999, 10000]
    assert check_ledger(context) == []


def test_a_refused_scan_writes_no_event(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    code = world.code(order["id"])
    before = count(context, events)
    world.redeem("S1", code, expect=404, complete=True)
    world.redeem("C", code, expect=422, lines=[{"line_id": "ln_not_in_this_order"}])
    world.redeem("C", "AXK1:K1:not-a-token", expect=404, complete=True)
    assert count(context, events) == before
    world.redeem("C", code, complete=True)
    before = count(context, events)
    world.redeem("C", code, expect=409, complete=True)
    world.cancel(order["id"], expect=409)
    assert count(context, events) == before


class Boom(RuntimeError):
    pass


def _fail_after_writing(monkeypatch: pytest.MonkeyPatch, module: Any) -> None:
    """The events are written, then the use case fails before it commits."""
    real = module.record_order_events

    def write_then_fail(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise Boom("the transaction fails after writing its events")

    monkeypatch.setattr(module, "record_order_events", write_then_fail)


def _nothing_changed(world: World, context: Any, order_id: str, before: Any, types: Any) -> None:
    assert money_snapshot(world, context) == before
    assert event_types(context, order_id) == types
    assert world.get_order(order_id)["status"] == "paid"


def test_a_failed_redemption_leaves_neither_money_nor_events(
    client: Any, context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    code = world.code(order["id"])
    before, types = money_snapshot(world, context), event_types(context, order["id"])
    counts = (
        count(context, ledger_transfers),
        count(context, refunds),
        count(context, redemptions),
    )

    _fail_after_writing(monkeypatch, redeeming)
    response = client.post(
        "/v1/redemptions", json={"code": code, "complete": True}, headers=world.parties["C"].headers
    )
    assert response.status_code == 500
    _fail_after_writing(monkeypatch, ordering)
    response = client.post(f"/v1/orders/{order['id']}/cancel", headers=world.parties["M"].headers)
    assert response.status_code == 500
    _fail_after_writing(monkeypatch, sweeping)
    with pytest.raises(Boom):
        sweeping.sweep(context, as_of=datetime.fromisoformat(order["redeem_by"]))

    _nothing_changed(world, context, order["id"], before, types)
    assert counts == (
        count(context, ledger_transfers),
        count(context, refunds),
        count(context, redemptions),
    )
    monkeypatch.undo()
    world.redeem("C", code, complete=True)
    assert event_types(context, order["id"])[-1] == "refund.succeeded"
    assert check_ledger(context) == []
