"""French and English on the pages and in problem responses: the language comes
from the switch (``?lang=``, then its cookie), then the order's ``locale`` (the
customer's pages), then ``Accept-Language``; the problem's
``code`` never changes with it."""

from __future__ import annotations

from typing import Any

from tests.conftest import bearer
from tests.e2e.test_web_pages import NEEDS_CHALLENGE as CHALLENGE_CARD
from tests.e2e.test_web_pages import new_order, page, path_of, pay_with_card

OTP = "123456"


def _spaces(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_customer_page_in_french_by_the_orders_locale(client: Any) -> None:
    french_customer = {"email": "c@example.com", "name": "Camille", "locale": "fr"}
    _world, _order, customer_path = new_order(client, french_customer)
    # The order's language wins over the browser's: the merchant knows its customer.
    response = client.get(customer_path, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.headers["content-language"] == "fr"
    document = page(response)
    assert document.find("html").attrs["lang"] == "fr"  # type: ignore[union-attr]
    assert _spaces(document.by_id("pay-button").text()) == "Payer 135,89 €"
    assert _spaces(document.by_id("order-total").text()) == "135,89 €"
    assert document.by_id("order-status").text() == "En attente de paiement"
    # An English customer's page is in English, whatever the browser says.
    _world, _order, english_path = new_order(client)
    english = page(client.get(english_path, headers={"Accept-Language": "fr-FR,fr;q=0.9"}))
    assert english.by_id("pay-button").text() == "Pay 135.89 EUR"


def test_an_order_without_a_locale_takes_the_merchants_accept_language(client: Any) -> None:
    world, _order, _path = new_order(client)
    created = client.post(
        "/v1/orders",
        json={
            "currency": "EUR",
            "payment_mode": "escrow",
            "fulfilment": "delivery",
            "courier_id": world.parties["C"].id,
            "customer": {"email": "c@example.com"},
            "lines": [{"product_id": world.products["P1"], "quantity": 1}],
        },
        headers={**world.parties["M"].headers, "Accept-Language": "en"},
    ).json()
    assert created["customer"]["locale"] == "en"
    customer_page = client.get(path_of(created["customer_url"]), headers={"Accept-Language": "fr"})
    assert customer_page.headers["content-language"] == "en"


def test_pages_not_about_an_order_follow_accept_language(client: Any) -> None:
    for path in ("/scan", "/dashboard", "/"):
        french = client.get(path, headers={"Accept-Language": "fr-CA,fr;q=0.9"})
        assert french.headers["content-language"] == "fr", path
        english = client.get(path, headers={"Accept-Language": "en-US"})
        assert english.headers["content-language"] == "en", path


def test_the_switch_wins_and_is_remembered(client: Any) -> None:
    french_customer = {"email": "c@example.com", "name": "Camille", "locale": "fr"}
    _world, _order, customer_path = new_order(client, french_customer)
    french = {"Accept-Language": "fr"}
    chosen = client.get(customer_path + "?lang=en", headers=french)
    assert chosen.headers["content-language"] == "en"
    assert "axokey_lang=en" in chosen.headers["set-cookie"]
    assert "HttpOnly" in chosen.headers["set-cookie"]
    # The cookie now wins over the order's language and the header, on every page.
    again = client.get(customer_path, headers=french)
    assert again.headers["content-language"] == "en"
    # The switch links keep the path out of the page: the query alone.
    links = {
        node.attrs["lang"]: node.attrs["href"]
        for node in page(again).find_all("a")
        if node.attrs.get("hreflang")
    }
    assert links == {"fr": "?lang=fr"}
    client.cookies.clear()
    assert client.get(customer_path, headers=french).headers["content-language"] == "fr"


def test_the_paid_page_and_the_sandbox_in_french(client: Any) -> None:
    _world, _order, customer_path = new_order(client)
    client.cookies.set("axokey_lang", "fr")
    landed = pay_with_card(client, customer_path, CHALLENGE_CARD, OTP)
    document = page(client.get(landed))
    assert document.by_id("order-status").text() == "Payée — fonds sous séquestre"
    assert "Valable jusqu’au" in document.text()
    client.cookies.clear()


def test_problems_in_french_keep_their_code(client: Any) -> None:
    world, order, _path = new_order(client)
    key = world.parties["M"].key
    french = client.get(
        "/v1/orders/ord_01M8XKAAAAAAAAAAAAAAAAAAAA",
        headers={**bearer(key), "Accept-Language": "fr"},
    )
    english = client.get("/v1/orders/ord_01M8XKAAAAAAAAAAAAAAAAAAAA", headers=bearer(key))
    assert french.status_code == english.status_code == 404
    assert french.json()["code"] == english.json()["code"] == "order_not_found"
    assert french.json()["type"] == english.json()["type"]
    assert french.json()["title"] == "Introuvable"
    assert french.json()["detail"] == "Cette commande est introuvable."
    assert french.headers["content-language"] == "fr"
    assert english.json()["title"] == "Not found"
    # Schema errors too; the field names stay as they are.
    invalid = client.post(
        "/v1/orders",
        json={"currency": 12},
        headers={**bearer(key), "Accept-Language": "fr-CA", "Idempotency-Key": "fr-invalid"},
    )
    assert invalid.status_code == 422
    body = invalid.json()
    assert body["code"] == "validation_error"
    assert body["title"] == "Données invalides"
    assert body["detail"] == "la requête ne correspond pas au schéma" or body["detail"]
    assert {error["field"] for error in body["errors"]} >= {"currency"}
    assert order["id"]
