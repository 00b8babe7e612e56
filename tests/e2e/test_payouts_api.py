"""Money out through HTTP: payees, batches, the pain.001 file, confirmation, returns.

SPEC.md's example A, paid out to the cent; rejections; every forbidden path."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from axokey.adapters.db.tables import events
from axokey.config import Settings
from axokey.services.ledger import check_ledger
from tests.conftest import ADMIN, make_settings
from tests.payouts_scenario import (
    NS,
    OPERATOR,
    address,
    balance,
    bank_file,
    confirm,
    create_batch,
    make_payable,
    new_iban,
    sepa_spelling,
    transactions,
)
from tests.scenario import World, delivery_order, ok, spec_world


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, **OPERATOR)


def event_types(context: Any) -> list[tuple[str, dict[str, Any]]]:
    from sqlalchemy import select

    with context.database.read() as connection:
        rows = connection.execute(select(events.c.type, events.c.data).order_by(events.c.seq))
        return [(row.type, row.data) for row in rows if row.type.startswith(("payout", "refund"))]


def example_a_redeemed(client: Any, customer_iban: str | None = None) -> tuple[World, Any]:
    """Example A with every payee's IBAN and address, the customer's IBAN, redeemed."""
    world = spec_world(client)
    for name in ("S1", "S2", "C"):
        make_payable(world, name)
    make_payable(world, "M", by_operator=False)  # the merchant sets its own
    order = delivery_order(world, "escrow") if customer_iban is None else None
    if order is None:
        order = world.order(
            payment_mode="escrow",
            fulfilment="delivery",
            courier_id=world.parties["C"].id,
            delivery_fee=590,
            customer={
                "email": "camille@example.com",
                "name": "Camille Dupré",
                "iban": customer_iban,
            },
            lines=[
                {"product_id": world.products["P1"], "quantity": 2},
                {"product_id": world.products["P2"], "quantity": 1},
            ],
        )
    world.pay(order["id"])
    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    return world, order


def test_example_a_paid_out_to_the_cent(client: Any, context: Any) -> None:
    customer_iban = new_iban()
    world, order = example_a_redeemed(client, customer_iban)
    assert balance(world, "S1") == {"held": 0, "available": 7000, "in_transit": 0, "paid_out": 0}
    [refund] = world.refunds(order["id"])
    assert (refund["amount"], refund["method"], refund["status"]) == (2999, "sepa", "pending")

    batch = create_batch(client)
    assert batch["status"] == "created" and batch["currency"] == "EUR"
    assert (batch["item_count"], batch["total"]) == (4, 13589)
    by_party = {item["party_id"]: item for item in batch["items"] if item["kind"] == "payout"}
    ids = {name: world.parties[name].id for name in ("S1", "M", "C")}
    assert {name: by_party[pid]["amount"] for name, pid in ids.items()} == {
        "S1": 7000,
        "M": 3000,
        "C": 590,
    }
    [refund_item] = [item for item in batch["items"] if item["kind"] == "refund"]
    assert (refund_item["refund_id"], refund_item["amount"]) == (refund["id"], 2999)
    assert refund_item["iban"] == customer_iban
    assert {item["status"] for item in batch["items"]} == {"in_transit"}
    # In transit: neither available nor in another batch.
    assert balance(world, "S1") == {"held": 0, "available": 0, "in_transit": 7000, "paid_out": 0}
    assert create_batch(client, expect=409)["code"] == "nothing_to_pay_out"
    assert check_ledger(context) == []

    document = bank_file(client, batch["id"])
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "135.89"
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "4"
    assert document.findtext(".//p:PmtInf/p:CtrlSum", namespaces=NS) == "135.89"
    assert (
        document.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == OPERATOR["operator_iban"]
    )
    found = transactions(document)
    assert set(found) == {item["id"] for item in batch["items"]}
    for item in batch["items"]:
        assert found[item["id"]]["amount"] == Decimal(item["amount"]) / 100
        assert found[item["id"]]["iban"] == item["iban"]
    assert sum(t["amount"] for t in found.values()) == Decimal("135.89")
    s1 = found[by_party[ids["S1"]]["id"]]
    assert s1["address"] == {
        "StrtNm": "Rue de la Republique",
        "BldgNb": "12",
        "PstCd": "69002",
        "TwnNm": "Lyon",
        "Ctry": "FR",
    }
    assert sepa_spelling(order["id"]) in s1["remittance"]
    customer = found[refund_item["id"]]
    assert customer["name"] == "Camille Dupre"
    assert sepa_spelling(refund["id"]) in customer["remittance"]
    assert sepa_spelling(order["id"]) in customer["remittance"]

    executed = confirm(client, batch["id"])
    assert executed["status"] == "executed" and executed["executed_at"]
    assert {item["status"] for item in executed["items"]} == {"paid"}
    assert balance(world, "S1") == {"held": 0, "available": 0, "in_transit": 0, "paid_out": 7000}
    assert balance(world, "M")["paid_out"] == 3000
    assert balance(world, "C")["paid_out"] == 590
    assert balance(world, "S2") == {"held": 0, "available": 0, "in_transit": 0, "paid_out": 0}
    [refund] = world.refunds(order["id"])
    assert refund["status"] == "succeeded"
    told = event_types(context)
    assert sorted(kind for kind, _ in told) == ["payout.paid"] * 3 + ["refund.succeeded"]
    assert confirm(client, batch["id"], expect=409)["code"] == "batch_executed"
    assert check_ledger(context) == []

    # Each party sees its own payouts; the operator lists the batches.
    mine = ok(client.get("/v1/payouts", headers=world.parties["S1"].headers))["data"]
    assert [(p["amount"], p["status"]) for p in mine] == [(7000, "paid")]
    listed = ok(client.get("/v1/payout-batches", headers=ADMIN))["data"]
    assert [(b["id"], b["status"], b["total"]) for b in listed] == [
        (batch["id"], "executed", 13589)
    ]
    assert (
        ok(client.get(f"/v1/payout-batches/{batch['id']}", headers=ADMIN))["items"]
        == (executed["items"])
    )


def test_rejected_items_come_back_and_are_paid_by_the_next_batch(client: Any, context: Any) -> None:
    world, order = example_a_redeemed(client, new_iban())
    batch = create_batch(client)
    items = {item["party_id"] or "customer": item for item in batch["items"]}
    s1_item = items[world.parties["S1"].id]
    refund_item = items["customer"]
    executed = confirm(
        client,
        batch["id"],
        [(s1_item["id"], "AC04 closed account"), (refund_item["id"], "AC01 wrong IBAN")],
    )
    statuses = {
        item["id"]: (item["status"], item["rejection_reason"]) for item in executed["items"]
    }
    assert statuses[s1_item["id"]] == ("rejected", "AC04 closed account")
    assert statuses[refund_item["id"]] == ("rejected", "AC01 wrong IBAN")
    assert balance(world, "S1") == {"held": 0, "available": 7000, "in_transit": 0, "paid_out": 0}
    assert balance(world, "M")["paid_out"] == 3000
    [refund] = world.refunds(order["id"])
    assert (refund["status"], refund["failure_code"]) == ("pending", "AC01 wrong IBAN")
    told = sorted(kind for kind, _ in event_types(context))
    assert told == ["payout.failed", "payout.paid", "payout.paid", "refund.failed"]
    failed = next(data for kind, data in event_types(context) if kind == "payout.failed")
    assert (failed["amount"], failed["reason"]) == (7000, "AC04 closed account")
    assert check_ledger(context) == []

    again = create_batch(client)
    assert sorted((item["kind"], item["amount"]) for item in again["items"]) == [
        ("payout", 7000),
        ("refund", 2999),
    ]
    bank_file(client, again["id"])
    confirm(client, again["id"])
    assert balance(world, "S1")["paid_out"] == 7000
    assert world.refunds(order["id"])[0]["status"] == "succeeded"
    assert check_ledger(context) == []


def test_a_party_without_iban_or_address_is_not_paid_and_stays_available(
    client: Any, context: Any
) -> None:
    world = spec_world(client)
    make_payable(world, "S1")
    ok(
        client.patch(
            f"/v1/parties/{world.parties['M'].id}",
            json={"iban": new_iban()},  # an IBAN but no address
            headers=ADMIN,
        )
    )
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    lines = [{"line_id": line["id"]} for line in order["lines"]]
    world.redeem("C", world.code(order["id"]), lines=lines, complete=True)
    batch = create_batch(client)
    assert [item["party_id"] for item in batch["items"]] == [world.parties["S1"].id]
    assert balance(world, "M")["available"] == 3999
    assert balance(world, "S2")["available"] == 2000
    assert balance(world, "C")["available"] == 590
    assert check_ledger(context) == []


def test_the_minimum_leaves_small_balances_for_later(client: Any, context: Any) -> None:
    context.settings = context.settings.model_copy(update={"payout_minimum_minor": 1000})
    world, _ = example_a_redeemed(client)
    batch = create_batch(client)
    assert sorted(item["amount"] for item in batch["items"]) == [3000, 7000]  # C's 590 < 1000
    assert balance(world, "C")["available"] == 590
    assert check_ledger(context) == []


def test_iban_changes_are_recorded_with_their_date(client: Any) -> None:
    world = spec_world(client)
    first = new_iban()
    supplier = world.party("S9", "supplier", iban=first)
    second = new_iban()
    changed = ok(client.patch("/v1/me", json={"iban": second}, headers=supplier.headers))
    assert changed["iban"] == second
    history = ok(client.get(f"/v1/parties/{supplier.id}/iban-history", headers=supplier.headers))
    assert [(c["previous_iban"], c["iban"], c["changed_by"]) for c in history["changes"]] == [
        (None, first, "admin"),
        (first, second, "party"),
    ]
    assert all(c["changed_at"] for c in history["changes"])
    seen = ok(client.get(f"/v1/parties/{supplier.id}/iban-history", headers=ADMIN))
    assert seen == history
    # Changing the address alone records no IBAN change.
    ok(client.patch("/v1/me", json={"address": address("Paris")}, headers=supplier.headers))
    again = ok(client.get(f"/v1/parties/{supplier.id}/iban-history", headers=ADMIN))
    assert len(again["changes"]) == 2
    me = ok(client.get("/v1/me", headers=supplier.headers))
    assert me["address"]["town"] == "Paris" and me["address"]["building_number"] == "12"
    assert me["iban"] == second


# --- Bad input and forbidden paths: a clear problem, nothing changed -------------


def test_only_the_operator_handles_batches(client: Any, context: Any) -> None:
    world, _ = example_a_redeemed(client)
    merchant = world.parties["M"].headers
    response = client.post("/v1/payout-batches", json={"currency": "EUR"}, headers=merchant)
    assert (response.status_code, response.json()["code"]) == (403, "role_not_allowed")
    assert ok(client.get("/v1/payout-batches", headers=ADMIN))["data"] == []
    batch = create_batch(client)
    for method, path in (
        ("get", "/v1/payout-batches"),
        ("get", f"/v1/payout-batches/{batch['id']}"),
        ("get", f"/v1/payout-batches/{batch['id']}/pain.001"),
        ("post", f"/v1/payout-batches/{batch['id']}/confirm"),
    ):
        response = client.request(method, path, headers=merchant)
        assert response.status_code == 403, (path, response.text)
    assert ok(client.get(f"/v1/payout-batches/{batch['id']}", headers=ADMIN))["status"] == "created"
    assert client.post("/v1/payout-batches", json={"currency": "EUR"}).status_code == 401


def test_bad_batch_requests_change_nothing(client: Any, context: Any) -> None:
    world, _ = example_a_redeemed(client)
    before = {name: balance(world, name) for name in ("S1", "M", "C")}
    for body in ({"currency": "EURO"}, {"currency": "eur"}, {"currency": "ZZZ"}, {}):
        response = client.post("/v1/payout-batches", json=body, headers=ADMIN)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
    assert create_batch(client, "USD", expect=409)["code"] == "nothing_to_pay_out"
    assert {name: balance(world, name) for name in ("S1", "M", "C")} == before

    batch = create_batch(client)
    unknown = confirm(client, batch["id"], [("po_unknown", "AC04")], expect=422)
    assert unknown["code"] == "unknown_payout_item"
    first = batch["items"][0]["id"]
    twice = confirm(client, batch["id"], [(first, "AC04"), (first, "AC04")], expect=422)
    assert twice["code"] == "unknown_payout_item"
    blank = client.post(
        f"/v1/payout-batches/{batch['id']}/confirm",
        json={"rejected": [{"item_id": first, "reason": " "}]},
        headers=ADMIN,
    )
    assert blank.status_code == 422
    assert ok(client.get(f"/v1/payout-batches/{batch['id']}", headers=ADMIN))["status"] == "created"
    assert balance(world, "S1")["in_transit"] == 7000
    missing = client.post("/v1/payout-batches/pob_nope/confirm", json={}, headers=ADMIN)
    assert (missing.status_code, missing.json()["code"]) == (404, "payout_batch_not_found")
    assert client.get("/v1/payout-batches/pob_nope/pain.001", headers=ADMIN).status_code == 404
    # Another batch's item is unknown here too.
    assert check_ledger(context) == []


def test_the_bank_file_needs_the_operator_account(client: Any, context: Any) -> None:
    context.settings = context.settings.model_copy(
        update={"operator_name": None, "operator_iban": None}
    )
    example_a_redeemed(client)
    batch = create_batch(client)
    response = client.get(f"/v1/payout-batches/{batch['id']}/pain.001", headers=ADMIN)
    assert (response.status_code, response.json()["code"]) == (409, "operator_account_missing")
    context.settings = context.settings.model_copy(
        update={"operator_name": "AXOKEY", "operator_iban": "FR00 not an IBAN"}
    )
    response = client.get(f"/v1/payout-batches/{batch['id']}/pain.001", headers=ADMIN)
    assert (response.status_code, response.json()["code"]) == (409, "operator_account_invalid")


def test_a_party_changes_only_its_own_payout_details(client: Any) -> None:
    world = spec_world(client)
    s1, s2 = world.parties["S1"], world.parties["S2"]
    target = f"/v1/parties/{s2.id}"
    response = client.patch(target, json={"iban": new_iban()}, headers=s1.headers)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # A merchant sees its store but does not change its bank details.
    store = world.parties["ST"]
    response = client.patch(
        f"/v1/parties/{store.id}", json={"iban": new_iban()}, headers=world.parties["M"].headers
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_your_party")
    history = client.get(f"/v1/parties/{s2.id}/iban-history", headers=s1.headers)
    assert history.status_code == 404
    assert ok(client.get(target, headers=ADMIN))["iban"] is None
    # Its own, through /v1/parties/{id}, works.
    mine = ok(client.patch(f"/v1/parties/{s1.id}", json={"bic": "AGRIFRPP"}, headers=s1.headers))
    assert mine["bic"] == "AGRIFRPP"
    response = client.patch("/v1/me", json={"iban": "x"}, headers=ADMIN)
    assert (response.status_code, response.json()["code"]) == (404, "no_party")
    assert client.patch("/v1/parties/pty_nope", json={}, headers=ADMIN).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"iban": "FR7630006000011234567890188"}, "iban"),
        ({"bic": "NOTABIC!"}, "bic"),
        ({"address": {**address(), "country": "ZZ"}}, "address.country"),
        ({"address": {**address(), "country": "fr"}}, "address.country"),
        ({"address": {"town": "Lyon", "country": "FR"}}, "address.street"),
        ({"address": {**address(), "town": ""}}, "address.town"),
        ({"iban": new_iban(), "color": "red"}, "color"),
    ],
)
def test_invalid_payout_details_are_refused_and_change_nothing(
    client: Any, body: dict[str, Any], field: str
) -> None:
    world = spec_world(client)
    supplier = world.parties["S1"]
    before = ok(client.get("/v1/me", headers=supplier.headers))
    response = client.patch("/v1/me", json=body, headers=supplier.headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert any(error["field"].startswith(field) for error in problem["errors"]), problem
    assert ok(client.get("/v1/me", headers=supplier.headers)) == before
    history = ok(client.get(f"/v1/parties/{supplier.id}/iban-history", headers=supplier.headers))
    assert history["changes"] == []


def status_report(
    batch_id: str, rejected: list[tuple[str, str]], group: str = "PART", spell: Any = sepa_spelling
) -> bytes:
    """The bank's answer: it names the batch and items as our pain.001 spelt them."""
    transactions = "".join(
        f"<TxInfAndSts><OrgnlEndToEndId>{spell(item)}</OrgnlEndToEndId><TxSts>RJCT</TxSts>"
        f"<StsRsnInf><Rsn><Cd>{code}</Cd></Rsn><AddtlInf>refused by the bank</AddtlInf>"
        "</StsRsnInf></TxInfAndSts>"
        for item, code in rejected
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>'
        "<GrpHdr><MsgId>BANK-1</MsgId><CreDtTm>2026-12-03T10:00:00</CreDtTm></GrpHdr>"
        f"<OrgnlGrpInfAndSts><OrgnlMsgId>{spell(batch_id)}</OrgnlMsgId>"
        f"<OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><GrpSts>{group}</GrpSts>"
        "</OrgnlGrpInfAndSts>"
        f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>{spell(batch_id)}</OrgnlPmtInfId>{transactions}"
        "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"
    ).encode()


