"""The double-entry ledger's rules, with TigerBeetle's semantics, in pure Python.

Accounts keep four counters (``debits_pending``, ``debits_posted``,
``credits_pending``, ``credits_posted``) and may forbid going negative on one side.
Transfers are immutable; their id is their idempotency key. A *pending* transfer
reserves money (the escrow hold); a later transfer *posts* it (in full or in part,
the rest going back to the debit account), *voids* it, or — once its deadline has
passed, never before — *expires* it.

``apply_transfers`` decides a batch against a read-only ``LedgerView`` and returns
the transfers to record and the accounts' new counters; the persistence adapter
loads the view (with the accounts locked) and writes the outcome. Nothing here
touches a database, so the same rules run in property tests against a model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from axokey.domain.errors import AxokeyError
from axokey.domain.money import MAX_AMOUNT_MINOR

MAX_TRANSFERS_PER_BATCH = 512


class BatchTooLarge(AxokeyError):
    """A batch of more transfers than the ledger takes at once; nothing applied.

    The settings are checked at start-up so that no order can need a larger batch
    (``config.Settings``): meeting this error means a limit was bypassed."""

    status = 422
    code = "ledger_batch_too_large"
    title = "Validation failed"


class LedgerInconsistent(AxokeyError):
    """The stored ledger contradicts its own invariants (a pending transfer whose
    accounts are missing, a counter gone negative): nothing is applied, and
    ``axokey ledger check`` tells more."""

    status = 500
    code = "ledger_inconsistent"
    title = "Ledger inconsistent"


class TransferKind(StrEnum):
    SINGLE = "single"
    PENDING = "pending"
    POST_PENDING = "post_pending"
    VOID_PENDING = "void_pending"
    EXPIRE_PENDING = "expire_pending"


RESOLVING_KINDS = frozenset(
    {TransferKind.POST_PENDING, TransferKind.VOID_PENDING, TransferKind.EXPIRE_PENDING}
)


class ResultCode(StrEnum):
    """Why a transfer was (not) applied; modelled on TigerBeetle's result codes."""

    OK = "ok"
    EXISTS = "exists"  # the same id with the same content: success, nothing done
    LINKED_EVENT_FAILED = "linked_event_failed"
    EXISTS_WITH_DIFFERENT_FIELDS = "exists_with_different_fields"
    ID_MUST_NOT_BE_EMPTY = "id_must_not_be_empty"
    ACCOUNTS_MUST_BE_DIFFERENT = "accounts_must_be_different"
    DEBIT_ACCOUNT_NOT_FOUND = "debit_account_not_found"
    CREDIT_ACCOUNT_NOT_FOUND = "credit_account_not_found"
    CURRENCY_MISMATCH = "currency_mismatch"
    AMOUNT_MUST_BE_POSITIVE = "amount_must_be_positive"
    AMOUNT_TOO_LARGE = "amount_too_large"
    PENDING_ID_REQUIRED = "pending_id_required"
    PENDING_ID_MUST_BE_EMPTY = "pending_id_must_be_empty"
    TIMEOUT_RESERVED_FOR_PENDING_TRANSFER = "timeout_reserved_for_pending_transfer"
    TIMEOUT_MUST_BE_IN_THE_FUTURE = "timeout_must_be_in_the_future"
    PENDING_TRANSFER_NOT_FOUND = "pending_transfer_not_found"
    PENDING_TRANSFER_NOT_PENDING = "pending_transfer_not_pending"
    PENDING_TRANSFER_HAS_DIFFERENT_ACCOUNTS = "pending_transfer_has_different_accounts"
    PENDING_TRANSFER_ALREADY_POSTED = "pending_transfer_already_posted"
    PENDING_TRANSFER_ALREADY_VOIDED = "pending_transfer_already_voided"
    PENDING_TRANSFER_EXPIRED = "pending_transfer_expired"
    PENDING_TRANSFER_HAS_NOT_EXPIRED = "pending_transfer_has_not_expired"
    EXCEEDS_PENDING_TRANSFER_AMOUNT = "exceeds_pending_transfer_amount"
    EXCEEDS_CREDITS = "exceeds_credits"
    EXCEEDS_DEBITS = "exceeds_debits"

    @property
    def succeeded(self) -> bool:
        return self in (ResultCode.OK, ResultCode.EXISTS)


