"""Orders and their lines: exact amounts, deadlines, state machines, capture.

Amounts follow SPEC.md to the cent:

- line ``amount = quantity × unit_price`` (what the customer pays),
  ``supplier_amount = quantity × wholesale_price``, ``commission = amount −
  supplier_amount`` (never negative);
- deposit (deposit mode only) ``= floor(supplier_amount × deposit_bps / 10000)``;
- ``amount_total = Σ line amounts + delivery_fee``.

State machines (API.md): order ``awaiting_payment → paid → partially_redeemed →
completed``, or ``cancelled`` / ``expired``; line ``pending → held → released |
refunded``. Only the methods here change a status; services never assign one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from axokey.domain import accounts
from axokey.domain.catalog import Agreement, AgreementStatus, Listing, Product, ProductKind
from axokey.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from axokey.domain.ledger import TransferKind, TransferRequest
from axokey.domain.money import MAX_AMOUNT_MINOR, check_amount, percentage_floor

# The largest ledger batch one order needs: capture posts the capture, a deposit
# and two holds (supplier, commission) a line, and the courier's hold; redemption,
# cancellation and expiry end at most three transfers a line and two for the
# courier's fee. ``config.Settings`` keeps it within the ledger's batch limit.
TRANSFERS_PER_LINE_MAX = 3
TRANSFERS_PER_ORDER_OUTSIDE_LINES_MAX = 2


def order_batch_transfers_max(lines: int) -> int:
    """The most ledger transfers one batch of an order of ``lines`` lines needs."""
    return TRANSFERS_PER_LINE_MAX * lines + TRANSFERS_PER_ORDER_OUTSIDE_LINES_MAX


class PaymentMode(StrEnum):
    DEPOSIT = "deposit"
    ESCROW = "escrow"


class Fulfilment(StrEnum):
    DELIVERY = "delivery"
    STORE = "store"
    ITINERARY = "itinerary"


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    PARTIALLY_REDEEMED = "partially_redeemed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


OPEN_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REDEEMED})


class LineStatus(StrEnum):
    PENDING = "pending"
    HELD = "held"
    RELEASED = "released"
    REFUNDED = "refunded"


class FeeStatus(StrEnum):
    """The courier's delivery fee: ``none`` when the order carries no fee."""

    NONE = "none"
    PENDING = "pending"
    HELD = "held"
    RELEASED = "released"
    REFUNDED = "refunded"


class RefundReason(StrEnum):
    MISSING = "missing"  # declared missing at hand-over
    PARTIAL = "partial"  # units of a line not handed over
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    NO_DELIVERY = "no_delivery"  # the courier's fee, when nothing was delivered
    DUPLICATE_PAYMENT = "duplicate_payment"
    AMOUNT_MISMATCH = "amount_mismatch"  # the provider took another amount than asked
    CURRENCY_MISMATCH = "currency_mismatch"  # ... or another currency


@dataclass(frozen=True)
class Customer:
    email: str
    name: str | None = None
    iban: str | None = None
    # The language of the customer's emails: "fr" or "en".
    locale: str = "fr"


@dataclass
class OrderLine:
    id: str
    position: int
    product_id: str
    supplier_id: str
    product_kind: ProductKind
    gtin: str | None
    quantity: int
    unit_price: int
    wholesale_price: int
    deposit_bps: int
    service_date: date | None
    status: LineStatus = LineStatus.PENDING
    quantity_released: int = 0
    released_amount: int = 0
    refunded_amount: int = 0
    closed_at: datetime | None = None

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price

    @property
    def supplier_amount(self) -> int:
        return self.quantity * self.wholesale_price

    @property
    def commission(self) -> int:
        return self.amount - self.supplier_amount

    @property
    def deposit(self) -> int:
        return percentage_floor(self.supplier_amount, self.deposit_bps)

    @property
    def supplier_hold(self) -> int:
        """What is held for the supplier at capture: its share minus the deposit."""
        return self.supplier_amount - self.deposit

    @property
    def held_amount(self) -> int:
        """What the order holds for this line once paid (and before it closes)."""
        return self.amount - self.deposit

    # Deterministic ledger ids: a retried operation can never apply twice.
    def transfer_id(self, action: str) -> str:
        return f"{self.id}:{action}"


