"""Payout batches under concurrency, on the real database.

On PostgreSQL: the per-currency lock row (``SELECT … FOR UPDATE``), the ledger's
account locks and the batch row lock; on SQLite the serialised writer. Whatever
the interleaving, no money is in two batches, a batch is confirmed once, a
cut-off gets one batch, and every invariant holds afterwards.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from axokey.config import Settings
from axokey.domain.errors import AxokeyError
from axokey.domain.redemption import Handover
from axokey.services import payouts, redeeming
from axokey.services.ledger import check_ledger
from axokey.services.parties import authenticate
from tests.conftest import ADMIN_KEY, make_settings
from tests.integration.test_redemption_concurrency import run_at_once
from tests.payouts_scenario import OPERATOR, balance, make_payable
from tests.scenario import delivery_order, spec_world

CREATORS = 8


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, **OPERATOR, payout_minimum_minor=1)


def payable_world(client: Any, orders: int) -> tuple[Any, list[Any]]:
    world = spec_world(client)
    for name in ("S1", "S2", "M", "C"):
        make_payable(world, name)
    paid = []
    for _ in range(orders):
        order = delivery_order(world, "escrow")
        world.pay(order["id"])
        paid.append(world.get_order(order["id"]))
    return world, paid


def test_batches_created_at_once_never_hold_the_same_money(client: Any, context: Any) -> None:
    world, orders = payable_world(client, 2)
    for order in orders:
        lines = [{"line_id": line["id"]} for line in order["lines"]]
        world.redeem("C", world.code(order["id"]), lines=lines, complete=True)
    released = {name: balance(world, name)["available"] for name in ("S1", "S2", "M", "C")}
    admin = authenticate(context, ADMIN_KEY)

    outcomes = run_at_once(CREATORS, lambda _: payouts.create_batch(context, admin, "EUR"))

    made = [o for o in outcomes if isinstance(o, payouts.BatchView)]
    refused = [o for o in outcomes if isinstance(o, AxokeyError)]
    assert len(made) == 1, outcomes
    assert [error.code for error in refused] == ["nothing_to_pay_out"] * (CREATORS - 1)
    paid = {item.party_id: item.amount for item in made[0].items}
    assert paid == {world.parties[name].id: amount for name, amount in released.items()}
    assert check_ledger(context) == []


def test_releases_racing_batch_creation_are_paid_once(client: Any, context: Any) -> None:
    """Redemptions and batch creations interleaved: every released cent ends in
    exactly one batch item (or stays available), never two."""
    world, orders = payable_world(client, 6)
    admin = authenticate(context, ADMIN_KEY)
    codes = [world.code(order["id"]) for order in orders]

    def work(index: int) -> Any:
        if index % 2 == 0:
            return payouts.create_batch(context, admin, "EUR")
        order = orders[index // 2]
        courier = authenticate(context, world.parties["C"].key)
        return redeeming.redeem_order(
            context,
            courier,
            code=codes[index // 2],
            handovers=[Handover(line["id"]) for line in order["lines"]],
            gtins=[],
            complete=True,
        )

    outcomes = run_at_once(12, work)
    assert all(
        not isinstance(o, AxokeyError) or o.code == "nothing_to_pay_out" for o in outcomes
    ), outcomes
    # Whatever is left goes into a last batch; then every release is in one item.
    try:
        payouts.create_batch(context, admin, "EUR")
    except AxokeyError as error:
        assert error.code == "nothing_to_pay_out"
    batches, _ = payouts.list_batches(context, admin, limit=100, starting_after=None)
    items = [
        item for batch in batches for item in payouts.get_batch(context, admin, batch.id).items
    ]
    assert len({item.id for item in items}) == len(items)
    per_party = Counter[str]()
    for item in items:
        assert item.party_id is not None
        per_party[item.party_id] += item.amount
    expected = {"S1": 6 * 7000, "S2": 6 * 2000, "M": 6 * 3999, "C": 6 * 590}
    assert {name: per_party[world.parties[name].id] for name in expected} == expected
    for name in expected:
        assert balance(world, name)["available"] == 0
    assert check_ledger(context) == []


def test_a_batch_confirmed_at_once_is_confirmed_once(client: Any, context: Any) -> None:
    world, orders = payable_world(client, 1)
    order = orders[0]
    world.redeem(
        "C",
        world.code(order["id"]),
        lines=[{"line_id": line["id"]} for line in order["lines"]],
        complete=True,
    )
    admin = authenticate(context, ADMIN_KEY)
    batch = payouts.create_batch(context, admin, "EUR").batch
    outcomes = run_at_once(6, lambda _: payouts.confirm_batch(context, admin, batch.id))
    done = [o for o in outcomes if isinstance(o, payouts.BatchView)]
    assert len(done) == 1
    assert {o.code for o in outcomes if isinstance(o, AxokeyError)} == {"batch_executed"}
    assert balance(world, "S1")["paid_out"] == 7000
    assert check_ledger(context) == []


def test_two_instances_make_one_batch_per_cutoff(client: Any, context: Any) -> None:
    world, orders = payable_world(client, 1)
    order = orders[0]
    world.redeem(
        "C",
        world.code(order["id"]),
        lines=[{"line_id": line["id"]} for line in order["lines"]],
        complete=True,
    )
    context.settings = context.settings.model_copy(update={"payout_schedule": "daily@17:00"})
    at = datetime(2030, 5, 6, 17, 5, tzinfo=UTC)
    outcomes = run_at_once(6, lambda _: payouts.run_schedule(context, at))
    created = [batch_id for outcome in outcomes for batch_id in outcome]
    assert len(created) == 1
    admin = authenticate(context, ADMIN_KEY)
    batch = payouts.get_batch(context, admin, created[0]).batch
    assert batch.cutoff_key == "EUR@2030-05-06T17:00Z"
    # Money released after the batch waits for the next cut-off, not this one.
    later = delivery_order(world, "escrow")
    world.pay(later["id"])
    world.redeem(
        "C",
        world.code(later["id"]),
        lines=[{"line_id": line["id"]} for line in world.get_order(later["id"])["lines"]],
        complete=True,
    )
    assert payouts.run_schedule(context, at.replace(hour=23)) == []
    [next_day] = payouts.run_schedule(context, at.replace(day=7))
    assert payouts.get_batch(context, admin, next_day).batch.total == 13589
    assert check_ledger(context) == []
