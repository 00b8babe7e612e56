"""Redemption and the sweep under concurrency, on the real database.

On SQLite this exercises the serialised writer (``BEGIN IMMEDIATE``); on
PostgreSQL the order row lock (``SELECT … FOR UPDATE``) and the ledger's account
locks. Whatever the interleaving: money moves exactly once, and every ledger
invariant holds afterwards.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from axokey.adapters.db.tables import ledger_transfers, redemptions, refunds
from axokey.api.app import create_app
from axokey.domain.errors import AxokeyError
from axokey.domain.redemption import Handover
from axokey.services import redeeming, sweeping
from axokey.services.ledger import check_ledger
from axokey.services.parties import authenticate
from tests.scenario import World, delivery_order, money_snapshot, spec_world

THREADS = 20


def run_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released together; return each outcome
    (its result, or the ``AxokeyError`` it raised). Anything else fails the test."""
    barrier = threading.Barrier(count)
    outcomes: list[Any] = [None] * count
    unexpected: list[BaseException] = []

    def target(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = work(index)
        except AxokeyError as error:
            outcomes[index] = error
        except BaseException as error:
            unexpected.append(error)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    assert unexpected == [], unexpected
    return outcomes


def deposit_world(client: Any) -> World:
    world = spec_world(client)
    world.agree("S1", 3000)
    world.agree("S2", 2000)
    return world


def count_rows(context: Any, table: Any, **where: str) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with context.database.read() as connection:
        return int(connection.execute(query).scalar_one())


def test_twenty_couriers_scanning_at_once_release_once(client: Any, context: Any) -> None:
    world = deposit_world(client)
    order = delivery_order(world, "deposit")
    world.pay(order["id"])
    line1, line2 = order["lines"]
    code = world.code(order["id"])
    courier = authenticate(context, world.parties["C"].key)
    transfers_before = count_rows(context, ledger_transfers)

    outcomes = run_at_once(
        THREADS,
        lambda _: redeeming.redeem_order(
            context,
            courier,
            code=code,
            handovers=[Handover(line1["id"])],
            gtins=[],
            complete=True,
        ),
    )
    won = [o for o in outcomes if isinstance(o, redeeming.Redemption)]
    lost = [o for o in outcomes if isinstance(o, AxokeyError)]
    assert len(won) == 1
    assert len(lost) == THREADS - 1
    assert {(error.status, error.code) for error in lost} == {(409, "already_redeemed")}

    # Example B's figures, exactly once.
    done = world.get_order(order["id"])
    assert done["status"] == "completed"
    assert done["amounts"] == {"captured": 13589, "released": 10990, "refunded": 2599, "held": 0}
    assert world.balance("S1") == {"held": 0, "available": 7000, "paid_out": 0}
    assert world.balance("S2") == {"held": 0, "available": 400, "paid_out": 0}
    assert world.balance("M") == {"held": 0, "available": 3000, "paid_out": 0}
    assert world.balance("C") == {"held": 0, "available": 590, "paid_out": 0}
    assert count_rows(context, redemptions, order_id=order["id"]) == 1
    assert count_rows(context, refunds, order_id=order["id"]) == 1
    # Line 1's 2 holds posted, line 2's 2 holds voided and its refund, the courier's
    # post, the card refund going out: 7 transfers.
    assert count_rows(context, ledger_transfers) == transfers_before + 7
    assert check_ledger(context) == []
    _ = line2


def test_scans_of_different_lines_at_once_each_release_once(client: Any, context: Any) -> None:
    """Half the devices scan line 1, half line 2: one success per line, one fee."""
    world = deposit_world(client)
    order = delivery_order(world, "deposit")
    world.pay(order["id"])
    line_ids = [line["id"] for line in order["lines"]]
    code = world.code(order["id"])
    courier = authenticate(context, world.parties["C"].key)

    outcomes = run_at_once(
        THREADS,
        lambda i: redeeming.redeem_order(
            context,
            courier,
            code=code,
            handovers=[Handover(line_ids[i % 2])],
            gtins=[],
            complete=False,
        ),
    )
    won = [o for o in outcomes if isinstance(o, redeeming.Redemption)]
    assert sorted(r.decision.releases[0].line_id for r in won) == sorted(line_ids)
    assert sum(r.decision.courier_fee_released for r in won) == 590
    assert Counter(o.code for o in outcomes if isinstance(o, AxokeyError)) == {
        "already_redeemed": THREADS - 2
    }
    done = world.get_order(order["id"])
    assert done["status"] == "completed"
    assert done["amounts"] == {"captured": 13589, "released": 13589, "refunded": 0, "held": 0}
    assert world.balances()["C"] == {"held": 0, "available": 590, "paid_out": 0}
    assert check_ledger(context) == []


def test_concurrent_double_scan_over_http(client: Any, context: Any) -> None:
    """Each device its own HTTP client: one 201, every other scan 409."""
    world = deposit_world(client)
    order = delivery_order(world, "deposit")
    world.pay(order["id"])
    line1, _ = order["lines"]
    body = {"code": world.short_code(order["id"]), "lines": [{"line_id": line1["id"]}]}
    headers = world.parties["C"].headers
    app = create_app(context=context)
    devices = [TestClient(app, raise_server_exceptions=False) for _ in range(THREADS)]

    responses = run_at_once(
        THREADS, lambda i: devices[i].post("/v1/redemptions", json=body, headers=headers)
    )
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 1, 409: THREADS - 1}, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_redeemed"}
    assert world.balance("S1") == {"held": 0, "available": 7000, "paid_out": 0}
    assert world.balance("M") == {"held": 999, "available": 3000, "paid_out": 0}
    assert world.balance("C") == {"held": 0, "available": 590, "paid_out": 0}
    assert world.get_order(order["id"])["amounts"]["held"] == 2999 - 400
    assert check_ledger(context) == []


