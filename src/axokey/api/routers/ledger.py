"""Ledger transfers, for the operator and the parties of an order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from axokey.api.deps import ContextDep, Page, PageDep, PrincipalDep
from axokey.api.schemas import TransferOut
from axokey.domain.errors import Forbidden
from axokey.services import ledger

router = APIRouter(tags=["ledger"])


@router.get("/v1/ledger/transfers", response_model=Page[TransferOut])
def list_transfers(
    context: ContextDep,
    principal: PrincipalDep,
    page: PageDep,
    order_id: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[TransferOut]:
    """Transfers, oldest first. The operator sees all; a party only those of an
    order it takes part in (``order_id`` required)."""
    if not principal.is_admin:
        if order_id is None:
            raise Forbidden("parties list the transfers of one order: pass order_id")
        ledger.require_order_party(context, principal, order_id)
    transfers, has_more = ledger.list_transfers(
        context, order_id=order_id, limit=page.limit, starting_after=page.starting_after
    )
    return Page[TransferOut](data=[TransferOut.of(t) for t in transfers], has_more=has_more)
