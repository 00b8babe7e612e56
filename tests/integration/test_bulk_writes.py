"""Several rows in one statement (``adapters/db/bulk.py``), read back: inserted in
their order (``seq`` counts up in it), a conflicting key skipped, each column through
its own type (aware timestamps, NULLs among values), an update of several rows by key.
On PostgreSQL these are the array statements; on SQLite, ``executemany``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from axokey.adapters.db.bulk import insert_rows, update_rows
from axokey.adapters.db.tables import ledger_accounts, ledger_transfers

NOW = datetime(2026, 12, 3, 21, 30, 15, 123456, tzinfo=UTC)


def account(account_id: str, kind: str = "escrow") -> dict[str, Any]:
    return {
        "id": account_id,
        "currency": "EUR",
        "kind": kind,
        "owner_id": None,
        "debits_must_not_exceed_credits": False,
        "credits_must_not_exceed_debits": False,
        "debits_pending": 0,
        "debits_posted": 0,
        "credits_pending": 0,
        "credits_posted": 0,
        "created_at": NOW,
    }


def transfer(transfer_id: str, amount: int, *, pending_id: str | None = None) -> dict[str, Any]:
    return {
        "id": transfer_id,
        "kind": "single",
        "debit_account_id": "bulk:a",
        "credit_account_id": "bulk:b",
        "amount": amount,
        "currency": "EUR",
        "pending_id": pending_id,
        "timeout_at": NOW + timedelta(days=amount) if amount % 2 else None,
        "code": "test",
        "order_id": None,
        "line_id": None,
        "created_at": NOW,
    }


def test_rows_go_in_in_order_and_come_back_as_written(context: Any) -> None:
    given = [transfer("bulk:t5", 5), transfer("bulk:t2", 2), transfer("bulk:t9", 9, pending_id="x")]
    with context.database.transaction() as connection:
        insert_rows(connection, ledger_accounts, [account("bulk:a"), account("bulk:b")])
        insert_rows(connection, ledger_transfers, given)
    with context.database.read() as connection:
        rows = connection.execute(
            select(ledger_transfers).order_by(ledger_transfers.c.seq)
        ).mappings()
        found = [{name: row[name] for name in given[0]} for row in rows]
    assert found == given  # the order, the NULLs, the aware timestamps


def test_a_key_already_there_is_skipped_and_rows_update_by_key(context: Any) -> None:
    with context.database.transaction() as connection:
        insert_rows(connection, ledger_accounts, [account("bulk:a"), account("bulk:b")])
        inserted = [account("bulk:b", kind="changed"), account("bulk:c")]
        insert_rows(connection, ledger_accounts, inserted, ignoring_conflicts_on=["id"])
        update_rows(
            connection,
            ledger_accounts,
            "id",
            [
                {"id": "bulk:c", "debits_pending": 7, "credits_posted": 3},
                {"id": "bulk:a", "debits_pending": 1, "credits_posted": 2},
            ],
        )
    with context.database.read() as connection:
        rows = connection.execute(
            select(
                ledger_accounts.c.id,
                ledger_accounts.c.kind,
                ledger_accounts.c.debits_pending,
                ledger_accounts.c.credits_posted,
            ).order_by(ledger_accounts.c.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("bulk:a", "escrow", 1, 2),
        ("bulk:b", "escrow", 0, 0),  # kept: the second insert skipped it
        ("bulk:c", "escrow", 7, 3),
    ]
