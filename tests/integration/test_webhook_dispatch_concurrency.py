"""Several dispatchers at once (as several ``serve`` processes would run) never send
one delivery twice: each is leased by one of them (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, the single writer on SQLite). Real threads, a real HTTP receiver."""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from axokey.adapters.db.tables import webhook_attempts, webhook_deliveries
from axokey.services.webhook_dispatch import dispatch_until_idle
from tests.receivers import http_receiver
from tests.scenario import delivery_order, ok, spec_world

DISPATCHERS = 6
ORDERS = 12
ENDPOINTS = 3


def test_concurrent_dispatchers_deliver_each_event_once(client: Any, context: Any) -> None:
    with http_receiver() as receiver:
        world = spec_world(client)
        for index in range(ENDPOINTS):
            ok(
                client.post(
                    "/v1/webhook-endpoints",
                    json={
                        "url": receiver.url(f"/e{index}"),
                        "events": ["order.created", "order.cancelled"],
                    },
                    headers=world.parties["M"].headers,
                ),
                201,
            )
        for _ in range(ORDERS):
            order = delivery_order(world, "escrow")
            world.cancel(order["id"])
        expected = ORDERS * 2 * ENDPOINTS

        barrier = threading.Barrier(DISPATCHERS)
        failures: list[BaseException] = []

        def dispatcher() -> None:
            try:
                barrier.wait()
                dispatch_until_idle(context)
            except BaseException as error:  # surfaced below
                failures.append(error)

        threads = [threading.Thread(target=dispatcher) for _ in range(DISPATCHERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not failures, failures
        dispatch_until_idle(context)  # anything a dispatcher left while another held it

        sent = Counter((r.path, r.headers["webhook-id"]) for r in receiver.received)
        assert len(sent) == expected
        assert set(sent.values()) == {1}
        # In order per object: each order's cancellation after its creation.
        for index in range(ENDPOINTS):
            seen: dict[str, list[str]] = {}
            for request in receiver.to(f"/e{index}"):
                payload = json.loads(request.body)
                seen.setdefault(payload["data"]["order_id"], []).append(payload["type"])
            assert set(map(tuple, seen.values())) == {("order.created", "order.cancelled")}
        with context.database.read() as connection:
            attempts = connection.execute(
                select(func.count()).select_from(webhook_attempts)
            ).scalar()
            statuses = connection.execute(
                select(webhook_deliveries.c.status, func.count()).group_by(
                    webhook_deliveries.c.status
                )
            ).all()
        assert attempts == expected
        assert dict(statuses) == {"succeeded": expected}
