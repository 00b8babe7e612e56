"""What every page shares: the templates, the security headers, money as text, the
error page, and the services' context as a page dependency.

Every page carries a strict Content-Security-Policy (scripts and styles come from
``/static`` only, nothing inline), ``nosniff``, and ``Referrer-Policy: no-referrer``
— the customer's link carries its secret token in the path, and must never leak to
another site in a ``Referer`` header. Expected errors become HTML pages with the
error's status, never a JSON problem.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import iso4217
import jinja2
from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from axokey.domain.errors import AxokeyError
from axokey.domain.money import currency_exponent
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

# Why a payment failed, in words, for the customer's page and the sandbox's pages.
FAILURE_LABELS = {
    "card_declined": "the card was declined",
    "insufficient_funds": "the card has insufficient funds",
    "authentication_failed": "the 3-D Secure check failed",
    "provider_unavailable": "the payment provider could not be reached",
    "amount_mismatch": "the amount paid did not match the order",
    "authentication_required": "your bank asks for a 3-D Secure check",
    "cancelled_by_customer": "the payment was cancelled",
    "payment_cancelled": "the payment was cancelled",
    "expired": "the payment page expired",
    "call_failed": "the bank could not be reached",
    "authorisation_not_captured": "the payment was not completed and is being released",
    "authorisation_released": "the payment was not completed and was released",
}


def page_context(request: Request) -> ServiceContext:
    """The context the composition root built, which the app carries."""
    context: ServiceContext = request.app.state.context
    return context


PageContextDep = Annotated[ServiceContext, Depends(page_context)]


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
    """Every ISO 4217 currency's exponent, for the scripts that format amounts."""
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


def render(request: Request, template: str, *, status: int = 200, **values: Any) -> Response:
    return _templates().TemplateResponse(
        request, template, values, status_code=status, headers=SECURITY_HEADERS
    )


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


def error_page(request: Request, error: AxokeyError, *, back_url: str | None = None) -> Response:
    return render(
        request,
        "error.html",
        status=error.status,
        title=error.title,
        detail=error.detail,
        back_url=back_url if error.status != 404 else None,
    )
