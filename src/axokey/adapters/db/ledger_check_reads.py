"""What ``axokey ledger check`` reads: the figures of the ledger's invariants, made by
the database, so that checking a ledger of any size holds only the rows at fault.

A read model across the ledger, the payout items and the refunds, like
``personal_data_repository``. Every function runs in the caller's read transaction
(one snapshot: REPEATABLE READ on PostgreSQL, one read transaction on SQLite). The
sums are aggregates (``GROUP BY``) whose result is small, or filtered down to the
rows that break a rule; the rest is streamed (a server-side cursor on PostgreSQL)
or read in pages by key. The rules themselves stay in the domain: each function
says which domain rule its SQL computes the figures of, and the service hands
those figures to the domain's functions, which decide and word each violation.
``tests/integration/test_ledger_check_parity.py`` holds the SQL to the domain's
in-memory reference on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    case,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
)

from axokey.adapters.db.ledger_store import account_from_row, transfer_from_row
from axokey.adapters.db.payout_repository import item_from_row
from axokey.adapters.db.tables import ledger_accounts, ledger_transfers, payout_items, refunds
from axokey.domain import accounts
from axokey.domain.escrow import OrderMoney
from axokey.domain.ledger import RESOLVING_KINDS, Account, Transfer, TransferKind
from axokey.domain.payouts import ItemKind, ItemStatus, PayoutItem, RefundRecord

# Rows fetched at a time from a streamed result, and payout items per page.
STREAM_ROWS = 5_000
ITEMS_PER_PAGE = 1_000
# PostgreSQL's memory for the sorts and hashes of this read transaction only: the
# per-account sums group every transfer by account (one group per order's escrow).
# Larger than the default 4 MB, so fewer passes spill to disk; still a fixed bound.
CHECK_WORK_MEM = "256MB"

_RESOLVING = sorted(kind.value for kind in RESOLVING_KINDS)
_POSTED = [TransferKind.SINGLE.value, TransferKind.POST_PENDING.value]
_PENDING = TransferKind.PENDING.value


def prepare(connection: Connection) -> None:
    """Settings of this read transaction for the check's large aggregates."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SET LOCAL work_mem = '{CHECK_WORK_MEM}'"))


def _streamed(connection: Connection, query: Any) -> Iterator[Any]:
    result = connection.execution_options(stream_results=True, yield_per=STREAM_ROWS).execute(query)
    yield from result


def _int(value: Any) -> int:
    # SUM over BIGINT is NUMERIC on PostgreSQL (a Decimal), INTEGER on SQLite.
    return 0 if value is None else int(value)


# --- Invariants 3 and 5: each transfer once, resolutions, known accounts -----------


def _unique_in_force(connection: Connection, column: str) -> bool:
    """Whether PostgreSQL enforces that ``ledger_transfers.<column>`` is unique (a
    valid unique index on that column alone, for every row). Then no scan can find
    a repeated value, and none is made: on 10⁶ orders such a scan is a sort of 10⁷
    ids. Elsewhere (SQLite, or the index dropped), the values are scanned."""
    if connection.dialect.name != "postgresql":
        return False
    found = connection.execute(
        text(
            "SELECT 1 FROM pg_index i JOIN pg_attribute a"
            " ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
            " WHERE i.indrelid = 'ledger_transfers'::regclass AND i.indisunique"
            " AND i.indisvalid AND i.indisready AND i.indislive AND i.indnkeyatts = 1"
            " AND i.indpred IS NULL AND i.indexprs IS NULL AND a.attname = :column"
        ),
        {"column": column},
    ).first()
    return found is not None


def _has_bigint_sum(connection: Connection) -> bool:
    """Whether the database has ``axokey_bigint_sum`` (PostgreSQL, created with the
    schema by ``migrations/hand_written``; absent from a database built before)."""
    found = connection.execute(
        text("SELECT to_regprocedure('axokey_bigint_sum(bigint)') IS NOT NULL")
    ).scalar_one()
    return bool(found)


