"""Redemption and refund rules (domain/redemption.py, domain/refunds.py), pure.

Every decision's transfers are applied to an in-memory ledger built on
``apply_transfers``, so each test also checks that the ledger accepts what the
domain decides, that SPEC.md's invariants hold, and that the money lands where
SPEC.md says, to the cent. No database.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from axokey.domain import accounts
from axokey.domain.catalog import Agreement, AgreementStatus, Listing, Product, ProductKind
from axokey.domain.errors import AxokeyError, Conflict, Forbidden, ValidationFailed
from axokey.domain.ledger import (
    Account,
    BatchOutcome,
    Transfer,
    TransferKind,
    TransferRequest,
    apply_transfers,
    verify_ledger,
)
from axokey.domain.orders import (
    Customer,
    FeeStatus,
    Fulfilment,
    LineRequest,
    LineStatus,
    Order,
    OrderLimits,
    OrderStatus,
    PaymentMode,
    RefundReason,
    build_lines,
    default_redeem_by,
)
from axokey.domain.parties import Role
from axokey.domain.redemption import (
    MAX_HANDOVERS_PER_REDEMPTION,
    Handover,
    Professional,
    preview,
    redeem,
    responsible_lines,
)
from axokey.domain.redemption_codes import NotEntitled
from axokey.domain.refunds import MoneyDecision, all_closed, cancel, expire_due, next_deadline

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
GRACE = timedelta(hours=24)
LIMITS = OrderLimits(
    lines_max=100, quantity_max=10_000, grace=GRACE, default_redeem_window=timedelta(days=30)
)
PROVIDER = "sandbox"

MERCHANT, OTHER_MERCHANT = "pty_M", "pty_M2"
S1, S2, HOTEL, KAYAK = "pty_S1", "pty_S2", "pty_H", "pty_K"
COURIER, OTHER_COURIER = "pty_C", "pty_C2"
STORE, OTHER_STORE = "pty_ST", "pty_ST2"

P1 = Product("prd_P1", S1, "P1", "P1", ProductKind.GOOD, "EUR", 3500, "4006381333931", None, NOW)
P2 = Product("prd_P2", S2, "P2", "P2", ProductKind.GOOD, "EUR", 2000, "5901234123457", None, NOW)
NIGHT = Product(
    "prd_NIGHT", HOTEL, "N", "Night", ProductKind.SERVICE, "EUR", 10000, None, 2500, NOW
)
KAYAK_TRIP = Product(
    "prd_KAYAK", KAYAK, "K", "Kayak", ProductKind.SERVICE, "EUR", 4000, None, 1000, NOW
)
RETAIL = {P1.id: 5000, P2.id: 2999, NIGHT.id: 12000, KAYAK_TRIP.id: 4500}


# --- an in-memory ledger ---------------------------------------------------------


class MemoryLedger:
    """A ``LedgerView`` over dicts that records each batch like the store does.

    ``apply`` insists that the ledger accepts the batch: the domain must never
    decide something that the ledger refuses.
    """

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.transfers: dict[str, Transfer] = {}
        self.resolutions: dict[str, Transfer] = {}

    # LedgerView
    def account(self, account_id: str) -> Account | None:
        found = self.accounts.get(account_id)
        return None if found is None else replace(found)

    def transfer(self, transfer_id: str) -> Transfer | None:
        return self.transfers.get(transfer_id)

    def resolution_of(self, pending_id: str) -> Transfer | None:
        return self.resolutions.get(pending_id)

    def open_accounts_of(self, order: Order) -> None:
        for account in (
            accounts.escrow_account(order.id, order.currency),
            accounts.clearing_account(PROVIDER, order.currency),
            accounts.refunds_account(order.currency),
            *(accounts.payable_account(p, order.currency) for p in order.ledger_parties()),
        ):
            self.accounts.setdefault(account.id, account)

    def apply(self, requests: Sequence[TransferRequest], now: datetime) -> BatchOutcome:
        outcome = apply_transfers(self, list(requests), now=now)
        failure = outcome.first_failure()
        assert outcome.succeeded, f"the ledger refused {failure}"
        for transfer in outcome.created:
            assert transfer.id not in self.transfers
            self.transfers[transfer.id] = transfer
            if transfer.pending_id is not None:
                self.resolutions[transfer.pending_id] = transfer
        for account in outcome.accounts.values():
            self.accounts[account.id] = replace(account)
        return outcome

    def capture(self, order: Order, now: datetime = NOW) -> None:
        self.open_accounts_of(order)
        self.apply(order.capture(provider=PROVIDER, now=now, grace=GRACE), now)

    def settle(self, decision: MoneyDecision, now: datetime) -> MoneyDecision:
        self.apply(decision.transfers, now)
        return decision

    # What the ledger says
    def violations(self) -> list[str]:
        found = verify_ledger(self.accounts.values(), list(self.transfers.values()))
        return [str(violation) for violation in found]

    def money(self, order: Order) -> tuple[int, int, int, int]:
        """(captured, paid to payees, refunded, held) of an order, from its transfers."""
        escrow = accounts.escrow_account(order.id, order.currency).id
        captured = paid = refunded = 0
        for transfer in self.transfers.values():
            if transfer.kind not in (TransferKind.SINGLE, TransferKind.POST_PENDING):
                continue
            if transfer.credit_account_id == escrow:
                captured += transfer.amount
            elif transfer.debit_account_id == escrow:
                if transfer.credit_account_id.startswith("acc_payable_"):
                    paid += transfer.amount
                elif transfer.credit_account_id.startswith("acc_refunds_"):
                    refunded += transfer.amount
                else:
                    raise AssertionError(f"escrow paid an unexpected account: {transfer}")
        return captured, paid, refunded, captured - paid - refunded

    def escrow_balance(self, order: Order) -> int:
        account = self.accounts[accounts.escrow_account(order.id, order.currency).id]
        return account.credit_balance_posted

    def payable(self, party_id: str, currency: str = "EUR") -> tuple[int, int]:
        """(posted, pending) credited to a party: available and held for it."""
        account = self.accounts.get(accounts.payable_account(party_id, currency).id)
        if account is None:
            return 0, 0
        return account.credit_balance_posted, account.credits_pending

    def refunds_total(self, currency: str = "EUR") -> int:
        return self.accounts[accounts.refunds_account(currency).id].credit_balance_posted

    def unresolved_pending(self, order: Order) -> list[str]:
        return [
            transfer.id
            for transfer in self.transfers.values()
            if transfer.kind is TransferKind.PENDING
            and transfer.order_id == order.id
            and transfer.id not in self.resolutions
        ]

    def check(self, order: Order) -> None:
        """SPEC.md's ledger invariants and the per-order invariant."""
        assert self.violations() == []
        captured, paid, refunded, held = self.money(order)
        assert captured == paid + refunded + held
        assert held >= 0
        assert held == self.escrow_balance(order)
        if all_closed(order):
            assert held == 0
            assert self.unresolved_pending(order) == []


