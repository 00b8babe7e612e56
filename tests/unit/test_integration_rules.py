"""Plain rules of the integrations: which addresses a webhook may reach, the retry
schedule, the customer's language, FEC amounts and the French accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from axokey.domain.accounting import decimal_comma, fec_field, general_account
from axokey.domain.customer_messages import format_amount, locale_of
from axokey.domain.errors import ValidationFailed
from axokey.domain.webhooks import (
    UrlPolicy,
    address_allowed,
    after_failure,
    check_event_types,
    parse_retry_schedule,
    parse_url,
)

PUBLIC_ONLY = UrlPolicy(allow_private=False)
SANDBOX = UrlPolicy(allow_private=True)


@pytest.mark.parametrize(
    ("address", "public_only", "sandbox"),
    [
        ("93.184.215.14", True, True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True, True),
        ("127.0.0.1", False, True),
        ("::1", False, True),
        ("10.0.0.8", False, True),
        ("192.168.1.1", False, True),
        ("172.16.0.1", False, True),
        ("fd00::1", False, True),
        ("::ffff:10.0.0.1", False, True),
        ("169.254.169.254", False, False),  # cloud metadata: never
        ("fe80::1", False, False),
        ("0.0.0.0", False, False),
        ("224.0.0.1", False, False),
        ("100.64.0.1", False, False),  # carrier-grade NAT: not public, not private
    ],
)
def test_which_addresses_a_webhook_may_reach(
    address: str, public_only: bool, sandbox: bool
) -> None:
    assert address_allowed(address, PUBLIC_ONLY) is public_only
    assert address_allowed(address, SANDBOX) is sandbox


def test_urls_need_https_unless_private_urls_are_allowed() -> None:
    target = parse_url("https://hooks.example.com:8443/in?x=1", PUBLIC_ONLY)
    assert (target.host, target.port, target.path) == ("hooks.example.com", 8443, "/in?x=1")
    with pytest.raises(ValidationFailed) as refused:
        parse_url("http://hooks.example.com/", PUBLIC_ONLY)
    assert refused.value.code == "webhook_url_not_https"
    assert parse_url("http://127.0.0.1:9000/", SANDBOX).port == 9000
    for bad in ("https://", "https://a:b@host/", "https://host:99999/", "x" * 2001):
        with pytest.raises(ValidationFailed):
            parse_url(bad, SANDBOX)


def test_event_types_are_checked_and_deduplicated() -> None:
    assert check_event_types(["order.paid", "order.paid", "line.released"]) == [
        "line.released",
        "order.paid",
    ]
    with pytest.raises(ValidationFailed) as unknown:
        check_event_types(["order.paid", "order.shipped"])
    assert unknown.value.code == "unknown_event_type"


def test_the_retry_schedule() -> None:
    schedule = parse_retry_schedule("5, 300,1800")
    assert schedule == (5, 300, 1800)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert after_failure(1, schedule, now).retry_at == now + timedelta(seconds=5)
    assert after_failure(3, schedule, now).retry_at == now + timedelta(seconds=1800)
    assert after_failure(4, schedule, now).retry_at is None
    for bad in ("", "5,x", "-1"):
        with pytest.raises(ValueError, match=r"retry schedule|seconds"):
            parse_retry_schedule(bad)


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "fr"),
        ("", "fr"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-CA, en;q=0.8", "fr"),
        ("en;q=0.2, fr;q=0.9", "fr"),
        ("de, en;q=0.5", "en"),
        ("de, es", "fr"),
        ("en;q=0", "fr"),
        ("en;q=abc, fr", "fr"),
    ],
)
def test_the_customer_language_from_accept_language(header: str | None, locale: str) -> None:
    assert locale_of(header) == locale


def test_amounts() -> None:
    assert decimal_comma(123456, "EUR") == "1234,56"
    assert decimal_comma(5, "EUR") == "0,05"
    assert decimal_comma(0, "EUR") == "0,00"
    assert decimal_comma(1500, "JPY") == "1500"
    assert format_amount(1234567, "EUR", "fr") == "12\u202f345,67 EUR"
    assert format_amount(1234567, "EUR", "en") == "12,345.67 EUR"
    assert fec_field("a|b\r\nc") == "a/b  c"


def test_the_french_accounts() -> None:
    assert general_account("acc_clearing_payxpert_EUR", None, None).number == "51211000"
    assert general_account("acc_escrow_ord_X", None, None).number == "46710000"
    supplier = general_account("acc_payable_pty_S_EUR", "supplier", "Atelier")
    assert (supplier.number, supplier.auxiliary_number, supplier.auxiliary_label) == (
        "40100000",
        "pty_S",
        "Atelier",
    )
    assert general_account("acc_payable_pty_M_EUR", "merchant", "Shop").number == "46720000"
    assert general_account("acc_refunds_EUR", None, None).number == "41100000"
    assert general_account("acc_settlement_EUR", None, None).number == "51200000"
    assert general_account("something_else", None, None).number == "47100000"
