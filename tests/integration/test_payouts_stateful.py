"""Money out against a model (Hypothesis stateful test), at the service layer, on
the real database.

The machine mixes orders (escrow mode, customers with or without an IBAN), their
redemptions (random lines handed over, the rest refunded), payees gaining or losing
their bank details, payout batches, and confirmations with random rejections.

The model is written from SPEC.md: a hand-over of line 1 releases ``q × 3500`` to
S1 and ``q × 1500`` to M, of line 2 ``q × 2000`` to S2 and ``q × 999`` to M, the
courier's fee 590 to C at its first hand-over; a line not handed over is refunded to the customer. A
batch takes each payable party's whole available balance and every pending SEPA
refund; a paid item is paid out, a rejected one comes back.

After every step: each party's ``available + in_transit + paid_out`` equals what
was released to it, ``in_transit`` and ``paid_out`` equal the model's (so no cent
is paid twice), no refund is in two batch items at once or paid twice, and
``check_ledger`` — with SPEC.md's instance-wide invariant ``Σ captured = Σ held +
Σ parties (available + in_transit + paid_out) + Σ refunds (pending + in_transit +
succeeded)`` — finds nothing.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
from sqlalchemy import delete, select, text

from axokey.adapters.db.tables import metadata, refunds
from axokey.domain.catalog import ProductKind
from axokey.domain.errors import AxokeyError
from axokey.domain.orders import Customer, Fulfilment, LineRequest, PaymentMode
from axokey.domain.parties import PostalAddress, Principal, Role
from axokey.domain.redemption import Handover
from axokey.services import balances, catalog, ordering, payees, payments, payouts, redeeming
from axokey.services.context import ServiceContext
from axokey.services.ledger import check_ledger
from axokey.services.parties import authenticate, create_party
from tests.conftest import ADMIN_KEY, FakeClock
from tests.payouts_scenario import new_iban

EXAMPLES = int(os.environ.get("AXOKEY_PAYOUT_EXAMPLES", "15"))
START = datetime(2031, 3, 3, 9, 30, tzinfo=UTC)
SUCCEEDS = "4242424242424242"
PAYEES = ("M", "S1", "S2", "C")
ADDRESS = PostalAddress("Rue de la Paix", "75002", "Paris", "FR", "3")


@dataclass
class OrderModel:
    id: str
    quantities: tuple[int, int]
    line_ids: tuple[str, str]
    code: str
    iban: bool
    redeemed: bool = False


@dataclass
class Model:
    released: Counter[str] = field(default_factory=Counter)
    in_transit: Counter[str] = field(default_factory=Counter)
    paid_out: Counter[str] = field(default_factory=Counter)
    open_batches: dict[str, list[Any]] = field(default_factory=dict)


class PayoutMachine(RuleBasedStateMachine):
    context: ClassVar[ServiceContext]
    clock: ClassVar[FakeClock]

    def __init__(self) -> None:
        super().__init__()
        self.principals: dict[str, Principal] = {}
        self.products: dict[str, str] = {}
        self.orders: list[OrderModel] = []
        self.model = Model()
        self.admin = authenticate(self.context, ADMIN_KEY)

    @initialize(payable=st.lists(st.sampled_from(PAYEES), unique=True))
    def set_up(self, payable: list[str]) -> None:
        def wipe(connection: Any) -> None:
            if connection.dialect.name == "postgresql":  # a trigger refuses DELETE of transfers
                names = ", ".join(table.name for table in metadata.sorted_tables)
                connection.execute(text(f"TRUNCATE {names}"))
                return
            for table in reversed(metadata.sorted_tables):
                connection.execute(delete(table))

        self.context.database.run(wipe)
        self.clock.frozen = START
        roles = {"M": Role.MERCHANT, "S1": Role.SUPPLIER, "S2": Role.SUPPLIER, "C": Role.COURIER}
        for name, role in roles.items():
            _, key = create_party(self.context, role=role, name=name)
            self.principals[name] = authenticate(self.context, key)
        for name, supplier, wholesale in (("P1", "S1", 3500), ("P2", "S2", 2000)):
            product = catalog.create_product(
                self.context,
                self.principals[supplier],
                sku=name,
                name=name,
                kind=ProductKind.GOOD,
                currency="EUR",
                wholesale_price=wholesale,
            )
            self.products[name] = product.id
        for name in payable:
            self._set_details(name, True)

    def _set_details(self, name: str, payable: bool) -> None:
        change = payees.PayoutDetailsChange(
            iban=new_iban() if payable else None,
            iban_given=True,
            address=ADDRESS if payable else None,
            address_given=True,
        )
        payees.update_payout_details(
            self.context, self.admin, change, party_id=self.principals[name].party_id
        )

    def party(self, name: str) -> str:
        party_id = self.principals[name].party_id
        assert party_id is not None
        return party_id

    # --- rules ----------------------------------------------------------------------

    @rule(q1=st.integers(1, 3), q2=st.integers(1, 2), iban=st.booleans())
    def order_and_pay(self, q1: int, q2: int, iban: bool) -> None:
        merchant = self.principals["M"]
        new = ordering.NewOrder(
            currency="EUR",
            payment_mode=PaymentMode.ESCROW,
            fulfilment=Fulfilment.DELIVERY,
            customer=Customer("c@example.com", "Camille", new_iban() if iban else None),
            lines=[
                LineRequest(self.products["P1"], q1, 5000, None),
                LineRequest(self.products["P2"], q2, 2999, None),
            ],
            courier_id=self.party("C"),
            delivery_fee=590,
            store_id=None,
            redeem_by=None,
        )
        order = ordering.create_order(self.context, merchant, new).order
        payment = payments.start_checkout(self.context, merchant, order.id, None)
        _, reference = payments.provider_reference_of(self.context, payment.id)
        self.context.providers["sandbox"].submit_card(reference, SUCCEEDS)  # type: ignore[attr-defined]
        view = ordering.get_order(self.context, merchant, order.id)
        assert view.qr_payload is not None
        self.orders.append(
            OrderModel(
                order.id,
                (q1, q2),
                (order.lines[0].id, order.lines[1].id),
                view.qr_payload,
                iban,
            )
        )

    @precondition(lambda self: any(not o.redeemed for o in self.orders))
    @rule(data=st.data(), hand_over=st.sampled_from(["both", "first", "second", "none"]))
    def redeem(self, data: st.DataObject, hand_over: str) -> None:
        order = data.draw(st.sampled_from([o for o in self.orders if not o.redeemed]))
        chosen = {"both": (0, 1), "first": (0,), "second": (1,), "none": ()}[hand_over]
        redeeming.redeem_order(
            self.context,
            self.principals["C"],
            code=order.code,
            handovers=[Handover(order.line_ids[index]) for index in chosen],
            gtins=[],
            complete=True,
        )
        order.redeemed = True
        q1, q2 = order.quantities
        if 0 in chosen:
            self.model.released["S1"] += q1 * 3500
            self.model.released["M"] += q1 * 1500
        if 1 in chosen:
            self.model.released["S2"] += q2 * 2000
            self.model.released["M"] += q2 * 999
        if chosen:  # a courier who hands over nothing delivered nothing: fee refunded
            self.model.released["C"] += 590

    @rule(name=st.sampled_from(PAYEES), payable=st.booleans())
    def change_details(self, name: str, payable: bool) -> None:
        self._set_details(name, payable)

    @rule()
    def create_batch(self) -> None:
        try:
            view = payouts.create_batch(self.context, self.admin, "EUR")
        except AxokeyError as error:
            assert error.code == "nothing_to_pay_out"
            return
        names = {self.party(name): name for name in PAYEES}
        seen_parties = set()
        for item in view.items:
            assert item.status.value == "in_transit"
            if item.party_id is not None:
                name = names[item.party_id]
                assert item.party_id not in seen_parties, "a party twice in one batch"
                seen_parties.add(item.party_id)
                # The whole available balance, nothing more.
                expected = (
                    self.model.released[name]
                    - self.model.in_transit[name]
                    - self.model.paid_out[name]
                )
                assert item.amount == expected
                self.model.in_transit[name] += item.amount
        self.model.open_batches[view.batch.id] = view.items

    @precondition(lambda self: bool(self.model.open_batches))
    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        batch_id = data.draw(st.sampled_from(sorted(self.model.open_batches)))
        items = self.model.open_batches.pop(batch_id)
        rejected = data.draw(st.lists(st.sampled_from(items), unique_by=lambda i: i.id))
        rejected_ids = {item.id for item in rejected}
        view = payouts.confirm_batch(
            self.context, self.admin, batch_id, [(item.id, "AC04 closed") for item in rejected]
        )
        names = {self.party(name): name for name in PAYEES}
        for item in view.items:
            assert item.status.value == ("rejected" if item.id in rejected_ids else "paid")
            if item.party_id is not None:
                name = names[item.party_id]
                self.model.in_transit[name] -= item.amount
                if item.status.value == "paid":
                    self.model.paid_out[name] += item.amount
        try:  # a second confirmation changes nothing
            payouts.confirm_batch(self.context, self.admin, batch_id)
        except AxokeyError as error:
            assert error.code == "batch_executed"
        else:
            raise AssertionError("a batch was confirmed twice")

    # --- invariants -----------------------------------------------------------------

    @invariant()
    def no_cent_is_paid_twice(self) -> None:
        if not self.principals:
            return
        for name in PAYEES:
            principal = self.principals[name]
            _, found = balances.balance_of(self.context, principal)
            eur = next((b for b in found if b.currency == "EUR"), None)
            available = eur.available if eur else 0
            in_transit = eur.in_transit if eur else 0
            paid_out = eur.paid_out if eur else 0
            assert available + in_transit + paid_out == self.model.released[name], name
            assert (in_transit, paid_out) == (
                self.model.in_transit[name],
                self.model.paid_out[name],
            ), name
        with self.context.database.read() as connection:
            rows = connection.execute(select(refunds.c.id, refunds.c.status, refunds.c.method))
            statuses = {row.id: (row.method, row.status) for row in rows}
        open_refunds = Counter(
            item.refund_id
            for items in self.model.open_batches.values()
            for item in items
            if item.refund_id
        )
        assert all(count == 1 for count in open_refunds.values())
        for refund_id in open_refunds:
            assert statuses[refund_id] == ("sepa", "pending")
        assert check_ledger(self.context) == []


def test_payouts_behave_like_their_model(context: ServiceContext, clock: FakeClock) -> None:
    context.settings = context.settings.model_copy(update={"payout_minimum_minor": 1})
    machine = type("BoundPayoutMachine", (PayoutMachine,), {"context": context, "clock": clock})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