# --- orders --------------------------------------------------------------------


@dataclass(frozen=True)
class LineSpec:
    product: Product
    quantity: int
    unit_price: int | None = None
    service_date: date | None = None


def make_order(
    lines: Sequence[LineSpec],
    *,
    mode: PaymentMode = PaymentMode.ESCROW,
    fulfilment: Fulfilment = Fulfilment.DELIVERY,
    agreements: dict[str, int] | None = None,
    delivery_fee: int = 0,
    redeem_by: datetime | None = None,
    order_id: str = "ord_1",
    now: datetime = NOW,
) -> Order:
    """An order built by the domain's own ``build_lines``, as the service does."""
    products = {spec.product.id: spec.product for spec in lines}
    listings = {
        pid: Listing(f"lst_{pid}", MERCHANT, pid, RETAIL[pid], now)
        for pid in products
        if pid in RETAIL
    }
    agreed = {
        supplier: Agreement(
            f"agr_{supplier}", MERCHANT, supplier, bps, AgreementStatus.ACTIVE, now, now
        )
        for supplier, bps in (agreements or {}).items()
    }
    built = build_lines(
        mode=mode,
        fulfilment=fulfilment,
        currency="EUR",
        requests=[
            LineRequest(spec.product.id, spec.quantity, spec.unit_price, spec.service_date)
            for spec in lines
        ],
        products=products,
        listings=listings,
        agreements=dict(agreed),
        line_ids=[f"{order_id}_ln{index}" for index in range(len(lines))],
        limits=LIMITS,
    )
    return Order(
        id=order_id,
        merchant_id=MERCHANT,
        status=OrderStatus.AWAITING_PAYMENT,
        currency="EUR",
        payment_mode=mode,
        fulfilment=fulfilment,
        customer=Customer("customer@example.com"),
        courier_id=COURIER if fulfilment is Fulfilment.DELIVERY else None,
        store_id=STORE if fulfilment is Fulfilment.STORE else None,
        delivery_fee=delivery_fee,
        fee_status=FeeStatus.PENDING if delivery_fee else FeeStatus.NONE,
        redeem_by=redeem_by or default_redeem_by(fulfilment, built, now, LIMITS),
        created_at=now,
        lines=built,
    )


