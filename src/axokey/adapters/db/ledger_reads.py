"""Reading the ledger for people: a party's accounts, pages of transfers.

Writing (posting, locking, expiring) stays in ``ledger_store``; this module only
reads, with the same row-to-domain mapping.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, Date, and_, case, func, or_, select

from axokey.adapters.db.ledger_store import account_from_row, transfer_from_row
from axokey.adapters.db.tables import ledger_accounts, ledger_transfers
from axokey.domain.accounts import ESCROW
from axokey.domain.escrow_history import Change
from axokey.domain.ledger import Account, Transfer, TransferKind


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


def escrow_changes_by_day(
    connection: Connection, currency: str, *, first_day: date, last_day: date
) -> list[Change]:
    """What all the orders' escrow accounts hold changed by, summed in the database:
    one change for everything before ``first_day`` (dated the day before), then one
    per day (UTC) up to ``last_day`` included, at the day's midnight. ``daily()``
    turns these into the same series as the changes of every transfer
    (``escrow_history.held_in_escrows``), without loading the transfers: a posted
    transfer of an order into an escrow account adds its amount, one out of it takes
    it away (one between two escrows, or touching none, changes nothing)."""
    prefix = f"acc_{ESCROW}_"
    into = ledger_transfers.c.credit_account_id.startswith(prefix, autoescape=True)
    out_of = ledger_transfers.c.debit_account_id.startswith(prefix, autoescape=True)
    amount = ledger_transfers.c.amount
    delta = func.coalesce(
        func.sum(case((and_(into, ~out_of), amount), (and_(out_of, ~into), -amount), else_=0)),
        0,
    )
    start = datetime.combine(first_day, time(), UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(), UTC)
    posted_of_orders = (
        ledger_transfers.c.currency == currency,
        ledger_transfers.c.order_id.is_not(None),
        ledger_transfers.c.kind.in_((TransferKind.SINGLE.value, TransferKind.POST_PENDING.value)),
    )
    before = int(
        connection.execute(
            select(delta).where(*posted_of_orders, ledger_transfers.c.created_at < start)
        ).scalar_one()
    )
    # The UTC day: timestamps are stored as naive UTC on both databases, and date()
    # reads the day of one on both (SQLite answers text, which Date parses).
    day = func.date(ledger_transfers.c.created_at, type_=Date)
    rows = connection.execute(
        select(day.label("day"), delta.label("delta"))
        .where(
            *posted_of_orders,
            ledger_transfers.c.created_at >= start,
            ledger_transfers.c.created_at < end,
        )
        .group_by(day)
        .order_by(day)
    ).all()
    changes = [Change(start - timedelta(days=1), before)] if before else []
    changes.extend(Change(datetime.combine(row.day, time(), UTC), int(row.delta)) for row in rows)
    return changes
