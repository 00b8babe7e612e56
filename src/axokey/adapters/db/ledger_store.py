"""Persistence of the ledger: loads a locked view, lets the domain decide, writes.

Concurrency: every account a batch may bring to a limit is locked first (``SELECT …
FOR UPDATE`` in id order on PostgreSQL; SQLite's write transactions are already
serialised by ``BEGIN IMMEDIATE``); the other accounts it moves are not locked and
move by deltas at the end of the transaction (see ``Movement`` and ``_defer``).
Existing transfers and their resolutions are read in one statement after the locks
are held, so two racing batches see each other's effects: the second finds the
transfer id already applied, or the pending transfer already resolved. The unique
constraints on ``id`` and ``pending_id`` are the last line: two batches that lock
nothing in common and insert the same one make the second transaction run again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    and_,
    bindparam,
    not_,
    or_,
    select,
    update,
)

from axokey.adapters.db.bulk import insert_rows, update_rows
from axokey.adapters.db.engine import (
    BEFORE_COMMIT_KEY,
    LEDGER_BATCHES_KEY,
    in_unit_of_work,
)
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

# This transaction's deltas of unlimited accounts, not written yet: {id: 4 deltas}.
DEFERRED_DELTAS_KEY = "axokey_ledger_deferred_deltas"
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
    insert_rows(connection, ledger_accounts, rows, ignoring_conflicts_on=["id"])


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


_TRANSFERS = select(ledger_transfers).where(
    ledger_transfers.c.id.in_(bindparam("ids", expanding=True))
)


def _read_transfers(connection: Connection, ids: set[str]) -> dict[str, Transfer]:
    if not ids:
        return {}
    rows = connection.execute(_TRANSFERS, {"ids": sorted(ids)})
    return {row.id: transfer_from_row(row) for row in rows}


_TRANSFERS_AND_RESOLUTIONS = select(ledger_transfers).where(
    or_(
        ledger_transfers.c.id.in_(bindparam("ids", expanding=True)),
        ledger_transfers.c.pending_id.in_(bindparam("pending_ids", expanding=True)),
    )
)


def _read_transfers_and_resolutions(
    connection: Connection, ids: set[str], pending_ids: set[str]
) -> tuple[dict[str, Transfer], dict[str, Transfer]]:
    """The transfers ``ids`` and the resolutions of ``pending_ids``, in one statement:
    one snapshot, so that a batch committed meanwhile is seen whole or not at all
    (its accounts may be unlocked ones, which no lock orders)."""
    query = _TRANSFERS_AND_RESOLUTIONS if pending_ids else _TRANSFERS
    parameters = {"ids": sorted(ids), "pending_ids": sorted(pending_ids)}
    transfers: dict[str, Transfer] = {}
    resolutions: dict[str, Transfer] = {}
    for row in connection.execute(query, parameters):
        transfer = transfer_from_row(row)
        if row.id in ids:
            transfers[row.id] = transfer
        if row.pending_id is not None and row.pending_id in pending_ids:
            resolutions[row.pending_id] = transfer
    return transfers, resolutions


@dataclass(frozen=True)
class Movement:
    """Which accounts a batch moves toward a limit: the debit accounts (and the credit
    accounts) of its new single and pending transfers. A resolution (post, void,
    expire) only ever moves its accounts away from their limits."""

    debited: frozenset[str] = frozenset()
    credited: frozenset[str] = frozenset()

    @classmethod
    def of(cls, requests: Sequence[TransferRequest]) -> Movement:
        new = [r for r in requests if r.kind in (TransferKind.SINGLE, TransferKind.PENDING)]
        return cls(
            frozenset(r.debit_account_id for r in new if r.debit_account_id),
            frozenset(r.credit_account_id for r in new if r.credit_account_id),
        )

    def locks(self, account: Account) -> bool:
        """Whether this batch must hold ``account``'s row: it may bring it to its limit."""
        return (account.debits_must_not_exceed_credits and account.id in self.debited) or (
            account.credits_must_not_exceed_debits and account.id in self.credited
        )

    def parameters(self) -> dict[str, list[str]]:
        """The parameters of :data:`_LOCKS` (:meth:`locks` in SQL)."""
        return {"debited": sorted(self.debited), "credited": sorted(self.credited)}


