"""The web pages (HTML), served by the API's app on the same origin.

Routes stay thin: each turns a path or a form into one service call and renders a
template. Every page carries a strict Content-Security-Policy (scripts and styles
come from ``/static`` only, nothing inline), ``nosniff``, and
``Referrer-Policy: no-referrer`` — the customer's link carries its secret token in
the path, and must never leak to another site in a ``Referer`` header. Expected
errors become HTML pages with the error's status, never a JSON problem.

The scanner and the dashboard are static shells: their scripts call the JSON API
with the API key the professional pastes (kept in ``sessionStorage`` only), so the
pages themselves need no server-side authentication.

Card numbers typed on the sandbox's card page go to ``SandboxProvider.submit_card``
and nowhere else: they are never logged, stored (the sandbox keeps the last four
digits) or echoed back into a page.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import iso4217
import jinja2
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from axokey.adapters import qr_images
from axokey.adapters.providers import sandbox as sandbox_cards
from axokey.adapters.providers.base import (
    HostedTestPayments,
    PaymentStatus,
    ProviderError,
    ProviderPaymentState,
)
from axokey.api.deps import ContextDep
from axokey.domain.errors import AxokeyError, FieldError, NotFound, ValidationFailed
from axokey.domain.money import currency_exponent
from axokey.domain.orders import OPEN_STATUSES, OrderStatus
from axokey.services import ordering
from axokey.services import payments as payment_service
from axokey.services.context import ServiceContext

WEB_DIRECTORY = Path(__file__).parent

# No 'unsafe-inline' anywhere: scripts and styles are files under /static. No
# form-action: the Pay form's redirect goes to the provider's hosted page, and the
# sandbox's pages redirect to the merchant's return URL, both on other origins.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
# Longer than any card number (19 digits) with room for the spaces people type.
CARD_NUMBER_INPUT_MAX_LENGTH = 32
OTP_INPUT_MAX_LENGTH = 12

TEST_CARDS = (
    (sandbox_cards.CARD_SUCCEEDS, "succeeds without a challenge"),
    (
        sandbox_cards.CARD_NEEDS_CHALLENGE,
        f"asks for 3-D Secure: one-time code {sandbox_cards.CHALLENGE_OTP} passes",
    ),
    (sandbox_cards.CARD_DECLINED, "declined"),
    (sandbox_cards.CARD_INSUFFICIENT_FUNDS, "fails for insufficient funds"),
    (sandbox_cards.CARD_REFUNDS_FAIL, "succeeds, but refunds to it fail"),
)

ORDER_STATUS_LABELS = {
    OrderStatus.AWAITING_PAYMENT: "Awaiting payment",
    OrderStatus.PAID: "Paid — held in escrow",
    OrderStatus.PARTIALLY_REDEEMED: "Partly handed over",
    OrderStatus.COMPLETED: "Completed",
    OrderStatus.CANCELLED: "Cancelled",
    OrderStatus.EXPIRED: "Expired",
}
LINE_STATUS_LABELS = {
    "pending": "Not paid yet",
    "held": "Held until hand-over",
    "released": "Handed over",
    "refunded": "Refunded",
}
FAILURE_LABELS = {
    "card_declined": "the card was declined",
    "insufficient_funds": "the card has insufficient funds",
    "authentication_failed": "the 3-D Secure check failed",
    "provider_unavailable": "the payment provider could not be reached",
    "amount_mismatch": "the amount paid did not match the order",
}

router = APIRouter(include_in_schema=False)


class _StaticFiles(StaticFiles):
    """Static files, never sniffed into another type, revalidated on each use."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cache-Control", "no-cache")
        return response


router.mount("/static", _StaticFiles(directory=WEB_DIRECTORY / "static"), name="static")


# --- rendering -------------------------------------------------------------------


def format_money(amount_minor: int, currency: str) -> str:
    """An amount in minor units as text, with integer arithmetic only.

    >>> format_money(1234589, "EUR")
    '12,345.89 EUR'
    >>> format_money(500, "JPY")
    '500 JPY'
    """
    exponent = currency_exponent(currency)
    sign = "-" if amount_minor < 0 else ""
    units, minor = divmod(abs(amount_minor), 10**exponent)
    text = f"{units:,}" if exponent == 0 else f"{units:,}.{minor:0{exponent}d}"
    return f"{sign}{text} {currency}"