def repeated_transfer_ids(connection: Connection) -> list[tuple[str, int]]:
    """Transfer ids stored more than once, with how many times (the unique
    constraint on ``id`` forbids it: this checks that it held)."""
    if _unique_in_force(connection, "id"):
        return []
    rows = connection.execute(
        select(ledger_transfers.c.id, func.count())
        .group_by(ledger_transfers.c.id)
        .having(func.count() > 1)
        .order_by(ledger_transfers.c.id)
    )
    return [(row[0], int(row[1])) for row in rows]


@dataclass(frozen=True)
class ResolutionFigures:
    """A post, void or expiry, and the amount of the pending transfer it names
    (None: no pending transfer has that id)."""

    seq: int
    id: str
    pending_id: str | None  # None only in a row written by hand
    amount: int
    pending_amount: int | None


def _resolutions_with_pending() -> tuple[Any, Any]:
    resolution = ledger_transfers.alias("resolution")
    pending = ledger_transfers.alias("pending")
    query = select(
        resolution.c.seq,
        resolution.c.id,
        resolution.c.pending_id,
        resolution.c.amount,
        pending.c.amount.label("pending_amount"),
    ).select_from(
        resolution.outerjoin(
            pending, and_(pending.c.id == resolution.c.pending_id, pending.c.kind == _PENDING)
        )
    )
    return query.where(resolution.c.kind.in_(_RESOLVING)), (resolution, pending)


def _resolution_from_row(row: Any) -> ResolutionFigures:
    return ResolutionFigures(row.seq, row.id, row.pending_id, row.amount, row.pending_amount)


def resolutions_to_verify(
    connection: Connection, debit_account_ids: Iterable[str]
) -> list[ResolutionFigures]:
    """The resolutions ``ledger.resolution_violation`` may fault, by sequence: the
    suspect ones among those debiting ``debit_account_ids`` (the accounts that
    :func:`suspect_accounts` found with one: of no pending transfer, or of more
    than the pending amount), and every resolution of a pending transfer resolved
    more than once (the unique constraint on ``pending_id`` forbids it)."""
    query, (resolution, pending) = _resolutions_with_pending()
    ids = sorted(set(debit_account_ids))
    suspect = and_(
        resolution.c.debit_account_id.in_(ids),
        or_(pending.c.id.is_(None), resolution.c.amount > pending.c.amount),
    )
    if not _unique_in_force(connection, "pending_id"):
        repeated = (
            select(ledger_transfers.c.pending_id)
            .where(ledger_transfers.c.kind.in_(_RESOLVING))
            .group_by(ledger_transfers.c.pending_id)
            .having(func.count() > 1)
        )
        suspect = or_(suspect, resolution.c.pending_id.in_(repeated.scalar_subquery()))
    elif not ids:
        return []
    rows = connection.execute(query.where(suspect).order_by(resolution.c.seq))
    return [_resolution_from_row(row) for row in rows]


def transfers_naming(connection: Connection, account_ids: Iterable[str]) -> list[Transfer]:
    """The transfers debiting or crediting one of ``account_ids``, by sequence."""
    ids = sorted(set(account_ids))
    if not ids:
        return []
    rows = connection.execute(
        select(ledger_transfers)
        .where(
            or_(
                ledger_transfers.c.debit_account_id.in_(ids),
                ledger_transfers.c.credit_account_id.in_(ids),
            )
        )
        .order_by(ledger_transfers.c.seq)
    )
    return [transfer_from_row(row) for row in rows]


# --- Invariants 2, 4 and 5: each account against its transfers ---------------------


@dataclass(frozen=True)
class Captured:
    """The money captured in one currency (Σ of the transfers for which
    ``payouts.captured_by`` holds)."""

    currency: str
    amount: int


@dataclass(frozen=True)
class AccountFigures:
    """An account (None: transfers name it, but it does not exist), the counters its
    transfers give (``ledger.recompute_counters``) and, for an escrow, what its
    transfers say of its order's money (``escrow.order_money``)."""

    account_id: str
    account: Account | None
    recomputed: tuple[int, int, int, int]
    money: OrderMoney
    # Resolutions debiting it that name no pending transfer or post more than it.
    suspect_resolutions: int


_MOVE_SUMS = ("pending_change", "posted_change", "paid", "refunded", "suspect_resolutions")


