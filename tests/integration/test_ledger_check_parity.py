"""``check_ledger`` (figures made by the database) against the domain's in-memory
reference (``verify_ledger``, ``verify_order_escrows``, ``verify_money_out`` over
every account, transfer, payout item and refund loaded into Python — what the check
did before it had to run on 10⁶ orders).

One real ledger (orders paid, redeemed, refunded by card and by SEPA, cancelled;
payout batches paid, rejected, in transit) is corrupted by hand with direct SQL,
one corruption of each kind the check reports, then by random combinations
(Hypothesis); after each, both checks must report the same violations, and the
reference must report the kind seeded. On SQLite and PostgreSQL
(``AXOKEY_TEST_DATABASE_URL``). Rows that the schema's constraints forbid (an
unknown account, a negative counter) are written with those constraints off.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Connection, delete, insert, select, text, update

from axokey.adapters.db import ledger_store, payout_repository
from axokey.adapters.db.tables import ledger_accounts, ledger_transfers, payout_items, refunds
from axokey.config import Settings
from axokey.domain.escrow import verify_order_escrows
from axokey.domain.ledger import Violation, recompute_counters, verify_ledger
from axokey.domain.payouts import verify_money_out
from axokey.services.context import ServiceContext
from axokey.services.ledger import check_ledger
from tests.conftest import ON_POSTGRES
from tests.payouts_scenario import confirm, create_batch, make_payable, new_iban
from tests.scenario import World, delivery_order, spec_world

COUNTERS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")
KINDS = ("single", "pending", "post_pending", "void_pending", "expire_pending")
RESOLVING = ("post_pending", "void_pending", "expire_pending")
FORGED_AT = datetime(2031, 1, 1, tzinfo=UTC)
_forged_ids = itertools.count(1)


def reference_check(context: ServiceContext) -> list[Violation]:
    """The check as it was: the whole ledger in memory, the domain's verifiers."""
    with context.database.read() as connection:
        accounts = ledger_store.all_accounts(connection)
        transfers = ledger_store.all_transfers(connection)
        items = payout_repository.all_items(connection)
        refund_records = payout_repository.refund_records(connection)
    return (
        verify_ledger(accounts, transfers)
        + verify_order_escrows(accounts, transfers)
        + verify_money_out(accounts, transfers, items, refund_records)
    )


def both_checks(context: ServiceContext) -> tuple[list[str], list[str]]:
    """(the check's violations, the reference's), each sorted: the order in which
    the two list them differs (the reference's follows unordered reads too)."""
    return sorted(map(str, check_ledger(context))), sorted(map(str, reference_check(context)))


# --- The ledger -------------------------------------------------------------------


