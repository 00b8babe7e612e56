"""The customer's order page: the order, the Pay button, then the QR code.

The link is the credential (an unguessable token in the path), so the page needs
no login; see ``rendering`` for why it never leaks in a ``Referer``.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from axokey.adapters import qr_images
from axokey.domain.errors import AxokeyError
from axokey.domain.orders import OPEN_STATUSES, OrderStatus
from axokey.i18n import N_
from axokey.services import ordering, refund_recovery, returning
from axokey.services import payments as payment_service
from axokey.web.rendering import FAILURE_LABELS, PageContextDep, error_page, redirect, render

ORDER_STATUS_LABELS = {
    OrderStatus.AWAITING_PAYMENT: N_("Awaiting payment"),
    OrderStatus.PAID: N_("Paid — held in escrow"),
    OrderStatus.PARTIALLY_REDEEMED: N_("Partly handed over"),
    OrderStatus.COMPLETED: N_("Completed"),
    OrderStatus.CANCELLED: N_("Cancelled"),
    OrderStatus.EXPIRED: N_("Expired"),
}
LINE_STATUS_LABELS = {
    "pending": N_("Not paid yet"),
    "held": N_("Held until hand-over"),
    "released": N_("Handed over"),
    "refunded": N_("Refunded"),
}

router = APIRouter(include_in_schema=False)


def _order_path(order_id: str, token: str) -> str:
    return f"/orders/{quote(order_id, safe='')}/{quote(token, safe='')}"


@router.get("/orders/{order_id}/{token}", response_class=HTMLResponse)
def customer_order_page(
    order_id: str, token: str, request: Request, context: PageContextDep
) -> Response:
    """The customer's page: the order, the Pay button, then the QR code."""
    try:
        details = ordering.customer_page(context, order_id, token)
    except AxokeyError as error:
        return error_page(request, error)
    view = details.view
    order = view.order
    show_code = order.status in OPEN_STATUSES and view.qr_payload is not None
    qr_svg = (
        # segno's own SVG (a path of the symbol's modules): trusted markup.
        Markup(qr_images.qr_svg(view.qr_payload).decode())  # noqa: S704
        if show_code and view.qr_payload is not None
        else None
    )
    try:
        failed_refunds = refund_recovery.failed_card_refunds(context, order_id, token)
    except AxokeyError as error:
        return error_page(request, error)
    last = details.last_payment
    failure = None
    # Failed, or refused with another try allowed on the provider's page (Pending).
    if (
        order.status is OrderStatus.AWAITING_PAYMENT
        and last
        and (last.status.value == "failed" or last.failure_code)
    ):
        failure = FAILURE_LABELS.get(last.failure_code or "", N_("the payment did not go through"))
    return render(
        request,
        "order.html",
        order_locale=order.customer.locale,
        order=order,
        view=view,
        merchant_name=details.merchant_name,
        product_names=details.product_names,
        status_label=ORDER_STATUS_LABELS[order.status],
        line_labels=LINE_STATUS_LABELS,
        awaiting_payment=order.status is OrderStatus.AWAITING_PAYMENT,
        payment_failure=failure,
        pay_url=_order_path(order_id, token) + "/pay",
        qr_svg=qr_svg,
        short_code=view.short_code if show_code else None,
        failed_refunds=failed_refunds,
        refund_iban_url=_order_path(order_id, token) + "/refund-iban",
        refund_iban_saved=request.query_params.get("iban") == "saved",
    )


@router.get("/privacy", response_class=HTMLResponse)
def privacy_notice(request: Request, context: PageContextDep) -> Response:
    """The short privacy notice the customer's page links to (French, then English)."""
    return render(
        request,
        "privacy.html",
        contact=context.settings.privacy_contact,
        contact_months=context.settings.customer_contact_retention_months,
    )


@router.post("/orders/{order_id}/{token}/refund-iban")
async def customer_refund_iban(
    order_id: str, token: str, request: Request, context: PageContextDep
) -> Response:
    """A card refund failed: the customer gives an IBAN and is refunded by transfer."""
    form = await request.form()
    iban = str(form.get("iban", ""))[:64]
    try:
        refund_recovery.customer_gives_iban(context, order_id, token, iban)
    except AxokeyError as error:
        return error_page(request, error, back_url=_order_path(order_id, token))
    return redirect(_order_path(order_id, token) + "?iban=saved")


@router.post("/orders/{order_id}/{token}/pay")
def customer_pay(order_id: str, token: str, request: Request, context: PageContextDep) -> Response:
    """Start (or retry) a payment and send the customer to the hosted card page."""
    try:
        payment = payment_service.start_checkout_for_customer(context, order_id, token)
    except AxokeyError as error:
        return error_page(request, error, back_url=_order_path(order_id, token))
    assert payment.checkout_url is not None, "a provider's checkout session has a page"
    return redirect(payment.checkout_url)


@router.api_route("/orders/{order_id}/{token}/return", methods=["GET", "POST"])
async def customer_return(
    order_id: str, token: str, request: Request, context: PageContextDep
) -> Response:
    """Where the provider sends the customer back: PayXpert by a form POST (``data``,
    ``customer``: ``Connect2PayClient::handleRedirectStatus``), the sandbox by a GET.
    The payment is synchronised with the provider, then 303 to the customer's page,
    which shows the real state."""
    from starlette.concurrency import run_in_threadpool

    fields: dict[str, str] = {}
    if request.method == "POST":
        form = await request.form()
        fields = {name: value for name, value in form.items() if isinstance(value, str)}
    try:
        await run_in_threadpool(returning.customer_returned, context, order_id, token, fields)
    except AxokeyError as error:
        return error_page(request, error)
    return redirect(_order_path(order_id, token))
