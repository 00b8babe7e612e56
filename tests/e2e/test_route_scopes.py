"""Every route of the app, found by walking ``app.routes`` (so a route added later
is covered without editing a list of URLs):

- declares its scope with the one ``requires`` dependency, as the access policy
  below says, or is one of the few public routes;
- refuses a revoked key (401), an expired key (401) and a key without the scope
  (403 ``insufficient_scope`` naming it), before looking at the body or the ids.

A new route fails the first test until its scope is added to ``POLICY`` (see
docs/api-keys.md).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from axokey.api.deps import RequireScope
from tests.conftest import ADMIN, FakeClock, bearer
from tests.scenario import ok

ANY_KEY = "any valid key"

# The access policy: (method, path) → the scope a key needs.
POLICY: dict[tuple[str, str], str] = {
    ("POST", "/v1/parties"): "parties:write",
    ("GET", "/v1/parties/{party_id}"): "parties:read",
    ("GET", "/v1/me"): ANY_KEY,
    ("POST", "/v1/api-keys"): "keys:write",
    ("GET", "/v1/api-keys"): "keys:read",
    ("GET", "/v1/api-keys/{key_id}"): "keys:read",
    ("DELETE", "/v1/api-keys/{key_id}"): "keys:write",
    ("POST", "/v1/api-keys/{key_id}/rotate"): "keys:write",
    ("GET", "/v1/audit-events"): "audit:read",
    # The customer's rights: operator only, with a full-access key.
    ("GET", "/v1/customers/data"): "*",
    ("POST", "/v1/customers/erase"): "*",
    ("POST", "/v1/products"): "catalog:write",
    ("GET", "/v1/products"): "catalog:read",
    ("GET", "/v1/products/{product_id}"): "catalog:read",
    ("POST", "/v1/listings"): "catalog:write",
    ("GET", "/v1/listings"): "catalog:read",
    ("GET", "/v1/listings/{listing_id}"): "catalog:read",
    ("POST", "/v1/agreements"): "catalog:write",
    ("POST", "/v1/agreements/{agreement_id}/accept"): "catalog:write",
    ("GET", "/v1/agreements"): "catalog:read",
    ("GET", "/v1/agreements/{agreement_id}"): "catalog:read",
    ("POST", "/v1/orders"): "orders:write",
    ("GET", "/v1/orders"): "orders:read",
    ("GET", "/v1/orders/{order_id}"): "orders:read",
    ("POST", "/v1/orders/{order_id}/cancel"): "orders:write",
    ("POST", "/v1/orders/{order_id}/checkout"): "orders:write",
    ("GET", "/v1/orders/{order_id}/qr"): "orders:read",
    ("POST", "/v1/orders/{order_id}/rotate-code"): "orders:write",
    ("GET", "/v1/payments/{payment_id}"): "orders:read",
    ("GET", "/v1/payment-alerts"): "orders:read",
    ("POST", "/v1/redemptions/preview"): "redeem",
    ("POST", "/v1/redemptions"): "redeem",
    ("POST", "/v1/redemptions/code-image"): "redeem",
    ("GET", "/v1/refunds"): "orders:read",
    ("GET", "/v1/refunds/{refund_id}"): "orders:read",
    ("GET", "/v1/balance"): "payouts:read",
    ("GET", "/v1/balance/history"): "payouts:read",
    ("GET", "/v1/ledger/transfers"): "ledger:read",
    ("POST", "/v1/webhook-endpoints"): "webhooks:write",
    ("GET", "/v1/webhook-endpoints"): "webhooks:read",
    ("GET", "/v1/webhook-endpoints/{endpoint_id}"): "webhooks:read",
    ("PATCH", "/v1/webhook-endpoints/{endpoint_id}"): "webhooks:write",
    ("DELETE", "/v1/webhook-endpoints/{endpoint_id}"): "webhooks:write",
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/rotate-secret"): "webhooks:write",
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/test"): "webhooks:write",
    ("GET", "/v1/webhook-endpoints/{endpoint_id}/attempts"): "webhooks:read",
    ("GET", "/v1/events"): "webhooks:read",
    ("GET", "/v1/events/{event_id}"): "webhooks:read",
    ("POST", "/v1/events/{event_id}/redeliver"): "webhooks:write",
    ("GET", "/v1/exports/fec"): "ledger:read",
    ("GET", "/v1/exports/journal.csv"): "ledger:read",
    ("POST", "/v1/sandbox/sweep"): "sandbox:write",
    ("PATCH", "/v1/me"): "payouts:write",
    ("PATCH", "/v1/parties/{party_id}"): "payouts:write",
    ("GET", "/v1/parties/{party_id}/iban-history"): "payouts:read",
    ("POST", "/v1/payout-batches"): "payouts:write",
    ("GET", "/v1/payout-batches"): "payouts:read",
    ("GET", "/v1/payout-batches/{batch_id}"): "payouts:read",
    ("GET", "/v1/payout-batches/{batch_id}/pain.001"): "payouts:read",
    ("POST", "/v1/payout-batches/{batch_id}/confirm"): "payouts:write",
    ("POST", "/v1/payout-batches/{batch_id}/pain.002"): "payouts:write",
    ("GET", "/v1/payouts"): "payouts:read",
    ("POST", "/v1/refunds/{refund_id}/retry"): "payouts:write",
    ("POST", "/v1/refunds/{refund_id}/convert-to-sepa"): "payouts:write",
    ("PUT", "/v1/stock/{store_id}/{product_id}"): "stock:write",
    ("GET", "/v1/stock/{store_id}/{product_id}"): "stock:read",
    ("POST", "/v1/stock/{store_id}/adjustments"): "stock:write",
    ("POST", "/v1/stock/{store_id}/import"): "stock:write",
    ("GET", "/v1/stock"): "stock:read",
    ("POST", "/v1/carts"): "stock:write",
    ("GET", "/v1/carts"): "stock:read",
    ("GET", "/v1/carts/{cart_id}"): "stock:read",
    ("POST", "/v1/carts/{cart_id}/scan"): "stock:write",
    ("POST", "/v1/carts/{cart_id}/lines"): "stock:write",
    ("PATCH", "/v1/carts/{cart_id}/lines/{cart_line_id}"): "stock:write",
    ("DELETE", "/v1/carts/{cart_id}/lines/{cart_line_id}"): "stock:write",
    ("POST", "/v1/carts/{cart_id}/checkout"): "orders:write",
    ("GET", "/v1/carts/{cart_id}/checkout-qr"): "stock:read",
    # Operator keys only (a party's key is refused whatever its scopes).
    ("GET", "/metrics"): "metrics:read",
}

# Routes that take no API key: verified otherwise (signatures, the customer's
# link token) or meant for anyone (pages, which call the API with the user's key).
# "/" is the sandbox's landing page (a 404 page with any other provider).
# The dashboard's order page is a shell: its script reads the order with the caller's key.
PUBLIC_PREFIXES = (
    "/v1/providers/",
    "/v1/sandbox/payments/",
    "/orders/",
    "/sandbox/",
    "/dashboard/",
)
PUBLIC_PATHS = {
    *("/", "/scan", "/dashboard", "/docs", "/openapi.json", "/store", "/privacy"),
    # Probes: the process is up; the database answers and its schema is current.
    *("/healthz", "/readyz"),
}


def scope_dependencies(route: APIRoute) -> list[RequireScope]:
    found: list[RequireScope] = []
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        if isinstance(dependency.call, RequireScope):
            found.append(dependency.call)
        pending.extend(dependency.dependencies)
    return found


def api_routes(client: Any) -> list[tuple[str, str, APIRoute]]:
    """Every (method, path, route) of the app, the included routers' too."""
    result = []
    for context in iter_route_contexts(client.app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                result.append((method, context.path or route.path, route))
    return result


def authenticated_routes(client: Any) -> list[tuple[str, str, str]]:
    result = []
    for method, path, route in api_routes(client):
        [requirement] = scope_dependencies(route) or [None]
        if requirement is not None:
            scope = requirement.scope.value if requirement.scope else ANY_KEY
            result.append((method, path, scope))
    return result


def concrete(path: str) -> str:
    """A path with made-up ids (they are never looked up: auth comes first)."""
    return re.sub(r"\{[^}]+\}", "xyz_0", path)


def call(client: Any, method: str, path: str, headers: dict[str, str]) -> Any:
    json = {} if method in ("POST", "PATCH", "PUT") else None
    return client.request(method, concrete(path), json=json, headers=headers)


def test_every_route_declares_its_scope_as_the_policy_says(client: Any) -> None:
    routes = api_routes(client)
    assert len(routes) >= len(POLICY)
    for method, path, route in routes:
        requirements = scope_dependencies(route)
        if not requirements:
            assert path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES), (
                f"{method} {path} takes no API key: declare its scope with "
                "requires(Scope.…) (docs/api-keys.md), or list it as public here"
            )
            continue
        assert len(requirements) == 1, f"{method} {path} declares {requirements}"
        declared = requirements[0].scope.value if requirements[0].scope else ANY_KEY
        assert (method, path) in POLICY, (
            f"{method} {path} is not in the access policy: add it with its scope "
            f"({declared}) to POLICY in this test"
        )
        assert declared == POLICY[(method, path)], f"{method} {path}"
    declared_routes = {(method, path) for method, path, _route in routes}
    assert set(POLICY) <= declared_routes, set(POLICY) - declared_routes


