"""Payment alerts: what a provider answered that AXOKEY would not guess at (an
unknown status or code), and authorisations taken instead of sales."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel

from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.domain.access import Scope
from axokey.domain.parties import Principal
from axokey.services import alerts

router = APIRouter(tags=["payments"])


class AlertOut(BaseModel):
    id: str
    type: str
    created_at: datetime
    data: dict[str, Any]


@router.get("/v1/payment-alerts", response_model=Page[AlertOut])
def list_payment_alerts(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.ORDERS_READ)],
    page: PageDep,
) -> Page[AlertOut]:
    """Newest first. The operator sees every alert, a merchant those of its own
    orders; other parties take no payments and see none."""
    found, has_more = alerts.payment_alerts(
        context, principal, limit=page.limit, starting_after=page.starting_after
    )
    return Page[AlertOut](
        data=[
            AlertOut(id=alert.id, type=alert.type, created_at=alert.created_at, data=alert.data)
            for alert in found
        ],
        has_more=has_more,
    )