def _moves() -> Any:
    """Each transfer with what it changes: on both its accounts, the pending
    counters (+ its amount if pending; − the amount of the pending transfer it
    names, 0 if none, if a post, void or expiry) and the posted ones (+ its amount
    if single or post); then, from its debit account, what it pays to a payable
    and to the refunds account (if posted), and whether it is a suspect
    resolution (of no pending transfer, or of more than the pending amount); and
    its amount if it is money captured (``payouts.captured_by``: posted, from a
    clearing account to an escrow), with its currency."""
    transfer = ledger_transfers.alias("transfer")
    pending = ledger_transfers.alias("pending")
    posted = transfer.c.kind.in_(_POSTED)
    resolving = transfer.c.kind.in_(_RESOLVING)

    def paid_to(kind: str) -> Any:
        prefix = accounts.account_id_prefix(kind)
        to_kind = transfer.c.credit_account_id.startswith(prefix, autoescape=True)
        return case((and_(posted, to_kind), transfer.c.amount), else_=0)

    return (
        select(
            transfer.c.debit_account_id,
            transfer.c.credit_account_id,
            case(
                (transfer.c.kind == _PENDING, transfer.c.amount),
                (resolving, -func.coalesce(pending.c.amount, 0)),
                else_=0,
            ).label("pending_change"),
            case((posted, transfer.c.amount), else_=0).label("posted_change"),
            paid_to(accounts.PAYABLE).label("paid"),
            paid_to(accounts.REFUNDS).label("refunded"),
            case(
                (
                    and_(
                        resolving,
                        or_(pending.c.id.is_(None), transfer.c.amount > pending.c.amount),
                    ),
                    1,
                ),
                else_=0,
            ).label("suspect_resolutions"),
            transfer.c.currency,
            case((_captured(transfer), transfer.c.amount), else_=0).label("captured"),
        )
        .select_from(
            transfer.outerjoin(
                pending, and_(pending.c.id == transfer.c.pending_id, pending.c.kind == _PENDING)
            )
        )
        .subquery("moves")
    )


def _captured(transfer: Any) -> Any:
    """Whether ``transfer`` is money captured (``payouts.captured_by``: posted, from a
    clearing account to an escrow)."""
    return and_(
        transfer.c.kind.in_(_POSTED),
        transfer.c.debit_account_id.startswith(
            accounts.account_id_prefix(accounts.CLEARING), autoescape=True
        ),
        transfer.c.credit_account_id.startswith(
            accounts.account_id_prefix(accounts.ESCROW), autoescape=True
        ),
    )


def _sums_by_side(bigint_sum: bool) -> Any:
    """PostgreSQL's :func:`_sums`: one scan of :func:`_moves` grouped by debit
    account, by credit account and by currency at once (``GROUPING SETS``, hashed),
    kept aside (``MATERIALIZED``: one row per account and side); then the debit
    side's rows full-joined to the credit side's by account, and the currencies'.
    No second grouping of the sums: it was the costliest step (``NUMERIC`` states,
    one per sum and account: 265 MB for the 10⁵ accounts of 10⁵ orders). The sums
    are ``axokey_bigint_sum`` (``migrations/hand_written``) where the database has
    it: a BIGINT state in each group instead of ``sum``'s 128-bit one allocated
    apart, so the groups take less than half the memory."""
    total = func.axokey_bigint_sum if bigint_sum else func.sum
    moves = _moves()
    by_side = (
        select(
            # 1: grouped by debit account; 2: by credit account; 3: by currency.
            func.grouping(moves.c.debit_account_id, moves.c.credit_account_id).label("grouping"),
            func.coalesce(moves.c.debit_account_id, moves.c.credit_account_id).label("account_id"),
            moves.c.currency,
            *[total(moves.c[name]).label(name) for name in (*_MOVE_SUMS, "captured")],
        )
        .group_by(
            func.grouping_sets(
                moves.c.debit_account_id, moves.c.credit_account_id, moves.c.currency
            )
        )
        .cte("by_side")
        .prefix_with("MATERIALIZED")
    )
    debits = select(by_side).where(by_side.c.grouping == 1).subquery("debits")
    credits = select(by_side).where(by_side.c.grouping == 2).subquery("credits")
    by_account = select(
        func.coalesce(debits.c.account_id, credits.c.account_id).label("account_id"),
        null().label("currency"),
        debits.c.pending_change.label("debits_pending"),
        debits.c.posted_change.label("debits_posted"),
        credits.c.pending_change.label("credits_pending"),
        credits.c.posted_change.label("credits_posted"),
        debits.c.paid,
        debits.c.refunded,
        debits.c.suspect_resolutions,
        null().label("captured"),
    ).select_from(debits.join(credits, credits.c.account_id == debits.c.account_id, full=True))
    by_currency = select(
        null(), by_side.c.currency, *[null() for _ in range(7)], by_side.c.captured
    ).where(by_side.c.grouping == 3)
    return by_account.union_all(by_currency).subquery("sums")


