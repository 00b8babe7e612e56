"""Translation between axokey's provider port and the Connect2Pay JSON API.

Pure functions, no I/O: the transport lives in ``payxpert.py``. Sources, read for
this module (PayXpert's official code; nothing copied):

- PHP client ``src/Connect2PayClient.php`` (PayXpert/connect2pay-php-client): the API
  routes, ``handleRedirectStatus`` (the customer's return), ``handleCallbackStatus``;
  ``containers/response/PaymentStatus.php`` and ``TransactionAttempt.php`` (fields,
  ``getLastInitialTransactionAttempt``, ``getReferringTransactionAttempts``,
  ``refundedAmount``); ``examples/payment-callback.php``, ``payment-return.php``.
- Java client (PayXpert/connect2pay-java-client): ``constants/APIRoute.java``
  (``TRANS_REFUND_CONFIRM``, ``TRANS_INFO``, ``TRANS_CANCEL``),
  ``constants/PaymentStatusValue.java`` (the six payment statuses),
  ``constants/TransactionOperation.java`` (``refund_request`` among the operations),
  ``client/response/TransactionOperationResponse.java`` (``code``, ``message``,
  ``transactionID``, ``operation``), ``requests/TransactionRefundRequest.java``.
- WooCommerce and PrestaShop modules: ``RESULT_CODE_CANCEL = '-1'`` (the customer left
  the payment page) and ``RESULT_CODE_CALLBACK_CANCEL = '-2'``
  (``Payxpert_Payment_Transaction.php``, ``PayxpertPaymentTransaction.php``).

Every status and result code this module acts on is listed here; any other is an
``UnrecognisedProviderAnswer`` (an operator is alerted), never a guess.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from axokey.adapters.providers.base import (
    REFUND_NOT_RECEIVED,
    CheckoutRequest,
    InvalidNotification,
    PaymentStatus,
    ProviderError,
    ProviderNotification,
    ProviderPaymentState,
    RefundOutcome,
    RefundStatus,
    UnrecognisedProviderAnswer,
)

PROVIDER_NAME = "payxpert"
# The API version the PHP client (2.x) implements; the status lists a payment's
# refunds among its transactions from 002.51 on.
API_VERSION = "002.73"

# Result code of a successful transaction or operation (sale, refund, cancel).
RESULT_CODE_SUCCESS = "000"
# Result code of a successful API call such as ``payment/prepare``.
PREPARE_CODE_SUCCESS = "200"

# Connect2Pay's ``order.type``: "01" is the purchase of goods or services.
ORDER_TYPE_GOODS_SERVICE = "01"

# Connect2Pay's field limits (characters), from the PHP client's ``$fieldsSize``.
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
EVENT_ID_MAX_LENGTH = 128
# The encrypted status the browser brings back is a payment status JSON: small.
REDIRECT_DATA_MAX_LENGTH = 64 * 1024

# Operations (TransactionOperation.java). The customer's own attempts are the
# "initial" ones (PaymentStatus::getLastInitialTransactionAttempt).
OPERATION_SALE = "sale"
OPERATION_AUTHORIZE = "authorize"
OPERATION_SUBMISSION = "submission"
OPERATION_REFUND = "refund"
OPERATION_REFUND_REQUEST = "refund_request"
OPERATION_CANCEL = "cancel"
OPERATION_CAPTURE = "capture"
INITIAL_OPERATIONS = frozenset({OPERATION_SALE, OPERATION_AUTHORIZE, OPERATION_SUBMISSION})

# The payment statuses (PaymentStatusValue.java; PaymentStatus.php's getStatus doc),
# matched case-insensitively as the Java client does, plus "Accepted", which the
# official modules handle for non-card methods. What each means for us:
PAYMENT_STATUS_MAP: Mapping[str, PaymentStatus] = {
    # An attempt went through. Which one (a sale, or an authorisation alone) is read
    # from the attempt itself: see ``payment_state``.
    "authorized": PaymentStatus.SUCCEEDED,
    # Submitted, not collected yet (asynchronous, non-card methods): not money yet.
    "accepted": PaymentStatus.PROCESSING,
    # An attempt failed and the customer may still try on the same page (the account's
    # ``maxAttempts``, AccountInformation.php): nothing is lost, the failure is told.
    "pending": PaymentStatus.REQUIRES_PAYMENT_METHOD,
    # The last allowed attempt was refused (issuer, fraud screening, 3-D Secure).
    "not authorized": PaymentStatus.FAILED,
    # The payment page's validity ran out before the customer paid.
    "expired": PaymentStatus.FAILED,
    # The acquirer could not be reached for the attempt.
    "call failed": PaymentStatus.FAILED,
    # Prepared, no attempt yet.
    "not processed": PaymentStatus.REQUIRES_PAYMENT_METHOD,
}

# The result codes of a refused attempt that PayXpert's own material confirms, in our
# words. Any other code on a refused attempt is unrecognised (operator), not guessed.
ATTEMPT_FAILURE_CODES: Mapping[str, str] = {
    "005": "card_declined",  # authorisation declined
    "051": "insufficient_funds",
    "065": "authentication_required",  # soft decline: the issuer wants 3-D Secure
}
# The cancel codes of the official modules (see the module doc).
RESULT_CODE_CUSTOMER_CANCEL = "-1"
RESULT_CODE_CALLBACK_CANCEL = "-2"
CANCEL_FAILURE_CODES: Mapping[str, str] = {
    RESULT_CODE_CUSTOMER_CANCEL: "cancelled_by_customer",
    RESULT_CODE_CALLBACK_CANCEL: "payment_cancelled",
}
# Failure codes of ours for outcomes PayXpert tells by status rather than by code.
FAILURE_EXPIRED = "expired"
FAILURE_CALL_FAILED = "call_failed"
FAILURE_AUTHORISATION_NOT_CAPTURED = "authorisation_not_captured"
FAILURE_AUTHORISATION_RELEASED = "authorisation_released"


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
    """Our view of the answer to ``GET /payment/{merchantToken}/status``.

    ``UnrecognisedProviderAnswer`` for a status or result code this module does not
    list; ``ProviderError`` for an answer that is not a payment status at all.
    """
    fields = _object(answer, "payment status")
    if fields.get("merchantToken") != merchant_token:
        raise ProviderError("PayXpert answered the status of another payment")
    label = fields.get("status")
    if not isinstance(label, str):
        raise ProviderError("PayXpert's payment status has no status")
    key = label.strip().casefold()
    if key not in PAYMENT_STATUS_MAP:
        raise UnrecognisedProviderAnswer(f"PayXpert payment status {label!r} is not one we know")
    requested_amount = _amount(fields.get("amount"), "the payment status")
    currency = _currency(fields.get("currency"), "the payment status")
    transactions = _transactions(fields.get("transactions"))
    attempt = last_initial_attempt(transactions)
    transaction_id = _transaction_id(attempt) if attempt is not None else None
    error_code = _code(fields.get("errorCode"))

    def state(
        status: PaymentStatus,
        failure: str | None = None,
        *,
        amount: int = requested_amount,
        release: bool = False,
    ) -> ProviderPaymentState:
        return ProviderPaymentState(
            provider_reference=merchant_token,
            status=status,
            amount_minor=amount,
            currency=currency,
            transaction_id=transaction_id,
            failure_code=failure,
            authorisation_to_release=release,
        )

    if key == "authorized":
        return _authorized_state(attempt, transactions, state)
    # The cancel codes come as the payment's errorCode, with or without an attempt
    # (the modules test ``$status->getErrorCode()`` against them).
    if error_code is not None and error_code in CANCEL_FAILURE_CODES:
        return state(PaymentStatus.FAILED, CANCEL_FAILURE_CODES[error_code])
    if key in _STATES_WITHOUT_CODE:
        return state(*_STATES_WITHOUT_CODE[key])
    return _refused_state(key, attempt, error_code, state)


# The statuses whose meaning does not depend on a result code.
_STATES_WITHOUT_CODE: Mapping[str, tuple[PaymentStatus, str | None]] = {
    "accepted": (PaymentStatus.PROCESSING, None),
    "not processed": (PaymentStatus.REQUIRES_PAYMENT_METHOD, None),
    "expired": (PaymentStatus.FAILED, FAILURE_EXPIRED),
    "call failed": (PaymentStatus.FAILED, FAILURE_CALL_FAILED),
}


def _refused_state(
    key: str,
    attempt: Mapping[str, Any] | None,
    error_code: str | None,
    state: Callable[..., ProviderPaymentState],
) -> ProviderPaymentState:
    """ "pending" (an attempt failed, another is allowed) or "not authorized" (the last
    allowed attempt failed): the reason is the failed attempt's result code, else the
    payment's errorCode ("Result code of the last transaction", PaymentStatus.php)."""
    code = _code(attempt.get("resultCode")) if attempt is not None else None
    code = code or error_code
    if code is None:
        if key == "pending":
            # Pending before any attempt is not described by any source: an
            # assumption (tests/fakes/connect2pay.py, ASSUMPTIONS) that nothing failed.
            return state(PaymentStatus.REQUIRES_PAYMENT_METHOD)
        raise UnrecognisedProviderAnswer("PayXpert says Not authorized without a result code")
    if code not in ATTEMPT_FAILURE_CODES:
        raise UnrecognisedProviderAnswer(
            f"PayXpert refused an attempt with result code {code!r}, which we do not know"
        )
    return state(PAYMENT_STATUS_MAP[key], ATTEMPT_FAILURE_CODES[code])