def spec_delivery_order(mode: PaymentMode) -> Order:
    """SPEC.md: 2 × P1, 1 × P2, delivery fee 590; agreements 3000 and 2000 bps."""
    return make_order(
        [LineSpec(P1, 2), LineSpec(P2, 1)],
        mode=mode,
        agreements={S1: 3000, S2: 2000},
        delivery_fee=590,
    )


def courier(party_id: str = COURIER) -> Professional:
    return Professional(party_id, Role.COURIER)


def redeem_now(
    order: Order,
    by: Professional,
    handovers: Sequence[Handover] = (),
    *,
    complete: bool = False,
    now: datetime = NOW,
) -> MoneyDecision:
    return redeem(order, by=by, handovers=list(handovers), complete=complete, now=now, grace=GRACE)


def refused(
    action: Callable[[], object], order: Order, error: type[AxokeyError], code: str
) -> None:
    """The action is refused with ``code`` and leaves the order exactly as it was."""
    before = copy.deepcopy(order)
    with pytest.raises(error) as raised:
        action()
    assert raised.value.code == code
    assert order == before


# --- SPEC.md's worked examples ------------------------------------------------------


def test_example_a_escrow_cascade_to_the_cent() -> None:
    ledger = MemoryLedger()
    order = spec_delivery_order(PaymentMode.ESCROW)
    assert order.amount_total == 13589
    ledger.capture(order)
    assert ledger.money(order) == (13589, 0, 0, 13589)
    assert ledger.payable(S1) == (0, 7000)
    assert ledger.payable(MERCHANT) == (0, 3999)
    assert ledger.payable(COURIER) == (0, 590)
    ledger.check(order)

    line1, line2 = order.lines
    decision = ledger.settle(redeem_now(order, courier(), [Handover(line1.id)], complete=True), NOW)
    assert [(r.line_id, r.amount, r.commission) for r in decision.releases] == [
        (line1.id, 7000, 3000)
    ]
    assert [(r.line_id, r.amount, r.reason) for r in decision.refunds] == [
        (line2.id, 2999, RefundReason.MISSING)
    ]
    assert decision.courier_fee_released == 590
    assert order.status is OrderStatus.COMPLETED
    assert (line1.status, line2.status) == (LineStatus.RELEASED, LineStatus.REFUNDED)
    assert ledger.payable(S1) == (7000, 0)
    assert ledger.payable(S2) == (0, 0)
    assert ledger.payable(MERCHANT) == (3000, 0)
    assert ledger.payable(COURIER) == (590, 0)
    assert ledger.refunds_total() == 2999
    assert ledger.money(order) == (13589, 10590, 2999, 0)
    ledger.check(order)


def test_example_b_deposit_cascade_to_the_cent() -> None:
    ledger = MemoryLedger()
    order = spec_delivery_order(PaymentMode.DEPOSIT)
    line1, line2 = order.lines
    assert (line1.deposit, line2.deposit) == (2100, 400)
    ledger.capture(order)
    assert ledger.payable(S1) == (2100, 4900)
    assert ledger.payable(S2) == (400, 1600)
    assert ledger.money(order) == (13589, 2500, 0, 11089)
    ledger.check(order)

    decision = ledger.settle(redeem_now(order, courier(), [Handover(line1.id)], complete=True), NOW)
    assert [(r.amount, r.commission) for r in decision.releases] == [(4900, 3000)]
    assert [r.amount for r in decision.refunds] == [2599]
    assert ledger.payable(S1) == (7000, 0)
    assert ledger.payable(S2) == (400, 0)  # S2 keeps its deposit
    assert ledger.payable(MERCHANT) == (3000, 0)
    assert ledger.payable(COURIER) == (590, 0)
    assert ledger.money(order)[3] == 0
    ledger.check(order)


