"""The store clerk's page in Chromium, on a phone: a cart built by scanning (a USB
scanner types the digits and Enter into the focused field), checked out into an
order whose payment link is shown as a QR code; the customer pays; the clerk hands
the reservation over by scanning the customer's code and the items; the stock
follows, and what runs low is highlighted. In French, then a look in English."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import LiveServer
from tests.browser.test_phone_pages import PHONE, _assert_fits, _phone_page, _sign_in
from tests.conftest import FakeClock
from tests.scenario import spec_world

P1_GTIN = "4006381333931"
P2_GTIN = "5901234123457"


def test_a_clerk_sells_by_scanning_and_hands_the_reservation_over(
    browser: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    world = spec_world(live_server.http)
    world.stock("ST", "P2", 3)  # P2 runs low after this sale
    page = _phone_page(browser, live_server, language="fr", size=PHONE)

    page.goto("/store")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _assert_fits(page, "store-key", PHONE)
    _sign_in(page, world.parties["ST"].key)
    expect(page.locator("#whoami")).to_have_text("ST (magasin)")
    # The scanner's field has the focus: a USB scanner types the digits and Enter.
    expect(page.locator("#scan-input")).to_be_focused()
    page.keyboard.type(P1_GTIN)
    page.keyboard.press("Enter")
    expect(page.locator("#cart-lines tr")).to_have_count(1)
    expect(page.locator("#notice")).to_contain_text("P1")
    expect(page.locator("#scan-input")).to_be_focused()
    page.keyboard.type(P2_GTIN)
    page.keyboard.press("Enter")
    expect(page.locator("#cart-lines tr")).to_have_count(2)
    expect(page.locator("#cart-total")).to_have_text("79,99\u00a0€")
    # A barcode nobody lists: told, nothing added.
    page.keyboard.type("96385074")
    page.keyboard.press("Enter")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#cart-lines tr")).to_have_count(2)
    page.problems.clear()  # the browser logs that scan's 404 answer as a console error
    _assert_fits(page, "store-cart", PHONE)

    page.locator("#customer-email").fill("camille@example.com")
    page.locator("#checkout").click()
    expect(page.locator("#pay-section")).to_be_visible()
    expect(page.locator("#pay-qr")).to_have_attribute(
        "src", re.compile(r"^data:image/svg\+xml;base64,")
    )
    order_id = page.locator("#pay-order").inner_text()
    order = world.get_order(order_id)
    assert order["fulfilment"] == "store" and order["amount_total"] == 7999
    assert page.locator("#pay-link").get_attribute("href") == order["customer_url"]
    expect(page.locator("#cart-lines tr")).to_have_count(0)
    _assert_fits(page, "store-pay", PHONE)
    page.locator("#pay-done").click()

    # The customer pays on their phone (the sandbox card page, here through the API).
    world.pay(order_id)
    short_code = world.get_order(order_id)["redemption"]["short_code"]
    page.reload()
    expect(page.locator(f'#reservation-rows tr[data-order-id="{order_id}"]')).to_contain_text(
        "P1 × 1"
    )
    page.locator("#handover-code").fill(short_code)
    page.locator("#handover-lookup").click()
    expect(page.locator("#handover-lines tr")).to_have_count(2)
    expect(page.locator("#handover-scan")).to_be_focused()
    page.keyboard.type(P1_GTIN)
    page.keyboard.press("Enter")
    expect(page.locator("#handover-lines tr").nth(0).locator(".handed-over")).to_have_text("1")
    # The P2 is not on the shelf after all: the rest is missing.
    page.locator("#handover-complete").check()
    _assert_fits(page, "store-handover", PHONE)
    page.locator("#handover-confirm").click()
    expect(page.locator("#notice")).to_contain_text(order_id)
    expect(page.locator("#notice")).to_contain_text("terminée")

    done = world.get_order(order_id)
    assert done["amounts"] == {"captured": 7999, "released": 5000, "refunded": 2999, "held": 0}
    assert world.stock_level("ST", "P1") == {"on_hand": 99, "reserved": 0, "available": 99}
    assert world.stock_level("ST", "P2") == {"on_hand": 3, "reserved": 0, "available": 3}
    # The stock table: P2 (3 left) is not low; after a loss of 1, it is.
    ok_loss = live_server.http.post(
        f"/v1/stock/{world.parties['ST'].id}/adjustments",
        json={"product_id": world.products["P2"], "delta": -1, "reason": "casse"},
        headers=world.parties["ST"].headers,
    )
    assert ok_loss.status_code == 200
    page.locator("#stock-refresh").click()
    low = page.locator(f'#stock-rows tr[data-product-id="{world.products["P2"]}"]')
    expect(low).to_have_class("low-stock")
    expect(
        page.locator(f'#stock-rows tr[data-product-id="{world.products["P1"]}"]')
    ).not_to_have_class("low-stock")
    _assert_fits(page, "store-stock", PHONE)
    assert page.problems == []

    # The same page in English.
    page.goto("/store?lang=en")
    expect(page.locator("#reservations-section h2")).to_have_text("Reservations to hand over")
    expect(page.locator("#whoami")).to_have_text("ST (store)")
    page.context.close()


def test_the_clerk_sees_the_orders_to_hand_over_and_todays_unpaid_ones_page_by_page(
    browser: Any, live_server: LiveServer, clock: FakeClock
) -> None:
    """Not every open order ever: the paid ones (any day), 20 at a time with "More
    orders", then the ones awaiting payment since the start of today."""
    from playwright.sync_api import expect

    world = spec_world(live_server.http)
    store = world.parties["ST"].id

    def store_order() -> str:
        order = world.order(
            payment_mode="escrow",
            fulfilment="store",
            store_id=store,
            lines=[{"product_id": world.products["P1"], "quantity": 1}],
        )
        return str(order["id"])

    # Three days ago: one order paid (still to hand over), one never paid.
    clock.advance(days=-3)
    paid_long_ago = store_order()
    world.pay(paid_long_ago)
    unpaid_long_ago = store_order()
    clock.advance(days=3)
    # Today: 21 paid orders and one awaiting payment.
    paid_today = []
    for _ in range(21):
        paid_today.append(store_order())
        world.pay(paid_today[-1])
    unpaid_today = store_order()

    page = _phone_page(browser, live_server, language="fr", size=PHONE)
    page.goto("/store")
    _sign_in(page, world.parties["ST"].key)
    rows = page.locator("#reservation-rows tr")
    # The 20 newest paid orders, then today's unpaid one; the rest behind "More".
    expect(rows).to_have_count(21)
    expect(rows.last).to_have_attribute("data-order-id", unpaid_today)
    expect(rows.first).to_have_attribute("data-order-id", paid_today[-1])
    expect(page.locator(f'#reservation-rows tr[data-order-id="{paid_long_ago}"]')).to_have_count(0)
    expect(page.locator("#reservations-more")).to_be_visible()
    expect(page.locator("#reservations-more")).to_have_text("Plus de commandes")
    _assert_fits(page, "store-orders", PHONE)

    page.locator("#reservations-more").click()
    expect(rows).to_have_count(23)
    # The next page joins the paid ones, before the unpaid one.
    expect(rows.nth(21)).to_have_attribute("data-order-id", paid_long_ago)
    expect(rows.last).to_have_attribute("data-order-id", unpaid_today)
    expect(page.locator("#reservations-more")).to_be_hidden()
    # Never the order left unpaid three days ago.
    expect(page.locator(f'#reservation-rows tr[data-order-id="{unpaid_long_ago}"]')).to_have_count(
        0
    )
    assert page.problems == []

    page.goto("/store?lang=en")
    expect(page.locator("#reservations-section p.muted").first).to_have_text(
        "The orders to hand over first, newest first, then today's orders still awaiting payment."
    )
