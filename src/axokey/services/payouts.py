"""Payout batches: gather what is due, write the bank file, record the bank's answer.

- ``create_batch`` (operator): one transaction, serialised per currency: every
  payable party's available balance above the minimum and every pending SEPA
  refund move to in transit (pending ledger transfers).
- ``batch_file``: the ``pain.001.001.09`` file, streamed page by page.
- ``confirm_batch`` (operator, once): paid items post their transfers, rejected
  ones void them; refunds succeed or go back to pending with the bank's reason;
  events in the outbox, all in one transaction.
- ``run_schedule``: what ``serve`` does at each cut-off; one batch per cut-off and
  currency, even with several instances (the cut-off key is unique).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from axokey.adapters.db import ledger_store, order_repository, payout_repository, refund_repository
from axokey.adapters.db.transaction import Connection
from axokey.adapters.sepa.pain001 import DebtorAccount, pain001_chunks
from axokey.adapters.sepa.pain002 import read_status_report
from axokey.domain import refund_states
from axokey.domain.audit import Action
from axokey.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from axokey.domain.identifiers import new_id
from axokey.domain.ledger import MAX_TRANSFERS_PER_BATCH, TransferRequest
from axokey.domain.money import check_currency
from axokey.domain.parties import Principal, Role
from axokey.domain.payouts import (
    ItemKind,
    PayoutBatch,
    PayoutItem,
    PayoutSchedule,
    cutoff_key,
    item_accounts,
    item_event,
    plan_batch,
)
from axokey.domain.payouts import (
    confirm_batch as decide_confirmation,
)
from axokey.domain.refund_states import RefundState
from axokey.services import audit
from axokey.services.api_keys import command_line_principal
from axokey.services.context import ServiceContext
from axokey.services.events import record_event
from axokey.services.ledger import post_or_raise
from axokey.services.parties import party_acted_for, require_role

logger = logging.getLogger("axokey.payouts")

FILE_PAGE_ITEMS = 500


@dataclass(frozen=True)
class BatchView:
    batch: PayoutBatch
    items: list[PayoutItem]


def _post_in_slices(
    connection: Connection, context: ServiceContext, requests: Sequence[TransferRequest]
) -> None:
    """Post transfers in slices the ledger accepts, all in the caller's transaction."""
    for start in range(0, len(requests), MAX_TRANSFERS_PER_BATCH):
        post_or_raise(connection, context, list(requests[start : start + MAX_TRANSFERS_PER_BATCH]))


def _create(
    connection: Connection,
    context: ServiceContext,
    currency: str,
    key: str | None,
    principal: Principal,
) -> BatchView | None:
    """The batch, or None when the cut-off ``key`` already has one."""
    now = context.now()
    payout_repository.lock_currency(connection, currency)
    if key is not None and payout_repository.cutoff_taken(connection, key):
        return None
    cursor = payout_repository.ledger_cursor(connection)
    payees = payout_repository.payees_due(
        connection,
        currency,
        after_seq=payout_repository.previous_cursor(connection, currency),
        up_to_seq=cursor,
    )
    plan = plan_batch(
        batch_id=new_id("pob"),
        currency=currency,
        payees=payees,
        refunds=payout_repository.refunds_due(connection, currency),
        minimum_minor=context.settings.payout_minimum_minor,
        now=now,
        new_item_id=lambda: new_id("po"),
        cutoff_key=key,
    )
    ledger_store.ensure_accounts(
        connection, [account for item in plan.items for account in item_accounts(item)], now
    )
    _post_in_slices(connection, context, plan.transfers)
    payout_repository.insert_batch(connection, plan.batch, plan.items, cursor)
    audit.record(
        connection,
        context,
        principal,
        Action.PAYOUT_BATCH_CREATED,
        object_id=plan.batch.id,
        details={
            "currency": currency,
            "item_count": plan.batch.item_count,
            "total": plan.batch.total,
            "cutoff_key": key,
        },
    )
    if plan.skipped_party_ids:
        logger.info(
            "batch %s: %d part(ies) with money available but no IBAN or address: not paid",
            plan.batch.id,
            len(plan.skipped_party_ids),
        )
    return BatchView(plan.batch, plan.items)


