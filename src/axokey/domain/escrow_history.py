"""Money held in escrow over time, replayed from the ledger's transfers, for the
dashboard's chart.

For a party, what is held for it is its payable account's pending credits (the
dashboard's "Held in escrow" column): a pending transfer to the account adds its
amount, and its post, void or expiry takes the whole of it away (a partial post
releases the rest). For the operator, what all the orders' escrow accounts hold:
money captured into them, less what left them for payees and refunds.

The series is one figure per day: what was held at the end of that day (UTC).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from axokey.domain.accounts import ESCROW, kind_of_account_id
from axokey.domain.ledger import RESOLVING_KINDS, Transfer, TransferKind

DAYS_MAX = 366


@dataclass(frozen=True)
class Change:
    """What was held changed by ``delta`` at ``at``."""

    at: datetime
    delta: int


@dataclass(frozen=True)
class DailyHeld:
    day: date
    held: int


def held_for_payee(transfers: Iterable[Transfer], payable_ids: set[str]) -> list[Change]:
    """The changes of what is held for a payee, from transfers oldest first."""
    pending: dict[str, int] = {}
    changes = []
    for transfer in transfers:
        if transfer.credit_account_id not in payable_ids:
            continue
        if transfer.kind is TransferKind.PENDING:
            pending[transfer.id] = transfer.amount
            changes.append(Change(transfer.created_at, transfer.amount))
        elif transfer.kind in RESOLVING_KINDS and transfer.pending_id in pending:
            changes.append(Change(transfer.created_at, -pending.pop(transfer.pending_id)))
    return changes


def held_in_escrows(transfers: Iterable[Transfer]) -> list[Change]:
    """The changes of what all the orders' escrow accounts hold (posted money).

    The rule of the operator's chart; the chart itself is summed by the database
    (``ledger_reads.escrow_changes_by_day``), which a test holds to this replay."""
    changes = []
    for transfer in transfers:
        if transfer.kind not in (TransferKind.SINGLE, TransferKind.POST_PENDING):
            continue
        into = kind_of_account_id(transfer.credit_account_id) == ESCROW
        out_of = kind_of_account_id(transfer.debit_account_id) == ESCROW
        if into != out_of:
            changes.append(
                Change(transfer.created_at, transfer.amount if into else -transfer.amount)
            )
    return changes


def daily(changes: Iterable[Change], first_day: date, last_day: date) -> list[DailyHeld]:
    """What was held at the end of each day from ``first_day`` to ``last_day``."""
    if last_day < first_day or (last_day - first_day).days >= DAYS_MAX:
        raise ValueError(f"a series covers 1 to {DAYS_MAX} days")
    by_day: dict[date, int] = {}
    before = 0
    for change in changes:
        day = change.at.date()
        if day < first_day:
            before += change.delta
        elif day <= last_day:
            by_day[day] = by_day.get(day, 0) + change.delta
    series = []
    held = before
    for offset in range((last_day - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        held += by_day.get(day, 0)
        series.append(DailyHeld(day, held))
    return series
