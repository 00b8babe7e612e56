"""Translation between axokey's provider port and the Connect2Pay JSON API.

Pure functions, no I/O: the transport lives in ``payxpert.py``. Every status that
Connect2Pay documents is listed in ``PAYMENT_STATUS_MAP``; any other status is a
``ProviderError``, never a silent "failed".

Field names come from PayXpert's public client libraries (connect2pay-php-client,
connect2pay-java-client, API version 002.7x).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from axokey.adapters.providers.base import (
    CheckoutRequest,
    InvalidNotification,
    PaymentStatus,
    ProviderError,
    ProviderNotification,
    ProviderPaymentState,
    RefundOutcome,
    RefundStatus,
)

PROVIDER_NAME = "payxpert"
API_VERSION = "002.71"

# Result code of a successful transaction or operation (sale, refund).
RESULT_CODE_SUCCESS = "000"
# Result code of a successful API call such as ``payment/prepare``.
PREPARE_CODE_SUCCESS = "200"

# Connect2Pay's ``order.type``: "01" is the purchase of goods or services.
ORDER_TYPE_GOODS_SERVICE = "01"

# Connect2Pay's field limits (characters).
ORDER_ID_MAX_LENGTH = 100
ORDER_DESCRIPTION_MAX_LENGTH = 500
SHOPPER_EMAIL_MAX_LENGTH = 100
URL_MAX_LENGTH = 2048
CUSTOM_DATA_MAX_LENGTH = 2048

# Merchant tokens and transaction ids are URL-safe strings (e.g. "JPhorvt8Zj8zH1eIrWNqmw",
# "1v0masio6c-1nrr"). They go into URL paths, so anything else is refused before it is
# sent: an unsigned callback must not be able to steer our authenticated requests.
IDENTIFIER_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,128}")
STATUS_MAX_LENGTH = 64

# Operations of the customer's own attempts, as opposed to later operations that refer
# to them (refund, capture, cancel, rebill, collection...).
INITIAL_OPERATIONS = frozenset({"sale", "authorize", "submission"})

# Every payment status Connect2Pay documents ("Authorized", "Not authorized", "Expired",
# "Call failed", "Pending", "Not processed"), keyed case-insensitively like PayXpert's
# own Java client does.
PAYMENT_STATUS_MAP: Mapping[str, PaymentStatus] = {
    # The sale went through (3-D Secure included): the money is captured.
    "authorized": PaymentStatus.SUCCEEDED,
    # Declined by the issuer, by fraud screening, or the 3-D Secure challenge failed.
    "not authorized": PaymentStatus.FAILED,
    # The payment page's validity ran out before the customer paid.
    "expired": PaymentStatus.FAILED,
    # The acquirer could not be reached: the attempt did not happen and will not.
    "call failed": PaymentStatus.FAILED,
    # The customer is on PayXpert's pages (3-D Secure under way) or the result is awaited.
    # Nothing for us to do: PayXpert leads the customer through the challenge on its own
    # hosted page, so this is "processing", not "requires_action" with a URL of ours.
    "pending": PaymentStatus.PROCESSING,
    # Prepared, no attempt yet: the customer has not paid.
    "not processed": PaymentStatus.REQUIRES_PAYMENT_METHOD,
}

# The failure code when a failed payment carries no result code of its own.
_STATUS_FAILURE_CODES: Mapping[str, str] = {
    "not authorized": "not_authorized",
    "expired": "expired",
    "call failed": "call_failed",
}


def is_identifier(value: object) -> bool:
    return isinstance(value, str) and IDENTIFIER_PATTERN.fullmatch(value) is not None


def prepare_body(request: CheckoutRequest) -> dict[str, Any]:
    """The JSON body of ``POST /payment/prepare`` for a one-off 3-D Secure card sale."""
    if isinstance(request.amount_minor, bool) or not isinstance(request.amount_minor, int):
        raise ValueError("amount_minor must be an integer number of minor units")
    if request.amount_minor <= 0:
        raise ValueError("amount_minor must be positive")
    if re.fullmatch(r"[A-Z]{3}", request.currency) is None:
        raise ValueError(f"currency must be an ISO 4217 code, not {request.currency!r}")
    _check_length("order_id", request.order_id, ORDER_ID_MAX_LENGTH)
    _check_length("customer_email", request.customer_email, SHOPPER_EMAIL_MAX_LENGTH)
    _check_length("notification_url", request.notification_url, URL_MAX_LENGTH)
    _check_length("payment_id", request.payment_id, CUSTOM_DATA_MAX_LENGTH)
    body: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "paymentMethod": "CreditCard",
        "paymentMode": "Single",
        # "sale" = authorisation and capture at once: the money is held by us, in escrow,
        # from the moment the payment succeeds.
        "operation": "sale",
        # Strong customer authentication (PSD2): always ask for 3-D Secure.
        "secure3d": True,
        "currency": request.currency,
        "amount": request.amount_minor,
        "ctrlCallbackURL": request.notification_url,
        # Given back in every status: lets an operator tie a PayXpert payment to ours.
        "ctrlCustomData": request.payment_id,
        "shopper": {"email": request.customer_email},
        "order": {
            "id": request.order_id,
            "type": ORDER_TYPE_GOODS_SERVICE,
            "description": f"Order {request.order_id}"[:ORDER_DESCRIPTION_MAX_LENGTH],
        },
    }
    if request.return_url is not None:
        _check_length("return_url", request.return_url, URL_MAX_LENGTH)
        body["ctrlRedirectURL"] = request.return_url
    return body


def tokens_from_prepare(answer: object) -> tuple[str, str]:
    """``(merchant_token, customer_token)`` from the answer to ``payment/prepare``."""
    fields = _object(answer, "payment/prepare")
    code = fields.get("code")
    if code != PREPARE_CODE_SUCCESS:
        message = fields.get("message")
        raise ProviderError(f"PayXpert refused the payment: code {code!r}, {message!r}")
    merchant_token = fields.get("merchantToken")
    customer_token = fields.get("customerToken")
    if not is_identifier(merchant_token) or not is_identifier(customer_token):
        raise ProviderError("PayXpert's payment/prepare answer lacks valid tokens")
    assert isinstance(merchant_token, str) and isinstance(customer_token, str)
    return merchant_token, customer_token


def payment_state(answer: object, *, merchant_token: str) -> ProviderPaymentState:
    """Our view of the answer to ``GET /payment/{merchantToken}/status``."""
    fields = _object(answer, "payment status")
    if fields.get("merchantToken") != merchant_token:
        raise ProviderError("PayXpert answered the status of another payment")
    label = fields.get("status")
    if not isinstance(label, str):
        raise ProviderError("PayXpert's payment status has no status")
    key = label.strip().casefold()
    if key not in PAYMENT_STATUS_MAP:
        raise ProviderError(f"PayXpert payment status {label!r} is not one we know")
    status = PAYMENT_STATUS_MAP[key]
    amount = fields.get("amount")
    currency = fields.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ProviderError("PayXpert's payment status has no valid amount")
    if not isinstance(currency, str) or re.fullmatch(r"[A-Z]{3}", currency) is None:
        raise ProviderError("PayXpert's payment status has no valid currency")
    attempt = last_initial_attempt(fields.get("transactions"))
    transaction_id = _transaction_id(attempt) if attempt is not None else None
    failure_code: str | None = None
    if status is PaymentStatus.SUCCEEDED:
        if attempt is None or transaction_id is None:
            raise ProviderError("PayXpert says Authorized but shows no transaction")
        if attempt.get("operation") != "sale":
            # We only ever ask for "sale". An authorisation alone is not captured money.
            raise ProviderError(f"PayXpert authorized a {attempt.get('operation')!r}, not a sale")
        if attempt.get("resultCode") != RESULT_CODE_SUCCESS:
            raise ProviderError("PayXpert says Authorized with an unsuccessful result code")
    elif status is PaymentStatus.FAILED:
        failure_code = _failure_code(key, attempt, fields)
    return ProviderPaymentState(
        provider_reference=merchant_token,
        status=status,
        amount_minor=amount,
        currency=currency,
        transaction_id=transaction_id,
        failure_code=failure_code,
    )


def last_initial_attempt(transactions: object) -> Mapping[str, Any] | None:
    """The customer's latest own attempt (sale/authorize), ignoring refunds and the like."""
    if transactions is None:
        return None
    if not isinstance(transactions, list):
        raise ProviderError("PayXpert's transactions are not a list")
    latest: Mapping[str, Any] | None = None
    latest_date = -1
    for position, entry in enumerate(transactions):
        if not isinstance(entry, dict):
            raise ProviderError("PayXpert's transaction is not an object")
        if entry.get("operation") not in INITIAL_OPERATIONS or entry.get("refTransactionID"):
            continue
        date = entry.get("date")
        # Without a date, the later entry in the list is taken as the later attempt.
        order = date if isinstance(date, int) and not isinstance(date, bool) else position
        if order >= latest_date:
            latest, latest_date = entry, order
    return latest


