"""The schema carries its rules: the database itself refuses a bad row (CHECK
constraints, on SQLite and PostgreSQL), and on PostgreSQL a ledger transfer, once
written, can be neither updated nor deleted (a trigger; ``TRUNCATE`` still empties
the table, as the tests do between cases)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from axokey.adapters.db.tables import (
    idempotency_keys,
    ledger_accounts,
    ledger_transfers,
    order_lines,
    orders,
    payments,
    products,
    refunds,
)
from tests.conftest import ON_POSTGRES
from tests.scenario import delivery_order, spec_world


def refused_by_the_database(context: Any, statement: Any) -> None:
    """``statement`` fails in the database, and its transaction changes nothing."""

    def work(connection: Any) -> None:
        connection.execute(statement)

    with pytest.raises(DBAPIError) as raised:
        context.database.run(work)
    message = str(raised.value.orig).lower()
    assert "check" in message or "constraint" in message or "cannot be changed" in message, message


@pytest.fixture
def paid_order(client: Any) -> Any:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    world.pay(order["id"])
    return order


def test_bad_amounts_and_counters_are_refused_by_the_database(
    context: Any, paid_order: Any
) -> None:
    order_id = paid_order["id"]
    line_id = paid_order["lines"][0]["id"]
    with context.database.read() as connection:
        account_id = connection.execute(select(ledger_accounts.c.id).limit(1)).scalar_one()
        transfer = connection.execute(select(ledger_transfers).limit(1)).mappings().one()
        product_id = connection.execute(select(products.c.id).limit(1)).scalar_one()
        payment_id = connection.execute(select(payments.c.id)).scalar_one()
    bad_updates = [
        update(ledger_accounts).where(ledger_accounts.c.id == account_id).values(credits_posted=-1),
        update(ledger_accounts).where(ledger_accounts.c.id == account_id).values(debits_pending=-5),
        update(order_lines).where(order_lines.c.id == line_id).values(quantity=0),
        update(order_lines).where(order_lines.c.id == line_id).values(refunded_amount=-1),
        update(order_lines).where(order_lines.c.id == line_id).values(quantity_released=99),
        update(order_lines)
        .where(order_lines.c.id == line_id)
        .values(released_amount=order_lines.c.amount, refunded_amount=1),
        update(orders).where(orders.c.id == order_id).values(amount_total=0),
        update(orders).where(orders.c.id == order_id).values(delivery_fee=-590),
        update(products).where(products.c.id == product_id).values(wholesale_price=0),
        update(products).where(products.c.id == product_id).values(deposit_bps=10_001),
        update(payments).where(payments.c.id == payment_id).values(amount=-1),
    ]
    for statement in bad_updates:
        refused_by_the_database(context, statement)

    new_transfer = {
        **{column: value for column, value in transfer.items() if column != "seq"},
        "id": "by_hand",
        "pending_id": None,
    }
    refused_by_the_database(
        context, insert(ledger_transfers).values(**{**new_transfer, "amount": 0})
    )
    refused_by_the_database(
        context,
        insert(ledger_transfers).values(
            **{**new_transfer, "credit_account_id": new_transfer["debit_account_id"]}
        ),
    )
    refused_by_the_database(
        context,
        insert(refunds).values(
            id="rfd_by_hand",
            order_id=order_id,
            transfer_id="by_hand",
            amount=0,
            currency="EUR",
            reason="missing",
            method="card",
            status="pending",
            attempts=0,
            created_at=transfer["created_at"],
            updated_at=transfer["created_at"],
        ),
    )
    refused_by_the_database(
        context,
        insert(idempotency_keys).values(
            scope="s",
            key="k",
            request_hash="h",
            status="done",
            owner_token="o",
            created_at=transfer["created_at"],
            expires_at=transfer["created_at"],
        ),
    )
    # The good rows are untouched.
    with context.database.read() as connection:
        line = connection.execute(select(order_lines).where(order_lines.c.id == line_id)).one()
    assert (line.quantity, line.refunded_amount, line.quantity_released) == (2, 0, 0)


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger is PostgreSQL's")
def test_a_ledger_transfer_cannot_be_updated_or_deleted(context: Any, paid_order: Any) -> None:
    with context.database.read() as connection:
        before = connection.execute(select(ledger_transfers).order_by(ledger_transfers.c.seq)).all()
    assert before
    first = before[0]
    for statement in (
        update(ledger_transfers).where(ledger_transfers.c.id == first.id).values(amount=1),
        update(ledger_transfers).values(code="edited"),
        delete(ledger_transfers).where(ledger_transfers.c.id == first.id),
        delete(ledger_transfers),
    ):
        refused_by_the_database(context, statement)
    with context.database.read() as connection:
        after = connection.execute(select(ledger_transfers).order_by(ledger_transfers.c.seq)).all()
    assert after == before


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger is PostgreSQL's")
def test_truncate_still_empties_the_ledger(context: Any, paid_order: Any) -> None:
    """The test fixture's way of emptying tables is not refused by the trigger."""
    context.database.run(
        lambda connection: connection.execute(
            text("TRUNCATE ledger_transfers, ledger_accounts CASCADE")
        )
    )
    with context.database.read() as connection:
        assert connection.execute(select(ledger_transfers)).first() is None


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger is PostgreSQL's")
def test_the_trigger_is_part_of_the_migration(context: Any) -> None:
    with context.database.read() as connection:
        triggers = connection.execute(
            text(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = 'ledger_transfers'::regclass AND NOT tgisinternal"
            )
        ).scalars()
        assert set(triggers) == {"ledger_transfers_append_only"}
