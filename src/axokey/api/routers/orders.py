"""Orders, their payment checkout, their QR code, and cancellation."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response

from axokey.adapters import qr_images
from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.api.openapi import beyond_schema, problems
from axokey.api.schemas.orders import OrderCreate, OrderOut
from axokey.api.schemas.payments import CheckoutIn, PaymentOut
from axokey.domain.access import Scope
from axokey.domain.customer_messages import locale_of
from axokey.domain.orders import Customer, Fulfilment, LineRequest, OrderStatus, PaymentMode
from axokey.domain.parties import Principal
from axokey.services import ordering, payments
from axokey.services.context import ServiceContext
from axokey.services.ordering import OrderView

router = APIRouter(tags=["orders"])


def _out(context: ServiceContext, view: OrderView) -> OrderOut:
    return OrderOut.of(view, context.settings.itinerary_grace_seconds)


# Rules on the products, listings and agreements the lines name, which the document
# cannot state: a request the schema accepts may still break one (422, each its code).
@router.post(
    "/v1/orders",
    status_code=201,
    response_model=OrderOut,
    openapi_extra=beyond_schema(
        (422, "currency_mismatch", "a line's product is priced in another currency"),
        (
            422,
            "unit_price_required",
            "a line without `unit_price` names a product the merchant does not list",
        ),
        (422, "price_below_wholesale", "a line's price is below its product's wholesale price"),
        (
            422,
            "amount_too_large",
            "a line's amount (its price, given or listed, times its quantity) or the "
            "order's total is above the largest amount",
        ),
        (422, "service_line_required", "an itinerary's line names a good, not a service"),
        (422, "service_date_not_allowed", "a line with a `service_date` names a good"),
        (
            422,
            "agreement_required",
            "deposit mode, and a good whose supplier has no active agreement with the merchant",
        ),
        (
            422,
            "deadline_in_past",
            "`redeem_by` is not in the future; or, left out on an itinerary, the day "
            "after its last service (the default deadline) has passed",
        ),
    ),
)
def create_order(
    body: OrderCreate,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.ORDERS_WRITE)],
    accept_language: Annotated[str | None, Header(max_length=500)] = None,
) -> OrderOut:
    """A merchant creates an order; amounts, commissions, deposits: docs/money-rules.md."""
    view = ordering.create_order(
        context,
        principal,
        ordering.NewOrder(
            currency=body.currency,
            payment_mode=PaymentMode(body.payment_mode),
            fulfilment=Fulfilment(body.fulfilment),
            customer=Customer(
                body.customer.email,
                body.customer.name,
                body.customer.iban,
                body.customer.locale or locale_of(accept_language),
            ),
            lines=[
                LineRequest(line.product_id, line.quantity, line.unit_price, line.service_date)
                for line in body.lines
            ],
            courier_id=body.courier_id,
            delivery_fee=body.delivery_fee,
            store_id=body.store_id,
            redeem_by=body.redeem_by,
        ),
    )
    return _out(context, view)


# Two parameters together: JSON Schema cannot compare them.
@router.get(
    "/v1/orders",
    response_model=Page[OrderOut],
    openapi_extra=beyond_schema(
        (422, "invalid_date_range", "`created_to` is before `created_from`")
    ),
)
def list_orders(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.ORDERS_READ)],
    page: PageDep,
    status: Annotated[OrderStatus | None, Query()] = None,
    created_from: Annotated[date | None, Query()] = None,
    created_to: Annotated[date | None, Query()] = None,
) -> Page[OrderOut]:
    """The orders the caller may see, newest first; by status, and created from
    ``created_from`` to ``created_to`` (days, UTC, both included)."""
    views, has_more = ordering.list_orders(
        context,
        principal,
        status=status,
        limit=page.limit,
        starting_after=page.starting_after,
        created_from=created_from,
        created_to=created_to,
    )
    return Page[OrderOut](data=[_out(context, view) for view in views], has_more=has_more)


@router.get("/v1/orders/{order_id}", response_model=OrderOut)
def get_order(
    order_id: str, context: ContextDep, principal: Annotated[Principal, requires(Scope.ORDERS_READ)]
) -> OrderOut:
    return _out(context, ordering.get_order(context, principal, order_id))


@router.post("/v1/orders/{order_id}/cancel", response_model=OrderOut)
def cancel_order(
    order_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.ORDERS_WRITE)],
) -> OrderOut:
    """Cancel before payment, or after payment and before any hand-over (refunds by
    the money rules; deposits stay with the suppliers)."""
    return _out(context, ordering.cancel_order(context, principal, order_id))


@router.post("/v1/orders/{order_id}/checkout", status_code=201, response_model=PaymentOut)
def checkout(
    order_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.ORDERS_WRITE)],
    body: CheckoutIn | None = None,
) -> PaymentOut:
    """A hosted payment page for the customer (with 3-D Secure when the card asks).

    ``return_url``: where the provider sends the customer's browser afterwards. With
    PayXpert that is a **form POST** (fields ``data``, the payment status encrypted
    with the payment's merchant token, and ``customer``), not a GET: the page there
    must accept POST. The customer's own page link (``customer_url``) handles both.
    """
    payment = payments.start_checkout(
        context, principal, order_id, body.return_url if body else None
    )
    return PaymentOut.of(payment)


@router.get("/v1/orders/{order_id}/qr", response_class=Response, responses=problems(409))
def order_qr(
    order_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.ORDERS_READ)],
    format: Annotated[Literal["svg", "png"], Query()] = "svg",
) -> Response:
    """The order's QR code (merchant and operator), SVG by default or PNG."""
    payload = ordering.qr_payload_of(context, principal, order_id)
    if format == "png":
        return Response(qr_images.qr_png(payload), media_type="image/png")
    return Response(qr_images.qr_svg(payload), media_type="image/svg+xml")


@router.post("/v1/orders/{order_id}/rotate-code", response_model=OrderOut)
def rotate_code(
    order_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.ORDERS_WRITE)],
) -> OrderOut:
    """Replace a leaked QR code and short code: the old ones stop working at once."""
    payments.rotate_codes(context, principal, order_id)
    return _out(context, ordering.get_order(context, principal, order_id))


@router.get("/v1/payments/{payment_id}", response_model=PaymentOut)
def get_payment(
    payment_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.ORDERS_READ)],
) -> PaymentOut:
    return PaymentOut.of(payments.get_payment(context, principal, payment_id))