def build_ledger(client: Any) -> World:
    """Orders paid, redeemed (a SEPA refund of a line missing), cancelled (a card
    refund) and paid but not redeemed (money held, holds pending); a payout batch
    confirmed with one item rejected, a second batch still in transit."""
    world = spec_world(client)
    for name in ("S1", "S2", "C"):
        make_payable(world, name)
    make_payable(world, "M", by_operator=False)
    redeemed = world.order(
        payment_mode="escrow",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        delivery_fee=590,
        customer={"email": "camille@example.com", "name": "Camille Dupré", "iban": new_iban()},
        lines=[
            {"product_id": world.products["P1"], "quantity": 2},
            {"product_id": world.products["P2"], "quantity": 1},
        ],
    )
    world.pay(redeemed["id"])
    line1 = redeemed["lines"][0]
    world.redeem("C", world.code(redeemed["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    cancelled = delivery_order(world, "escrow")
    world.pay(cancelled["id"])
    world.cancel(cancelled["id"])
    held = delivery_order(world, "escrow")
    world.pay(held["id"])
    first = create_batch(client)
    courier = next(i for i in first["items"] if i["party_id"] == world.parties["C"].id)
    confirm(client, first["id"], [(courier["id"], "account closed")])
    create_batch(client)  # the courier's money again, in transit
    return world


@dataclass
class Snapshot:
    accounts: list[dict[str, Any]]
    transfers: list[dict[str, Any]]
    items: list[dict[str, Any]]
    refunds: list[dict[str, Any]]


ITEM_COLUMNS = (payout_items.c.id, payout_items.c.status, payout_items.c.amount)
REFUND_COLUMNS = (
    refunds.c.id,
    refunds.c.status,
    refunds.c.amount,
    refunds.c.method,
    refunds.c.currency,
)


def snapshot(context: ServiceContext) -> Snapshot:
    with context.database.read() as connection:

        def rows(query: Any) -> list[dict[str, Any]]:
            return [dict(row._mapping) for row in connection.execute(query)]

        return Snapshot(
            accounts=rows(select(ledger_accounts).order_by(ledger_accounts.c.id)),
            transfers=rows(select(ledger_transfers).order_by(ledger_transfers.c.seq)),
            items=rows(select(*ITEM_COLUMNS).order_by(payout_items.c.id)),
            refunds=rows(select(*REFUND_COLUMNS).order_by(refunds.c.id)),
        )


def by_hand(context: ServiceContext, work: Callable[[Connection], Any]) -> None:
    """Run ``work`` in one transaction, as someone editing the tables would: on
    PostgreSQL without the triggers (``ledger_transfers`` is append-only) and the
    foreign keys (``session_replication_role = replica``)."""

    def edit(connection: Connection) -> None:
        if ON_POSTGRES:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        work(connection)

    context.database.run(edit)


def restore(context: ServiceContext, saved: Snapshot) -> None:
    """Put back every row a corruption changed, added or deleted."""

    def work(connection: Connection) -> None:
        seqs = [row["seq"] for row in saved.transfers]
        connection.execute(delete(ledger_transfers).where(ledger_transfers.c.seq.not_in(seqs)))
        ids = [row["id"] for row in saved.accounts]
        connection.execute(delete(ledger_accounts).where(ledger_accounts.c.id.not_in(ids)))
        for row in saved.accounts:
            connection.execute(
                update(ledger_accounts).where(ledger_accounts.c.id == row["id"]).values(**row)
            )
        present = set(connection.execute(select(ledger_transfers.c.seq)).scalars())
        for row in saved.transfers:
            if row["seq"] in present:
                connection.execute(
                    update(ledger_transfers)
                    .where(ledger_transfers.c.seq == row["seq"])
                    .values(**row)
                )
            else:
                connection.execute(insert(ledger_transfers).values(**row))
        for row in saved.items:
            connection.execute(
                update(payout_items).where(payout_items.c.id == row["id"]).values(**row)
            )
        for row in saved.refunds:
            connection.execute(update(refunds).where(refunds.c.id == row["id"]).values(**row))

    by_hand(context, work)


@contextmanager
def unconstrained(context: ServiceContext, settings: Settings) -> Iterator[Any]:
    """A connection that writes what the schema forbids: a transfer naming an account
    that does not exist, a negative counter. Yields ``run(sql, **params)``."""
    if not ON_POSTGRES:
        raw = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"))
        raw.isolation_level = None
        raw.execute("PRAGMA ignore_check_constraints=ON")  # foreign keys: off by default
        try:
            raw.execute("BEGIN IMMEDIATE")
            yield lambda sql, **params: raw.execute(sql, params)
            raw.execute("COMMIT")
        finally:
            raw.close()
        return
    names = [f"ck_ledger_accounts_{counter}_not_negative" for counter in COUNTERS]
    with context.database.transaction() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))  # no FK
        for name in names:
            connection.execute(text(f"ALTER TABLE ledger_accounts DROP CONSTRAINT {name}"))
        yield lambda sql, **params: connection.execute(text(sql), params)


def put_checks_back(context: ServiceContext) -> None:
    """PostgreSQL: the counters' CHECK constraints that ``unconstrained`` dropped
    (called once the rows are restored)."""
    if not ON_POSTGRES:
        return
    with context.database.transaction() as connection:
        for counter in COUNTERS:
            name = f"ck_ledger_accounts_{counter}_not_negative"
            present = connection.execute(
                text("SELECT 1 FROM pg_constraint WHERE conname = :name"), {"name": name}
            ).first()
            if present is None:
                connection.execute(
                    text(
                        f"ALTER TABLE ledger_accounts ADD CONSTRAINT {name} CHECK ({counter} >= 0)"
                    )
                )


# --- Corruptions -------------------------------------------------------------------


def recount(connection: Connection) -> None:
    """Make every account's counters agree with the transfers (invariant 5 holds)."""
    recomputed = recompute_counters(ledger_store.all_transfers(connection))
    for account in ledger_store.all_accounts(connection):
        values = recomputed.get(account.id, [0, 0, 0, 0])
        connection.execute(
            update(ledger_accounts)
            .where(ledger_accounts.c.id == account.id)
            .values(**dict(zip(COUNTERS, values, strict=True)))
        )


def forge(connection: Connection, transfer_id: str, **fields: Any) -> None:
    row = {
        "id": transfer_id,
        "currency": "EUR",
        "pending_id": None,
        "timeout_at": None,
        "code": "by_hand",
        "order_id": None,
        "line_id": None,
        "created_at": FORGED_AT,
        **fields,
    }
    connection.execute(insert(ledger_transfers).values(**row))


@dataclass
class Ledger:
    """Ids of the built ledger that the corruptions name."""

    context: ServiceContext
    saved: Snapshot

    def account(self, prefix: str) -> str:
        return next(a["id"] for a in self.saved.accounts if a["id"].startswith(prefix))

    def transfer(self, kind: str, code: str | None = None) -> dict[str, Any]:
        return next(
            t
            for t in self.saved.transfers
            if t["kind"] == kind and (code is None or t["code"] == code)
        )

    def item(self, status: str) -> dict[str, Any]:
        return next(i for i in self.saved.items if i["status"] == status)

    def refund(self, method: str) -> dict[str, Any]:
        return next(r for r in self.saved.refunds if r["method"] == method)

    def held_escrow(self) -> str:
        return next(
            a["id"]
            for a in self.saved.accounts
            if a["kind"] == "escrow" and a["credits_posted"] > a["debits_posted"]
        )

    def run(self, work: Callable[[Connection], Any]) -> None:
        by_hand(self.context, work)


def set_row(table: Any, key: Any, value: Any, **values: Any) -> Callable[[Connection], Any]:
    return lambda connection: connection.execute(update(table).where(key == value).values(**values))


# (name, the invariant the reference must report, the corruption)
Corruption = tuple[str, str, Callable[[Ledger], None]]


def _counter_edited(ledger: Ledger) -> None:
    account = ledger.account("acc_payable_")
    ledger.run(
        set_row(
            ledger_accounts,
            ledger_accounts.c.id,
            account,
            credits_posted=ledger_accounts.c.credits_posted + 1,
        )
    )


def _escrow_overdrawn(ledger: Ledger) -> None:
    escrow = ledger.held_escrow()

    def work(connection: Connection) -> None:
        forge(
            connection,
            "overdraw",
            kind="single",
            debit_account_id=escrow,
            credit_account_id=ledger.account("acc_payable_"),
            amount=10**7,
        )
        recount(connection)

    ledger.run(work)


def _escrow_paid_elsewhere(ledger: Ledger) -> None:
    escrow = ledger.held_escrow()

    def work(connection: Connection) -> None:
        forge(
            connection,
            "to_clearing",
            kind="single",
            debit_account_id=escrow,
            credit_account_id=ledger.account("acc_clearing_"),
            amount=1,
        )
        recount(connection)

    ledger.run(work)


def _resolves_nothing(ledger: Ledger) -> None:
    def work(connection: Connection) -> None:
        forge(
            connection,
            "post_of_nothing",
            kind="post_pending",
            debit_account_id=ledger.held_escrow(),
            credit_account_id=ledger.account("acc_payable_"),
            amount=10,
            pending_id="no_such_hold",
        )
        recount(connection)

    ledger.run(work)


def _posts_too_much(ledger: Ledger) -> None:
    post = ledger.transfer("post_pending")
    ledger.run(
        set_row(
            ledger_transfers, ledger_transfers.c.seq, post["seq"], amount=post["amount"] + 10**6
        )
    )


def _resolution_lost(ledger: Ledger) -> None:
    void = ledger.transfer("void_pending")
    ledger.run(
        lambda c: c.execute(delete(ledger_transfers).where(ledger_transfers.c.seq == void["seq"]))
    )


def _kind_changed(ledger: Ledger) -> None:
    single = ledger.transfer("single")
    ledger.run(set_row(ledger_transfers, ledger_transfers.c.seq, single["seq"], kind="pending"))


def _item_status_changed(ledger: Ledger) -> None:
    item = ledger.item("paid")
    ledger.run(set_row(payout_items, payout_items.c.id, item["id"], status="in_transit"))


def _item_amount_changed(ledger: Ledger) -> None:
    item = ledger.item("in_transit")
    ledger.run(set_row(payout_items, payout_items.c.id, item["id"], amount=item["amount"] + 1))


def _item_transfer_lost(ledger: Ledger) -> None:
    item = ledger.item("rejected")
    transit = next(t for t in ledger.saved.transfers if t["id"] == f"{item['id']}:transit")
    ledger.run(
        lambda c: c.execute(
            delete(ledger_transfers).where(ledger_transfers.c.seq == transit["seq"])
        )
    )


def _item_paid_another_amount(ledger: Ledger) -> None:
    item = ledger.item("paid")
    paid = next(t for t in ledger.saved.transfers if t["id"] == f"{item['id']}:paid")
    ledger.run(set_row(ledger_transfers, ledger_transfers.c.seq, paid["seq"], amount=1))


def _refund_status_changed(ledger: Ledger) -> None:
    refund = ledger.refund("sepa")
    ledger.run(set_row(refunds, refunds.c.id, refund["id"], status="pending"))


def _card_refund_made_sepa(ledger: Ledger) -> None:
    refund = ledger.refund("card")
    ledger.run(set_row(refunds, refunds.c.id, refund["id"], method="sepa"))


def _refund_amount_changed(ledger: Ledger) -> None:
    refund = ledger.refund("card")
    ledger.run(set_row(refunds, refunds.c.id, refund["id"], amount=refund["amount"] + 1))


def _capture_changed(ledger: Ledger) -> None:
    capture = next(
        t
        for t in ledger.saved.transfers
        if t["debit_account_id"].startswith("acc_clearing_")
        and t["credit_account_id"].startswith("acc_escrow_")
    )
    ledger.run(
        set_row(
            ledger_transfers, ledger_transfers.c.seq, capture["seq"], amount=capture["amount"] + 7
        )
    )


def _refunds_account_edited(ledger: Ledger) -> None:
    ledger.run(
        set_row(
            ledger_accounts,
            ledger_accounts.c.id,
            ledger.account("acc_refunds_"),
            credits_posted=ledger_accounts.c.credits_posted + 3,
            debits_posted=ledger_accounts.c.debits_posted + 3,
        )
    )


CORRUPTIONS: list[Corruption] = [
    ("counter edited", "1", _counter_edited),
    ("escrow overdrawn", "2", _escrow_overdrawn),
    ("escrow paid to a clearing account", "4", _escrow_paid_elsewhere),
    ("resolution of nothing", "3", _resolves_nothing),
    ("post of more than the hold", "3", _posts_too_much),
    ("resolution deleted", "5", _resolution_lost),
    ("single made pending", "5", _kind_changed),
    ("paid item back in transit", "7", _item_status_changed),
    ("item amount", "7", _item_amount_changed),
    ("item's transfer deleted", "7", _item_transfer_lost),
    ("item paid another amount", "7", _item_paid_another_amount),
    ("SEPA refund status", "7", _refund_status_changed),
    ("card refund made SEPA", "7", _card_refund_made_sepa),
    ("refund amount", "6", _refund_amount_changed),
    ("capture amount", "6", _capture_changed),
    ("refunds account edited", "6", _refunds_account_edited),
]


def _unknown_account(context: ServiceContext, settings: Settings, ledger: Ledger) -> None:
    with unconstrained(context, settings) as run:
        run(
            "INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount,"
            " currency, code, created_at) VALUES ('to_a_ghost', 'single', :debit, 'acc_ghost',"
            " 5, 'EUR', 'by_hand', :at)",
            debit=ledger.account("acc_clearing_"),
            at="2031-01-01 00:00:00.000000",
        )


def _negative_counter(context: ServiceContext, settings: Settings, ledger: Ledger) -> None:
    with unconstrained(context, settings) as run:
        run(
            "UPDATE ledger_accounts SET debits_pending = -5 WHERE id = :id",
            id=ledger.account("acc_settlement_")
            if any(a["id"].startswith("acc_settlement_") for a in ledger.saved.accounts)
            else ledger.account("acc_clearing_"),
        )


UNCONSTRAINED: list[tuple[str, str, Callable[[ServiceContext, Settings, Ledger], None]]] = [
    ("transfer to an account that does not exist", "unknown account", _unknown_account),
    ("negative counter", "a counter is negative", _negative_counter),
]


@pytest.fixture
def ledger(client: Any, context: ServiceContext) -> Iterator[Ledger]:
    build_ledger(client)
    saved = snapshot(context)
    assert both_checks(context) == ([], [])
    yield Ledger(context, saved)


def test_each_corruption_is_reported_as_the_reference_reports_it(
    ledger: Ledger, context: ServiceContext, settings: Settings
) -> None:
    for name, invariant, corrupt in CORRUPTIONS:
        corrupt(ledger)
        found, expected = both_checks(context)
        assert any(line.startswith(f"{invariant}: ") for line in expected), (name, expected)
        assert found == expected, name
        restore(context, ledger.saved)
        assert both_checks(context) == ([], []), name
    for name, words, corrupt_unchecked in UNCONSTRAINED:
        try:
            corrupt_unchecked(context, settings, ledger)
            found, expected = both_checks(context)
            assert any(words in line for line in expected), (name, expected)
            assert found == expected, name
            restore(context, ledger.saved)
        finally:
            put_checks_back(context)
        assert both_checks(context) == ([], []), name


# --- Random combinations ------------------------------------------------------------


@st.composite
def corruptions(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """1 to 4 edits, each naming rows by position (taken modulo the row count)."""
    index = st.integers(min_value=0, max_value=10_000)
    edit = st.one_of(
        st.tuples(st.just("counter"), index, st.sampled_from(COUNTERS), st.integers(-3000, 3000)),
        st.tuples(st.just("amount"), index, st.integers(1, 20_000)),
        st.tuples(st.just("kind"), index, st.sampled_from(KINDS)),
        st.tuples(st.just("account"), index, st.booleans(), index),
        st.tuples(st.just("delete"), index),
        st.tuples(
            st.just("forge"), st.sampled_from(KINDS), index, index, st.integers(1, 9000), index
        ),
        st.tuples(st.just("item"), index, st.sampled_from(["in_transit", "paid", "rejected"])),
        st.tuples(st.just("refund"), index, st.sampled_from(["pending", "succeeded", "failed"])),
        st.tuples(st.just("method"), index, st.sampled_from(["card", "sepa"])),
        st.tuples(st.just("recount")),
    )
    return draw(st.lists(edit, min_size=1, max_size=4))


def apply_edit(connection: Connection, saved: Snapshot, edit: tuple[Any, ...]) -> None:
    accounts, transfers = saved.accounts, saved.transfers
    what = edit[0]
    if what == "counter":
        account = accounts[edit[1] % len(accounts)]
        current = connection.execute(
            select(ledger_accounts.c[edit[2]]).where(ledger_accounts.c.id == account["id"])
        ).scalar_one()
        values = {edit[2]: max(0, current + edit[3])}
        connection.execute(
            update(ledger_accounts).where(ledger_accounts.c.id == account["id"]).values(**values)
        )
    elif what in ("amount", "kind", "account", "delete"):
        transfer = transfers[edit[1] % len(transfers)]
        where = ledger_transfers.c.seq == transfer["seq"]
        if what == "amount":
            connection.execute(update(ledger_transfers).where(where).values(amount=edit[2]))
        elif what == "kind":
            if edit[2] in RESOLVING and transfer["pending_id"] is None:
                return  # the reference cannot read it (see test_a_resolution_naming_nothing)
            connection.execute(update(ledger_transfers).where(where).values(kind=edit[2]))
        elif what == "account":
            row = connection.execute(select(ledger_transfers).where(where)).first()
            if row is None:
                return
            other = accounts[edit[3] % len(accounts)]["id"]
            column = "debit_account_id" if edit[2] else "credit_account_id"
            if other in (row.debit_account_id, row.credit_account_id):
                return  # a transfer's two accounts differ (a CHECK constraint)
            connection.execute(update(ledger_transfers).where(where).values(**{column: other}))
        else:
            connection.execute(delete(ledger_transfers).where(where))
    elif what == "forge":
        _, kind, debit, credit, amount, pending = edit
        debit_id = accounts[debit % len(accounts)]["id"]
        credit_id = accounts[credit % len(accounts)]["id"]
        if debit_id == credit_id:
            return
        used = set(
            connection.execute(
                select(ledger_transfers.c.pending_id).where(
                    ledger_transfers.c.pending_id.is_not(None)
                )
            ).scalars()
        )
        pending_id = None
        if kind in RESOLVING:
            pending_id = transfers[pending % len(transfers)]["id"] if pending % 3 else "nothing"
            if pending_id in used:
                return  # at most one resolution per pending transfer (a unique column)
        forge(
            connection,
            f"forged_{next(_forged_ids)}",
            kind=kind,
            debit_account_id=debit_id,
            credit_account_id=credit_id,
            amount=amount,
            pending_id=pending_id,
        )
    elif what == "item":
        if saved.items:
            item = saved.items[edit[1] % len(saved.items)]
            connection.execute(
                update(payout_items).where(payout_items.c.id == item["id"]).values(status=edit[2])
            )
    elif what in ("refund", "method"):
        if saved.refunds:
            refund = saved.refunds[edit[1] % len(saved.refunds)]
            values = {"status": edit[2]} if what == "refund" else {"method": edit[2]}
            connection.execute(update(refunds).where(refunds.c.id == refund["id"]).values(**values))
    else:
        recount(connection)


def test_random_corruptions_are_reported_as_the_reference_reports_them(
    ledger: Ledger, context: ServiceContext
) -> None:
    seen: set[str] = set()

    @hypothesis_settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(edits=corruptions())
    def check(edits: list[tuple[Any, ...]]) -> None:
        try:
            for edit in edits:
                ledger.run(lambda connection, edit=edit: apply_edit(connection, ledger.saved, edit))
            found, expected = both_checks(context)
            assert found == expected, edits
            seen.update(line.split(":")[0] for line in expected)
        finally:
            restore(context, ledger.saved)

    check()
    assert both_checks(context) == ([], [])
    # The draws did corrupt the ledger: most invariants were broken at least once.
    assert len(seen) >= 4, seen


def test_a_resolution_naming_nothing_is_reported_where_the_reference_failed(
    ledger: Ledger, context: ServiceContext
) -> None:
    """A post whose ``pending_id`` is empty: the in-memory reference stops on an
    assertion; the check names it like any resolution of nothing."""
    single = ledger.transfer("single")
    ledger.run(
        set_row(ledger_transfers, ledger_transfers.c.seq, single["seq"], kind="post_pending")
    )
    with pytest.raises(AssertionError):
        reference_check(context)
    found = [str(violation) for violation in check_ledger(context)]
    assert f"3: transfer {single['id']}: resolves no pending transfer" in found, found
