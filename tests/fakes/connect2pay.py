"""A fake Connect2Pay (PayXpert's payment page API), in memory, served over HTTP.

It answers the calls the PayXpert adapter makes, shaped like the real API (field names
from PayXpert's public client libraries, API version 002.7x):

- ``POST /payment/prepare`` -> ``{code: "200", message, merchantToken, customerToken}``;
- ``GET /payment/{merchantToken}/status?apiVersion=...`` -> the payment status;
- ``POST /transaction/{transactionID}/refund`` -> ``{code, message, transactionID,
  operation}``;
- ``GET /payment/{customerToken}`` -> the hosted payment page (the customer's browser,
  no authentication).

The API calls need HTTP Basic authentication with the originator id and password.
Tests reach it through ``httpx.MockTransport(fake.handle)`` (``fake.transport()``): the
adapter's requests are real ``httpx`` requests; ``fake.received`` keeps them.

Tests play the customer with ``pay(token, outcome)``, ``begin_challenge(token)`` and
``expire(token)``. After each processed attempt the fake "posts" the payment status to
the payment's ``ctrlCallbackURL``: the callback is kept in ``fake.callbacks`` and handed
to ``on_callback`` when one is given (an e2e test can forward it to the app).

Result codes. "000" (success) and "005" (authorisation declined) are PayXpert's own.
The codes for insufficient funds, a failed 3-D Secure challenge, an unreachable
acquirer and a refund above the refundable amount are assumptions of this fake: the
public material did not list them.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx

DEFAULT_BASE_URL = "https://connect2.payxpert.test"
DEFAULT_ORIGINATOR = "104211"
DEFAULT_PASSWORD = "c2p-test-password"

RESULT_SUCCESS = "000"
RESULT_DECLINED = "005"
RESULT_INSUFFICIENT_FUNDS = "051"  # assumed
RESULT_CHALLENGE_FAILED = "070"  # assumed
RESULT_CALL_FAILED = "900"  # assumed
RESULT_REFUND_REFUSED = "501"  # assumed (PayXpert's "transaction incorrect data")

STATUS_AUTHORIZED = "Authorized"
STATUS_NOT_AUTHORIZED = "Not authorized"
STATUS_EXPIRED = "Expired"
STATUS_CALL_FAILED = "Call failed"
STATUS_PENDING = "Pending"
STATUS_NOT_PROCESSED = "Not processed"
DOCUMENTED_STATUSES = (
    STATUS_AUTHORIZED,
    STATUS_NOT_AUTHORIZED,
    STATUS_EXPIRED,
    STATUS_CALL_FAILED,
    STATUS_PENDING,
    STATUS_NOT_PROCESSED,
)

_TOKEN_SEGMENT = r"[A-Za-z0-9_-]+"
_PREPARE = re.compile(r"/payment/prepare")
_STATUS = re.compile(rf"/payment/(?P<token>{_TOKEN_SEGMENT})/status")
_PAGE = re.compile(rf"/payment/(?P<token>{_TOKEN_SEGMENT})")
_REFUND = re.compile(rf"/transaction/(?P<transaction>{_TOKEN_SEGMENT})/refund")
_CURRENCY = re.compile(r"[A-Z]{3}")


class CustomerOutcome(StrEnum):
    """What happens when the customer pays on the hosted page."""

    SUCCEED = "succeed"  # frictionless 3-D Secure, authorised
    SUCCEED_AFTER_CHALLENGE = "succeed_after_challenge"  # challenge passed, authorised
    FAIL_CHALLENGE = "fail_challenge"  # wrong one-time code: not authorised
    DECLINE = "decline"  # the issuer declines
    INSUFFICIENT_FUNDS = "insufficient_funds"  # the issuer declines: not enough money
    CALL_FAIL = "call_fail"  # the acquirer cannot be reached


_OUTCOMES: dict[CustomerOutcome, tuple[str, str, str, bool]] = {
    # outcome: (payment status, result code, result message, 3-D Secure challenge done)
    CustomerOutcome.SUCCEED: (
        STATUS_AUTHORIZED,
        RESULT_SUCCESS,
        "Transaction successfully completed",
        False,
    ),
    CustomerOutcome.SUCCEED_AFTER_CHALLENGE: (
        STATUS_AUTHORIZED,
        RESULT_SUCCESS,
        "Transaction successfully completed",
        True,
    ),
    CustomerOutcome.FAIL_CHALLENGE: (
        STATUS_NOT_AUTHORIZED,
        RESULT_CHALLENGE_FAILED,
        "3-D Secure authentication failed",
        True,
    ),
    CustomerOutcome.DECLINE: (
        STATUS_NOT_AUTHORIZED,
        RESULT_DECLINED,
        "Authorization declined",
        False,
    ),
    CustomerOutcome.INSUFFICIENT_FUNDS: (
        STATUS_NOT_AUTHORIZED,
        RESULT_INSUFFICIENT_FUNDS,
        "Insufficient funds",
        False,
    ),
    CustomerOutcome.CALL_FAIL: (
        STATUS_CALL_FAILED,
        RESULT_CALL_FAILED,
        "Acquirer unreachable",
        False,
    ),
}


class FakeCustomerError(Exception):
    """The test asked the fake customer for something the payment page would not allow."""


@dataclass
class FakeTransaction:
    transaction_id: str
    operation: str  # sale, refund
    amount: int
    currency: str
    result_code: str
    result_message: str
    status: str
    date_ms: int
    merchant_token: str
    ref_transaction_id: str | None = None
    refunded_amount: int = 0
    is_3d_secure: bool = False

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "transactionID": self.transaction_id,
            "paymentMerchantToken": self.merchant_token,
            "paymentMethod": "CreditCard",
            "operation": self.operation,
            "date": self.date_ms,
            "amount": self.amount,
            "refundedAmount": self.refunded_amount,
            "currency": self.currency,
            "resultCode": self.result_code,
            "resultMessage": self.result_message,
            "status": self.status,
            "paymentMeanInfo": {
                "cardNumber": "424242XXXXXX4242",
                "cardBrand": "VISA",
                "is3DSecure": self.is_3d_secure,
            },
        }
        if self.ref_transaction_id is not None:
            document["refTransactionID"] = self.ref_transaction_id
        return document


@dataclass
class FakePayment:
    merchant_token: str
    customer_token: str
    prepare_body: dict[str, Any]
    amount: int
    currency: str
    order_id: str
    callback_url: str
    redirect_url: str | None
    custom_data: str | None
    status: str = STATUS_NOT_PROCESSED
    transactions: list[FakeTransaction] = field(default_factory=list)
    # Fields a test overwrote to simulate an answer outside the documentation.
    tampered: dict[str, Any] = field(default_factory=dict)

    @property
    def attempts(self) -> list[FakeTransaction]:
        return [t for t in self.transactions if t.ref_transaction_id is None]

    def to_json(self) -> dict[str, Any]:
        last = self.transactions[-1] if self.transactions else None
        document: dict[str, Any] = {
            "merchantToken": self.merchant_token,
            "status": self.status,
            "operation": last.operation if last else None,
            "errorCode": last.result_code if last else None,
            "errorMessage": last.result_message if last else None,
            "currency": self.currency,
            "amount": self.amount,
            "ctrlCustomData": self.custom_data,
            "order": {"id": self.order_id},
            "transactions": [transaction.to_json() for transaction in self.transactions],
        }
        document.update(self.tampered)
        return document


@dataclass(frozen=True)
class ReceivedRequest:
    """An API call as the fake received it."""

    method: str
    path: str
    params: dict[str, str]
    headers: httpx.Headers
    json: Any
    timeout: dict[str, float | None]


@dataclass(frozen=True)
class Callback:
    """A callback the fake posted to a payment's ``ctrlCallbackURL``."""

    url: str
    headers: dict[str, str]
    body: bytes
    merchant_token: str


