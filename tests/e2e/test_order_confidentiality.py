"""The customer's link and codes open the QR code: only the merchant and the
operator get them through the API, never the professionals who hand over."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN
from tests.scenario import delivery_order, ok, spec_world


def test_professionals_never_see_the_customer_link_codes_or_contact(client: Any) -> None:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    for name in ("C", "S1", "S2"):
        seen = ok(client.get(f"/v1/orders/{order['id']}", headers=world.parties[name].headers))
        assert seen["customer_url"] is None
        assert seen["redemption"] is None
        assert seen["customer"] == {"email": None, "name": "Camille", "iban": None}
        listed = ok(client.get("/v1/orders", headers=world.parties[name].headers))["data"]
        assert [entry["customer_url"] for entry in listed] == [None]
        qr = client.get(f"/v1/orders/{order['id']}/qr", headers=world.parties[name].headers)
        assert qr.status_code == 403
    for headers in (world.parties["M"].headers, ADMIN):
        seen = ok(client.get(f"/v1/orders/{order['id']}", headers=headers))
        assert seen["customer_url"] and seen["redemption"]["short_code"]
        assert seen["customer"]["email"] == "customer@example.com"
