"""Order amounts, capture and settlement, as properties over random orders (pure domain).

For random valid orders (any lines, quantities, prices at or above wholesale,
deposit rates 0..10000 bps, both payment modes, the three fulfilments, with or
without a delivery fee): the amounts follow SPEC.md exactly; the capture batch is
accepted by an in-memory ledger and leaves ``total − deposits`` held; and after any
sequence of redemptions, cancellations, expiries and time passing, SPEC.md's
invariant ``captured = paid + refunded + held`` holds, with nothing held once
every line is closed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from math import floor

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from axokey.domain import accounts
from axokey.domain.catalog import Agreement, AgreementStatus, Listing, Product, ProductKind
from axokey.domain.errors import AxokeyError, ValidationFailed
from axokey.domain.ledger import TransferKind
from axokey.domain.money import MAX_AMOUNT_MINOR, allocate, percentage_floor
from axokey.domain.orders import (
    OPEN_STATUSES,
    Customer,
    FeeStatus,
    Fulfilment,
    LineRequest,
    LineStatus,
    Order,
    OrderStatus,
    PaymentMode,
    build_lines,
    check_fulfilment_parties,
    default_redeem_by,
)
from axokey.domain.parties import Role
from axokey.domain.redemption import Handover, Professional, redeem
from axokey.domain.refunds import all_closed, cancel, expire_due, next_deadline
from tests.unit.test_redemption_rules import (
    COURIER,
    GRACE,
    LIMITS,
    MERCHANT,
    NOW,
    OTHER_COURIER,
    STORE,
    MemoryLedger,
)

SUPPLIERS = ("pty_S1", "pty_S2", "pty_S3")


@dataclass
class Drawn:
    """A random order request, and the catalog it refers to."""

    mode: PaymentMode
    fulfilment: Fulfilment
    products: dict[str, Product]
    listings: dict[str, Listing]
    agreements: dict[str, Agreement | None]
    requests: list[LineRequest]
    delivery_fee: int


def _money(large: bool) -> st.SearchStrategy[int]:
    return st.integers(1, 10**9 if large else 10**6)


@st.composite
def drawn_orders(draw: st.DrawFn) -> Drawn:
    mode = draw(st.sampled_from(PaymentMode))
    fulfilment = draw(st.sampled_from(Fulfilment))
    large = draw(st.booleans()) and draw(st.booleans())  # a quarter of orders: huge amounts
    agreements: dict[str, Agreement | None] = {
        supplier: Agreement(
            f"agr_{supplier}",
            MERCHANT,
            supplier,
            draw(st.integers(0, 10_000)),
            AgreementStatus.ACTIVE,
            NOW,
            NOW,
        )
        for supplier in SUPPLIERS
    }
    products: dict[str, Product] = {}
    listings: dict[str, Listing] = {}
    requests: list[LineRequest] = []
    for index in range(draw(st.integers(1, 6))):
        kind = (
            ProductKind.SERVICE
            if fulfilment is Fulfilment.ITINERARY
            else draw(st.sampled_from(ProductKind))
        )
        wholesale = draw(_money(large))
        unit_price = wholesale + draw(st.integers(0, 10**9 if large else 10**6))
        product = Product(
            id=f"prd_{index}",
            supplier_id=draw(st.sampled_from(SUPPLIERS)),
            sku=f"sku{index}",
            name=f"product {index}",
            kind=kind,
            currency="EUR",
            wholesale_price=wholesale,
            gtin=None,
            deposit_bps=draw(st.none() | st.integers(0, 10_000))
            if kind is ProductKind.SERVICE
            else None,
            created_at=NOW,
        )
        products[product.id] = product
        listed = draw(st.booleans())
        if listed:
            listings[product.id] = Listing(f"lst_{index}", MERCHANT, product.id, unit_price, NOW)
        service_date: date | None = None
        if kind is ProductKind.SERVICE and (
            fulfilment is Fulfilment.ITINERARY or draw(st.booleans())
        ):
            service_date = NOW.date() + timedelta(days=draw(st.integers(1, 20)))
        requests.append(
            LineRequest(
                product.id,
                draw(st.integers(1, LIMITS.quantity_max if large else 50)),
                None if listed else unit_price,
                service_date,
            )
        )
    fee = draw(st.integers(0, 100_000)) if fulfilment is Fulfilment.DELIVERY else 0
    return Drawn(mode, fulfilment, products, listings, agreements, requests, fee)


def build_order(drawn: Drawn) -> Order:
    lines = build_lines(
        mode=drawn.mode,
        fulfilment=drawn.fulfilment,
        currency="EUR",
        requests=drawn.requests,
        products=drawn.products,
        listings=drawn.listings,
        agreements=drawn.agreements,
        line_ids=[f"ln_{index}" for index in range(len(drawn.requests))],
        limits=LIMITS,
        delivery_fee=drawn.delivery_fee,
    )
    check_fulfilment_parties(
        drawn.fulfilment,
        courier_id=COURIER if drawn.fulfilment is Fulfilment.DELIVERY else None,
        courier_is_courier=True,
        store_id=STORE if drawn.fulfilment is Fulfilment.STORE else None,
        store_merchant_id=MERCHANT,
        merchant_id=MERCHANT,
        delivery_fee=drawn.delivery_fee,
    )
    return Order(
        id="ord_prop",
        merchant_id=MERCHANT,
        status=OrderStatus.AWAITING_PAYMENT,
        currency="EUR",
        payment_mode=drawn.mode,
        fulfilment=drawn.fulfilment,
        customer=Customer("customer@example.com"),
        courier_id=COURIER if drawn.fulfilment is Fulfilment.DELIVERY else None,
        store_id=STORE if drawn.fulfilment is Fulfilment.STORE else None,
        delivery_fee=drawn.delivery_fee,
        fee_status=FeeStatus.PENDING if drawn.delivery_fee else FeeStatus.NONE,
        redeem_by=default_redeem_by(drawn.fulfilment, lines, NOW, LIMITS),
        created_at=NOW,
        lines=lines,
    )


def expected_bps(drawn: Drawn, product: Product) -> int:
    if drawn.mode is PaymentMode.ESCROW:
        return 0
    if product.kind is ProductKind.SERVICE and product.deposit_bps is not None:
        return product.deposit_bps
    agreement = drawn.agreements[product.supplier_id]
    assert agreement is not None
    return agreement.deposit_bps


def payable(ledger: MemoryLedger, party_id: str) -> tuple[int, int]:
    return ledger.payable(party_id)


PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def unit_price_of(drawn: Drawn, request: LineRequest) -> int:
    if request.unit_price is not None:
        return request.unit_price
    return drawn.listings[request.product_id].unit_price


def build_or_refuse(drawn: Drawn) -> Order | None:
    """The order, or ``None`` when (and only when) it is too large to be captured."""
    amounts = [request.quantity * unit_price_of(drawn, request) for request in drawn.requests]
    too_large = (
        max(amounts) > MAX_AMOUNT_MINOR or sum(amounts) + drawn.delivery_fee > MAX_AMOUNT_MINOR
    )
    try:
        order = build_order(drawn)
    except ValidationFailed as error:
        assert too_large, f"a valid order was refused: {error.code} {error.detail}"
        assert error.code == "amount_too_large"
        return None
    assert not too_large, "an order too large to be captured was accepted"
    return order


@PROPERTY_SETTINGS
@given(drawn_orders())
def test_amounts_deposits_and_capture_follow_the_money_rules(drawn: Drawn) -> None:
    order = build_or_refuse(drawn)
    if order is None:
        return
    lines_total = 0
    for line, request in zip(order.lines, drawn.requests, strict=True):
        product = drawn.products[request.product_id]
        unit_price = unit_price_of(drawn, request)
        assert line.unit_price == unit_price
        assert line.amount == request.quantity * unit_price
        assert line.supplier_amount == request.quantity * product.wholesale_price
        assert line.commission == line.amount - line.supplier_amount
        assert line.deposit_bps == expected_bps(drawn, product)
        assert line.deposit == floor(Fraction(line.supplier_amount * line.deposit_bps, 10_000))
        for value in (
            line.amount,
            line.supplier_amount,
            line.commission,
            line.deposit,
            line.supplier_hold,
            line.held_amount,
        ):
            assert value >= 0
        assert line.deposit <= line.supplier_amount
        assert line.held_amount == line.supplier_hold + line.commission
        lines_total += line.amount
    assert order.amount_total == lines_total + drawn.delivery_fee

    ledger = MemoryLedger()
    ledger.capture(order)
    captured, paid, refunded, held = ledger.money(order)
    assert captured == order.amount_total
    assert paid == order.deposits_total
    assert refunded == 0
    assert order.deposits_total + held == order.amount_total
    # Everything held is reserved for a payee: the escrow's pending debits.
    escrow = ledger.accounts[accounts.escrow_account(order.id, "EUR").id]
    assert escrow.debits_pending == held
    for supplier in SUPPLIERS:
        own = [line for line in order.lines if line.supplier_id == supplier]
        assert payable(ledger, supplier) == (
            sum(line.deposit for line in own),
            sum(line.supplier_hold for line in own),
        )
    assert payable(ledger, MERCHANT) == (0, sum(line.commission for line in order.lines))
    assert payable(ledger, COURIER) == (0, drawn.delivery_fee)
    assert order.status is OrderStatus.PAID
    assert {line.status for line in order.lines} == {LineStatus.HELD}
    ledger.check(order)


def professionals(order: Order) -> list[Professional]:
    """Who might scan: mostly those entitled to (listed thrice), and a few others."""
    if order.fulfilment is Fulfilment.DELIVERY:
        entitled = [Professional(COURIER, Role.COURIER)]
    elif order.fulfilment is Fulfilment.STORE:
        entitled = [Professional(STORE, Role.STORE)]
    else:
        suppliers = sorted({line.supplier_id for line in order.lines})
        entitled = [Professional(supplier, Role.SUPPLIER) for supplier in suppliers]
    others = [
        Professional(OTHER_COURIER, Role.COURIER),
        Professional(COURIER, Role.COURIER),
        Professional(STORE, Role.STORE),
        Professional(SUPPLIERS[0], Role.SUPPLIER),
    ]
    return entitled * 3 + others


def check_lines(order: Order) -> None:
    for line in order.lines:
        if line.status in (LineStatus.RELEASED, LineStatus.REFUNDED):
            # Every cent of a closed line went somewhere, exactly once.
            assert line.deposit + line.released_amount + line.refunded_amount == line.amount
        assert line.released_amount >= 0 and line.refunded_amount >= 0


@PROPERTY_SETTINGS
@given(drawn_orders(), st.data())
def test_any_settlement_sequence_keeps_the_order_invariant(
    drawn: Drawn, data: st.DataObject
) -> None:
    order = build_or_refuse(drawn)
    if order is None:
        return
    ledger = MemoryLedger()
    ledger.capture(order)
    now = NOW
    cast = professionals(order)
    for _ in range(data.draw(st.integers(0, 8), label="steps")):
        action = data.draw(
            st.sampled_from(
                ["advance", "advance", "redeem", "redeem", "redeem", "cancel", "expire"]
            )
        )
        if action == "advance":
            now += timedelta(
                seconds=data.draw(st.integers(0, 3 * 86_400) | st.integers(0, 40 * 86_400))
            )
            continue
        if action == "redeem":
            by = data.draw(st.sampled_from(cast))
            chosen = data.draw(st.lists(st.sampled_from(order.lines), max_size=3))
            handovers = [
                Handover(
                    line.id,
                    data.draw(st.none() | st.integers(0, line.quantity + 1), label="quantity"),
                )
                for line in chosen
            ]
            complete = data.draw(st.booleans(), label="complete")

            def act(by: Professional = by, h: list[Handover] = handovers, c: bool = complete):
                return redeem(order, by=by, handovers=h, complete=c, now=now, grace=GRACE)
        elif action == "cancel":

            def act():  # type: ignore[misc]
                return cancel(order, by_merchant_id=MERCHANT, now=now, grace=GRACE)
        else:

            def act():  # type: ignore[misc]
                return expire_due(order, now=now, grace=GRACE)

        before = copy.deepcopy(order)
        try:
            settlement = act()
        except AxokeyError as error:
            assert order == before, "a refused action changed the order"
            event(f"{action} refused: {error.code}")
            continue
        event(f"{action} applied: order {order.status.value}")
        ledger.apply(settlement.transfers, now)
        ledger.check(order)
        check_lines(order)

    # Time runs out: the sweep closes whatever is left.
    deadline = next_deadline(order, GRACE)
    if order.status in OPEN_STATUSES:
        assert deadline is not None
        final = max(now, deadline) + timedelta(days=60)
        ledger.apply(expire_due(order, now=final, grace=GRACE).transfers, final)
    assert all_closed(order)
    event(f"final: {order.status.value}")
    assert order.status in (OrderStatus.COMPLETED, OrderStatus.EXPIRED, OrderStatus.CANCELLED)
    assert next_deadline(order, GRACE) is None
    check_lines(order)
    ledger.check(order)
    captured, paid, refunded, held = ledger.money(order)
    assert (captured, held) == (order.amount_total, 0)
    assert paid == order.deposits_total + sum(line.released_amount for line in order.lines) + (
        order.delivery_fee if order.fee_status is FeeStatus.RELEASED else 0
    )
    assert refunded == sum(line.refunded_amount for line in order.lines) + (
        order.delivery_fee if order.fee_status is FeeStatus.REFUNDED else 0
    )
    assert all(
        transfer.kind is not TransferKind.PENDING or transfer.id in ledger.resolutions
        for transfer in ledger.transfers.values()
    )


def test_an_order_too_large_to_capture_is_refused_at_creation() -> None:
    """Each line is bounded, and so must be the order's total: the capture of a
    larger total would be refused by the ledger after the customer has paid."""
    product = Product(
        "prd_big", "pty_S1", "big", "big", ProductKind.GOOD, "EUR", 10**9, None, None, NOW
    )
    drawn = Drawn(
        mode=PaymentMode.ESCROW,
        fulfilment=Fulfilment.DELIVERY,
        products={product.id: product},
        listings={},
        agreements={},
        requests=[LineRequest(product.id, 1000, 10**9, None)] * 2,
        delivery_fee=0,
    )
    with pytest.raises(ValidationFailed) as raised:
        build_order(drawn)
    assert raised.value.code == "amount_too_large"


# --- allocate and percentages -----------------------------------------------------------


@given(
    st.integers(0, 10**12),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=12).map(lambda w: [*w[:-1], w[-1] or 1]),
)
@example(100, [1, 1, 1])
@example(1, [1, 1])
@example(7, [0, 3, 0, 3])
def test_allocate_splits_exactly_and_fairly(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    weight_sum = sum(weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    for part, weight, low in zip(parts, weights, floors, strict=True):
        # Within one cent of the exact share total × w / Σw.
        assert abs(Fraction(part) - Fraction(total * weight, weight_sum)) < 1
        assert part - low in (0, 1)
        if weight == 0:
            assert part == 0
    extra = [part - low for part, low in zip(parts, floors, strict=True)]
    # Largest remainders get the leftover cents; equal remainders: the first one wins.
    for i in range(len(parts)):
        for j in range(len(parts)):
            if extra[i] == 1 and extra[j] == 0:
                assert remainders[i] > remainders[j] or (remainders[i] == remainders[j] and i < j)


def test_allocate_documented_examples_and_tie_break() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(5, [1, 2]) == [2, 3]
    assert allocate(1, [1, 1]) == [1, 0]
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]
    assert allocate(0, [0, 0]) == [0, 0]
    assert allocate(10, [0, 1]) == [0, 10]


@given(st.integers(0, MAX_AMOUNT_MINOR), st.integers(0, 10_000))
def test_percentage_floor_rounds_in_the_payers_favour(amount: int, bps: int) -> None:
    share = percentage_floor(amount, bps)
    assert share * 10_000 <= amount * bps < (share + 1) * 10_000
    assert 0 <= share <= amount
