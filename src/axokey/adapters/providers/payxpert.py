"""The PayXpert adapter: Connect2Pay's hosted payment page, in production.

Flow. ``start_checkout`` prepares a payment (``POST /payment/prepare``: a 3-D Secure
card sale) and gives the customer ``{base}/payment/{customerToken}``, PayXpert's own
page: card numbers never reach us, and PayXpert runs the 3-D Secure challenge there.
The merchant token is our ``provider_reference``; it is known only to PayXpert and us.
``fetch_status`` reads ``GET /payment/{merchantToken}/status``; ``refund`` posts
``/transaction/{transactionID}/refund`` (and confirms a ``refund_request`` at
``.../refund/confirm``). HTTP Basic authentication with the originator id and its
password; an explicit timeout on every call; any transport error, non-2xx answer or
unexpected body is a ``ProviderError``. Routes: the PHP client's ``$API_ROUTES`` and
the Java client's ``APIRoute.java``.

Attempts. The account allows a number of attempts per payment page (``maxAttempts``):
after a refused attempt with attempts left the status is "Pending" and the customer
may try again on the same page; the payment stays open, its failure told.

Notifications. When an attempt is processed, Connect2Pay POSTs the payment status JSON
to ``ctrlCallbackURL`` (``handleCallbackStatus``). That callback is NOT signed: anyone
can post one (``examples/payment-callback.php`` says to authenticate it by the merchant
token). ``parse_notification`` therefore only extracts which payment it is about and
never trusts its status: the payment service looks the token up among its own
payments, then confirms with ``fetch_status``. The route answers
``CALLBACK_ACKNOWLEDGEMENT`` (HTTP 200): Connect2Pay takes anything else as "not
delivered" and, with automatic status resending on, sends it again.

The customer's return. Connect2Pay sends the browser to ``ctrlRedirectURL`` with a
form POST: ``data`` (the payment status, AES-128-ECB with the merchant token as key,
``handleRedirectStatus``) and ``customer`` (the customer token; the WooCommerce
module's ``handleFrontRedirect``). ``reference_from_return`` only tells which payment
it is: the status is fetched, as for a callback.

Refunds are not idempotent at PayXpert (the API takes no idempotency key). A refund
whose outcome is unknown is reconciled (``reconcile_refund``) from the payment's status,
which lists the refunds referring to the sale (API >= 002.51), and from
``/transaction/{id}/info`` (``refundedAmount``); only then is it sent again, and only if
PayXpert shows no trace of it.

Transport is kept apart from translation (``payxpert_mapping``). The one I/O seam is
the ``httpx`` transport: tests pass an ``httpx.MockTransport`` wrapping a fake server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from axokey.adapters.providers import payxpert_mapping as mapping
from axokey.adapters.providers.base import (
    CheckoutRequest,
    CheckoutSession,
    ProviderError,
    ProviderNotification,
    ProviderPaymentState,
    RefundOutcome,
    RefundStatus,
)
from axokey.config import Settings

# PayXpert's answers are small JSON documents; anything bigger is not one of them.
RESPONSE_MAX_BYTES = 1024 * 1024
NOTIFICATION_BODY_MAX_BYTES = 256 * 1024
CALLBACK_ACKNOWLEDGEMENT: Mapping[str, str] = {"status": "OK", "message": "Status recorded"}
USER_AGENT = "axokey-payxpert/1"


class PayXpertConfigurationError(ValueError):
    """The settings lack what the PayXpert adapter needs."""


class PayXpertProvider:
    """``PaymentProvider`` over Connect2Pay. Thread-safe (one ``httpx.Client``)."""

    name = mapping.PROVIDER_NAME
    # Connect2Pay's refund call takes no idempotency key: never resent blindly.
    refunds_are_idempotent = False

    def __init__(
        self,
        *,
        base_url: str,
        originator: str,
        password: str,
        timeout_seconds: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise PayXpertConfigurationError(f"PayXpert base URL {base_url!r} is not a URL")
        if not originator or not password:
            raise PayXpertConfigurationError("PayXpert needs an originator id and password")
        if timeout_seconds <= 0:
            raise PayXpertConfigurationError("the PayXpert timeout must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self._client = httpx.Client(
            base_url=self.base_url,
            auth=httpx.BasicAuth(originator, password),
            timeout=httpx.Timeout(timeout_seconds),
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        )

    def start_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        answer = self._call("POST", "/payment/prepare", json=mapping.prepare_body(request))
        merchant_token, customer_token = mapping.tokens_from_prepare(answer)
        return CheckoutSession(
            provider_reference=merchant_token,
            checkout_url=f"{self.base_url}/payment/{quote(customer_token, safe='')}",
        )

    def fetch_status(self, provider_reference: str) -> ProviderPaymentState:
        if not mapping.is_identifier(provider_reference):
            raise ValueError(f"{provider_reference!r} is not a PayXpert merchant token")
        answer = self._status_answer(provider_reference)
        return mapping.payment_state(answer, merchant_token=provider_reference)

    def _status_answer(self, merchant_token: str) -> object:
        return self._call(
            "GET",
            f"/payment/{quote(merchant_token, safe='')}/status",
            params={"apiVersion": mapping.API_VERSION},
        )

    def refund(
        self,
        *,
        provider_reference: str,
        transaction_id: str,
        amount_minor: int,
        currency: str,
        refund_id: str,
    ) -> RefundOutcome:
        """Refund part or all of a sale to the card (TransactionRefundRequest.java:
        the amount only). A ``refund_request`` answer is confirmed at once.

        Connect2Pay refunds in the sale's own currency and takes no reference of ours:
        ``currency``, ``provider_reference`` and ``refund_id`` are not sent.
        """
        if not mapping.is_identifier(transaction_id):
            raise ValueError(f"{transaction_id!r} is not a PayXpert transaction id")
        answer = self._call(
            "POST",
            f"/transaction/{quote(transaction_id, safe='')}/refund",
            json=mapping.refund_body(amount_minor),
        )
        outcome = mapping.refund_outcome(answer)
        if outcome.status is RefundStatus.PENDING and outcome.provider_refund_id is not None:
            return self._confirm_refund(outcome.provider_refund_id)
        return outcome

    def _confirm_refund(self, refund_request_id: str) -> RefundOutcome:
        """Confirm a refund request (APIRoute.TRANS_REFUND_CONFIRM, the Java client's
        ``refundConfirmTransaction``): a body with the API version only."""
        try:
            answer = self._call(
                "POST",
                f"/transaction/{quote(refund_request_id, safe='')}/refund/confirm",
                json={"apiVersion": mapping.API_VERSION},
            )
        except ProviderError:
            # The request exists at PayXpert; whether it got confirmed is unknown.
            return RefundOutcome(status=RefundStatus.PENDING, provider_refund_id=refund_request_id)
        confirmed = mapping.refund_outcome(answer)
        if confirmed.status is RefundStatus.PENDING:
            # Still not a refund: kept pending under the request's id, reconciled later.
            return RefundOutcome(status=RefundStatus.PENDING, provider_refund_id=refund_request_id)
        return confirmed

    def reconcile_refund(
        self,
        *,
        provider_reference: str,
        transaction_id: str,
        amount_minor: int,
        refund_id: str,
        provider_refund_id: str | None,
        known_refund_ids: Sequence[str],
    ) -> RefundOutcome:
        """What became of a refund whose outcome is unknown: the payment's status
        first (its refunds), then the sale's transaction info (its refunded amount)."""
        if not mapping.is_identifier(provider_reference) or not mapping.is_identifier(
            transaction_id
        ):
            raise ValueError("not a PayXpert merchant token and transaction id")
        status = self._status_answer(provider_reference)
        trace = mapping.refund_trace(
            status,
            merchant_token=provider_reference,
            sale_transaction_id=transaction_id,
            amount_minor=amount_minor,
            provider_refund_id=provider_refund_id,
            known_refund_ids=known_refund_ids,
        )
        if trace is not None:
            if trace.confirm is not None:
                return self._confirm_refund(trace.confirm)
            return trace.outcome
        if provider_refund_id is not None:
            # PayXpert gave us this id, yet the status does not list it: not decidable.
            return RefundOutcome(status=RefundStatus.PENDING, provider_refund_id=provider_refund_id)
        info = self._call("GET", f"/transaction/{quote(transaction_id, safe='')}/info")
        return mapping.refund_not_received(
            mapping.refunded_amount(info, sale_transaction_id=transaction_id),
            mapping.known_refunds_amount(
                status, sale_transaction_id=transaction_id, known_refund_ids=known_refund_ids
            ),
        )

    def release_authorisation(
        self, *, provider_reference: str, transaction_id: str, amount_minor: int
    ) -> None:
        """Void an authorisation (APIRoute.TRANS_CANCEL; the PHP client's
        ``cancelTransaction($transactionID, $amount)``)."""
        if not mapping.is_identifier(transaction_id):
            raise ValueError(f"{transaction_id!r} is not a PayXpert transaction id")
        answer = self._call(
            "POST",
            f"/transaction/{quote(transaction_id, safe='')}/cancel",
            json=mapping.cancel_body(amount_minor),
        )
        if not mapping.cancel_succeeded(answer):
            raise ProviderError("PayXpert refused to cancel the authorisation")

    def reference_from_return(
        self, fields: Mapping[str, str], candidates: Sequence[str]
    ) -> str | None:
        return mapping.reference_from_return(fields, candidates)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderNotification:
        """Which payment an (unsigned) callback is about. A hint only: see the module doc."""
        return mapping.notification_from_callback(body, body_max_bytes=NOTIFICATION_BODY_MAX_BYTES)

    def acknowledge_notification(self, outcome: str) -> dict[str, str]:
        # Connect2Pay takes any other answer as an undelivered callback.
        return dict(CALLBACK_ACKNOWLEDGEMENT)

    def deliver_pending_notifications(self, *, limit: int) -> int:
        # Connect2Pay keeps and retries its own callbacks: nothing is owed from here.
        return 0

    def close(self) -> None:
        self._client.close()

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> object:
        """One request; its JSON answer, or ``ProviderError``."""
        try:
            response = self._client.request(method, path, json=json, params=params)
        except httpx.HTTPError as error:
            raise ProviderError(f"PayXpert {method} {path} failed: {error!r}") from error
        if not response.is_success:
            raise ProviderError(f"PayXpert {method} {path} answered HTTP {response.status_code}")
        if len(response.content) > RESPONSE_MAX_BYTES:
            raise ProviderError(f"PayXpert {method} {path} answered too large a body")
        try:
            return response.json()
        except ValueError as error:
            raise ProviderError(f"PayXpert {method} {path} answered no JSON") from error


def build_payxpert(
    settings: Settings, transport: httpx.BaseTransport | None = None
) -> PayXpertProvider:
    """The PayXpert provider configured by ``AXOKEY_PAYXPERT_*`` settings."""
    missing = [
        name
        for name, value in (
            ("AXOKEY_PAYXPERT_ORIGINATOR", settings.payxpert_originator),
            ("AXOKEY_PAYXPERT_PASSWORD", settings.secret("payxpert_password")),
        )
        if not value
    ]
    if missing:
        raise PayXpertConfigurationError(
            f"the PayXpert provider needs {' and '.join(missing)} to be set"
        )
    password = settings.secret("payxpert_password")
    assert settings.payxpert_originator is not None and password is not None
    return PayXpertProvider(
        base_url=settings.payxpert_base_url,
        originator=settings.payxpert_originator,
        password=password,
        timeout_seconds=settings.provider_http_timeout_seconds,
        transport=transport,
    )


__all__ = [
    "CALLBACK_ACKNOWLEDGEMENT",
    "PayXpertConfigurationError",
    "PayXpertProvider",
    "build_payxpert",
]
