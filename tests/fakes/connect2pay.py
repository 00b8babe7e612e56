"""A fake Connect2Pay (PayXpert's payment page API), in memory, served over HTTP.

Written from PayXpert's official sources, read for this and cited next to each
behaviour they confirm (nothing copied):

- [PHP] connect2pay-php-client: ``src/Connect2PayClient.php`` (``$API_ROUTES``,
  ``preparePayment``, ``handleCallbackStatus``, ``handleRedirectStatus``,
  ``refundTransaction``, ``cancelTransaction``, ``getTransactionInfo``),
  ``containers/response/PaymentStatus.php``, ``TransactionAttempt.php``,
  ``AccountInformation.php`` (``maxAttempts``), ``examples/payment-callback.php``,
  ``examples/payment-return.php``.
- [JAVA] connect2pay-java-client: ``constants/APIRoute.java``,
  ``constants/PaymentStatusValue.java``, ``constants/TransactionOperation.java``,
  ``client/response/TransactionOperationResponse.java``,
  ``client/response/TransactionInfoResponse.java``,
  ``requests/TransactionRefundRequest.java``, ``TransactionRefundConfirmRequest.java``,
  ``utils/Connect2payRESTClient.java`` (Basic authentication, 403, 404).
- [WOO] connect2pay-woocommerce-module: ``handleFrontRedirect`` (the browser's POST of
  ``data`` and ``customer``), ``Payxpert_Payment_Transaction.php`` (``-1``, ``-2``),
  ``WC_Payxpert_Webservice::getAccountInfo`` (``maxAttempts``, ``defaultOperation``).
- [PRESTA] connect2pay-prestashop-module: ``PayxpertPaymentTransaction.php`` (the same
  cancel codes), its callback controller (``-2`` on a callback is a cancellation).

What no source confirms is listed in ``ASSUMPTIONS`` below, and nowhere else.

The API calls (Basic authentication [JAVA Connect2payRESTClient]):

- ``POST /payment/prepare`` -> ``{code: "200", message, merchantToken, customerToken}``;
- ``GET /payment/{merchantToken}/status?apiVersion=...`` -> the payment status;
- ``POST /transaction/{id}/refund`` and ``.../refund/confirm``, ``.../cancel`` ->
  ``{code, message, transactionID, operation}``;
- ``GET /transaction/{id}/info`` -> ``{transactionInfo: {...}}``;
- ``GET /payment/{customerToken}`` -> the hosted page (the browser; no authentication).

Tests reach it through ``httpx.MockTransport(fake.handle)`` (``fake.transport()``).
They play the customer with ``pay(token, outcome)`` (one attempt), ``cancel(token)``,
``expire(token)``; ``browser_return(token)`` is the POST the browser makes to
``ctrlRedirectURL`` once the customer is done. After each processed attempt the fake
"posts" the status to ``ctrlCallbackURL``: kept in ``fake.callbacks`` and handed to
``on_callback``.
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

from axokey.adapters.providers.payxpert_mapping import encrypt_redirect_status

# Everything this fake does that no PayXpert source confirms. Each entry names the
# behaviour and where the fake relies on it.
ASSUMPTIONS = {
    "pending_before_attempt": "No source says what the status is before any attempt but "
    "'Not processed'; the fake never answers Pending without a refused attempt.",
    "attempts_exhausted": "After the last allowed attempt (maxAttempts) is refused, the "
    "status is 'Not authorized'; while attempts remain it is 'Pending' "
    "(AccountInformation.php only says 'the number of attempts allowed').",
    "challenge_failure_code": "A failed 3-D Secure challenge is refused with result code "
    "'005' (declined): no source gives the code of a failed challenge.",
    "cancel_codes": "When the customer leaves the page, the status keeps its label and its "
    "errorCode becomes '-1'; the callback then carries errorCode '-2'. The modules only "
    "show that '-1' comes back with the browser and '-2' with a callback.",
    "call_failed_code": "'Call failed' carries no result code of its own (none is "
    "documented); the attempt's resultCode is left empty.",
    "refund_above_refundable": "A refund above what is left to refund is refused with "
    "code '064' (suggested by PayXpert's gateway table, not by the Connect2Pay clients).",
    "refund_request_mode": "Whether a refund comes back as 'refund' or 'refund_request' is "
    "an account setting (refund_mode here); the confirmation keeps the request's "
    "transactionID and turns its operation into 'refund'.",
    "refunds_count_when_confirmed": "A refund request moves no money, and adds to the "
    "sale's refundedAmount, only once confirmed.",
    "default_operation": "An account whose default operation is 'authorize' turns a "
    "requested 'sale' into an authorisation (forced_operation here).",
    "cancel_of_authorisation": "/transaction/:id/cancel of an authorisation answers code "
    "'000' with operation 'cancel' and lists a 'cancel' transaction referring to it.",
    "callback_resending": "The fake posts each callback once; PayXpert's automatic "
    "status resending (an account setting) is played by the test delivering it again.",
}

DEFAULT_BASE_URL = "https://connect2.payxpert.test"
DEFAULT_ORIGINATOR = "104211"
DEFAULT_PASSWORD = "c2p-test-password"

# Result codes confirmed by PayXpert's material (see payxpert_mapping).
RESULT_SUCCESS = "000"
RESULT_DECLINED = "005"
RESULT_INSUFFICIENT_FUNDS = "051"
RESULT_AUTHENTICATION_REQUIRED = "065"
RESULT_CUSTOMER_CANCEL = "-1"  # [WOO] RESULT_CODE_CANCEL
RESULT_CALLBACK_CANCEL = "-2"  # [WOO] RESULT_CODE_CALLBACK_CANCEL
RESULT_REFUND_REFUSED = "064"  # ASSUMPTIONS["refund_above_refundable"]

# [JAVA PaymentStatusValue] the six payment statuses.
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

# [JAVA TransactionOperation]
OPERATION_SALE = "sale"
OPERATION_AUTHORIZE = "authorize"
OPERATION_REFUND = "refund"
OPERATION_REFUND_REQUEST = "refund_request"
OPERATION_CANCEL = "cancel"

_TOKEN_SEGMENT = r"[A-Za-z0-9_-]+"
# [PHP $API_ROUTES], [JAVA APIRoute]
_PREPARE = re.compile(r"/payment/prepare")
_STATUS = re.compile(rf"/payment/(?P<token>{_TOKEN_SEGMENT})/status")
_PAGE = re.compile(rf"/payment/(?P<token>{_TOKEN_SEGMENT})")
_REFUND = re.compile(rf"/transaction/(?P<transaction>{_TOKEN_SEGMENT})/refund")
_REFUND_CONFIRM = re.compile(rf"/transaction/(?P<transaction>{_TOKEN_SEGMENT})/refund/confirm")
_CANCEL = re.compile(rf"/transaction/(?P<transaction>{_TOKEN_SEGMENT})/cancel")
_INFO = re.compile(rf"/transaction/(?P<transaction>{_TOKEN_SEGMENT})/info")
_CURRENCY = re.compile(r"[A-Z]{3}")


class CustomerOutcome(StrEnum):
    """What one attempt of the customer on the hosted page comes to."""

    SUCCEED = "succeed"  # frictionless 3-D Secure, authorised
    SUCCEED_AFTER_CHALLENGE = "succeed_after_challenge"  # challenge passed, authorised
    FAIL_CHALLENGE = "fail_challenge"  # wrong one-time code: refused
    DECLINE = "decline"  # the issuer declines
    INSUFFICIENT_FUNDS = "insufficient_funds"  # the issuer declines: not enough money
    AUTHENTICATION_REQUIRED = "authentication_required"  # soft decline: SCA asked
    CALL_FAIL = "call_fail"  # the acquirer cannot be reached


# outcome: (result code, result message, 3-D Secure done). Codes: see RESULT_*.
_OUTCOMES: dict[CustomerOutcome, tuple[str, str, bool]] = {
    CustomerOutcome.SUCCEED: (RESULT_SUCCESS, "Transaction successfully completed", False),
    CustomerOutcome.SUCCEED_AFTER_CHALLENGE: (
        RESULT_SUCCESS,
        "Transaction successfully completed",
        True,
    ),
    # ASSUMPTIONS["challenge_failure_code"]
    CustomerOutcome.FAIL_CHALLENGE: (RESULT_DECLINED, "Authentication failed", True),
    CustomerOutcome.DECLINE: (RESULT_DECLINED, "Authorization declined", False),
    CustomerOutcome.INSUFFICIENT_FUNDS: (RESULT_INSUFFICIENT_FUNDS, "Insufficient funds", False),
    CustomerOutcome.AUTHENTICATION_REQUIRED: (
        RESULT_AUTHENTICATION_REQUIRED,
        "Soft decline: authentication required",
        False,
    ),
    # ASSUMPTIONS["call_failed_code"]
    CustomerOutcome.CALL_FAIL: ("", "Acquirer unreachable", False),
}


class FakeCustomerError(Exception):
    """The test asked the fake customer for something the payment page would not allow."""


@dataclass
class FakeTransaction:
    """[PHP TransactionAttempt.php] one transaction of a payment."""

    transaction_id: str
    operation: str
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
            "date": self.date_ms,  # [PHP getDateAsDateTime] milliseconds
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
    operation: str
    status: str = STATUS_NOT_PROCESSED
    error_code: str | None = None
    error_message: str | None = None
    transactions: list[FakeTransaction] = field(default_factory=list)
    # Fields a test overwrote to simulate an answer outside the documentation.
    tampered: dict[str, Any] = field(default_factory=dict)

    @property
    def attempts(self) -> list[FakeTransaction]:
        """[PHP getLastInitialTransactionAttempt] the customer's own attempts."""
        return [t for t in self.transactions if t.ref_transaction_id is None]

    def to_json(self) -> dict[str, Any]:
        # [PHP PaymentStatus.php] operation, errorCode, errorMessage: of the last
        # transaction; amount and currency: of the payment; order.id; transactions
        # (refunds among them, referring to their sale).
        last = self.transactions[-1] if self.transactions else None
        document: dict[str, Any] = {
            "merchantToken": self.merchant_token,
            "status": self.status,
            "operation": last.operation if last else None,
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
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
    """A callback the fake posted to a payment's ``ctrlCallbackURL``
    ([PHP handleCallbackStatus]: the status JSON as the request body)."""

    url: str
    headers: dict[str, str]
    body: bytes
    merchant_token: str


@dataclass(frozen=True)
class BrowserReturn:
    """The form the browser POSTs to ``ctrlRedirectURL`` ([WOO handleFrontRedirect]:
    ``data`` and ``customer``; [PHP handleRedirectStatus]: ``data`` is the status,
    AES-128-ECB with the merchant token as key, URL-safe base64)."""

    url: str
    fields: dict[str, str]


class FakeConnect2Pay:
    def __init__(
        self,
        *,
        originator: str = DEFAULT_ORIGINATOR,
        password: str = DEFAULT_PASSWORD,
        base_url: str = DEFAULT_BASE_URL,
        max_attempts: int = 3,
        refund_mode: str = OPERATION_REFUND,
        forced_operation: str | None = None,
        on_callback: Callable[[Callback], None] | None = None,
    ) -> None:
        if refund_mode not in (OPERATION_REFUND, OPERATION_REFUND_REQUEST):
            raise ValueError("refund_mode is 'refund' or 'refund_request'")
        self.originator = originator
        self.password = password
        self.base_url = base_url.rstrip("/")
        # [PHP AccountInformation::maxAttempts] attempts allowed per payment page.
        self.max_attempts = max_attempts
        self.refund_mode = refund_mode  # ASSUMPTIONS["refund_request_mode"]
        self.forced_operation = forced_operation  # ASSUMPTIONS["default_operation"]
        self.on_callback = on_callback
        self.payments: dict[str, FakePayment] = {}
        self.received: list[ReceivedRequest] = []
        self.callbacks: list[Callback] = []
        self._by_customer_token: dict[str, str] = {}
        self._transactions: dict[str, FakeTransaction] = {}
        self._faults: list[httpx.Response | Exception] = []
        self._fault_paths: list[tuple[str, httpx.Response | Exception]] = []
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

    def pay(self, token: str, outcome: CustomerOutcome) -> FakeTransaction:
        """The customer submits a card on the hosted page; the attempt is processed
        and the callback posted. A refused attempt leaves the page open ("Pending")
        while attempts remain ([PHP AccountInformation::maxAttempts];
        ASSUMPTIONS["attempts_exhausted"])."""
        with self._lock:
            payment = self._payable(token)
            code, message, challenged = _OUTCOMES[outcome]
            succeeded = code == RESULT_SUCCESS
            if outcome is CustomerOutcome.CALL_FAIL:
                transaction_status = STATUS_CALL_FAILED
            else:
                transaction_status = STATUS_AUTHORIZED if succeeded else STATUS_NOT_AUTHORIZED
            transaction = self._new_transaction(
                payment,
                operation=payment.operation,
                amount=payment.amount,
                result_code=code,
                result_message=message,
                status=transaction_status,
                is_3d_secure=challenged,
            )
            payment.error_code, payment.error_message = code, message
            if succeeded:
                payment.status = STATUS_AUTHORIZED
            elif outcome is CustomerOutcome.CALL_FAIL:
                payment.status = STATUS_CALL_FAILED
            elif len(payment.attempts) < self.max_attempts:
                payment.status = STATUS_PENDING
            else:
                payment.status = STATUS_NOT_AUTHORIZED
            callback = self._callback(payment)
        if self.on_callback is not None:
            self.on_callback(callback)
        return transaction

    def cancel(self, token: str) -> None:
        """The customer leaves the payment page ([WOO] ``-1``; the callback says
        ``-2``: ASSUMPTIONS["cancel_codes"])."""
        with self._lock:
            payment = self._payable(token)
            payment.error_code = RESULT_CALLBACK_CANCEL
            payment.error_message = "Payment cancelled"
            callback = self._callback(payment)
            payment.error_code = RESULT_CUSTOMER_CANCEL
            payment.error_message = "Customer left the payment page"
        if self.on_callback is not None:
            self.on_callback(callback)

    def expire(self, token: str) -> None:
        """The payment page's validity runs out ([JAVA PaymentStatusValue.EXPIRED])."""
        with self._lock:
            payment = self._payable(token)
            payment.status = STATUS_EXPIRED

    def browser_return(self, token: str) -> BrowserReturn:
        """What the browser POSTs to ``ctrlRedirectURL`` now."""
        with self._lock:
            payment = self.payment(token)
            if payment.redirect_url is None:
                raise FakeCustomerError("this payment was prepared without ctrlRedirectURL")
            data = encrypt_redirect_status(payment.to_json(), payment.merchant_token)
            return BrowserReturn(
                url=payment.redirect_url,
                fields={"data": data, "customer": payment.customer_token},
            )

    def last_callback(self, token: str) -> Callback:
        merchant_token = self.payment(token).merchant_token
        for callback in reversed(self.callbacks):
            if callback.merchant_token == merchant_token:
                return callback
        raise FakeCustomerError(f"no callback was sent for {token!r}")

    # -- test controls: the provider misbehaving --------------------------------------

    def fail_next(self, fault: httpx.Response | Exception, *, path_suffix: str = "") -> None:
        """Answer the next API call (whose path ends with ``path_suffix``) with this
        response, or raise this (transport) error."""
        with self._lock:
            if path_suffix:
                self._fault_paths.append((path_suffix, fault))
            else:
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
        fault = self._fault_for(path)
        if fault is not None:
            if isinstance(fault, Exception):
                raise fault
            return fault
        if not self._authenticated(request):
            return _answer(403, "403", "Authentication failed")  # [JAVA ResultCode 403]
        if document is _UNPARSABLE:
            return _answer(400, "402", "JSON error")  # [JAVA ResultCode JSON_ERROR]
        if request.method == "POST" and _PREPARE.fullmatch(path):
            return self._prepare(document)
        status = _STATUS.fullmatch(path)
        if request.method == "GET" and status:
            return self._status(status["token"], request.url.params)
        confirm = _REFUND_CONFIRM.fullmatch(path)
        if request.method == "POST" and confirm:
            return self._confirm_refund(confirm["transaction"], document)
        refund = _REFUND.fullmatch(path)
        if request.method == "POST" and refund:
            return self._refund(refund["transaction"], document)
        cancel = _CANCEL.fullmatch(path)
        if request.method == "POST" and cancel:
            return self._cancel(cancel["transaction"], document)
        info = _INFO.fullmatch(path)
        if request.method == "GET" and info:
            return self._info(info["transaction"])
        return _answer(404, "404", "Not found")

    def _fault_for(self, path: str) -> httpx.Response | Exception | None:
        for index, (suffix, fault) in enumerate(self._fault_paths):
            if path.endswith(suffix):
                del self._fault_paths[index]
                return fault
        return self._faults.pop(0) if self._faults else None

    def _authenticated(self, request: httpx.Request) -> bool:
        # [JAVA Connect2payRESTClient.addBasicAuthentication] originator and password.
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
        # 16 random bytes, URL-safe base64: the AES-128 key of the browser's return
        # [PHP handleRedirectStatus decodes the merchant token as the key].
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
            operation=self.forced_operation or document.get("operation", OPERATION_SALE),
        )
        self._by_customer_token[customer_token] = merchant_token
        # [PHP PaymentPrepareResponse] code "200", merchantToken, customerToken.
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
        # [JAVA TransactionRefundRequest] the amount, in cents; the answer is a
        # [JAVA TransactionOperationResponse].
        if not isinstance(document, dict) or "apiVersion" not in document:
            return _answer(400, "400", "Missing parameter: apiVersion")
        amount = document.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            return _answer(400, "400", "Bad parameter: amount")
        original = self._transactions.get(transaction_id)
        if original is None:
            return _answer(404, "404", "Transaction not found")
        payment = self.payments[original.merchant_token]
        if (
            original.operation != OPERATION_SALE
            or original.result_code != RESULT_SUCCESS
            or amount > self._refundable(payment, original)
        ):
            return httpx.Response(  # ASSUMPTIONS["refund_above_refundable"]
                200,
                json={
                    "code": RESULT_REFUND_REFUSED,
                    "message": "Refund refused: amount above what is refundable",
                    "operation": OPERATION_REFUND,
                },
            )
        refund = self._new_transaction(
            payment,
            operation=self.refund_mode,
            amount=amount,
            result_code=RESULT_SUCCESS,
            result_message="Transaction successfully completed",
            status=STATUS_AUTHORIZED,
            ref_transaction_id=original.transaction_id,
        )
        if self.refund_mode == OPERATION_REFUND:
            original.refunded_amount += amount  # [PHP TransactionAttempt::refundedAmount]
        return _operation_answer(refund)

    def _confirm_refund(self, transaction_id: str, document: Any) -> httpx.Response:
        # [JAVA APIRoute.TRANS_REFUND_CONFIRM, refundConfirmTransaction]: a body with
        # the API version; ASSUMPTIONS["refund_request_mode"].
        if not isinstance(document, dict) or "apiVersion" not in document:
            return _answer(400, "400", "Missing parameter: apiVersion")
        request = self._transactions.get(transaction_id)
        if request is None or request.operation not in (OPERATION_REFUND_REQUEST, OPERATION_REFUND):
            return _answer(404, "404", "Transaction not found")
        if request.operation == OPERATION_REFUND_REQUEST:
            request.operation = OPERATION_REFUND
            sale = self._transactions[request.ref_transaction_id or ""]
            sale.refunded_amount += request.amount  # ASSUMPTIONS["refunds_count_when_confirmed"]
        return _operation_answer(request)

    def _cancel(self, transaction_id: str, document: Any) -> httpx.Response:
        # [PHP cancelTransaction($transactionID, $amount)], [JAVA APIRoute.TRANS_CANCEL];
        # ASSUMPTIONS["cancel_of_authorisation"].
        if not isinstance(document, dict) or "apiVersion" not in document:
            return _answer(400, "400", "Missing parameter: apiVersion")
        original = self._transactions.get(transaction_id)
        if original is None:
            return _answer(404, "404", "Transaction not found")
        payment = self.payments[original.merchant_token]
        cancelled = any(
            t.ref_transaction_id == transaction_id and t.operation == OPERATION_CANCEL
            for t in payment.transactions
        )
        if original.operation != OPERATION_AUTHORIZE or cancelled:
            return httpx.Response(
                200,
                json={
                    "code": RESULT_REFUND_REFUSED,
                    "message": "Cannot cancel",
                    "operation": "cancel",
                },
            )
        cancel = self._new_transaction(
            payment,
            operation=OPERATION_CANCEL,
            amount=original.amount,
            result_code=RESULT_SUCCESS,
            result_message="Transaction successfully completed",
            status=STATUS_AUTHORIZED,
            ref_transaction_id=original.transaction_id,
        )
        return _operation_answer(cancel)

    def _info(self, transaction_id: str) -> httpx.Response:
        # [JAVA TransactionInfoResponse] the attempt under ``transactionInfo``.
        transaction = self._transactions.get(transaction_id)
        if transaction is None:
            return _answer(404, "404", "Transaction not found")
        return httpx.Response(200, json={"transactionInfo": transaction.to_json()})

    def _hosted_page(self, customer_token: str) -> httpx.Response:
        payment = self.payments[self._by_customer_token[customer_token]]
        amount = f"{payment.amount / 100:.2f} {payment.currency}"
        html = f"<!doctype html><title>PayXpert</title><h1>Pay {amount}</h1><form></form>"
        return httpx.Response(200, html=html)

    # -- internals ------------------------------------------------------------------

    def _refundable(self, payment: FakePayment, sale: FakeTransaction) -> int:
        """What is left to refund of a sale, pending refund requests included."""
        requested = sum(
            t.amount
            for t in payment.transactions
            if t.ref_transaction_id == sale.transaction_id
            and t.operation == OPERATION_REFUND_REQUEST
        )
        return sale.amount - sale.refunded_amount - requested

    def _payable(self, token: str) -> FakePayment:
        payment = self.payment(token)
        if payment.status in (STATUS_AUTHORIZED, STATUS_EXPIRED, STATUS_NOT_AUTHORIZED):
            raise FakeCustomerError(f"payment is {payment.status}: the page no longer pays")
        if payment.error_code == RESULT_CUSTOMER_CANCEL:
            raise FakeCustomerError("the customer left this payment page")
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
        # [PHP examples/payment-callback.php] the status JSON, to ctrlCallbackURL.
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


def _operation_answer(transaction: FakeTransaction) -> httpx.Response:
    # [JAVA TransactionOperationResponse] code, message, transactionID, operation.
    return httpx.Response(
        200,
        json={
            "code": transaction.result_code,
            "message": transaction.result_message,
            "transactionID": transaction.transaction_id,
            "operation": transaction.operation,
        },
    )


def _is_absolute_url(value: object) -> bool:
    if not isinstance(value, str) or len(value) > 2048:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _prepare_problem(document: Any) -> str | None:
    """Why Connect2Pay would refuse this ``payment/prepare`` body, or None
    ([PHP $fieldsRequired, $fieldsSize, $fieldsValidate])."""
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
    if document.get("operation", OPERATION_SALE) not in (OPERATION_SALE, OPERATION_AUTHORIZE):
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