def _authorized_state(
    attempt: Mapping[str, Any] | None,
    transactions: Sequence[Mapping[str, Any]],
    state: Callable[..., ProviderPaymentState],
) -> ProviderPaymentState:
    if attempt is None or _transaction_id(attempt) is None:
        raise UnrecognisedProviderAnswer("PayXpert says Authorized but shows no transaction")
    if _code(attempt.get("resultCode")) != RESULT_CODE_SUCCESS:
        raise UnrecognisedProviderAnswer("PayXpert says Authorized with an unsuccessful result")
    # The amount taken is the sale transaction's own, not the request's echo.
    amount = _amount(attempt.get("amount"), "the authorised transaction")
    operation = attempt.get("operation")
    if operation == OPERATION_SALE:
        return state(PaymentStatus.SUCCEEDED, amount=amount)
    if operation == OPERATION_AUTHORIZE:
        # We only ever ask for "sale"; an account whose default operation is
        # "authorize" turns it into an authorisation: money held, never captured.
        # It is released (``/transaction/:id/cancel``), never left to lapse.
        referring = referring_transactions(transactions, _transaction_id(attempt))
        if any(t.get("operation") == OPERATION_CAPTURE and _successful(t) for t in referring):
            raise UnrecognisedProviderAnswer("an authorisation of ours was captured outside AXOKEY")
        if any(t.get("operation") == OPERATION_CANCEL and _successful(t) for t in referring):
            return state(PaymentStatus.FAILED, FAILURE_AUTHORISATION_RELEASED, amount=amount)
        return state(
            PaymentStatus.FAILED, FAILURE_AUTHORISATION_NOT_CAPTURED, amount=amount, release=True
        )
    raise UnrecognisedProviderAnswer(f"PayXpert authorised a {operation!r}, not a sale")