def _due_orders(world: World, count: int) -> tuple[list[Any], datetime]:
    orders = []
    for _ in range(count):
        order = delivery_order(world, "deposit")
        world.pay(order["id"])
        orders.append(world.get_order(order["id"]))
    return orders, max(datetime.fromisoformat(o["redeem_by"]) for o in orders)


def test_two_sweeps_at_once_refund_exactly_once(client: Any, context: Any) -> None:
    world = deposit_world(client)
    orders, deadline = _due_orders(world, 4)
    transfers_before = count_rows(context, ledger_transfers)

    reports = run_at_once(2, lambda _: sweeping.sweep(context, as_of=deadline))
    assert sum(report.lines_refunded for report in reports) == 2 * len(orders)
    assert sum(report.amount_refunded for report in reports) == 11089 * len(orders)
    for order in orders:
        done = world.get_order(order["id"])
        assert done["status"] == "expired"
        expected = {"captured": 13589, "released": 2500, "refunded": 11089, "held": 0}
        assert done["amounts"] == expected
        assert count_rows(context, refunds, order_id=order["id"]) == 3
        refund_transfers = count_rows(
            context, ledger_transfers, order_id=order["id"], code="refund"
        )
        assert refund_transfers == 3
    # Per order: 4 holds expired, the fee's hold expired, 3 refunds, 3 card refunds out.
    assert count_rows(context, ledger_transfers) == transfers_before + 11 * len(orders)
    assert world.balance("S1") == {"held": 0, "available": 2100 * len(orders), "paid_out": 0}
    assert world.balance("C") == {"held": 0, "available": 0, "paid_out": 0}
    assert check_ledger(context) == []


def test_a_scan_racing_the_sweep_either_redeems_or_finds_the_order_expired(
    client: Any, context: Any
) -> None:
    world = deposit_world(client)
    (order,), deadline = _due_orders(world, 1)
    line1, _ = order["lines"]
    courier = authenticate(context, world.parties["C"].key)
    code = world.code(order["id"])

    def work(index: int) -> Any:
        if index == 0:
            return sweeping.sweep(context, as_of=deadline)
        return redeeming.redeem_order(
            context, courier, code=code, handovers=[Handover(line1["id"])], gtins=[], complete=True
        )

    report, scan = run_at_once(2, work)
    done = world.get_order(order["id"])
    if isinstance(scan, redeeming.Redemption):
        assert report.lines_refunded == 0
        assert done["status"] == "completed"
        assert done["amounts"]["released"] == 10990
    else:
        assert (scan.status, scan.code) == (409, "order_expired")
        assert report.lines_refunded == 2
        assert done["status"] == "expired"
        assert done["amounts"]["refunded"] == 11089
    assert done["amounts"]["held"] == 0
    assert check_ledger(context) == []


def test_a_sweep_whose_clock_moves_on_leaves_no_order_stuck(client: Any, context: Any) -> None:
    """A sweep takes time: orders that fall due while it runs must not have their
    holds expired behind their back (the next sweep refunds them as usual)."""
    world = deposit_world(client)
    (order,), deadline = _due_orders(world, 1)
    readings = iter([deadline - timedelta(milliseconds=1)])

    def moving_clock() -> datetime:
        # The first reading is just before the deadline; the sweep ends after it.
        return next(readings, deadline + timedelta(seconds=1))

    first = sweeping.sweep(replace(context, clock=moving_clock))
    assert first.lines_refunded == 0
    before = money_snapshot(world, context)
    assert world.get_order(order["id"])["status"] == "paid"

    second = sweeping.sweep(context, as_of=deadline + timedelta(seconds=2))
    assert second.lines_refunded == 2
    done = world.get_order(order["id"])
    assert done["status"] == "expired"
    assert done["amounts"] == {"captured": 13589, "released": 2500, "refunded": 11089, "held": 0}
    assert money_snapshot(world, context) != before
    assert check_ledger(context) == []
