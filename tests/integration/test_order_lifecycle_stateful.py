"""Whole orders against a model (Hypothesis stateful test), at the service layer, on
the real database.

The machine creates random valid orders (both payment modes, the three
fulfilments, random quantities, prices at or above wholesale, random agreement
rates), pays them through the sandbox provider (some cards declined, some whose
refunds fail, some customers with an IBAN), redeems random subsets with random
partial quantities and ``complete`` flags — by the right professional, or a wrong
one — repeats redemptions, cancels, and moves the clock forward and sweeps.

The model is written from SPEC.md's money rules, not from the domain code: a
line's deposit is ``floor(supplier_amount × bps / 10000)``; a hand-over of ``q``
of ``Q`` units releases ``q × wholesale − its deposit share`` to the supplier and
``q × (unit − wholesale)`` to the merchant, and refunds ``(Q − q) × unit − the
other share`` (the deposit split with ``allocate``); a line not handed over is
refunded ``amount − deposit``; the courier's fee is released at the courier's
hand-over and refunded when nobody delivered.

After every step, for every order: statuses and amounts as the model says;
``captured = paid_to_payees + refunded + held`` with ``held ≥ 0``; ``held`` equals
what the held lines and a held fee account for; each closed line's released and
refunded amounts equal its posted transfers; the refund rows add up to what was
refunded; and ``check_ledger`` over the whole database finds nothing.

``AXOKEY_LIFECYCLE_EXAMPLES`` raises the number of examples for a longer hunt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
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
from sqlalchemy import delete, func, select, text

from axokey.adapters.db import ledger_store, order_repository
from axokey.adapters.db.tables import events, ledger_transfers, metadata, refunds
from axokey.domain import accounts
from axokey.domain.catalog import ProductKind
from axokey.domain.errors import AxokeyError
from axokey.domain.ledger import TransferKind
from axokey.domain.money import allocate
from axokey.domain.orders import Customer, Fulfilment, LineRequest, PaymentMode
from axokey.domain.parties import Principal, Role
from axokey.domain.redemption import Handover
from axokey.services import catalog, ordering, payments, redeeming, stock, sweeping
from axokey.services.context import ServiceContext
from axokey.services.ledger import check_ledger
from axokey.services.parties import authenticate, create_party
from tests.conftest import FakeClock

EXAMPLES = int(os.environ.get("AXOKEY_LIFECYCLE_EXAMPLES", "25"))
START = datetime(2031, 3, 3, 9, 30, tzinfo=UTC)
SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
REFUNDS_FAIL = "4000000000005126"
CUSTOMER_IBAN = "FR7630006000011234567890189"
OPEN = ("paid", "partially_redeemed")
CARDS = st.sampled_from([SUCCEEDS, SUCCEEDS, SUCCEEDS, REFUNDS_FAIL, DECLINED])


@dataclass(frozen=True)
class ProductSpec:
    name: str
    supplier: str
    kind: ProductKind
    wholesale: int
    deposit_bps: int | None = None  # a service's own booking deposit


PRODUCTS = (
    ProductSpec("P1", "S1", ProductKind.GOOD, 3500),
    ProductSpec("TINY", "S1", ProductKind.GOOD, 3),
    ProductSpec("P2", "S2", ProductKind.GOOD, 2000),
    ProductSpec("NIGHT", "H", ProductKind.SERVICE, 10000, deposit_bps=2500),
    ProductSpec("KAYAK", "K", ProductKind.SERVICE, 4000),  # deposit from the agreement
)
GOODS = tuple(p for p in PRODUCTS if p.kind is ProductKind.GOOD)
SERVICES = tuple(p for p in PRODUCTS if p.kind is ProductKind.SERVICE)
PROFESSIONALS = ("C1", "C2", "ST1", "ST2", "S1", "S2", "H", "K")


@dataclass
class LineModel:
    id: str
    supplier: str
    quantity: int
    unit_price: int
    wholesale: int
    deposit: int
    deadline: datetime
    product: str = ""
    status: str = "pending"
    quantity_released: int = 0
    released: int = 0  # released at hand-over (supplier share + commission)
    refunded: int = 0

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price

    @property
    def held_amount(self) -> int:
        return self.amount - self.deposit


@dataclass
class OrderModel:
    id: str
    mode: str
    fulfilment: str
    professional: str | None  # the courier or store; None for an itinerary
    fee: int
    redeem_by: datetime
    iban: bool
    lines: list[LineModel]
    status: str = "awaiting_payment"
    fee_status: str = "none"
    card: str | None = None
    code: str | None = None
    short_code: str | None = None
    captured: int = 0
    refunded_at_payment: int = 0  # paid too late: the whole payment went back
    redemptions: list[tuple[str, list[Handover], bool]] = field(default_factory=list)
    created_at: datetime | None = None

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines) + self.fee

    def responsible(self, professional: str) -> list[LineModel]:
        if self.fulfilment == "itinerary":
            return [line for line in self.lines if line.supplier == professional]
        return list(self.lines) if professional == self.professional else []

    def all_closed(self) -> bool:
        return self.fee_status != "held" and all(
            line.status in ("released", "refunded") for line in self.lines
        )


def deadline_of(service_date: date | None, redeem_by: datetime, grace: timedelta) -> datetime:
    """SPEC.md: a dated service is refunded after its day plus the grace period."""
    if service_date is None:
        return redeem_by
    return min(redeem_by, datetime.combine(service_date + timedelta(days=1), time(), UTC) + grace)


class OrderLifecycle(RuleBasedStateMachine):
    context: ClassVar[ServiceContext]
    clock: ClassVar[FakeClock]

    def __init__(self) -> None:
        super().__init__()
        self.orders: list[OrderModel] = []
        self.principals: dict[str, Principal] = {}
        self.product_ids: dict[str, str] = {}
        self.bps: dict[str, int] = {}
        self.grace = timedelta(seconds=self.context.settings.itinerary_grace_seconds)

    # --- set-up -------------------------------------------------------------------

    @initialize(
        s1_bps=st.integers(0, 10_000),
        s2_bps=st.sampled_from([0, 2000, 3333, 9999, 10_000]),
        k_bps=st.integers(0, 10_000),
    )
    def set_up(self, s1_bps: int, s2_bps: int, k_bps: int) -> None:
        def wipe(connection: Any) -> None:
            if connection.dialect.name == "postgresql":  # a trigger refuses DELETE of transfers
                names = ", ".join(table.name for table in metadata.sorted_tables)
                connection.execute(text(f"TRUNCATE {names}"))
                return
            for table in reversed(metadata.sorted_tables):
                connection.execute(delete(table))

        self.context.database.run(wipe)
        self.clock.frozen = START
        cast = {"M": Role.MERCHANT, "S1": Role.SUPPLIER, "S2": Role.SUPPLIER, "H": Role.SUPPLIER}
        cast |= {"K": Role.SUPPLIER, "C1": Role.COURIER, "C2": Role.COURIER}
        for name, role in cast.items():
            _, key = create_party(self.context, role=role, name=name)
            self.principals[name] = authenticate(self.context, key)
        merchant_id = self.principals["M"].party_id
        for store in ("ST1", "ST2"):
            _, key = create_party(
                self.context, role=Role.STORE, name=store, merchant_id=merchant_id
            )
            self.principals[store] = authenticate(self.context, key)
        for spec in PRODUCTS:
            product = catalog.create_product(
                self.context,
                self.principals[spec.supplier],
                sku=spec.name,
                name=spec.name,
                kind=spec.kind,
                currency="EUR",
                wholesale_price=spec.wholesale,
                deposit_bps=spec.deposit_bps,
            )
            self.product_ids[spec.name] = product.id
            if spec.kind is ProductKind.GOOD:
                # Listed and on both stores' shelves, plenty: store orders flow here
                # (stock itself has its own stateful test, test_stock_stateful.py).
                catalog.create_listing(
                    self.context,
                    self.principals["M"],
                    product_id=product.id,
                    unit_price=spec.wholesale,
                )
                for store in ("ST1", "ST2"):
                    store_id = self.principals[store].party_id
                    assert store_id is not None
                    stock.set_stock(
                        self.context, self.principals["M"], store_id, product.id, 1_000_000
                    )
        self.bps = {"S1": s1_bps, "S2": s2_bps, "K": k_bps}
        for supplier, bps in self.bps.items():
            supplier_id = self.principals[supplier].party_id
            assert supplier_id is not None
            agreement = catalog.propose_agreement(
                self.context, self.principals["M"], supplier_id=supplier_id, deposit_bps=bps
            )
            catalog.accept_agreement(self.context, self.principals[supplier], agreement.id)

    # --- helpers ------------------------------------------------------------------

    def now(self) -> datetime:
        assert self.clock.frozen is not None
        return self.clock.frozen

    def counts(self) -> tuple[int, int, int]:
        with self.context.database.read() as connection:
            return tuple(  # type: ignore[return-value]
                connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (ledger_transfers, refunds, events)
            )

    def deposit_of(self, spec: ProductSpec, mode: str, supplier_amount: int) -> int:
        if mode == "escrow":
            return 0
        bps = spec.deposit_bps if spec.deposit_bps is not None else self.bps[spec.supplier]
        return supplier_amount * bps // 10_000

    # --- rules --------------------------------------------------------------------

    @rule(data=st.data())
    def create_order(self, data: st.DataObject) -> None:
        now = self.now()
        fulfilment = data.draw(st.sampled_from(["delivery", "store", "itinerary"]))
        mode = data.draw(st.sampled_from(["deposit", "escrow"]))
        catalog_part = SERVICES if fulfilment == "itinerary" else GOODS
        count = data.draw(st.integers(1, 3))
        specs = [data.draw(st.sampled_from(catalog_part)) for _ in range(count)]
        requests, dates = [], []
        for spec in specs:
            quantity = data.draw(st.integers(1, 4))
            margin = data.draw(st.sampled_from([0, 1, 999, 1500, 2501]))
            service_date = None
            if fulfilment == "itinerary":
                service_date = now.date() + timedelta(days=data.draw(st.integers(0, 6)))
            dates.append(service_date)
            requests.append(
                LineRequest(
                    self.product_ids[spec.name], quantity, spec.wholesale + margin, service_date
                )
            )
        professional = None
        fee = 0
        if fulfilment == "delivery":
            professional = data.draw(st.sampled_from(["C1", "C2"]))
            fee = data.draw(st.sampled_from([0, 590, 1234]))
        elif fulfilment == "store":
            professional = data.draw(st.sampled_from(["ST1", "ST2"]))
        redeem_by = None
        if fulfilment != "itinerary" and data.draw(st.booleans()):
            redeem_by = now + timedelta(hours=data.draw(st.integers(1, 400)))
        iban = data.draw(st.sampled_from([False, False, True]))
        new = ordering.NewOrder(
            currency="EUR",
            payment_mode=PaymentMode(mode),
            fulfilment=Fulfilment(fulfilment),
            customer=Customer("c@example.com", None, CUSTOMER_IBAN if iban else None),
            lines=requests,
            courier_id=self.principals[professional].party_id if fulfilment == "delivery" else None,
            delivery_fee=fee,
            store_id=self.principals[professional].party_id if fulfilment == "store" else None,
            redeem_by=redeem_by,
        )
        view = ordering.create_order(self.context, self.principals["M"], new)
        order = view.order
        assert order.status.value == "awaiting_payment"
        if redeem_by is not None:
            assert order.redeem_by == redeem_by
        lines = []
        for spec, request, service_date, line in zip(
            specs, requests, dates, order.lines, strict=True
        ):
            assert request.unit_price is not None
            deposit = self.deposit_of(spec, mode, request.quantity * spec.wholesale)
            model = LineModel(
                id=line.id,
                supplier=spec.supplier,
                quantity=request.quantity,
                unit_price=request.unit_price,
                wholesale=spec.wholesale,
                deposit=deposit,
                deadline=deadline_of(service_date, order.redeem_by, self.grace),
                product=spec.name,
            )
            assert (line.amount, line.deposit) == (model.amount, deposit)
            assert order.line_deadline(line, self.grace) == model.deadline
            lines.append(model)
        model_order = OrderModel(
            id=order.id,
            mode=mode,
            fulfilment=fulfilment,
            professional=professional,
            fee=fee,
            redeem_by=order.redeem_by,
            iban=iban,
            lines=lines,
            fee_status="pending" if fee else "none",
            created_at=now,
        )
        assert order.amount_total == model_order.total
        self.orders.append(model_order)
        if data.draw(st.sampled_from([True, True, False])):  # most customers pay at once
            self._pay(model_order, data.draw(CARDS))

    @precondition(lambda self: any(o.status == "awaiting_payment" for o in self.orders))
    @rule(data=st.data(), card=CARDS)
    def pay(self, data: st.DataObject, card: str) -> None:
        order = data.draw(
            st.sampled_from([o for o in self.orders if o.status == "awaiting_payment"])
        )
        self._pay(order, card)

    def _pay(self, order: OrderModel, card: str) -> None:
        now = self.now()
        merchant = self.principals["M"]
        # Payable only while no line is past its deadline (its hold could not be made).
        if any(now >= line.deadline for line in order.lines):
            before = self.counts()
            try:
                payments.start_checkout(self.context, merchant, order.id, None)
            except AxokeyError as error:
                assert (error.status, error.code) == (409, "order_expired")
            else:
                raise AssertionError("a checkout past the deadline was started")
            assert self.counts() == before
            return
        payment = payments.start_checkout(self.context, merchant, order.id, None)
        _, reference = payments.provider_reference_of(self.context, payment.id)
        self.context.providers["sandbox"].submit_card(reference, card)  # type: ignore[attr-defined]
        if card == DECLINED:
            return
        order.card = card
        order.captured = order.total
        if any(now >= line.deadline for line in order.lines):
            # Paid after a service day passed: the whole payment goes back.
            order.status = "expired"
            order.refunded_at_payment = order.total
            return
        order.status = "paid"
        for line in order.lines:
            line.status = "held"
        if order.fee:
            order.fee_status = "held"
        view = ordering.get_order(self.context, merchant, order.id)
        assert view.qr_payload is not None and view.short_code is not None
        order.code, order.short_code = view.qr_payload, view.short_code

    @precondition(lambda self: any(o.code for o in self.orders))
    @rule(data=st.data())
    def redeem(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from([o for o in self.orders if o.code]))
        if order.fulfilment == "itinerary":
            right = sorted({line.supplier for line in order.lines})
        else:
            assert order.professional is not None
            right = [order.professional]
        wrong = [p for p in PROFESSIONALS if p not in right]
        professional = data.draw(
            st.one_of(st.sampled_from(right), st.sampled_from(right), st.sampled_from(wrong))
        )
        mine = order.responsible(professional)
        # Mostly the professional's own lines; sometimes another's.
        candidates = mine if mine and data.draw(st.integers(0, 9)) else order.lines
        chosen = data.draw(st.lists(st.sampled_from(candidates), unique_by=lambda line: line.id))
        handovers = [
            Handover(line.id, data.draw(st.one_of(st.none(), st.integers(1, line.quantity))))
            for line in chosen
        ]
        complete = data.draw(st.booleans())
        code = order.code if data.draw(st.booleans()) else order.short_code
        assert code is not None
        self._redeem(order, professional, code, handovers, complete)

    @precondition(
        lambda self: any(
            line.status == "held" for o in self.orders if o.status in OPEN for line in o.lines
        )
    )
    @rule(data=st.data())
    def hand_over(self, data: st.DataObject) -> None:
        """The right professional hands over some of its held lines."""
        order = data.draw(
            st.sampled_from(
                [
                    o
                    for o in self.orders
                    if o.status in OPEN and any(line.status == "held" for line in o.lines)
                ]
            )
        )
        held = [line for line in order.lines if line.status == "held"]
        line = data.draw(st.sampled_from(held))
        professional = order.professional or line.supplier
        mine = [ln for ln in order.responsible(professional) if ln.status == "held"]
        chosen = data.draw(st.lists(st.sampled_from(mine), min_size=1, unique_by=lambda ln: ln.id))
        handovers = [
            Handover(ln.id, data.draw(st.one_of(st.none(), st.integers(1, ln.quantity))))
            for ln in chosen
        ]
        assert order.code is not None
        self._redeem(order, professional, order.code, handovers, data.draw(st.booleans()))

    def _expected_refusal(
        self, order: OrderModel, professional: str, handovers: list[Handover], complete: bool
    ) -> tuple[int, str] | None:
        """What the redemption must be refused with, in the order of the rules."""
        mine = {line.id for line in order.responsible(professional)}
        if not mine:  # not entitled: the order's existence never leaks
            return 404, "unknown_code"
        refused_by_status = {
            "cancelled": (409, "order_cancelled"),
            "expired": (409, "order_expired"),
            "completed": (409, "already_redeemed"),
        }
        if order.status in refused_by_status:
            return refused_by_status[order.status]
        if not handovers and not complete:
            return 422, "nothing_to_redeem"
        for handover in handovers:
            line = next(line for line in order.lines if line.id == handover.line_id)
            if line.id not in mine:
                return 403, "not_your_line"
            if line.status == "released":
                return 409, "already_redeemed"
            if line.status == "refunded":
                return 409, "line_refunded"
            if self.now() >= line.deadline:
                return 409, "order_expired"
        return None

    def _redeem(
        self,
        order: OrderModel,
        professional: str,
        code: str,
        handovers: list[Handover],
        complete: bool,
    ) -> None:
        expected = self._expected_refusal(order, professional, handovers, complete)
        before = self.counts()
        try:
            redemption = redeeming.redeem_order(
                self.context,
                self.principals[professional],
                code=code,
                handovers=handovers,
                gtins=[],
                complete=complete,
            )
        except AxokeyError as error:
            assert expected == (error.status, error.code), (expected, error)
            assert self.counts() == before, "a refused redemption moved something"
            return
        assert expected is None, f"expected {expected}, the redemption succeeded"

        releases, line_refunds = [], []
        for handover in handovers:
            line = next(line for line in order.lines if line.id == handover.line_id)
            quantity = handover.quantity or line.quantity
            share_handed, share_missing = allocate(
                line.deposit, [quantity, line.quantity - quantity]
            )
            supplier_part = quantity * line.wholesale - share_handed
            commission = quantity * (line.unit_price - line.wholesale)
            refund = (line.quantity - quantity) * line.unit_price - share_missing
            releases.append((line.id, supplier_part, commission, quantity))
            if refund:
                line_refunds.append((line.id, refund))
            line.status, line.quantity_released = "released", quantity
            line.released, line.refunded = supplier_part + commission, refund
        if complete:
            for line in order.responsible(professional):
                if line.status == "held":
                    line.status, line.refunded = "refunded", line.held_amount
                    if line.held_amount:
                        line_refunds.append((line.id, line.held_amount))
        fee_released = 0
        if professional.startswith("C") and order.fee_status == "held":
            if handovers:
                order.fee_status, fee_released = "released", order.fee
            elif complete:
                order.fee_status = "refunded"
                line_refunds.append(("fee", order.fee))
        if order.all_closed():
            order.status = "completed"
        elif any(line.status == "released" for line in order.lines):
            order.status = "partially_redeemed"
        # Lines only declared missing leave a paid order paid.

        decision = redemption.decision
        assert [
            (r.line_id, r.amount, r.commission, r.quantity) for r in decision.releases
        ] == releases
        assert sorted((r.line_id or "fee", r.amount) for r in decision.refunds) == sorted(
            line_refunds
        )
        assert decision.courier_fee_released == fee_released
        assert redemption.order.status.value == order.status
        if handovers:
            order.redemptions.append((professional, handovers, complete))

    @precondition(lambda self: any(o.redemptions for o in self.orders))
    @rule(data=st.data())
    def repeat_a_redemption(self, data: st.DataObject) -> None:
        """The same scan again: refused, nothing moves."""
        order = data.draw(st.sampled_from([o for o in self.orders if o.redemptions]))
        professional, handovers, complete = data.draw(st.sampled_from(order.redemptions))
        assert order.code is not None
        before = self.counts()
        try:
            redeeming.redeem_order(
                self.context,
                self.principals[professional],
                code=order.code,
                handovers=handovers,
                gtins=[],
                complete=complete,
            )
        except AxokeyError as error:
            assert (error.status, error.code) == (409, "already_redeemed"), error
        else:
            raise AssertionError("a repeated redemption succeeded")
        assert self.counts() == before

    @precondition(lambda self: any(o.code and o.status in OPEN for o in self.orders))
    @rule(data=st.data())
    def preview(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from([o for o in self.orders if o.code and o.status in OPEN]))
        professional = data.draw(st.sampled_from(PROFESSIONALS))
        assert order.code is not None
        mine = order.responsible(professional)
        try:
            lines = redeeming.preview_redemption(
                self.context, self.principals[professional], order.code
            ).lines
        except AxokeyError as error:
            assert not mine and (error.status, error.code) == (404, "unknown_code")
            return
        assert [preview.line.id for preview in lines] == [
            line.id for line in mine if line.status == "held" and self.now() < line.deadline
        ]

    @precondition(lambda self: bool(self.orders))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self.orders))
        before = self.counts()
        try:
            ordering.cancel_order(self.context, self.principals["M"], order.id)
        except AxokeyError as error:
            expected = {
                "partially_redeemed": "order_partially_redeemed",
                "completed": "order_completed",
                "cancelled": "order_cancelled",
                "expired": "order_expired",
            }.get(order.status)
            assert (error.status, error.code) == (409, expected), (order.status, error)
            assert self.counts() == before
            return
        assert order.status in ("awaiting_payment", "paid"), order.status
        if order.status == "paid":
            for line in order.lines:
                if line.status == "held":
                    line.status, line.refunded = "refunded", line.held_amount
            if order.fee_status == "held":
                order.fee_status = "refunded"
        order.status = "cancelled"

    @rule(hours=st.sampled_from([0, 1, 1, 7, 24, 24, 49, 150, 400]), explicit=st.booleans())
    def sweep(self, hours: int, explicit: bool) -> None:
        self.clock.advance(hours=hours)
        now = self.now()
        lines_due = amount_due = 0
        # A store order never paid within the hold expires: its goods go back on sale.
        hold = timedelta(seconds=self.context.settings.store_unpaid_hold_seconds)
        for order in self.orders:
            if order.status == "awaiting_payment" and order.fulfilment == "store":
                assert order.created_at is not None
                if now >= order.created_at + hold:
                    order.status = "expired"
        for order in self.orders:
            if order.status not in OPEN:
                continue
            closed = False
            for line in order.lines:
                if line.status == "held" and now >= line.deadline:
                    line.status, line.refunded = "refunded", line.held_amount
                    closed = True
                    if line.held_amount:
                        lines_due += 1
                        amount_due += line.held_amount
            if order.fee_status == "held" and now >= order.redeem_by:
                order.fee_status = "refunded"
                amount_due += order.fee
                closed = True
            if closed and order.all_closed():
                released = any(line.status == "released" for line in order.lines)
                order.status = "completed" if released else "expired"
        report = sweeping.sweep(self.context, as_of=now if explicit else None)
        assert (report.lines_refunded, report.amount_refunded) == (lines_due, amount_due)

    # --- invariants ---------------------------------------------------------------

    @invariant()
    def orders_agree_with_the_model_and_the_money(self) -> None:
        with self.context.database.read() as connection:
            for model in self.orders:
                self._check_order(connection, model)
        assert check_ledger(self.context) == []

    @invariant()
    def store_stock_follows_the_orders(self) -> None:
        """reserved = the units of store orders still to hand over; on_hand = the
        initial count minus the units handed over (SPEC.md, stock rules)."""
        for store in ("ST1", "ST2"):
            store_id = self.principals[store].party_id
            assert store_id is not None
            for spec in GOODS:
                mine = [
                    (order, line)
                    for order in self.orders
                    if order.professional == store
                    for line in order.lines
                    if line.product == spec.name
                ]
                reserved = sum(
                    line.quantity
                    for order, line in mine
                    if order.status in ("awaiting_payment", *OPEN)
                    and line.status in ("pending", "held")
                )
                taken = sum(line.quantity_released for _, line in mine)
                level = stock.get_stock(
                    self.context, self.principals[store], store_id, self.product_ids[spec.name]
                )
                assert (level.on_hand, level.reserved) == (1_000_000 - taken, reserved), (
                    store,
                    spec.name,
                )

    def _check_order(self, connection: Any, model: OrderModel) -> None:
        order = order_repository.load_order(connection, model.id)
        assert order is not None
        assert (order.status.value, order.fee_status.value) == (model.status, model.fee_status)
        for line, expected in zip(order.lines, model.lines, strict=True):
            assert (
                line.status.value,
                line.quantity_released,
                line.released_amount,
                line.refunded_amount,
            ) == (
                expected.status,
                expected.quantity_released,
                expected.released,
                expected.refunded,
            ), (model.id, line.id)

        money = ordering.money_of(connection, order)
        assert money.captured == model.captured
        assert money.captured == money.paid_to_payees + money.refunded + money.held
        assert money.held >= 0
        fee_held = model.fee if model.fee_status == "held" else 0
        assert money.held == sum(ln.held_amount for ln in model.lines if ln.status == "held") + (
            fee_held
        )
        if model.refunded_at_payment:
            assert (money.paid_to_payees, money.refunded) == (0, model.refunded_at_payment)
        elif model.captured:
            fee_paid = model.fee if model.fee_status == "released" else 0
            fee_back = model.fee if model.fee_status == "refunded" else 0
            assert (
                money.paid_to_payees
                == sum(ln.deposit + ln.released for ln in model.lines) + fee_paid
            )
            assert money.refunded == sum(ln.refunded for ln in model.lines) + fee_back
        else:
            assert (money.paid_to_payees, money.refunded, money.held) == (0, 0, 0)

        # Each line's amounts are its transfers: released = posted holds, refunded =
        # escrow → refunds.
        escrow = accounts.escrow_account(model.id, "EUR").id
        refunds_account = accounts.refunds_account("EUR").id
        posted: dict[str, int] = {}
        refunded: dict[str, int] = {}
        for transfer in ledger_store.transfers_of_order(connection, model.id):
            if transfer.line_id is None:
                continue
            if transfer.kind is TransferKind.POST_PENDING:
                posted[transfer.line_id] = posted.get(transfer.line_id, 0) + transfer.amount
            elif (transfer.debit_account_id, transfer.credit_account_id) == (
                escrow,
                refunds_account,
            ):
                refunded[transfer.line_id] = refunded.get(transfer.line_id, 0) + transfer.amount
        for line in model.lines:
            assert posted.get(line.id, 0) == line.released, line.id
            assert refunded.get(line.id, 0) == line.refunded, line.id

        rows = connection.execute(select(refunds).where(refunds.c.order_id == model.id)).all()
        assert sum(row.amount for row in rows) == money.refunded
        expected_status = (
            "pending" if model.iban else "failed" if model.card == REFUNDS_FAIL else "succeeded"
        )
        for row in rows:
            assert row.method == ("sepa" if model.iban else "card")
            assert row.status == expected_status, (row.status, row.failure_code)


def test_whole_orders_behave_like_their_model(context: ServiceContext, clock: FakeClock) -> None:
    machine = type("BoundOrderLifecycle", (OrderLifecycle,), {"context": context, "clock": clock})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
