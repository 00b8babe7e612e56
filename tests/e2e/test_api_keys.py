"""API keys through HTTP: several per party, scopes, rotation with a grace period,
revocation, expiry, and every forbidden path answered with a clear problem that
changes nothing. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ADMIN, FakeClock, bearer
from tests.scenario import World, ok, spec_world


def create_key(client: Any, headers: dict[str, str], expect: int = 201, **body: Any) -> Any:
    body.setdefault("name", "device")
    return ok(client.post("/v1/api-keys", json=body, headers=headers), expect)


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert response.headers["content-type"].startswith("application/problem+json")
    return body


def keys_of(client: Any, headers: dict[str, str]) -> list[Any]:
    return list(ok(client.get("/v1/api-keys?limit=100", headers=headers))["data"])


def audit_of(client: Any, headers: dict[str, str], **filters: str) -> list[Any]:
    query = "&".join(f"{name}={value}" for name, value in {"limit": "100", **filters}.items())
    return list(ok(client.get(f"/v1/audit-events?{query}", headers=headers))["data"])


def merchant_world(client: Any) -> World:
    return spec_world(client)


def order_body(world: World) -> dict[str, Any]:
    return {
        "currency": "EUR",
        "customer": {"email": "customer@example.com"},
        "payment_mode": "escrow",
        "fulfilment": "delivery",
        "courier_id": world.parties["C"].id,
        "delivery_fee": 590,
        "lines": [{"product_id": world.products["P1"], "quantity": 1}],
    }


# --- The "done when" ----------------------------------------------------------


def test_a_pos_key_reads_orders_cannot_create_one_is_revoked_and_rotation_has_a_grace_period(
    client: Any, clock: FakeClock
) -> None:
    world = merchant_world(client)
    merchant = world.parties["M"].headers
    world.order(**order_body(world))

    pos = create_key(client, merchant, name="POS", scopes=["orders:read"])
    assert pos["id"].startswith("key_") and pos["scopes"] == ["orders:read"]
    assert pos["secret"].startswith("axk_merchant_") and pos["prefix"] == pos["secret"][:17]
    pos_headers = bearer(pos["secret"])

    listed = ok(client.get("/v1/orders", headers=pos_headers))
    assert len(listed["data"]) == 1
    refused = problem(
        client.post("/v1/orders", json=order_body(world), headers=pos_headers),
        403,
        "insufficient_scope",
    )
    assert "orders:write" in refused["detail"]
    assert len(ok(client.get("/v1/orders", headers=merchant))["data"]) == 1  # nothing created

    revoked = ok(client.delete(f"/v1/api-keys/{pos['id']}", headers=merchant))
    assert revoked["revoked_at"] is not None
    problem(client.get("/v1/orders", headers=pos_headers), 401, "api_key_revoked")

    # Rotation: a second device's key; the old secret works during the grace period only.
    tablet = create_key(client, merchant, name="Tablet", scopes=["orders:read", "orders:write"])
    rotated = ok(client.post(f"/v1/api-keys/{tablet['id']}/rotate", headers=merchant))
    assert rotated["id"] == tablet["id"] and rotated["secret"] != tablet["secret"]
    grace = client.app.state.context.settings.api_key_rotation_grace_seconds
    assert grace > 0
    grace_end = datetime.fromisoformat(rotated["previous_secret_expires_at"])
    assert timedelta(seconds=grace - 5) < grace_end - clock() <= timedelta(seconds=grace)
    ok(client.get("/v1/orders", headers=bearer(tablet["secret"])))
    ok(client.get("/v1/orders", headers=bearer(rotated["secret"])))
    clock.advance(seconds=grace + 1)
    problem(client.get("/v1/orders", headers=bearer(tablet["secret"])), 401, "api_key_rotated")
    ok(client.get("/v1/orders", headers=bearer(rotated["secret"])))

    # Every one of these actions is in the audit trail, with the key that did it.
    merchant_key = keys_of(client, merchant)[-1]  # the first key, from the party's creation
    assert merchant_key["name"] == "first key"
    trail = audit_of(client, ADMIN)
    by_action = {(event["action"], event["object_id"]): event for event in trail}
    for action, key_id in (
        ("api_key.created", pos["id"]),
        ("api_key.revoked", pos["id"]),
        ("api_key.created", tablet["id"]),
        ("api_key.rotated", tablet["id"]),
    ):
        event = by_action[(action, key_id)]
        assert event["key_id"] == merchant_key["id"], event
        assert event["party_id"] == world.parties["M"].id
        assert event["actor"] == "api_key"
        assert event["request_id"] and event["ip"]
    # The merchant reads the same entries in its own trail.
    own = {(event["action"], event["object_id"]) for event in audit_of(client, merchant)}
    assert {("api_key.revoked", pos["id"]), ("api_key.rotated", tablet["id"])} <= own


# --- The party's first key --------------------------------------------------------------


def test_the_key_given_at_party_creation_is_the_partys_first_key(client: Any) -> None:
    created = ok(
        client.post("/v1/parties", json={"role": "courier", "name": "Léa"}, headers=ADMIN), 201
    )
    headers = bearer(created["api_key"])
    [first] = keys_of(client, headers)
    assert first["name"] == "first key" and first["scopes"] == ["*"]
    assert first["party_id"] == created["id"]
    assert created["api_key"].startswith(first["prefix"])
    assert "secret" not in first
    assert ok(client.get(f"/v1/api-keys/{first['id']}", headers=headers)) == first
    trail = audit_of(client, ADMIN, object_id=created["id"])
    assert [event["action"] for event in trail] == ["party.created"]
    assert trail[0]["actor"] == "bootstrap_key" and trail[0]["key_id"] is None


def test_a_revoked_first_key_is_refused_and_the_partys_other_keys_keep_working(
    client: Any,
) -> None:
    world = merchant_world(client)
    merchant = world.parties["M"].headers
    spare = create_key(client, merchant, name="Back office")
    first = keys_of(client, merchant)[-1]
    ok(client.delete(f"/v1/api-keys/{first['id']}", headers=bearer(spare["secret"])))
    problem(client.get("/v1/me", headers=merchant), 401, "api_key_revoked")
    assert ok(client.get("/v1/me", headers=bearer(spare["secret"])))["id"] == world.parties["M"].id


# --- Scopes -----------------------------------------------------------------------------


def test_a_redeem_only_key_can_scan_and_nothing_else(client: Any) -> None:
    world = merchant_world(client)
    order = world.order(**order_body(world))
    world.pay(order["id"])
    phone = create_key(client, world.parties["C"].headers, name="Phone", scopes=["redeem"])
    headers = bearer(phone["secret"])
    assert ok(client.get("/v1/me", headers=headers))["id"] == world.parties["C"].id
    code = world.code(order["id"])
    ok(client.post("/v1/redemptions/preview", json={"code": code}, headers=headers))
    problem(client.get("/v1/balance", headers=headers), 403, "insufficient_scope")
    problem(client.get("/v1/api-keys", headers=headers), 403, "insufficient_scope")
    problem(
        client.post("/v1/api-keys", json={"name": "x", "scopes": ["redeem"]}, headers=headers),
        403,
        "insufficient_scope",
    )
    redeemed = ok(
        client.post("/v1/redemptions", json={"code": code, "complete": True}, headers=headers),
        201,
    )
    assert redeemed["order_id"] == order["id"]


def test_write_grants_read_of_the_same_area_only(client: Any) -> None:
    world = merchant_world(client)
    key = create_key(client, world.parties["M"].headers, scopes=["orders:write"])
    headers = bearer(key["secret"])
    ok(client.get("/v1/orders", headers=headers))
    problem(client.get("/v1/products", headers=headers), 403, "insufficient_scope")


def test_a_key_creates_only_keys_within_its_own_scopes(client: Any) -> None:
    world = merchant_world(client)
    manager = create_key(client, world.parties["M"].headers, scopes=["keys:write", "orders:read"])
    headers = bearer(manager["secret"])
    narrower = create_key(client, headers, name="Reader", scopes=["orders:read"])
    assert narrower["scopes"] == ["orders:read"]
    # Omitted scopes default to the calling key's own.
    assert create_key(client, headers, name="Same")["scopes"] == ["keys:write", "orders:read"]
    before = keys_of(client, world.parties["M"].headers)
    trail_before = audit_of(client, ADMIN)
    for scopes in (["*"], ["orders:write"], ["orders:read", "payouts:read"]):
        body = problem(
            client.post("/v1/api-keys", json={"name": "wider", "scopes": scopes}, headers=headers),
            403,
            "insufficient_scope",
        )
        assert "scope" in body["detail"]
    # Nor rotate or revoke a wider key: rotation would hand it the wider secret.
    first = before[-1]
    problem(
        client.post(f"/v1/api-keys/{first['id']}/rotate", headers=headers),
        403,
        "insufficient_scope",
    )
    problem(
        client.delete(f"/v1/api-keys/{first['id']}", headers=headers), 403, "insufficient_scope"
    )
    assert keys_of(client, world.parties["M"].headers) == before
    assert audit_of(client, ADMIN) == trail_before
    ok(client.get("/v1/me", headers=world.parties["M"].headers))


# --- Bad input: a clear problem, nothing changed ---------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "x", "scopes": ["orders:delete"]}, 422, "unknown_scope"),
        ({"name": "x", "scopes": ["*", "everything"]}, 422, "unknown_scope"),
        ({"name": "x", "scopes": []}, 422, "invalid_scopes"),
        ({"name": "x", "expires_at": "2020-01-01T00:00:00Z"}, 422, "expiry_in_past"),
        ({"name": "x", "expires_at": "2030-01-01T00:00:00"}, 422, "validation_error"),
        ({"name": "   "}, 422, "validation_error"),
        ({"name": "x" * 101}, 422, "validation_error"),
        ({"scopes": ["redeem"]}, 422, "validation_error"),
        ({"name": "x", "owner": "me"}, 422, "validation_error"),
    ],
)
def test_bad_key_requests_are_refused_and_change_nothing(
    client: Any, body: dict[str, Any], status: int, code: str
) -> None:
    world = merchant_world(client)
    merchant = world.parties["M"].headers
    before = keys_of(client, merchant)
    trail = audit_of(client, ADMIN)
    problem(client.post("/v1/api-keys", json=body, headers=merchant), status, code)
    assert keys_of(client, merchant) == before
    assert audit_of(client, ADMIN) == trail


def test_revoking_a_revoked_key_is_a_conflict_and_rotating_it_too(client: Any) -> None:
    world = merchant_world(client)
    merchant = world.parties["M"].headers
    key = create_key(client, merchant)
    first = ok(client.delete(f"/v1/api-keys/{key['id']}", headers=merchant))
    problem(client.delete(f"/v1/api-keys/{key['id']}", headers=merchant), 409, "api_key_revoked")
    problem(
        client.post(f"/v1/api-keys/{key['id']}/rotate", headers=merchant), 409, "api_key_revoked"
    )
    assert ok(client.get(f"/v1/api-keys/{key['id']}", headers=merchant)) == first
    assert len(audit_of(client, ADMIN, action="api_key.revoked", object_id=key["id"])) == 1


def test_a_party_never_sees_nor_touches_another_partys_keys(client: Any) -> None:
    world = merchant_world(client)
    merchant, supplier = world.parties["M"].headers, world.parties["S1"].headers
    key = create_key(client, merchant, name="POS")
    operator_key = create_key(client, ADMIN, name="Alice at the operator")
    for foreign in (key["id"], operator_key["id"], "key_01JDQ3Z7X3K6W0RS8M2T4VYB9C", "nope"):
        not_found = [
            client.get(f"/v1/api-keys/{foreign}", headers=supplier),
            client.delete(f"/v1/api-keys/{foreign}", headers=supplier),
            client.post(f"/v1/api-keys/{foreign}/rotate", headers=supplier),
        ]
        for response in not_found:
            problem(response, 404, "api_key_not_found")
    assert key["id"] not in {item["id"] for item in keys_of(client, supplier)}
    problem(
        client.get(f"/v1/api-keys?party_id={world.parties['M'].id}", headers=supplier),
        403,
        "forbidden",
    )
    problem(client.get("/v1/api-keys?operator=true", headers=supplier), 403, "forbidden")
    # Naming another party when creating a key is for the operator only.
    problem(
        client.post(
            "/v1/api-keys",
            json={"name": "x", "party_id": world.parties["M"].id},
            headers=supplier,
        ),
        403,
        "forbidden",
    )
    # The merchant's key still works: nothing was revoked or rotated.
    ok(client.get("/v1/me", headers=bearer(key["secret"])))
    ok(client.get("/v1/audit-events", headers=bearer(operator_key["secret"])))
    assert ok(client.get(f"/v1/api-keys/{key['id']}", headers=merchant))["revoked_at"] is None


def test_an_expired_key_is_refused_and_cannot_be_rotated(client: Any, clock: FakeClock) -> None:
    world = merchant_world(client)
    merchant = world.parties["M"].headers
    expires_at = (clock() + timedelta(hours=1)).isoformat()
    key = create_key(client, merchant, name="Temp", expires_at=expires_at)
    ok(client.get("/v1/me", headers=bearer(key["secret"])))
    clock.advance(hours=1, seconds=1)
    problem(client.get("/v1/me", headers=bearer(key["secret"])), 401, "api_key_expired")
    problem(
        client.post(f"/v1/api-keys/{key['id']}/rotate", headers=merchant), 409, "api_key_expired"
    )


def test_an_unknown_or_missing_key_is_401(client: Any) -> None:
    problem(client.get("/v1/me"), 401, "unauthenticated")
    problem(
        client.get("/v1/me", headers=bearer("axk_merchant_" + "x" * 43)), 401, "unauthenticated"
    )


# --- Operators are people --------------------------------------------------------------


def test_the_operator_names_its_own_keys_and_makes_keys_for_a_party(client: Any) -> None:
    world = merchant_world(client)
    alice = create_key(client, ADMIN, name="Alice (support)")
    assert alice["party_id"] is None and alice["secret"].startswith("axk_admin_")
    alice_headers = bearer(alice["secret"])
    # Alice acts as the operator; the trail names her key.
    courier = ok(
        client.post("/v1/parties", json={"role": "courier", "name": "Bob"}, headers=alice_headers),
        201,
    )
    [created] = audit_of(client, ADMIN, action="party.created", object_id=courier["id"])
    assert created["key_id"] == alice["id"] and created["party_id"] is None
    # A key made by the operator for a party works as that party.
    for_merchant = create_key(
        client, alice_headers, name="Till", scopes=["orders:read"], party_id=world.parties["M"].id
    )
    assert for_merchant["party_id"] == world.parties["M"].id
    assert for_merchant["secret"].startswith("axk_merchant_")
    me = ok(client.get("/v1/me", headers=bearer(for_merchant["secret"])))
    assert me["id"] == world.parties["M"].id
    problem(
        create_key_response(client, alice_headers, party_id="pty_01JDQ3Z7X3K6W0RS8M2T4VYB9C"),
        404,
        "party_not_found",
    )
    # The merchant sees what the operator did to it, without the operator's details.
    [seen] = audit_of(client, world.parties["M"].headers, object_id=for_merchant["id"])
    assert seen["action"] == "api_key.created" and seen["party_id"] is None
    assert seen["key_id"] is None and seen["ip"] is None and seen["request_id"] is None
    # Operator listings: all keys, one party's, the operator's own.
    assert {alice["id"], for_merchant["id"]} <= {k["id"] for k in keys_of(client, ADMIN)}
    operators = ok(client.get("/v1/api-keys?operator=true", headers=ADMIN))["data"]
    assert [k["id"] for k in operators] == [alice["id"]]
    party_keys = ok(client.get(f"/v1/api-keys?party_id={world.parties['M'].id}", headers=ADMIN))[
        "data"
    ]
    assert for_merchant["id"] in {k["id"] for k in party_keys}
    assert all(k["party_id"] == world.parties["M"].id for k in party_keys)
    # Revoked, Alice's key stops at once.
    ok(client.delete(f"/v1/api-keys/{alice['id']}", headers=ADMIN))
    problem(client.get("/v1/audit-events", headers=alice_headers), 401, "api_key_revoked")


def create_key_response(client: Any, headers: dict[str, str], **body: Any) -> Any:
    body.setdefault("name", "device")
    return client.post("/v1/api-keys", json=body, headers=headers)


def test_an_operator_key_with_narrow_scopes_is_held_to_them(client: Any) -> None:
    auditor = create_key(client, ADMIN, name="Auditor", scopes=["audit:read"])
    headers = bearer(auditor["secret"])
    ok(client.get("/v1/audit-events", headers=headers))
    problem(
        client.post("/v1/parties", json={"role": "courier", "name": "x"}, headers=headers),
        403,
        "insufficient_scope",
    )


# --- Last use, written cheaply -----------------------------------------------------------


def test_last_use_is_written_at_most_once_a_minute(client: Any, clock: FakeClock) -> None:
    world = merchant_world(client)
    merchant = world.parties["M"].headers
    key = create_key(client, merchant, name="POS")
    assert key["last_used_at"] is None
    headers = bearer(key["secret"])

    def last_used() -> Any:
        return ok(client.get(f"/v1/api-keys/{key['id']}", headers=merchant))["last_used_at"]

    ok(client.get("/v1/me", headers=headers))
    first = last_used()
    assert first is not None
    clock.advance(seconds=30)
    ok(client.get("/v1/me", headers=headers))
    assert last_used() == first  # not written again within the interval
    clock.advance(seconds=31)
    ok(client.get("/v1/me", headers=headers))
    later = last_used()
    assert datetime.fromisoformat(later) - datetime.fromisoformat(first) >= timedelta(seconds=60)
    listed = next(k for k in keys_of(client, merchant) if k["id"] == key["id"])
    assert listed["last_used_ip"] == "testclient"


# --- Request ids -----------------------------------------------------------------------------


def test_every_response_carries_a_request_id_echoed_or_generated(client: Any) -> None:
    echoed = client.get("/v1/me", headers={**ADMIN, "X-Request-Id": "trace-42.a:b"})
    assert echoed.headers["x-request-id"] == "trace-42.a:b"
    generated = client.get("/v1/me", headers=ADMIN)
    assert generated.headers["x-request-id"].startswith("req_")
    refused = client.get("/v1/me", headers={**ADMIN, "X-Request-Id": "bad id <script>"})
    assert refused.headers["x-request-id"].startswith("req_")
    assert client.get("/v1/me").headers["x-request-id"]  # a 401 too
    created = client.post(
        "/v1/api-keys", json={"name": "Traced"}, headers={**ADMIN, "X-Request-Id": "trace-43"}
    )
    key_id = ok(created, 201)["id"]
    [event] = audit_of(client, ADMIN, object_id=key_id)
    assert event["request_id"] == "trace-43"


def test_timestamps_in_key_responses_are_utc(client: Any) -> None:
    key = create_key(client, ADMIN, name="x", expires_at="2099-01-01T01:00:00+01:00")
    assert datetime.fromisoformat(key["expires_at"]) == datetime(2099, 1, 1, tzinfo=UTC)


def test_writing_a_keys_last_use_is_not_the_requests_first_commit(client: Any) -> None:
    """A keyed POST's idempotency record is marked used by its use case's first
    commit; the last-use write while authenticating must not be taken for it."""
    from axokey.services.api_keys import authenticate

    context = client.app.state.context
    key = create_key(client, ADMIN, name="Fresh")
    checked: list[Any] = []
    with context.database.checking_commits(checked.append):
        principal = authenticate(context, key["secret"])
    assert principal.key_id == key["id"]
    assert checked == []  # the write happened, outside the request's commit checks
    assert ok(client.get(f"/v1/api-keys/{key['id']}", headers=ADMIN))["last_used_at"]
