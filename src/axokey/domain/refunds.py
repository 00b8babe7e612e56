"""Refund policy: what a customer gets back when an item is not handed over.

A line not handed over (declared missing, cancelled, or past its deadline) is
refunded ``amount − deposit`` (the whole amount in escrow mode: its deposit is
0): the holds for it are voided (or expired, past the deadline) and the money
moves from the order's escrow to the refunds account, from where it goes back to
the card or out by SEPA transfer. A delivery fee is refunded when the delivery
never took place. Suppliers keep their deposits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from axokey.domain import accounts
from axokey.domain.errors import Conflict, Forbidden, InvariantBroken
from axokey.domain.ledger import TransferKind, TransferRequest
from axokey.domain.orders import (
    OPEN_STATUSES,
    FeeStatus,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    RefundReason,
)


@dataclass(frozen=True)
class RefundDecision:
    line_id: str | None  # None: the courier's fee
    amount: int
    reason: RefundReason
    transfer_id: str


@dataclass(frozen=True)
class Release:
    line_id: str
    supplier_id: str
    amount: int  # the supplier's share released now (its deposit was paid at capture)
    commission: int
    quantity: int


@dataclass
class MoneyDecision:
    """What one decision about an order's money (redeem, cancel, expire, refuse a
    payment) moves: ledger transfers, releases, refunds, and the events to record."""

    transfers: list[TransferRequest] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    refunds: list[RefundDecision] = field(default_factory=list)
    courier_fee_released: int = 0
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def event(self, event_type: str, **data: Any) -> None:
        self.events.append((event_type, data))


def _end_hold(
    transfer_id: str, pending_id: str, *, expired: bool, order: Order, line_id: str | None
) -> TransferRequest:
    return TransferRequest(
        id=transfer_id,
        kind=TransferKind.EXPIRE_PENDING if expired else TransferKind.VOID_PENDING,
        pending_id=pending_id,
        code="expire" if expired else "void",
        order_id=order.id,
        line_id=line_id,
    )


def refund_transfer(
    order: Order, transfer_id: str, amount: int, line_id: str | None
) -> TransferRequest:
    return TransferRequest(
        id=transfer_id,
        kind=TransferKind.SINGLE,
        amount=amount,
        debit_account_id=accounts.escrow_account(order.id, order.currency).id,
        credit_account_id=accounts.refunds_account(order.currency).id,
        code="refund",
        order_id=order.id,
        line_id=line_id,
    )


def refund_line(
    order: Order,
    line: OrderLine,
    reason: RefundReason,
    now: datetime,
    decision: MoneyDecision,
    *,
    expired: bool = False,
) -> None:
    """End a held line's holds and refund what was held for it."""
    if line.status is not LineStatus.HELD:
        raise InvariantBroken(f"line {line.id} is {line.status.value}, not held")
    verb = "expire" if expired else "void"
    for leg, amount in (("supplier", line.supplier_hold), ("commission", line.commission)):
        if amount > 0:
            decision.transfers.append(
                _end_hold(
                    line.transfer_id(f"{verb}:{leg}"),
                    line.transfer_id(f"hold:{leg}"),
                    expired=expired,
                    order=order,
                    line_id=line.id,
                )
            )
    amount = line.held_amount
    if amount > 0:
        transfer_id = line.transfer_id("refund")
        decision.transfers.append(refund_transfer(order, transfer_id, amount, line.id))
        decision.refunds.append(RefundDecision(line.id, amount, reason, transfer_id))
    line.status = LineStatus.REFUNDED
    line.refunded_amount = amount
    line.closed_at = now
    decision.event("line.refunded", line_id=line.id, amount=amount, reason=reason.value)


