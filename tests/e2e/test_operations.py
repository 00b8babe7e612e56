"""Operations: /healthz, /readyz, /metrics and who may read them."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from axokey.adapters.db.engine import Database, make_engine
from axokey.api.app import create_app
from axokey.bootstrap import bootstrap
from tests.conftest import ADMIN, bearer, make_settings
from tests.scenario import ok, paid_delivery, world_for


def test_healthz_answers_without_a_key(client: Any) -> None:
    assert ok(client.get("/healthz")) == {"status": "ok"}


def test_readyz_is_200_when_the_schema_is_current(client: Any) -> None:
    body = ok(client.get("/readyz"))
    assert body["status"] == "ready"
    assert body["schema_revision"]


def test_readyz_is_503_when_the_schema_is_behind(client: Any, context: Any) -> None:
    with context.database.transaction() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "not_ready"
        assert "axokey migrate" in response.json()["detail"]
    finally:
        with context.database.transaction() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
    assert ok(client.get("/readyz"))["status"] == "ready"


def test_readyz_is_503_when_the_database_cannot_be_reached(tmp_path: Any) -> None:
    # A SQLite file in a directory that does not exist: every connection fails.
    settings = make_settings(f"sqlite:///{tmp_path}/missing/dir/axokey.db")
    database = Database(make_engine(settings.database_url, pool_size=1))
    context = bootstrap(settings, database=database)
    with TestClient(create_app(context=context)) as unreachable:
        assert unreachable.get("/healthz").status_code == 200
        response = unreachable.get("/readyz")
    database.dispose()
    assert response.status_code == 503
    assert response.json()["code"] == "not_ready"
    assert response.json()["detail"] == "the database cannot be reached"


def _sample(text_body: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition (0 when absent)."""
    for line in text_body.splitlines():
        if not line.startswith(name + ("{" if labels else " ")):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_template_and_read_held_money(
    client: Any,
) -> None:
    world = world_for(client, "deposit")
    order = paid_delivery(world, "deposit")
    before = client.get("/metrics", headers=ADMIN)
    assert before.status_code == 200
    assert before.headers["content-type"].startswith("text/plain")
    route = "/v1/orders/{order_id}"
    counted = _sample(
        before.text, "axokey_http_requests_total", method="GET", route=route, status="200"
    )
    ok(client.get(f"/v1/orders/{order['id']}", headers=world.parties["M"].headers))
    after = client.get("/metrics", headers=ADMIN).text
    assert (
        _sample(after, "axokey_http_requests_total", method="GET", route=route, status="200")
        == counted + 1
    )
    # The raw path (with the id) never becomes a label.
    assert order["id"] not in after
    assert _sample(after, "axokey_http_request_duration_seconds_count", route=route) >= 1
    # The paid order's escrow holds its total; a capture is a committed ledger batch.
    assert order["amounts"]["held"] > 0
    assert _sample(after, "axokey_held_minor", currency="EUR") == order["amounts"]["held"]
    assert _sample(after, "axokey_ledger_batches_total") >= 1
    assert "axokey_webhook_backlog " in after
    assert "axokey_sweep_duration_seconds" in after
    assert "axokey_lifecycles_completed_total" in after


def test_metrics_are_for_the_operator_only(client: Any) -> None:
    world = world_for(client, "deposit")
    merchant = world.parties["M"]
    # No key, a made-up key: 401.
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer("axk_admin_made_up")).status_code == 401
    # A party's full-access key: 403, whatever its scopes.
    refused = client.get("/metrics", headers=merchant.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "role_not_allowed"
    # An operator key without the scope: 403 naming it.
    narrow = ok(
        client.post("/v1/api-keys", json={"name": "n", "scopes": ["orders:read"]}, headers=ADMIN),
        201,
    )
    refused = client.get("/metrics", headers=bearer(narrow["secret"]))
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    # The operator's scrape key: metrics:read only.
    scraper = ok(
        client.post(
            "/v1/api-keys", json={"name": "prometheus", "scopes": ["metrics:read"]}, headers=ADMIN
        ),
        201,
    )
    assert client.get("/metrics", headers=bearer(scraper["secret"])).status_code == 200
    assert client.get("/v1/orders", headers=bearer(scraper["secret"])).status_code == 403