@lru_cache(maxsize=1)
def currency_exponents_json() -> str:
    """Every payable currency's exponent, for the scripts that format amounts."""
    exponents = {
        currency.code: currency.exponent
        for currency in iso4217.Currency
        if currency.exponent is not None
    }
    return json.dumps(exponents, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=1)
def _templates() -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(WEB_DIRECTORY / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["money"] = format_money
    return Jinja2Templates(env=environment)


def _page(request: Request, template: str, *, status: int = 200, **values: Any) -> Response:
    return _templates().TemplateResponse(
        request, template, values, status_code=status, headers=SECURITY_HEADERS
    )


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


def _error(request: Request, error: AxokeyError, *, back_url: str | None = None) -> Response:
    return _page(
        request,
        "error.html",
        status=error.status,
        title=error.title,
        detail=error.detail,
        back_url=back_url if error.status != 404 else None,
    )


def _order_path(order_id: str, token: str) -> str:
    return f"/orders/{quote(order_id, safe='')}/{quote(token, safe='')}"


# --- the customer's order page ------------------------------------------------------


@router.get("/orders/{order_id}/{token}", response_class=HTMLResponse)
def customer_order_page(
    order_id: str, token: str, request: Request, context: ContextDep
) -> Response:
    """The customer's page: the order, the Pay button, then the QR code."""
    try:
        details = ordering.customer_page(context, order_id, token)
    except AxokeyError as error:
        return _error(request, error)
    view = details.view
    order = view.order
    show_code = order.status in OPEN_STATUSES and view.qr_payload is not None
    qr_svg = (
        # segno's own SVG (a path of the symbol's modules): trusted markup.
        Markup(qr_images.qr_svg(view.qr_payload).decode())  # noqa: S704
        if show_code and view.qr_payload is not None
        else None
    )
    last = details.last_payment
    failure = None
    if order.status is OrderStatus.AWAITING_PAYMENT and last and last.status.value == "failed":
        failure = FAILURE_LABELS.get(last.failure_code or "", "the payment did not go through")
    return _page(
        request,
        "order.html",
        order=order,
        view=view,
        merchant_name=details.merchant_name,
        product_names=details.product_names,
        status_label=ORDER_STATUS_LABELS[order.status],
        line_labels=LINE_STATUS_LABELS,
        payable=order.status is OrderStatus.AWAITING_PAYMENT,
        payment_failure=failure,
        pay_url=_order_path(order_id, token) + "/pay",
        qr_svg=qr_svg,
        short_code=view.short_code if show_code else None,
    )


@router.post("/orders/{order_id}/{token}/pay")
def customer_pay(order_id: str, token: str, request: Request, context: ContextDep) -> Response:
    """Start (or retry) a payment and send the customer to the hosted card page."""
    try:
        payment = payment_service.start_checkout_for_customer(context, order_id, token)
    except AxokeyError as error:
        return _error(request, error, back_url=_order_path(order_id, token))
    assert payment.checkout_url is not None, "a provider's checkout session has a page"
    return _redirect(payment.checkout_url)


# --- the sandbox's hosted pages -------------------------------------------------------


def _sandbox_state(
    context: ServiceContext, reference: str
) -> tuple[HostedTestPayments, ProviderPaymentState]:
    sandbox = payment_service.enabled_sandbox(context)
    try:
        return sandbox, sandbox.fetch_status(reference)
    except ProviderError as error:  # the sandbox has no payment by that reference
        raise NotFound("no such sandbox payment", code="payment_not_found") from error


def _checkout_path(reference: str) -> str:
    return f"/sandbox/checkout/{quote(reference, safe='')}"


def _challenge_path(reference: str) -> str:
    return f"/sandbox/3ds/{quote(reference, safe='')}"


def _sandbox_page(
    request: Request,
    template: str,
    sandbox: HostedTestPayments,
    state: ProviderPaymentState,
    *,
    status: int = 200,
    error: str | None = None,
) -> Response:
    reference = state.provider_reference
    return _page(
        request,
        template,
        status=status,
        state=state,
        status_value=state.status.value,
        failure=FAILURE_LABELS.get(state.failure_code or "", state.failure_code),
        return_url=sandbox.return_url(reference),
        checkout_url=_checkout_path(reference),
        challenge_url=_challenge_path(reference),
        cards=TEST_CARDS,
        challenge_otp=sandbox_cards.CHALLENGE_OTP,
        error=error,
    )


def _after_step(sandbox: HostedTestPayments, state: ProviderPaymentState) -> Response:
    """Where the customer goes after a step: the challenge, else back to the shop."""
    reference = state.provider_reference
    if state.status is PaymentStatus.REQUIRES_ACTION:
        return _redirect(_challenge_path(reference))
    return _redirect(sandbox.return_url(reference) or _checkout_path(reference))


@router.get("/sandbox/checkout/{reference}", response_class=HTMLResponse)
def sandbox_checkout_page(reference: str, request: Request, context: ContextDep) -> Response:
    """The sandbox's hosted card page (or the payment's outcome, once it has one)."""
    try:
        sandbox, state = _sandbox_state(context, reference)
    except AxokeyError as error:
        return _error(request, error)
    return _sandbox_page(request, "sandbox_checkout.html", sandbox, state)


@router.post("/sandbox/checkout/{reference}")
def sandbox_checkout_submit(
    reference: str,
    request: Request,
    context: ContextDep,
    card_number: Annotated[str, Form()] = "",
) -> Response:
    # Only the number is read; expiry and CVC are ignored, as the test cards allow.
    try:
        sandbox, state = _sandbox_state(context, reference)
    except AxokeyError as error:
        return _error(request, error)
    if state.status is not PaymentStatus.REQUIRES_PAYMENT_METHOD:
        # Paid, failed or waiting for 3-D Secure already: say so, take no card.
        return _sandbox_page(request, "sandbox_checkout.html", sandbox, state, status=409)
    try:
        if len(card_number) > CARD_NUMBER_INPUT_MAX_LENGTH:
            raise ValidationFailed(
                "the card number is not valid",
                code="invalid_card_number",
                errors=[FieldError("card_number", "too long")],
            )
        state = sandbox.submit_card(reference, card_number)
    except ValidationFailed as error:
        # Show the form again with the error; the number is not echoed back.
        return _sandbox_page(
            request, "sandbox_checkout.html", sandbox, state, status=422, error=error.detail
        )
    except AxokeyError as error:
        return _error(request, error, back_url=_checkout_path(reference))
    return _after_step(sandbox, state)


@router.get("/sandbox/3ds/{reference}", response_class=HTMLResponse)
def sandbox_challenge_page(reference: str, request: Request, context: ContextDep) -> Response:
    """The sandbox's 3-D Secure challenge: a one-time code (the test code is shown)."""
    try:
        sandbox, state = _sandbox_state(context, reference)
    except AxokeyError as error:
        return _error(request, error)
    return _sandbox_page(request, "sandbox_3ds.html", sandbox, state)


@router.post("/sandbox/3ds/{reference}")
def sandbox_challenge_submit(
    reference: str,
    request: Request,
    context: ContextDep,
    otp: Annotated[str, Form()] = "",
) -> Response:
    try:
        sandbox, state = _sandbox_state(context, reference)
    except AxokeyError as error:
        return _error(request, error)
    if state.status is not PaymentStatus.REQUIRES_ACTION:
        return _sandbox_page(request, "sandbox_3ds.html", sandbox, state, status=409)
    if len(otp) > OTP_INPUT_MAX_LENGTH:
        return _sandbox_page(
            request,
            "sandbox_3ds.html",
            sandbox,
            state,
            status=422,
            error=f"the code has at most {OTP_INPUT_MAX_LENGTH} characters",
        )
    try:
        state = sandbox.complete_challenge(reference, otp)
    except AxokeyError as error:
        return _error(request, error, back_url=_challenge_path(reference))
    return _after_step(sandbox, state)


# --- the professionals' pages (the API key stays in the browser) -----------------------


@router.get("/scan", response_class=HTMLResponse)
def scanner_page(request: Request) -> Response:
    """Scan (camera) or type a customer's code, pick the lines, release the money."""
    return _page(request, "scan.html", currency_exponents=currency_exponents_json())


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request) -> Response:
    """The caller's orders, balance and refunds, read from the JSON API."""
    return _page(request, "dashboard.html", currency_exponents=currency_exponents_json())
