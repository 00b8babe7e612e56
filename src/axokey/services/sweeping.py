"""The sweep: nothing held outlives its deadline.

Unredeemed lines of orders past ``redeem_by``, and itinerary lines past their
service date plus the grace period, are refunded by the money rules (their holds
expire — never before the deadline); the courier's fee is refunded when the
delivery never took place. Then any other pending transfer past its timeout is
expired, card refunds left pending are sent again, and old idempotency keys go.
Before all that, payments are reconciled with the provider (``payments.reconcile``),
and after it, old processed provider notifications are purged.

Each order is settled in its own transaction under its row lock, in bounded
batches: two sweeps running at once (or a sweep and a scan) never refund twice —
the second finds the lines already closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from axokey.adapters.db import order_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.audit import Action
from axokey.domain.errors import AxokeyError
from axokey.domain.parties import Principal, Role
from axokey.domain.refunds import expire_due
from axokey.services import audit, carts, idempotency, payments, personal_data, refunding, stock
from axokey.services.context import ServiceContext
from axokey.services.events import record_order_events
from axokey.services.ledger import expire_pending_transfers, post_or_raise
from axokey.services.parties import require_role

logger = logging.getLogger("axokey.sweep")

SWEEP_PAGES_MAX = 1_000


@dataclass(frozen=True)
class SweepReport:
    as_of: datetime
    orders_settled: int
    lines_refunded: int
    amount_refunded: int
    pending_transfers_expired: int
    card_refunds_retried: int
    orders_failed: int = 0
    payments_reconciled: int = 0
    notifications_processed: int = 0
    notifications_purged: int = 0
    # ``amount_refunded`` per currency: a sum across currencies means nothing to a
    # person (the CLI shows these).
    refunded_by_currency: dict[str, int] = field(default_factory=dict)
    unpaid_store_orders_expired: int = 0
    carts_expired: int = 0


def _settle(context: ServiceContext, order_id: str, grace: timedelta) -> tuple[int, int, str]:
    def settle_due_refunds_and_expiry(connection: Connection) -> tuple[int, int, list[str], str]:
        order = order_repository.load_order(connection, order_id, lock=True)
        assert order is not None
        now = context.now()
        decision = expire_due(order, now=now, grace=grace)
        if not decision.events:  # nothing due (a line holding 0 closes without transfers)
            return 0, 0, [], order.currency
        post_or_raise(connection, context, decision.transfers, now=now)
        order_repository.save_order(connection, order)
        card_refunds = refunding.record_refunds(connection, context, order, decision.refunds)
        record_order_events(connection, order, decision.events, now=now)
        stock.settle_reservations(connection, order, now=now)
        lines = sum(1 for refund in decision.refunds if refund.line_id is not None)
        amount = sum(refund.amount for refund in decision.refunds)
        return lines, amount, card_refunds, order.currency

    lines, amount, card_refunds, currency = context.database.run(settle_due_refunds_and_expiry)
    refunding.send_card_refunds(context, card_refunds)
    return lines, amount, currency


def sweep(
    context: ServiceContext,
    *,
    as_of: datetime | None = None,
    on_order: Callable[[], None] | None = None,
) -> SweepReport:
    """Run every deadline due at ``as_of`` (default: now); ``on_order`` is called
    after each due order (the CLI's progress)."""
    # One reading of the clock for the whole sweep: the pending transfers it expires
    # at the end are then only holds of orders it settled first, never those of an
    # order that fell due while it ran (whose own expiry would then be refused).
    now = as_of if as_of is not None else context.now()
    context = replace(context, clock=lambda: now)
    grace = context.settings.itinerary_grace
    batch = context.settings.sweep_batch_size
    settled = lines = amount = failed = 0
    by_currency: dict[str, int] = {}
    # First what the provider took and we have not recorded: captured (or refunded
    # whole) before any deadline below is judged.
    reconciliation = payments.reconcile(context, limit=batch)
    after: str | None = None
    # A cap on the pages of due orders one sweep walks; the next sweep goes on.
    for _ in range(SWEEP_PAGES_MAX):
        with context.database.read() as connection:
            due = order_repository.due_order_ids(connection, now, grace, batch, after)
        for order_id in due:
            if on_order is not None:
                on_order()
            try:
                refunded_lines, refunded_amount, currency = _settle(context, order_id, grace)
            except AxokeyError:
                # One order the ledger refuses must not stop every other refund:
                # it is logged (for the operator and `axokey ledger check`) and
                # tried again at the next sweep.
                logger.exception("sweep: order %s could not be settled", order_id)
                failed += 1
                continue
            if refunded_lines or refunded_amount:
                settled += 1
                lines += refunded_lines
                amount += refunded_amount
                by_currency[currency] = by_currency.get(currency, 0) + refunded_amount
        if len(due) < batch:
            break
        after = due[-1]
    else:
        logger.warning("sweep: %s pages of due orders walked; the next goes on", SWEEP_PAGES_MAX)
    # Store orders never paid: expired, their reservations freed for other customers.
    unpaid_expired = stock.release_unpaid_reservations(context, now=now, limit=batch)
    carts_expired = carts.expire_carts(context, now=now, limit=batch)
    expired = expire_pending_transfers(context, batch_size=batch)
    retried = refunding.retry_stalled_card_refunds(context, limit=batch)
    idempotency.purge_expired_keys(context)
    personal_data.apply_retention(context)  # customers' contact data past its period
    personal_data.apply_address_retention(context)  # client addresses past theirs
    purged = payments.purge_notifications(context, limit=batch)
    return SweepReport(
        now,
        settled,
        lines,
        amount,
        expired,
        retried,
        failed,
        payments_reconciled=reconciliation.payments_synchronised,
        notifications_processed=reconciliation.notifications_processed,
        notifications_purged=purged,
        refunded_by_currency=by_currency,
        unpaid_store_orders_expired=unpaid_expired,
        carts_expired=carts_expired,
    )


def sandbox_sweep(context: ServiceContext, principal: Principal, *, as_of: datetime) -> SweepReport:
    """Sandbox only (operator): the sweep as if the clock read ``as_of``."""
    require_role(principal, Role.ADMIN)
    payments.enabled_sandbox(context)
    # The time travel itself is what is audited (its own transaction, before the
    # sweep's batches, each of which commits on its own).
    context.database.run(
        lambda connection: audit.record(
            connection,
            context,
            principal,
            Action.SANDBOX_SWEPT,
            object_id=None,
            details={"as_of": as_of.isoformat()},
        )
    )
    return sweep(context, as_of=as_of)
