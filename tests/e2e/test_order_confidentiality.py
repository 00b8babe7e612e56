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
        # The courier hands over to the customer by name; a supplier needs no contact.
        shown_name = "Camille" if name == "C" else None
        assert seen["customer"] == {
            "email": None,
            "name": shown_name,
            "iban": None,
            "locale": "fr",
        }
        listed = ok(client.get("/v1/orders", headers=world.parties[name].headers))["data"]
        assert [entry["customer_url"] for entry in listed] == [None]
        qr = client.get(f"/v1/orders/{order['id']}/qr", headers=world.parties[name].headers)
        assert qr.status_code == 403
    for headers in (world.parties["M"].headers, ADMIN):
        seen = ok(client.get(f"/v1/orders/{order['id']}", headers=headers))
        assert seen["customer_url"] and seen["redemption"]["short_code"]
        assert seen["customer"]["email"] == "customer@example.com"


def test_each_professional_sees_only_its_own_share_of_the_money(client: Any) -> None:
    world = spec_world(client)
    world.agree("S1", 3000)
    world.agree("S2", 2000)
    order = delivery_order(world, "deposit")
    world.pay(order["id"])
    line1, line2 = order["lines"]

    as_s1 = ok(client.get(f"/v1/orders/{order['id']}", headers=world.parties["S1"].headers))
    assert [line["id"] for line in as_s1["lines"]] == [line1["id"]]
    assert as_s1["lines"][0]["supplier_amount"] == 7000
    assert as_s1["lines"][0]["deposit"] == 2100

    as_courier = ok(client.get(f"/v1/orders/{order['id']}", headers=world.parties["C"].headers))
    assert [line["id"] for line in as_courier["lines"]] == [line1["id"], line2["id"]]
    for line in as_courier["lines"]:
        assert line["commission"] is None and line["supplier_amount"] is None
        assert line["deposit"] is None

    merchant_view = world.get_order(order["id"])
    assert [line["commission"] for line in merchant_view["lines"]] == [3000, 999]

    def transfer_accounts(name: str) -> set[str]:
        page = ok(
            client.get(
                f"/v1/ledger/transfers?order_id={order['id']}&limit=100",
                headers=world.parties[name].headers,
            )
        )
        return {t["debit_account_id"] for t in page["data"]} | {
            t["credit_account_id"] for t in page["data"]
        }

    s1_payable = f"acc_payable_{world.parties['S1'].id}_EUR"
    assert s1_payable in transfer_accounts("S1")
    assert f"acc_payable_{world.parties['S2'].id}_EUR" not in transfer_accounts("S1")
    assert f"acc_payable_{world.parties['M'].id}_EUR" not in transfer_accounts("C")
    assert {s1_payable, f"acc_payable_{world.parties['S2'].id}_EUR"} <= transfer_accounts("M")


def test_a_balance_is_read_by_its_party_or_the_operator(client: Any) -> None:
    world = spec_world(client)
    s1 = world.parties["S1"]
    own = ok(client.get("/v1/balance", headers=s1.headers))
    assert own["party_id"] == s1.id
    other = client.get(f"/v1/balance?party_id={world.parties['S2'].id}", headers=s1.headers)
    assert other.status_code == 403 and other.json()["code"] == "not_your_balance"
    assert ok(client.get(f"/v1/balance?party_id={s1.id}", headers=ADMIN))["party_id"] == s1.id
    unknown = client.get("/v1/balance?party_id=pty_nobody", headers=ADMIN)
    assert unknown.status_code == 404
    assert client.get("/v1/balance", headers=ADMIN).status_code == 422