def test_the_openapi_schema_names_bearer_auth_on_authenticated_routes(client: Any) -> None:
    schema = client.get("/openapi.json").json()
    for method, path, _scope in authenticated_routes(client):
        operation = schema["paths"][path][method.lower()]
        assert operation.get("security"), f"{method} {path}"


@pytest.fixture
def merchant(client: Any) -> dict[str, Any]:
    return ok(
        client.post("/v1/parties", json={"role": "merchant", "name": "M"}, headers=ADMIN), 201
    )


def new_key(client: Any, headers: dict[str, str], **body: Any) -> Any:
    return ok(client.post("/v1/api-keys", json={"name": "k", **body}, headers=headers), 201)


def test_a_revoked_key_gets_401_on_every_route(client: Any, merchant: dict[str, Any]) -> None:
    party_key = new_key(client, bearer(merchant["api_key"]))
    operator_key = new_key(client, ADMIN)
    for key in (party_key, operator_key):
        ok(client.delete(f"/v1/api-keys/{key['id']}", headers=ADMIN))
    routes = authenticated_routes(client)
    assert len(routes) >= len(POLICY)
    for method, path, _scope in routes:
        for key in (party_key, operator_key):
            response = call(client, method, path, bearer(key["secret"]))
            assert response.status_code == 401, f"{method} {path}: {response.text}"
            assert response.json()["code"] == "api_key_revoked", f"{method} {path}"
            assert response.headers["www-authenticate"] == "Bearer"


