"""Request and response bodies of payments, and of the sandbox's scripting API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from axokey.api.schemas.base import Strict, Timestamp
from axokey.services.payments import Payment


class CheckoutIn(Strict):
    return_url: Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://")] | None = (
        None
    )


class NextActionOut(BaseModel):
    type: Literal["redirect_to_url"] = "redirect_to_url"
    url: str


class PaymentOut(BaseModel):
    id: str
    object: Literal["payment"] = "payment"
    order_id: str
    status: str
    amount: int
    currency: str
    provider: str
    checkout_url: str | None
    next_action: NextActionOut | None
    failure_code: str | None
    created_at: datetime

    @classmethod
    def of(cls, payment: Payment) -> PaymentOut:
        return cls(
            id=payment.id,
            order_id=payment.order_id,
            status=payment.status.value,
            amount=payment.amount,
            currency=payment.currency,
            provider=payment.provider,
            checkout_url=payment.checkout_url,
            next_action=NextActionOut(url=payment.next_action_url)
            if payment.next_action_url and payment.status.value == "requires_action"
            else None,
            failure_code=payment.failure_code,
            created_at=payment.created_at,
        )


class SandboxPayIn(Strict):
    card_number: Annotated[str, StringConstraints(min_length=12, max_length=23)]
    otp: Annotated[str, StringConstraints(max_length=12)] | None = None


class SandboxSweepIn(Strict):
    as_of: Timestamp


class SweepOut(BaseModel):
    as_of: datetime
    orders_settled: int
    lines_refunded: int
    amount_refunded: int
    pending_transfers_expired: int
    card_refunds_retried: int
    orders_failed: int
    # Store orders never paid within AXOKEY_STORE_UNPAID_HOLD_SECONDS: expired, their
    # reservations freed.
    unpaid_store_orders_expired: int = 0
    # Open carts left alone for AXOKEY_CART_TTL_SECONDS: expired.
    carts_expired: int = 0
