"""The scanner on phones that cannot read QR codes in the page: a photo of the
customer's QR code is sent to ``POST /v1/redemptions/code-image``, the server reads
the code in it, and the scanner previews that code as if it had been typed.

Every refusal is a problem with a stable code, in the caller's language: not a
photo, a photo without a code, a photo too large (in bytes, or in pixels), a caller
who does not hand over orders, a key without the ``redeem`` scope, no key.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from axokey.adapters import code_images
from axokey.config import Settings
from tests.conftest import ADMIN, bearer, make_settings
from tests.e2e.test_api_keys import create_key
from tests.photos import blank_photo, qr_photo
from tests.scenario import World, delivery_order, ok, spec_world

PHOTO_LIMIT_BYTES = 1024 * 1024
PATH = "/v1/redemptions/code-image"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, code_image_max_bytes=PHOTO_LIMIT_BYTES)


def _paid_order(client: Any) -> tuple[World, Any]:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    return world, world.get_order(order["id"])


def _send(
    client: Any, headers: dict[str, str], body: bytes, content_type: str = "image/jpeg"
) -> Any:
    return client.post(PATH, content=body, headers={**headers, "Content-Type": content_type})


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def test_the_courier_photographs_the_code_and_previews_the_order(client: Any) -> None:
    world, order = _paid_order(client)
    courier = world.parties["C"].headers
    payload = order["redemption"]["qr_payload"]

    read = ok(_send(client, courier, qr_photo(payload)))
    assert read == {"code": payload}

    preview = ok(client.post("/v1/redemptions/preview", json=read, headers=courier))
    assert preview["order_id"] == order["id"]
    assert [line["product_name"] for line in preview["lines"]] == ["P1", "P2"]
    # Reading a photo changes nothing: the order is still to hand over.
    assert world.get_order(order["id"])["status"] == "paid"


def test_png_and_webp_photos_too(client: Any) -> None:
    world, order = _paid_order(client)
    payload = order["redemption"]["qr_payload"]
    picture = Image.open(io.BytesIO(qr_photo(payload)))
    for kind, content_type in (("PNG", "image/png"), ("WEBP", "image/webp")):
        converted = io.BytesIO()
        picture.save(converted, format=kind)
        read = ok(_send(client, world.parties["ST"].headers, converted.getvalue(), content_type))
        assert read["code"] == payload


def test_a_photo_without_a_code_says_so_in_the_callers_language(client: Any) -> None:
    world, _order = _paid_order(client)
    french = {**world.parties["C"].headers, "Accept-Language": "fr-FR"}
    body = _problem(_send(client, french, blank_photo()), 422, "no_code_in_image")
    assert body["detail"].startswith("Aucun QR code lisible sur cette photo")
    english = _problem(
        _send(client, world.parties["C"].headers, blank_photo()), 422, "no_code_in_image"
    )
    assert english["detail"].startswith("no QR code could be read in this photo")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"%PDF-1.7 not a photo", "application/pdf"),
        (b"just text", "text/plain"),
        (b"\xff\xd8\xff\xe0 a JPEG's first bytes and then nothing", "image/jpeg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
        (b"", "image/png"),
    ],
    ids=["pdf", "text", "broken-jpeg", "svg", "empty"],
)
def test_what_is_not_a_photo_is_refused(client: Any, body: bytes, content_type: str) -> None:
    world, _order = _paid_order(client)
    french = {**world.parties["C"].headers, "Accept-Language": "fr"}
    problem = _problem(_send(client, french, body, content_type), 415, "not_an_image")
    assert problem["detail"].startswith("Ce fichier n’est pas une photo")


def test_a_photo_too_heavy_is_refused_before_it_is_read(client: Any) -> None:
    world, _order = _paid_order(client)
    heavy = b"\xff\xd8\xff" + bytes(PHOTO_LIMIT_BYTES)
    french = {**world.parties["C"].headers, "Accept-Language": "fr"}
    problem = _problem(_send(client, french, heavy), 413, "image_too_large")
    assert problem["title"] == "Requête trop volumineuse"
    assert problem["detail"].startswith("La photo est trop lourde")
    english = _problem(_send(client, world.parties["C"].headers, heavy), 413, "image_too_large")
    assert english["detail"] == "the photo must not exceed 1 MB"
    # Every other body keeps the API's own, smaller limit.
    big_json = b'{"code": "' + b"x" * (300 * 1024) + b'"}'
    _problem(
        client.post(
            "/v1/redemptions/preview",
            content=big_json,
            headers={**world.parties["C"].headers, "Content-Type": "application/json"},
        ),
        413,
        "request_too_large",
    )


def test_a_picture_of_too_many_pixels_is_refused_unread(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, order = _paid_order(client)
    monkeypatch.setattr(code_images, "MAX_PIXELS", 1_000_000)  # the photo has 1.92 million
    photo = qr_photo(order["redemption"]["qr_payload"])
    _problem(_send(client, world.parties["C"].headers, photo), 413, "image_too_large")


def test_only_the_professionals_who_hand_over_may_send_a_photo(client: Any) -> None:
    world, order = _paid_order(client)
    photo = qr_photo(order["redemption"]["qr_payload"])
    _problem(_send(client, {}, photo), 401, "unauthenticated")
    _problem(_send(client, world.parties["M"].headers, photo), 403, "role_not_allowed")
    _problem(_send(client, ADMIN, photo), 403, "role_not_allowed")
    # A courier's key for reading orders only (no ``redeem`` scope).
    reader = create_key(client, world.parties["C"].headers, name="reader", scopes=["orders:read"])
    _problem(_send(client, bearer(reader["secret"]), photo), 403, "insufficient_scope")
    # A redeem-only key, as on a courier's phone, is enough.
    phone = create_key(client, world.parties["C"].headers, name="phone", scopes=["redeem"])
    assert (
        ok(_send(client, bearer(phone["secret"]), photo))["code"]
        == order["redemption"]["qr_payload"]
    )