def refund_courier_fee(
    order: Order, reason: RefundReason, decision: MoneyDecision, *, expired: bool = False
) -> None:
    if order.fee_status is not FeeStatus.HELD:
        raise InvariantBroken(f"the courier fee of {order.id} is not held")
    verb = "expire" if expired else "void"
    decision.transfers.append(
        _end_hold(
            order.transfer_id(f"{verb}:courier"),
            order.transfer_id("hold:courier"),
            expired=expired,
            order=order,
            line_id=None,
        )
    )
    transfer_id = order.transfer_id("refund:courier")
    decision.transfers.append(refund_transfer(order, transfer_id, order.delivery_fee, None))
    decision.refunds.append(RefundDecision(None, order.delivery_fee, reason, transfer_id))
    order.fee_status = FeeStatus.REFUNDED


def all_closed(order: Order) -> bool:
    return order.fee_status is not FeeStatus.HELD and all(
        line.status in (LineStatus.RELEASED, LineStatus.REFUNDED) for line in order.lines
    )


def cancel(order: Order, *, by_merchant_id: str, now: datetime, grace: timedelta) -> MoneyDecision:
    """The merchant cancels: before payment nothing moves; after payment and before
    any hand-over every line is refunded by the money rules (deposits stay).

    A line already past its deadline (that the sweep has not reached yet) has an
    expired hold, which can no longer be voided: it is refunded as expired — the
    same amount, by the same rules."""
    if order.merchant_id != by_merchant_id:
        raise Forbidden("only the order's merchant cancels it", code="not_your_order")
    decision = MoneyDecision()
    if order.status is OrderStatus.AWAITING_PAYMENT:
        # Nothing was paid: the lines stay pending (never held, nothing to refund).
        for line in order.lines:
            line.closed_at = now
    elif order.status is OrderStatus.PAID:
        for line in order.lines:
            # A line the sweep already refunded (a past service day) stays as it is.
            if line.status is LineStatus.HELD:
                expired = now >= order.line_deadline(line, grace)
                reason = RefundReason.EXPIRED if expired else RefundReason.CANCELLED
                refund_line(order, line, reason, now, decision, expired=expired)
        if order.fee_status is FeeStatus.HELD:
            expired = now >= order.redeem_by
            reason = RefundReason.NO_DELIVERY if expired else RefundReason.CANCELLED
            refund_courier_fee(order, reason, decision, expired=expired)
    elif order.status is OrderStatus.PARTIALLY_REDEEMED:
        raise Conflict(
            "items were already handed over: the order can no longer be cancelled",
            code="order_partially_redeemed",
        )
    else:
        raise Conflict(
            f"order {order.id} is {order.status.value}", code=f"order_{order.status.value}"
        )
    order.status = OrderStatus.CANCELLED
    order.closed_at = now
    decision.event("order.cancelled", refunded=sum(r.amount for r in decision.refunds))
    return decision


def expire_due(order: Order, *, now: datetime, grace: timedelta) -> MoneyDecision:
    """Refund every held line whose deadline has passed (never before), and the
    courier's fee once ``redeem_by`` has passed. Idempotent: closed lines are skipped."""
    decision = MoneyDecision()
    if order.status not in OPEN_STATUSES:
        return decision
    closed_any = False  # a line that held nothing closes without any transfer
    for line in order.lines:
        if line.status is LineStatus.HELD and now >= order.line_deadline(line, grace):
            refund_line(order, line, RefundReason.EXPIRED, now, decision, expired=True)
            closed_any = True
    if order.fee_status is FeeStatus.HELD and now >= order.redeem_by:
        refund_courier_fee(order, RefundReason.NO_DELIVERY, decision, expired=True)
        closed_any = True
    if closed_any and all_closed(order):
        released_any = any(line.status is LineStatus.RELEASED for line in order.lines)
        order.status = OrderStatus.COMPLETED if released_any else OrderStatus.EXPIRED
        order.closed_at = now
        decision.event("order.completed" if released_any else "order.expired")
    return decision


def next_deadline(order: Order, grace: timedelta) -> datetime | None:
    """When the sweep next has something to do for this order."""
    deadlines = [
        order.line_deadline(line, grace) for line in order.lines if line.status is LineStatus.HELD
    ]
    if order.fee_status is FeeStatus.HELD:
        deadlines.append(order.redeem_by)
    return min(deadlines) if deadlines else None


