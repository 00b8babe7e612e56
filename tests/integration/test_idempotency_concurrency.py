"""Idempotency keys under concurrency, over real HTTP (uvicorn on 127.0.0.1, one
``httpx`` client per thread), on the test database (PostgreSQL in CI).

Exactly one request owns a key: whatever the interleaving, one use case runs per
key (one order, one redemption), every client ends with the owner's response,
and the stored response is the owner's 201, never overwritten.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, insert, select

from axokey.adapters.db.engine import Database, insert_if_absent, make_engine
from axokey.adapters.db.tables import events, idempotency_keys, orders, redemptions
from axokey.api.app import create_app
from axokey.domain.errors import Conflict
from axokey.services import idempotency
from axokey.services.context import ServiceContext
from axokey.services.ledger import check_ledger
from tests.conftest import FakeClock
from tests.scenario import delivery_order, spec_world

THREADS = 20
ROUNDS = 4
IN_USE_RETRIES_MAX = 200


@pytest.fixture
def server(context: ServiceContext) -> Iterator[str]:
    """The app served by uvicorn on a free port; its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    server = uvicorn.Server(
        uvicorn.Config(create_app(context=context), log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(20)
        listener.close()


def at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(i)`` in ``count`` threads released together; their results."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    failures: list[BaseException] = []

    def target(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except BaseException as error:  # reported below, failing the test
            failures.append(error)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client is stuck"
    assert failures == [], failures
    return results


def post_until_answered(
    http: httpx.Client, path: str, body: Any, headers: dict[str, str]
) -> tuple[httpx.Response, int]:
    """POST like a client that honours 409 ``idempotency_key_in_use`` by retrying;
    the final response and how many 409s it met."""
    in_use = 0
    for _ in range(IN_USE_RETRIES_MAX):
        response = http.post(path, json=body, headers=headers)
        if response.status_code == 409 and response.json()["code"] == "idempotency_key_in_use":
            in_use += 1
            time.sleep(0.05)
            continue
        return response, in_use
    raise AssertionError(f"the key stayed in use after {IN_USE_RETRIES_MAX} tries")


def count(context: ServiceContext, table: Any, *conditions: Any) -> int:
    with context.database.read() as connection:
        query = select(func.count()).select_from(table).where(*conditions)
        return int(connection.execute(query).scalar_one())


def stored_statuses(context: ServiceContext) -> list[int | None]:
    with context.database.read() as connection:
        return list(connection.execute(select(idempotency_keys.c.response_status)).scalars())


def test_one_order_per_key_under_concurrent_clients(
    client: Any, context: ServiceContext, server: str
) -> None:
    world = spec_world(client)
    merchant = world.parties["M"]
    clients = [httpx.Client(base_url=server, timeout=60) for _ in range(THREADS)]
    try:
        for round_number in range(ROUNDS):
            body = {
                "currency": "EUR",
                "payment_mode": "escrow",
                "fulfilment": "delivery",
                "courier_id": world.parties["C"].id,
                "delivery_fee": 590,
                "customer": {"email": "customer@example.com"},
                "lines": [{"product_id": world.products["P1"], "quantity": round_number + 1}],
            }
            headers = {**merchant.headers, "Idempotency-Key": f"order-round-{round_number}"}
            answers = at_once(
                THREADS,
                lambda i, body=body, headers=headers: post_until_answered(  # type: ignore[misc]
                    clients[i], "/v1/orders", body, headers
                ),
            )
            responses = [response for response, _ in answers]
            assert Counter(r.status_code for r in responses) == {201: THREADS}, [
                r.text for r in responses if r.status_code != 201
            ]
            assert len({r.json()["id"] for r in responses}) == 1
            # One response is the owner's; every other one replays it.
            assert sum(r.headers.get("idempotent-replayed") != "true" for r in responses) == 1
            assert count(context, orders, orders.c.merchant_id == merchant.id) == round_number + 1
        assert stored_statuses(context) == [201] * ROUNDS
    finally:
        for http in clients:
            http.close()


def test_one_redemption_per_key_under_concurrent_clients(
    client: Any, context: ServiceContext, server: str
) -> None:
    world = spec_world(client)
    courier = world.parties["C"]
    clients = [httpx.Client(base_url=server, timeout=60) for _ in range(THREADS)]
    try:
        for round_number in range(ROUNDS):
            order = delivery_order(world, "escrow")
            world.pay(order["id"])
            body = {
                "code": world.code(order["id"]),
                "lines": [{"line_id": line["id"]} for line in order["lines"]],
            }
            headers = {**courier.headers, "Idempotency-Key": f"scan-round-{round_number}"}
            answers = at_once(
                THREADS,
                lambda i, body=body, headers=headers: post_until_answered(  # type: ignore[misc]
                    clients[i], "/v1/redemptions", body, headers
                ),
            )
            responses = [response for response, _ in answers]
            assert Counter(r.status_code for r in responses) == {201: THREADS}, [
                r.text for r in responses if r.status_code != 201
            ]
            assert len({r.json()["id"] for r in responses}) == 1
            assert sum(r.headers.get("idempotent-replayed") != "true" for r in responses) == 1
            assert count(context, redemptions, redemptions.c.order_id == order["id"]) == 1
            assert world.get_order(order["id"])["status"] == "completed"
        # The stored responses are the owners' 201s: no 409 overwrote one.
        assert stored_statuses(context) == [201] * ROUNDS
        assert world.balance("C") == {"held": 0, "available": 590 * ROUNDS, "paid_out": 0}
        assert check_ledger(context) == []
    finally:
        for http in clients:
            http.close()


def test_insert_if_absent_tells_which_of_concurrent_calls_inserted(
    context: ServiceContext, clock: FakeClock
) -> None:
    """The root of the fix: of concurrent inserts of one key, exactly one reports it
    inserted (``rowcount`` cannot tell on PostgreSQL: psycopg 3 reports -1)."""
    engines = [make_engine(context.settings.database_url) for _ in range(2)]
    databases = [Database(engine) for engine in engines]
    try:
        for round_number in range(ROUNDS):
            key = f"race-{round_number}"

            def insert(index: int, key: str = key) -> bool:
                database = databases[index % len(databases)]
                return database.run(
                    lambda connection: insert_if_absent(
                        connection,
                        idempotency_keys,
                        ["scope", "key"],
                        {
                            "scope": "race",
                            "key": key,
                            "request_hash": "h",
                            "status": "in_progress",
                            "owner_token": f"owner-{index}",
                            "created_at": clock(),
                            "expires_at": clock(),
                        },
                    )
                )

            assert Counter(at_once(THREADS, insert)) == {True: 1, False: THREADS - 1}
    finally:
        for engine in engines:
            engine.dispose()


# --- The crash window: a use case committed, its response never stored -----------


def test_a_retry_after_a_crash_never_runs_the_use_case_twice(
    client: Any, context: ServiceContext, clock: FakeClock, monkeypatch: Any
) -> None:
    world = spec_world(client)
    body = {
        "currency": "EUR",
        "payment_mode": "escrow",
        "fulfilment": "delivery",
        "courier_id": world.parties["C"].id,
        "delivery_fee": 590,
        "customer": {"email": "customer@example.com"},
        "lines": [{"product_id": world.products["P1"], "quantity": 1}],
    }
    headers = {**world.parties["M"].headers, "Idempotency-Key": "crashes"}
    # The process dies after the order's commit, before its response is stored.
    monkeypatch.setattr(idempotency, "complete_request", lambda *_args, **_kwargs: True)
    first = client.post("/v1/orders", json=body, headers=headers)
    assert first.status_code == 201
    monkeypatch.undo()

    clock.advance(seconds=context.settings.idempotency_lease_seconds + 1)
    retry = client.post("/v1/orders", json=body, headers=headers)
    assert (retry.status_code, retry.json()["code"]) == (409, "idempotency_response_lost")
    assert count(context, orders) == 1


def a_use_case(context: ServiceContext, event_id: str) -> None:
    """A use case's commit: one row written (an event, as an order's would be)."""
    context.database.run(
        lambda connection: connection.execute(
            insert(events).values(
                id=event_id, type="order.created", party_ids=[], data={}, created_at=context.now()
            )
        )
    )


def test_a_request_whose_key_was_taken_over_cannot_commit(
    context: ServiceContext, clock: FakeClock
) -> None:
    """A request so slow that its lease passed and a retry took its key over: its
    use case's commit is refused and rolled back, so only the retry's counts."""
    fingerprint = idempotency.request_fingerprint("POST", "/v1/orders", "", b"{}")
    slow = idempotency.begin_request(context, scope="s", key="k", fingerprint=fingerprint)
    assert isinstance(slow, idempotency.Claim)
    clock.advance(seconds=context.settings.idempotency_lease_seconds + 1)
    retry = idempotency.begin_request(context, scope="s", key="k", fingerprint=fingerprint)
    assert isinstance(retry, idempotency.Claim) and retry.owner_token != slow.owner_token

    with (
        pytest.raises(Conflict) as lost,
        Database.checking_commits(idempotency.commit_check(context, slow)),
    ):
        a_use_case(context, "evt_slow")  # the slow request's use case, too late
    assert lost.value.code == "idempotency_key_lost"
    assert count(context, events) == 0
    with Database.checking_commits(idempotency.commit_check(context, retry)):
        a_use_case(context, "evt_retry")  # the owner's commits
    assert count(context, events) == 1
    # A key whose use case committed is never taken over, even past its lease.
    clock.advance(seconds=context.settings.idempotency_lease_seconds + 1)
    with pytest.raises(Conflict) as after_crash:
        idempotency.begin_request(context, scope="s", key="k", fingerprint=fingerprint)
    assert after_crash.value.code == "idempotency_response_lost"


def test_a_declared_failure_frees_the_key_an_unexpected_one_after_a_commit_does_not(
    context: ServiceContext,
) -> None:
    fingerprint = idempotency.request_fingerprint("POST", "/v1/x", "", b"{}")

    def claim(key: str) -> idempotency.Claim:
        claimed = idempotency.begin_request(context, scope="s", key=key, fingerprint=fingerprint)
        assert isinstance(claimed, idempotency.Claim)
        return claimed

    def mark_committed(claimed: idempotency.Claim) -> None:
        with Database.checking_commits(idempotency.commit_check(context, claimed)):
            context.database.run(lambda connection: None)

    declared = claim("declared")
    mark_committed(declared)
    assert idempotency.abandon_request(context, declared, declared=True)
    unexpected = claim("unexpected")
    mark_committed(unexpected)
    assert not idempotency.abandon_request(context, unexpected, declared=False)
    untouched = claim("untouched")
    assert idempotency.abandon_request(context, untouched, declared=False)
