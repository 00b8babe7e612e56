"""Request and response bodies of carts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from axokey.api.schemas.base import Amount, Id, Strict, Timestamp
from axokey.api.schemas.orders import CustomerIn
from axokey.domain.carts import Cart, CartStatus

# Bounded by the schema; the configured maximum is the domain's (invalid_quantity).
Quantity = Annotated[int, Field(ge=-1_000_000, le=1_000_000, strict=True)]
# A GTIN (8 to 14 digits) as a scanner types it, with room for spaces around it.
Barcode = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class CartLineIn(Strict):
    product_id: Id
    quantity: Quantity = 1


class CartCreate(Strict):
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)]
    store_id: Id | None = None
    lines: Annotated[list[CartLineIn], Field(max_length=1000)] = []


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