def test_the_banks_status_report_confirms_the_batch(client: Any, context: Any) -> None:
    world, order = example_a_redeemed(client, new_iban())
    batch = create_batch(client)
    s1_item = next(i for i in batch["items"] if i["party_id"] == world.parties["S1"].id)
    refund_item = next(i for i in batch["items"] if i["kind"] == "refund")
    path = f"/v1/payout-batches/{batch['id']}/pain.002"
    xml = {"Content-Type": "application/xml", **ADMIN}

    for body, code in (
        (b"not xml", "invalid_status_report"),
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Document/>', "invalid_status_report"),
        (status_report("pob_other", []), "status_report_mismatch"),
        (status_report(batch["id"], [("po_unknown", "AC01")]), "unknown_payout_item"),
    ):
        response = client.post(path, content=body, headers=xml)
        assert (response.status_code, response.json()["code"]) == (422, code), body
    merchant = {"Content-Type": "application/xml", **world.parties["M"].headers}
    assert (
        client.post(path, content=status_report(batch["id"], []), headers=merchant).status_code
        == 403
    )
    assert ok(client.get(f"/v1/payout-batches/{batch['id']}", headers=ADMIN))["status"] == "created"

    report = status_report(batch["id"], [(s1_item["id"], "AC04"), (refund_item["id"], "AC01")])
    executed = ok(client.post(path, content=report, headers=xml))
    reasons = {item["id"]: item["rejection_reason"] for item in executed["items"]}
    assert reasons[s1_item["id"]] == "AC04 refused by the bank"
    assert reasons[refund_item["id"]] == "AC01 refused by the bank"
    assert balance(world, "S1")["available"] == 7000
    assert balance(world, "M")["paid_out"] == 3000
    [refund] = world.refunds(order["id"])
    assert (refund["status"], refund["failure_code"]) == ("pending", "AC01 refused by the bank")
    again = client.post(path, content=report, headers=xml)
    assert (again.status_code, again.json()["code"]) == (409, "batch_executed")
    assert check_ledger(context) == []

    # A report refusing the whole file sends every item back. (This one names the
    # batch as files made before ids were spelt with a hyphen did: it still matches.)
    second = create_batch(client)
    whole = status_report(second["id"], [], group="RJCT", spell=str)
    executed = ok(
        client.post(f"/v1/payout-batches/{second['id']}/pain.002", content=whole, headers=xml)
    )
    assert {item["status"] for item in executed["items"]} == {"rejected"}
    assert balance(world, "S1")["available"] == 7000
    assert check_ledger(context) == []