class FakeConnect2Pay:
    def __init__(
        self,
        *,
        originator: str = DEFAULT_ORIGINATOR,
        password: str = DEFAULT_PASSWORD,
        base_url: str = DEFAULT_BASE_URL,
        max_attempts: int = 3,
        on_callback: Callable[[Callback], None] | None = None,
    ) -> None:
        self.originator = originator
        self.password = password
        self.base_url = base_url.rstrip("/")
        self.max_attempts = max_attempts
        self.on_callback = on_callback
        self.payments: dict[str, FakePayment] = {}
        self.received: list[ReceivedRequest] = []
        self.callbacks: list[Callback] = []
        self._by_customer_token: dict[str, str] = {}
        self._transactions: dict[str, FakeTransaction] = {}
        self._faults: list[httpx.Response | Exception] = []
        self._clock_ms = 1_767_225_600_000  # 2026-01-01T00:00:00Z
        self._lock = threading.Lock()

    # -- wiring ---------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            return self._handle(request)

    # -- test controls: the customer --------------------------------------------------

    def payment(self, token: str) -> FakePayment:
        """A payment by its merchant token or its customer token."""
        merchant_token = self._by_customer_token.get(token, token)
        try:
            return self.payments[merchant_token]
        except KeyError:
            raise FakeCustomerError(f"no payment with token {token!r}") from None

    def begin_challenge(self, token: str) -> None:
        """The customer entered a card and is on the 3-D Secure challenge page."""
        with self._lock:
            payment = self._payable(token)
            payment.status = STATUS_PENDING

    def pay(self, token: str, outcome: CustomerOutcome) -> FakeTransaction:
        """The customer submits a card on the hosted page; the attempt is processed."""
        with self._lock:
            payment = self._payable(token)
            status, code, message, challenged = _OUTCOMES[outcome]
            transaction = self._new_transaction(
                payment,
                operation="sale",
                amount=payment.amount,
                result_code=code,
                result_message=message,
                status=STATUS_AUTHORIZED if code == RESULT_SUCCESS else status,
                is_3d_secure=challenged,
            )
            payment.status = status
            callback = self._callback(payment)
        if self.on_callback is not None:
            self.on_callback(callback)
        return transaction

    def expire(self, token: str) -> None:
        """The payment page's validity runs out before the customer pays."""
        with self._lock:
            payment = self._payable(token)
            payment.status = STATUS_EXPIRED

    def last_callback(self, token: str) -> Callback:
        merchant_token = self.payment(token).merchant_token
        for callback in reversed(self.callbacks):
            if callback.merchant_token == merchant_token:
                return callback
        raise FakeCustomerError(f"no callback was sent for {token!r}")

    # -- test controls: the provider misbehaving --------------------------------------

    def fail_next(self, fault: httpx.Response | Exception) -> None:
        """Answer the next API call with this response, or raise this (transport) error."""
        with self._lock:
            self._faults.append(fault)

    def tamper(self, token: str, **fields: Any) -> None:
        """Overwrite fields of the payment's status answer (an undocumented answer)."""
        with self._lock:
            self.payment(token).tampered.update(fields)

    # -- the API --------------------------------------------------------------------

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        page = _PAGE.fullmatch(path)
        if request.method == "GET" and page and page["token"] in self._by_customer_token:
            return self._hosted_page(page["token"])
        body = request.read()
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = _UNPARSABLE
        self.received.append(
            ReceivedRequest(
                method=request.method,
                path=path,
                params=dict(request.url.params),
                headers=request.headers,
                json=document,
                timeout=dict(request.extensions.get("timeout", {})),
            )
        )
        if self._faults:
            fault = self._faults.pop(0)
            if isinstance(fault, Exception):
                raise fault
            return fault
        if not self._authenticated(request):
            return _answer(403, "403", "Authentication failed")
        if document is _UNPARSABLE:
            return _answer(400, "402", "JSON error")
        if request.method == "POST" and _PREPARE.fullmatch(path):
            return self._prepare(document)
        status = _STATUS.fullmatch(path)
        if request.method == "GET" and status:
            return self._status(status["token"], request.url.params)
        refund = _REFUND.fullmatch(path)
        if request.method == "POST" and refund:
            return self._refund(refund["transaction"], document)
        return _answer(404, "404", "Not found")

    def _authenticated(self, request: httpx.Request) -> bool:
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Basic":
            return False
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except ValueError:
            return False
        return secrets.compare_digest(decoded, f"{self.originator}:{self.password}")

    def _prepare(self, document: Any) -> httpx.Response:
        problem = _prepare_problem(document)
        if problem is not None:
            return _answer(400, "400", problem)
        merchant_token = secrets.token_urlsafe(16)
        customer_token = secrets.token_urlsafe(16)
        self.payments[merchant_token] = FakePayment(
            merchant_token=merchant_token,
            customer_token=customer_token,
            prepare_body=document,
            amount=document["amount"],
            currency=document["currency"],
            order_id=document["order"]["id"],
            callback_url=document["ctrlCallbackURL"],
            redirect_url=document.get("ctrlRedirectURL"),
            custom_data=document.get("ctrlCustomData"),
        )
        self._by_customer_token[customer_token] = merchant_token
        return httpx.Response(
            200,
            json={
                "code": "200",
                "message": "Request processed successfully",
                "merchantToken": merchant_token,
                "customerToken": customer_token,
            },
        )

    def _status(self, merchant_token: str, params: httpx.QueryParams) -> httpx.Response:
        if "apiVersion" not in params:
            return _answer(400, "400", "Missing parameter: apiVersion")
        payment = self.payments.get(merchant_token)
        if payment is None:
            return _answer(404, "404", "Payment not found")
        return httpx.Response(200, json=payment.to_json())

    def _refund(self, transaction_id: str, document: Any) -> httpx.Response:
        if not isinstance(document, dict) or "apiVersion" not in document:
            return _answer(400, "400", "Missing parameter: apiVersion")
        amount = document.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            return _answer(400, "400", "Bad parameter: amount")
        original = self._transactions.get(transaction_id)
        if original is None:
            return _answer(404, "404", "Transaction not found")
        refundable = original.amount - original.refunded_amount
        if (
            original.operation != "sale"
            or original.result_code != RESULT_SUCCESS
            or amount > refundable
        ):
            return httpx.Response(
                200,
                json={
                    "code": RESULT_REFUND_REFUSED,
                    "message": f"Refund refused: {refundable} refundable",
                    "operation": "refund",
                },
            )
        payment = self.payments[original.merchant_token]
        original.refunded_amount += amount
        refund = self._new_transaction(
            payment,
            operation="refund",
            amount=amount,
            result_code=RESULT_SUCCESS,
            result_message="Transaction successfully completed",
            status=STATUS_AUTHORIZED,
            ref_transaction_id=original.transaction_id,
        )
        return httpx.Response(
            200,
            json={
                "code": RESULT_SUCCESS,
                "message": "Transaction successfully completed",
                "transactionID": refund.transaction_id,
                "operation": "refund",
            },
        )

    def _hosted_page(self, customer_token: str) -> httpx.Response:
        payment = self.payments[self._by_customer_token[customer_token]]
        amount = f"{payment.amount / 100:.2f} {payment.currency}"
        html = f"<!doctype html><title>PayXpert</title><h1>Pay {amount}</h1><form></form>"
        return httpx.Response(200, html=html)

    # -- internals ------------------------------------------------------------------

    def _payable(self, token: str) -> FakePayment:
        payment = self.payment(token)
        if payment.status in (STATUS_AUTHORIZED, STATUS_EXPIRED):
            raise FakeCustomerError(f"payment is {payment.status}: the page no longer pays")
        if len(payment.attempts) >= self.max_attempts:
            raise FakeCustomerError("no attempt left on this payment page")
        return payment

    def _new_transaction(
        self,
        payment: FakePayment,
        *,
        operation: str,
        amount: int,
        result_code: str,
        result_message: str,
        status: str,
        is_3d_secure: bool = False,
        ref_transaction_id: str | None = None,
    ) -> FakeTransaction:
        self._clock_ms += 1000
        transaction = FakeTransaction(
            transaction_id=f"{secrets.token_hex(5)}-{secrets.token_hex(2)}",
            operation=operation,
            amount=amount,
            currency=payment.currency,
            result_code=result_code,
            result_message=result_message,
            status=status,
            date_ms=self._clock_ms,
            merchant_token=payment.merchant_token,
            ref_transaction_id=ref_transaction_id,
            is_3d_secure=is_3d_secure,
        )
        payment.transactions.append(transaction)
        self._transactions[transaction.transaction_id] = transaction
        return transaction

    def _callback(self, payment: FakePayment) -> Callback:
        callback = Callback(
            url=payment.callback_url,
            headers={"Content-Type": "application/json", "User-Agent": "Connect2Pay"},
            body=json.dumps(payment.to_json()).encode(),
            merchant_token=payment.merchant_token,
        )
        self.callbacks.append(callback)
        return callback


