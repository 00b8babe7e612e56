"""Payout rules in plain Python: planning, confirmation, the schedule, the file's
texts and amounts."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import pytest

from axokey.adapters.sepa.pain001 import (
    decimal_amount,
    our_identifier,
    sepa_identifier,
    sepa_text,
)
from axokey.adapters.sepa.pain002 import read_status_report
from axokey.domain.errors import Conflict, ValidationFailed
from axokey.domain.identifiers import PREFIXES, new_id
from axokey.domain.ledger import TransferKind
from axokey.domain.parties import PostalAddress
from axokey.domain.payouts import (
    BatchStatus,
    ItemStatus,
    PayeeDue,
    PayoutSchedule,
    RefundDue,
    confirm_batch,
    cutoff_key,
    payout_remittance,
    plan_batch,
)

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LYON = PostalAddress("Rue", "69002", "Lyon", "FR", "1")
NOWHERE = PostalAddress(None, None, None, None)


def payee(
    party_id: str, available: int, *, iban: str | None = "FR76X", address: PostalAddress = LYON
) -> PayeeDue:
    return PayeeDue(party_id, party_id.upper(), iban, None, address, available, ("ord_1",))


def plan(payees: list[PayeeDue], refunds: list[RefundDue] = (), minimum: int = 100) -> object:  # type: ignore[assignment]
    counter = itertools.count(1)
    return plan_batch(
        batch_id="pob_1",
        currency="EUR",
        payees=payees,
        refunds=refunds,
        minimum_minor=minimum,
        now=NOW,
        new_item_id=lambda: f"po_{next(counter)}",
    )


def test_a_batch_pays_payable_parties_above_the_minimum_and_every_refund() -> None:
    result = plan(
        [
            payee("pty_a", 7000),
            payee("pty_small", 99),
            payee("pty_no_iban", 5000, iban=None),
            payee("pty_no_town", 5000, address=PostalAddress("Rue", "1", None, "FR")),
        ],
        [RefundDue("rfd_1", "ord_9", 50, "Camille", "FR76Y")],
    )
    assert [(i.party_id or i.refund_id, i.amount) for i in result.items] == [
        ("pty_a", 7000),
        ("rfd_1", 50),  # a refund is paid whatever its size
    ]
    assert result.skipped_party_ids == ["pty_no_iban", "pty_no_town"]
    assert (result.batch.item_count, result.batch.total) == (2, 7050)
    first, second = result.transfers
    assert (first.kind, first.id, first.amount) == (TransferKind.PENDING, "po_1:transit", 7000)
    assert (first.debit_account_id, first.credit_account_id) == (
        "acc_payable_pty_a_EUR",
        "acc_payouts_pty_a_EUR",
    )
    assert (second.debit_account_id, second.credit_account_id, second.order_id) == (
        "acc_refunds_EUR",
        "acc_refund_payouts_EUR",
        "ord_9",
    )


def test_nothing_due_is_a_conflict() -> None:
    with pytest.raises(Conflict) as raised:
        plan([payee("pty_a", 50), payee("pty_b", 5000, iban=None)])
    assert raised.value.code == "nothing_to_pay_out"


def test_confirmation_posts_paid_items_voids_rejected_ones_once() -> None:
    result = plan([payee("pty_a", 7000), payee("pty_b", 3000)])
    decided = confirm_batch(result.batch, result.items, [("po_2", "AC04")], now=NOW)
    assert result.batch.status is BatchStatus.EXECUTED
    assert [(t.id, t.kind, t.pending_id) for t in decided.transfers] == [
        ("po_1:paid", TransferKind.POST_PENDING, "po_1:transit"),
        ("po_2:rejected", TransferKind.VOID_PENDING, "po_2:transit"),
    ]
    assert [i.status for i in result.items] == [ItemStatus.PAID, ItemStatus.REJECTED]
    assert result.items[1].rejection_reason == "AC04"
    with pytest.raises(Conflict):
        confirm_batch(result.batch, result.items, [], now=NOW)


def test_a_confirmation_naming_unknown_or_repeated_items_changes_nothing() -> None:
    result = plan([payee("pty_a", 7000)])
    for rejected in ([("po_9", "AC04")], [("po_1", "AC04"), ("po_1", "AC01")]):
        with pytest.raises(ValidationFailed) as raised:
            confirm_batch(result.batch, result.items, rejected, now=NOW)
        assert raised.value.code == "unknown_payout_item"
        assert result.batch.status is BatchStatus.CREATED
        assert result.items[0].status is ItemStatus.IN_TRANSIT


def test_the_schedule_names_each_cutoff_once() -> None:
    schedule = PayoutSchedule.parse("daily@17:00")
    before = schedule.latest_cutoff(datetime(2030, 5, 6, 16, 59, tzinfo=UTC))
    after = schedule.latest_cutoff(datetime(2030, 5, 6, 17, 0, tzinfo=UTC))
    assert cutoff_key("EUR", before) == "EUR@2030-05-05T17:00Z"
    assert cutoff_key("EUR", after) == "EUR@2030-05-06T17:00Z"
    for bad in ("hourly@17:00", "daily@25:00", "daily", ""):
        with pytest.raises(ValueError):
            PayoutSchedule.parse(bad)


def test_remittance_names_the_orders_within_140_characters() -> None:
    assert payout_remittance("po_1", ["ord_a", "ord_b"]) == "AXOKEY po_1 ord ord_a ord_b"
    many = [f"ord_{index:026d}" for index in range(10)]
    text = payout_remittance("po_01M8XEWE2G9RV80TNEH0RXAXK8", many)
    assert len(text) <= 140 and text.endswith("+7") and many[0] in text


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [(13589, "EUR", "135.89"), (5, "EUR", "0.05"), (100, "JPY", "100"), (1234, "BHD", "1.234")],
)
def test_amounts_are_exact_decimals(amount: int, currency: str, text: str) -> None:
    assert decimal_amount(amount, currency) == text


def test_texts_are_reduced_to_the_sepa_character_set() -> None:
    assert sepa_text("Société Générale d'Épicerie & Fils <Lyon>", 70) == (
        "Societe Generale d'Epicerie Fils Lyon"
    )
    assert sepa_text("ord_1 ✓", 140, ids=True) == "ord-1"
    assert sepa_text("a_b", 140) == "a b"
    assert sepa_text("???", 2) == "??"
    assert sepa_text("★", 10) == "-"


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
def test_every_id_has_a_sepa_spelling_that_reads_back(prefix: str) -> None:
    identifier = new_id(prefix)
    spelt = sepa_identifier(identifier)
    # EPC's character set, and the 35 characters of MsgId, PmtInfId and EndToEndId.
    assert re.fullmatch(r"[A-Za-z0-9/\-?:().,'+ ]{1,35}", spelt), spelt
    assert our_identifier(spelt) == identifier
    assert our_identifier(identifier) == identifier  # as an older file wrote it


def test_a_status_report_with_entities_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><Document>&a;</Document>'
    with pytest.raises(ValidationFailed) as raised:
        read_status_report(bomb)
    assert raised.value.code == "invalid_status_report"