@dataclass
class Order:
    id: str
    merchant_id: str
    status: OrderStatus
    currency: str
    payment_mode: PaymentMode
    fulfilment: Fulfilment
    customer: Customer
    courier_id: str | None
    store_id: str | None
    delivery_fee: int
    fee_status: FeeStatus
    redeem_by: datetime
    created_at: datetime
    lines: list[OrderLine] = field(default_factory=list)
    paid_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def amount_total(self) -> int:
        return sum(line.amount for line in self.lines) + self.delivery_fee

    @property
    def deposits_total(self) -> int:
        return sum(line.deposit for line in self.lines)

    def transfer_id(self, action: str) -> str:
        return f"{self.id}:{action}"

    def line(self, line_id: str) -> OrderLine | None:
        for line in self.lines:
            if line.id == line_id:
                return line
        return None

    def line_deadline(self, line: OrderLine, grace: timedelta) -> datetime:
        """When an unredeemed line is refunded: the order's ``redeem_by``, or for a
        dated service, the end of its service day plus the grace period —
        whichever comes first."""
        if line.service_date is None:
            return self.redeem_by
        end_of_service_day = datetime.combine(line.service_date + timedelta(days=1), time(), UTC)
        return min(self.redeem_by, end_of_service_day + grace)

    def accepts_payment(self, now: datetime, grace: timedelta) -> bool:
        """Whether a payment may be taken now: unpaid, and no line past its deadline
        (its hold could not be made, and the customer would pay for nothing)."""
        return self.status is OrderStatus.AWAITING_PAYMENT and all(
            now < self.line_deadline(line, grace) for line in self.lines
        )

    # --- capture -------------------------------------------------------------

    def capture(self, *, provider: str, now: datetime, grace: timedelta) -> list[TransferRequest]:
        """The payment succeeded: take the money in, pay deposits, hold the rest.

        Returns the linked batch of ledger transfers; marks the order paid and its
        lines held. Holds expire at each line's deadline (the fee at ``redeem_by``).
        """
        if self.status is not OrderStatus.AWAITING_PAYMENT:
            raise Conflict(f"order {self.id} is {self.status.value}", code="order_not_payable")
        escrow = accounts.escrow_account(self.id, self.currency).id
        transfers = [
            TransferRequest(
                id=self.transfer_id("capture"),
                kind=TransferKind.SINGLE,
                amount=self.amount_total,
                debit_account_id=accounts.clearing_account(provider, self.currency).id,
                credit_account_id=escrow,
                code="capture",
                order_id=self.id,
            )
        ]
        for line in self.lines:
            supplier = accounts.payable_account(line.supplier_id, self.currency).id
            merchant = accounts.payable_account(self.merchant_id, self.currency).id
            deadline = self.line_deadline(line, grace)
            if line.deposit > 0:
                transfers.append(
                    _movement(
                        line.transfer_id("deposit"),
                        escrow,
                        supplier,
                        line.deposit,
                        "deposit",
                        self.id,
                        line.id,
                    )
                )
            for action, payee, amount in (
                ("hold:supplier", supplier, line.supplier_hold),
                ("hold:commission", merchant, line.commission),
            ):
                if amount > 0:
                    transfers.append(
                        TransferRequest(
                            id=line.transfer_id(action),
                            kind=TransferKind.PENDING,
                            amount=amount,
                            debit_account_id=escrow,
                            credit_account_id=payee,
                            timeout_at=deadline,
                            code="hold",
                            order_id=self.id,
                            line_id=line.id,
                        )
                    )
            line.status = LineStatus.HELD
        if self.delivery_fee > 0:
            assert self.courier_id is not None
            transfers.append(
                TransferRequest(
                    id=self.transfer_id("hold:courier"),
                    kind=TransferKind.PENDING,
                    amount=self.delivery_fee,
                    debit_account_id=escrow,
                    credit_account_id=accounts.payable_account(self.courier_id, self.currency).id,
                    timeout_at=self.redeem_by,
                    code="hold",
                    order_id=self.id,
                )
            )
            self.fee_status = FeeStatus.HELD
        self.status = OrderStatus.PAID
        self.paid_at = now
        return transfers

    def ledger_parties(self) -> set[str]:
        """Every party whose payable account this order may credit."""
        parties = {self.merchant_id} | {line.supplier_id for line in self.lines}
        if self.courier_id is not None and self.delivery_fee > 0:
            parties.add(self.courier_id)
        return parties