def last_initial_attempt(transactions: object) -> Mapping[str, Any] | None:
    """The customer's latest own attempt (sale, authorize, submission without a
    referral), as PaymentStatus::getLastInitialTransactionAttempt picks it."""
    latest: Mapping[str, Any] | None = None
    latest_date = -1
    for position, entry in enumerate(_transactions(transactions)):
        if entry.get("operation") not in INITIAL_OPERATIONS or entry.get("refTransactionID"):
            continue
        date = entry.get("date")
        # Without a date, the later entry in the list is taken as the later attempt.
        order = date if isinstance(date, int) and not isinstance(date, bool) else position
        if order >= latest_date:
            latest, latest_date = entry, order
    return latest


def referring_transactions(
    transactions: Sequence[Mapping[str, Any]], transaction_id: str | None
) -> list[Mapping[str, Any]]:
    """The transactions referring to ``transaction_id`` (refunds, cancels...), as
    PaymentStatus::getReferringTransactionAttempts finds them."""
    if transaction_id is None:
        return []
    return [t for t in transactions if t.get("refTransactionID") == transaction_id]


def refund_body(amount_minor: int) -> dict[str, Any]:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValueError("a refund amount is a positive integer number of minor units")
    return {"apiVersion": API_VERSION, "amount": amount_minor}


def refund_outcome(answer: object) -> RefundOutcome:
    """Our view of the answer to ``POST /transaction/{id}/refund`` or ``.../refund/confirm``
    (TransactionOperationResponse.java: ``code``, ``message``, ``transactionID``,
    ``operation``).

    Code "000" with operation ``refund``: paid. With ``refund_request``: PayXpert
    holds the refund until it is confirmed: pending, with the request's id. "000"
    with any other operation (or none) says nothing certain: pending, to be
    reconciled from the payment's status. Another code: refused, nothing paid.
    """
    fields = _object(answer, "refund")
    # TransactionOperationResponse.java types the code as a String.
    code = fields.get("code")
    if not isinstance(code, str) or not code.strip():
        raise ProviderError("PayXpert's refund answer has no result code")
    if code != RESULT_CODE_SUCCESS:
        return RefundOutcome(status=RefundStatus.FAILED, failure_code=code)
    transaction_id = fields.get("transactionID")
    if not is_identifier(transaction_id):
        raise ProviderError("PayXpert's successful refund has no transaction id")
    assert isinstance(transaction_id, str)
    operation = fields.get("operation")
    if operation == OPERATION_REFUND:
        return RefundOutcome(status=RefundStatus.SUCCEEDED, provider_refund_id=transaction_id)
    return RefundOutcome(status=RefundStatus.PENDING, provider_refund_id=transaction_id)


