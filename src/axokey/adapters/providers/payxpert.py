"""The PayXpert adapter: Connect2Pay's hosted payment page, in production.

Flow. ``start_checkout`` prepares a payment (``POST /payment/prepare``: a 3-D Secure
card sale) and gives the customer ``{base}/payment/{customerToken}``, PayXpert's own
page: card numbers never reach us, and PayXpert runs the 3-D Secure challenge there.
The merchant token is our ``provider_reference``; it is known only to PayXpert and us.
``fetch_status`` reads ``GET /payment/{merchantToken}/status``; ``refund`` posts
``/transaction/{transactionID}/refund``. HTTP Basic authentication with the originator
id and its password; an explicit timeout on every call; any transport error, non-2xx
answer or unexpected body is a ``ProviderError``.

Notifications. When an attempt is processed, Connect2Pay POSTs the payment status JSON
to ``ctrlCallbackURL``. That callback is NOT signed: anyone can post one.
``parse_notification`` therefore only extracts which payment it is about (the merchant
token) and never trusts its status. The payment service must treat it as a hint: look
the merchant token up among its own payments (unknown: ignore), then confirm by calling
``fetch_status(merchant_token)`` and act only on that authenticated answer. The route
should answer the callback with ``CALLBACK_ACKNOWLEDGEMENT`` (HTTP 200): Connect2Pay
takes anything else as "not delivered".

Refunds are not idempotent at PayXpert (the API takes no idempotency key): record the
refund intent before calling, and never retry a call whose outcome is unknown without
first looking at the payment's status (its transactions list the refunds).

Transport is kept apart from translation (``payxpert_mapping``). The one I/O seam is
the ``httpx`` transport: tests pass an ``httpx.MockTransport`` wrapping a fake server.
"""

from __future__ import annotations

from collections.abc import Mapping
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
        answer = self._call(
            "GET",
            f"/payment/{quote(provider_reference, safe='')}/status",
            params={"apiVersion": mapping.API_VERSION},
        )
        return mapping.payment_state(answer, merchant_token=provider_reference)

    def refund(
        self,
        *,
        provider_reference: str,
        transaction_id: str,
        amount_minor: int,
        currency: str,
        refund_id: str,
    ) -> RefundOutcome:
        """Refund part or all of a sale to the card.

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
        return mapping.refund_outcome(answer)

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