@dataclass
class Account:
    """A ledger account. Counters change only through ``apply_transfers``."""

    id: str
    currency: str
    kind: str
    owner_id: str | None = None
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0

    @property
    def credit_balance_posted(self) -> int:
        """``credits_posted − debits_posted``: what a liability account holds."""
        return self.credits_posted - self.debits_posted

    def counters(self) -> tuple[int, int, int, int]:
        return (self.debits_pending, self.debits_posted, self.credits_pending, self.credits_posted)


@dataclass(frozen=True)
class TransferRequest:
    """What a caller asks the ledger to do.

    For ``post_pending`` the accounts may be left out (they are the pending
    transfer's) and ``amount=None`` posts the full pending amount. For
    ``void_pending`` and ``expire_pending`` only ``id`` and ``pending_id`` matter.
    """

    id: str
    kind: TransferKind
    amount: int | None = None
    debit_account_id: str | None = None
    credit_account_id: str | None = None
    pending_id: str | None = None
    timeout_at: datetime | None = None
    code: str = ""
    order_id: str | None = None
    line_id: str | None = None


@dataclass(frozen=True)
class Transfer:
    """A recorded, immutable transfer."""

    id: str
    kind: TransferKind
    debit_account_id: str
    credit_account_id: str
    amount: int
    currency: str
    created_at: datetime
    pending_id: str | None = None
    timeout_at: datetime | None = None
    code: str = ""
    order_id: str | None = None
    line_id: str | None = None


class LedgerView(Protocol):
    """Read access to the ledger's current state, as the domain needs it."""

    def account(self, account_id: str) -> Account | None: ...

    def transfer(self, transfer_id: str) -> Transfer | None: ...

    def resolution_of(self, pending_id: str) -> Transfer | None:
        """The post, void or expiry that resolved ``pending_id``, if any."""
        ...


@dataclass(frozen=True)
class TransferResult:
    request: TransferRequest
    code: ResultCode
    transfer: Transfer | None  # the recorded transfer (new or existing) when it succeeded


@dataclass
class BatchOutcome:
    results: list[TransferResult]
    created: list[Transfer]
    accounts: dict[str, Account]  # every touched account, with its new counters

    @property
    def succeeded(self) -> bool:
        return all(result.code.succeeded for result in self.results)

    def first_failure(self) -> TransferResult | None:
        for result in self.results:
            if not result.code.succeeded and result.code is not ResultCode.LINKED_EVENT_FAILED:
                return result
        return None


class _Overlay:
    """The view plus what the batch decided so far (copies, never the originals)."""

    def __init__(self, view: LedgerView) -> None:
        self.view = view
        self.accounts: dict[str, Account] = {}
        self.transfers: dict[str, Transfer] = {}
        self.resolutions: dict[str, Transfer] = {}

    def account(self, account_id: str) -> Account | None:
        if account_id not in self.accounts:
            found = self.view.account(account_id)
            if found is None:
                return None
            self.accounts[account_id] = replace(found)
        return self.accounts[account_id]

    def transfer(self, transfer_id: str) -> Transfer | None:
        return self.transfers.get(transfer_id) or self.view.transfer(transfer_id)

    def resolution_of(self, pending_id: str) -> Transfer | None:
        return self.resolutions.get(pending_id) or self.view.resolution_of(pending_id)