@dataclass(frozen=True)
class RefundTrace:
    """What the payment's status shows of one refund: the decision, and whether a
    refund request must be confirmed to complete it."""

    outcome: RefundOutcome
    confirm: str | None = None  # the refund request's transaction id, to confirm


def refund_trace(
    answer: object,
    *,
    merchant_token: str,
    sale_transaction_id: str,
    amount_minor: int,
    provider_refund_id: str | None,
    known_refund_ids: Sequence[str],
) -> RefundTrace | None:
    """Look for one refund among the payment's transactions (the status lists the
    refunds and refund requests referring to the sale, API >= 002.51).

    By its id when we have it; else the one successful refund of that amount that is
    not one of ``known_refund_ids``. None when the status shows no trace of it (the
    transaction info then says whether money left); PENDING when it is ambiguous.
    """
    fields = _object(answer, "payment status")
    if fields.get("merchantToken") != merchant_token:
        raise ProviderError("PayXpert answered the status of another payment")
    referring = referring_transactions(
        _transactions(fields.get("transactions")), sale_transaction_id
    )
    refunds = [
        t
        for t in referring
        if t.get("operation") in (OPERATION_REFUND, OPERATION_REFUND_REQUEST) and _successful(t)
    ]
    if provider_refund_id is not None:
        found = [t for t in refunds if t.get("transactionID") == provider_refund_id]
    else:
        found = [
            t
            for t in refunds
            if t.get("transactionID") not in known_refund_ids and t.get("amount") == amount_minor
        ]
    if not found:
        return None
    if len(found) > 1:
        return RefundTrace(RefundOutcome(status=RefundStatus.PENDING))
    refund = found[0]
    refund_id = _transaction_id(refund)
    if refund.get("operation") == OPERATION_REFUND:
        return RefundTrace(
            RefundOutcome(status=RefundStatus.SUCCEEDED, provider_refund_id=refund_id)
        )
    return RefundTrace(
        RefundOutcome(status=RefundStatus.PENDING, provider_refund_id=refund_id), confirm=refund_id
    )


def refunded_amount(answer: object, *, sale_transaction_id: str) -> int:
    """The sale's ``refundedAmount`` from ``GET /transaction/{id}/info``
    (TransactionAttempt.php). Java's TransactionInfoResponse reads the attempt under
    ``transactionInfo``; an attempt at the top level is taken as well."""
    fields = _object(answer, "transaction info")
    inner = fields.get("transactionInfo", fields)
    info = _object(inner, "transaction info")
    if info.get("transactionID") != sale_transaction_id:
        raise ProviderError("PayXpert answered the info of another transaction")
    return _amount(info.get("refundedAmount", 0), "the transaction info")


def refund_not_received(amount_refunded: int, known_amount: int) -> RefundOutcome:
    """The decision once the status showed no trace of a refund: if the sale's
    refunded amount is exactly what our known refunds add up to, the refund was
    never made; otherwise money left that we cannot attribute: still unknown."""
    if amount_refunded == known_amount:
        return RefundOutcome(status=RefundStatus.FAILED, failure_code=REFUND_NOT_RECEIVED)
    return RefundOutcome(status=RefundStatus.PENDING)


def known_refunds_amount(
    answer: object, *, sale_transaction_id: str, known_refund_ids: Sequence[str]
) -> int:
    """What the payment's refunds that we already account for add up to."""
    fields = _object(answer, "payment status")
    referring = referring_transactions(
        _transactions(fields.get("transactions")), sale_transaction_id
    )
    return sum(
        _amount(t.get("amount"), "a refund")
        for t in referring
        if t.get("transactionID") in known_refund_ids
        and t.get("operation") == OPERATION_REFUND
        and _successful(t)
    )


