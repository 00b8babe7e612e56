"""Ledger use cases: check the whole ledger, expire pending transfers, list transfers."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from axokey.adapters.db import ledger_check_reads, ledger_reads, ledger_store, order_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.accounts import ESCROW, payable_account_prefix
from axokey.domain.errors import Conflict, FieldError, Forbidden
from axokey.domain.escrow import escrow_violations
from axokey.domain.ledger import (
    Account,
    BatchOutcome,
    Transfer,
    TransferKind,
    TransferRequest,
    Violation,
    account_violations,
    add_counters,
    applied_twice,
    currency_violations,
    resolution_violation,
    unknown_account,
)
from axokey.domain.parties import Principal
from axokey.domain.payouts import (
    ItemStatus,
    item_account_id,
    item_violations,
    money_out_totals_violations,
    payouts_account_violations,
    refund_violations,
)
from axokey.services.context import ServiceContext
from axokey.services.visibility import require_visible_order


class LedgerRejected(Conflict):
    """A linked batch of transfers was refused; nothing was applied."""

    code = "ledger_rejected"

    def __init__(self, outcome: BatchOutcome) -> None:
        failure = outcome.first_failure()
        assert failure is not None
        super().__init__(
            f"transfer {failure.request.id} refused: {failure.code.value}",
            code=failure.code.value,
        )
        self.outcome = outcome


def post_or_raise(
    connection: Connection,
    context: ServiceContext,
    requests: list[TransferRequest],
    *,
    now: datetime | None = None,
) -> BatchOutcome:
    """Apply a linked batch in the caller's transaction; raise if it is refused.

    A refused batch is a programming error or a lost race that the caller's own
    state checks should have caught: raising rolls the whole use case back.
    """
    # ``now`` is the instant the caller decided at: the ledger judges deadlines at
    # that same instant, so a decision made just before a deadline stands.
    outcome = ledger_store.post_transfers(
        connection, requests, now=now if now is not None else context.now()
    )
    if not outcome.succeeded:
        raise LedgerRejected(outcome)
    return outcome


def check_ledger(context: ServiceContext) -> list[Violation]:
    """Every ledger invariant over the whole database, in one consistent snapshot.

    The database makes the figures (sums by account, by currency; the rows that may
    be at fault), the domain's rules decide and word each violation, as
    ``verify_ledger``, ``verify_order_escrows`` and ``verify_money_out`` do over a
    ledger in memory. What this holds grows with the violations found, not with the
    number of orders or transfers."""
    with context.database.read() as connection:
        ledger_check_reads.prepare(connection)
        escrows: list[Violation] = []
        captured: dict[str, int] = {}
        totals = ledger_check_reads.counter_totals(connection)
        found = _ledger_violations(connection, totals, escrows, captured)
        return found + escrows + _money_out_violations(connection, totals, captured)


def _ledger_violations(
    connection: Connection,
    totals_by_kind: list[Account],
    escrows: list[Violation],
    captured: dict[str, int],
) -> list[Violation]:
    """Invariants 1, 2, 3 and 5 (``verify_ledger``); 4 (escrows) into ``escrows``,
    and the money captured per currency into ``captured`` (one pass)."""
    violations: list[Violation] = []
    for transfer_id, times in ledger_check_reads.repeated_transfer_ids(connection):
        violations += [applied_twice(transfer_id)] * (times - 1)
    unknown: set[str] = set()
    debiting_suspect_resolutions: set[str] = set()
    accounts_found: list[Violation] = []
    for figures in ledger_check_reads.ledger_figures(connection):
        if isinstance(figures, ledger_check_reads.Captured):
            captured[figures.currency] = figures.amount
            continue
        if figures.suspect_resolutions:
            debiting_suspect_resolutions.add(figures.account_id)
        if figures.account is None:
            unknown.add(figures.account_id)
            continue
        accounts_found += account_violations(figures.account, figures.recomputed)
        if figures.account.kind == ESCROW:
            escrows += escrow_violations(figures.account, figures.money)
    for transfer in ledger_check_reads.transfers_naming(connection, unknown):
        for account_id in (transfer.debit_account_id, transfer.credit_account_id):
            if account_id in unknown:
                violations.append(unknown_account(transfer.id, account_id))
    violations += _resolution_violations(connection, debiting_suspect_resolutions)
    totals: dict[str, list[int]] = {}
    for group in totals_by_kind:
        add_counters(totals, group.currency, group.counters())
    return violations + accounts_found + currency_violations(totals)


def _resolution_violations(connection: Connection, debit_account_ids: set[str]) -> list[Violation]:
    """Invariant 3's resolutions: those the database found suspect (debiting
    ``debit_account_ids``), each after the first of its pending transfer."""
    violations: list[Violation] = []
    first_resolution: dict[str, str] = {}
    for resolution in ledger_check_reads.resolutions_to_verify(connection, debit_account_ids):
        earlier = None
        if resolution.pending_amount is not None and resolution.pending_id is not None:
            earlier = first_resolution.setdefault(resolution.pending_id, resolution.id)
        violation = resolution_violation(
            resolution.id,
            resolution.pending_id,
            resolution.amount,
            resolution.pending_amount,
            earlier if earlier != resolution.id else None,
        )
        if violation is not None:
            violations.append(violation)
    return violations


def _money_out_violations(
    connection: Connection, totals_by_kind: list[Account], captured: dict[str, int]
) -> list[Violation]:
    """Rules 6 and 7 (``verify_money_out``)."""
    violations = money_out_totals_violations(
        captured, totals_by_kind, ledger_check_reads.refunded_by_currency(connection)
    )
    for item, pending, resolution in ledger_check_reads.payout_items_with_transfers(connection):
        violations += item_violations(item, pending, resolution)[1]
    in_transit: dict[str, int] = defaultdict(int)
    paid: dict[str, int] = defaultdict(int)
    for kind, party_id, currency, status, total in ledger_check_reads.payout_item_totals(
        connection
    ):
        by_status = in_transit if status is ItemStatus.IN_TRANSIT else paid
        by_status[item_account_id(kind, party_id, currency)] += total
    for account in ledger_check_reads.payouts_accounts(connection):
        violations += payouts_account_violations(account, in_transit[account.id], paid[account.id])
    for record, paid_count, open_count in ledger_check_reads.refunds_to_verify(connection):
        violations += refund_violations(record, paid_count, open_count)
    return violations


# One call expires at most this many batches; the next sweep goes on from there.
EXPIRY_BATCHES_PER_CALL_MAX = 1_000


def expire_pending_transfers(context: ServiceContext, *, batch_size: int = 200) -> int:
    """Expire pending transfers past their deadline (never before). Returns how many
    (at most ``EXPIRY_BATCHES_PER_CALL_MAX`` batches of ``batch_size``).

    Safe to run concurrently: expiring is idempotent by transfer id, and a
    pending transfer that another transaction resolved first is skipped.
    """
    expired = 0
    for _ in range(EXPIRY_BATCHES_PER_CALL_MAX):

        def expire_batch(connection: Connection) -> int:
            now = context.now()
            pending_ids = ledger_store.expired_pending_ids(connection, now, batch_size)
            if not pending_ids:
                return 0
            requests = [
                TransferRequest(
                    id=f"{pending_id}:expire",
                    kind=TransferKind.EXPIRE_PENDING,
                    pending_id=pending_id,
                    code="expire",
                )
                for pending_id in pending_ids
            ]
            outcome = ledger_store.post_transfers(connection, requests, now=now, linked=False)
            return len(outcome.created) or -1

        done = context.database.run(expire_batch)
        if done == 0:
            return expired
        if done < 0:  # only races lost: others expired them
            return expired
        expired += done
    return expired


def list_transfers(
    context: ServiceContext,
    principal: Principal,
    *,
    order_id: str | None,
    limit: int,
    starting_after: str | None,
) -> tuple[list[Transfer], bool]:
    """Transfers, oldest first. The operator sees all; the order's merchant all of
    one order; a supplier, courier or store the transfers of one order that move
    its own money."""
    account_prefix = None
    with context.database.read() as connection:
        if not principal.is_admin:
            if order_id is None:
                # The key decides, not the request's shape: 403 (the document's
                # schema cannot say "required for a party's key").
                raise Forbidden(
                    "parties list the transfers of one order",
                    code="order_id_required",
                    errors=[FieldError("order_id", "required unless with the admin key")],
                )
            require_visible_order(connection, principal, order_id)
            if principal.party_id != order_repository.merchant_of(connection, order_id):
                assert principal.party_id is not None
                account_prefix = payable_account_prefix(principal.party_id)
        return ledger_reads.transfers_page(
            connection,
            order_id=order_id,
            account_prefix=account_prefix,
            limit=limit,
            starting_after=starting_after,
        )
