"""Webhooks end to end: endpoints registered over HTTP, example A run over HTTP,
deliveries sent by the dispatcher to a real HTTP receiver on 127.0.0.1 and
verified with the ``standardwebhooks`` library."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from axokey.adapters.db.tables import webhook_deliveries
from axokey.services.webhook_dispatch import dispatch_until_idle
from tests.conftest import ADMIN
from tests.receivers import Receiver, always, fail_first, http_receiver
from tests.scenario import World, delivery_order, ok, spec_world

EXAMPLE_A_TYPES = [
    "order.created",
    "order.paid",
    "line.released",
    "line.refunded",
    "order.completed",
]


@pytest.fixture
def receiver() -> Any:
    with http_receiver() as running:
        yield running


def register(world: World, who: str, url: str, events: list[str], expect: int = 201) -> Any:
    headers = ADMIN if who == "operator" else world.parties[who].headers
    response = world.client.post(
        "/v1/webhook-endpoints", json={"url": url, "events": events}, headers=headers
    )
    return ok(response, expect)


def run_example_a(world: World) -> Any:
    order = delivery_order(world, "escrow")
    line1 = order["lines"][0]
    world.pay(order["id"])
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    return order


def deliver_all(context: Any, clock: Any, rounds: int = 20) -> None:
    """Dispatch, then let the retry waits pass, until nothing is left to send."""
    for _ in range(rounds):
        dispatch_until_idle(context)
        with context.database.read() as connection:
            pending = connection.execute(
                select(webhook_deliveries.c.seq).where(webhook_deliveries.c.status == "pending")
            ).first()
        if pending is None:
            return
        clock.advance(seconds=3600)


def verified(receiver: Receiver, path: str, secret: str) -> list[dict[str, Any]]:
    """Every successful delivery to ``path``, verified, with its webhook-id."""
    found = []
    for request in receiver.succeeded(path):
        payload = Webhook(secret).verify(request.body, request.headers)
        found.append({**payload, "webhook_id": request.headers["webhook-id"]})
    return found


def test_example_a_reaches_the_merchant_despite_two_failed_attempts(
    client: Any, context: Any, clock: Any, receiver: Receiver
) -> None:
    context.settings.webhook_retry_schedule_seconds = "5,300,1800"
    world = spec_world(client)
    endpoint = register(world, "M", receiver.url("/hooks/m", fail_first(2)), EXAMPLE_A_TYPES)
    assert endpoint["id"].startswith("whe_") and endpoint["secret"].startswith("whsec_")
    order = run_example_a(world)

    deliver_all(context, clock)

    deliveries = verified(receiver, "/hooks/m", endpoint["secret"])
    assert [d["type"] for d in deliveries] == EXAMPLE_A_TYPES
    assert {d["data"]["order_id"] for d in deliveries} == {order["id"]}
    # The two failed attempts were the first event's: in order per object, the
    # later events waited for it.
    attempts = receiver.to("/hooks/m")
    assert [a.answered for a in attempts[:3]] == [500, 500, 200]
    assert {json.loads(a.body)["type"] for a in attempts[:3]} == {"order.created"}
    # The merchant sees the customer's email and the margins.
    paid = deliveries[1]["data"]
    assert paid["order"]["customer"]["email"] == order["customer"]["email"]
    assert paid["deposits"] == 0
    released = deliveries[2]["data"]
    assert (released["amount"], released["commission"]) == (7000, 3000)
    # The same ids as the events API.
    events = ok(client.get("/v1/events?limit=100", headers=world.parties["M"].headers))["data"]
    by_id = {event["id"]: event for event in events}
    for delivery in deliveries:
        assert by_id[delivery["webhook_id"]]["type"] == delivery["type"]
        assert by_id[delivery["webhook_id"]]["data"] == delivery["data"]
    # Every attempt is recorded and readable by the endpoint's owner.
    recorded = ok(
        client.get(
            f"/v1/webhook-endpoints/{endpoint['id']}/attempts?limit=100",
            headers=world.parties["M"].headers,
        )
    )["data"]
    assert len(recorded) == 7
    assert sorted(a["response_status"] for a in recorded) == [200] * 5 + [500, 500]
    assert all(a["duration_ms"] >= 0 for a in recorded)
    assert [a["error"] for a in recorded if not a["succeeded"]] == ["http_500", "http_500"]


def test_a_supplier_receives_only_its_own_lines_and_no_customer_contact(
    client: Any, context: Any, clock: Any, receiver: Receiver
) -> None:
    world = spec_world(client)
    types = [*EXAMPLE_A_TYPES, "order.redeemed", "refund.succeeded"]
    s2 = register(world, "S2", receiver.url("/hooks/s2"), types)
    courier = register(world, "C", receiver.url("/hooks/c"), types)
    order = run_example_a(world)
    line1, line2 = (line["id"] for line in order["lines"])
    deliver_all(context, clock)

    s2_deliveries = verified(receiver, "/hooks/s2", s2["secret"])
    kinds = [d["type"] for d in s2_deliveries]
    # S1's line released is not S2's event; S2's missing line refunded is.
    assert "line.released" not in kinds
    assert kinds == [
        "order.created",
        "order.paid",
        "line.refunded",
        "order.redeemed",
        "order.completed",
        "refund.succeeded",
    ]
    for delivery in s2_deliveries:
        shown = delivery["data"]["order"]
        assert shown["customer"]["email"] is None
        assert shown["customer"]["name"] is None  # a supplier hands nothing over
        assert [line["id"] for line in shown["lines"]] == [line2]
        assert "deposits" not in delivery["data"]
    redeemed = next(d for d in s2_deliveries if d["type"] == "order.redeemed")
    assert (redeemed["data"]["released"], redeemed["data"]["refunded"]) == ([], [line2])
    raw = b"".join(request.body for request in receiver.to("/hooks/s2"))
    assert order["customer"]["email"].encode() not in raw
    assert order["customer"]["name"].encode() not in raw
    assert line1.encode() not in raw
    # Nor does it read them through the API.
    as_s2 = client.get(f"/v1/orders/{order['id']}", headers=world.parties["S2"].headers)
    assert as_s2.json()["customer"] == {
        "email": None,
        "name": None,
        "iban": None,
        "locale": order["customer"]["locale"],
    }

    # The courier sees every line to hand over, but nobody's earnings.
    for delivery in verified(receiver, "/hooks/c", courier["secret"]):
        assert delivery["data"]["order"]["customer"]["email"] is None
        assert delivery["data"]["order"]["customer"]["name"] == order["customer"]["name"]
        for line in delivery["data"]["order"]["lines"]:
            assert line["commission"] is None and line["supplier_amount"] is None
        if delivery["type"].startswith("line."):
            assert "amount" not in delivery["data"] and "commission" not in delivery["data"]


def test_endpoints_are_managed_by_their_owner_only(client: Any, receiver: Receiver) -> None:
    world = spec_world(client)
    m = world.parties["M"].headers
    created = register(world, "M", receiver.url("/a"), ["order.paid"])
    assert "secret" in created
    shown = ok(client.get(f"/v1/webhook-endpoints/{created['id']}", headers=m))
    assert "secret" not in shown and shown["enabled"] is True
    assert shown["events"] == ["order.paid"]
    # Another party, even of the same kind: 404, never a hint that it exists.
    for other in ("S1", "C", "ST"):
        headers = world.parties[other].headers
        response = client.get(f"/v1/webhook-endpoints/{created['id']}", headers=headers)
        assert response.status_code == 404
        assert response.json()["code"] == "webhook_endpoint_not_found"
        assert (
            client.delete(f"/v1/webhook-endpoints/{created['id']}", headers=headers).status_code
            == 404
        )
        listed = ok(client.get("/v1/webhook-endpoints", headers=headers))
        assert listed["data"] == []
    # The operator sees it.
    assert (
        ok(client.get(f"/v1/webhook-endpoints/{created['id']}", headers=ADMIN))["id"]
        == created["id"]
    )
    changed = ok(
        client.patch(
            f"/v1/webhook-endpoints/{created['id']}",
            json={"events": ["order.paid", "order.completed"], "enabled": False},
            headers=m,
        )
    )
    assert (changed["events"], changed["enabled"]) == (["order.completed", "order.paid"], False)
    assert [e["id"] for e in ok(client.get("/v1/webhook-endpoints", headers=m))["data"]] == [
        created["id"]
    ]
    assert (
        ok(client.delete(f"/v1/webhook-endpoints/{created['id']}", headers=m))["id"]
        == created["id"]
    )
    assert client.get(f"/v1/webhook-endpoints/{created['id']}", headers=m).status_code == 404
    # No key: 401.
    assert client.get("/v1/webhook-endpoints").status_code == 401


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "https://93.184.215.14/h", "events": ["order.shipped"]}, "unknown_event_type"),
        ({"url": "https://93.184.215.14/h", "events": []}, "validation_error"),
        ({"url": "ftp://93.184.215.14/h", "events": ["order.paid"]}, "webhook_url_not_https"),
        ({"url": "http://93.184.215.14/h", "events": ["order.paid"]}, "webhook_url_not_https"),
        ({"url": "https://127.0.0.1/h", "events": ["order.paid"]}, "webhook_url_refused"),
        ({"url": "https://10.1.2.3/h", "events": ["order.paid"]}, "webhook_url_refused"),
        ({"url": "https://[::1]/h", "events": ["order.paid"]}, "webhook_url_refused"),
        ({"url": "https://169.254.169.254/", "events": ["order.paid"]}, "webhook_url_refused"),
        ({"url": "https://localhost/h", "events": ["order.paid"]}, "webhook_url_refused"),
        (
            {"url": "https://user:pw@93.184.215.14/", "events": ["order.paid"]},
            "webhook_url_invalid",
        ),
        ({"url": "https://[::ffff:127.0.0.1]/", "events": ["order.paid"]}, "webhook_url_refused"),
    ],
)
def test_bad_endpoints_are_refused_outside_the_sandbox(
    client: Any, context: Any, body: dict[str, Any], code: str
) -> None:
    context.settings.webhook_allow_private_urls = False
    world = spec_world(client)
    response = client.post("/v1/webhook-endpoints", json=body, headers=world.parties["M"].headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert ok(client.get("/v1/webhook-endpoints", headers=world.parties["M"].headers))["data"] == []


def test_a_public_https_address_is_accepted(client: Any, context: Any) -> None:
    context.settings.webhook_allow_private_urls = False
    world = spec_world(client)
    created = register(world, "S1", "https://93.184.215.14/hooks", ["line.released"])
    assert created["url"] == "https://93.184.215.14/hooks"


def test_the_address_is_checked_again_at_delivery_after_resolution(
    client: Any, context: Any, clock: Any, receiver: Receiver
) -> None:
    context.settings.webhook_allow_private_urls = False
    world = spec_world(client)
    endpoint = register(world, "M", "https://93.184.215.14/hooks", ["order.created"])
    delivery_order(world, "escrow")
    # The name now resolves inside (DNS rebinding): refused, nothing sent.
    dispatch_until_idle(context, resolver=lambda host, port: ["127.0.0.1"])
    attempts = ok(
        client.get(
            f"/v1/webhook-endpoints/{endpoint['id']}/attempts", headers=world.parties["M"].headers
        )
    )["data"]
    assert len(attempts) == 1
    assert attempts[0]["succeeded"] is False
    assert attempts[0]["error"].startswith("address_refused")
    assert attempts[0]["response_status"] is None


def test_hostile_receivers_are_recorded_and_never_block_the_others(
    client: Any, context: Any, clock: Any, receiver: Receiver
) -> None:
    # Short enough for a test, long enough for the healthy receiver on a loaded machine.
    context.settings.webhook_delivery_timeout_seconds = 5.0
    receiver.hang_seconds = 15.0
    world = spec_world(client)
    hooks = {
        "hang": register(world, "M", receiver.url("/hang", always("hang")), ["order.created"]),
        "redirect": register(
            world, "M", receiver.url("/redirect", always("redirect")), ["order.created"]
        ),
        "huge": register(world, "M", receiver.url("/huge", always("huge")), ["order.created"]),
        "error": register(world, "M", receiver.url("/error", always(500)), ["order.created"]),
        "healthy": register(world, "M", receiver.url("/healthy"), ["order.created"]),
    }
    delivery_order(world, "escrow")
    report = dispatch_until_idle(context)
    assert report.attempted == 5
    assert len(receiver.succeeded("/healthy")) == 1
    outcomes = {}
    for name, endpoint in hooks.items():
        attempts = ok(
            client.get(
                f"/v1/webhook-endpoints/{endpoint['id']}/attempts",
                headers=world.parties["M"].headers,
            )
        )["data"]
        assert len(attempts) == 1, name
        outcomes[name] = attempts[0]
    assert outcomes["healthy"]["succeeded"] is True
    assert outcomes["hang"]["error"] == "timeout"
    assert outcomes["redirect"]["error"] == "redirect_not_followed"
    assert outcomes["redirect"]["response_status"] == 302
    assert outcomes["error"]["error"] == "http_500"
    # A huge answer is read up to a bound, and only an excerpt is kept.
    assert outcomes["huge"]["succeeded"] is True
    assert len(outcomes["huge"]["response_excerpt"]) <= 1024
    # The redirect's target was never called.
    assert all(request.path != "/latest/meta-data/" for request in receiver.received)


def test_an_endpoint_failing_for_the_whole_schedule_is_disabled_with_an_event(
    client: Any, context: Any, clock: Any, receiver: Receiver
) -> None:
    context.settings.webhook_retry_schedule_seconds = "10,20"
    world = spec_world(client)
    endpoint = register(world, "M", receiver.url("/down", always(503)), ["order.created"])
    watcher = register(world, "M", receiver.url("/watch"), ["webhook_endpoint.disabled"])
    delivery_order(world, "escrow")
    deliver_all(context, clock)
    assert len(receiver.to("/down")) == 3  # the first attempt and two retries
    shown = ok(
        client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=world.parties["M"].headers)
    )
    assert (shown["enabled"], shown["disabled_reason"]) == (False, "failing")
    disabled = verified(receiver, "/watch", watcher["secret"])
    assert [d["type"] for d in disabled] == ["webhook_endpoint.disabled"]
    assert disabled[0]["data"]["endpoint_id"] == endpoint["id"]
    events = ok(
        client.get("/v1/events?type=webhook_endpoint.disabled", headers=world.parties["M"].headers)
    )["data"]
    assert [e["data"]["endpoint_id"] for e in events] == [endpoint["id"]]
    # Another merchant never sees it.
    world.party("M2", "merchant")
    assert (
        ok(
            client.get(
                "/v1/events?type=webhook_endpoint.disabled", headers=world.parties["M2"].headers
            )
        )["data"]
        == []
    )


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(
    client: Any, context: Any, clock: Any, receiver: Receiver
) -> None:
    world = spec_world(client)
    m = world.parties["M"].headers
    endpoint = register(world, "M", receiver.url("/rot"), ["order.created"])
    rotated = ok(client.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", headers=m))
    assert rotated["secret"] != endpoint["secret"] and rotated["secret"].startswith("whsec_")
    delivery_order(world, "escrow")
    dispatch_until_idle(context)
    request = receiver.to("/rot")[0]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (endpoint["secret"], rotated["secret"]):
        Webhook(secret).verify(request.body, request.headers)
    # A day later, only the new secret signs.
    clock.advance(hours=24, seconds=1)
    delivery_order(world, "escrow")
    dispatch_until_idle(context)
    later = receiver.to("/rot")[1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    Webhook(rotated["secret"]).verify(later.body, later.headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(endpoint["secret"]).verify(later.body, later.headers)


def test_a_test_ping_is_signed_and_recorded(client: Any, receiver: Receiver) -> None:
    world = spec_world(client)
    endpoint = register(world, "ST", receiver.url("/ping"), ["stock.changed"])
    attempt = ok(
        client.post(
            f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=world.parties["ST"].headers
        )
    )
    assert attempt["succeeded"] is True and attempt["response_status"] == 200
    payload = Webhook(endpoint["secret"]).verify(
        receiver.to("/ping")[0].body, receiver.to("/ping")[0].headers
    )
    assert payload["type"] == "webhook_endpoint.test"
    other = client.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=world.parties["M"].headers
    )
    assert other.status_code == 404


def test_an_event_is_redelivered_on_request(
    client: Any, context: Any, clock: Any, receiver: Receiver
) -> None:
    world = spec_world(client)
    endpoint = register(world, "M", receiver.url("/again"), ["order.created"])
    delivery_order(world, "escrow")
    dispatch_until_idle(context)
    first = receiver.to("/again")[0]
    event_id = first.headers["webhook-id"]
    queued = ok(
        client.post(f"/v1/events/{event_id}/redeliver", headers=world.parties["M"].headers), 202
    )
    assert queued == {"event_id": event_id, "deliveries_queued": 1}
    dispatch_until_idle(context)
    again = receiver.to("/again")
    assert [r.headers["webhook-id"] for r in again] == [event_id, event_id]
    Webhook(endpoint["secret"]).verify(again[1].body, again[1].headers)
    # Not the supplier's endpoint, nor another party's event.
    world.party("M2", "merchant")
    assert (
        client.post(
            f"/v1/events/{event_id}/redeliver", headers=world.parties["M2"].headers
        ).status_code
        == 404
    )


def test_the_events_api_shows_each_party_its_own(client: Any, context: Any) -> None:
    world = spec_world(client)
    order = run_example_a(world)
    line1, line2 = (line["id"] for line in order["lines"])

    def types(who: str, query: str = "") -> list[str]:
        headers = ADMIN if who == "operator" else world.parties[who].headers
        found = ok(client.get(f"/v1/events?limit=100{query}", headers=headers))["data"]
        return [event["type"] for event in reversed(found)]

    full = [
        "order.created",
        "order.paid",
        "line.released",
        "line.refunded",
        "order.redeemed",
        "order.completed",
        "refund.succeeded",
    ]
    # spec_world counted the store's two products: the store and its merchant (and
    # the operator) read those stock events; suppliers do not.
    stock = ["stock.changed", "stock.changed"]
    assert types("M") == stock + full
    assert types("operator") == stock + full
    assert types("S1") == [t for t in full if t not in ("line.refunded", "refund.succeeded")]
    assert types("S2") == [t for t in full if t != "line.released"]
    assert types("ST") == stock
    assert types("C", "&type=stock.changed") == []
    assert types("M", "&type=line.released") == ["line.released"]

    # Pages, newest first.
    page1 = ok(client.get("/v1/events?limit=3", headers=world.parties["M"].headers))
    assert page1["has_more"] is True and len(page1["data"]) == 3
    page2 = ok(
        client.get(
            f"/v1/events?limit=100&starting_after={page1['data'][-1]['id']}",
            headers=world.parties["M"].headers,
        )
    )
    assert [e["type"] for e in page1["data"] + page2["data"]] == list(reversed(stock + full))
    assert page2["has_more"] is False

    # One event: its reader's view; another party's → 404.
    events = ok(client.get("/v1/events?limit=100", headers=world.parties["M"].headers))["data"]
    released = next(e for e in events if e["type"] == "line.released")
    assert (
        ok(client.get(f"/v1/events/{released['id']}", headers=world.parties["S1"].headers))["data"][
            "line_id"
        ]
        == line1
    )
    for who in ("S2", "ST"):
        response = client.get(f"/v1/events/{released['id']}", headers=world.parties[who].headers)
        assert response.status_code == 404 and response.json()["code"] == "event_not_found"
    courier_view = ok(
        client.get(f"/v1/events/{released['id']}", headers=world.parties["C"].headers)
    )
    assert "amount" not in courier_view["data"] and "commission" not in courier_view["data"]
    assert courier_view["data"]["order"]["customer"]["email"] is None
    assert {line["id"] for line in courier_view["data"]["order"]["lines"]} == {line1, line2}

    bad = client.get("/v1/events?type=order.shipped", headers=world.parties["M"].headers)
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_event_type"
    cursor = client.get(
        f"/v1/events?starting_after={released['id']}", headers=world.parties["S2"].headers
    )
    assert cursor.status_code == 422 and cursor.json()["code"] == "invalid_cursor"


def test_serve_runs_the_dispatcher_and_the_email_sender_in_the_background(
    context: Any, receiver: Receiver, tmp_path: Any
) -> None:
    import time

    from fastapi.testclient import TestClient

    from axokey.api.app import create_app
    from axokey.api.background import background_lifespan, default_jobs

    context.settings.webhook_dispatch_interval_seconds = 0.2
    context.settings.sweep_interval_seconds = 3600
    context.settings.email_directory = str(tmp_path / "emails")
    assert [job.name for job in default_jobs(context)] == ["sweep", "webhooks", "emails"]
    app = create_app(context=context, lifespan=background_lifespan(context))
    with TestClient(app, raise_server_exceptions=False) as running:
        world = spec_world(running)
        register(world, "M", receiver.url("/bg"), ["order.paid"])
        order = delivery_order(world, "escrow")
        world.pay(order["id"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            receiver.succeeded("/bg") and list((tmp_path / "emails").glob("*.eml"))
        ):
            time.sleep(0.1)
    assert [json.loads(r.body)["type"] for r in receiver.succeeded("/bg")] == ["order.paid"]
    assert len(list((tmp_path / "emails").glob("*.eml"))) == 1


def test_the_operator_endpoint_receives_every_event_in_full(
    client: Any, context: Any, clock: Any, receiver: Receiver
) -> None:
    world = spec_world(client)
    operator = register(world, "operator", receiver.url("/op"), EXAMPLE_A_TYPES)
    order = run_example_a(world)
    deliver_all(context, clock)
    deliveries = verified(receiver, "/op", operator["secret"])
    assert [d["type"] for d in deliveries] == EXAMPLE_A_TYPES
    shown = deliveries[-1]["data"]["order"]
    assert shown["customer"]["email"] == order["customer"]["email"]
    assert len(shown["lines"]) == 2 and all(
        line["commission"] is not None for line in shown["lines"]
    )
    # The merchant never sees the operator's endpoint.
    listed = ok(client.get("/v1/webhook-endpoints", headers=world.parties["M"].headers))
    assert listed["data"] == []


def test_webhook_writes_need_their_scope_and_are_audited(client: Any, receiver: Receiver) -> None:
    world = spec_world(client)
    m = world.parties["M"].headers
    reader = ok(
        client.post(
            "/v1/api-keys", json={"name": "reader", "scopes": ["webhooks:read"]}, headers=m
        ),
        201,
    )
    limited = {"Authorization": f"Bearer {reader['secret']}"}
    refused = client.post(
        "/v1/webhook-endpoints",
        json={"url": receiver.url("/scoped"), "events": ["order.paid"]},
        headers=limited,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    assert ok(client.get("/v1/webhook-endpoints", headers=limited))["data"] == []
    created = register(world, "M", receiver.url("/scoped"), ["order.paid"])
    ok(client.post(f"/v1/webhook-endpoints/{created['id']}/rotate-secret", headers=m))
    ok(client.delete(f"/v1/webhook-endpoints/{created['id']}", headers=m))
    trail = ok(client.get(f"/v1/audit-events?object_id={created['id']}", headers=m))["data"]
    assert sorted(event["action"] for event in trail) == [
        "webhook_endpoint.created",
        "webhook_endpoint.deleted",
        "webhook_endpoint.rotated",
    ]
    assert all("secret" not in json.dumps(event["details"]) for event in trail)