def refuse_payment(
    order: Order,
    *,
    payment_id: str,
    amount: int,
    provider: str,
    now: datetime,
    amount_mismatch: bool = False,
) -> MoneyDecision:
    """A payment the order cannot take — paid twice, after a cancellation, after the
    deadline, or of another amount than asked: its money passes through the
    order's escrow under the payment's own ids and goes straight back, whole.
    Nobody else's money moves. An unpaid order past its deadline expires."""
    if amount_mismatch:
        reason = RefundReason.AMOUNT_MISMATCH
    elif order.status is OrderStatus.CANCELLED:
        reason = RefundReason.CANCELLED
    elif order.status is OrderStatus.AWAITING_PAYMENT:
        reason = RefundReason.EXPIRED
    else:
        reason = RefundReason.DUPLICATE_PAYMENT
    decision = MoneyDecision()
    if reason is RefundReason.EXPIRED:
        order.status = OrderStatus.EXPIRED
        order.closed_at = now
        for line in order.lines:
            line.closed_at = now
        decision.event("order.expired")
    escrow = accounts.escrow_account(order.id, order.currency).id
    transfer_id = f"{payment_id}:refund"
    decision.transfers.append(
        TransferRequest(
            id=refunded_payment_capture_id(payment_id),
            kind=TransferKind.SINGLE,
            amount=amount,
            debit_account_id=accounts.clearing_account(provider, order.currency).id,
            credit_account_id=escrow,
            code="capture",
            order_id=order.id,
        )
    )
    decision.transfers.append(refund_transfer(order, transfer_id, amount, None))
    decision.refunds.append(RefundDecision(None, amount, reason, transfer_id))
    return decision


def refuse_foreign_currency_payment(
    order: Order, *, payment_id: str, amount: int, currency: str, provider: str
) -> MoneyDecision:
    """Money taken in another currency than the order's: it cannot pass through the
    order's escrow (kept in the order's currency), so it passes through an escrow
    of its own in that currency (the payment's) and goes straight back, whole. It is
    in the ledger, captured and owed back, like any other refund."""
    if currency == order.currency:
        raise ValueError("a payment in the order's own currency goes through its escrow")
    escrow = accounts.escrow_account(payment_id, currency).id
    transfer_id = f"{payment_id}:refund"
    decision = MoneyDecision()
    decision.transfers.append(
        TransferRequest(
            id=refunded_payment_capture_id(payment_id),
            kind=TransferKind.SINGLE,
            amount=amount,
            debit_account_id=accounts.clearing_account(provider, currency).id,
            credit_account_id=escrow,
            code="capture",
            order_id=order.id,
        )
    )
    decision.transfers.append(
        TransferRequest(
            id=transfer_id,
            kind=TransferKind.SINGLE,
            amount=amount,
            debit_account_id=escrow,
            credit_account_id=accounts.refunds_account(currency).id,
            code="refund",
            order_id=order.id,
        )
    )
    decision.refunds.append(
        RefundDecision(None, amount, RefundReason.CURRENCY_MISMATCH, transfer_id)
    )
    return decision


def refunded_payment_capture_id(payment_id: str) -> str:
    """The capture id of a payment refused whole (the order's own is ``{order}:capture``)."""
    return f"{payment_id}:capture"


def card_refund_paid(
    *,
    refund_id: str,
    amount: int,
    currency: str,
    provider: str,
    order_id: str,
    line_id: str | None,
) -> TransferRequest:
    """A refund the provider paid back to the card leaves through its clearing account."""
    return TransferRequest(
        id=f"{refund_id}:card",
        kind=TransferKind.SINGLE,
        amount=amount,
        debit_account_id=accounts.refunds_account(currency).id,
        credit_account_id=accounts.clearing_account(provider, currency).id,
        code="refund_out",
        order_id=order_id,
        line_id=line_id,
    )