def _same_content(request: TransferRequest, existing: Transfer) -> bool:
    """Whether a repeated id asks for the same thing that was recorded."""
    if request.kind != existing.kind or request.pending_id != existing.pending_id:
        return False
    if request.code != existing.code or request.order_id != existing.order_id:
        return False
    if request.line_id != existing.line_id:
        return False
    if request.kind in (TransferKind.VOID_PENDING, TransferKind.EXPIRE_PENDING):
        return True
    if request.amount is not None and request.amount != existing.amount:
        return False
    if (
        request.debit_account_id is not None
        and request.debit_account_id != existing.debit_account_id
    ):
        return False
    if (
        request.credit_account_id is not None
        and request.credit_account_id != existing.credit_account_id
    ):
        return False
    return request.timeout_at == existing.timeout_at


def _apply_one(
    overlay: _Overlay, request: TransferRequest, now: datetime
) -> tuple[ResultCode, Transfer | None]:
    if not request.id:
        return ResultCode.ID_MUST_NOT_BE_EMPTY, None
    existing = overlay.transfer(request.id)
    if existing is not None:
        if _same_content(request, existing):
            return ResultCode.EXISTS, existing
        return ResultCode.EXISTS_WITH_DIFFERENT_FIELDS, None
    if request.kind in RESOLVING_KINDS:
        return _resolve_pending(overlay, request, now)
    return _create_movement(overlay, request, now)


def _create_movement(  # noqa: C901, PLR0912 - one guard per result code, in the order of the ResultCode table
    overlay: _Overlay, request: TransferRequest, now: datetime
) -> tuple[ResultCode, Transfer | None]:
    """A single-phase or a pending transfer."""
    if request.pending_id is not None:
        return ResultCode.PENDING_ID_MUST_BE_EMPTY, None
    if request.timeout_at is not None:
        if request.kind is not TransferKind.PENDING:
            return ResultCode.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER, None
        if request.timeout_at <= now:
            return ResultCode.TIMEOUT_MUST_BE_IN_THE_FUTURE, None
    amount = request.amount
    if amount is None or amount <= 0:
        return ResultCode.AMOUNT_MUST_BE_POSITIVE, None
    if amount > MAX_AMOUNT_MINOR:
        return ResultCode.AMOUNT_TOO_LARGE, None
    if request.debit_account_id is None or request.credit_account_id is None:
        return (
            ResultCode.DEBIT_ACCOUNT_NOT_FOUND
            if request.debit_account_id is None
            else ResultCode.CREDIT_ACCOUNT_NOT_FOUND
        ), None
    if request.debit_account_id == request.credit_account_id:
        return ResultCode.ACCOUNTS_MUST_BE_DIFFERENT, None
    debit = overlay.account(request.debit_account_id)
    if debit is None:
        return ResultCode.DEBIT_ACCOUNT_NOT_FOUND, None
    credit = overlay.account(request.credit_account_id)
    if credit is None:
        return ResultCode.CREDIT_ACCOUNT_NOT_FOUND, None
    if debit.currency != credit.currency:
        return ResultCode.CURRENCY_MISMATCH, None
    # Pessimistic: pending amounts count against the limit as if already posted.
    if (
        debit.debits_must_not_exceed_credits
        and debit.debits_pending + debit.debits_posted + amount > debit.credits_posted
    ):
        return ResultCode.EXCEEDS_CREDITS, None
    if (
        credit.credits_must_not_exceed_debits
        and credit.credits_pending + credit.credits_posted + amount > credit.debits_posted
    ):
        return ResultCode.EXCEEDS_DEBITS, None
    if request.kind is TransferKind.PENDING:
        debit.debits_pending += amount
        credit.credits_pending += amount
    else:
        debit.debits_posted += amount
        credit.credits_posted += amount
    transfer = Transfer(
        id=request.id,
        kind=request.kind,
        debit_account_id=debit.id,
        credit_account_id=credit.id,
        amount=amount,
        currency=debit.currency,
        created_at=now,
        timeout_at=request.timeout_at,
        code=request.code,
        order_id=request.order_id,
        line_id=request.line_id,
    )
    overlay.transfers[transfer.id] = transfer
    return ResultCode.OK, transfer