def test_an_expired_key_gets_401_on_every_route(
    client: Any, clock: FakeClock, merchant: dict[str, Any]
) -> None:
    expires_at = (clock() + timedelta(minutes=5)).isoformat()
    key = new_key(client, bearer(merchant["api_key"]), expires_at=expires_at)
    clock.advance(minutes=5)
    for method, path, _scope in authenticated_routes(client):
        response = call(client, method, path, bearer(key["secret"]))
        assert response.status_code == 401, f"{method} {path}: {response.text}"
        assert response.json()["code"] == "api_key_expired"


def test_a_key_without_the_scope_gets_403_naming_it_on_every_route(
    client: Any, merchant: dict[str, Any]
) -> None:
    merchant_headers = bearer(merchant["api_key"])
    redeem_only = new_key(client, merchant_headers, scopes=["redeem"])
    orders_read = new_key(client, merchant_headers, scopes=["orders:read"])
    operator_auditor = new_key(client, ADMIN, scopes=["audit:read"])
    operator_ledger = new_key(client, ADMIN, scopes=["ledger:read"])
    checked = 0
    for method, path, scope in authenticated_routes(client):
        if scope == ANY_KEY:
            for key in (redeem_only, operator_auditor):
                status = call(client, method, path, bearer(key["secret"])).status_code
                assert status not in (401, 403), f"{method} {path}: {status}"
            continue
        party_key = orders_read if scope in ("redeem",) else redeem_only
        operator_key = operator_ledger if scope == "audit:read" else operator_auditor
        for key in (party_key, operator_key):
            response = call(client, method, path, bearer(key["secret"]))
            assert response.status_code == 403, f"{method} {path}: {response.text}"
            body = response.json()
            assert body["code"] == "insufficient_scope", f"{method} {path}"
            assert repr(scope) in body["detail"], body["detail"]
            checked += 1
    assert checked >= 2 * (len(POLICY) - 1)
