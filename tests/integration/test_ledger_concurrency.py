"""The ledger under concurrent writers, on the real database.

On SQLite the write transactions are serialised by ``BEGIN IMMEDIATE`` (and the
busy timeout); on PostgreSQL by the accounts' row locks (``SELECT … FOR UPDATE``
in id order) under READ COMMITTED. Either way: no lost update, no double
resolution, no transfer applied twice, no overdraft, and no error escapes
(``Database.run`` retries deadlocks and serialization failures).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import Connection, text

from axokey.adapters.db import ledger_store
from axokey.adapters.db.tables import ledger_accounts
from axokey.domain.ledger import (
    Account,
    BatchOutcome,
    ResultCode,
    TransferKind,
    TransferRequest,
)
from axokey.services.context import ServiceContext
from axokey.services.ledger import check_ledger
from tests.conftest import ON_POSTGRES

T = TypeVar("T")

WORKERS = 24
NOW = datetime(2030, 1, 1, tzinfo=UTC)
DEADLINE = NOW + timedelta(hours=1)

SINGLE = TransferKind.SINGLE
PENDING = TransferKind.PENDING
POST = TransferKind.POST_PENDING
VOID = TransferKind.VOID_PENDING
EXPIRE = TransferKind.EXPIRE_PENDING


def create_accounts(context: ServiceContext, *accounts: Account) -> None:
    context.database.run(lambda c: ledger_store.ensure_accounts(c, accounts, NOW))


def unlimited(account_id: str) -> Account:
    return Account(id=account_id, currency="EUR", kind="test")


def no_overdraft(account_id: str) -> Account:
    return Account(id=account_id, currency="EUR", kind="test", debits_must_not_exceed_credits=True)


def post(
    context: ServiceContext,
    requests: list[TransferRequest],
    now: datetime = NOW,
    linked: bool = True,
) -> BatchOutcome:
    return context.database.run(
        lambda c: ledger_store.post_transfers(c, requests, now=now, linked=linked)
    )


def counters(context: ServiceContext) -> dict[str, tuple[int, int, int, int]]:
    with context.database.read() as connection:
        return {a.id: a.counters() for a in ledger_store.all_accounts(connection)}


def all_at_once(tasks: list[Callable[[], T]]) -> list[T]:
    """Run the tasks on ``WORKERS`` threads, each batch of workers released together.

    Any exception a task raises fails the test (``future.result()`` re-raises it).
    """
    gates = [
        threading.Barrier(min(WORKERS, len(tasks) - start))
        for start in range(0, len(tasks), WORKERS)
    ]

    def gated(index: int, task: Callable[[], T]) -> T:
        gates[index // WORKERS].wait(timeout=60)
        return task()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(gated, index, task) for index, task in enumerate(tasks)]
        return [future.result(timeout=300) for future in futures]


def only_code(outcome: BatchOutcome) -> ResultCode:
    assert len(outcome.results) == 1
    return outcome.results[0].code


# --- (a) One pending transfer, many resolvers ----------------------------------------


@pytest.mark.parametrize("round_number", range(3))
def test_many_threads_resolving_one_pending_transfer_exactly_one_wins(
    context: ServiceContext, round_number: int
) -> None:
    create_accounts(
        context, unlimited("acc_world"), no_overdraft("acc_escrow"), unlimited("acc_payee")
    )
    post(context, [TransferRequest("capture", SINGLE, 10_000, "acc_world", "acc_escrow")])
    hold = TransferRequest("hold", PENDING, 6_000, "acc_escrow", "acc_payee", timeout_at=DEADLINE)
    assert post(context, [hold]).succeeded

    rng = random.Random(round_number)
    attempts: list[tuple[TransferRequest, datetime]] = []
    for index in range(WORKERS):
        kind = [POST, VOID, EXPIRE][index % 3]
        amount = rng.randint(1, 6_000) if kind is POST and index % 2 else None
        # Posts and voids come before the deadline, expiries at it: each would succeed alone.
        now = DEADLINE if kind is EXPIRE else DEADLINE - timedelta(microseconds=1)
        attempts.append((TransferRequest(f"r{index}", kind, amount, pending_id="hold"), now))
    outcomes = all_at_once(
        [
            lambda request=request, now=now: post(context, [request], now)
            for request, now in attempts
        ]
    )

    codes = Counter(only_code(outcome) for outcome in outcomes)
    assert codes[ResultCode.OK] == 1, codes
    winner = next(o.results[0] for o in outcomes if o.results[0].code is ResultCode.OK)
    assert winner.transfer is not None
    already = {
        POST: ResultCode.PENDING_TRANSFER_ALREADY_POSTED,
        VOID: ResultCode.PENDING_TRANSFER_ALREADY_VOIDED,
        EXPIRE: ResultCode.PENDING_TRANSFER_EXPIRED,
    }[winner.request.kind]
    assert codes[already] == WORKERS - 1, codes

    posted = winner.transfer.amount if winner.request.kind is POST else 0
    assert counters(context) == {
        "acc_world": (0, 10_000, 0, 0),
        "acc_escrow": (0, posted, 0, 10_000),
        "acc_payee": (0, 0, 0, posted),
    }
    with context.database.read() as connection:
        transfers = ledger_store.all_transfers(connection)
    assert [t.id for t in transfers if t.pending_id == "hold"] == [winner.request.id]
    assert check_ledger(context) == []


# --- (b) One transfer id, many submitters --------------------------------------------


def test_many_threads_submitting_one_transfer_id_apply_it_once(context: ServiceContext) -> None:
    create_accounts(context, unlimited("acc_a"), unlimited("acc_b"))
    request = TransferRequest("pay_1", SINGLE, 250, "acc_a", "acc_b", code="pay")
    outcomes = all_at_once([lambda: post(context, [request])] * (2 * WORKERS))
    codes = Counter(only_code(outcome) for outcome in outcomes)
    assert codes == {ResultCode.OK: 1, ResultCode.EXISTS: 2 * WORKERS - 1}
    assert all(outcome.results[0].transfer is not None for outcome in outcomes)
    assert counters(context) == {"acc_a": (0, 250, 0, 0), "acc_b": (0, 0, 0, 250)}
    assert check_ledger(context) == []


def test_many_threads_submitting_one_two_phase_batch_apply_it_once(
    context: ServiceContext,
) -> None:
    create_accounts(context, unlimited("acc_a"), unlimited("acc_b"))
    batch = [
        TransferRequest("hold_1", PENDING, 900, "acc_a", "acc_b", timeout_at=DEADLINE),
        TransferRequest("post_1", POST, 400, pending_id="hold_1"),
    ]
    outcomes = all_at_once([lambda: post(context, batch)] * WORKERS)
    results = Counter(tuple(r.code for r in outcome.results) for outcome in outcomes)
    assert results == {
        (ResultCode.OK, ResultCode.OK): 1,
        (ResultCode.EXISTS, ResultCode.EXISTS): WORKERS - 1,
    }
    assert counters(context) == {"acc_a": (0, 400, 0, 0), "acc_b": (0, 0, 0, 400)}
    assert check_ledger(context) == []


# --- (c) One hot account --------------------------------------------------------------


def test_money_through_one_hot_account_loses_no_update(context: ServiceContext) -> None:
    """Every batch credits and debits the same account, which may not go negative."""
    sources = [f"acc_source_{i:02}" for i in range(8)]
    sinks = [f"acc_sink_{i:02}" for i in range(8)]
    create_accounts(
        context,
        no_overdraft("acc_hot"),
        *(unlimited(key) for key in sources),
        *(unlimited(key) for key in sinks),
    )
    rng = random.Random(7)
    batches: list[list[TransferRequest]] = []
    for index in range(6 * WORKERS):
        source, sink = rng.choice(sources), rng.choice(sinks)
        amount = rng.randint(1, 500)
        if index % 2:  # single-phase, in and straight out (the hot account holds nothing)
            batches.append(
                [
                    TransferRequest(f"in_{index}", SINGLE, amount, source, "acc_hot"),
                    TransferRequest(f"out_{index}", SINGLE, amount, "acc_hot", sink),
                ]
            )
        else:  # two-phase in (posted in part), then out what was posted
            part = rng.randint(1, amount)
            batches.append(
                [
                    TransferRequest(f"hold_{index}", PENDING, amount, source, "acc_hot"),
                    TransferRequest(f"post_{index}", POST, part, pending_id=f"hold_{index}"),
                    TransferRequest(f"out_{index}", SINGLE, part, "acc_hot", sink),
                ]
            )
    outcomes = all_at_once([lambda batch=batch: post(context, batch) for batch in batches])
    assert all(outcome.succeeded for outcome in outcomes)

    expected: dict[str, list[int]] = {key: [0, 0, 0, 0] for key in ["acc_hot", *sources, *sinks]}
    for batch in batches:
        moved = batch[-1].amount
        assert moved is not None
        source = batch[0].debit_account_id
        sink = batch[-1].credit_account_id
        assert source is not None and sink is not None
        expected[source][1] += moved
        expected[sink][3] += moved
        expected["acc_hot"][1] += moved
        expected["acc_hot"][3] += moved
    assert counters(context) == {key: tuple(value) for key, value in expected.items()}
    assert check_ledger(context) == []


def test_concurrent_withdrawals_never_overdraw_the_hot_account(context: ServiceContext) -> None:
    create_accounts(context, unlimited("acc_world"), no_overdraft("acc_hot"), unlimited("acc_out"))
    post(context, [TransferRequest("fund", SINGLE, 1_000, "acc_world", "acc_hot")])
    # 3 × WORKERS withdrawals of 100, half of them holds: only 10 fit.
    requests = [
        TransferRequest(f"w{i}", PENDING if i % 2 else SINGLE, 100, "acc_hot", "acc_out")
        for i in range(3 * WORKERS)
    ]
    outcomes = all_at_once(
        [lambda request=request: post(context, [request]) for request in requests]
    )
    codes = Counter(only_code(outcome) for outcome in outcomes)
    assert codes == {ResultCode.OK: 10, ResultCode.EXCEEDS_CREDITS: 3 * WORKERS - 10}
    won = [o.results[0].request for o in outcomes if o.results[0].code is ResultCode.OK]
    held = 100 * sum(1 for request in won if request.kind is PENDING)
    spent = 100 * sum(1 for request in won if request.kind is SINGLE)
    assert counters(context)["acc_hot"] == (held, spent, 0, 1_000)
    assert check_ledger(context) == []


# --- A pending transfer created while others try to resolve it -------------------------


def _wait_until_blocked_by(context: ServiceContext, connection: Connection) -> None:
    """Wait until another session waits for a lock that ``connection`` holds."""
    holder = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    query = text("SELECT count(*) FROM pg_stat_activity WHERE :holder = ANY(pg_blocking_pids(pid))")
    deadline = time.monotonic() + 10
    with context.database.engine.connect() as observer:
        while observer.execute(query, {"holder": holder}).scalar_one() == 0:
            assert time.monotonic() < deadline, "the batch never waited for the lock"
            time.sleep(0.01)
            observer.rollback()


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs two open write transactions; SQLite's BEGIN IMMEDIATE allows one",
)
def test_a_resolution_committed_while_a_batch_waits_for_its_locks_is_seen(
    context: ServiceContext,
) -> None:
    """Regression: a batch read a pending transfer's resolutions *before* locking that
    transfer's accounts; a post committed in between was missed, and the batch posted
    again (an AssertionError on the negative pending counter, or a unique violation).

    1. T1 holds C's row lock. T2 = [C → D, post P] reads P (not there yet), waits on C.
    2. P (A → B) is created and committed; T3 posts P and holds A's and B's locks.
    3. T1 ends: T2 now sees P, no resolution (T3 has not committed), waits on A, B.
    4. T3 commits: T2 must see T3's post and refuse its own.

    The accounts have a limit (accounts without one are never locked: see
    ``test_racing_resolutions_of_one_pending_transfer_through_unlocked_accounts``).
    """
    create_accounts(
        context, unlimited("acc_world"), *(no_overdraft(f"acc_{name}") for name in "ABCD")
    )
    post(context, [TransferRequest("fund_A", SINGLE, 100, "acc_world", "acc_A")])
    post(context, [TransferRequest("fund_C", SINGLE, 100, "acc_world", "acc_C")])
    engine = context.database.engine
    second: list[BatchOutcome] = []

    def second_batch() -> None:
        requests = [
            TransferRequest("t2_single", SINGLE, 5, "acc_C", "acc_D"),
            TransferRequest("t2_post", POST, pending_id="P"),
        ]
        second.append(post(context, requests))

    # The pool exits last: the connections' rollbacks release the locks it waits for.
    with (
        ThreadPoolExecutor(max_workers=1) as pool,
        engine.connect() as first,
        engine.connect() as third,
    ):
        first.begin()
        first.execute(
            ledger_accounts.select().where(ledger_accounts.c.id == "acc_C").with_for_update()
        ).all()
        future = pool.submit(second_batch)
        _wait_until_blocked_by(context, first)  # 1
        post(context, [TransferRequest("P", PENDING, 10, "acc_A", "acc_B")])  # 2
        third.begin()
        request = TransferRequest("t3_post", POST, pending_id="P")
        assert ledger_store.post_transfers(third, [request], now=NOW).succeeded
        first.rollback()  # 3
        _wait_until_blocked_by(context, third)
        third.commit()  # 4
        future.result(timeout=30)

    codes = [result.code for result in second[0].results]
    assert codes == [ResultCode.LINKED_EVENT_FAILED, ResultCode.PENDING_TRANSFER_ALREADY_POSTED]
    assert counters(context) == {
        "acc_world": (0, 200, 0, 0),
        "acc_A": (0, 10, 0, 100),
        "acc_B": (0, 0, 0, 10),
        "acc_C": (0, 0, 0, 100),
        "acc_D": (0, 0, 0, 0),
    }
    assert check_ledger(context) == []


def test_racing_resolutions_of_one_pending_transfer_through_unlocked_accounts(
    context: ServiceContext,
) -> None:
    """Accounts without a limit are never locked: of many batches that post or void one
    pending transfer at once, the unique constraint on ``pending_id`` lets one insert
    its resolution; the others' transactions run again and find it resolved."""
    create_accounts(context, unlimited("acc_a"), unlimited("acc_b"))
    post(context, [TransferRequest("hold", PENDING, 900, "acc_a", "acc_b", timeout_at=DEADLINE)])
    requests = [
        TransferRequest(f"end_{index}", POST, 300, pending_id="hold")
        if index % 2
        else TransferRequest(f"end_{index}", VOID, pending_id="hold")
        for index in range(WORKERS)
    ]
    outcomes = all_at_once(
        [lambda request=request: post(context, [request]) for request in requests]
    )
    winners = [o.results[0].request for o in outcomes if o.results[0].code is ResultCode.OK]
    assert len(winners) == 1
    losers = Counter(only_code(outcome) for outcome in outcomes if not outcome.succeeded)
    assert set(losers) <= {
        ResultCode.PENDING_TRANSFER_ALREADY_POSTED,
        ResultCode.PENDING_TRANSFER_ALREADY_VOIDED,
    }
    assert sum(losers.values()) == WORKERS - 1
    posted = 300 if winners[0].kind is POST else 0
    assert counters(context) == {"acc_a": (0, posted, 0, 0), "acc_b": (0, 0, 0, posted)}
    assert check_ledger(context) == []
