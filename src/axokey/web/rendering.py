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
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import iso4217
import jinja2
from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from axokey import i18n
from axokey.domain.errors import AxokeyError
from axokey.i18n import N_
from axokey.services.context import ServiceContext

WEB_DIRECTORY = Path(__file__).parent
# The language chosen with the pages' switch, for a year.
LANGUAGE_COOKIE = "axokey_lang"
LANGUAGE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600

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
    "card_declined": N_("the card was declined"),
    "insufficient_funds": N_("the card has insufficient funds"),
    "authentication_failed": N_("the 3-D Secure check failed"),
    "provider_unavailable": N_("the payment provider could not be reached"),
    "amount_mismatch": N_("the amount paid did not match the order"),
    "authentication_required": N_("your bank asks for a 3-D Secure check"),
    "cancelled_by_customer": N_("the payment was cancelled"),
    "payment_cancelled": N_("the payment was cancelled"),
    "expired": N_("the payment page expired"),
    "call_failed": N_("the bank could not be reached"),
    "authorisation_not_captured": N_("the payment was not completed and is being released"),
    "authorisation_released": N_("the payment was not completed and was released"),
}


def page_context(request: Request) -> ServiceContext:
    """The context the composition root built, which the app carries."""
    context: ServiceContext = request.app.state.context
    return context


PageContextDep = Annotated[ServiceContext, Depends(page_context)]


def format_money(amount_minor: int, currency: str) -> str:
    """An amount in minor units as the page's language writes it, exactly.

    >>> from axokey import i18n
    >>> i18n.set_language("en")
    >>> format_money(1234589, "EUR")
    '12,345.89 EUR'
    >>> format_money(500, "JPY")
    '500 JPY'
    >>> i18n.set_language("fr")
    >>> format_money(5000, "EUR").replace("\\xa0", " ")
    '50,00 €'
    """
    return i18n.format_money(amount_minor, currency)


def format_time(moment: datetime) -> str:
    return i18n.format_datetime(moment)


def format_day(day: date) -> str:
    return i18n.format_date(day)


def page_language(request: Request, order_locale: str | None = None) -> str:
    """The page's language: the switch (``?lang=``, then its cookie), the order's
    locale, ``Accept-Language``; French when none of them names French or English."""
    return i18n.choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        order_locale,
        accept_language=request.headers.get("accept-language"),
        default=i18n.PAGE_LANGUAGE,
    )


def _language_links(request: Request, language: str) -> list[dict[str, Any]]:
    """The switch: this page in each language (a GET of the same path). The links
    are the query alone (``?lang=fr``): the path, which may carry a customer's token
    or a wrong one on an error page, is never written back into the page."""
    links = []
    for code in i18n.LANGUAGES:
        query = [(key, value) for key, value in request.query_params.multi_items() if key != "lang"]
        query.append(("lang", code))
        links.append(
            {
                "code": code,
                "name": i18n.LANGUAGE_NAMES[code],
                "url": "?" + urlencode(query),
                "current": code == language,
            }
        )
    return links


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
        extensions=["jinja2.ext.i18n"],
    )
    # ``_()`` and ``{% trans %}`` translate into the language ``render`` set for
    # this request (a context variable): one environment serves every language.
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n._, ngettext=i18n.ngettext, pgettext=i18n.pgettext, newstyle=True
    )
    environment.filters["money"] = format_money
    environment.filters["time"] = format_time
    environment.filters["day"] = format_day
    return Jinja2Templates(env=environment)


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    order_locale: str | None = None,
    **values: Any,
) -> Response:
    """The template in the page's language, with the switch to the other one; a
    ``?lang=`` choice is remembered in a cookie."""
    language = page_language(request, order_locale)
    i18n.set_language(language)
    values.setdefault("language", language)
    values.setdefault("language_links", _language_links(request, language))
    response = _templates().TemplateResponse(
        request, template, values, status_code=status, headers=SECURITY_HEADERS
    )
    response.headers["Content-Language"] = language
    if i18n.supported(request.query_params.get("lang")) == language:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_COOKIE_MAX_AGE_SECONDS,
            httponly=True,
            samesite="lax",
        )
    return response


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


def error_page(request: Request, error: AxokeyError, *, back_url: str | None = None) -> Response:
    """The error as a page, in the page's language (its ``code`` picks the words)."""
    title, detail = i18n.translate_problem(
        error.code, error.title, error.detail, page_language(request)
    )
    return render(
        request,
        "error.html",
        status=error.status,
        title=title,
        detail=detail,
        back_url=back_url if error.status != 404 else None,
    )
