"""Reading the ledger for people: a party's accounts, pages of transfers.

Writing (posting, locking, expiring) stays in ``ledger_store``; this module only
reads, with the same row-to-domain mapping.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, or_, select

from axokey.adapters.db.ledger_store import account_from_row, transfer_from_row
from axokey.adapters.db.tables import ledger_accounts, ledger_transfers
from axokey.domain.ledger import Account, Transfer


def accounts_of_owner(connection: Connection, owner_id: str, *, kind: str) -> list[Account]:
    """The owner's accounts of one kind, one per currency, by currency."""
    rows = connection.execute(
        select(ledger_accounts)
        .where(ledger_accounts.c.owner_id == owner_id, ledger_accounts.c.kind == kind)
        .order_by(ledger_accounts.c.currency)
    ).all()
    return [account_from_row(row) for row in rows]


def transfers_page(
    connection: Connection,
    *,
    order_id: str | None,
    account_prefix: str | None,
    limit: int,
    starting_after: str | None,
) -> tuple[list[Transfer], bool]:
    """Transfers, oldest first (by their sequence number), of one order when named,
    touching an account whose id starts with ``account_prefix`` when named.
    ``starting_after`` is a transfer id; an unknown one starts at the beginning."""
    query = select(ledger_transfers).order_by(ledger_transfers.c.seq)
    if account_prefix is not None:
        query = query.where(
            or_(
                ledger_transfers.c.debit_account_id.startswith(account_prefix, autoescape=True),
                ledger_transfers.c.credit_account_id.startswith(account_prefix, autoescape=True),
            )
        )
    if order_id is not None:
        query = query.where(ledger_transfers.c.order_id == order_id)
    if starting_after is not None:
        cursor = connection.execute(
            select(ledger_transfers.c.seq).where(ledger_transfers.c.id == starting_after)
        ).scalar()
        if cursor is not None:
            query = query.where(ledger_transfers.c.seq > cursor)
    rows = connection.execute(query.limit(limit + 1)).all()
    return [transfer_from_row(row) for row in rows[:limit]], len(rows) > limit


def transfers_into(connection: Connection, account_ids: Iterable[str]) -> list[Transfer]:
    """Every transfer credited to one of ``account_ids``, oldest first."""
    ids = list(account_ids)
    if not ids:
        return []
    rows = connection.execute(
        select(ledger_transfers)
        .where(ledger_transfers.c.credit_account_id.in_(ids))
        .order_by(ledger_transfers.c.seq)
    ).all()
    return [transfer_from_row(row) for row in rows]


def escrow_transfers(connection: Connection, currency: str) -> list[Transfer]:
    """Every posted transfer of an order in ``currency`` (into or out of its escrow,
    among others), oldest first."""
    rows = connection.execute(
        select(ledger_transfers)
        .where(
            ledger_transfers.c.currency == currency,
            ledger_transfers.c.order_id.is_not(None),
            ledger_transfers.c.kind.in_(("single", "post_pending")),
        )
        .order_by(ledger_transfers.c.seq)
    ).all()
    return [transfer_from_row(row) for row in rows]