def test_example_c_itinerary_redeemed_then_expired() -> None:
    ledger = MemoryLedger()
    night_day, kayak_day = date(2030, 1, 4), date(2030, 1, 5)
    order = make_order(
        [
            LineSpec(NIGHT, 2, service_date=night_day),
            LineSpec(KAYAK_TRIP, 1, service_date=kayak_day),
        ],
        mode=PaymentMode.DEPOSIT,
        fulfilment=Fulfilment.ITINERARY,
    )
    night, kayak = order.lines
    assert (night.deposit, kayak.deposit) == (5000, 400)
    # The order's deadline: the day after the last service, plus the grace period.
    assert order.redeem_by == datetime(2030, 1, 6, tzinfo=UTC) + GRACE
    ledger.capture(order)
    assert ledger.payable(HOTEL) == (5000, 15000)
    assert ledger.payable(KAYAK) == (400, 3600)

    hotel = Professional(HOTEL, Role.SUPPLIER)
    refused(
        lambda: redeem_now(order, Professional(KAYAK, Role.SUPPLIER), [Handover(night.id)]),
        order,
        Forbidden,
        "not_your_line",
    )
    decision = ledger.settle(redeem_now(order, hotel, [Handover(night.id)]), NOW)
    assert [(r.amount, r.commission) for r in decision.releases] == [(15000, 4000)]
    assert order.status is OrderStatus.PARTIALLY_REDEEMED
    assert ledger.payable(HOTEL) == (20000, 0)

    deadline = datetime(2030, 1, 6, tzinfo=UTC) + GRACE
    assert order.line_deadline(kayak, GRACE) == deadline
    assert next_deadline(order, GRACE) == deadline
    early = expire_due(order, now=deadline - timedelta(seconds=1), grace=GRACE)
    assert early.transfers == [] and kayak.status is LineStatus.HELD
    decision = ledger.settle(expire_due(order, now=deadline, grace=GRACE), deadline)
    assert [(r.line_id, r.amount, r.reason) for r in decision.refunds] == [
        (kayak.id, 4100, RefundReason.EXPIRED)
    ]
    assert order.status is OrderStatus.COMPLETED
    assert ledger.payable(KAYAK) == (400, 0)
    assert ledger.payable(MERCHANT) == (4000, 0)
    assert ledger.money(order) == (28500, 24400, 4100, 0)
    assert next_deadline(order, GRACE) is None
    ledger.check(order)


# --- who redeems what ------------------------------------------------------------


def store_order() -> Order:
    return make_order([LineSpec(P1, 1), LineSpec(P2, 2)], fulfilment=Fulfilment.STORE)


def itinerary_order() -> Order:
    return make_order(
        [
            LineSpec(NIGHT, 1, service_date=date(2030, 1, 3)),
            LineSpec(KAYAK_TRIP, 2, service_date=date(2030, 1, 4)),
            LineSpec(NIGHT, 1, service_date=date(2030, 1, 5)),
        ],
        fulfilment=Fulfilment.ITINERARY,
    )