def cancel_body(amount_minor: int) -> dict[str, Any]:
    """The body of ``POST /transaction/{id}/cancel`` (the PHP client's
    ``cancelTransaction($transactionID, $amount)``)."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValueError("an amount is a positive integer number of minor units")
    return {"apiVersion": API_VERSION, "amount": amount_minor}


def cancel_succeeded(answer: object) -> bool:
    fields = _object(answer, "cancel")
    code = _code(fields.get("code"))
    if code is None:
        raise ProviderError("PayXpert's cancel answer has no result code")
    return code == RESULT_CODE_SUCCESS


def decrypt_redirect_status(data: str, merchant_token: str) -> Mapping[str, Any] | None:
    """The payment status the browser brings back in the ``data`` field.

    As ``Connect2PayClient::handleRedirectStatus`` decrypts it: both the field and the
    merchant token are URL-safe base64; the token's 16 bytes are the AES-128 key; ECB
    mode; PKCS#5 padding; a JSON object inside. None when it does not decrypt to that
    with this token (another payment's, or forged).
    """
    if not data or len(data) > REDIRECT_DATA_MAX_LENGTH or not is_identifier(merchant_token):
        return None
    try:
        key = _urlsafe_b64decode(merchant_token)
        encrypted = _urlsafe_b64decode(data)
    except (binascii.Error, ValueError):
        return None
    if len(key) != 16 or not encrypted or len(encrypted) % 16:
        return None
    padded = decrypt_blocks(key, encrypted)
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
        document = json.loads(plain)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict) or document.get("merchantToken") != merchant_token:
        return None
    return document


def decrypt_blocks(key: bytes, encrypted: bytes) -> bytes:
    """AES-128 in ECB mode, as Connect2Pay encrypts the redirect status (each 16-byte
    block on its own: no IV)."""
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305
    return decryptor.update(encrypted) + decryptor.finalize()


def encrypt_redirect_status(status: Mapping[str, Any], merchant_token: str) -> str:
    """The inverse of ``decrypt_redirect_status`` (what Connect2Pay posts), for tests
    and the fake."""
    key = _urlsafe_b64decode(merchant_token)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(json.dumps(status).encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305
    encrypted = encryptor.update(padded) + encryptor.finalize()
    return base64.urlsafe_b64encode(encrypted).decode().rstrip("=")


def reference_from_return(fields: Mapping[str, str], candidates: Sequence[str]) -> str | None:
    """Which merchant token the browser's POST to ``ctrlRedirectURL`` is about: the
    candidate whose key decrypts its ``data`` (the WooCommerce module finds the
    payment by the posted ``customer`` token; we hold merchant tokens, so we try
    them, newest first)."""
    data = fields.get("data")
    if not data:
        return None
    for candidate in candidates:
        if decrypt_redirect_status(data, candidate) is not None:
            return candidate
    return None


def notification_from_callback(body: bytes, *, body_max_bytes: int) -> ProviderNotification:
    """The hint carried by Connect2Pay's (unsigned) callback to ``ctrlCallbackURL``.

    The callback body is the payment status JSON. Its event id is built from what
    identifies one state of one attempt: the merchant token, the attempt's transaction
    id, the status and the error code, so a retried callback gets the same id and a
    later change (Pending, then Authorized; Pending, then cancelled) gets a new one.
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
    # The payment's errorCode too: a cancel (-1, -2) changes it and not the status.
    error_code = _code(document.get("errorCode"))
    if error_code is None:
        error_code = "-"
    elif not re.fullmatch(r"-?[0-9A-Za-z]{1,8}", error_code):
        raise InvalidNotification("PayXpert callback has an invalid errorCode")
    event_id = f"{merchant_token}:{transaction_id}:{status_slug}:{error_code}"
    if len(event_id) > EVENT_ID_MAX_LENGTH:  # the column's size: the same id, hashed
        event_id = "sha256:" + hashlib.sha256(event_id.encode()).hexdigest()
    return ProviderNotification(
        provider=PROVIDER_NAME,
        event_id=event_id,
        provider_reference=merchant_token,
    )


def _successful(transaction: Mapping[str, Any]) -> bool:
    return _code(transaction.get("resultCode")) == RESULT_CODE_SUCCESS


def _code(value: object) -> str | None:
    """A result code as a string ("000", "-1"). The PHP client types errorCode as an
    Int in places, so integers are read too (0 would be "0", not "000": unknown)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _amount(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProviderError(f"PayXpert's {where} has no valid amount")
    return value


def _currency(value: object, where: str) -> str:
    if not isinstance(value, str) or re.fullmatch(r"[A-Z]{3}", value) is None:
        raise ProviderError(f"PayXpert's {where} has no valid currency")
    return value


def _transactions(value: object) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProviderError("PayXpert's transactions are not a list")
    for entry in value:
        if not isinstance(entry, dict):
            raise ProviderError("PayXpert's transaction is not an object")
    return value


def _urlsafe_b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


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