def _movement(
    transfer_id: str,
    debit: str,
    credit: str,
    amount: int,
    code: str,
    order_id: str,
    line_id: str | None,
) -> TransferRequest:
    return TransferRequest(
        id=transfer_id,
        kind=TransferKind.SINGLE,
        amount=amount,
        debit_account_id=debit,
        credit_account_id=credit,
        code=code,
        order_id=order_id,
        line_id=line_id,
    )


# --- Building an order --------------------------------------------------------


@dataclass(frozen=True)
class LineRequest:
    product_id: str
    quantity: int
    unit_price: int | None
    service_date: date | None


@dataclass(frozen=True)
class OrderLimits:
    lines_max: int
    quantity_max: int
    grace: timedelta
    default_redeem_window: timedelta


def resolve_deposit_bps(
    mode: PaymentMode, product: Product, agreement: Agreement | None
) -> int | None:
    """The deposit rate of a line, or ``None`` when deposit mode has no basis.

    Escrow mode: no deposit. Deposit mode: a service uses its own booking deposit
    (set by its supplier), else the agreement's; a good needs an active agreement.
    """
    if mode is PaymentMode.ESCROW:
        return 0
    if product.kind is ProductKind.SERVICE and product.deposit_bps is not None:
        return product.deposit_bps
    if agreement is not None and agreement.status is AgreementStatus.ACTIVE:
        return agreement.deposit_bps
    return None


def build_lines(  # noqa: C901, PLR0912, PLR0915 - gathers every line's field errors into one 422
    *,
    mode: PaymentMode,
    fulfilment: Fulfilment,
    currency: str,
    requests: Sequence[LineRequest],
    products: dict[str, Product],
    listings: dict[str, Listing],
    agreements: dict[str, Agreement | None],
    line_ids: Sequence[str],
    limits: OrderLimits,
    delivery_fee: int = 0,
) -> list[OrderLine]:
    """Price and validate an order's lines; raise with every field error at once.

    The order's total (lines plus ``delivery_fee``) is bounded like any amount:
    a larger total could never be captured."""
    if not requests:
        raise ValidationFailed(
            "an order needs at least one line",
            code="no_lines",
            errors=[FieldError("lines", "at least one line")],
        )
    if len(requests) > limits.lines_max:
        raise ValidationFailed(
            f"an order has at most {limits.lines_max} lines",
            code="too_many_lines",
            errors=[FieldError("lines", f"at most {limits.lines_max}")],
        )
    errors: list[FieldError] = []
    codes: list[str] = []
    lines: list[OrderLine] = []

    def refuse(index: int, name: str, message: str, *, code: str) -> None:
        errors.append(FieldError(f"lines.{index}.{name}", message))
        codes.append(code)

    for index, request in enumerate(requests):
        product = products.get(request.product_id)
        if product is None:
            refuse(index, "product_id", "no such product", code="unknown_product")
            continue
        if product.currency != currency:
            refuse(
                index,
                "product_id",
                f"the product is priced in {product.currency}",
                code="currency_mismatch",
            )
            continue
        if not 1 <= request.quantity <= limits.quantity_max:
            refuse(index, "quantity", f"from 1 to {limits.quantity_max}", code="invalid_quantity")
            continue
        unit_price = request.unit_price
        if unit_price is None:
            listing = listings.get(product.id)
            if listing is None:
                refuse(
                    index,
                    "unit_price",
                    "required: the product is not in your listings",
                    code="unit_price_required",
                )
                continue
            unit_price = listing.unit_price
        if unit_price < product.wholesale_price:
            refuse(
                index,
                "unit_price",
                f"below the wholesale price {product.wholesale_price}",
                code="price_below_wholesale",
            )
            continue
        if unit_price * request.quantity > MAX_AMOUNT_MINOR:
            refuse(index, "quantity", "the line amount is too large", code="amount_too_large")
            continue
        if fulfilment is Fulfilment.ITINERARY:
            if product.kind is not ProductKind.SERVICE:
                refuse(
                    index, "product_id", "an itinerary holds services", code="service_line_required"
                )
                continue
            if request.service_date is None:
                refuse(
                    index, "service_date", "required for an itinerary", code="service_date_required"
                )
                continue
        elif request.service_date is not None and product.kind is not ProductKind.SERVICE:
            refuse(
                index,
                "service_date",
                "only services have a service date",
                code="service_date_not_allowed",
            )
            continue
        deposit_bps = resolve_deposit_bps(mode, product, agreements.get(product.supplier_id))
        if deposit_bps is None:
            refuse(
                index,
                "product_id",
                "deposit mode needs an active agreement with this supplier",
                code="agreement_required",
            )
            continue
        lines.append(
            OrderLine(
                id=line_ids[index],
                position=index,
                product_id=product.id,
                supplier_id=product.supplier_id,
                product_kind=product.kind,
                gtin=product.gtin,
                quantity=request.quantity,
                unit_price=unit_price,
                wholesale_price=product.wholesale_price,
                deposit_bps=deposit_bps,
                service_date=request.service_date,
            )
        )
    if errors:
        # The first refusal's code names the problem; every field is listed. An
        # unknown product is a 404, like any unknown id.
        refusal = NotFound if codes[0] == "unknown_product" else ValidationFailed
        raise refusal(
            "; ".join(f"{e.field}: {e.message}" for e in errors), code=codes[0], errors=errors
        )
    if sum(line.amount for line in lines) + delivery_fee > MAX_AMOUNT_MINOR:
        raise ValidationFailed(
            f"the order's total must be ≤ {MAX_AMOUNT_MINOR}",
            code="amount_too_large",
            errors=[FieldError("lines", f"the order's total must be ≤ {MAX_AMOUNT_MINOR}")],
        )
    return lines


