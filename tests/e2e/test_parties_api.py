"""Parties and the API's conventions, through HTTP."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN, bearer

VALID_IBAN = "FR1420041010050500013M02606"


def create_party(client: Any, role: str, **fields: Any) -> dict[str, Any]:
    response = client.post(
        "/v1/parties", json={"role": role, "name": f"{role} 1", **fields}, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_admin_creates_a_party_and_its_key_works(client: Any) -> None:
    party = create_party(
        client,
        "supplier",
        email="s@example.com",
        iban="FR14 2004 1010 0505 0001 3M02 606",
        bic="PSSTFRPPPAR",
        address={
            "street": "1 rue de la Paix",
            "postcode": "75002",
            "town": "Paris",
            "country": "FR",
        },
    )
    assert party["id"].startswith("pty_")
    assert party["iban"] == VALID_IBAN
    assert party["api_key"].startswith("axk_supplier_")
    assert party["address"]["town"] == "Paris"
    me = client.get("/v1/me", headers=bearer(party["api_key"]))
    assert me.status_code == 200
    assert me.json()["id"] == party["id"]
    assert "api_key" not in me.json()


def test_missing_and_wrong_keys_are_401_problems(client: Any) -> None:
    response = client.get("/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "unauthenticated" and body["status"] == 401 and body["title"]
    assert client.get("/v1/me", headers=bearer("axk_merchant_nope")).status_code == 401


def test_a_party_may_not_create_parties(client: Any) -> None:
    merchant = create_party(client, "merchant")
    response = client.post(
        "/v1/parties", json={"role": "supplier", "name": "x"}, headers=bearer(merchant["api_key"])
    )
    assert response.status_code == 403
    assert response.json()["code"] == "role_not_allowed"


def test_other_parties_are_404_and_a_merchant_sees_its_store(client: Any) -> None:
    merchant = create_party(client, "merchant")
    other = create_party(client, "merchant")
    store = create_party(client, "store", merchant_id=merchant["id"])
    assert (
        client.get(f"/v1/parties/{other['id']}", headers=bearer(merchant["api_key"])).status_code
        == 404
    )
    assert (
        client.get(f"/v1/parties/{store['id']}", headers=bearer(merchant["api_key"])).status_code
        == 200
    )
    assert (
        client.get(f"/v1/parties/{store['id']}", headers=bearer(other["api_key"])).status_code
        == 404
    )
    assert client.get(f"/v1/parties/{other['id']}", headers=ADMIN).status_code == 200


def test_validation_errors_name_their_fields(client: Any) -> None:
    response = client.post(
        "/v1/parties", json={"role": "wizard", "name": "", "iban": "FR00"}, headers=ADMIN
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"role", "name"} <= fields
    bad_iban = client.post(
        "/v1/parties",
        json={"role": "supplier", "name": "s", "iban": "FR7630006000011234567890188"},
        headers=ADMIN,
    )
    assert bad_iban.status_code == 422
    assert bad_iban.json()["errors"][0]["field"] == "iban"
    store_without_merchant = client.post(
        "/v1/parties", json={"role": "store", "name": "s"}, headers=ADMIN
    )
    assert store_without_merchant.status_code == 422
    assert store_without_merchant.json()["code"] == "merchant_required"


def test_malformed_json_is_a_problem_not_a_500(client: Any) -> None:
    response = client.post(
        "/v1/parties", content=b"{not json", headers={**ADMIN, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_route_and_wrong_method_are_problems(client: Any) -> None:
    assert client.get("/v1/nothing-here", headers=ADMIN).json()["code"] == "not_found"
    response = client.delete("/v1/me", headers=ADMIN)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_body_over_the_limit_is_413(client: Any) -> None:
    response = client.post(
        "/v1/parties",
        content=b'{"name": "' + b"x" * 300_000 + b'"}',
        headers={**ADMIN, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_idempotent_replay_returns_the_first_response(client: Any) -> None:
    headers = {**ADMIN, "Idempotency-Key": "party-1"}
    body = {"role": "courier", "name": "Speedy"}
    first = client.post("/v1/parties", json=body, headers=headers)
    second = client.post("/v1/parties", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("idempotent-replayed") == "true"
    mismatch = client.post("/v1/parties", json={**body, "name": "Other"}, headers=headers)
    assert mismatch.status_code == 422
    assert mismatch.json()["code"] == "idempotency_key_reused"
    # Another caller's key space is separate: the same key is a new request.
    merchant = create_party(client, "merchant")
    other = client.post(
        "/v1/parties",
        json=body,
        headers={**bearer(merchant["api_key"]), "Idempotency-Key": "party-1"},
    )
    assert other.status_code == 403


def test_idempotency_key_still_running_is_409(client: Any, context: Any) -> None:
    from axokey.services import idempotency

    fingerprint = idempotency.request_fingerprint("POST", "/v1/parties", "", b"{}")
    import hashlib

    scope = hashlib.sha256(f"Bearer {ADMIN['Authorization'][7:]}".encode()).hexdigest()
    claimed = idempotency.begin_request(context, scope=scope, key="busy", fingerprint=fingerprint)
    assert isinstance(claimed, idempotency.Claim)
    context.settings.idempotency_wait_seconds = 0.2  # waits that long, then 409
    response = client.post(
        "/v1/parties",
        content=b"{}",
        headers={**ADMIN, "Idempotency-Key": "busy", "Content-Type": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_use"
    assert response.headers["retry-after"] == "1"


def test_rate_limit_is_429_with_retry_after(context: Any) -> None:
    from fastapi.testclient import TestClient

    from axokey.api.app import create_app

    context.settings.rate_limit_requests_per_second = 0.001
    context.settings.rate_limit_burst_requests = 3
    with TestClient(create_app(context=context)) as limited:
        statuses = [limited.get("/v1/me", headers=ADMIN).status_code for _ in range(5)]
    assert statuses[3:] == [429, 429]
    assert statuses[0] == 404  # the admin key has no party


def test_unexpected_errors_are_500_problems_without_trace(client: Any, monkeypatch: Any) -> None:
    from axokey.services import parties

    def explode(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(parties, "read_party", explode)
    response = client.get("/v1/parties/pty_x", headers=ADMIN)
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "secret" not in response.text


def test_openapi_document_is_served(client: Any) -> None:
    document = client.get("/openapi.json").json()
    assert "/v1/parties" in document["paths"]


def test_a_replayable_response_keeps_no_secret_in_clear(client: Any, context: Any) -> None:
    from sqlalchemy import select

    from axokey.adapters.db.tables import idempotency_keys

    headers = {**ADMIN, "Idempotency-Key": "secret-party"}
    first = client.post("/v1/parties", json={"role": "merchant", "name": "M"}, headers=headers)
    api_key = first.json()["api_key"]
    with context.database.read() as connection:
        stored = connection.execute(select(idempotency_keys.c.response_body)).scalars().all()
    assert stored and all(api_key.encode() not in body for body in stored)
    replay = client.post("/v1/parties", json={"role": "merchant", "name": "M"}, headers=headers)
    assert replay.json()["api_key"] == api_key


def test_made_up_keys_do_not_each_buy_a_fresh_burst(context: Any) -> None:
    from fastapi.testclient import TestClient

    from axokey.api.app import create_app

    context.settings.rate_limit_requests_per_second = 0.001
    context.settings.rate_limit_burst_requests = 2
    with TestClient(create_app(context=context)) as limited:
        statuses = [
            limited.get("/v1/me", headers=bearer(f"axk_merchant_fake{n}")).status_code
            for n in range(12)
        ]
    # Each made-up key is refused (401) until the address's own limit (4 × 2) is spent.
    assert statuses[:8] == [401] * 8
    assert set(statuses[8:]) == {429}
