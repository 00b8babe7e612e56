"""Carts: started online or in the store, filled by scanning, checked out once."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Response

from axokey.adapters import qr_images
from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.api.schemas.carts import (
    CartCheckoutIn,
    CartCreate,
    CartLineAddIn,
    CartLineChangeIn,
    CartOut,
    CartScanIn,
)
from axokey.api.schemas.orders import OrderOut
from axokey.domain.access import Scope
from axokey.domain.carts import Cart, CartStatus
from axokey.domain.customer_messages import locale_of
from axokey.domain.orders import Customer, Fulfilment, PaymentMode
from axokey.domain.parties import Principal
from axokey.services import carts
from axokey.services.context import ServiceContext
from axokey.services.ordering import NewOrder

router = APIRouter(tags=["carts"])

CartId = Annotated[str, Path(max_length=40)]
LineId = Annotated[str, Path(max_length=40)]


def _out(context: ServiceContext, cart: Cart) -> CartOut:
    return CartOut.of(cart, context.now())


@router.post(
    "/v1/carts",
    status_code=201,
    response_model=CartOut,
    responses={404: {"description": "A store or a product the caller may not use."}},
)
def create_cart(
    body: CartCreate,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_WRITE)],
) -> CartOut:
    """Start a cart: a merchant online (``store_id``: the pick-up store, optional),
    or a store for itself. ``lines`` are listed products, at their listed price."""
    cart = carts.create_cart(
        context,
        principal,
        currency=body.currency,
        store_id=body.store_id,
        lines=[carts.NewCartLine(line.product_id, line.quantity) for line in body.lines],
    )
    return _out(context, cart)


@router.get("/v1/carts", response_model=Page[CartOut])
def list_carts(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_READ)],
    page: PageDep,
    status: Annotated[CartStatus | None, Query()] = None,
) -> Page[CartOut]:
    """The caller's carts (a store's own, a merchant's), newest first."""
    found, has_more = carts.list_carts(
        context, principal, status=status, limit=page.limit, starting_after=page.starting_after
    )
    return Page[CartOut](data=[_out(context, cart) for cart in found], has_more=has_more)


@router.get("/v1/carts/{cart_id}", response_model=CartOut)
def get_cart(
    cart_id: CartId,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_READ)],
) -> CartOut:
    return _out(context, carts.get_cart(context, principal, cart_id))


@router.post("/v1/carts/{cart_id}/scan", response_model=CartOut)
def scan(
    cart_id: CartId,
    body: CartScanIn,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_WRITE)],
) -> CartOut:
    """Add the listed product with this barcode (GTIN-8/12/13/14). Scanning it again
    adds to its line. 422 ``invalid_gtin`` (check digit), 404 ``unknown_gtin``
    (no listed product has it), 409 ``cart_checked_out`` / ``cart_expired``."""
    return _out(context, carts.scan(context, principal, cart_id, body.gtin, body.quantity))


@router.post("/v1/carts/{cart_id}/lines", response_model=CartOut)
def add_line(
    cart_id: CartId,
    body: CartLineAddIn,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_WRITE)],
) -> CartOut:
    """Add a listed product by id (typed, or picked from a list)."""
    cart = carts.add_line(context, principal, cart_id, body.product_id, body.quantity)
    return _out(context, cart)


# A JSON body that is not UTF-8 is 400 (FastAPI cannot parse it at all), as for a POST.
BODY_NOT_PARSED = {400: {"description": "The body could not be parsed (not UTF-8)."}}


@router.patch(
    "/v1/carts/{cart_id}/lines/{cart_line_id}", response_model=CartOut, responses=BODY_NOT_PARSED
)
def change_line(
    cart_id: CartId,
    cart_line_id: LineId,
    body: CartLineChangeIn,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_WRITE)],
) -> CartOut:
    cart = carts.change_line(context, principal, cart_id, cart_line_id, body.quantity)
    return _out(context, cart)


@router.delete("/v1/carts/{cart_id}/lines/{cart_line_id}", response_model=CartOut)
def remove_line(
    cart_id: CartId,
    cart_line_id: LineId,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_WRITE)],
) -> CartOut:
    return _out(context, carts.remove_line(context, principal, cart_id, cart_line_id))


@router.get("/v1/carts/{cart_id}/checkout-qr", response_class=Response)
def checkout_qr(
    cart_id: CartId,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_READ)],
    format: Annotated[Literal["svg", "png"], Query()] = "svg",
) -> Response:
    """The checked-out cart's payment link as a QR code, for the customer to pay on
    their own phone (SVG, or ``?format=png``). 409 ``cart_not_checked_out`` before."""
    link = carts.checkout_link(context, principal, cart_id)
    if format == "png":
        return Response(qr_images.link_png(link), media_type="image/png")
    return Response(qr_images.link_svg(link), media_type="image/svg+xml")


@router.post("/v1/carts/{cart_id}/checkout", status_code=201, response_model=OrderOut)
def checkout(
    cart_id: CartId,
    body: CartCheckoutIn,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.ORDERS_WRITE)],
    accept_language: Annotated[str | None, Header(max_length=500)] = None,
) -> OrderOut:
    """The cart becomes an order, exactly as ``POST /v1/orders`` makes one (same
    validation, same reservation at the store, same response), once: again → 409
    ``cart_checked_out``. The order's ``customer_url`` is where the customer pays."""
    view = carts.checkout(
        context,
        principal,
        cart_id,
        NewOrder(
            currency="",
            payment_mode=PaymentMode(body.payment_mode),
            fulfilment=Fulfilment(body.fulfilment),
            customer=Customer(
                body.customer.email,
                body.customer.name,
                body.customer.iban,
                body.customer.locale or locale_of(accept_language),
            ),
            lines=[],
            courier_id=body.courier_id,
            delivery_fee=body.delivery_fee,
            store_id=body.store_id,
            redeem_by=body.redeem_by,
        ),
    )
    return OrderOut.of(view, context.settings.itinerary_grace_seconds)