@pytest.mark.parametrize(
    ("build", "party", "role", "positions"),
    [
        (lambda: spec_delivery_order(PaymentMode.ESCROW), COURIER, Role.COURIER, [0, 1]),
        (lambda: spec_delivery_order(PaymentMode.ESCROW), OTHER_COURIER, Role.COURIER, None),
        (lambda: spec_delivery_order(PaymentMode.ESCROW), STORE, Role.STORE, None),
        (lambda: spec_delivery_order(PaymentMode.ESCROW), S1, Role.SUPPLIER, None),
        (store_order, STORE, Role.STORE, [0, 1]),
        (store_order, OTHER_STORE, Role.STORE, None),
        (store_order, COURIER, Role.COURIER, None),
        (itinerary_order, HOTEL, Role.SUPPLIER, [0, 2]),
        (itinerary_order, KAYAK, Role.SUPPLIER, [1]),
        (itinerary_order, S1, Role.SUPPLIER, None),
        (itinerary_order, COURIER, Role.COURIER, None),
    ],
)
def test_who_may_hand_over_which_lines(
    build: Callable[[], Order], party: str, role: Role, positions: list[int] | None
) -> None:
    order = build()
    by = Professional(party, role)
    if positions is None:  # not entitled: told the code is unknown (404)
        with pytest.raises(NotEntitled) as raised:
            responsible_lines(order, by)
        assert (raised.value.status, raised.value.code) == (404, "unknown_code")
        return
    assert [line.position for line in responsible_lines(order, by)] == positions


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (OrderStatus.AWAITING_PAYMENT, "order_not_paid"),
        (OrderStatus.CANCELLED, "order_cancelled"),
        (OrderStatus.EXPIRED, "order_expired"),
        (OrderStatus.COMPLETED, "already_redeemed"),
    ],
)
def test_orders_that_cannot_be_redeemed_are_refused_with_their_code(
    status: OrderStatus, code: str
) -> None:
    order = spec_delivery_order(PaymentMode.ESCROW)
    order.status = status
    refused(lambda: redeem_now(order, courier(), complete=True), order, Conflict, code)
    refused(lambda: preview(order, courier(), now=NOW, grace=GRACE), order, Conflict, code)


@pytest.mark.parametrize("status", list(OrderStatus))
def test_a_party_not_entitled_learns_nothing_of_the_order_status(status: OrderStatus) -> None:
    """Entitlement comes first: another courier gets ``unknown_code`` whatever the
    order's status, never ``already_redeemed``, ``order_cancelled``, ..."""
    order = spec_delivery_order(PaymentMode.ESCROW)
    order.status = status
    stranger = courier(OTHER_COURIER)
    refused(lambda: redeem_now(order, stranger, complete=True), order, NotEntitled, "unknown_code")
    refused(
        lambda: preview(order, stranger, now=NOW, grace=GRACE), order, NotEntitled, "unknown_code"
    )


def test_redemption_refusals_change_nothing() -> None:
    ledger = MemoryLedger()
    order = spec_delivery_order(PaymentMode.DEPOSIT)
    ledger.capture(order)
    line1, line2 = order.lines
    cases: list[tuple[Sequence[Handover], bool, datetime, type[AxokeyError], str]] = [
        ([Handover("ln_unknown")], False, NOW, ValidationFailed, "unknown_line"),
        ([], False, NOW, ValidationFailed, "nothing_to_redeem"),
        ([Handover(line1.id, 0)], False, NOW, ValidationFailed, "invalid_quantity"),
        ([Handover(line1.id, 3)], False, NOW, ValidationFailed, "invalid_quantity"),
        ([Handover(line1.id, 1), Handover(line1.id, 2)], False, NOW, ValidationFailed,
         "invalid_quantity"),
        ([Handover(line1.id)], False, order.redeem_by, Conflict, "order_expired"),
        ([Handover(line1.id, 1)] * (MAX_HANDOVERS_PER_REDEMPTION + 1), False, NOW,
         ValidationFailed, "too_many_lines"),
    ]  # fmt: skip
    for handovers, complete, now, error, code in cases:
        refused(
            lambda h=handovers, c=complete, n=now: redeem_now(
                order, courier(), h, complete=c, now=n
            ),
            order,
            error,
            code,
        )
    refused(
        lambda: redeem_now(order, courier(OTHER_COURIER), [Handover(line1.id)]),
        order,
        NotEntitled,
        "unknown_code",
    )

    ledger.settle(redeem_now(order, courier(), [Handover(line1.id)]), NOW)
    # The same line twice never pays twice.
    refused(
        lambda: redeem_now(order, courier(), [Handover(line1.id)]),
        order,
        Conflict,
        "already_redeemed",
    )
    ledger.settle(redeem_now(order, courier(), complete=True), NOW)
    assert line2.status is LineStatus.REFUNDED
    assert order.status is OrderStatus.COMPLETED
    line2_refunded = copy.deepcopy(order)
    line2_refunded.status = OrderStatus.PARTIALLY_REDEEMED
    refused(
        lambda: redeem_now(line2_refunded, courier(), [Handover(line2.id)]),
        line2_refunded,
        Conflict,
        "line_refunded",
    )
    ledger.check(order)