def _resolve_pending(  # noqa: C901, PLR0912 - one guard per result code, in the order of the ResultCode table
    overlay: _Overlay, request: TransferRequest, now: datetime
) -> tuple[ResultCode, Transfer | None]:
    """Post, void or expire a pending transfer."""
    if request.pending_id is None:
        return ResultCode.PENDING_ID_REQUIRED, None
    if request.timeout_at is not None:
        return ResultCode.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER, None
    pending = overlay.transfer(request.pending_id)
    if pending is None:
        return ResultCode.PENDING_TRANSFER_NOT_FOUND, None
    if pending.kind is not TransferKind.PENDING:
        return ResultCode.PENDING_TRANSFER_NOT_PENDING, None
    if (
        request.debit_account_id is not None
        and request.debit_account_id != pending.debit_account_id
    ) or (
        request.credit_account_id is not None
        and request.credit_account_id != pending.credit_account_id
    ):
        return ResultCode.PENDING_TRANSFER_HAS_DIFFERENT_ACCOUNTS, None
    resolution = overlay.resolution_of(pending.id)
    if resolution is not None:
        if resolution.kind is TransferKind.POST_PENDING:
            return ResultCode.PENDING_TRANSFER_ALREADY_POSTED, None
        if resolution.kind is TransferKind.VOID_PENDING:
            return ResultCode.PENDING_TRANSFER_ALREADY_VOIDED, None
        return ResultCode.PENDING_TRANSFER_EXPIRED, None
    has_expired = pending.timeout_at is not None and now >= pending.timeout_at
    if request.kind is TransferKind.EXPIRE_PENDING:
        if not has_expired:
            return ResultCode.PENDING_TRANSFER_HAS_NOT_EXPIRED, None
    elif has_expired:
        return ResultCode.PENDING_TRANSFER_EXPIRED, None

    amount = pending.amount
    if request.kind is TransferKind.POST_PENDING and request.amount is not None:
        if request.amount <= 0:
            return ResultCode.AMOUNT_MUST_BE_POSITIVE, None
        if request.amount > pending.amount:
            return ResultCode.EXCEEDS_PENDING_TRANSFER_AMOUNT, None
        amount = request.amount

    debit = overlay.account(pending.debit_account_id)
    credit = overlay.account(pending.credit_account_id)
    if debit is None or credit is None:
        raise LedgerInconsistent(f"the accounts of pending transfer {pending.id} are missing")
    debit.debits_pending -= pending.amount
    credit.credits_pending -= pending.amount
    if request.kind is TransferKind.POST_PENDING:
        debit.debits_posted += amount
        credit.credits_posted += amount
    if debit.debits_pending < 0 or credit.credits_pending < 0:
        raise LedgerInconsistent(f"resolving {pending.id} leaves a pending counter negative")
    transfer = Transfer(
        id=request.id,
        kind=request.kind,
        debit_account_id=pending.debit_account_id,
        credit_account_id=pending.credit_account_id,
        amount=amount,
        currency=pending.currency,
        created_at=now,
        pending_id=pending.id,
        code=request.code,
        order_id=request.order_id,
        line_id=request.line_id,
    )
    overlay.transfers[transfer.id] = transfer
    overlay.resolutions[pending.id] = transfer
    return ResultCode.OK, transfer