def _sums(connection: Connection) -> Any:
    """Per account id named by a transfer (``currency`` NULL): the sums of
    :func:`_moves` over the transfers debiting it (``debits_pending``,
    ``debits_posted``, ``paid``, ``refunded``, ``suspect_resolutions``) and
    crediting it (``credits_pending``, ``credits_posted``). Per currency
    (``account_id`` NULL): the money captured. On PostgreSQL,
    :func:`_sums_by_side`; SQLite reads each transfer as two legs, and the
    transfers again for the money captured."""
    if connection.dialect.name == "postgresql":
        return _sums_by_side(_has_bigint_sum(connection))
    moves = _moves()
    side = (
        select(literal_column("1").label("grouping"))
        .union_all(select(literal_column("2")))
        .subquery("side")
    )
    legs = select(
        side.c.grouping,
        case(
            (side.c.grouping == 1, moves.c.debit_account_id),
            else_=moves.c.credit_account_id,
        ).label("account_id"),
        null().label("currency"),
        *[moves.c[name] for name in _MOVE_SUMS],
        literal_column("0").label("captured"),
    ).select_from(moves.join(side, true()))
    currencies = select(
        literal_column("3"),
        null(),
        moves.c.currency,
        *[literal_column("0") for _ in _MOVE_SUMS],
        func.sum(moves.c.captured),
    ).group_by(moves.c.currency)
    united = legs.union_all(currencies).subquery("legs")
    grouping = united.c.grouping
    debit_side, credit_side, by_currency = grouping == 1, grouping == 2, grouping == 3
    value = united.c

    def on(rows: Any, name: str) -> Any:
        return func.sum(case((rows, value[name]), else_=0))

    return (
        select(
            value.account_id.label("account_id"),
            value.currency.label("currency"),
            on(debit_side, "pending_change").label("debits_pending"),
            on(debit_side, "posted_change").label("debits_posted"),
            on(credit_side, "pending_change").label("credits_pending"),
            on(credit_side, "posted_change").label("credits_posted"),
            on(debit_side, "paid").label("paid"),
            on(debit_side, "refunded").label("refunded"),
            on(debit_side, "suspect_resolutions").label("suspect_resolutions"),
            on(by_currency, "captured").label("captured"),
        )
        .group_by(value.account_id, value.currency)
        .subquery("sums")
    )


