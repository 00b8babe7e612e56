"""Real Chromium on the real server: a customer pays and gets the QR code; a courier
scans it on the scanner page; a merchant reads the dashboard.

Screenshots of each final page go to /tmp (for looking at; not kept in the repo).
"""

from __future__ import annotations

import io
from typing import Any

import zxingcpp
from PIL import Image

from tests.browser.conftest import LiveServer
from tests.scenario import NEEDS_CHALLENGE, World, delivery_order, spec_world

SCREENSHOT_DIRECTORY = "/tmp"


def _world(live_server: LiveServer) -> World:
    return spec_world(live_server.http)


def test_a_newcomer_pays_with_3d_secure_and_gets_the_qr_code(
    page: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    world = _world(live_server)
    english = {"email": "customer@example.com", "name": "Camille", "locale": "en"}
    order = delivery_order(world, "escrow", customer=english)
    customer_url = order["customer_url"]
    assert customer_url.startswith(live_server.base_url + "/orders/")

    page.goto(customer_url)
    expect(page.locator("#order-status")).to_have_text("Awaiting payment")
    expect(page.locator("#qr-code")).to_have_count(0)
    page.get_by_role("button", name="Pay 135.89 EUR").click()

    page.wait_for_url(f"{live_server.base_url}/sandbox/checkout/sbx_*")
    expect(page.locator("h1")).to_have_text("Pay 135.89 EUR")
    page.get_by_label("Card number").fill("4000 0027 6000 3184")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Pay 135.89 EUR").click()

    page.wait_for_url(f"{live_server.base_url}/sandbox/3ds/sbx_*")
    expect(page.locator("#test-otp")).to_have_text("123456")
    page.get_by_label("One-time code").fill("123456")
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(customer_url)
    paid = world.get_order(order["id"])
    assert paid["status"] == "paid"
    expect(page.locator("#order-status")).to_have_text("Paid — held in escrow")
    expect(page.locator("#short-code")).to_have_text(paid["redemption"]["short_code"])
    expect(page.locator("#pay-form")).to_have_count(0)
    qr = page.locator("#qr-code svg")
    expect(qr).to_be_visible()
    # What the customer's screen shows is the order's code: decode the pixels.
    image = Image.open(io.BytesIO(qr.screenshot()))
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [
        paid["redemption"]["qr_payload"]
    ]
    page.screenshot(path=f"{SCREENSHOT_DIRECTORY}/axokey-customer-paid.png", full_page=True)
    assert page.problems == []
    # The card number went to the sandbox's page only: it keeps the last four digits.
    assert NEEDS_CHALLENGE not in page.content()


def test_a_courier_hands_over_one_line_on_the_scanner_page_and_the_rest_is_refunded(
    page: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    world = _world(live_server)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    short_code = world.get_order(order["id"])["redemption"]["short_code"]
    line1, line2 = (line["id"] for line in order["lines"])

    page.goto("/scan")
    expect(page.locator("#code-section")).to_be_hidden()
    page.get_by_label("Your API key").fill(world.parties["C"].key)
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#whoami")).to_have_text("C (courier)")
    assert page.evaluate("sessionStorage.getItem('axokey.apiKey')") == world.parties["C"].key
    assert page.evaluate("localStorage.length") == 0
    # Linux Chromium has no BarcodeDetector: the camera button stays hidden.
    assert page.evaluate("'BarcodeDetector' in window") is False
    expect(page.locator("#camera-start")).to_be_hidden()

    page.get_by_label("Short code, or the QR code's content").fill(short_code.lower())
    page.get_by_role("button", name="Look up").click()
    rows = page.locator("#preview-lines tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#preview-order")).to_have_text(order["id"])
    expect(page.locator(f'#preview-lines tr[data-line-id="{line1}"]')).to_contain_text(
        "P1 × 2 — 100.00 EUR"
    )
    expect(page.locator(f'#preview-lines tr[data-line-id="{line1}"]')).to_contain_text("S1")
    expect(page.locator("#preview-fee-amount")).to_have_text("5.90 EUR")

    page.locator(f'#preview-lines tr[data-line-id="{line1}"] .line-tick').check()
    page.get_by_label("The rest is missing").check()
    page.get_by_role("button", name="Confirm the hand-over").click()

    expect(page.locator("#result-section")).to_be_visible()
    expect(page.locator("#result-status")).to_have_text("completed")
    released = page.locator("#result-released tr")
    expect(released).to_have_count(1)
    expect(released.first).to_contain_text("P1 × 2")  # names, never ids
    expect(released.first).to_contain_text("S1")
    expect(released.first).not_to_contain_text(line1)
    expect(released.first).to_contain_text("70.00 EUR")
    expect(released.first).to_contain_text("30.00 EUR")
    expect(page.locator("#result-fee-amount")).to_have_text("5.90 EUR")
    refunded = page.locator("#result-refunded tr")
    expect(refunded).to_have_count(1)
    expect(refunded.first).to_contain_text("P2")
    expect(refunded.first).not_to_contain_text(line2)
    expect(refunded.first).to_contain_text("29.99 EUR")
    page.screenshot(path=f"{SCREENSHOT_DIRECTORY}/axokey-scanner-done.png", full_page=True)

    done = world.get_order(order["id"])
    assert done["status"] == "completed"
    assert done["amounts"] == {"captured": 13589, "released": 10590, "refunded": 2999, "held": 0}
    assert world.balance("C") == {"held": 0, "available": 590, "paid_out": 0}
    assert page.problems == []


def test_a_merchant_reads_orders_balance_and_refunds_on_the_dashboard(
    page: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    world = _world(live_server)
    unpaid = delivery_order(world, "escrow")
    done = delivery_order(world, "escrow")
    world.pay(done["id"])
    world.redeem(
        "C", world.code(done["id"]), lines=[{"line_id": done["lines"][0]["id"]}], complete=True
    )

    page.goto("/dashboard")
    page.get_by_label("Your API key").fill(world.parties["M"].key)
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#whoami")).to_have_text("M (merchant)")
    orders = page.locator("#order-rows tr")
    expect(orders).to_have_count(2)
    expect(page.locator(f'#order-rows tr[data-order-id="{done["id"]}"]')).to_contain_text(
        "completed"
    )
    expect(page.locator(f'#order-rows tr[data-order-id="{unpaid["id"]}"]')).to_contain_text(
        "awaiting payment"
    )
    expect(page.locator("#balance-rows tr")).to_have_count(1)
    expect(page.locator("#balance-rows tr").first).to_contain_text("30.00 EUR")
    refunds = page.locator("#refund-rows tr")
    expect(refunds).to_have_count(1)
    expect(refunds.first).to_contain_text("29.99 EUR")
    expect(refunds.first).to_contain_text("succeeded")
    page.screenshot(path=f"{SCREENSHOT_DIRECTORY}/axokey-dashboard.png", full_page=True)

    page.get_by_role("button", name="Forget the key").click()
    expect(page.locator("#dashboard")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0
    assert page.problems == []


def test_a_merchant_sees_its_keys_and_audit_trail_and_revokes_a_key_on_the_dashboard(
    page: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    world = _world(live_server)
    merchant = world.parties["M"].headers
    pos = live_server.http.post(
        "/v1/api-keys", json={"name": "POS 2", "scopes": ["orders:read"]}, headers=merchant
    ).json()

    page.goto("/dashboard")
    expect(page.locator("#scopes-needed")).to_contain_text("orders:read")
    page.get_by_label("Your API key").fill(world.parties["M"].key)
    page.get_by_role("button", name="Use this key").click()
    keys = page.locator("#key-rows tr")
    expect(keys).to_have_count(2)
    row = page.locator(f'#key-rows tr[data-key-id="{pos["id"]}"]')
    expect(row).to_contain_text("POS 2")
    expect(row).to_contain_text("orders:read")
    expect(row).to_contain_text("active")
    expect(page.locator('#audit-rows tr[data-action="api_key.created"]')).to_have_count(2)
    expect(page.locator('#audit-rows tr[data-action="party.created"]')).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button").click()
    expect(page.locator(f'#key-rows tr[data-key-id="{pos["id"]}"]')).to_contain_text("revoked")
    revoked = live_server.http.get(
        "/v1/orders", headers={"Authorization": f"Bearer {pos['secret']}"}
    )
    assert revoked.status_code == 401
    page.screenshot(path=f"{SCREENSHOT_DIRECTORY}/axokey-dashboard-keys.png", full_page=True)
    assert page.problems == []


def test_a_reader_key_on_the_dashboard_says_which_scope_it_lacks(
    page: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    world = _world(live_server)
    reader = live_server.http.post(
        "/v1/api-keys",
        json={"name": "Reader", "scopes": ["orders:read", "payouts:read"]},
        headers=world.parties["M"].headers,
    ).json()
    page.goto("/dashboard")
    page.get_by_label("Your API key").fill(reader["secret"])
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#keys-note")).to_contain_text("keys:read")
    expect(page.locator("#audit-note")).to_contain_text("audit:read")
    expect(page.locator("#error")).to_be_hidden()
    # The browser logs each refused request (403) as a console error: only those.
    assert page.problems and all("403" in problem for problem in page.problems)


def test_the_dashboard_shows_payment_alerts_to_the_merchant_and_the_operator(
    page: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    from axokey.services import payments
    from tests.conftest import ADMIN_KEY

    world = _world(live_server)
    order = delivery_order(world, "escrow")
    payment = world.checkout(order["id"])
    provider, reference = payments.provider_reference_of(live_server.context, payment["id"])
    payments.alert_operator(
        live_server.context, provider, reference, "unrecognised_answer", "status 'Refunded'"
    )

    for key in (world.parties["M"].key, ADMIN_KEY):
        page.goto("/dashboard")
        page.get_by_label("Your API key").fill(key)
        page.get_by_role("button", name="Use this key").click()
        alerts = page.locator("#alert-rows tr")
        expect(alerts).to_have_count(1)
        expect(alerts.first).to_contain_text(order["id"])
        expect(alerts.first).to_contain_text("unrecognised answer")
        expect(alerts.first).to_contain_text("status 'Refunded'")
        page.get_by_role("button", name="Forget the key").click()
        if key != ADMIN_KEY:
            # (The admin key has no party and no balance: its dashboard logs 404/422.)
            assert page.problems == []

    page.goto("/dashboard")
    page.get_by_label("Your API key").fill(world.parties["C"].key)
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#whoami")).to_have_text("C (courier)")
    expect(page.locator("#alerts")).to_be_hidden()
