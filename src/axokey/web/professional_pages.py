"""The professionals' pages: the scanner, the store's page and the dashboard.

They are static shells: their scripts call the JSON API with the API key the
professional pastes (kept in ``sessionStorage`` only), so the pages themselves need
no server-side authentication. The scripts' messages come with the page, already in
its language (``data-messages``), since a script cannot read the catalogs.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from axokey import i18n
from axokey.domain.orders import OrderStatus
from axokey.i18n import N_
from axokey.web.customer_pages import ORDER_STATUS_LABELS
from axokey.web.rendering import currency_exponents_json, page_language, render

router = APIRouter(include_in_schema=False)

# Every message the scripts (api.js, scan.js, dashboard.js) show, in English: the
# page sends them translated. States and reasons are the API's values with spaces.
SCRIPT_MESSAGES = (
    N_("The server could not be reached."),
    N_("This API key is not valid."),
    N_("Paste your API key first."),
    N_("the operator"),
    N_("merchant"),
    N_("supplier"),
    N_("courier"),
    N_("store"),
    N_("Type the customer's short code, or scan the QR code."),
    N_("Hand over %(product)s"),
    N_("Quantity handed over"),
    N_("Quantities are whole numbers from 1 to the quantity ordered."),
    N_("Tick what you hand over, or tick “the rest is missing”."),
    N_("Nothing released"),
    N_("Nothing refunded"),
    N_("Delivery fee"),
    N_("The camera could not be started: take a photo of the QR code, or type the short code."),
    N_("No money yet"),
    N_("Balance:"),
    N_("None yet"),
    # Order, line, payment and refund states; fulfilment; refund reasons and methods.
    N_("awaiting payment"),
    N_("paid"),
    N_("partially redeemed"),
    N_("completed"),
    N_("cancelled"),
    N_("expired"),
    N_("pending"),
    N_("held"),
    N_("released"),
    N_("refunded"),
    N_("succeeded"),
    N_("failed"),
    N_("delivery"),
    N_("itinerary"),
    N_("missing"),
    N_("partial"),
    N_("no delivery"),
    N_("duplicate payment"),
    N_("amount mismatch"),
    N_("card"),
    N_("sepa"),
    N_("none"),
    N_("currency mismatch"),
    N_("created"),
    N_("executed"),
    N_("in transit"),
    N_("rejected"),
    # The dashboard and the order's page.
    N_("This key lacks the scope:"),
    N_("Nothing to pay out"),
    N_("%(batch)s: %(count)s transfer(s)"),
    N_("revoked"),
    N_("expired"),
    N_("active"),
    N_("Revoke"),
    N_("Revoke the key “%(name)s”?"),
    N_("This key was just revoked."),
    N_(
        "A webhook endpoint was disabled after failing for the whole retry schedule: "
        '%(urls)s. PATCH /v1/webhook-endpoints/{id} with {"enabled": true} turns it back on.'
    ),
    N_("Held in escrow over the last 30 days, day by day"),
    N_("Order %(order)s"),
    N_("from %(merchant)s"),
    N_("Created %(time)s"),
    N_("No refund on this order"),
    # The store's page (store.js).
    N_("open"),
    N_("checked out"),
    N_("Scan or type a barcode first."),
    N_("Added: %(product)s"),
    N_("Remove %(product)s"),
    N_("The cart is empty: scan the products first."),
    N_("Type the customer's email."),
    N_("No reservation to hand over."),
    N_("No stock counted yet."),
    N_("Handed over: order %(order)s is %(status)s."),
    N_("No line of this order carries barcode %(gtin)s."),
    N_("Every unit of %(product)s is already counted."),
    N_("The camera cannot read barcodes in this browser: type them or use a scanner."),
    N_("The camera could not be started: type the barcodes or use a scanner."),
)

# The store's page highlights a product with this many units available, or fewer.
LOW_STOCK_UNITS = 2


def _script_messages(request: Request) -> str:
    language = page_language(request)
    return json.dumps(
        i18n.catalog_messages(language, SCRIPT_MESSAGES), ensure_ascii=False, sort_keys=True
    )


@router.get("/scan", response_class=HTMLResponse)
def scanner_page(request: Request) -> Response:
    """Scan (camera) or type a customer's code, pick the lines, release the money."""
    return render(
        request,
        "scan.html",
        currency_exponents=currency_exponents_json(),
        script_messages=_script_messages(request),
    )


@router.get("/store", response_class=HTMLResponse)
def store_page(request: Request) -> Response:
    """The store clerk's page: the reservations to hand over, a cart built by
    scanning (camera, USB scanner or typing) with its payment link as a QR code,
    and the store's stock."""
    return render(
        request,
        "store.html",
        currency_exponents=currency_exponents_json(),
        script_messages=_script_messages(request),
        low_stock=LOW_STOCK_UNITS,
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request) -> Response:
    """The caller's orders, balance and refunds, read from the JSON API."""
    return render(
        request,
        "dashboard.html",
        currency_exponents=currency_exponents_json(),
        script_messages=_script_messages(request),
        order_statuses=[(status.value, ORDER_STATUS_LABELS[status]) for status in OrderStatus],
    )


@router.get("/dashboard/orders/{order_id}", response_class=HTMLResponse)
def dashboard_order_page(order_id: str, request: Request) -> Response:
    """One order as the caller may see it: its lines by name, the caller's own share,
    its refunds. The order is read by the page's script with the caller's key (a
    party that may not see the order gets "not found" there, as from the API)."""
    return render(
        request,
        "dashboard_order.html",
        order_id=order_id[:64],
        currency_exponents=currency_exponents_json(),
        script_messages=_script_messages(request),
    )