def test_a_partial_hand_over_splits_the_deposit_and_refunds_the_rest() -> None:
    ledger = MemoryLedger()
    odd = Product("prd_ODD", S1, "ODD", "odd", ProductKind.GOOD, "EUR", 1001, None, None, NOW)
    order = make_order(
        [LineSpec(odd, 3, unit_price=1500)],
        mode=PaymentMode.DEPOSIT,
        agreements={S1: 3333},
        fulfilment=Fulfilment.STORE,
    )
    (line,) = order.lines
    # floor(3003 × 3333 / 10000) = floor(1000.8999) = 1000
    assert (line.amount, line.supplier_amount, line.commission, line.deposit) == (
        4500,
        3003,
        1497,
        1000,
    )
    ledger.capture(order)
    assert ledger.payable(S1) == (1000, 2003)

    decision = ledger.settle(
        redeem_now(order, Professional(STORE, Role.STORE), [Handover(line.id, 2)]), NOW
    )
    # The deposit splits 667 / 333 over the units (the odd cent to the first part).
    (release,) = decision.releases
    assert (release.amount, release.commission, release.quantity) == (2 * 1001 - 667, 998, 2)
    (refund,) = decision.refunds
    assert (refund.amount, refund.reason) == (1500 - 333, RefundReason.PARTIAL)
    assert line.released_amount + line.refunded_amount + line.deposit == line.amount
    assert line.status is LineStatus.RELEASED and line.quantity_released == 2
    assert order.status is OrderStatus.COMPLETED
    assert ledger.payable(S1) == (1000 + 1335, 0)
    assert ledger.payable(MERCHANT) == (998, 0)
    assert ledger.money(order) == (4500, 1000 + 1335 + 998, 1167, 0)
    ledger.check(order)


def test_the_courier_fee_is_released_once_at_the_first_hand_over() -> None:
    ledger = MemoryLedger()
    order = spec_delivery_order(PaymentMode.ESCROW)
    ledger.capture(order)
    line1, line2 = order.lines
    first = ledger.settle(redeem_now(order, courier(), [Handover(line1.id, 1)]), NOW)
    assert first.courier_fee_released == 590
    assert order.fee_status is FeeStatus.RELEASED
    assert order.status is OrderStatus.PARTIALLY_REDEEMED
    second = ledger.settle(redeem_now(order, courier(), [Handover(line2.id)]), NOW)
    assert second.courier_fee_released == 0
    assert order.status is OrderStatus.COMPLETED
    assert ledger.payable(COURIER) == (590, 0)
    ledger.check(order)


def test_a_courier_who_delivers_nothing_gets_no_fee_and_the_customer_gets_it_back() -> None:
    ledger = MemoryLedger()
    order = spec_delivery_order(PaymentMode.DEPOSIT)
    ledger.capture(order)
    decision = ledger.settle(redeem_now(order, courier(), complete=True), NOW)
    assert decision.releases == [] and decision.courier_fee_released == 0
    assert sorted((r.line_id is None, r.amount, r.reason) for r in decision.refunds) == [
        (False, 2599, RefundReason.MISSING),
        (False, 10000 - 2100, RefundReason.MISSING),
        (True, 590, RefundReason.NO_DELIVERY),
    ]
    assert order.fee_status is FeeStatus.REFUNDED
    assert ledger.payable(COURIER) == (0, 0)
    assert ledger.payable(S1) == (2100, 0)  # deposits stay with the suppliers
    assert ledger.payable(S2) == (400, 0)
    ledger.check(order)


def test_preview_shows_what_a_hand_over_would_release() -> None:
    ledger = MemoryLedger()
    order = spec_delivery_order(PaymentMode.DEPOSIT)
    ledger.capture(order)
    line1, line2 = order.lines
    shown = preview(order, courier(), now=NOW, grace=GRACE)
    assert [(p.line.id, p.releasable_amount, p.releasable_commission) for p in shown] == [
        (line1.id, 4900, 3000),
        (line2.id, 1600, 999),
    ]
    ledger.settle(redeem_now(order, courier(), [Handover(line1.id)]), NOW)
    assert [p.line.id for p in preview(order, courier(), now=NOW, grace=GRACE)] == [line2.id]
    assert preview(order, courier(), now=order.redeem_by, grace=GRACE) == []
    with pytest.raises(NotEntitled):
        preview(order, courier(OTHER_COURIER), now=NOW, grace=GRACE)


