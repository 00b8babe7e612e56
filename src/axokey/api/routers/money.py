"""Refunds and balances."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response

from axokey import i18n
from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.api.schemas.balances import BalanceOut, BalancesOut, HeldHistoryOut
from axokey.api.schemas.base import Currency
from axokey.api.schemas.refunds import RefundOut
from axokey.domain.access import Scope
from axokey.domain.parties import Principal
from axokey.services import balances, refunding
from axokey.web.charts import held_chart_svg

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


@router.get(
    "/v1/balance/history",
    response_model=HeldHistoryOut,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def held_history(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PAYOUTS_READ)],
    currency: Annotated[Currency, Query()] = "EUR",
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    party_id: Annotated[str | None, Query(max_length=40)] = None,
    format: Annotated[Literal["json", "svg"], Query()] = "json",
    accept_language: Annotated[str | None, Header(max_length=500)] = None,
) -> HeldHistoryOut | Response:
    """Money held in escrow at the end of each of the last ``days`` days (UTC): for
    a party, what is held for it (its balance's ``held``); for the operator, in every
    order's escrow, or for the party it names. ``format=svg``: the dashboard's chart,
    in the language of ``Accept-Language``."""
    history = balances.held_history(
        context, principal, currency=currency, days=days, party_id=party_id
    )
    if format == "svg":
        language = i18n.from_accept_language(accept_language) or i18n.DEFAULT_LANGUAGE
        return Response(
            held_chart_svg(history.days, history.currency, language),
            media_type="image/svg+xml",
            headers={"Content-Language": language, "Cache-Control": "no-store"},
        )
    return HeldHistoryOut.of(history)
