"""Request and response bodies of orders, payments, redemptions, refunds, balances."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, EmailStr, Field, StringConstraints

from axokey.api.schemas import Strict
from axokey.domain.money import MAX_AMOUNT_MINOR
from axokey.services.balances import Balance
from axokey.services.ordering import OrderView
from axokey.services.payments import Payment
from axokey.services.redeeming import Redemption
from axokey.services.refunding import Refund

Id = Annotated[str, StringConstraints(min_length=1, max_length=40)]
# Strict: amounts and quantities are JSON integers, never "500" or 1.0.
Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT_MINOR, strict=True)]

# Dates and times far from now would overflow the deadline arithmetic (a day or
# a grace period added or taken away): refuse them as bad input.
YEAR_MIN, YEAR_MAX = 2000, 9000


def _utc_in_range(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"must be between the years {YEAR_MIN} and {YEAR_MAX}") from None
    if not YEAR_MIN <= utc.year <= YEAR_MAX:
        raise ValueError(f"must be between the years {YEAR_MIN} and {YEAR_MAX}")
    return value


def _date_in_range(value: date) -> date:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(f"must be between the years {YEAR_MIN} and {YEAR_MAX}")
    return value


Timestamp = Annotated[AwareDatetime, AfterValidator(_utc_in_range)]
Day = Annotated[date, AfterValidator(_date_in_range)]


class CustomerIn(Strict):
    email: EmailStr
    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    iban: Annotated[str, StringConstraints(max_length=42)] | None = None
    # The language of the customer's emails; from Accept-Language when left out.
    locale: Literal["fr", "en"] | None = None


class LineIn(Strict):
    product_id: Id
    # Checked by the domain (1 to the configured maximum, code invalid_quantity);
    # the schema only bounds it.
    quantity: Annotated[int, Field(ge=-1_000_000, le=1_000_000, strict=True)]
    unit_price: Amount | None = None
    service_date: Day | None = None


class OrderCreate(Strict):
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)]
    payment_mode: Literal["deposit", "escrow"]
    fulfilment: Literal["delivery", "store", "itinerary"]
    customer: CustomerIn
    courier_id: Id | None = None
    delivery_fee: Amount = 0
    store_id: Id | None = None
    redeem_by: Timestamp | None = None
    # The configured maximum (code too_many_lines) is checked by the domain; the
    # schema's bound only keeps absurd bodies out.
    lines: Annotated[list[LineIn], Field(max_length=1000)]


class LineOut(BaseModel):
    """A line. ``supplier_amount``, ``commission``, ``deposit`` and the released and
    refunded amounts are null for a professional who does not earn on the line."""

    id: str
    product_id: str
    supplier_id: str
    kind: str
    quantity: int
    unit_price: int
    amount: int
    supplier_amount: int | None
    commission: int | None
    deposit_bps: int | None
    deposit: int | None
    service_date: date | None
    deadline: datetime
    status: str
    quantity_released: int
    released_amount: int | None
    refunded_amount: int | None


class AmountsOut(BaseModel):
    captured: int
    released: int
    refunded: int
    held: int


class RedemptionCodeOut(BaseModel):
    qr_payload: str
    short_code: str


class CustomerOut(BaseModel):
    """The customer: contact and bank details for the merchant and the operator; the
    professionals who hand over see the name only."""

    email: str | None
    name: str | None
    iban: str | None
    locale: str


class OrderOut(BaseModel):
    id: str
    object: Literal["order"] = "order"
    merchant_id: str
    status: str
    currency: str
    payment_mode: str
    fulfilment: str
    amount_total: int
    delivery_fee: int
    courier_fee_status: str
    courier_id: str | None
    store_id: str | None
    customer: CustomerOut
    lines: list[LineOut]
    amounts: AmountsOut
    customer_url: str | None
    redemption: RedemptionCodeOut | None
    created_at: datetime
    paid_at: datetime | None
    redeem_by: datetime

    @classmethod
    def of(cls, view: OrderView, grace_seconds: int) -> OrderOut:
        from datetime import timedelta

        order = view.order
        grace = timedelta(seconds=grace_seconds)
        return cls(
            id=order.id,
            merchant_id=order.merchant_id,
            status=order.status.value,
            currency=order.currency,
            payment_mode=order.payment_mode.value,
            fulfilment=order.fulfilment.value,
            amount_total=order.amount_total,
            delivery_fee=order.delivery_fee,
            courier_fee_status=order.fee_status.value,
            courier_id=order.courier_id,
            store_id=order.store_id,
            customer=CustomerOut(
                email=order.customer.email if view.confidential else None,
                name=order.customer.name,
                iban=order.customer.iban if view.confidential else None,
                locale=order.customer.locale,
            ),
            lines=[
                LineOut(
                    id=line.id,
                    product_id=line.product_id,
                    supplier_id=line.supplier_id,
                    kind=line.product_kind.value,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    amount=line.amount,
                    supplier_amount=line.supplier_amount if shares else None,
                    commission=line.commission if shares else None,
                    deposit_bps=line.deposit_bps if shares else None,
                    deposit=line.deposit if shares else None,
                    service_date=line.service_date,
                    deadline=order.line_deadline(line, grace),
                    status=line.status.value,
                    quantity_released=line.quantity_released,
                    released_amount=line.released_amount if shares else None,
                    refunded_amount=line.refunded_amount if shares else None,
                )
                for line in order.lines
                if view.line_visible(line)
                for shares in (view.shares_visible(line),)
            ],
            amounts=AmountsOut(
                captured=view.money.captured,
                released=view.money.paid_to_payees,
                refunded=view.money.refunded,
                held=view.money.held,
            ),
            customer_url=view.customer_url,
            redemption=RedemptionCodeOut(qr_payload=view.qr_payload, short_code=view.short_code)
            if view.qr_payload and view.short_code
            else None,
            created_at=order.created_at,
            paid_at=order.paid_at,
            redeem_by=order.redeem_by,
        )


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


Code = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class RedemptionPreviewIn(Strict):
    code: Code


class PreviewLineOut(BaseModel):
    line_id: str
    product_id: str
    supplier_id: str
    quantity: int
    amount: int
    releasable_amount: int
    releasable_commission: int
    gtin: str | None


class RedemptionPreviewOut(BaseModel):
    order_id: str
    order_status: str
    currency: str
    lines: list[PreviewLineOut]
    courier_fee: int


class HandoverIn(Strict):
    line_id: Id
    quantity: Annotated[int, Field(ge=1, le=1_000_000, strict=True)] | None = None


Gtin = Annotated[str, StringConstraints(min_length=1, max_length=14, pattern=r"^\s*[0-9]+\s*$")]


class RedemptionIn(Strict):
    code: Code
    lines: Annotated[list[HandoverIn], Field(max_length=200)] = []
    gtins: Annotated[list[Gtin], Field(max_length=500)] = []
    complete: bool = False


class ReleasedOut(BaseModel):
    line_id: str
    supplier_id: str
    amount: int
    commission: int
    quantity: int


class RefundedOut(BaseModel):
    line_id: str | None
    refund_id: str | None
    amount: int
    reason: str


class RedemptionOut(BaseModel):
    id: str
    object: Literal["redemption"] = "redemption"
    order_id: str
    professional_id: str
    released: list[ReleasedOut]
    refunded: list[RefundedOut]
    courier_fee_released: int
    order_status: str

    @classmethod
    def of(cls, redemption: Redemption) -> RedemptionOut:
        settlement = redemption.settlement
        return cls(
            id=redemption.id,
            order_id=redemption.order_id,
            professional_id=redemption.professional_id,
            released=[
                ReleasedOut(
                    line_id=r.line_id,
                    supplier_id=r.supplier_id,
                    amount=r.amount,
                    commission=r.commission,
                    quantity=r.quantity,
                )
                for r in settlement.releases
            ],
            refunded=[
                RefundedOut(
                    line_id=r.line_id,
                    refund_id=redemption.refund_ids.get(r.transfer_id),
                    amount=r.amount,
                    reason=r.reason.value,
                )
                for r in settlement.refunds
            ],
            courier_fee_released=settlement.courier_fee_released,
            order_status=redemption.order.status.value,
        )


class RefundOut(BaseModel):
    id: str
    object: Literal["refund"] = "refund"
    order_id: str
    line_id: str | None
    amount: int
    currency: str
    reason: str
    method: str
    status: str
    failure_code: str | None
    created_at: datetime

    @classmethod
    def of(cls, refund: Refund) -> RefundOut:
        return cls(
            id=refund.id,
            order_id=refund.order_id,
            line_id=refund.line_id,
            amount=refund.amount,
            currency=refund.currency,
            reason=refund.reason,
            method=refund.method,
            status=refund.status,
            failure_code=refund.failure_code,
            created_at=refund.created_at,
        )


class BalanceOut(BaseModel):
    currency: str
    held: int
    available: int
    paid_out: int

    @classmethod
    def of(cls, balance: Balance) -> BalanceOut:
        return cls(
            currency=balance.currency,
            held=balance.held,
            available=balance.available,
            paid_out=balance.paid_out,
        )


class BalancesOut(BaseModel):
    object: Literal["balance"] = "balance"
    party_id: str
    balances: list[BalanceOut]