_UNPARSABLE = object()


def _answer(http_status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(http_status, json={"code": code, "message": message})


def _is_absolute_url(value: object) -> bool:
    if not isinstance(value, str) or len(value) > 2048:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _prepare_problem(document: Any) -> str | None:
    """Why Connect2Pay would refuse this ``payment/prepare`` body, or None."""
    if not isinstance(document, dict):
        return "Request body must be a JSON object"
    for name in ("apiVersion", "currency", "amount", "paymentMode", "order"):
        if name not in document:
            return f"Missing parameter: {name}"
    amount = document["amount"]
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        return "Bad parameter: amount (an integer number of cents)"
    if not isinstance(document["currency"], str) or not _CURRENCY.fullmatch(document["currency"]):
        return "Bad parameter: currency"
    if document["paymentMode"] not in ("Single", "OnShipping", "Recurrent", "InstalmentsPayments"):
        return "Bad parameter: paymentMode"
    if document.get("paymentMethod", "CreditCard") != "CreditCard":
        return "This fake only takes CreditCard payments"
    if document.get("operation", "sale") not in ("sale", "authorize"):
        return "Bad parameter: operation"
    order = document["order"]
    if not isinstance(order, dict) or not isinstance(order.get("id"), str):
        return "Missing parameter: order.id"
    if not 0 < len(order["id"]) <= 100:
        return "Bad parameter: order.id"
    shopper = document.get("shopper", {})
    if not isinstance(shopper, dict):
        return "Bad parameter: shopper"
    if not _is_absolute_url(document.get("ctrlCallbackURL")):
        return "Bad parameter: ctrlCallbackURL"
    if "ctrlRedirectURL" in document and not _is_absolute_url(document["ctrlRedirectURL"]):
        return "Bad parameter: ctrlRedirectURL"
    return None