def refund_body(amount_minor: int) -> dict[str, Any]:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValueError("a refund amount is a positive integer number of minor units")
    return {"apiVersion": API_VERSION, "amount": amount_minor}


def refund_outcome(answer: object) -> RefundOutcome:
    """Our view of the answer to ``POST /transaction/{transactionID}/refund``."""
    fields = _object(answer, "refund")
    code = fields.get("code")
    if not isinstance(code, str) or not code:
        raise ProviderError("PayXpert's refund answer has no result code")
    if code == RESULT_CODE_SUCCESS:
        refund_transaction_id = fields.get("transactionID")
        if not is_identifier(refund_transaction_id):
            raise ProviderError("PayXpert's successful refund has no transaction id")
        assert isinstance(refund_transaction_id, str)
        return RefundOutcome(
            status=RefundStatus.SUCCEEDED, provider_refund_id=refund_transaction_id
        )
    return RefundOutcome(status=RefundStatus.FAILED, failure_code=code)


def notification_from_callback(body: bytes, *, body_max_bytes: int) -> ProviderNotification:
    """The hint carried by Connect2Pay's (unsigned) callback to ``ctrlCallbackURL``.

    The callback body is the payment status JSON. Its event id is built from what
    identifies one state of one attempt: the merchant token, the attempt's transaction
    id and the status, so a retried callback gets the same id and a later change
    (Pending, then Authorized) gets a new one.
    """
    if len(body) > body_max_bytes:
        raise InvalidNotification("PayXpert callback body is too large")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidNotification("PayXpert callback body is not JSON") from error
    if not isinstance(document, dict):
        raise InvalidNotification("PayXpert callback body is not a JSON object")
    merchant_token = document.get("merchantToken")
    if not is_identifier(merchant_token):
        raise InvalidNotification("PayXpert callback has no valid merchantToken")
    assert isinstance(merchant_token, str)
    label = document.get("status")
    if not isinstance(label, str) or not label.strip() or len(label) > STATUS_MAX_LENGTH:
        raise InvalidNotification("PayXpert callback has no valid status")
    try:
        attempt = last_initial_attempt(document.get("transactions"))
    except ProviderError as error:
        raise InvalidNotification(str(error)) from error
    transaction_id = "-"
    if attempt is not None:
        found = attempt.get("transactionID")
        if not is_identifier(found):
            raise InvalidNotification("PayXpert callback has an invalid transactionID")
        assert isinstance(found, str)
        transaction_id = found
    status_slug = re.sub(r"[^a-z0-9]+", "_", label.strip().casefold()).strip("_")
    return ProviderNotification(
        provider=PROVIDER_NAME,
        event_id=f"{merchant_token}:{transaction_id}:{status_slug}",
        provider_reference=merchant_token,
    )


def _failure_code(key: str, attempt: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> str:
    if key == "expired":
        return _STATUS_FAILURE_CODES[key]
    for candidate in (
        attempt.get("resultCode") if attempt is not None else None,
        fields.get("errorCode"),
    ):
        if isinstance(candidate, str) and candidate and candidate != RESULT_CODE_SUCCESS:
            return candidate
    return _STATUS_FAILURE_CODES[key]


def _transaction_id(attempt: Mapping[str, Any]) -> str | None:
    found = attempt.get("transactionID")
    if found is None:
        return None
    if not is_identifier(found):
        raise ProviderError("PayXpert's transaction has an invalid transactionID")
    assert isinstance(found, str)
    return found


def _object(answer: object, what: str) -> Mapping[str, Any]:
    if not isinstance(answer, dict):
        raise ProviderError(f"PayXpert's {what} answer is not a JSON object")
    return answer


def _check_length(name: str, value: str, maximum: int) -> None:
    if not value:
        raise ValueError(f"{name} must not be empty")
    if len(value) > maximum:
        raise ValueError(f"{name} is longer than PayXpert accepts ({maximum} characters)")
