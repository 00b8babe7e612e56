"""Headers on every response, and the API reference served from the package.

Every response carries ``X-Content-Type-Options: nosniff``; JSON responses (some
carry secrets shown once: a new party's API key) ``Cache-Control: no-store``;
``/docs`` loads Swagger UI from the app itself, under a Content-Security-Policy,
and nothing from another origin.
"""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import ADMIN, bearer
from tests.scenario import spec_world


def test_every_kind_of_response_carries_nosniff(client: Any) -> None:
    world = spec_world(client)
    merchant = world.parties["M"].headers
    responses = {
        "json": client.get("/v1/me", headers=merchant),
        "created": client.post(
            "/v1/parties", json={"role": "courier", "name": "Vite"}, headers=ADMIN
        ),
        "problem 401": client.get("/v1/me"),
        "problem 404": client.get("/v1/orders/ord_nothing", headers=merchant),
        "no route": client.get("/nothing/here"),
        "problem 413": client.post(
            "/v1/parties",
            content=b"{" + b" " * 300_000 + b"}",
            headers={**ADMIN, "Content-Type": "application/json"},
        ),
        "openapi": client.get("/openapi.json"),
        "docs": client.get("/docs"),
        "docs asset": client.get("/docs/assets/swagger-ui.css"),
        "page": client.get("/scan"),
        "static": client.get("/static/axokey.css"),
    }
    for name, response in responses.items():
        assert response.headers.get("x-content-type-options") == "nosniff", name


def test_an_unexpected_error_carries_the_headers_too(client: Any, monkeypatch: Any) -> None:
    from axokey.services import parties

    def explode(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(parties, "read_party", explode)
    response = client.get("/v1/parties/pty_x", headers=ADMIN)
    assert response.status_code == 500
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("cache-control") == "no-store"


def test_json_responses_are_never_stored_by_caches(client: Any) -> None:
    created = client.post(
        "/v1/parties",
        json={"role": "merchant", "name": "Boutique"},
        headers={**ADMIN, "Idempotency-Key": "new-merchant"},
    )
    assert created.status_code == 201 and created.json()["api_key"]
    replayed = client.post(
        "/v1/parties",
        json={"role": "merchant", "name": "Boutique"},
        headers={**ADMIN, "Idempotency-Key": "new-merchant"},
    )
    assert replayed.headers.get("idempotent-replayed") == "true"
    me = client.get("/v1/me", headers=bearer(created.json()["api_key"]))
    refused = client.get("/v1/me")
    for response in (created, replayed, me, refused):
        assert response.headers["content-type"].split(";")[0] in (
            "application/json",
            "application/problem+json",
        )
        assert response.headers.get("cache-control") == "no-store", response.request.url


def test_docs_load_every_asset_from_the_app_under_a_policy(client: Any) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert not re.search(r"https?:", policy)

    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(references) >= 4  # icon, stylesheet, Swagger UI, its start-up script
    assert not re.search(r"https?://|//cdn", page.text)
    expected_types = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
    for reference in references:
        assert reference.startswith("/"), reference
        asset = client.get(reference)
        assert asset.status_code == 200, reference
        assert len(asset.content) > 0, reference
        assert asset.headers.get("x-content-type-options") == "nosniff", reference
        suffix = reference[reference.rindex(".") :]
        assert expected_types[suffix] in asset.headers["content-type"], reference
    # Swagger UI's start-up script asks for this app's document, and no validator.
    start = client.get("/static/swagger-init.js").text
    assert 'url: "/openapi.json"' in start and "validatorUrl: null" in start
    assert client.get("/openapi.json").status_code == 200