def apply_transfers(
    view: LedgerView,
    requests: Sequence[TransferRequest],
    *,
    now: datetime,
    linked: bool = True,
) -> BatchOutcome:
    """Decide a batch of transfers.

    ``linked=True`` (the default): all succeed or none is applied; the failing
    transfer carries its own code and the others ``linked_event_failed``.
    ``linked=False``: each transfer stands alone.
    """
    if len(requests) > MAX_TRANSFERS_PER_BATCH:
        raise BatchTooLarge(
            f"a batch of {len(requests)} transfers: the ledger takes at most "
            f"{MAX_TRANSFERS_PER_BATCH} at once"
        )
    if now.tzinfo is None:
        raise ValueError("the ledger's clock is timezone-aware UTC")
    overlay = _Overlay(view)
    results: list[TransferResult] = []
    failed = False
    for request in requests:
        if linked and failed:
            # As in TigerBeetle: after a linked member fails, the rest is not tried.
            results.append(TransferResult(request, ResultCode.LINKED_EVENT_FAILED, None))
            continue
        code, transfer = _apply_one(overlay, request, now)
        # A refused transfer changed nothing: every check comes before any change.
        failed = failed or not code.succeeded
        results.append(TransferResult(request, code, transfer))
    if linked and failed:
        results = [
            result
            if not result.code.succeeded
            else TransferResult(result.request, ResultCode.LINKED_EVENT_FAILED, None)
            for result in results
        ]
        return BatchOutcome(results=results, created=[], accounts={})
    created = [
        result.transfer
        for result in results
        if result.code is ResultCode.OK and result.transfer is not None
    ]
    return BatchOutcome(results=results, created=created, accounts=overlay.accounts)


# --- Verification -------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One broken invariant, naming the account or transfer at fault."""

    invariant: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.subject}: {self.detail}"


def recompute_counters(transfers: Iterable[Transfer]) -> dict[str, list[int]]:
    """Each account's four counters, recomputed from the transfers alone.

    Returns ``{account_id: [debits_pending, debits_posted, credits_pending, credits_posted]}``.
    """
    counters: dict[str, list[int]] = {}
    pending_amounts: dict[str, int] = {}
    ordered = sorted(transfers, key=lambda t: (t.kind in RESOLVING_KINDS, t.created_at))
    for transfer in ordered:
        debit = counters.setdefault(transfer.debit_account_id, [0, 0, 0, 0])
        credit = counters.setdefault(transfer.credit_account_id, [0, 0, 0, 0])
        if transfer.kind is TransferKind.SINGLE:
            debit[1] += transfer.amount
            credit[3] += transfer.amount
        elif transfer.kind is TransferKind.PENDING:
            debit[0] += transfer.amount
            credit[2] += transfer.amount
            pending_amounts[transfer.id] = transfer.amount
        else:
            assert transfer.pending_id is not None
            reserved = pending_amounts.get(transfer.pending_id, 0)
            debit[0] -= reserved
            credit[2] -= reserved
            if transfer.kind is TransferKind.POST_PENDING:
                debit[1] += transfer.amount
                credit[3] += transfer.amount
    return counters


# One definition of each violation of SPEC.md's ledger invariants 1, 2, 3 and 5:
# ``verify_ledger`` (a whole ledger in memory) and ``axokey ledger check`` (figures
# the database computed, in one snapshot) both build their violations with these.


def applied_twice(transfer_id: str) -> Violation:
    return Violation("3", f"transfer {transfer_id}", "applied more than once")


def unknown_account(transfer_id: str, account_id: str) -> Violation:
    return Violation("5", f"transfer {transfer_id}", f"unknown account {account_id}")


def resolution_violation(
    transfer_id: str,
    pending_id: str | None,
    amount: int,
    pending_amount: int | None,
    earlier_resolution_id: str | None,
) -> Violation | None:
    """What is wrong with one post, void or expiry (None: nothing).

    ``pending_amount`` is the amount of the pending transfer it names (None: no
    pending transfer has that id); ``earlier_resolution_id`` the transfer that
    resolved the same pending transfer before it, if any."""
    if pending_amount is None:
        return Violation("3", f"transfer {transfer_id}", "resolves no pending transfer")
    if earlier_resolution_id is not None:
        return Violation(
            "3",
            f"transfer {pending_id}",
            f"resolved twice ({earlier_resolution_id}, {transfer_id})",
        )
    if amount > pending_amount:
        return Violation("3", f"transfer {transfer_id}", "posts more than was pending")
    return None


