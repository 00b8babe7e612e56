"""Ledger use cases: check the whole ledger, expire pending transfers, list transfers."""

from __future__ import annotations

from datetime import datetime

from axokey.adapters.db import ledger_reads, ledger_store, order_repository, payout_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.accounts import payable_account_prefix
from axokey.domain.errors import Conflict, FieldError, Forbidden
from axokey.domain.escrow import verify_order_escrows
from axokey.domain.ledger import (
    BatchOutcome,
    Transfer,
    TransferKind,
    TransferRequest,
    Violation,
    verify_ledger,
)
from axokey.domain.parties import Principal
from axokey.domain.payouts import verify_money_out
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
    """Every ledger invariant over the whole database (a consistent snapshot)."""
    with context.database.read() as connection:
        accounts = ledger_store.all_accounts(connection)
        transfers = ledger_store.all_transfers(connection)
        items = payout_repository.all_items(connection)
        refunds = payout_repository.refund_records(connection)
    return (
        verify_ledger(accounts, transfers)
        + verify_order_escrows(accounts, transfers)
        + verify_money_out(accounts, transfers, items, refunds)
    )


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