def check_fulfilment_parties(
    fulfilment: Fulfilment,
    *,
    courier_id: str | None,
    courier_is_courier: bool,
    store_id: str | None,
    store_merchant_id: str | None,
    merchant_id: str,
    delivery_fee: int,
) -> None:
    """Delivery names a courier; store names one of the merchant's stores."""
    check_amount(delivery_fee, field="delivery_fee")
    if fulfilment is Fulfilment.DELIVERY:
        if courier_id is None:
            raise ValidationFailed(
                "a delivery order names its courier",
                code="courier_required",
                errors=[FieldError("courier_id", "required for delivery")],
            )
        if not courier_is_courier:  # unknown, or not a courier: 404 like any unknown id
            raise NotFound(
                "courier_id is not a courier",
                code="unknown_courier",
                errors=[FieldError("courier_id", "no courier with this id")],
            )
    elif courier_id is not None or delivery_fee:
        raise ValidationFailed(
            "only a delivery order has a courier and a delivery fee",
            code="courier_not_allowed",
            errors=[FieldError("courier_id", "only for delivery")],
        )
    if fulfilment is Fulfilment.STORE:
        if store_id is None:
            raise ValidationFailed(
                "a store order names its store",
                code="store_required",
                errors=[FieldError("store_id", "required for store orders")],
            )
        if store_merchant_id != merchant_id:  # unknown, or another's: 404
            raise NotFound(
                "store_id is not one of your stores",
                code="unknown_store",
                errors=[FieldError("store_id", "not one of your stores")],
            )
    elif store_id is not None:
        raise ValidationFailed(
            "only a store order names a store",
            code="store_not_allowed",
            errors=[FieldError("store_id", "only for store orders")],
        )


def default_redeem_by(
    fulfilment: Fulfilment,
    lines: Sequence[OrderLine],
    now: datetime,
    limits: OrderLimits,
) -> datetime:
    if fulfilment is Fulfilment.ITINERARY:
        last_day = max(line.service_date for line in lines if line.service_date is not None)
        return datetime.combine(last_day + timedelta(days=1), time(), UTC) + limits.grace
    return now + limits.default_redeem_window


def check_redeem_by(redeem_by: datetime, now: datetime) -> None:
    if redeem_by <= now:
        raise ValidationFailed(
            "redeem_by is in the past",
            code="deadline_in_past",
            errors=[FieldError("redeem_by", "must be in the future")],
        )
