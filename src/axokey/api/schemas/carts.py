"""Request and response bodies of carts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from axokey.api.schemas.base import Amount, Id, Strict, Timestamp
from axokey.api.schemas.orders import CustomerIn
from axokey.api.schemas.stock import WholeNumber
from axokey.config import Settings
from axokey.domain.carts import Cart, CartStatus
from axokey.domain.money import payable_currency_codes

# Units of a product in a cart: from 1 to the configured line maximum (its default;
# AXOKEY_LINE_QUANTITY_MAX may set another, which the server then enforces).
Quantity = Annotated[
    int, Field(ge=1, le=Settings.model_fields["line_quantity_max"].default), WholeNumber
]
# Currencies that can be paid in (ISO 4217 with a minor unit): the server's check
# (check_currency, 422 invalid_currency) and the document's enum are the same set.
Currency = Annotated[
    str,
    StringConstraints(min_length=3, max_length=3),
    Field(json_schema_extra={"enum": list(payable_currency_codes())}),
]
# A GTIN (8 to 14 digits) as a scanner types it, with room for spaces around it.
Barcode = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class CartLineIn(Strict):
    product_id: Id
    quantity: Quantity = 1


class CartCreate(Strict):
    currency: Currency
    store_id: Id | None = None
    lines: Annotated[
        list[CartLineIn], Field(max_length=Settings.model_fields["cart_lines_max"].default)
    ] = []


class CartScanIn(Strict):
    gtin: Barcode
    quantity: Quantity = 1


class CartLineAddIn(Strict):
    product_id: Id
    quantity: Quantity = 1


class CartLineChangeIn(Strict):
    quantity: Quantity


class CartCheckoutIn(Strict):
    """As ``POST /v1/orders`` without ``currency`` and ``lines`` (the cart's).
    ``fulfilment`` defaults to ``store``: at the cart's store."""

    payment_mode: Literal["deposit", "escrow"]
    fulfilment: Literal["delivery", "store", "itinerary"] = "store"
    customer: CustomerIn
    courier_id: Id | None = None
    delivery_fee: Amount = 0
    store_id: Id | None = None
    redeem_by: Timestamp | None = None


class CartLineOut(BaseModel):
    id: str
    product_id: str
    quantity: int
    unit_price: int
    amount: int


class CartOut(BaseModel):
    id: str
    object: Literal["cart"] = "cart"
    status: Literal["open", "checked_out", "expired"]
    merchant_id: str
    store_id: str | None
    currency: str
    lines: list[CartLineOut]
    amount_total: int
    order_id: str | None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, cart: Cart, now: datetime) -> CartOut:
        status: CartStatus = cart.status_at(now)
        return cls(
            id=cart.id,
            status=status.value,
            merchant_id=cart.merchant_id,
            store_id=cart.store_id,
            currency=cart.currency,
            lines=[
                CartLineOut(
                    id=line.id,
                    product_id=line.product_id,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    amount=line.amount,
                )
                for line in cart.lines
            ],
            amount_total=cart.amount_total,
            order_id=cart.order_id,
            created_at=cart.created_at,
            updated_at=cart.updated_at,
            expires_at=cart.expires_at,
        )
