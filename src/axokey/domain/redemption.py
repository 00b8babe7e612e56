"""Redemption: a professional scans the customer's QR code and the held money is
released in cascade.

Who may hand over what:
- a courier, the lines of a delivery order assigned to it;
- a store, the lines of an order for that store;
- a supplier, its own ``service`` lines of an itinerary order (the customer shows
  the same code to each provider in turn).

For each line handed over, its supplier hold and its commission hold are posted.
A partial quantity posts the share of the units handed over and refunds the rest
(the deposit is split over the units with ``allocate``). With ``complete``, every
other line this professional is responsible for is declared missing and refunded.
The courier's fee is released at the courier's first hand-over; a courier who
hands over nothing and completes the order releases no fee (no delivery took
place) and the fee is refunded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from axokey.domain.catalog import ProductKind
from axokey.domain.errors import Conflict, FieldError, Forbidden, InvariantBroken, ValidationFailed
from axokey.domain.ledger import TransferKind, TransferRequest
from axokey.domain.money import allocate
from axokey.domain.orders import (
    FeeStatus,
    Fulfilment,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    RefundReason,
)
from axokey.domain.parties import Role
from axokey.domain.redemption_codes import NotEntitled
from axokey.domain.refunds import (
    MoneyDecision,
    RefundDecision,
    Release,
    all_closed,
    refund_courier_fee,
    refund_line,
    refund_transfer,
)

MAX_HANDOVERS_PER_REDEMPTION = 200


@dataclass(frozen=True)
class Professional:
    party_id: str
    role: Role


@dataclass(frozen=True)
class Handover:
    line_id: str
    quantity: int | None = None  # None: every unit of the line


@dataclass(frozen=True)
class LinePreview:
    line: OrderLine
    releasable_amount: int  # to the supplier, if handed over in full now
    releasable_commission: int


def check_redeemable(order: Order) -> None:
    """Refuse codes of orders that cannot be redeemed, each with its own code."""
    if order.status is OrderStatus.AWAITING_PAYMENT:
        raise Conflict("the order is not paid yet", code="order_not_paid")
    if order.status is OrderStatus.CANCELLED:
        raise Conflict("the order was cancelled", code="order_cancelled")
    if order.status is OrderStatus.EXPIRED:
        raise Conflict("the order expired", code="order_expired")
    if order.status is OrderStatus.COMPLETED:
        raise Conflict("every line of this order was already redeemed", code="already_redeemed")


def responsible_lines(order: Order, by: Professional) -> list[OrderLine]:
    """The lines ``by`` may hand over. A professional with none is not entitled to
    the order and is told the code is unknown (404 ``unknown_code``), never that
    the order exists: checked before anything else about the order."""
    if by.role is Role.COURIER and order.fulfilment is Fulfilment.DELIVERY:
        if order.courier_id == by.party_id:
            return list(order.lines)
    elif by.role is Role.STORE and order.fulfilment is Fulfilment.STORE:
        if order.store_id == by.party_id:
            return list(order.lines)
    elif by.role is Role.SUPPLIER and order.fulfilment is Fulfilment.ITINERARY:
        own = [
            line
            for line in order.lines
            if line.supplier_id == by.party_id and line.product_kind is ProductKind.SERVICE
        ]
        if own:
            return own
    raise NotEntitled()


def preview(
    order: Order, by: Professional, *, now: datetime, grace: timedelta
) -> list[LinePreview]:
    """What a hand-over by ``by`` would release now, line by line."""
    mine = responsible_lines(order, by)  # first: no status leaks to another party
    check_redeemable(order)
    return [
        LinePreview(line, line.supplier_hold, line.commission)
        for line in mine
        if line.status is LineStatus.HELD and now < order.line_deadline(line, grace)
    ]


def courier_fee_releasable(order: Order, by: Professional) -> int:
    """The delivery fee that ``by``'s first hand-over would release (0 for others)."""
    if by.role is Role.COURIER and order.fee_status is FeeStatus.HELD:
        return order.delivery_fee
    return 0


def _post(order: Order, line: OrderLine, leg: str, amount: int) -> TransferRequest:
    """Post a hold (in full, or in part: the rest goes back to the escrow), or void
    it when nothing of it is released."""
    if amount == 0:
        return TransferRequest(
            id=line.transfer_id(f"void:{leg}"),
            kind=TransferKind.VOID_PENDING,
            pending_id=line.transfer_id(f"hold:{leg}"),
            code="void",
            order_id=order.id,
            line_id=line.id,
        )
    return TransferRequest(
        id=line.transfer_id(f"release:{leg}"),
        kind=TransferKind.POST_PENDING,
        pending_id=line.transfer_id(f"hold:{leg}"),
        amount=amount,
        code="release",
        order_id=order.id,
        line_id=line.id,
    )


