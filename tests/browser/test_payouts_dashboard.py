"""The dashboard's payouts in a real browser: a supplier sees its payouts and their
state; the operator creates the batch and downloads its bank file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from axokey.config import Settings
from tests.browser.conftest import LiveServer
from tests.conftest import ADMIN, ADMIN_KEY, make_settings
from tests.payouts_scenario import OPERATOR, confirm, make_payable, pain001_schema
from tests.scenario import delivery_order, spec_world


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, **OPERATOR)


def test_the_operator_makes_a_batch_and_a_supplier_sees_it_paid(
    page: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    world = spec_world(live_server.http)
    for name in ("S1", "M", "C"):
        make_payable(world, name)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    lines = [{"line_id": line["id"]} for line in order["lines"]]
    world.redeem("C", world.code(order["id"]), lines=lines, complete=True)

    page.goto("/dashboard")
    page.get_by_label("Your API key").fill(ADMIN_KEY)
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#whoami")).to_have_text("the operator")
    expect(page.locator("#payouts-section")).to_be_hidden()
    page.locator("#batch-create").click()
    batches = page.locator("#batch-rows tr[data-batch-id]")
    expect(batches).to_have_count(1)
    expect(batches.first).to_contain_text("115.89 EUR")  # S1 70.00, M 39.99, C 5.90
    with page.expect_download() as download_info:
        batches.first.locator(".batch-download").click()
    saved = tmp_path / "pain.xml"
    download_info.value.save_as(saved)
    pain001_schema().validate(str(saved))
    assert "<CtrlSum>115.89</CtrlSum>" in saved.read_text()
    page.screenshot(path="/tmp/axokey-dashboard-batches.png", full_page=True)
    batch_id = batches.first.get_attribute("data-batch-id")
    page.get_by_role("button", name="Forget the key").click()
    # The operator's key has no party: /v1/me answers 404, and nothing else failed.
    assert [problem for problem in page.problems if "404" not in problem] == []
    assert len(page.problems) <= 1
    page.problems.clear()

    [batch] = live_server.http.get("/v1/payout-batches", headers=ADMIN).json()["data"]
    assert batch["id"] == batch_id
    confirm(live_server.http, batch["id"])

    page.get_by_label("Your API key").fill(world.parties["S1"].key)
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#batches-section")).to_be_hidden()
    payouts = page.locator("#payout-rows tr[data-payout-id]")
    expect(payouts).to_have_count(1)
    expect(payouts.first).to_contain_text("70.00 EUR")
    expect(payouts.first).to_contain_text("paid")
    expect(page.locator("#balance-rows tr").first).to_contain_text("70.00 EUR")
    page.screenshot(path="/tmp/axokey-dashboard-payouts.png", full_page=True)
    assert page.problems == []
