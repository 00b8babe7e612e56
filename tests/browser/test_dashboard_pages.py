"""The dashboard as each party reads it, on a phone: its own share of each order
(a supplier never the order's total, nor another supplier's line), the order's own
page, the filters by status and day, and the chart of money held in escrow drawn by
the server — in French and in English, with no horizontal scroll.

SPEC.md's cast (tests/scenario.py): 2 × P1 by S1 (its share 70.00), 1 × P2 by S2;
the courier hands over P1 and P2 is missing (29.99 refunded).
"""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import LiveServer
from tests.browser.test_phone_pages import DESKTOP, PHONE, _assert_fits, _phone_page, _sign_in
from tests.scenario import World, delivery_order, ok, spec_world


def _orders(live_server: LiveServer) -> tuple[World, Any, Any]:
    world = spec_world(live_server.http)
    unpaid = delivery_order(world, "escrow")
    done = delivery_order(world, "escrow")
    world.pay(done["id"])
    world.redeem(
        "C", world.code(done["id"]), lines=[{"line_id": done["lines"][0]["id"]}], complete=True
    )
    return world, unpaid, done


def _chart_is_drawn(page: Any) -> None:
    from playwright.sync_api import expect

    chart = page.locator("#held-chart")
    expect(chart).to_be_visible()
    assert chart.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("document.getElementById('held-chart').naturalWidth") > 0


def test_a_french_supplier_reads_its_own_share_on_a_phone(
    browser: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    world, unpaid, done = _orders(live_server)
    page = _phone_page(browser, live_server, language="fr", size=PHONE)
    page.goto("/dashboard")
    _sign_in(page, world.parties["S1"].key)
    expect(page.locator("#whoami")).to_have_text("S1 (fournisseur)")

    row = page.locator(f'#order-rows tr[data-order-id="{done["id"]}"]')
    expect(row).to_contain_text("terminée")
    # Its share: 2 × 35,00 €, all released; never the order's total (135,89 €).
    expect(row.locator("td").nth(4)).to_have_text("—")
    expect(row.locator("td").nth(5)).to_have_text("70,00 €")
    expect(row.locator("td").nth(6)).to_have_text("70,00 €")
    expect(page.locator("#order-rows")).not_to_contain_text("135,89")
    expect(page.locator("#refund-rows")).to_contain_text("Aucun")  # S2's refund is not S1's
    _chart_is_drawn(page)
    expect(page.locator("h2", has_text="Vos versements")).to_be_visible()
    _assert_fits(page, "dashboard-supplier-fr", PHONE)

    row.locator("a.order-link").click()
    page.wait_for_url(f"**/dashboard/orders/{done['id']}")
    expect(page.locator("#order-title")).to_have_text(f"Commande {done['id']}")
    expect(page.locator("#share-amount")).to_have_text("70,00 €")
    expect(page.locator("#share-released")).to_have_text("70,00 €")
    expect(page.locator("#share-held")).to_have_text("0,00 €")
    expect(page.locator("#totals-section")).to_be_hidden()
    lines = page.locator("#line-rows tr")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("P1 × 2")
    expect(lines.first).to_contain_text("versé")
    # Ids are random ULIDs that may end in "…S2" or "…P2": read the page without them.
    text = re.sub(r"\b[a-z]{2,4}_[0-9A-Z]{26}\b", "<id>", page.locator("#order").inner_text())
    assert "P2" not in text and "S2" not in text and "29,99" not in text
    expect(page.locator("#order-refund-rows")).to_contain_text(
        "Aucun remboursement sur cette commande"
    )
    _assert_fits(page, "dashboard-order-supplier-fr", PHONE)

    # The unpaid order holds no line of S1's? It does (P1): S1 may open it. Another
    # merchant's order without S1's lines is "not found", as from the API.
    other = world.party("Other shop", "merchant")
    ok(
        live_server.http.post(
            "/v1/listings",
            json={"product_id": world.products["P2"], "unit_price": 2999},
            headers=other.headers,
        ),
        201,
    )
    theirs = world.order(
        merchant="Other shop",
        payment_mode="escrow",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        lines=[{"product_id": world.products["P2"], "quantity": 1}],
    )
    page.goto(f"/dashboard/orders/{theirs['id']}")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#order")).to_be_hidden()
    page.problems.clear()  # the 404 of that read is logged as a console error
    page.goto(f"/dashboard/orders/{unpaid['id']}")
    expect(page.locator("#order-status")).to_have_text("en attente de paiement")
    assert page.problems == []
    page.context.close()


def test_an_english_merchant_filters_its_orders_and_opens_one(
    browser: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    world, unpaid, done = _orders(live_server)
    for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = _phone_page(browser, live_server, language="en", size=size)
        page.goto("/dashboard")
        _sign_in(page, world.parties["M"].key)
        rows = page.locator("#order-rows tr[data-order-id]")
        expect(rows).to_have_count(2)
        _chart_is_drawn(page)
        _assert_fits(page, f"dashboard-merchant-en-{name}", size)

        page.get_by_label("Status").select_option("completed")
        page.get_by_role("button", name="Show these orders").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-order-id", done["id"])
        # The merchant's share is its commissions: 2 × 15.00 + 9.99.
        expect(rows.first.locator("td").nth(4)).to_have_text("135.89 EUR")
        expect(rows.first.locator("td").nth(5)).to_have_text("39.99 EUR")
        expect(rows.first.locator("td").nth(6)).to_have_text("30.00 EUR")
        page.get_by_label("Status").select_option("")
        page.get_by_label("Created from").fill("2000-01-01")
        page.get_by_label("to", exact=True).fill("2000-01-31")
        page.get_by_role("button", name="Show these orders").click()
        expect(page.locator("#order-rows")).to_contain_text("None yet")
        page.get_by_label("Created from").fill("")
        page.get_by_label("to", exact=True).fill("")
        page.get_by_label("Status").select_option("awaiting_payment")
        page.get_by_role("button", name="Show these orders").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-order-id", unpaid["id"])

        page.goto(f"/dashboard/orders/{done['id']}")
        expect(page.locator("#order-total")).to_have_text("135.89 EUR")
        expect(page.locator("#order-refunded")).to_have_text("29.99 EUR")
        expect(page.locator("#line-rows tr")).to_have_count(3)  # two lines, the fee
        refund = page.locator("#order-refund-rows tr")
        expect(refund).to_have_count(1)
        expect(refund.first).to_contain_text("missing")
        expect(refund.first).to_contain_text("29.99 EUR")
        _assert_fits(page, f"dashboard-order-merchant-en-{name}", size)
        assert page.problems == []
        page.context.close()