# --- cancellation ---------------------------------------------------------------------


def test_cancel_before_payment_moves_nothing() -> None:
    order = spec_delivery_order(PaymentMode.DEPOSIT)
    refused(
        lambda: cancel(order, by_merchant_id=OTHER_MERCHANT, now=NOW, grace=GRACE),
        order,
        Forbidden,
        "not_your_order",
    )
    decision = cancel(order, by_merchant_id=MERCHANT, now=NOW, grace=GRACE)
    assert decision.transfers == [] and decision.refunds == []
    assert order.status is OrderStatus.CANCELLED and order.closed_at == NOW
    assert [event for event, _ in decision.events] == ["order.cancelled"]
    refused(
        lambda: cancel(order, by_merchant_id=MERCHANT, now=NOW, grace=GRACE),
        order,
        Conflict,
        "order_cancelled",
    )


def test_cancel_after_payment_refunds_by_the_money_rules() -> None:
    ledger = MemoryLedger()
    order = spec_delivery_order(PaymentMode.DEPOSIT)
    ledger.capture(order)
    decision = ledger.settle(cancel(order, by_merchant_id=MERCHANT, now=NOW, grace=GRACE), NOW)
    assert sorted((r.amount, r.reason) for r in decision.refunds) == [
        (590, RefundReason.CANCELLED),
        (2599, RefundReason.CANCELLED),
        (7900, RefundReason.CANCELLED),
    ]
    assert order.status is OrderStatus.CANCELLED
    assert {line.status for line in order.lines} == {LineStatus.REFUNDED}
    assert ledger.payable(S1) == (2100, 0) and ledger.payable(S2) == (400, 0)
    assert ledger.payable(MERCHANT) == (0, 0) and ledger.payable(COURIER) == (0, 0)
    assert ledger.money(order) == (13589, 2500, 11089, 0)
    ledger.check(order)
    refused(
        lambda: cancel(order, by_merchant_id=MERCHANT, now=NOW, grace=GRACE),
        order,
        Conflict,
        "order_cancelled",
    )


def test_cancel_is_refused_once_something_was_handed_over() -> None:
    ledger = MemoryLedger()
    order = spec_delivery_order(PaymentMode.ESCROW)
    ledger.capture(order)
    ledger.settle(redeem_now(order, courier(), [Handover(order.lines[0].id)]), NOW)
    refused(
        lambda: cancel(order, by_merchant_id=MERCHANT, now=NOW, grace=GRACE),
        order,
        Conflict,
        "order_partially_redeemed",
    )
    ledger.settle(redeem_now(order, courier(), complete=True), NOW)
    refused(
        lambda: cancel(order, by_merchant_id=MERCHANT, now=NOW, grace=GRACE),
        order,
        Conflict,
        "order_completed",
    )


def test_cancel_after_a_line_expired_refunds_only_the_lines_still_held() -> None:
    """An itinerary whose first service day passed (its line refunded by the sweep)
    is still ``paid``: cancelling it refunds the other lines, not the first again."""
    ledger = MemoryLedger()
    order = itinerary_order()
    ledger.capture(order)
    first_deadline = order.line_deadline(order.lines[0], GRACE)
    swept = ledger.settle(expire_due(order, now=first_deadline, grace=GRACE), first_deadline)
    assert [r.line_id for r in swept.refunds] == [order.lines[0].id]
    assert order.status is OrderStatus.PAID
    decision = ledger.settle(
        cancel(order, by_merchant_id=MERCHANT, now=first_deadline, grace=GRACE), first_deadline
    )
    assert sorted(r.line_id or "" for r in decision.refunds) == sorted(
        line.id for line in order.lines[1:]
    )
    assert order.status is OrderStatus.CANCELLED
    assert ledger.money(order) == (order.amount_total, 0, order.amount_total, 0)
    ledger.check(order)


