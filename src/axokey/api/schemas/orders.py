"""Request and response bodies of orders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from axokey.api.schemas.base import Amount, Currency, Day, Id, JsonInteger, Strict, Timestamp
from axokey.services.ordering import OrderView


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
    quantity: Annotated[int, Field(ge=-1_000_000, le=1_000_000, strict=True), JsonInteger]
    unit_price: Amount | None = None
    service_date: Day | None = None


class OrderCreate(Strict):
    """A delivery names its courier, a store order its store; only a delivery has a
    courier and a delivery fee, only a store order a store; an itinerary's lines each
    have a service date (422 otherwise)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [
                {
                    "if": {
                        "properties": {"fulfilment": {"const": "delivery"}},
                        "required": ["fulfilment"],
                    },
                    "then": {
                        "required": ["courier_id"],
                        "properties": {"courier_id": {"type": "string"}},
                    },
                    "else": {
                        "properties": {
                            "courier_id": {"type": "null"},
                            "delivery_fee": {"const": 0},
                        }
                    },
                },
                {
                    "if": {
                        "properties": {"fulfilment": {"const": "store"}},
                        "required": ["fulfilment"],
                    },
                    "then": {
                        "required": ["store_id"],
                        "properties": {"store_id": {"type": "string"}},
                    },
                    "else": {"properties": {"store_id": {"type": "null"}}},
                },
                {
                    # An itinerary's lines are services on a day (422
                    # service_date_required otherwise).
                    "if": {
                        "properties": {"fulfilment": {"const": "itinerary"}},
                        "required": ["fulfilment"],
                    },
                    "then": {
                        "properties": {
                            "lines": {
                                "items": {
                                    "required": ["service_date"],
                                    "properties": {"service_date": {"type": "string"}},
                                }
                            }
                        }
                    },
                },
            ],
            # Example A of docs/money-rules.md: 2 × P1 at 50,00 €, 1 × P2 at 29,99 €, delivered
            # for 5,90 € (amount_total 13589).
            "examples": [
                {
                    "currency": "EUR",
                    "payment_mode": "escrow",
                    "fulfilment": "delivery",
                    "customer": {"email": "customer@example.com", "name": "Camille"},
                    "courier_id": "pty_01M8Y2A30000000000000000CC",
                    "delivery_fee": 590,
                    "lines": [
                        {"product_id": "prd_01M8Y2A3P1000000000000000P", "quantity": 2},
                        {"product_id": "prd_01M8Y2A3P2000000000000000P", "quantity": 1},
                    ],
                }
            ],
        },
    )

    currency: Currency
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
    product_name: str | None
    supplier_id: str
    supplier_name: str | None
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
    professionals who hand over (courier, store) see the name only; a supplier,
    nothing but the language."""

    email: str | None
    name: str | None
    iban: str | None
    locale: str


class ShareOut(BaseModel):
    """The caller's own part of the order: what it earns if everything is handed over
    (a supplier its lines' share, the merchant its commissions, the courier its fee),
    released to it, still held for it, and refunded to the customer from its part."""

    party_id: str
    role: str
    amount: int
    released: int
    held: int
    refunded: int


class OrderOut(BaseModel):
    """An order as its caller may see it. A supplier sees its own lines and its own
    share only: the order's total, delivery fee and escrow figures are ``null`` for it."""

    id: str
    object: Literal["order"] = "order"
    merchant_id: str
    merchant_name: str | None
    status: str
    currency: str
    payment_mode: str
    fulfilment: str
    amount_total: int | None
    delivery_fee: int | None
    courier_fee_status: str
    courier_id: str | None
    store_id: str | None
    customer: CustomerOut
    lines: list[LineOut]
    amounts: AmountsOut | None
    share: ShareOut | None
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
        # A supplier reads its own share, never the order's whole figures.
        supplier = view.supplier_viewer is not None
        return cls(
            id=order.id,
            merchant_id=order.merchant_id,
            merchant_name=view.names.get(order.merchant_id),
            status=order.status.value,
            currency=order.currency,
            payment_mode=order.payment_mode.value,
            fulfilment=order.fulfilment.value,
            amount_total=None if supplier else order.amount_total,
            delivery_fee=None if supplier else order.delivery_fee,
            courier_fee_status=order.fee_status.value,
            courier_id=order.courier_id,
            store_id=order.store_id,
            customer=CustomerOut(
                email=order.customer.email if view.confidential else None,
                name=order.customer.name if view.supplier_viewer is None else None,
                iban=order.customer.iban if view.confidential else None,
                locale=order.customer.locale,
            ),
            lines=[
                LineOut(
                    id=line.id,
                    product_id=line.product_id,
                    product_name=view.names.get(line.product_id),
                    supplier_id=line.supplier_id,
                    supplier_name=view.names.get(line.supplier_id),
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
            amounts=None
            if supplier
            else AmountsOut(
                captured=view.money.captured,
                released=view.money.paid_to_payees,
                refunded=view.money.refunded,
                held=view.money.held,
            ),
            share=ShareOut(
                party_id=view.share.party_id,
                role=view.share.role.value,
                amount=view.share.amount,
                released=view.share.released,
                held=view.share.held,
                refunded=view.share.refunded,
            )
            if view.share is not None
            else None,
            customer_url=view.customer_url,
            redemption=RedemptionCodeOut(qr_payload=view.qr_payload, short_code=view.short_code)
            if view.qr_payload and view.short_code
            else None,
            created_at=order.created_at,
            paid_at=order.paid_at,
            redeem_by=order.redeem_by,
        )