def release_line(
    order: Order, line: OrderLine, quantity: int, now: datetime, decision: MoneyDecision
) -> None:
    """Release ``quantity`` units of a held line; refund the units not handed over."""
    if line.status is not LineStatus.HELD or not 1 <= quantity <= line.quantity:
        raise InvariantBroken(f"cannot release {quantity} units of line {line.id}")
    missing = line.quantity - quantity
    # The deposit already paid is split over the units: the handed-over units'
    # share first gets any odd cent (allocate's tie-break favours the first part).
    deposit_handed, deposit_missing = allocate(line.deposit, [quantity, missing])
    supplier_release = quantity * line.wholesale_price - deposit_handed
    commission_release = quantity * (line.unit_price - line.wholesale_price)
    for leg, amount, full in (
        ("supplier", supplier_release, line.supplier_hold),
        ("commission", commission_release, line.commission),
    ):
        if full > 0:
            decision.transfers.append(_post(order, line, leg, amount))
    line.status = LineStatus.RELEASED
    line.quantity_released = quantity
    line.released_amount = supplier_release + commission_release
    line.closed_at = now
    decision.releases.append(
        Release(line.id, line.supplier_id, supplier_release, commission_release, quantity)
    )
    decision.event(
        "line.released",
        line_id=line.id,
        supplier_id=line.supplier_id,
        amount=supplier_release,
        commission=commission_release,
        quantity=quantity,
    )
    if missing:
        refund = missing * line.unit_price - deposit_missing
        if refund < 0:
            raise InvariantBroken(f"a negative refund for line {line.id}")
        if refund > 0:
            transfer_id = line.transfer_id("refund")
            decision.transfers.append(refund_transfer(order, transfer_id, refund, line.id))
            decision.refunds.append(
                RefundDecision(line.id, refund, RefundReason.PARTIAL, transfer_id)
            )
        line.refunded_amount = refund
        decision.event(
            "line.refunded",
            line_id=line.id,
            amount=refund,
            reason=RefundReason.PARTIAL.value,
            quantity=missing,
        )


def redeem(  # noqa: C901, PLR0912 - the whole decision in one place: a hand-over's checks, then its money
    order: Order,
    *,
    by: Professional,
    handovers: Sequence[Handover],
    complete: bool,
    now: datetime,
    grace: timedelta,
) -> MoneyDecision:
    """Decide a redemption: what is released, what is refunded, the new statuses."""
    mine = {line.id: line for line in responsible_lines(order, by)}  # first: no leak
    check_redeemable(order)
    if len(handovers) > MAX_HANDOVERS_PER_REDEMPTION:
        raise ValidationFailed("too many lines in one redemption", code="too_many_lines")
    if not handovers and not complete:
        raise ValidationFailed(
            "name the lines handed over (lines or gtins), or set complete",
            code="nothing_to_redeem",
        )
    quantities: dict[str, int] = {}
    for index, handover in enumerate(handovers):
        line = order.line(handover.line_id)
        if line is None:
            raise ValidationFailed(
                f"line {handover.line_id} is not in this order",
                code="unknown_line",
                errors=[FieldError(f"lines.{index}.line_id", "not in this order")],
            )
        if line.id not in mine:
            raise Forbidden(f"line {line.id} is not yours to hand over", code="not_your_line")
        if line.status is LineStatus.RELEASED:
            raise Conflict(f"line {line.id} was already redeemed", code="already_redeemed")
        if line.status is LineStatus.REFUNDED:
            raise Conflict(f"line {line.id} was refunded", code="line_refunded")
        if now >= order.line_deadline(line, grace):
            raise Conflict(f"line {line.id} is past its deadline", code="order_expired")
        quantity = line.quantity if handover.quantity is None else handover.quantity
        total = quantities.get(line.id, 0) + quantity
        if quantity < 1 or total > line.quantity:
            raise ValidationFailed(
                f"line {line.id} has {line.quantity} units",
                code="invalid_quantity",
                errors=[FieldError(f"lines.{index}.quantity", f"from 1 to {line.quantity}")],
            )
        quantities[line.id] = total

    decision = MoneyDecision()
    for line_id, quantity in quantities.items():
        release_line(order, mine[line_id], quantity, now, decision)
    if complete:
        for line in mine.values():
            if line.status is LineStatus.HELD and line.id not in quantities:
                # Past its deadline (the sweep has not come by yet) its holds have
                # expired and cannot be voided: the same refund, as an expiry.
                expired = now >= order.line_deadline(line, grace)
                reason = RefundReason.EXPIRED if expired else RefundReason.MISSING
                refund_line(order, line, reason, now, decision, expired=expired)
    if by.role is Role.COURIER and order.fee_status is FeeStatus.HELD:
        if quantities:
            assert order.courier_id is not None
            decision.transfers.append(
                TransferRequest(
                    id=order.transfer_id("release:courier"),
                    kind=TransferKind.POST_PENDING,
                    pending_id=order.transfer_id("hold:courier"),
                    code="release",
                    order_id=order.id,
                )
            )
            order.fee_status = FeeStatus.RELEASED
            decision.courier_fee_released = order.delivery_fee
        elif complete:
            refund_courier_fee(
                order, RefundReason.NO_DELIVERY, decision, expired=now >= order.redeem_by
            )
    decision.event(
        "order.redeemed",
        professional_id=by.party_id,
        released=[release.line_id for release in decision.releases],
        refunded=[refund.line_id for refund in decision.refunds],
    )
    if all_closed(order):
        order.status = OrderStatus.COMPLETED
        order.closed_at = now
        decision.event("order.completed")
    # Partially redeemed once something was handed over; lines only declared
    # missing leave a paid order paid (the merchant may still cancel the rest).
    elif any(line.status is LineStatus.RELEASED for line in order.lines):
        order.status = OrderStatus.PARTIALLY_REDEEMED
    return decision
