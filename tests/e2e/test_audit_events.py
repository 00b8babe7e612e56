"""The audit trail through HTTP: what is recorded (party creation, keys, order
cancellation, sandbox time travel), who reads what, filters, cursor pagination;
and on PostgreSQL, that the table refuses UPDATE and DELETE."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from axokey.adapters.db.tables import audit_events
from tests.conftest import ADMIN, bearer
from tests.scenario import World, delivery_order, ok, spec_world


def trail(client: Any, headers: dict[str, str], query: str = "") -> list[Any]:
    return list(ok(client.get(f"/v1/audit-events?limit=100{query}", headers=headers))["data"])


def merchant_first_key(client: Any, world: World) -> str:
    keys = ok(client.get("/v1/api-keys", headers=world.parties["M"].headers))["data"]
    return str(keys[-1]["id"])


def test_an_order_cancellation_is_recorded_with_the_merchants_key(client: Any) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    world.cancel(order["id"])
    [event] = trail(client, ADMIN, f"&action=order.cancelled&object_id={order['id']}")
    assert event["party_id"] == world.parties["M"].id
    assert event["key_id"] == merchant_first_key(client, world)
    assert event["subject_party_id"] == world.parties["M"].id
    assert event["details"]["amount_refunded"] == order["amount_total"]
    assert event["details"]["status"] == "cancelled"
    # The merchant reads it; the courier of the order does not.
    assert event in trail(client, world.parties["M"].headers)
    assert all(e["object_id"] != order["id"] for e in trail(client, world.parties["C"].headers))


def test_a_refused_cancellation_writes_nothing(client: Any) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    before = trail(client, ADMIN)
    response = client.post(f"/v1/orders/{order['id']}/cancel", headers=world.parties["S1"].headers)
    assert response.status_code in (403, 404)
    assert trail(client, ADMIN) == before


def test_sandbox_time_travel_is_recorded(client: Any, context: Any) -> None:
    as_of = context.now() + timedelta(days=40)
    ok(
        client.post(
            "/v1/sandbox/sweep",
            json={"as_of": as_of.isoformat()},
            headers={**ADMIN, "X-Request-Id": "sweep-1"},
        )
    )
    [event] = trail(client, ADMIN, "&action=sandbox.swept")
    assert event["actor"] == "bootstrap_key" and event["party_id"] is None
    assert event["request_id"] == "sweep-1" and event["ip"] == "testclient"
    assert event["details"]["as_of"].startswith(as_of.isoformat()[:19])


def test_a_party_reads_only_its_own_trail(client: Any) -> None:
    world = spec_world(client)
    ok(client.post("/v1/api-keys", json={"name": "POS"}, headers=world.parties["M"].headers), 201)
    ok(client.post("/v1/api-keys", json={"name": "Van"}, headers=world.parties["C"].headers), 201)
    merchant_id = world.parties["M"].id
    seen = trail(client, world.parties["M"].headers)
    assert seen
    assert all(merchant_id in (e["party_id"], e["subject_party_id"]) for e in seen)
    # Its creation by the operator is in its trail, without the operator's details.
    [created] = [e for e in seen if e["action"] == "party.created"]
    assert created["object_id"] == merchant_id and created["ip"] is None
    everything = trail(client, ADMIN)
    assert len(everything) > len(seen)
    assert {e["subject_party_id"] for e in everything} >= {merchant_id, world.parties["C"].id}


def test_filters_and_cursor_pagination(client: Any) -> None:
    created = [
        ok(client.post("/v1/api-keys", json={"name": f"k{n}"}, headers=ADMIN), 201)["id"]
        for n in range(5)
    ]
    seen: list[str] = []
    cursor = ""
    while True:
        page = ok(
            client.get(f"/v1/audit-events?action=api_key.created&limit=2{cursor}", headers=ADMIN)
        )
        seen.extend(event["object_id"] for event in page["data"])
        assert len(page["data"]) <= 2
        if not page["has_more"]:
            break
        cursor = f"&starting_after={page['data'][-1]['id']}"
    assert seen == list(reversed(created))  # newest first, each once
    [one] = trail(client, ADMIN, f"&object_id={created[2]}")
    assert one["action"] == "api_key.created"
    assert trail(client, ADMIN, "&action=order.cancelled") == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?action=key.stolen", "unknown_action"),
        ("?limit=0", "validation_error"),
        ("?limit=101", "validation_error"),
        ("?starting_after=" + "x" * 65, "validation_error"),
    ],
)
def test_bad_audit_queries_are_refused(client: Any, query: str, code: str) -> None:
    response = client.get(f"/v1/audit-events{query}", headers=ADMIN)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code


def test_the_audit_trail_needs_a_key(client: Any) -> None:
    assert client.get("/v1/audit-events").status_code == 401
    assert client.get("/v1/audit-events", headers=bearer("axk_x_nothing")).status_code == 401


@pytest.mark.postgres_only
def test_postgresql_refuses_to_change_or_delete_an_audit_entry(client: Any, context: Any) -> None:
    if context.database.dialect != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    ok(client.post("/v1/api-keys", json={"name": "k"}, headers=ADMIN), 201)
    [event] = trail(client, ADMIN, "&action=api_key.created")
    for statement in (
        update(audit_events).where(audit_events.c.id == event["id"]).values(action="x"),
        delete(audit_events).where(audit_events.c.id == event["id"]),
    ):
        with (
            pytest.raises(DBAPIError, match="audit events cannot be changed or deleted"),
            context.database.transaction() as connection,
        ):
            connection.execute(statement)
    assert trail(client, ADMIN, "&action=api_key.created") == [event]


def test_postgresql_lets_only_the_client_address_be_cleared(client: Any, context: Any) -> None:
    """The retention sweep clears an entry's address; the trigger allows that change
    alone (not a new address, not the address cleared with anything else)."""
    if context.database.dialect != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    ok(client.post("/v1/api-keys", json={"name": "k"}, headers=ADMIN), 201)
    [event] = trail(client, ADMIN, "&action=api_key.created")
    where = audit_events.c.id == event["id"]
    for values in ({"ip": "10.0.0.1"}, {"ip": None, "action": "x"}, {"ip": None, "details": {}}):
        with (
            pytest.raises(DBAPIError, match="audit events cannot be changed or deleted"),
            context.database.transaction() as connection,
        ):
            connection.execute(update(audit_events).where(where).values(**values))
    with context.database.transaction() as connection:
        connection.execute(update(audit_events).where(where).values(ip=None))
    assert trail(client, ADMIN, "&action=api_key.created") == [{**event, "ip": None}]
