"""The ``PaymentProvider`` contract, run against every provider in ``drivers.DRIVERS``.

What the payment service relies on, whichever provider is configured: a checkout gives
a reference and a URL; a fresh checkout waits for a payment method; a paid one has
succeeded with its amount and a transaction id; a declined one has failed with a
failure code; a refused attempt tells its reason and leaves the page open while the checkout
allows more attempts, and fails after the last; a succeeded payment can be refunded
up to its amount, and no further; a refund whose outcome was lost is reconciled
(paid, or never received); the customer's return never names another payment; the
provider's own notification parses, garbage does not.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from axokey.adapters.providers.base import (
    REFUND_NOT_RECEIVED,
    CheckoutRequest,
    InvalidNotification,
    PaymentProvider,
    PaymentStatus,
    ProviderError,
    RefundStatus,
)
from tests.contract.drivers import DRIVERS, PaymentOutcome, ProviderDriver

AMOUNT_MINOR = 12_345


@pytest.fixture(params=sorted(DRIVERS))
def driver(request: pytest.FixtureRequest) -> ProviderDriver:
    return DRIVERS[request.param](request)


@pytest.fixture
def provider(driver: ProviderDriver) -> PaymentProvider:
    return driver.make_provider()


def checkout_request(number: int = 1, amount_minor: int = AMOUNT_MINOR) -> CheckoutRequest:
    return CheckoutRequest(
        payment_id=f"pay_contract{number:04d}",
        order_id=f"ord_contract{number:04d}",
        amount_minor=amount_minor,
        currency="EUR",
        customer_email="customer@example.com",
        return_url="https://shop.example.com/orders/ord_contract/return",
        notification_url="https://axokey.example.com/v1/providers/any/notifications",
    )


def paid(provider: PaymentProvider, driver: ProviderDriver, outcome: PaymentOutcome) -> str:
    reference = provider.start_checkout(checkout_request()).provider_reference
    driver.pay(reference, outcome)
    return reference


def test_start_checkout_gives_a_reference_and_a_url(provider: PaymentProvider) -> None:
    session = provider.start_checkout(checkout_request())
    assert isinstance(session.provider_reference, str)
    assert session.provider_reference
    url = urlsplit(session.checkout_url)
    assert url.scheme in ("http", "https")
    assert url.netloc


def test_each_checkout_has_its_own_reference(provider: PaymentProvider) -> None:
    first = provider.start_checkout(checkout_request(1))
    second = provider.start_checkout(checkout_request(2))
    assert first.provider_reference != second.provider_reference
    assert first.checkout_url != second.checkout_url


def test_a_fresh_checkout_requires_a_payment_method(provider: PaymentProvider) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    state = provider.fetch_status(reference)
    assert state.provider_reference == reference
    assert state.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert state.amount_minor == AMOUNT_MINOR
    assert state.currency == "EUR"
    assert state.transaction_id is None
    assert state.failure_code is None


@pytest.mark.parametrize(
    "outcome", [PaymentOutcome.SUCCEEDS, PaymentOutcome.SUCCEEDS_AFTER_CHALLENGE]
)
def test_a_paid_checkout_has_succeeded_with_its_amount_and_a_transaction(
    provider: PaymentProvider, driver: ProviderDriver, outcome: PaymentOutcome
) -> None:
    reference = paid(provider, driver, outcome)
    state = provider.fetch_status(reference)
    assert state.status is PaymentStatus.SUCCEEDED
    assert state.amount_minor == AMOUNT_MINOR
    assert state.currency == "EUR"
    assert state.transaction_id
    assert state.failure_code is None


@pytest.mark.parametrize(
    "outcome",
    [
        PaymentOutcome.DECLINED,
        PaymentOutcome.INSUFFICIENT_FUNDS,
        PaymentOutcome.FAILS_CHALLENGE,
    ],
)
def test_a_refused_attempt_tells_its_reason_and_leaves_the_page_open_while_attempts_remain(
    provider: PaymentProvider, driver: ProviderDriver, outcome: PaymentOutcome
) -> None:
    reference = paid(provider, driver, outcome)
    state = provider.fetch_status(reference)
    retry_possible = driver.attempts_per_checkout > 1
    expected = PaymentStatus.REQUIRES_PAYMENT_METHOD if retry_possible else PaymentStatus.FAILED
    assert state.status is expected
    assert state.failure_code
    assert state.amount_minor == AMOUNT_MINOR


def test_a_payment_refused_on_every_attempt_has_failed(
    provider: PaymentProvider, driver: ProviderDriver
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    for _ in range(driver.attempts_per_checkout):
        driver.pay(reference, PaymentOutcome.DECLINED)
    state = provider.fetch_status(reference)
    assert state.status is PaymentStatus.FAILED
    assert state.failure_code


def test_a_refused_attempt_then_a_paid_one_has_succeeded(
    provider: PaymentProvider, driver: ProviderDriver
) -> None:
    if driver.attempts_per_checkout < 2:
        pytest.skip("one attempt per checkout: the retry is a new checkout")
    reference = provider.start_checkout(checkout_request()).provider_reference
    driver.pay(reference, PaymentOutcome.DECLINED)
    driver.pay(reference, PaymentOutcome.SUCCEEDS)
    state = provider.fetch_status(reference)
    assert state.status is PaymentStatus.SUCCEEDED
    assert state.failure_code is None
    assert state.transaction_id


def test_the_customers_return_names_its_own_payment_or_none(
    provider: PaymentProvider, driver: ProviderDriver
) -> None:
    other = provider.start_checkout(checkout_request(1)).provider_reference
    reference = paid(provider, driver, PaymentOutcome.SUCCEEDS)
    fields = driver.return_fields(reference)
    assert provider.reference_from_return(fields, [other, reference]) in (reference, None)
    assert provider.reference_from_return(fields, [other]) is None
    assert provider.reference_from_return({"data": "forged"}, [other, reference]) is None


def test_declined_and_insufficient_funds_are_told_apart(
    provider: PaymentProvider, driver: ProviderDriver
) -> None:
    declined = provider.fetch_status(paid(provider, driver, PaymentOutcome.DECLINED))
    poor = provider.fetch_status(paid(provider, driver, PaymentOutcome.INSUFFICIENT_FUNDS))
    assert declined.failure_code != poor.failure_code


def test_a_succeeded_payment_is_refunded_in_full(
    provider: PaymentProvider, driver: ProviderDriver
) -> None:
    reference = paid(provider, driver, PaymentOutcome.SUCCEEDS)
    state = provider.fetch_status(reference)
    assert state.transaction_id is not None
    outcome = provider.refund(
        provider_reference=reference,
        transaction_id=state.transaction_id,
        amount_minor=AMOUNT_MINOR,
        currency="EUR",
        refund_id="rfd_contract0001",
    )
    assert outcome.status is RefundStatus.SUCCEEDED
    assert outcome.provider_refund_id
    assert outcome.failure_code is None
    # A refund does not undo the payment: it stays succeeded.
    assert provider.fetch_status(reference).status is PaymentStatus.SUCCEEDED


def test_partial_refunds_add_up_to_the_captured_amount_and_no_more(
    provider: PaymentProvider, driver: ProviderDriver
) -> None:
    reference = paid(provider, driver, PaymentOutcome.SUCCEEDS)
    transaction_id = provider.fetch_status(reference).transaction_id
    assert transaction_id is not None

    def refund(amount_minor: int, number: int) -> RefundStatus:
        return provider.refund(
            provider_reference=reference,
            transaction_id=transaction_id,
            amount_minor=amount_minor,
            currency="EUR",
            refund_id=f"rfd_contract{number:04d}",
        ).status

    assert refund(2_345, 1) is RefundStatus.SUCCEEDED
    assert refund(10_000, 2) is RefundStatus.SUCCEEDED
    assert refund(1, 3) is RefundStatus.FAILED


def test_a_refund_above_the_captured_amount_fails(
    provider: PaymentProvider, driver: ProviderDriver
) -> None:
    reference = paid(provider, driver, PaymentOutcome.SUCCEEDS)
    transaction_id = provider.fetch_status(reference).transaction_id
    assert transaction_id is not None
    outcome = provider.refund(
        provider_reference=reference,
        transaction_id=transaction_id,
        amount_minor=AMOUNT_MINOR + 1,
        currency="EUR",
        refund_id="rfd_contract0001",
    )
    assert outcome.status is RefundStatus.FAILED
    assert outcome.failure_code
    # The refused refund left the whole amount refundable.
    again = provider.refund(
        provider_reference=reference,
        transaction_id=transaction_id,
        amount_minor=AMOUNT_MINOR,
        currency="EUR",
        refund_id="rfd_contract0002",
    )
    assert again.status is RefundStatus.SUCCEEDED


def test_a_paid_refund_whose_answer_was_lost_reconciles_as_succeeded(
    provider: PaymentProvider, driver: ProviderDriver
) -> None:
    reference = paid(provider, driver, PaymentOutcome.SUCCEEDS)
    transaction_id = provider.fetch_status(reference).transaction_id
    assert transaction_id is not None
    made = provider.refund(
        provider_reference=reference,
        transaction_id=transaction_id,
        amount_minor=1_000,
        currency="EUR",
        refund_id="rfd_contract0001",
    )
    assert made.status is RefundStatus.SUCCEEDED
    outcome = provider.reconcile_refund(
        provider_reference=reference,
        transaction_id=transaction_id,
        amount_minor=1_000,
        refund_id="rfd_contract0001",
        provider_refund_id=None,
        known_refund_ids=[],
    )
    assert outcome.status is RefundStatus.SUCCEEDED
    assert outcome.provider_refund_id == made.provider_refund_id


def test_a_refund_never_received_reconciles_as_not_received(
    provider: PaymentProvider, driver: ProviderDriver
) -> None:
    reference = paid(provider, driver, PaymentOutcome.SUCCEEDS)
    transaction_id = provider.fetch_status(reference).transaction_id
    assert transaction_id is not None
    outcome = provider.reconcile_refund(
        provider_reference=reference,
        transaction_id=transaction_id,
        amount_minor=1_000,
        refund_id="rfd_contract0001",
        provider_refund_id=None,
        known_refund_ids=[],
    )
    assert (outcome.status, outcome.failure_code) == (RefundStatus.FAILED, REFUND_NOT_RECEIVED)


def test_the_providers_own_notification_parses(
    provider: PaymentProvider, driver: ProviderDriver
) -> None:
    reference = paid(provider, driver, PaymentOutcome.SUCCEEDS)
    headers, body = driver.notification_for(reference)
    notification = provider.parse_notification(headers, body)
    assert notification.provider == provider.name
    assert notification.provider_reference == reference
    assert notification.event_id
    # A redelivery of the same notification is recognisably the same event.
    assert provider.parse_notification(headers, body).event_id == notification.event_id


def test_notifications_of_two_payments_are_two_events(
    provider: PaymentProvider, driver: ProviderDriver
) -> None:
    first = paid(provider, driver, PaymentOutcome.SUCCEEDS)
    second = paid(provider, driver, PaymentOutcome.SUCCEEDS)
    events = {
        provider.parse_notification(*driver.notification_for(reference)).event_id
        for reference in (first, second)
    }
    assert len(events) == 2


GARBAGE_BODIES = [
    b"",
    b"not json at all",
    b"\xff\xfe\x00garbage",
    b"[]",
    b"{}",
    b'{"merchantToken": null}',
    json.dumps({"id": "evt_1", "type": "payment.succeeded"}).encode(),
]


@pytest.mark.parametrize("body", GARBAGE_BODIES)
def test_garbage_notifications_are_rejected(
    provider: PaymentProvider, driver: ProviderDriver, body: bytes
) -> None:
    reference = paid(provider, driver, PaymentOutcome.SUCCEEDS)
    genuine_headers, _ = driver.notification_for(reference)
    with pytest.raises(InvalidNotification):
        provider.parse_notification(genuine_headers, body)
    with pytest.raises(InvalidNotification):
        provider.parse_notification({}, body)


def test_the_status_of_an_unknown_reference_is_a_provider_error(
    provider: PaymentProvider,
) -> None:
    with pytest.raises(ProviderError):
        provider.fetch_status("unknownReference0000000")