def test_a_party_reads_its_own_payouts_only(client: Any) -> None:
    world, _ = example_a_redeemed(client)
    batch = create_batch(client)
    s1, s2 = world.parties["S1"], world.parties["S2"]
    mine = ok(client.get("/v1/payouts", headers=s1.headers))["data"]
    assert [(p["amount"], p["status"], p["batch_id"]) for p in mine] == [
        (7000, "in_transit", batch["id"])
    ]
    assert ok(client.get("/v1/payouts", headers=s2.headers))["data"] == []
    other = client.get(f"/v1/payouts?party_id={s2.id}", headers=s1.headers)
    assert (other.status_code, other.json()["code"]) == (403, "not_your_payouts")
    unnamed = client.get("/v1/payouts", headers=ADMIN)
    assert (unnamed.status_code, unnamed.json()["code"]) == (403, "party_required")
    seen = ok(client.get(f"/v1/payouts?party_id={s1.id}", headers=ADMIN))["data"]
    assert seen == mine


def test_the_ledger_check_names_money_paid_out_by_hand(client: Any, context: Any) -> None:
    """A batch item marked paid without its transfer, a refund marked succeeded
    without a paid item, a payout account edited: each is named by check_ledger."""
    from sqlalchemy import update

    from axokey.adapters.db.tables import ledger_accounts, payout_items, refunds

    world, order = example_a_redeemed(client, new_iban())
    batch = create_batch(client)
    s1_item = next(i for i in batch["items"] if i["party_id"] == world.parties["S1"].id)
    [refund] = world.refunds(order["id"])
    assert check_ledger(context) == []

    def tamper(statement: Any) -> list[str]:
        with context.database.transaction() as connection:
            connection.execute(statement)
        return [f"{v.invariant} {v.subject}" for v in check_ledger(context)]

    found = tamper(
        update(payout_items).where(payout_items.c.id == s1_item["id"]).values(status="paid")
    )
    assert f"7 payout item {s1_item['id']}" in found
    assert f"7 account acc_payouts_{world.parties['S1'].id}_EUR" in found
    tamper(
        update(payout_items).where(payout_items.c.id == s1_item["id"]).values(status="in_transit")
    )
    assert check_ledger(context) == []

    found = tamper(update(refunds).where(refunds.c.id == refund["id"]).values(status="succeeded"))
    assert found == [f"7 refund {refund['id']}"]
    tamper(update(refunds).where(refunds.c.id == refund["id"]).values(status="pending"))

    found = tamper(
        update(ledger_accounts)
        .where(ledger_accounts.c.id == f"acc_payable_{world.parties['M'].id}_EUR")
        .values(credits_posted=ledger_accounts.c.credits_posted + 100)
    )
    assert "6 currency EUR" in found  # captured ≠ held + parties + refunds
