"""The order's QR code through HTTP: SVG and PNG images that decode to the order's
payload, who may see the code, and rotation."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from tests.conftest import ADMIN
from tests.scenario import World, delivery_order, ok, spec_world


@pytest.fixture
def world(client: Any) -> World:
    return spec_world(client)


@pytest.fixture
def paid(world: World) -> dict[str, Any]:
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    return world.get_order(order["id"])


def qr(world: World, order_id: str, name: str = "M", query: str = "") -> Any:
    headers = ADMIN if name == "admin" else world.parties[name].headers
    return world.client.get(f"/v1/orders/{order_id}/qr{query}", headers=headers)


def decoded(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png))
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def preview(world: World, code: str, name: str = "C") -> Any:
    return world.client.post(
        "/v1/redemptions/preview", json={"code": code}, headers=world.parties[name].headers
    )


def test_the_qr_code_is_an_svg_by_default(world: World, paid: dict[str, Any]) -> None:
    response = qr(world, paid["id"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    root = ElementTree.fromstring(response.content)
    assert root.tag.endswith("svg")
    assert qr(world, paid["id"], query="?format=svg").content == response.content


def test_the_png_decodes_to_exactly_the_orders_payload(world: World, paid: dict[str, Any]) -> None:
    response = qr(world, paid["id"], query="?format=png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    payload = paid["redemption"]["qr_payload"]
    assert decoded(response.content) == [payload]
    # The payload opens the order for its courier.
    shown = ok(preview(world, payload))
    assert shown["order_id"] == paid["id"]
    # So does the short code typed by hand.
    assert ok(preview(world, paid["redemption"]["short_code"]))["order_id"] == paid["id"]


def test_the_operator_sees_the_code_too(world: World, paid: dict[str, Any]) -> None:
    seen = ok(world.client.get(f"/v1/orders/{paid['id']}", headers=ADMIN))
    assert seen["redemption"] == paid["redemption"]
    assert decoded(qr(world, paid["id"], "admin", "?format=png").content) == [
        paid["redemption"]["qr_payload"]
    ]


def test_an_unknown_format_is_422(world: World, paid: dict[str, Any]) -> None:
    response = qr(world, paid["id"], query="?format=gif")
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["field"] == "format"


def test_an_unpaid_order_has_no_code(world: World) -> None:
    order = delivery_order(world, "escrow")
    assert order["redemption"] is None
    for query in ("", "?format=png"):
        response = qr(world, order["id"], query=query)
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "order_not_paid"


@pytest.mark.parametrize("name", ["S1", "S2", "C"])
def test_professionals_never_see_the_code(world: World, paid: dict[str, Any], name: str) -> None:
    """Those who scan the code must not be able to read it from the API: they could
    redeem without the customer."""
    seen = ok(world.client.get(f"/v1/orders/{paid['id']}", headers=world.parties[name].headers))
    assert seen["id"] == paid["id"] and seen["redemption"] is None
    listed = ok(world.client.get("/v1/orders", headers=world.parties[name].headers))
    assert [order["redemption"] for order in listed["data"]] == [None]
    for query in ("", "?format=png"):
        response = qr(world, paid["id"], name, query)
        assert response.status_code == 403
        assert response.json()["code"] == "qr_not_available"
        assert "image" not in response.headers["content-type"]
        assert paid["redemption"]["qr_payload"] not in response.text


@pytest.mark.parametrize("name", ["ST", "H", "M2"])
def test_parties_outside_the_order_get_404(world: World, paid: dict[str, Any], name: str) -> None:
    if name == "M2":
        world.party("M2", "merchant")
    response = qr(world, paid["id"], name)
    assert response.status_code == 404
    assert response.json()["code"] == "order_not_found"
    assert world.client.get(f"/v1/orders/{paid['id']}/qr").status_code == 401


def test_rotating_changes_both_codes_and_the_old_ones_stop_working(
    world: World, paid: dict[str, Any]
) -> None:
    old = paid["redemption"]
    path = f"/v1/orders/{paid['id']}/rotate-code"
    for name in ("C", "S1"):
        assert world.client.post(path, headers=world.parties[name].headers).status_code == 403
    assert world.client.post(path, headers=world.party("M2", "merchant").headers).status_code == 404
    assert world.get_order(paid["id"])["redemption"] == old

    rotated = ok(world.client.post(path, headers=world.parties["M"].headers))
    new = rotated["redemption"]
    assert new["qr_payload"] != old["qr_payload"]
    assert new["short_code"] != old["short_code"]
    assert world.get_order(paid["id"])["redemption"] == new
    assert decoded(qr(world, paid["id"], query="?format=png").content) == [new["qr_payload"]]
    for code in (old["qr_payload"], old["short_code"]):
        response = preview(world, code)
        assert response.status_code == 404
        assert response.json()["code"] == "unknown_code"
    for code in (new["qr_payload"], new["short_code"]):
        assert ok(preview(world, code))["order_id"] == paid["id"]
    # Nothing else changed.
    assert {k: v for k, v in rotated.items() if k != "redemption"} == {
        k: v for k, v in paid.items() if k != "redemption"
    }


def test_a_short_code_another_order_has_is_drawn_again(
    world: World, paid: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from axokey.services import signing

    real = signing.new_redemption_codes
    drawn: list[tuple[str, str]] = []

    def draw() -> tuple[str, str]:
        drawn.append(real())
        return drawn[-1]

    monkeypatch.setattr(signing, "new_redemption_codes", draw)
    rotated = ok(
        world.client.post(
            f"/v1/orders/{paid['id']}/rotate-code", headers=world.parties["M"].headers
        )
    )["redemption"]
    assert len(drawn) == 1
    taken = drawn[0][1]

    def taken_first() -> tuple[str, str]:
        drawn.append((real()[0], taken) if len(drawn) == 1 else real())
        return drawn[-1]

    monkeypatch.setattr(signing, "new_redemption_codes", taken_first)
    other = delivery_order(world, "escrow")
    world.pay(other["id"])  # its capture draws the taken short code first, then another
    assert len(drawn) == 3 and drawn[1][1] == taken and drawn[2][1] != taken
    new = world.get_order(other["id"])["redemption"]
    assert new["short_code"] != rotated["short_code"]
    assert ok(preview(world, rotated["short_code"]))["order_id"] == paid["id"]
    assert ok(preview(world, new["short_code"]))["order_id"] == other["id"]


def test_an_unpaid_order_has_no_code_to_rotate(world: World) -> None:
    order = delivery_order(world, "escrow")
    response = world.client.post(
        f"/v1/orders/{order['id']}/rotate-code", headers=world.parties["M"].headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "order_not_paid"
