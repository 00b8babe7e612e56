"""Stock and reservations against a model (Hypothesis stateful), on the real database.

A store with two products and a small shelf: counts, receptions and losses, store
orders (refused when beyond the available stock), payments, cancellations, hand-overs
of part of an order with the rest missing, carts checked out, and the sweep's unpaid
hold, in any order. After every step the database agrees with the model, and
``0 ≤ reserved ≤ on_hand``, ``available = on_hand − reserved`` — SPEC.md's stock rules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, text

from axokey.adapters.db.tables import metadata
from axokey.domain.catalog import ProductKind
from axokey.domain.errors import AxokeyError
from axokey.domain.orders import Customer, Fulfilment, LineRequest, PaymentMode
from axokey.domain.parties import Principal, Role
from axokey.domain.redemption import Handover
from axokey.services import carts, catalog, ordering, payments, redeeming, stock, sweeping
from axokey.services.context import ServiceContext
from axokey.services.parties import authenticate, create_party
from tests.conftest import FakeClock

EXAMPLES = int(os.environ.get("AXOKEY_STOCK_EXAMPLES", "20"))
START = datetime(2031, 6, 1, 9, 0, tzinfo=UTC)
PRODUCTS = ("A", "B")
SUCCEEDS = "4242424242424242"


@dataclass
class OrderModel:
    id: str
    quantities: dict[str, int]  # product → units (one line per product)
    created_at: datetime
    status: str = "awaiting_payment"  # awaiting_payment | paid | closed


class StockMachine(RuleBasedStateMachine):
    context: ClassVar[ServiceContext]
    clock: ClassVar[FakeClock]

    def __init__(self) -> None:
        super().__init__()
        self.on_hand = dict.fromkeys(PRODUCTS, 0)
        self.reserved = dict.fromkeys(PRODUCTS, 0)
        self.orders: list[OrderModel] = []
        self.principals: dict[str, Principal] = {}
        self.product_ids: dict[str, str] = {}
        self.hold = timedelta(seconds=self.context.settings.store_unpaid_hold_seconds)

    @initialize()
    def set_up(self) -> None:
        def wipe(connection: Any) -> None:
            if connection.dialect.name == "postgresql":
                names = ", ".join(table.name for table in metadata.sorted_tables)
                connection.execute(text(f"TRUNCATE {names}"))
                return
            for table in reversed(metadata.sorted_tables):
                connection.execute(delete(table))

        self.context.database.run(wipe)
        self.clock.frozen = START
        for name, role in (("M", Role.MERCHANT), ("S", Role.SUPPLIER)):
            _, key = create_party(self.context, role=role, name=name)
            self.principals[name] = authenticate(self.context, key)
        _, key = create_party(
            self.context, role=Role.STORE, name="ST", merchant_id=self.principals["M"].party_id
        )
        self.principals["ST"] = authenticate(self.context, key)
        for name in PRODUCTS:
            product = catalog.create_product(
                self.context,
                self.principals["S"],
                sku=name,
                name=name,
                kind=ProductKind.GOOD,
                currency="EUR",
                wholesale_price=100,
            )
            catalog.create_listing(
                self.context, self.principals["M"], product_id=product.id, unit_price=150
            )
            self.product_ids[name] = product.id

    @property
    def store_id(self) -> str:
        store_id = self.principals["ST"].party_id
        assert store_id is not None
        return store_id

    def available(self, product: str) -> int:
        return self.on_hand[product] - self.reserved[product]

    # --- the shelf ------------------------------------------------------------------

    @rule(
        product=st.sampled_from(PRODUCTS),
        on_hand=st.integers(-1, 6),
        who=st.sampled_from(["M", "ST"]),
    )
    def count(self, product: str, on_hand: int, who: str) -> None:
        try:
            stock.set_stock(
                self.context,
                self.principals[who],
                self.store_id,
                self.product_ids[product],
                on_hand,
            )
        except AxokeyError as error:
            expected = "invalid_stock_quantity" if on_hand < 0 else "stock_below_reserved"
            assert error.code == expected and (on_hand < 0 or on_hand < self.reserved[product])
            return
        assert on_hand >= self.reserved[product]
        self.on_hand[product] = on_hand

    @rule(product=st.sampled_from(PRODUCTS), delta=st.integers(-4, 4).filter(bool))
    def adjust(self, product: str, delta: int) -> None:
        try:
            stock.adjust_stock(
                self.context,
                self.principals["ST"],
                self.store_id,
                self.product_ids[product],
                delta=delta,
                reason="count",
            )
        except AxokeyError as error:
            after = self.on_hand[product] + delta
            expected = "stock_negative" if after < 0 else "stock_below_reserved"
            assert error.code == expected and after < self.reserved[product]
            return
        self.on_hand[product] += delta

    # --- orders ---------------------------------------------------------------------

    def _new_order(self, quantities: dict[str, int], via_cart: bool) -> None:
        fits = all(self.available(p) >= q for p, q in quantities.items())
        customer = Customer("c@example.com")
        try:
            if via_cart:
                cart = carts.create_cart(
                    self.context,
                    self.principals["ST"],
                    currency="EUR",
                    store_id=None,
                    lines=[
                        carts.NewCartLine(self.product_ids[p], q) for p, q in quantities.items()
                    ],
                )
                view = carts.checkout(
                    self.context,
                    self.principals["ST"],
                    cart.id,
                    ordering.NewOrder(
                        currency="",
                        payment_mode=PaymentMode.ESCROW,
                        fulfilment=Fulfilment.STORE,
                        customer=customer,
                        lines=[],
                    ),
                )
            else:
                view = ordering.create_order(
                    self.context,
                    self.principals["M"],
                    ordering.NewOrder(
                        currency="EUR",
                        payment_mode=PaymentMode.ESCROW,
                        fulfilment=Fulfilment.STORE,
                        customer=customer,
                        lines=[
                            LineRequest(self.product_ids[p], q, None, None)
                            for p, q in quantities.items()
                        ],
                        store_id=self.store_id,
                    ),
                )
        except AxokeyError as error:
            assert error.code == "out_of_stock" and not fits, error
            return
        assert fits, "an order beyond the available stock was accepted"
        for product, quantity in quantities.items():
            self.reserved[product] += quantity
        self.orders.append(OrderModel(view.order.id, dict(quantities), self.clock()))

    @rule(
        a=st.integers(0, 3),
        b=st.integers(0, 3),
        via_cart=st.booleans(),
    )
    def order(self, a: int, b: int, via_cart: bool) -> None:
        quantities = {p: q for p, q in (("A", a), ("B", b)) if q}
        if quantities:
            self._new_order(quantities, via_cart)

    def _open(self, status: str) -> list[OrderModel]:
        return [order for order in self.orders if order.status == status]

    def _close(self, order: OrderModel, handed: dict[str, int]) -> None:
        for product, quantity in order.quantities.items():
            self.reserved[product] -= quantity
            self.on_hand[product] -= handed.get(product, 0)
        order.status = "closed"

    @precondition(lambda self: bool(self._open("awaiting_payment")))
    @rule(data=st.data())
    def pay(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self._open("awaiting_payment")))
        payment = payments.start_checkout(self.context, self.principals["M"], order.id, None)
        _, reference = payments.provider_reference_of(self.context, payment.id)
        self.context.providers["sandbox"].submit_card(reference, SUCCEEDS)  # type: ignore[attr-defined]
        order.status = "paid"

    @precondition(lambda self: bool(self._open("awaiting_payment") + self._open("paid")))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self._open("awaiting_payment") + self._open("paid")))
        ordering.cancel_order(self.context, self.principals["M"], order.id)
        self._close(order, {})

    @precondition(lambda self: bool(self._open("paid")))
    @rule(data=st.data())
    def hand_over(self, data: st.DataObject) -> None:
        """Some units of each line handed over, the rest declared missing."""
        order = data.draw(st.sampled_from(self._open("paid")))
        view = ordering.get_order(self.context, self.principals["M"], order.id)
        assert view.qr_payload is not None
        names = {pid: name for name, pid in self.product_ids.items()}
        handed: dict[str, int] = {}
        handovers = []
        for line in view.order.lines:
            units = data.draw(st.integers(0, line.quantity))
            if units:
                handed[names[line.product_id]] = units
                handovers.append(Handover(line.id, units))
        redeeming.redeem_order(
            self.context,
            self.principals["ST"],
            code=view.qr_payload,
            handovers=handovers,
            gtins=[],
            complete=True,
        )
        self._close(order, handed)

    @rule(minutes=st.sampled_from([1, 30, 61]))
    def sweep(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        now = self.clock()
        for order in self._open("awaiting_payment"):
            if now >= order.created_at + self.hold:
                self._close(order, {})
        sweeping.sweep(self.context)

    # --- invariants ------------------------------------------------------------------

    @invariant()
    def the_shelf_agrees_with_the_model(self) -> None:
        if not self.product_ids:
            return
        levels, _ = stock.list_stock(
            self.context, self.principals["M"], self.store_id, limit=10, starting_after=None
        )
        found = {level.product_id: level for level in levels}
        for product, product_id in self.product_ids.items():
            level = found.get(product_id)
            on_hand, reserved = (level.on_hand, level.reserved) if level else (0, 0)
            assert (on_hand, reserved) == (self.on_hand[product], self.reserved[product]), product
            assert 0 <= reserved <= on_hand


def test_stock_and_reservations_behave_like_their_model(
    context: ServiceContext, clock: FakeClock
) -> None:
    machine = type("BoundStockMachine", (StockMachine,), {"context": context, "clock": clock})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