# --- expiry ------------------------------------------------------------------------


def test_expiry_refunds_held_lines_and_the_fee_at_the_deadline_never_before() -> None:
    ledger = MemoryLedger()
    order = spec_delivery_order(PaymentMode.DEPOSIT)
    ledger.capture(order)
    assert next_deadline(order, GRACE) == order.redeem_by
    early = expire_due(order, now=order.redeem_by - timedelta(microseconds=1), grace=GRACE)
    assert early.transfers == [] and order.status is OrderStatus.PAID
    decision = ledger.settle(expire_due(order, now=order.redeem_by, grace=GRACE), order.redeem_by)
    assert sorted((r.amount, r.reason) for r in decision.refunds) == [
        (590, RefundReason.NO_DELIVERY),
        (2599, RefundReason.EXPIRED),
        (7900, RefundReason.EXPIRED),
    ]
    assert {t.kind for t in decision.transfers} == {
        TransferKind.EXPIRE_PENDING,
        TransferKind.SINGLE,
    }
    assert order.status is OrderStatus.EXPIRED
    assert [event for event, _ in decision.events][-1] == "order.expired"
    # Idempotent: a second sweep finds nothing to do.
    assert expire_due(order, now=order.redeem_by + GRACE, grace=GRACE).transfers == []
    ledger.check(order)


def test_expiry_after_a_partial_redemption_completes_the_order() -> None:
    ledger = MemoryLedger()
    order = spec_delivery_order(PaymentMode.ESCROW)
    ledger.capture(order)
    ledger.settle(redeem_now(order, courier(), [Handover(order.lines[0].id)]), NOW)
    decision = ledger.settle(expire_due(order, now=order.redeem_by, grace=GRACE), order.redeem_by)
    assert [(r.line_id, r.amount) for r in decision.refunds] == [(order.lines[1].id, 2999)]
    assert order.status is OrderStatus.COMPLETED
    assert ledger.money(order) == (13589, 10590, 2999, 0)
    ledger.check(order)


def test_expiry_of_unpaid_orders_does_nothing() -> None:
    order = spec_delivery_order(PaymentMode.ESCROW)
    decision = expire_due(order, now=order.redeem_by + GRACE, grace=GRACE)
    assert decision.transfers == [] and order.status is OrderStatus.AWAITING_PAYMENT


def test_a_line_that_holds_nothing_still_closes_the_order_at_its_deadline() -> None:
    """Deposit 100 % and no margin: the whole line is paid at capture and nothing is
    held for it. At the deadline the order must still close (not stay ``paid``
    forever with every line closed)."""
    ledger = MemoryLedger()
    order = make_order(
        [LineSpec(P1, 1, unit_price=3500)],
        mode=PaymentMode.DEPOSIT,
        agreements={S1: 10_000},
        fulfilment=Fulfilment.STORE,
    )
    (line,) = order.lines
    assert (line.deposit, line.held_amount) == (3500, 0)
    ledger.capture(order)
    assert ledger.money(order) == (3500, 3500, 0, 0)
    ledger.settle(expire_due(order, now=order.redeem_by, grace=GRACE), order.redeem_by)
    assert line.status is LineStatus.REFUNDED
    assert order.status is OrderStatus.EXPIRED
    assert next_deadline(order, GRACE) is None
    ledger.check(order)


def test_cancel_after_the_deadline_before_the_sweep_refunds_as_expired() -> None:
    """The deadline passed and the sweep has not run yet: the holds have expired
    and can no longer be voided. Cancelling still refunds by the money rules."""
    ledger = MemoryLedger()
    order = spec_delivery_order(PaymentMode.DEPOSIT)
    ledger.capture(order)
    late = order.redeem_by + timedelta(minutes=1)
    decision = ledger.settle(cancel(order, by_merchant_id=MERCHANT, now=late, grace=GRACE), late)
    assert sorted((r.amount, r.reason) for r in decision.refunds) == [
        (590, RefundReason.NO_DELIVERY),
        (2599, RefundReason.EXPIRED),
        (7900, RefundReason.EXPIRED),
    ]
    assert order.status is OrderStatus.CANCELLED
    assert ledger.money(order) == (13589, 2500, 11089, 0)
    ledger.check(order)