# Movement.locks in SQL, its accounts bound as parameters (Movement.parameters).
_LOCKS = or_(
    and_(
        ledger_accounts.c.debits_must_not_exceed_credits,
        ledger_accounts.c.id.in_(bindparam("debited", expanding=True)),
    ),
    and_(
        ledger_accounts.c.credits_must_not_exceed_debits,
        ledger_accounts.c.id.in_(bindparam("credited", expanding=True)),
    ),
)
_ACCOUNTS_IN = ledger_accounts.c.id.in_(bindparam("ids", expanding=True))
_LOCKED = (
    select(ledger_accounts)
    .where(_ACCOUNTS_IN, _LOCKS)
    .order_by(ledger_accounts.c.id)
    .with_for_update()
    .cte("locked")
)
# PostgreSQL: the accounts the batch may bring to a limit locked in id order, the
# others read as committed; SQLite's write transaction holds its one write lock.
_LOCK_ACCOUNTS = select(_LOCKED).union_all(
    select(ledger_accounts).where(_ACCOUNTS_IN, not_(_LOCKS))
)
_READ_ACCOUNTS = select(ledger_accounts).where(_ACCOUNTS_IN)


def lock_accounts(
    connection: Connection, account_ids: Iterable[str], movement: Movement
) -> dict[str, Account]:
    """The accounts, as this transaction sees them (its own deferred deltas added).

    Those the batch may bring to a limit (``movement``) are locked (``FOR UPDATE``,
    in id order); the others are read as committed and never locked: their counters
    move by deltas written at the end of the transaction (:func:`_defer`). Nothing
    can take an account past a limit without its lock, and any committed state
    keeps every limit, so a check on such a read never errs. One statement."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    if connection.dialect.name == "postgresql":
        query: Any = _LOCK_ACCOUNTS
        parameters: dict[str, list[str]] = {"ids": ids, **movement.parameters()}
    else:  # SQLite: the write transaction already holds the database's one write lock
        query, parameters = _READ_ACCOUNTS, {"ids": ids}
    accounts = {row.id: account_from_row(row) for row in connection.execute(query, parameters)}
    deferred: dict[str, list[int]] = connection.info.get(DEFERRED_DELTAS_KEY, {})
    for account_id, deltas in deferred.items():
        if account_id in accounts:
            account = accounts[account_id]
            account.debits_pending += deltas[0]
            account.debits_posted += deltas[1]
            account.credits_pending += deltas[2]
            account.credits_posted += deltas[3]
    return accounts


def _defer(connection: Connection, before: Account, after: Account) -> None:
    """Add the change of an account this batch did not lock to the deltas written
    just before commit.

    Clearing, settlement, in-transit payouts (no limit), and the accounts a batch
    only credits (a party's payable at a release, the refunds account at a refund
    decision, an escrow at a capture): every capture, redemption and refund moves
    them. Locking such a row for the whole transaction would make it the one row
    every transaction waits for; instead its counters move by ``UPDATE … SET x = x +
    delta`` as the last statements of the transaction (in id order), and the row is
    held only while the transaction commits. (A rare cycle with a transaction that
    locked one of them earlier is a deadlock PostgreSQL breaks; ``Database.run``
    runs the loser again.)"""
    deltas = connection.info.setdefault(DEFERRED_DELTAS_KEY, {}).setdefault(after.id, [0] * 4)
    for index, change in enumerate(_deltas(before, after)):
        deltas[index] += change
    hooks = connection.info.setdefault(BEFORE_COMMIT_KEY, [])
    if _write_deferred not in hooks:
        hooks.append(_write_deferred)


def _deltas(before: Account, after: Account) -> list[int]:
    return [new - old for old, new in zip(before.counters(), after.counters(), strict=True)]


def _write_deferred(connection: Connection) -> None:
    _write_deltas(connection, connection.info.pop(DEFERRED_DELTAS_KEY, {}))


_ADD_DELTAS = (
    update(ledger_accounts)
    .where(ledger_accounts.c.id == bindparam("account_id"))
    .values(
        debits_pending=ledger_accounts.c.debits_pending + bindparam("delta_debits_pending"),
        debits_posted=ledger_accounts.c.debits_posted + bindparam("delta_debits_posted"),
        credits_pending=ledger_accounts.c.credits_pending + bindparam("delta_credits_pending"),
        credits_posted=ledger_accounts.c.credits_posted + bindparam("delta_credits_posted"),
    )
)


def _write_deltas(connection: Connection, deltas_by_account: dict[str, list[int]]) -> None:
    """``x = x + delta`` on each account, in id order, in one executemany (one
    round trip on PostgreSQL, whose driver pipelines it)."""
    rows = [
        {
            "account_id": account_id,
            "delta_debits_pending": deltas[0],
            "delta_debits_posted": deltas[1],
            "delta_credits_pending": deltas[2],
            "delta_credits_posted": deltas[3],
        }
        for account_id, deltas in sorted(deltas_by_account.items())
        if any(deltas)
    ]
    if rows:
        connection.execute(_ADD_DELTAS, rows)


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
    movement = Movement.of(requests)
    accounts = lock_accounts(connection, account_ids, movement)

    # Each round locks at least one more account, among those the batch's own
    # transfers name: a few rounds at most. The cap turns a surprise into an error.
    for _ in range(LOCK_ROUNDS_MAX):
        transfers, resolutions = _read_transfers_and_resolutions(
            connection, request_ids | pending_ids, pending_ids
        )
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
        accounts.update(lock_accounts(connection, missing, movement))
    else:
        raise LedgerInconsistent("the accounts of this batch kept changing while it locked them")

    outcome = apply_transfers(
        _LockedView(accounts, transfers, resolutions), requests, now=now, linked=linked
    )
    if outcome.created and in_unit_of_work(connection):
        connection.info[LEDGER_BATCHES_KEY] += 1
    _write(connection, accounts, outcome, movement)
    return outcome


def _write(
    connection: Connection,
    accounts: dict[str, Account],
    outcome: BatchOutcome,
    movement: Movement,
) -> None:
    """The batch's new transfers (one insert), its limited accounts' new counters
    (locked: written now, one update), its unlimited accounts' deltas (deferred to
    the end)."""
    if outcome.created:
        insert_rows(
            connection,
            ledger_transfers,
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
    changed = []
    for account in outcome.accounts.values():
        before = accounts.get(account.id)
        if before is not None and before.counters() == account.counters():
            continue
        if before is not None and not movement.locks(before):
            if in_unit_of_work(connection):
                _defer(connection, before, account)
            else:  # a bare transaction: no end-of-transaction hook, a delta at once
                _write_deltas(connection, {account.id: _deltas(before, account)})
            continue
        changed.append(
            {
                "id": account.id,
                "debits_pending": account.debits_pending,
                "debits_posted": account.debits_posted,
                "credits_pending": account.credits_pending,
                "credits_posted": account.credits_posted,
            }
        )
    update_rows(connection, ledger_accounts, "id", changed)  # locked: in any order


def all_accounts(connection: Connection) -> list[Account]:
    rows = connection.execute(select(ledger_accounts).order_by(ledger_accounts.c.id))
    return [account_from_row(row) for row in rows]


def all_transfers(connection: Connection) -> list[Transfer]:
    rows = connection.execute(select(ledger_transfers).order_by(ledger_transfers.c.seq))
    return [transfer_from_row(row) for row in rows]


_TRANSFERS_OF_ORDERS = (
    select(ledger_transfers)
    .where(ledger_transfers.c.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(ledger_transfers.c.seq)
)


def transfers_of_order(connection: Connection, order_id: str) -> list[Transfer]:
    rows = connection.execute(_TRANSFERS_OF_ORDERS, {"order_ids": [order_id]})
    return [transfer_from_row(row) for row in rows]


def transfers_of_orders(
    connection: Connection, order_ids: Sequence[str]
) -> dict[str, list[Transfer]]:
    """The transfers of several orders, in one query, keyed by order id."""
    found: dict[str, list[Transfer]] = {order_id: [] for order_id in order_ids}
    if not order_ids:
        return found
    rows = connection.execute(_TRANSFERS_OF_ORDERS, {"order_ids": list(order_ids)})
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
