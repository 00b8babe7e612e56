"""Stock per store and product, and the reservations of store orders.

The rules (SPEC.md, "Money out and stock"): for every store and product,
``0 ≤ reserved ≤ on_hand`` and ``available = on_hand − reserved``, at every moment.
A ``store`` order reserves its goods at its store when it is created; a hand-over
takes the units handed over out of ``on_hand`` and the line's whole reservation out
of ``reserved``; a cancellation, an expiry, a payment that never came or a line
declared missing frees the reservation. Plain rules here; the database applies them
with conditional updates (``adapters/db/stock_repository.py``), so two orders racing
for the last unit never both get it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from axokey.domain.catalog import ProductKind
from axokey.domain.errors import Conflict, FieldError, ValidationFailed
from axokey.domain.orders import Fulfilment, LineStatus, Order, OrderLine, OrderStatus

# A count of units no store holds; keeps sums far from integer overflow.
STOCK_QUANTITY_MAX = 1_000_000_000
ADJUSTMENT_REASON_LENGTH_MAX = 200
# A first-day import: lines of one CSV file, and the file's size.
IMPORT_LINES_MAX = 10_000
IMPORT_BYTES_MAX = 2 * 1024 * 1024
# A first-day import's first line names its columns, exactly one of these (the
# product by SKU or GTIN, then on_hand); the OpenAPI document carries the same pattern.
IMPORT_HEADERS = ("sku,on_hand", "gtin,on_hand", "sku,gtin,on_hand", "gtin,sku,on_hand")
IMPORT_BODY_PATTERN = "^\\uFEFF?(?:" + "|".join(IMPORT_HEADERS) + ")(?:\\r?\\n[^\\x00]*)?$"


@dataclass(frozen=True)
class StockLevel:
    store_id: str
    product_id: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def empty_level(store_id: str, product_id: str) -> StockLevel:
    """A product the store never counted: nothing on hand."""
    return StockLevel(store_id, product_id, 0, 0)


def check_on_hand(on_hand: int, *, field: str = "on_hand") -> int:
    """A count of units: a whole number from 0 to ``STOCK_QUANTITY_MAX``."""
    if not 0 <= on_hand <= STOCK_QUANTITY_MAX:
        raise ValidationFailed(
            f"{field} must be from 0 to {STOCK_QUANTITY_MAX}",
            code="invalid_stock_quantity",
            errors=[FieldError(field, f"from 0 to {STOCK_QUANTITY_MAX}")],
        )
    return on_hand


def set_on_hand(level: StockLevel, on_hand: int) -> StockLevel:
    """A count of the shelf replaces ``on_hand``; never below what is reserved."""
    check_on_hand(on_hand)
    if on_hand < level.reserved:
        raise Conflict(
            f"{level.reserved} units are reserved: on_hand cannot be {on_hand}",
            code="stock_below_reserved",
            errors=[FieldError("on_hand", f"at least {level.reserved} (reserved)")],
        )
    return StockLevel(level.store_id, level.product_id, on_hand, level.reserved)


def check_adjustment(delta: int, reason: str) -> str:
    """A reception (``delta > 0``) or a loss (``delta < 0``), with its reason."""
    if delta == 0 or abs(delta) > STOCK_QUANTITY_MAX:
        raise ValidationFailed(
            f"delta must be a non-zero whole number within ±{STOCK_QUANTITY_MAX}",
            code="invalid_stock_quantity",
            errors=[FieldError("delta", "not 0")],
        )
    reason = reason.strip()
    if not reason or len(reason) > ADJUSTMENT_REASON_LENGTH_MAX:
        raise ValidationFailed(
            "an adjustment says why (a reception, a loss, ...)",
            code="validation_error",
            errors=[FieldError("reason", f"1 to {ADJUSTMENT_REASON_LENGTH_MAX} characters")],
        )
    return reason


def adjust(level: StockLevel, delta: int) -> StockLevel:
    """``on_hand + delta``: never negative, never below what is reserved (409)."""
    on_hand = level.on_hand + delta
    if on_hand < 0:
        raise Conflict(
            f"only {level.on_hand} units on hand: cannot take {-delta}",
            code="stock_negative",
            errors=[FieldError("delta", f"at least {-level.on_hand}")],
        )
    if on_hand < level.reserved:
        raise Conflict(
            f"{level.reserved} of {level.on_hand} units are reserved: cannot take {-delta}",
            code="stock_below_reserved",
            errors=[FieldError("delta", f"at least {level.reserved - level.on_hand}")],
        )
    if on_hand > STOCK_QUANTITY_MAX:
        raise ValidationFailed(
            f"on_hand would exceed {STOCK_QUANTITY_MAX}",
            code="invalid_stock_quantity",
            errors=[FieldError("delta", "too large")],
        )
    return StockLevel(level.store_id, level.product_id, on_hand, level.reserved)


# --- reservations ---------------------------------------------------------------------


class ReservationStatus(StrEnum):
    HELD = "held"
    HANDED_OVER = "handed_over"
    FREED = "freed"


@dataclass(frozen=True)
class Reservation:
    line_id: str
    order_id: str
    store_id: str
    product_id: str
    quantity: int
    status: ReservationStatus = ReservationStatus.HELD


def reserving_lines(order: Order) -> list[OrderLine]:
    """The lines a store order reserves: its goods (a service holds no stock)."""
    if order.fulfilment is not Fulfilment.STORE or order.store_id is None:
        return []
    return [line for line in order.lines if line.product_kind is ProductKind.GOOD]


def reservations_of(order: Order) -> list[Reservation]:
    assert order.store_id is not None or not reserving_lines(order)
    return [
        Reservation(line.id, order.id, order.store_id or "", line.product_id, line.quantity)
        for line in reserving_lines(order)
    ]


def out_of_stock(
    order: Order, levels: Mapping[str, StockLevel], short_products: Iterable[str] = ()
) -> Conflict | None:
    """The refusal of an order beyond the available stock, naming each line whose
    product the store cannot hold for it (``lines[i]``), or None when it fits.

    ``short_products``: products whose reservation the database refused although
    the levels read before looked sufficient (another order took them meanwhile)."""
    wanted: dict[str, int] = {}
    for line in reserving_lines(order):
        wanted[line.product_id] = wanted.get(line.product_id, 0) + line.quantity
    short = set(short_products) | {
        product_id
        for product_id, quantity in wanted.items()
        if quantity > levels.get(product_id, empty_level("", product_id)).available
    }
    if not short:
        return None
    errors = []
    for index, line in enumerate(order.lines):
        if line.product_id in short and line in reserving_lines(order):
            level = levels.get(line.product_id, empty_level("", line.product_id))
            errors.append(
                FieldError(
                    f"lines[{index}]",
                    f"{wanted[line.product_id]} wanted, {max(level.available, 0)} available",
                )
            )
    names = ", ".join(sorted(short))
    return Conflict(
        f"not enough stock at the store for: {names}", code="out_of_stock", errors=errors
    )


@dataclass(frozen=True)
class ReservationEnd:
    """How a held reservation ends: ``taken`` units leave ``on_hand`` (handed over),
    and the whole reservation leaves ``reserved``."""

    reservation: Reservation
    taken: int
    status: ReservationStatus


def reservation_end(order: Order, reservation: Reservation) -> ReservationEnd | None:
    """Whether the order's state ends this held reservation now, and how.

    A released line takes the units handed over (the rest of its reservation is
    freed); a refunded line (missing, cancelled, expired) frees it all; so does an
    order cancelled or expired before payment (its lines never held money)."""
    if reservation.status is not ReservationStatus.HELD:
        return None
    line = order.line(reservation.line_id)
    if line is None:
        return None
    if line.status is LineStatus.RELEASED:
        return ReservationEnd(reservation, line.quantity_released, ReservationStatus.HANDED_OVER)
    if line.status is LineStatus.REFUNDED or order.status in (
        OrderStatus.CANCELLED,
        OrderStatus.EXPIRED,
    ):
        return ReservationEnd(reservation, 0, ReservationStatus.FREED)
    return None


def unpaid_hold_ends(
    order: Order, *, hold: timedelta, payment_started_at: datetime | None = None
) -> datetime:
    """When an unpaid store order's hold ends: ``hold`` after its creation, or
    after the start of its latest checkout still open (the customer is on the
    payment page, perhaps on 3-D Secure), whichever is later."""
    start = order.created_at
    if payment_started_at is not None and payment_started_at > start:
        start = payment_started_at
    return start + hold


def expire_unpaid(
    order: Order,
    *,
    now: datetime,
    hold: timedelta,
    payment_started_at: datetime | None = None,
) -> list[tuple[str, dict[str, Any]]] | None:
    """A store order whose payment never came within its hold (``unpaid_hold_ends``)
    expires (nothing was paid: nothing to refund), so its reservation is freed.
    ``payment_started_at``: when its latest open payment attempt started, if any.
    Returns the events to record, or None when the order is not due (paid meanwhile,
    or a payment started recently is still open)."""
    if order.status is not OrderStatus.AWAITING_PAYMENT or not reserving_lines(order):
        return None
    if now < unpaid_hold_ends(order, hold=hold, payment_started_at=payment_started_at):
        return None
    order.status = OrderStatus.EXPIRED
    order.closed_at = now
    for line in order.lines:
        line.closed_at = now
    return [("order.expired", {"reason": "unpaid"})]
