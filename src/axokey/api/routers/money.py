"""Refunds and balances."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.api.schemas.balances import BalanceOut, BalancesOut
from axokey.api.schemas.refunds import RefundOut
from axokey.domain.access import Scope
from axokey.domain.parties import Principal
from axokey.services import balances, refunding

router = APIRouter(tags=["refunds and balances"])


@router.get("/v1/refunds", response_model=Page[RefundOut])
def list_refunds(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.ORDERS_READ)],
    page: PageDep,
    order_id: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[RefundOut]:
    refunds, has_more = refunding.list_refunds(
        context,
        principal,
        order_id=order_id,
        limit=page.limit,
        starting_after=page.starting_after,
    )
    return Page[RefundOut](data=[RefundOut.of(refund) for refund in refunds], has_more=has_more)


@router.get("/v1/refunds/{refund_id}", response_model=RefundOut)
def get_refund(
    refund_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.ORDERS_READ)],
) -> RefundOut:
    return RefundOut.of(refunding.get_refund(context, principal, refund_id))


@router.get("/v1/balance", response_model=BalancesOut)
def get_balance(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_READ)],
    party_id: Annotated[str | None, Query(max_length=40)] = None,
) -> BalancesOut:
    """Per currency: ``held`` (still in escrow for you), ``available`` (released,
    not yet paid out), ``paid_out``. The operator names the party."""
    owner, found = balances.balance_of(context, principal, party_id)
    return BalancesOut(party_id=owner, balances=[BalanceOut.of(b) for b in found])
