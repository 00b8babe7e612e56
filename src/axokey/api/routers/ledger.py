"""Ledger transfers, for the operator and the parties of an order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.api.schemas.ledger import TransferOut
from axokey.domain.access import Scope
from axokey.domain.parties import Principal
from axokey.services import ledger

router = APIRouter(tags=["ledger"])


@router.get("/v1/ledger/transfers", response_model=Page[TransferOut])
def list_transfers(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.LEDGER_READ)],
    page: PageDep,
    order_id: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[TransferOut]:
    """Transfers, oldest first. The operator sees all; the order's merchant all of
    one order (``order_id`` required); a supplier, courier or store those of one
    order that move its own money."""
    transfers, has_more = ledger.list_transfers(
        context, principal, order_id=order_id, limit=page.limit, starting_after=page.starting_after
    )
    return Page[TransferOut](data=[TransferOut.of(t) for t in transfers], has_more=has_more)
