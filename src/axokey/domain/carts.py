"""Carts: started online (the merchant's shop) or in a store, filled by product id or
by scanning barcodes, and checked out once into an order (the very order
``POST /v1/orders`` would make). An open cart that is left alone expires.

A cart holds the merchant's listed products at their listed price, in one currency.
It reserves nothing: the order made at checkout does (``domain/stock.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from axokey.domain.catalog import Listing, Product
from axokey.domain.errors import Conflict, FieldError, NotFound, ValidationFailed


class CartStatus(StrEnum):
    OPEN = "open"
    CHECKED_OUT = "checked_out"
    EXPIRED = "expired"


@dataclass(frozen=True)
class CartLimits:
    lines_max: int
    quantity_max: int
    ttl: timedelta


@dataclass
class CartLine:
    id: str
    product_id: str
    quantity: int
    unit_price: int
    created_at: datetime

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


@dataclass
class Cart:
    id: str
    merchant_id: str
    store_id: str | None
    currency: str
    status: CartStatus
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    lines: list[CartLine] = field(default_factory=list)
    order_id: str | None = None

    @property
    def amount_total(self) -> int:
        return sum(line.amount for line in self.lines)

    def status_at(self, now: datetime) -> CartStatus:
        """The status as of ``now``: an open cart past its time is expired even
        before the sweep marks it."""
        if self.status is CartStatus.OPEN and now >= self.expires_at:
            return CartStatus.EXPIRED
        return self.status

    def check_open(self, now: datetime) -> None:
        status = self.status_at(now)
        if status is CartStatus.CHECKED_OUT:
            raise Conflict(
                f"cart {self.id} was already checked out (order {self.order_id})",
                code="cart_checked_out",
            )
        if status is CartStatus.EXPIRED:
            raise Conflict(f"cart {self.id} expired", code="cart_expired")

    def line(self, line_id: str) -> CartLine:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise NotFound(f"line {line_id} is not in cart {self.id}", code="cart_line_not_found")

    def _touch(self, now: datetime, limits: CartLimits) -> None:
        self.updated_at = now
        self.expires_at = now + limits.ttl

    def add(
        self,
        product: Product,
        listing: Listing | None,
        quantity: int,
        *,
        new_line_id: str,
        now: datetime,
        limits: CartLimits,
        field_name: str = "product_id",
    ) -> CartLine:
        """Add ``quantity`` units of a listed product (to its line when the cart
        has one already). Nothing changes when it is refused."""
        self.check_open(now)
        # Unknown, or not the merchant's to sell: 404, as API.md's "unknown (or not yours)".
        if listing is None or listing.merchant_id != self.merchant_id:
            raise NotFound(
                f"product {product.id} is not listed by this merchant",
                code="product_not_listed",
                errors=[FieldError(field_name, "not one of the merchant's listed products")],
            )
        # The cart's currency is its state: another currency conflicts with it (409).
        if product.currency != self.currency:
            raise Conflict(
                f"the product is priced in {product.currency}, the cart in {self.currency}",
                code="currency_mismatch",
                errors=[FieldError(field_name, f"priced in {product.currency}")],
            )
        existing = next((line for line in self.lines if line.product_id == product.id), None)
        total = quantity + (existing.quantity if existing else 0)
        if quantity < 1:
            raise ValidationFailed(
                "add at least one unit",
                code="invalid_quantity",
                errors=[FieldError("quantity", "at least 1")],
            )
        if total > limits.quantity_max:  # with the units the cart holds already (409)
            raise Conflict(
                f"a line holds at most {limits.quantity_max} units",
                code="cart_line_full",
                errors=[FieldError("quantity", f"at most {limits.quantity_max} in all")],
            )
        if existing is not None:
            existing.quantity = total
            self._touch(now, limits)
            return existing
        if len(self.lines) >= limits.lines_max:
            raise Conflict(
                f"a cart has at most {limits.lines_max} lines",
                code="cart_full",
                errors=[FieldError("lines", f"at most {limits.lines_max}")],
            )
        line = CartLine(new_line_id, product.id, quantity, listing.unit_price, now)
        self.lines.append(line)
        self._touch(now, limits)
        return line

    def change_quantity(
        self, line_id: str, quantity: int, *, now: datetime, limits: CartLimits
    ) -> CartLine:
        self.check_open(now)
        line = self.line(line_id)
        if not 1 <= quantity <= limits.quantity_max:
            raise ValidationFailed(
                f"a line holds from 1 to {limits.quantity_max} units (delete it to remove it)",
                code="invalid_quantity",
                errors=[FieldError("quantity", f"from 1 to {limits.quantity_max}")],
            )
        line.quantity = quantity
        self._touch(now, limits)
        return line

    def remove(self, line_id: str, *, now: datetime, limits: CartLimits) -> None:
        self.check_open(now)
        line = self.line(line_id)
        self.lines.remove(line)
        self._touch(now, limits)

    def claim_for_store(self, store_id: str, *, now: datetime) -> None:
        """An online cart is finished in a store: from now on it is that store's."""
        self.check_open(now)
        if self.store_id is None:
            self.store_id = store_id
        elif self.store_id != store_id:
            raise NotFound(f"cart {self.id} not found", code="cart_not_found")

    def check_out(self, order_id: str, *, now: datetime) -> None:
        """Once: the cart becomes this order."""
        self.check_open(now)
        self.status = CartStatus.CHECKED_OUT
        self.order_id = order_id
        self.updated_at = now
