"""An order's escrow: what was captured, paid to payees, refunded and still held.

SPEC.md's per-order invariant — ``captured = paid_to_payees + refunded + held`` and
``held ≥ 0`` — computed from the transfers alone and checked against the escrow
account's stored balance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from axokey.domain.accounts import ESCROW, PAYABLE, REFUNDS, kind_of_account_id
from axokey.domain.ledger import Account, Transfer, TransferKind, Violation


@dataclass(frozen=True)
class OrderMoney:
    """SPEC.md's per-order figures, computed from the order's escrow transfers."""

    captured: int
    paid_to_payees: int
    refunded: int
    held: int


def order_money(escrow_id: str, transfers: Iterable[Transfer]) -> OrderMoney:
    """Captured, paid, refunded and held, from the transfers that touch an escrow.

    ``held`` is what the escrow still holds (pending holds included): captured
    minus what left it, recomputed from the transfers alone.
    """
    captured = paid = refunded = 0
    for transfer in transfers:
        if transfer.kind not in (TransferKind.SINGLE, TransferKind.POST_PENDING):
            continue
        if transfer.credit_account_id == escrow_id:
            captured += transfer.amount
        elif transfer.debit_account_id == escrow_id:
            destination = kind_of_account_id(transfer.credit_account_id)
            if destination == PAYABLE:
                paid += transfer.amount
            elif destination == REFUNDS:
                refunded += transfer.amount
    return OrderMoney(captured, paid, refunded, captured - paid - refunded)


def verify_order_escrows(
    accounts: Iterable[Account], transfers: Sequence[Transfer]
) -> list[Violation]:
    """Invariant 4: per order, captured = paid_to_payees + refunded + held, held ≥ 0.

    ``held`` is computed as captured − paid − refunded from the escrow's transfers
    (only payees' and refunds' accounts may be paid from an escrow); the invariant
    holds when that equals the escrow's stored balance and is not negative.
    """
    by_account: dict[str, list[Transfer]] = defaultdict(list)
    for transfer in transfers:
        by_account[transfer.debit_account_id].append(transfer)
        by_account[transfer.credit_account_id].append(transfer)
    violations = []
    for account in accounts:
        if account.kind == ESCROW:
            violations += escrow_violations(
                account, order_money(account.id, by_account[account.id])
            )
    return violations


def escrow_violations(account: Account, money: OrderMoney) -> list[Violation]:
    """Invariant 4 for one escrow: what its transfers say it holds (``money``,
    from :func:`order_money` or the same sums made by the database) is its stored
    balance, and is not negative."""
    violations = []
    if money.held != account.credit_balance_posted:
        violations.append(
            Violation(
                "4",
                f"order {account.owner_id}",
                f"escrow {account.id} holds {account.credit_balance_posted}, its "
                f"transfers say {money.held}",
            )
        )
    if money.held < 0:
        violations.append(Violation("4", f"order {account.owner_id}", f"held {money.held} < 0"))
    return violations


@dataclass(frozen=True)
class PayeeMoney:
    """What one payee got from one order: released to it, and still held for it."""

    released: int
    held: int


def payee_money(transfers: Iterable[Transfer], payable_id: str) -> PayeeMoney:
    """From the order's transfers: money posted to the payee's account (released,
    deposits paid at capture included) and pending holds for it not yet resolved."""
    released = 0
    pending: dict[str, int] = {}
    resolved: set[str] = set()
    for transfer in transfers:
        if transfer.credit_account_id != payable_id:
            continue
        if transfer.kind in (TransferKind.SINGLE, TransferKind.POST_PENDING):
            released += transfer.amount
        if transfer.kind is TransferKind.PENDING:
            pending[transfer.id] = transfer.amount
        elif transfer.pending_id is not None:
            resolved.add(transfer.pending_id)
    held = sum(amount for transfer_id, amount in pending.items() if transfer_id not in resolved)
    return PayeeMoney(released, held)