def ledger_figures(connection: Connection) -> Iterator[AccountFigures | Captured]:
    """Each account whose stored counters may break invariant 2, 4 or 5, and each
    account id that transfers name but that does not exist — with the figures the
    domain decides on — then the money captured per currency. One pass over the
    transfers, grouped by account (and by currency).

    The sums are ``recompute_counters`` and ``order_money`` in SQL: a transfer adds
    its amount to its debit account's ``debits_pending`` (pending) or
    ``debits_posted`` (single, post), and to its credit account's credit counters;
    a post, void or expiry takes the amount of the pending transfer it names (0 if
    none) off both pending counters. An escrow's money: captured is what posted
    transfers credited it, paid and refunded what posted transfers moved from it to
    a payable or the refunds account. The filter keeps the accounts where those
    figures or the limits may be broken; the domain then decides."""
    sums = _sums(connection)
    stored = ledger_accounts.c
    recomputed = [
        func.coalesce(sums.c.debits_pending, 0),
        func.coalesce(sums.c.debits_posted, 0),
        func.coalesce(sums.c.credits_pending, 0),
        func.coalesce(sums.c.credits_posted, 0),
    ]
    counters = [stored.debits_pending, stored.debits_posted]
    counters += [stored.credits_pending, stored.credits_posted]
    held = recomputed[3] - func.coalesce(sums.c.paid, 0) - func.coalesce(sums.c.refunded, 0)
    suspect = or_(
        stored.id.is_(None),
        sums.c.suspect_resolutions > 0,
        *[mine != theirs for mine, theirs in zip(counters, recomputed, strict=True)],
        *[counter < 0 for counter in counters],
        and_(
            stored.debits_must_not_exceed_credits,
            stored.debits_pending + stored.debits_posted > stored.credits_posted,
        ),
        and_(
            stored.credits_must_not_exceed_debits,
            stored.credits_pending + stored.credits_posted > stored.debits_posted,
        ),
        and_(
            stored.kind == accounts.ESCROW,
            or_(held != stored.credits_posted - stored.debits_posted, held < 0),
        ),
    )
    query = (
        select(
            ledger_accounts,
            sums.c.account_id.label("named_account_id"),
            *[value.label(f"recomputed_{index}") for index, value in enumerate(recomputed)],
            func.coalesce(sums.c.paid, 0).label("paid"),
            func.coalesce(sums.c.refunded, 0).label("refunded"),
            func.coalesce(sums.c.suspect_resolutions, 0).label("suspect_resolutions"),
            sums.c.currency.label("captured_currency"),
            func.coalesce(sums.c.captured, 0).label("captured"),
        )
        .select_from(ledger_accounts.join(sums, sums.c.account_id == stored.id, full=True))
        .where(suspect)
    )
    for row in _streamed(connection, query):
        if row.id is None and row.named_account_id is None:
            yield Captured(row.captured_currency, _int(row.captured))
            continue
        figures = [_int(getattr(row, f"recomputed_{index}")) for index in range(4)]
        captured, paid, refunded = figures[3], _int(row.paid), _int(row.refunded)
        yield AccountFigures(
            account_id=row.id if row.id is not None else row.named_account_id,
            account=account_from_row(row) if row.id is not None else None,
            recomputed=(figures[0], figures[1], figures[2], figures[3]),
            money=OrderMoney(captured, paid, refunded, captured - paid - refunded),
            suspect_resolutions=_int(row.suspect_resolutions),
        )


def counter_totals(connection: Connection) -> list[Account]:
    """One account per currency and kind, holding the sums of the counters of all the
    accounts of that currency and kind (invariants 1 and 6 need only sums)."""
    stored = ledger_accounts.c
    rows = connection.execute(
        select(
            stored.currency,
            stored.kind,
            func.sum(stored.debits_pending),
            func.sum(stored.debits_posted),
            func.sum(stored.credits_pending),
            func.sum(stored.credits_posted),
        )
        .group_by(stored.currency, stored.kind)
        .order_by(stored.currency, stored.kind)
    )
    return [
        Account(
            id=f"all {row[1]} accounts in {row[0]}",
            currency=row[0],
            kind=row[1],
            debits_pending=_int(row[2]),
            debits_posted=_int(row[3]),
            credits_pending=_int(row[4]),
            credits_posted=_int(row[5]),
        )
        for row in rows
    ]


# --- Money out (rules 6 and 7) -------------------------------------------------------


def refunded_by_currency(connection: Connection) -> dict[str, int]:
    """Σ of every refund recorded, per currency."""
    rows = connection.execute(
        select(refunds.c.currency, func.sum(refunds.c.amount)).group_by(refunds.c.currency)
    )
    return {row[0]: _int(row[1]) for row in rows}


