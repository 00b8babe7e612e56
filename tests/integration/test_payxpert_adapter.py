"""The PayXpert adapter against a fake Connect2Pay, over real httpx requests.

No database: the adapter only speaks HTTP. The fake keeps what it received, so these
tests check the wire (Basic authentication, JSON fields, amounts in cents, timeouts)
as well as the translation of every documented status.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest

from axokey.adapters.providers.base import (
    REFUND_NOT_RECEIVED,
    CheckoutRequest,
    InvalidNotification,
    PaymentStatus,
    ProviderError,
    RefundStatus,
    UnrecognisedProviderAnswer,
)
from axokey.adapters.providers.payxpert import (
    NOTIFICATION_BODY_MAX_BYTES,
    PayXpertConfigurationError,
    PayXpertProvider,
    build_payxpert,
)
from axokey.adapters.providers.payxpert_mapping import API_VERSION, PAYMENT_STATUS_MAP
from axokey.config import Settings
from tests.fakes.connect2pay import (
    DOCUMENTED_STATUSES,
    RESULT_REFUND_REFUSED,
    CustomerOutcome,
    FakeConnect2Pay,
)

TIMEOUT_SECONDS = 3.5


@pytest.fixture
def fake() -> FakeConnect2Pay:
    return FakeConnect2Pay()


@pytest.fixture
def provider(fake: FakeConnect2Pay) -> Iterator[PayXpertProvider]:
    adapter = PayXpertProvider(
        base_url=fake.base_url + "/",
        originator=fake.originator,
        password=fake.password,
        timeout_seconds=TIMEOUT_SECONDS,
        transport=fake.transport(),
    )
    yield adapter
    adapter.close()


def checkout_request(**overrides: object) -> CheckoutRequest:
    fields: dict[str, object] = {
        "payment_id": "pay_01HZX5Q9",
        "order_id": "ord_01HZX5Q8",
        "amount_minor": 2599,
        "currency": "EUR",
        "customer_email": "jeanne@example.com",
        "return_url": "https://shop.example.com/orders/ord_01HZX5Q8",
        "notification_url": "https://axokey.example.com/v1/providers/payxpert/notifications",
    }
    fields.update(overrides)
    return CheckoutRequest(**fields)  # type: ignore[arg-type]


def basic(originator: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{originator}:{password}".encode()).decode()


# -- start_checkout ---------------------------------------------------------------------


def test_start_checkout_prepares_a_3ds_card_sale(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    session = provider.start_checkout(checkout_request())

    [received] = fake.received
    assert received.method == "POST"
    assert received.path == "/payment/prepare"
    assert received.headers["Authorization"] == basic(fake.originator, fake.password)
    assert received.headers["Content-Type"] == "application/json"
    assert received.json == {
        "apiVersion": API_VERSION,
        "paymentMethod": "CreditCard",
        "paymentMode": "Single",
        "operation": "sale",
        "secure3d": True,
        "currency": "EUR",
        "amount": 2599,
        "ctrlCallbackURL": "https://axokey.example.com/v1/providers/payxpert/notifications",
        "ctrlRedirectURL": "https://shop.example.com/orders/ord_01HZX5Q8",
        "ctrlCustomData": "pay_01HZX5Q9",
        "shopper": {"email": "jeanne@example.com"},
        "order": {"id": "ord_01HZX5Q8", "type": "01", "description": "Order ord_01HZX5Q8"},
    }
    payment = fake.payment(session.provider_reference)
    assert session.provider_reference == payment.merchant_token
    assert session.checkout_url == f"{fake.base_url}/payment/{payment.customer_token}"


def test_the_amount_goes_in_integer_cents(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    provider.start_checkout(checkout_request(amount_minor=1, currency="USD"))
    [received] = fake.received
    assert received.json["amount"] == 1
    assert type(received.json["amount"]) is int
    assert received.json["currency"] == "USD"


def test_without_a_return_url_no_redirect_url_is_sent(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    provider.start_checkout(checkout_request(return_url=None))
    [received] = fake.received
    assert "ctrlRedirectURL" not in received.json


def test_the_checkout_url_is_the_hosted_payment_page(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    session = provider.start_checkout(checkout_request())
    with httpx.Client(transport=fake.transport()) as browser:
        page = browser.get(session.checkout_url)
    assert page.status_code == 200
    assert "25.99 EUR" in page.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount_minor": 0}, "positive"),
        ({"amount_minor": -5}, "positive"),
        ({"amount_minor": True}, "integer"),
        ({"currency": "eur"}, "ISO 4217"),
        ({"order_id": "x" * 101}, "order_id"),
        ({"customer_email": ""}, "customer_email"),
    ],
)
def test_a_malformed_checkout_request_is_refused_before_any_call(
    provider: PayXpertProvider, fake: FakeConnect2Pay, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        provider.start_checkout(checkout_request(**overrides))
    assert fake.received == []


def test_a_refused_prepare_is_a_provider_error(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    fake.fail_next(httpx.Response(200, json={"code": "401", "message": "Missing data"}))
    with pytest.raises(ProviderError, match="Missing data"):
        provider.start_checkout(checkout_request())


def test_a_prepare_answer_without_tokens_is_a_provider_error(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    fake.fail_next(httpx.Response(200, json={"code": "200", "merchantToken": "abc"}))
    with pytest.raises(ProviderError):
        provider.start_checkout(checkout_request())


# -- transport: authentication, timeouts, errors ---------------------------------------


def test_every_call_has_the_configured_timeouts(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.pay(reference, CustomerOutcome.SUCCEED)
    state = provider.fetch_status(reference)
    assert state.transaction_id is not None
    provider.refund(
        provider_reference=reference,
        transaction_id=state.transaction_id,
        amount_minor=100,
        currency="EUR",
        refund_id="rfd_1",
    )
    assert [r.path.split("/")[1] for r in fake.received] == ["payment", "payment", "transaction"]
    for received in fake.received:
        assert received.timeout == {
            "connect": TIMEOUT_SECONDS,
            "read": TIMEOUT_SECONDS,
            "write": TIMEOUT_SECONDS,
            "pool": TIMEOUT_SECONDS,
        }
        assert received.headers["Authorization"] == basic(fake.originator, fake.password)


def test_a_wrong_password_is_a_provider_error(fake: FakeConnect2Pay) -> None:
    adapter = PayXpertProvider(
        base_url=fake.base_url,
        originator=fake.originator,
        password="not-the-password",
        timeout_seconds=TIMEOUT_SECONDS,
        transport=fake.transport(),
    )
    with pytest.raises(ProviderError, match="HTTP 403"):
        adapter.start_checkout(checkout_request())
    assert fake.payments == {}
    assert fake.received[0].headers["Authorization"] == basic(fake.originator, "not-the-password")


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ConnectError("connection refused"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("server disconnected"),
        httpx.Response(500, json={"code": "500", "message": "Internal error"}),
        httpx.Response(502, text="Bad gateway"),
        httpx.Response(302, headers={"Location": "https://elsewhere.example.com/"}),
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, content=b'{"code": "200", ' + b" " * (1024 * 1024) + b"}"),
    ],
    ids=lambda fault: (
        type(fault).__name__ if isinstance(fault, Exception) else f"http{fault.status_code}"
    ),
)
def test_transport_failures_and_bad_answers_are_provider_errors(
    provider: PayXpertProvider, fake: FakeConnect2Pay, fault: httpx.Response | Exception
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    for call in (
        lambda: provider.start_checkout(checkout_request()),
        lambda: provider.fetch_status(reference),
        lambda: provider.refund(
            provider_reference=reference,
            transaction_id="abcdef0123-4567",
            amount_minor=100,
            currency="EUR",
            refund_id="rfd_1",
        ),
    ):
        fake.fail_next(fault)
        with pytest.raises(ProviderError):
            call()


# -- fetch_status: every documented status ----------------------------------------------


def test_the_mapping_lists_the_documented_statuses_and_accepted() -> None:
    documented = {status.casefold() for status in DOCUMENTED_STATUSES}
    assert set(PAYMENT_STATUS_MAP) == documented | {"accepted"}
    assert set(EXPECTED_STATUSES) == set(DOCUMENTED_STATUSES)


def _reach(fake: FakeConnect2Pay, reference: str, provider_status: str) -> None:
    """Play the customer until the fake payment is in ``provider_status``."""
    if provider_status == "Authorized":
        fake.pay(reference, CustomerOutcome.SUCCEED)
    elif provider_status == "Not authorized":
        for _ in range(fake.max_attempts):
            fake.pay(reference, CustomerOutcome.DECLINE)
    elif provider_status == "Call failed":
        fake.pay(reference, CustomerOutcome.CALL_FAIL)
    elif provider_status == "Pending":
        fake.pay(reference, CustomerOutcome.DECLINE)
    elif provider_status == "Expired":
        fake.expire(reference)
    assert fake.payment(reference).status == provider_status


EXPECTED_STATUSES = {
    "Authorized": PaymentStatus.SUCCEEDED,
    "Not authorized": PaymentStatus.FAILED,
    "Expired": PaymentStatus.FAILED,
    "Call failed": PaymentStatus.FAILED,
    # An attempt was refused and another is allowed: waiting for a payment method.
    "Pending": PaymentStatus.REQUIRES_PAYMENT_METHOD,
    "Not processed": PaymentStatus.REQUIRES_PAYMENT_METHOD,
}


@pytest.mark.parametrize("provider_status", DOCUMENTED_STATUSES)
def test_every_documented_status_is_mapped(
    provider: PayXpertProvider, fake: FakeConnect2Pay, provider_status: str
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    _reach(fake, reference, provider_status)
    state = provider.fetch_status(reference)
    assert state.status is EXPECTED_STATUSES[provider_status]
    assert (state.failure_code is not None) == (
        provider_status in ("Not authorized", "Expired", "Call failed", "Pending")
    )
    assert (state.transaction_id is not None) == (
        provider_status in ("Authorized", "Not authorized", "Call failed", "Pending")
    )
    assert state.authorisation_to_release is False


def test_not_processed_requires_a_payment_method(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    state = provider.fetch_status(reference)
    [_, received] = fake.received
    assert received.method == "GET"
    assert received.path == f"/payment/{reference}/status"
    assert received.params == {"apiVersion": API_VERSION}
    assert fake.payment(reference).status == "Not processed"
    assert state.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert (state.amount_minor, state.currency) == (2599, "EUR")
    assert (state.transaction_id, state.failure_code, state.next_action_url) == (None, None, None)


@pytest.mark.parametrize(
    ("outcome", "failure_code"),
    [
        (CustomerOutcome.DECLINE, "card_declined"),
        (CustomerOutcome.INSUFFICIENT_FUNDS, "insufficient_funds"),
        (CustomerOutcome.FAIL_CHALLENGE, "card_declined"),
        (CustomerOutcome.AUTHENTICATION_REQUIRED, "authentication_required"),
    ],
)
def test_a_refused_attempt_with_attempts_left_is_pending_with_its_reason(
    provider: PayXpertProvider,
    fake: FakeConnect2Pay,
    outcome: CustomerOutcome,
    failure_code: str,
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    attempt = fake.pay(reference, outcome)
    assert fake.payment(reference).status == "Pending"
    state = provider.fetch_status(reference)
    assert state.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert state.failure_code == failure_code
    assert state.transaction_id == attempt.transaction_id


def test_the_last_allowed_attempt_refused_is_failed(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.pay(reference, CustomerOutcome.DECLINE)
    fake.pay(reference, CustomerOutcome.DECLINE)
    last = fake.pay(reference, CustomerOutcome.INSUFFICIENT_FUNDS)
    assert fake.payment(reference).status == "Not authorized"
    state = provider.fetch_status(reference)
    assert state.status is PaymentStatus.FAILED
    assert (state.failure_code, state.transaction_id) == ("insufficient_funds", last.transaction_id)


def test_call_failed_is_failed(provider: PayXpertProvider, fake: FakeConnect2Pay) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.pay(reference, CustomerOutcome.CALL_FAIL)
    state = provider.fetch_status(reference)
    assert (state.status, state.failure_code) == (PaymentStatus.FAILED, "call_failed")


@pytest.mark.parametrize("after_a_refusal", [False, True])
def test_the_customer_leaving_the_page_is_failed_as_cancelled(
    provider: PayXpertProvider, fake: FakeConnect2Pay, after_a_refusal: bool
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    if after_a_refusal:
        fake.pay(reference, CustomerOutcome.DECLINE)
    fake.cancel(reference)
    state = provider.fetch_status(reference)
    assert (state.status, state.failure_code) == (PaymentStatus.FAILED, "cancelled_by_customer")
    # The callback of the cancellation says -2: a cancellation too, and a new event.
    callback = json.loads(fake.last_callback(reference).body)
    assert callback["errorCode"] == "-2"
    fake.tamper(reference, errorCode="-2")
    assert provider.fetch_status(reference).failure_code == "payment_cancelled"


@pytest.mark.parametrize(
    "outcome", [CustomerOutcome.SUCCEED, CustomerOutcome.SUCCEED_AFTER_CHALLENGE]
)
def test_authorized_is_succeeded_with_the_sale_transaction(
    provider: PayXpertProvider, fake: FakeConnect2Pay, outcome: CustomerOutcome
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    sale = fake.pay(reference, outcome)
    assert fake.payment(reference).status == "Authorized"
    state = provider.fetch_status(reference)
    assert state.status is PaymentStatus.SUCCEEDED
    assert state.transaction_id == sale.transaction_id
    assert (state.amount_minor, state.currency, state.failure_code) == (2599, "EUR", None)


def test_the_amount_taken_is_the_sale_transactions_not_the_echoed_request(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    sale = fake.pay(reference, CustomerOutcome.SUCCEED)
    sale.amount = 2500  # PayXpert took 25.00 although 25.99 was asked
    assert fake.payment(reference).to_json()["amount"] == 2599
    assert provider.fetch_status(reference).amount_minor == 2500


def test_an_authorisation_instead_of_a_sale_is_to_be_released(
    fake: FakeConnect2Pay, provider: PayXpertProvider
) -> None:
    fake.forced_operation = "authorize"  # the account's default operation
    reference = provider.start_checkout(checkout_request()).provider_reference
    authorisation = fake.pay(reference, CustomerOutcome.SUCCEED)
    assert authorisation.operation == "authorize"
    state = provider.fetch_status(reference)
    assert state.status is PaymentStatus.FAILED
    assert state.failure_code == "authorisation_not_captured"
    assert state.authorisation_to_release is True
    assert state.transaction_id == authorisation.transaction_id

    provider.release_authorisation(
        provider_reference=reference,
        transaction_id=authorisation.transaction_id,
        amount_minor=2599,
    )
    cancel = fake.received[-1]
    assert (cancel.method, cancel.path) == (
        "POST",
        f"/transaction/{authorisation.transaction_id}/cancel",
    )
    assert cancel.json == {"apiVersion": API_VERSION, "amount": 2599}
    released = provider.fetch_status(reference)
    assert (released.status, released.failure_code) == (
        PaymentStatus.FAILED,
        "authorisation_released",
    )
    assert released.authorisation_to_release is False
    # A second release is refused by PayXpert: an error, never a silent success.
    with pytest.raises(ProviderError):
        provider.release_authorisation(
            provider_reference=reference,
            transaction_id=authorisation.transaction_id,
            amount_minor=2599,
        )


def test_expired_is_failed(provider: PayXpertProvider, fake: FakeConnect2Pay) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.expire(reference)
    assert fake.payment(reference).status == "Expired"
    state = provider.fetch_status(reference)
    assert state.status is PaymentStatus.FAILED
    assert state.failure_code == "expired"
    assert state.transaction_id is None


def test_expired_after_a_declined_attempt_is_failed_as_expired(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    declined = fake.pay(reference, CustomerOutcome.DECLINE)
    fake.expire(reference)
    state = provider.fetch_status(reference)
    assert state.status is PaymentStatus.FAILED
    assert state.failure_code == "expired"
    assert state.transaction_id == declined.transaction_id


def test_a_retry_after_a_decline_that_succeeds_is_succeeded(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.pay(reference, CustomerOutcome.DECLINE)
    sale = fake.pay(reference, CustomerOutcome.SUCCEED)
    state = provider.fetch_status(reference)
    assert state.status is PaymentStatus.SUCCEEDED
    assert state.transaction_id == sale.transaction_id
    assert state.failure_code is None


def test_after_a_refund_the_payment_is_still_succeeded_with_its_sale(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    sale = fake.pay(reference, CustomerOutcome.SUCCEED)
    provider.refund(
        provider_reference=reference,
        transaction_id=sale.transaction_id,
        amount_minor=2599,
        currency="EUR",
        refund_id="rfd_1",
    )
    state = provider.fetch_status(reference)
    assert state.status is PaymentStatus.SUCCEEDED
    assert state.transaction_id == sale.transaction_id


@pytest.mark.parametrize("label", ["AUTHORIZED", "authorized", " Authorized "])
def test_statuses_are_matched_regardless_of_case(
    provider: PayXpertProvider, fake: FakeConnect2Pay, label: str
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.pay(reference, CustomerOutcome.SUCCEED)
    fake.tamper(reference, status=label)
    assert provider.fetch_status(reference).status is PaymentStatus.SUCCEEDED


def test_accepted_is_processing(provider: PayXpertProvider, fake: FakeConnect2Pay) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.tamper(reference, status="Accepted")
    assert provider.fetch_status(reference).status is PaymentStatus.PROCESSING


@pytest.mark.parametrize("label", ["Refunded", "Cancelled", "Authorised"])
def test_an_unknown_status_is_unrecognised_not_a_failure(
    provider: PayXpertProvider, fake: FakeConnect2Pay, label: object
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.tamper(reference, status=label)
    with pytest.raises(UnrecognisedProviderAnswer):
        provider.fetch_status(reference)


@pytest.mark.parametrize("code", ["054", "999", "0"])
def test_an_unknown_result_code_is_unrecognised_never_guessed(
    provider: PayXpertProvider, fake: FakeConnect2Pay, code: str
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    attempt = fake.pay(reference, CustomerOutcome.DECLINE)
    attempt.result_code = code
    with pytest.raises(UnrecognisedProviderAnswer, match=code):
        provider.fetch_status(reference)


@pytest.mark.parametrize(
    "tampering",
    [
        {"merchantToken": "someoneElsesToken00000"},
        {"amount": "2599"},
        {"amount": 25.99},
        {"amount": None},
        {"currency": "euro"},
        {"transactions": "none"},
        {"transactions": ["not an object"]},
        {"status": ""},
        {"status": None},
        {"status": 0},
    ],
)
def test_a_malformed_status_is_a_provider_error(
    provider: PayXpertProvider, fake: FakeConnect2Pay, tampering: dict[str, object]
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.tamper(reference, **tampering)
    with pytest.raises(ProviderError):
        provider.fetch_status(reference)


@pytest.mark.parametrize(
    "transactions",
    [
        [],
        [{"operation": "sale", "resultCode": "000", "status": "Authorized", "amount": 2599}],
        [{"transactionID": "a1-b2", "operation": "sale", "resultCode": "005", "amount": 2599}],
        [{"transactionID": "a1-b2", "operation": "submission", "resultCode": "000", "amount": 1}],
        [{"transactionID": "a1-b2", "operation": "sale", "resultCode": "000"}],
        [{"transactionID": "../refund", "operation": "sale", "resultCode": "000", "amount": 1}],
    ],
    ids=["none", "no-id", "unsuccessful-code", "submission", "no-amount", "bad-id"],
)
def test_authorized_without_a_captured_sale_is_an_error(
    provider: PayXpertProvider, fake: FakeConnect2Pay, transactions: list[object]
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.tamper(reference, status="Authorized", transactions=transactions)
    with pytest.raises(ProviderError):
        provider.fetch_status(reference)


def test_the_status_of_an_unknown_payment_is_a_provider_error(
    provider: PayXpertProvider,
) -> None:
    with pytest.raises(ProviderError, match="HTTP 404"):
        provider.fetch_status("NoSuchMerchantToken000")


@pytest.mark.parametrize("reference", ["", "../transaction/x", "a/b", "tok?x=1", "t" * 129])
def test_a_reference_that_is_not_a_token_is_never_sent(
    provider: PayXpertProvider, fake: FakeConnect2Pay, reference: str
) -> None:
    with pytest.raises(ValueError, match="merchant token"):
        provider.fetch_status(reference)
    assert fake.received == []


# -- the customer's return (a form POST to ctrlRedirectURL) -----------------------------


def test_the_browsers_return_names_its_payment_among_the_candidates(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    first = provider.start_checkout(checkout_request()).provider_reference
    second = provider.start_checkout(checkout_request()).provider_reference
    fake.pay(first, CustomerOutcome.SUCCEED)
    posted = fake.browser_return(first)
    assert posted.url == checkout_request().return_url
    assert set(posted.fields) == {"data", "customer"}
    assert provider.reference_from_return(posted.fields, [second, first]) == first
    assert provider.reference_from_return(posted.fields, [second]) is None


def test_the_returned_data_decrypts_to_the_payment_status(fake: FakeConnect2Pay) -> None:
    from axokey.adapters.providers.payxpert_mapping import decrypt_redirect_status

    provider = PayXpertProvider(
        base_url=fake.base_url,
        originator=fake.originator,
        password=fake.password,
        timeout_seconds=TIMEOUT_SECONDS,
        transport=fake.transport(),
    )
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.pay(reference, CustomerOutcome.DECLINE)
    status = decrypt_redirect_status(fake.browser_return(reference).fields["data"], reference)
    assert status is not None
    assert (status["merchantToken"], status["status"], status["errorCode"]) == (
        reference,
        "Pending",
        "005",
    )


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"data": ""},
        {"data": "not base64 !"},
        {"data": "AAAA"},
        {"data": base64.urlsafe_b64encode(b"x" * 32).decode()},
        {"data": "A" * 70_000},
    ],
    ids=["none", "empty", "not-base64", "short", "garbage", "huge"],
)
def test_a_forged_or_garbled_return_names_no_payment(
    provider: PayXpertProvider, fields: dict[str, str]
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    assert provider.reference_from_return(fields, [reference]) is None


# -- refund ----------------------------------------------------------------------------


@pytest.fixture
def sale(provider: PayXpertProvider, fake: FakeConnect2Pay) -> tuple[str, str]:
    reference = provider.start_checkout(checkout_request()).provider_reference
    transaction = fake.pay(reference, CustomerOutcome.SUCCEED)
    fake.received.clear()
    return reference, transaction.transaction_id


def test_a_refund_posts_the_amount_in_cents_to_the_sale_transaction(
    provider: PayXpertProvider, fake: FakeConnect2Pay, sale: tuple[str, str]
) -> None:
    reference, transaction_id = sale
    outcome = provider.refund(
        provider_reference=reference,
        transaction_id=transaction_id,
        amount_minor=1000,
        currency="EUR",
        refund_id="rfd_1",
    )
    [received] = fake.received
    assert received.method == "POST"
    assert received.path == f"/transaction/{transaction_id}/refund"
    assert received.json == {"apiVersion": API_VERSION, "amount": 1000}
    assert received.headers["Authorization"] == basic(fake.originator, fake.password)
    refund_transaction = fake.payment(reference).transactions[-1]
    assert refund_transaction.operation == "refund"
    assert refund_transaction.ref_transaction_id == transaction_id
    assert outcome.status is RefundStatus.SUCCEEDED
    assert outcome.provider_refund_id == refund_transaction.transaction_id
    assert outcome.failure_code is None


def test_a_refund_above_the_refundable_amount_fails_with_payxperts_code(
    provider: PayXpertProvider, fake: FakeConnect2Pay, sale: tuple[str, str]
) -> None:
    reference, transaction_id = sale
    first = provider.refund(
        provider_reference=reference,
        transaction_id=transaction_id,
        amount_minor=2000,
        currency="EUR",
        refund_id="rfd_1",
    )
    second = provider.refund(
        provider_reference=reference,
        transaction_id=transaction_id,
        amount_minor=600,
        currency="EUR",
        refund_id="rfd_2",
    )
    assert first.status is RefundStatus.SUCCEEDED
    assert second.status is RefundStatus.FAILED
    assert second.failure_code == RESULT_REFUND_REFUSED
    assert second.provider_refund_id is None
    assert fake.payment(reference).transactions[0].refunded_amount == 2000


def test_a_refund_of_a_declined_attempt_fails(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    declined = fake.pay(reference, CustomerOutcome.DECLINE)
    outcome = provider.refund(
        provider_reference=reference,
        transaction_id=declined.transaction_id,
        amount_minor=100,
        currency="EUR",
        refund_id="rfd_1",
    )
    assert outcome.status is RefundStatus.FAILED
    assert outcome.failure_code == RESULT_REFUND_REFUSED


def test_a_refund_of_an_unknown_transaction_is_a_provider_error(
    provider: PayXpertProvider,
) -> None:
    with pytest.raises(ProviderError, match="HTTP 404"):
        provider.refund(
            provider_reference="AnyMerchantToken000000",
            transaction_id="0000000000-0000",
            amount_minor=100,
            currency="EUR",
            refund_id="rfd_1",
        )


@pytest.mark.parametrize(
    "answer",
    [
        {"message": "no code"},
        {"code": "", "message": "empty code"},
        {"code": "000", "message": "success without a transaction id"},
        {"code": 0},
    ],
)
def test_a_malformed_refund_answer_is_a_provider_error(
    provider: PayXpertProvider, fake: FakeConnect2Pay, sale: tuple[str, str], answer: object
) -> None:
    reference, transaction_id = sale
    fake.fail_next(httpx.Response(200, json=answer))
    with pytest.raises(ProviderError):
        provider.refund(
            provider_reference=reference,
            transaction_id=transaction_id,
            amount_minor=100,
            currency="EUR",
            refund_id="rfd_1",
        )


@pytest.mark.parametrize("amount_minor", [0, -1, True])
def test_a_refund_amount_must_be_positive_cents(
    provider: PayXpertProvider, fake: FakeConnect2Pay, sale: tuple[str, str], amount_minor: int
) -> None:
    reference, transaction_id = sale
    with pytest.raises(ValueError):
        provider.refund(
            provider_reference=reference,
            transaction_id=transaction_id,
            amount_minor=amount_minor,
            currency="EUR",
            refund_id="rfd_1",
        )
    assert fake.received == []


def _refund(provider: PayXpertProvider, sale: tuple[str, str], amount: int, number: int = 1):  # type: ignore[no-untyped-def]
    reference, transaction_id = sale
    return provider.refund(
        provider_reference=reference,
        transaction_id=transaction_id,
        amount_minor=amount,
        currency="EUR",
        refund_id=f"rfd_{number}",
    )


def test_a_refund_request_is_confirmed_and_succeeds(
    provider: PayXpertProvider, fake: FakeConnect2Pay, sale: tuple[str, str]
) -> None:
    fake.refund_mode = "refund_request"
    outcome = _refund(provider, sale, 1000)
    refund_call, confirm_call = fake.received
    assert refund_call.path == f"/transaction/{sale[1]}/refund"
    request_id = fake.payment(sale[0]).transactions[-1].transaction_id
    assert confirm_call.method == "POST"
    assert confirm_call.path == f"/transaction/{request_id}/refund/confirm"
    assert confirm_call.json == {"apiVersion": API_VERSION}
    assert outcome.status is RefundStatus.SUCCEEDED
    assert outcome.provider_refund_id == request_id
    assert fake.payment(sale[0]).transactions[0].refunded_amount == 1000


def test_a_refund_request_whose_confirmation_fails_stays_pending_then_reconciles(
    provider: PayXpertProvider, fake: FakeConnect2Pay, sale: tuple[str, str]
) -> None:
    fake.refund_mode = "refund_request"
    fake.fail_next(httpx.ConnectError("down"), path_suffix="/refund/confirm")
    outcome = _refund(provider, sale, 1000)
    request_id = fake.payment(sale[0]).transactions[-1].transaction_id
    assert (outcome.status, outcome.provider_refund_id) == (RefundStatus.PENDING, request_id)
    assert fake.payment(sale[0]).transactions[0].refunded_amount == 0

    reconciled = provider.reconcile_refund(
        provider_reference=sale[0],
        transaction_id=sale[1],
        amount_minor=1000,
        refund_id="rfd_1",
        provider_refund_id=request_id,
        known_refund_ids=[],
    )
    assert (reconciled.status, reconciled.provider_refund_id) == (
        RefundStatus.SUCCEEDED,
        request_id,
    )
    assert fake.payment(sale[0]).transactions[0].refunded_amount == 1000
    # Reconciled again: the status says it is a refund now; no second confirmation.
    calls = len(fake.received)
    again = provider.reconcile_refund(
        provider_reference=sale[0],
        transaction_id=sale[1],
        amount_minor=1000,
        refund_id="rfd_1",
        provider_refund_id=request_id,
        known_refund_ids=[],
    )
    assert again.status is RefundStatus.SUCCEEDED
    assert [r.path for r in fake.received[calls:]] == [f"/payment/{sale[0]}/status"]


def test_a_refund_whose_answer_was_lost_is_found_in_the_payments_status(
    provider: PayXpertProvider, fake: FakeConnect2Pay, sale: tuple[str, str]
) -> None:
    earlier = _refund(provider, sale, 500, 1)
    # The refund is made, but its answer never comes back.
    fake.fail_next(httpx.Response(502), path_suffix="/refund")
    with pytest.raises(ProviderError):
        _refund(provider, sale, 500, 2)
    assert fake.payment(sale[0]).transactions[0].refunded_amount == 500  # the 502 came first
    outcome = provider.reconcile_refund(
        provider_reference=sale[0],
        transaction_id=sale[1],
        amount_minor=500,
        refund_id="rfd_2",
        provider_refund_id=None,
        known_refund_ids=[earlier.provider_refund_id],
    )
    # The fault answered before the refund was made: the status shows only the known
    # refund, and the transaction info agrees: never received, safe to send again.
    assert (outcome.status, outcome.failure_code) == (RefundStatus.FAILED, REFUND_NOT_RECEIVED)
    assert fake.received[-1].path == f"/transaction/{sale[1]}/info"


def test_a_paid_refund_of_unknown_outcome_is_found_by_its_amount(
    provider: PayXpertProvider, fake: FakeConnect2Pay, sale: tuple[str, str]
) -> None:
    made = _refund(provider, sale, 700)  # paid; pretend its answer was lost
    outcome = provider.reconcile_refund(
        provider_reference=sale[0],
        transaction_id=sale[1],
        amount_minor=700,
        refund_id="rfd_1",
        provider_refund_id=None,
        known_refund_ids=[],
    )
    assert (outcome.status, outcome.provider_refund_id) == (
        RefundStatus.SUCCEEDED,
        made.provider_refund_id,
    )


def test_refunds_that_cannot_be_told_apart_stay_unknown(
    provider: PayXpertProvider, fake: FakeConnect2Pay, sale: tuple[str, str]
) -> None:
    _refund(provider, sale, 700, 1)
    _refund(provider, sale, 700, 2)
    outcome = provider.reconcile_refund(
        provider_reference=sale[0],
        transaction_id=sale[1],
        amount_minor=700,
        refund_id="rfd_3",
        provider_refund_id=None,
        known_refund_ids=[],
    )
    assert outcome.status is RefundStatus.PENDING


def test_money_refunded_that_no_refund_explains_stays_unknown(
    provider: PayXpertProvider, fake: FakeConnect2Pay, sale: tuple[str, str]
) -> None:
    fake.payment(sale[0]).transactions[0].refunded_amount = 300  # by PayXpert's back office
    outcome = provider.reconcile_refund(
        provider_reference=sale[0],
        transaction_id=sale[1],
        amount_minor=700,
        refund_id="rfd_1",
        provider_refund_id=None,
        known_refund_ids=[],
    )
    assert outcome.status is RefundStatus.PENDING


@pytest.mark.parametrize(
    "answer",
    [
        {"code": "000", "message": "ok", "transactionID": "ab-cd"},
        {"code": "000", "message": "ok", "transactionID": "ab-cd", "operation": "rebill"},
    ],
    ids=["no-operation", "other-operation"],
)
def test_a_successful_refund_answer_of_no_refund_operation_is_pending(
    provider: PayXpertProvider, fake: FakeConnect2Pay, sale: tuple[str, str], answer: object
) -> None:
    fake.fail_next(httpx.Response(200, json=answer), path_suffix="/refund")
    fake.fail_next(httpx.Response(200, json=answer), path_suffix="/refund/confirm")
    outcome = _refund(provider, sale, 100)
    assert (outcome.status, outcome.provider_refund_id) == (RefundStatus.PENDING, "ab-cd")


# -- notifications (Connect2Pay's unsigned callback) ------------------------------------


def test_the_callback_is_sent_to_our_notification_url_and_parses(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    sale = fake.pay(reference, CustomerOutcome.SUCCEED)
    callback = fake.last_callback(reference)
    assert callback.url == "https://axokey.example.com/v1/providers/payxpert/notifications"
    notification = provider.parse_notification(callback.headers, callback.body)
    assert notification.provider == "payxpert"
    assert notification.provider_reference == reference
    assert notification.event_id == f"{reference}:{sale.transaction_id}:authorized:000"


def test_each_attempt_is_its_own_event_and_a_redelivery_is_the_same(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.pay(reference, CustomerOutcome.DECLINE)
    declined = fake.last_callback(reference)
    fake.pay(reference, CustomerOutcome.SUCCEED)
    authorized = fake.last_callback(reference)
    first = provider.parse_notification(declined.headers, declined.body)
    second = provider.parse_notification(authorized.headers, authorized.body)
    redelivered = provider.parse_notification({}, authorized.body)
    assert first.event_id != second.event_id
    assert first.event_id.endswith(":pending:005")
    assert redelivered == second


def test_a_cancellation_after_a_refusal_is_a_new_event(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    reference = provider.start_checkout(checkout_request()).provider_reference
    fake.pay(reference, CustomerOutcome.DECLINE)
    refused = fake.last_callback(reference)
    fake.cancel(reference)
    cancelled = fake.last_callback(reference)
    first = provider.parse_notification({}, refused.body)
    second = provider.parse_notification({}, cancelled.body)
    assert second.event_id != first.event_id
    assert second.event_id.endswith(":pending:-2")


def test_a_callback_without_transactions_parses(provider: PayXpertProvider) -> None:
    body = json.dumps({"merchantToken": "Tok_en-123", "status": "Expired"}).encode()
    notification = provider.parse_notification({}, body)
    assert notification.provider_reference == "Tok_en-123"
    assert notification.event_id == "Tok_en-123:-:expired:-"


def test_a_forged_callback_parses_but_carries_no_status(
    provider: PayXpertProvider, fake: FakeConnect2Pay
) -> None:
    """Anyone can post a callback: what it says is not believed, only fetched."""
    reference = provider.start_checkout(checkout_request()).provider_reference
    forged = {"merchantToken": reference, "status": "Authorized", "errorCode": "000"}
    notification = provider.parse_notification({}, json.dumps(forged).encode())
    assert notification.provider_reference == reference
    assert not hasattr(notification, "status")
    assert provider.fetch_status(reference).status is PaymentStatus.REQUIRES_PAYMENT_METHOD


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"null",
        b"merchantToken=abc",
        b"\xc3\x28",
        b'["merchantToken"]',
        b'{"status": "Authorized"}',
        b'{"merchantToken": "", "status": "Authorized"}',
        b'{"merchantToken": 12345, "status": "Authorized"}',
        b'{"merchantToken": "../transaction/x/refund", "status": "Authorized"}',
        b'{"merchantToken": "' + b"t" * 129 + b'", "status": "Authorized"}',
        b'{"merchantToken": "tok", "status": ""}',
        b'{"merchantToken": "tok"}',
        b'{"merchantToken": "tok", "status": "' + b"x" * 65 + b'"}',
        b'{"merchantToken": "tok", "status": "Authorized", "transactions": {}}',
        b'{"merchantToken": "tok", "status": "Authorized", "transactions": [1]}',
        b'{"merchantToken": "tok", "status": "Authorized", "errorCode": "0/../x"}',
        b'{"merchantToken": "tok", "status": "Authorized", "transactions":'
        b' [{"operation": "sale", "transactionID": "a/b"}]}',
    ],
)
def test_malformed_callbacks_are_invalid(provider: PayXpertProvider, body: bytes) -> None:
    with pytest.raises(InvalidNotification):
        provider.parse_notification({"Content-Type": "application/json"}, body)


def test_an_oversized_callback_is_invalid(provider: PayXpertProvider) -> None:
    padding = "x" * NOTIFICATION_BODY_MAX_BYTES
    body = json.dumps({"merchantToken": "tok", "status": "Pending", "pad": padding}).encode()
    with pytest.raises(InvalidNotification, match="too large"):
        provider.parse_notification({}, body)


# -- build_payxpert ----------------------------------------------------------------------


def test_build_payxpert_uses_the_settings(fake: FakeConnect2Pay) -> None:
    settings = Settings(
        payxpert_base_url=fake.base_url,
        payxpert_originator=fake.originator,
        payxpert_password=fake.password,
        provider_http_timeout_seconds=7.0,
    )
    adapter = build_payxpert(settings, transport=fake.transport())
    try:
        assert adapter.name == "payxpert"
        assert adapter.base_url == fake.base_url
        adapter.start_checkout(checkout_request())
    finally:
        adapter.close()
    [received] = fake.received
    assert received.headers["Authorization"] == basic(fake.originator, fake.password)
    assert received.timeout["read"] == 7.0


@pytest.mark.parametrize(
    ("originator", "password", "missing"),
    [
        (None, "secret", "AXOKEY_PAYXPERT_ORIGINATOR"),
        ("104211", None, "AXOKEY_PAYXPERT_PASSWORD"),
        ("", "", "AXOKEY_PAYXPERT_ORIGINATOR and AXOKEY_PAYXPERT_PASSWORD"),
    ],
)
def test_build_payxpert_needs_credentials(
    originator: str | None, password: str | None, missing: str
) -> None:
    settings = Settings(payxpert_originator=originator, payxpert_password=password)
    with pytest.raises(PayXpertConfigurationError, match=missing):
        build_payxpert(settings)


@pytest.mark.parametrize(
    "overrides",
    [{"base_url": "connect2.payxpert.com"}, {"timeout_seconds": 0}, {"originator": ""}],
)
def test_the_adapter_refuses_a_broken_configuration(overrides: dict[str, object]) -> None:
    arguments: dict[str, object] = {
        "base_url": "https://connect2.payxpert.com",
        "originator": "104211",
        "password": "secret",
        "timeout_seconds": 10.0,
    }
    arguments.update(overrides)
    with pytest.raises(PayXpertConfigurationError):
        PayXpertProvider(**arguments)  # type: ignore[arg-type]
