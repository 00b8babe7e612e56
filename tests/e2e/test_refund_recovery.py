"""Card refunds that failed: the operator retries them or pays them by SEPA
transfer; the customer gives an IBAN on the order's page. Through HTTP."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest

from axokey.config import Settings
from axokey.services.ledger import check_ledger
from tests.conftest import ADMIN, make_settings
from tests.payouts_scenario import OPERATOR, bank_file, confirm, create_batch, new_iban
from tests.scenario import REFUNDS_FAIL, World, delivery_order, ok, spec_world


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, **OPERATOR)


class Elements(HTMLParser):
    """Every element's attributes and text, by id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, Any]] = {}
        self.open: list[dict[str, Any]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = {"tag": tag, **dict(attrs), "text": ""}
        if element.get("id"):
            self.by_id[str(element["id"])] = element
        if tag not in ("input", "br", "meta", "link", "img"):
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element["text"] += data


def failed_card_refund(client: Any) -> tuple[World, Any, str]:
    """Example A paid with a card whose refunds fail: line 2's refund failed."""
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"], card=REFUNDS_FAIL)
    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    [refund] = world.refunds(order["id"])
    assert (refund["method"], refund["status"], refund["amount"]) == ("card", "failed", 2999)
    return world, order, refund["id"]


def test_the_operator_retries_then_pays_by_sepa(client: Any, context: Any) -> None:
    world, order, refund_id = failed_card_refund(client)
    retried = ok(client.post(f"/v1/refunds/{refund_id}/retry", headers=ADMIN))
    assert (retried["method"], retried["status"]) == ("card", "failed")  # the card still refuses

    response = client.post(f"/v1/refunds/{refund_id}/convert-to-sepa", json={}, headers=ADMIN)
    assert (response.status_code, response.json()["code"]) == (409, "customer_iban_required")
    bad = client.post(
        f"/v1/refunds/{refund_id}/convert-to-sepa", json={"iban": "FR00 1234"}, headers=ADMIN
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_bank_details")
    iban = new_iban()
    converted = ok(
        client.post(f"/v1/refunds/{refund_id}/convert-to-sepa", json={"iban": iban}, headers=ADMIN)
    )
    assert (converted["method"], converted["status"]) == ("sepa", "pending")
    again = client.post(f"/v1/refunds/{refund_id}/retry", headers=ADMIN)
    assert (again.status_code, again.json()["code"]) == (409, "refund_not_failed")

    batch = create_batch(client)
    [item] = [item for item in batch["items"] if item["kind"] == "refund"]
    assert (item["refund_id"], item["amount"], item["iban"]) == (refund_id, 2999, iban)
    bank_file(client, batch["id"])
    confirm(client, batch["id"])
    assert world.refunds(order["id"])[0]["status"] == "succeeded"
    assert check_ledger(context) == []


def test_only_the_operator_retries_or_converts(client: Any) -> None:
    world, _, refund_id = failed_card_refund(client)
    merchant = world.parties["M"].headers
    for path in (f"/v1/refunds/{refund_id}/retry", f"/v1/refunds/{refund_id}/convert-to-sepa"):
        response = client.post(path, json={}, headers=merchant)
        assert (response.status_code, response.json()["code"]) == (403, "role_not_allowed")
        missing = client.post(path.replace(refund_id, "rfd_nope"), json={}, headers=ADMIN)
        assert (missing.status_code, missing.json()["code"]) == (404, "refund_not_found")
    assert ok(client.get(f"/v1/refunds/{refund_id}", headers=merchant))["status"] == "failed"


def test_the_customer_gives_an_iban_on_the_order_page(client: Any, context: Any) -> None:
    world, order, refund_id = failed_card_refund(client)
    path = urlsplit(world.get_order(order["id"])["customer_url"]).path
    page = Elements(client.get(path).text).by_id
    # The order's language (French); the same in English with the switch.
    assert "Le remboursement sur votre carte n’a pas abouti" in page["refund-iban"]["text"]
    english = Elements(client.get(path + "?lang=en").text).by_id
    assert "The refund to your card did not go through" in english["refund-iban"]["text"]
    client.cookies.clear()
    form = page["refund-iban-form"]
    assert (form["method"], form["action"]) == ("post", f"{path}/refund-iban")

    refused = client.post(form["action"], data={"iban": "FR76 not an iban"})
    assert refused.status_code == 422
    assert world.refunds(order["id"])[0]["method"] == "card"
    wrong_link = client.post(
        f"/orders/{order['id']}/{'a' * 43}/refund-iban", data={"iban": new_iban()}
    )
    assert wrong_link.status_code == 404
    assert world.refunds(order["id"])[0]["method"] == "card"

    iban = new_iban()
    saved = client.post(form["action"], data={"iban": iban}, follow_redirects=False)
    assert saved.status_code == 303
    after = Elements(client.get(saved.headers["location"]).text).by_id
    assert "refund-iban-form" not in after
    assert "virement" in after["refund-iban-saved"]["text"]
    [refund] = world.refunds(order["id"])
    assert (refund["method"], refund["status"]) == ("sepa", "pending")
    assert world.get_order(order["id"])["customer"]["iban"] == iban
    twice = client.post(form["action"], data={"iban": iban})
    assert twice.status_code == 409

    batch = create_batch(client)
    assert [item["refund_id"] for item in batch["items"] if item["kind"] == "refund"] == [refund_id]
    assert check_ledger(context) == []