def create_batch(context: ServiceContext, principal: Principal, currency: str) -> BatchView:
    """Gather what is due in ``currency`` into a new batch (operator only)."""
    require_role(principal, Role.ADMIN)
    check_currency(currency)
    view = context.database.run(
        lambda connection: _create(connection, context, currency, None, principal)
    )
    assert view is not None
    return view


def _require_batch(connection: Connection, batch_id: str, *, lock: bool = False) -> PayoutBatch:
    batch = payout_repository.get_batch(connection, batch_id, lock=lock)
    if batch is None:
        raise NotFound(f"payout batch {batch_id} not found", code="payout_batch_not_found")
    return batch


def get_batch(context: ServiceContext, principal: Principal, batch_id: str) -> BatchView:
    require_role(principal, Role.ADMIN)
    with context.database.read() as connection:
        batch = _require_batch(connection, batch_id)
        return BatchView(batch, payout_repository.items_of_batch(connection, batch_id))


def list_batches(
    context: ServiceContext, principal: Principal, *, limit: int, starting_after: str | None
) -> tuple[list[PayoutBatch], bool]:
    require_role(principal, Role.ADMIN)
    with context.database.read() as connection:
        return payout_repository.list_batches(
            connection, limit=limit, starting_after=starting_after
        )


def confirm_batch(
    context: ServiceContext,
    principal: Principal,
    batch_id: str,
    rejected: Sequence[tuple[str, str]] = (),
) -> BatchView:
    """The bank executed the batch, but for the ``rejected`` ``(item_id, reason)``."""
    require_role(principal, Role.ADMIN)

    def confirm_and_post(connection: Connection) -> BatchView:
        now = context.now()
        batch = _require_batch(connection, batch_id, lock=True)
        items = payout_repository.items_of_batch(connection, batch_id)
        confirmation = decide_confirmation(batch, items, rejected, now=now)
        if not payout_repository.save_confirmation(connection, batch, items):
            raise Conflict(f"batch {batch_id} is already executed", code="batch_executed")
        _post_in_slices(connection, context, confirmation.transfers)
        for item in items:
            _record_outcome(connection, item, now)
        audit.record(
            connection,
            context,
            principal,
            Action.PAYOUT_BATCH_CONFIRMED,
            object_id=batch_id,
            details={
                "paid": len(confirmation.paid),
                "rejected": [[item.id, item.rejection_reason] for item in confirmation.rejected],
            },
        )
        return BatchView(batch, items)

    return context.database.run(confirm_and_post)


def confirm_from_status_report(
    context: ServiceContext, principal: Principal, batch_id: str, report_xml: bytes
) -> BatchView:
    """Confirm a batch from the bank's ``pain.002`` status report: its rejected
    transactions are the rejected items; the rest was paid."""
    require_role(principal, Role.ADMIN)
    report = read_status_report(report_xml)
    if report.original_message_id != batch_id:
        raise ValidationFailed(
            f"the report is about {report.original_message_id}, not batch {batch_id}",
            code="status_report_mismatch",
            errors=[FieldError("OrgnlMsgId", f"expected {batch_id}")],
        )
    rejected = report.rejected
    if report.everything_rejected is not None:
        with context.database.read() as connection:
            _require_batch(connection, batch_id)
            items = payout_repository.items_of_batch(connection, batch_id)
        rejected = [(item.id, report.everything_rejected) for item in items]
    return confirm_batch(context, principal, batch_id, rejected)