def payout_items_with_transfers(
    connection: Connection, *, page_size: int = ITEMS_PER_PAGE
) -> Iterator[tuple[PayoutItem, Transfer | None, Transfer | None]]:
    """Every payout item, by id, with its pending transfer and the transfer that
    resolved it (each None when missing); ``page_size`` items at a time."""
    after: str | None = None
    while True:
        query = select(payout_items).order_by(payout_items.c.id).limit(page_size)
        if after is not None:
            query = query.where(payout_items.c.id > after)
        items = [item_from_row(row) for row in connection.execute(query)]
        if not items:
            return
        transfer_ids = [item.transfer_id for item in items]
        by_id: dict[str, Transfer] = {}
        resolution: dict[str, Transfer] = {}
        rows = connection.execute(
            select(ledger_transfers)
            .where(
                or_(
                    ledger_transfers.c.id.in_(transfer_ids),
                    ledger_transfers.c.pending_id.in_(transfer_ids),
                )
            )
            .order_by(ledger_transfers.c.seq)
        )
        for row in rows:
            found = transfer_from_row(row)
            if found.id in transfer_ids:
                by_id[found.id] = found
            if found.pending_id is not None:
                resolution[found.pending_id] = found
        for item in items:
            yield item, by_id.get(item.transfer_id), resolution.get(item.transfer_id)
        after = items[-1].id


def _items_with_their_pending_transfer() -> Any:
    """Payout items whose pending transfer exists (the others count for nothing in
    ``payouts.verify_money_out``'s sums)."""
    transfer = ledger_transfers.alias("transfer")
    return payout_items.join(
        transfer, and_(transfer.c.id == payout_items.c.transfer_id, transfer.c.kind == _PENDING)
    )


def payout_item_totals(
    connection: Connection,
) -> list[tuple[ItemKind, str | None, str, ItemStatus, int]]:
    """Σ of the items in transit and paid, by kind, party, currency and status,
    among the items whose pending transfer exists. One row per party and currency
    at most: the payouts accounts' expected figures."""
    item = payout_items.c
    rows = connection.execute(
        select(item.kind, item.party_id, item.currency, item.status, func.sum(item.amount))
        .select_from(_items_with_their_pending_transfer())
        .where(item.status.in_([ItemStatus.IN_TRANSIT.value, ItemStatus.PAID.value]))
        .group_by(item.kind, item.party_id, item.currency, item.status)
    )
    return [(ItemKind(row[0]), row[1], row[2], ItemStatus(row[3]), _int(row[4])) for row in rows]


def payouts_accounts(connection: Connection) -> Iterator[Account]:
    """Every payouts and refund payouts account (one per party and currency)."""
    query = (
        select(ledger_accounts)
        .where(ledger_accounts.c.kind.in_([accounts.PAYOUTS, accounts.REFUND_PAYOUTS]))
        .order_by(ledger_accounts.c.id)
    )
    for row in _streamed(connection, query):
        yield account_from_row(row)


def refunds_to_verify(connection: Connection) -> Iterator[tuple[RefundRecord, int, int]]:
    """Each refund that ``payouts.refund_violations`` can fault — paid by SEPA, or
    in a batch — with how many items (whose pending transfer exists) pay it: paid,
    and in transit. Streamed."""
    item = payout_items.c
    counts = (
        select(
            item.refund_id,
            func.sum(case((item.status == ItemStatus.PAID.value, 1), else_=0)).label("paid"),
            func.sum(case((item.status == ItemStatus.IN_TRANSIT.value, 1), else_=0)).label("open"),
        )
        .select_from(_items_with_their_pending_transfer())
        .where(item.refund_id.is_not(None))
        .group_by(item.refund_id)
        .subquery("counts")
    )
    query = (
        select(
            refunds.c.id,
            refunds.c.amount,
            refunds.c.currency,
            refunds.c.method,
            refunds.c.status,
            func.coalesce(counts.c.paid, 0).label("paid"),
            func.coalesce(counts.c.open, 0).label("open"),
        )
        .select_from(refunds.outerjoin(counts, counts.c.refund_id == refunds.c.id))
        .where(or_(counts.c.refund_id.is_not(None), refunds.c.method == "sepa"))
        .order_by(refunds.c.id)
    )
    for row in _streamed(connection, query):
        record = RefundRecord(row.id, row.amount, row.currency, row.method, row.status)
        yield record, _int(row.paid), _int(row.open)