def account_violations(account: Account, recomputed: Sequence[int]) -> list[Violation]:
    """One account against the counters its transfers give (``recompute_counters``):
    invariant 5 (the same counters, none negative) and 2 (its limits hold)."""
    violations: list[Violation] = []
    expected = list(recomputed)
    if list(account.counters()) != expected:
        violations.append(
            Violation(
                "5",
                f"account {account.id}",
                f"stored counters {list(account.counters())} differ from the "
                f"transfers' {expected} (debits_pending, debits_posted, "
                "credits_pending, credits_posted)",
            )
        )
    if account.debits_must_not_exceed_credits and (
        account.debits_pending + account.debits_posted > account.credits_posted
    ):
        violations.append(
            Violation("2", f"account {account.id}", "debits exceed credits (negative balance)")
        )
    if account.credits_must_not_exceed_debits and (
        account.credits_pending + account.credits_posted > account.debits_posted
    ):
        violations.append(
            Violation("2", f"account {account.id}", "credits exceed debits (negative balance)")
        )
    if min(account.counters()) < 0:
        violations.append(Violation("5", f"account {account.id}", "a counter is negative"))
    return violations


def currency_violations(totals: Mapping[str, Sequence[int]]) -> list[Violation]:
    """Invariant 1: per currency, the accounts' debits equal their credits.
    ``totals`` is ``{currency: the four counters summed over its accounts}``."""
    violations: list[Violation] = []
    for currency, (d_pending, d_posted, c_pending, c_posted) in sorted(totals.items()):
        if d_posted != c_posted or d_pending != c_pending:
            violations.append(
                Violation(
                    "1",
                    f"currency {currency}",
                    f"debits {d_posted} (+{d_pending} pending) ≠ "
                    f"credits {c_posted} (+{c_pending} pending)",
                )
            )
    return violations


def add_counters(totals: dict[str, list[int]], currency: str, counters: Sequence[int]) -> None:
    """Add one account's (or one group's) four counters to its currency's totals."""
    total = totals.setdefault(currency, [0, 0, 0, 0])
    for index, value in enumerate(counters):
        total[index] += value


def verify_ledger(accounts: Iterable[Account], transfers: Sequence[Transfer]) -> list[Violation]:
    """Check SPEC.md's ledger invariants 1, 2, 3 and 5 over a whole ledger in memory.

    ``axokey ledger check`` checks the same rules from figures the database
    computes (``services.ledger.check_ledger``); this is the reference it is tested
    against, and the check of the in-memory models of the property tests."""
    violations: list[Violation] = []
    account_list = list(accounts)
    by_id = {account.id: account for account in account_list}
    transfer_ids: set[str] = set()
    pending: dict[str, Transfer] = {}
    resolved: dict[str, str] = {}
    for transfer in transfers:
        if transfer.id in transfer_ids:
            violations.append(applied_twice(transfer.id))
        transfer_ids.add(transfer.id)
        for account_id in (transfer.debit_account_id, transfer.credit_account_id):
            if account_id not in by_id:
                violations.append(unknown_account(transfer.id, account_id))
        if transfer.kind is TransferKind.PENDING:
            pending[transfer.id] = transfer
    for transfer in transfers:
        if transfer.kind in RESOLVING_KINDS:
            assert transfer.pending_id is not None
            held = pending.get(transfer.pending_id)
            violation = resolution_violation(
                transfer.id,
                transfer.pending_id,
                transfer.amount,
                None if held is None else held.amount,
                resolved.get(transfer.pending_id) if held is not None else None,
            )
            if violation is not None:
                violations.append(violation)
            if held is not None:
                resolved.setdefault(transfer.pending_id, transfer.id)

    recomputed = recompute_counters(transfers)
    totals: dict[str, list[int]] = {}
    for account in account_list:
        violations += account_violations(account, recomputed.get(account.id, [0, 0, 0, 0]))
        add_counters(totals, account.currency, account.counters())
    return violations + currency_violations(totals)


def balances_by_account(accounts: Mapping[str, Account]) -> dict[str, tuple[int, int, int, int]]:
    return {key: account.counters() for key, account in accounts.items()}
