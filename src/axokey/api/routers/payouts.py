"""Payee details, payout batches (operator), the bank file, a party's payouts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.api.openapi import problems
from axokey.api.schemas.parties import PartyOut
from axokey.api.schemas.payouts import (
    BatchConfirm,
    BatchCreate,
    BatchOut,
    BatchSummaryOut,
    IbanChangeOut,
    IbanHistoryOut,
    PayoutDetailsPatch,
    PayoutOut,
    RefundToSepa,
)
from axokey.api.schemas.refunds import RefundOut
from axokey.domain.access import Scope
from axokey.domain.parties import Principal
from axokey.services import payees, payouts, refund_recovery

router = APIRouter(tags=["payouts"])


@router.patch("/v1/me", response_model=PartyOut, responses=problems(404))
def update_my_payout_details(
    body: PayoutDetailsPatch,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_WRITE)],
) -> PartyOut:
    """Change your own IBAN, BIC or postal address. A changed IBAN is recorded,
    with its date, in your history."""
    return PartyOut.of(payees.update_payout_details(context, principal, body.change()))


@router.patch("/v1/parties/{party_id}", response_model=PartyOut)
def update_payout_details(
    party_id: str,
    body: PayoutDetailsPatch,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_WRITE)],
) -> PartyOut:
    """The operator changes any party's payout details; a party its own only."""
    return PartyOut.of(
        payees.update_payout_details(context, principal, body.change(), party_id=party_id)
    )


@router.get("/v1/parties/{party_id}/iban-history", response_model=IbanHistoryOut)
def iban_history(
    party_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_READ)],
) -> IbanHistoryOut:
    """Every IBAN the party had, who set it and when (the party and the operator)."""
    changes = payees.iban_history(context, principal, party_id)
    return IbanHistoryOut(party_id=party_id, changes=[IbanChangeOut.of(c) for c in changes])


@router.post("/v1/payout-batches", status_code=201, response_model=BatchOut)
def create_batch(
    body: BatchCreate,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_WRITE)],
) -> BatchOut:
    """Gather every payable party's available balance (with an IBAN and an address,
    above the minimum) and every pending SEPA refund into one batch (operator)."""
    view = payouts.create_batch(context, principal, body.currency)
    return BatchOut.with_items(view.batch, view.items)


@router.get("/v1/payout-batches", response_model=Page[BatchSummaryOut])
def list_batches(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_READ)],
    page: PageDep,
) -> Page[BatchSummaryOut]:
    batches, has_more = payouts.list_batches(
        context, principal, limit=page.limit, starting_after=page.starting_after
    )
    return Page[BatchSummaryOut](
        data=[BatchSummaryOut.of(batch) for batch in batches], has_more=has_more
    )


@router.get("/v1/payout-batches/{batch_id}", response_model=BatchOut)
def get_batch(
    batch_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_READ)],
) -> BatchOut:
    view = payouts.get_batch(context, principal, batch_id)
    return BatchOut.with_items(view.batch, view.items)


@router.get(
    "/v1/payout-batches/{batch_id}/pain.001",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/xml": {}}}, **problems(409)},
)
def batch_file(
    batch_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_READ)],
) -> StreamingResponse:
    """The ISO 20022 ``pain.001.001.09`` file of the batch, for the bank."""
    batch, chunks = payouts.batch_file(context, principal, batch_id)
    return StreamingResponse(
        chunks,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{batch.id}.pain.001.xml"'},
    )


@router.post("/v1/payout-batches/{batch_id}/confirm", response_model=BatchOut)
def confirm_batch(
    batch_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_WRITE)],
    body: BatchConfirm | None = None,
) -> BatchOut:
    """The bank executed the batch; ``rejected`` names the transfers it sent back."""
    rejected = [(entry.item_id, entry.reason) for entry in (body.rejected if body else [])]
    view = payouts.confirm_batch(context, principal, batch_id, rejected)
    return BatchOut.with_items(view.batch, view.items)


@router.post(
    "/v1/payout-batches/{batch_id}/pain.002",
    response_model=BatchOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/xml": {"schema": {"type": "string"}}},
        }
    },
)
async def import_status_report(
    batch_id: str,
    request: Request,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_WRITE)],
) -> BatchOut:
    """Confirm the batch from the bank's pain.002 status report (XML body): the
    transactions it rejects come back, the rest is paid."""
    body = await request.body()
    view = await run_in_threadpool(
        payouts.confirm_from_status_report, context, principal, batch_id, body
    )
    return BatchOut.with_items(view.batch, view.items)


@router.get("/v1/payouts", response_model=Page[PayoutOut])
def list_payouts(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_READ)],
    page: PageDep,
    party_id: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[PayoutOut]:
    """Your payouts and their state (the operator names the party)."""
    items, has_more = payouts.party_payouts(
        context,
        principal,
        party_id=party_id,
        limit=page.limit,
        starting_after=page.starting_after,
    )
    return Page[PayoutOut](data=[PayoutOut.of(item) for item in items], has_more=has_more)


@router.post("/v1/refunds/{refund_id}/retry", response_model=RefundOut)
def retry_refund(
    refund_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_WRITE)],
) -> RefundOut:
    """Send a failed card refund to the provider again (operator)."""
    return RefundOut.of(refund_recovery.retry_card_refund(context, principal, refund_id))


@router.post("/v1/refunds/{refund_id}/convert-to-sepa", response_model=RefundOut)
def convert_refund_to_sepa(
    refund_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_WRITE)],
    body: RefundToSepa | None = None,
) -> RefundOut:
    """Pay a failed card refund by SEPA transfer instead: to ``iban``, or to the IBAN
    the customer gave. The next payout batch carries it (operator)."""
    iban = body.iban if body else None
    return RefundOut.of(refund_recovery.convert_to_sepa(context, principal, refund_id, iban))
