"""The camera loop both pages share (static/camera.js), in Chromium with a camera and
a BarcodeDetector standing in for the phone's (Linux Chromium has neither): the
frames "seen" are a queue the test fills, the stream a canvas's. The store's page
adds one product per barcode shown (the same one again only after another frame);
the scanner stops at the customer's QR code and looks it up. Both release the
camera when stopped."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer
from tests.browser.test_phone_pages import PHONE, _phone_page, _sign_in
from tests.scenario import spec_world

P1_GTIN = "4006381333931"
P2_GTIN = "5901234123457"

# Installed before the page's scripts: a detector that reads the next frame of
# window.__frames (a code, or "" for nothing in view), and a camera that is a canvas.
FAKE_CAMERA = """
(() => {
  window.__frames = [];
  window.__streams = [];
  window.BarcodeDetector = class {
    constructor(options) { window.__detectorFormats = options.formats; }
    static async getSupportedFormats() { return ["qr_code", "ean_13", "ean_8", "upc_a", "upc_e"]; }
    async detect(source) {
      const value = window.__frames.length > 0 ? window.__frames.shift() : "";
      return value ? [{ rawValue: value, format: "ean_13" }] : [];
    }
  };
  navigator.mediaDevices.getUserMedia = async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 64;
    canvas.getContext("2d").fillRect(0, 0, 64, 64);
    const stream = canvas.captureStream(5);
    window.__streams.push(stream);
    return stream;
  };
  window.__liveTracks = () =>
    window.__streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === "live").length;
})();
"""


def _camera_page(browser: Any, live_server: LiveServer) -> Any:
    page = _phone_page(browser, live_server, language="en", size=PHONE)
    page.add_init_script(FAKE_CAMERA)
    return page


def test_the_store_adds_one_product_per_barcode_the_camera_sees(
    browser: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    world = spec_world(live_server.http)
    page = _camera_page(browser, live_server)
    page.goto("/store")
    _sign_in(page, world.parties["ST"].key)
    start = page.locator("#cart-camera-start")
    expect(start).to_be_visible()
    start.click()
    expect(page.locator("#cart-camera")).to_be_visible()
    expect(page.locator("#cart-camera-stop")).to_be_visible()
    # The video shows before it plays; the detector is made once it does.
    page.wait_for_function("window.__detectorFormats !== undefined")
    assert page.evaluate("window.__detectorFormats") == ["ean_13", "ean_8", "upc_a", "upc_e"]

    # P1 held in view for two frames (one add), away, P1 again, then P2.
    page.evaluate(f"window.__frames.push('{P1_GTIN}', '{P1_GTIN}', '', '{P1_GTIN}', '{P2_GTIN}')")
    lines = page.locator("#cart-lines tr")
    expect(lines).to_have_count(2)
    expect(page.locator("#cart-total")).to_have_text("129.99 EUR")
    expect(lines.nth(0).locator(".cart-quantity")).to_have_value("2")
    expect(lines.nth(1).locator(".cart-quantity")).to_have_value("1")

    page.locator("#cart-camera-stop").click()
    expect(page.locator("#cart-camera")).to_be_hidden()
    expect(start).to_be_visible()
    assert page.evaluate("window.__liveTracks()") == 0
    # Stopped: what the camera would see now adds nothing.
    page.evaluate(f"window.__frames.push('{P2_GTIN}')")
    page.locator("#scan-input").fill(P2_GTIN)
    page.locator("#scan-add").click()
    expect(lines.nth(1).locator(".cart-quantity")).to_have_value("2")
    assert page.evaluate("window.__frames.length") == 1
    assert page.problems == []


def test_the_scanner_stops_at_the_customers_code_and_looks_it_up(
    browser: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    world = spec_world(live_server.http)
    order = world.order(
        payment_mode="escrow",
        fulfilment="store",
        store_id=world.parties["ST"].id,
        lines=[{"product_id": world.products["P1"], "quantity": 1}],
    )
    world.pay(order["id"])
    payload = world.code(order["id"])
    page = _camera_page(browser, live_server)
    page.goto("/scan")
    _sign_in(page, world.parties["ST"].key)
    expect(page.locator("#photo-start")).to_be_hidden()
    page.locator("#camera-start").click()
    expect(page.locator("#camera")).to_be_visible()
    page.wait_for_function("window.__detectorFormats !== undefined")
    assert page.evaluate("window.__detectorFormats") == ["qr_code"]

    page.evaluate("(payload) => window.__frames.push('', payload, payload)", payload)
    expect(page.locator("#preview-order")).to_have_text(order["id"])
    expect(page.locator("#code")).to_have_value(payload)
    expect(page.locator("#camera")).to_be_hidden()
    expect(page.locator("#camera-stop")).to_be_hidden()
    assert page.evaluate("window.__liveTracks()") == 0
    # The loop ended with the code: the frame after it was never read.
    assert page.evaluate("window.__frames.length") == 1
    assert page.problems == []
