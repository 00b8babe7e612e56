"""Persistence of the ledger: loads a locked view, lets the domain decide, writes.

Concurrency: every account a batch touches is locked first (``SELECT … FOR
UPDATE`` in id order on PostgreSQL; SQLite's write transactions are already
serialised by ``BEGIN IMMEDIATE``). Existing transfers and resolutions are read
after the locks are held, so two racing batches see each other's effects: the
second finds the transfer id already applied, or the pending transfer already
resolved. The unique constraints on ``id`` and ``pending_id`` are the last line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, Row, select, update

from axokey.adapters.db.engine import LEDGER_BATCHES_KEY, insert_ignoring_conflicts
from axokey.adapters.db.tables import ledger_accounts, ledger_transfers
from axokey.domain.ledger import (
    Account,
    BatchOutcome,
    LedgerInconsistent,
    Transfer,
    TransferKind,
    TransferRequest,
    apply_transfers,
)

# Rounds of "read the transfers, lock the accounts they name" before a batch.
LOCK_ROUNDS_MAX = 16


def account_from_row(row: Row) -> Account:  # type: ignore[type-arg]
    return Account(
        id=row.id,
        currency=row.currency,
        kind=row.kind,
        owner_id=row.owner_id,
        debits_must_not_exceed_credits=row.debits_must_not_exceed_credits,
        credits_must_not_exceed_debits=row.credits_must_not_exceed_debits,
        debits_pending=row.debits_pending,
        debits_posted=row.debits_posted,
        credits_pending=row.credits_pending,
        credits_posted=row.credits_posted,
    )


def transfer_from_row(row: Row) -> Transfer:  # type: ignore[type-arg]
    return Transfer(
        id=row.id,
        kind=TransferKind(row.kind),
        debit_account_id=row.debit_account_id,
        credit_account_id=row.credit_account_id,
        amount=row.amount,
        currency=row.currency,
        created_at=row.created_at,
        pending_id=row.pending_id,
        timeout_at=row.timeout_at,
        code=row.code,
        order_id=row.order_id,
        line_id=row.line_id,
    )


def ensure_accounts(connection: Connection, accounts: Iterable[Account], now: datetime) -> None:
    """Create the accounts that do not exist yet (idempotent, race-free)."""
    rows = [
        {
            "id": account.id,
            "currency": account.currency,
            "kind": account.kind,
            "owner_id": account.owner_id,
            "debits_must_not_exceed_credits": account.debits_must_not_exceed_credits,
            "credits_must_not_exceed_debits": account.credits_must_not_exceed_debits,
            "debits_pending": 0,
            "debits_posted": 0,
            "credits_pending": 0,
            "credits_posted": 0,
            "created_at": now,
        }
        for account in {account.id: account for account in accounts}.values()
    ]
    if not rows:
        return
    statement = insert_ignoring_conflicts(connection, ledger_accounts, ["id"])
    connection.execute(statement, rows)


class _LockedView:
    """A ``LedgerView`` over the locked accounts and freshly read transfers."""

    def __init__(
        self,
        accounts: dict[str, Account],
        transfers: dict[str, Transfer],
        resolutions: dict[str, Transfer],
    ) -> None:
        self._accounts = accounts
        self._transfers = transfers
        self._resolutions = resolutions

    def account(self, account_id: str) -> Account | None:
        return self._accounts.get(account_id)

    def transfer(self, transfer_id: str) -> Transfer | None:
        return self._transfers.get(transfer_id)

    def resolution_of(self, pending_id: str) -> Transfer | None:
        return self._resolutions.get(pending_id)


def _read_transfers(connection: Connection, ids: set[str]) -> dict[str, Transfer]:
    if not ids:
        return {}
    rows = connection.execute(select(ledger_transfers).where(ledger_transfers.c.id.in_(ids)))
    return {row.id: transfer_from_row(row) for row in rows}


def lock_accounts(connection: Connection, account_ids: Iterable[str]) -> dict[str, Account]:
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    query = (
        select(ledger_accounts).where(ledger_accounts.c.id.in_(ids)).order_by(ledger_accounts.c.id)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return {row.id: account_from_row(row) for row in connection.execute(query)}


def post_transfers(
    connection: Connection,
    requests: Sequence[TransferRequest],
    *,
    now: datetime,
    linked: bool = True,
) -> BatchOutcome:
    """Apply a batch of transfers inside the caller's transaction.

    The caller commits (success) or rolls back (it raises on a failed linked
    batch). Nothing is written when the batch fails.
    """
    request_ids = {request.id for request in requests}
    pending_ids = {request.pending_id for request in requests if request.pending_id}
    # Pending transfers are immutable: reading them before the locks is safe,
    # and tells which accounts their resolutions touch.
    known = _read_transfers(connection, pending_ids)
    account_ids: set[str] = set()
    for request in requests:
        for account_id in (request.debit_account_id, request.credit_account_id):
            if account_id:
                account_ids.add(account_id)
    for pending in known.values():
        account_ids.update((pending.debit_account_id, pending.credit_account_id))
    accounts = lock_accounts(connection, account_ids)

    # Each round locks at least one more account, among those the batch's own
    # transfers name: a few rounds at most. The cap turns a surprise into an error.
    for _ in range(LOCK_ROUNDS_MAX):
        transfers = _read_transfers(connection, request_ids | pending_ids)
        resolutions: dict[str, Transfer] = {}
        if pending_ids:
            rows = connection.execute(
                select(ledger_transfers).where(ledger_transfers.c.pending_id.in_(pending_ids))
            )
            resolutions = {row.pending_id: transfer_from_row(row) for row in rows}
        # A transfer read here may name accounts that were not locked yet (an
        # idempotent replay, or a pending transfer committed after the first
        # read): lock them too, then read again, since another batch may have
        # resolved that pending transfer while this one waited for the locks.
        missing = {
            account_id
            for transfer in transfers.values()
            for account_id in (transfer.debit_account_id, transfer.credit_account_id)
            if account_id not in accounts
        }
        if not missing:
            break
        accounts.update(lock_accounts(connection, missing))
    else:
        raise LedgerInconsistent("the accounts of this batch kept changing while it locked them")

    outcome = apply_transfers(
        _LockedView(accounts, transfers, resolutions), requests, now=now, linked=linked
    )
    if outcome.created and LEDGER_BATCHES_KEY in connection.info:
        connection.info[LEDGER_BATCHES_KEY] += 1
    if outcome.created:
        connection.execute(
            ledger_transfers.insert(),
            [
                {
                    "id": transfer.id,
                    "kind": transfer.kind.value,
                    "debit_account_id": transfer.debit_account_id,
                    "credit_account_id": transfer.credit_account_id,
                    "amount": transfer.amount,
                    "currency": transfer.currency,
                    "pending_id": transfer.pending_id,
                    "timeout_at": transfer.timeout_at,
                    "code": transfer.code,
                    "order_id": transfer.order_id,
                    "line_id": transfer.line_id,
                    "created_at": transfer.created_at,
                }
                for transfer in outcome.created
            ],
        )
    for account in outcome.accounts.values():
        if (
            accounts.get(account.id) is not None
            and accounts[account.id].counters() == account.counters()
        ):
            continue
        connection.execute(
            update(ledger_accounts)
            .where(ledger_accounts.c.id == account.id)
            .values(
                debits_pending=account.debits_pending,
                debits_posted=account.debits_posted,
                credits_pending=account.credits_pending,
                credits_posted=account.credits_posted,
            )
        )
    return outcome


def all_accounts(connection: Connection) -> list[Account]:
    rows = connection.execute(select(ledger_accounts).order_by(ledger_accounts.c.id))
    return [account_from_row(row) for row in rows]


def all_transfers(connection: Connection) -> list[Transfer]:
    rows = connection.execute(select(ledger_transfers).order_by(ledger_transfers.c.seq))
    return [transfer_from_row(row) for row in rows]


def transfers_of_order(connection: Connection, order_id: str) -> list[Transfer]:
    rows = connection.execute(
        select(ledger_transfers)
        .where(ledger_transfers.c.order_id == order_id)
        .order_by(ledger_transfers.c.seq)
    )
    return [transfer_from_row(row) for row in rows]


def transfers_of_orders(
    connection: Connection, order_ids: Sequence[str]
) -> dict[str, list[Transfer]]:
    """The transfers of several orders, in one query, keyed by order id."""
    found: dict[str, list[Transfer]] = {order_id: [] for order_id in order_ids}
    if not order_ids:
        return found
    rows = connection.execute(
        select(ledger_transfers)
        .where(ledger_transfers.c.order_id.in_(order_ids))
        .order_by(ledger_transfers.c.seq)
    )
    for row in rows:
        found[row.order_id].append(transfer_from_row(row))
    return found


def expired_pending_ids(connection: Connection, now: datetime, limit: int) -> list[str]:
    """Pending transfers outside orders whose deadline has passed and that nothing
    resolved yet."""
    resolution = ledger_transfers.alias("resolution")
    rows = connection.execute(
        select(ledger_transfers.c.id)
        .select_from(
            ledger_transfers.outerjoin(resolution, resolution.c.pending_id == ledger_transfers.c.id)
        )
        .where(
            ledger_transfers.c.kind == TransferKind.PENDING.value,
            ledger_transfers.c.timeout_at.is_not(None),
            ledger_transfers.c.timeout_at <= now,
            resolution.c.id.is_(None),
            # An order's holds are ended by the order's own rules (the sweep refunds
            # the line in the same transaction); only holds outside orders end here.
            ledger_transfers.c.order_id.is_(None),
        )
        .order_by(ledger_transfers.c.timeout_at)
        .limit(limit)
    )
    return [row.id for row in rows]