def _record_outcome(connection: Connection, item: PayoutItem, now: datetime) -> None:
    """A confirmed item's refund state and its event, in the confirmation's transaction."""
    event_type, data = item_event(item)
    if item.kind is ItemKind.PAYOUT:
        assert item.party_id is not None
        record_event(connection, event_type, now=now, party_ids=[item.party_id], data=data)
        return
    assert item.refund_id is not None and item.order_id is not None
    if event_type == "refund.succeeded":
        refund_repository.save_status(
            connection,
            item.refund_id,
            expected=RefundState.PENDING,
            status=refund_states.paid_by_transfer(RefundState.PENDING),
            now=now,
            failure_code=None,
        )
    else:
        refund_repository.mark_bank_return(
            connection, item.refund_id, item.rejection_reason or "rejected", now
        )
    data["order_id"] = item.order_id
    record_event(
        connection,
        event_type,
        now=now,
        order=order_repository.load_order(connection, item.order_id),
        data=data,
    )


def operator_account(context: ServiceContext) -> DebtorAccount:
    """The debtor of every transfer, from the settings; 409 when not configured."""
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    settings = context.settings
    if not settings.operator_name or not settings.operator_iban:
        raise Conflict(
            "set AXOKEY_OPERATOR_NAME and AXOKEY_OPERATOR_IBAN (and AXOKEY_OPERATOR_BIC) "
            "to produce bank files",
            code="operator_account_missing",
        )
    try:
        iban = IBAN(settings.operator_iban).compact
        bic = BIC(settings.operator_bic).compact if settings.operator_bic else None
    except SchwiftyException as error:
        raise Conflict(
            f"the operator's account is not valid: {error}", code="operator_account_invalid"
        ) from None
    return DebtorAccount(settings.operator_name, iban, bic)


def batch_file(
    context: ServiceContext, principal: Principal, batch_id: str
) -> tuple[PayoutBatch, Iterator[bytes]]:
    """The batch's ``pain.001.001.09`` file, streamed a page of items at a time.

    Everything that can fail is checked before the first byte."""
    require_role(principal, Role.ADMIN)
    debtor = operator_account(context)
    with context.database.read() as connection:
        batch = _require_batch(connection, batch_id)
    now = context.now()

    def pages() -> Iterator[list[PayoutItem]]:
        after = -1
        while True:
            with context.database.read() as connection:
                page = payout_repository.items_of_batch(
                    connection, batch_id, after_position=after, limit=FILE_PAGE_ITEMS
                )
            if not page:
                return
            yield page
            after = page[-1].position

    execution_date: date = now.date()
    return batch, pain001_chunks(
        debtor, batch, pages(), created_at=now, execution_date=execution_date
    )


def party_payouts(
    context: ServiceContext,
    principal: Principal,
    *,
    party_id: str | None,
    limit: int,
    starting_after: str | None,
) -> tuple[list[PayoutItem], bool]:
    """A party's own payouts (the operator names the party)."""
    owner = party_acted_for(
        principal,
        party_id,
        field="party_id",
        operator_must_name="the operator names the party",
        operator_must_name_code="party_required",
        only_own="a party reads its own payouts only",
        only_own_code="not_your_payouts",
    )
    with context.database.read() as connection:
        return payout_repository.items_of_party(
            connection, owner, limit=limit, starting_after=starting_after
        )


def run_schedule(context: ServiceContext, now: datetime | None = None) -> list[str]:
    """Create the batch of the latest cut-off for each configured currency, once.

    Returns the ids of the batches created now (none when another instance made
    them, or when nothing was due)."""
    schedule_text = context.settings.payout_schedule
    if not schedule_text:
        return []
    schedule = PayoutSchedule.parse(schedule_text)
    cutoff = schedule.latest_cutoff(now or context.now())
    created = []
    for currency in context.settings.payout_currency_codes:
        key = cutoff_key(currency, cutoff)

        def create_batch_for_cutoff(
            connection: Connection, currency: str = currency, key: str = key
        ) -> str | None:
            view = _create(connection, context, currency, key, command_line_principal())
            return view.batch.id if view else None

        try:
            batch_id = context.database.run(create_batch_for_cutoff)
        except Conflict as error:
            if error.code != "nothing_to_pay_out":
                raise
            continue
        if batch_id is not None:
            logger.info("payout batch %s created for cut-off %s", batch_id, key)
            created.append(batch_id)
    return created
