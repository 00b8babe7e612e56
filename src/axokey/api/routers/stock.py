"""Stock per store: count, adjust, import, list (the store, its merchant, the operator)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.api.schemas.stock import StockAdjustmentIn, StockImportOut, StockLevelOut, StockSetIn
from axokey.domain.access import Scope
from axokey.domain.errors import ValidationFailed
from axokey.domain.parties import Principal
from axokey.domain.stock import IMPORT_BODY_PATTERN
from axokey.services import stock

router = APIRouter(tags=["stock"])

StoreId = Annotated[str, Path(max_length=40)]
ProductId = Annotated[str, Path(max_length=40)]


@router.put(
    "/v1/stock/{store_id}/{product_id}",
    response_model=StockLevelOut,
    # A JSON body that is not UTF-8 is 400 (FastAPI cannot parse it at all).
    responses={400: {"description": "The body could not be parsed (not UTF-8)."}},
)
def set_stock(
    store_id: StoreId,
    product_id: ProductId,
    body: StockSetIn,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_WRITE)],
) -> StockLevelOut:
    """Count the shelf: ``on_hand`` becomes this (409 ``stock_below_reserved`` when
    fewer than the units reserved by orders). Writes a ``stock.changed`` event."""
    return StockLevelOut.of(stock.set_stock(context, principal, store_id, product_id, body.on_hand))


@router.get("/v1/stock/{store_id}/{product_id}", response_model=StockLevelOut)
def get_stock(
    store_id: StoreId,
    product_id: ProductId,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_READ)],
) -> StockLevelOut:
    """One product's level at the store (0 when never counted)."""
    return StockLevelOut.of(stock.get_stock(context, principal, store_id, product_id))


@router.post("/v1/stock/{store_id}/adjustments", response_model=StockLevelOut)
def adjust_stock(
    store_id: StoreId,
    body: StockAdjustmentIn,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_WRITE)],
) -> StockLevelOut:
    """A reception (``delta > 0``) or a loss (``delta < 0``) with its reason. A delta
    that would leave ``on_hand`` negative or below what is reserved: 409."""
    level = stock.adjust_stock(
        context, principal, store_id, body.product_id, delta=body.delta, reason=body.reason
    )
    return StockLevelOut.of(level)


@router.get("/v1/stock", response_model=Page[StockLevelOut])
def list_stock(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_READ)],
    page: PageDep,
    store_id: Annotated[str, Query(min_length=1, max_length=40)],
) -> Page[StockLevelOut]:
    """The store's counted products, by product id (``starting_after`` a product id)."""
    levels, has_more = stock.list_stock(
        context, principal, store_id, limit=page.limit, starting_after=page.starting_after
    )
    return Page[StockLevelOut](
        data=[StockLevelOut.of(level) for level in levels], has_more=has_more
    )


@router.post(
    "/v1/stock/{store_id}/import",
    response_model=StockImportOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string", "pattern": IMPORT_BODY_PATTERN}}},
        }
    },
)
async def import_stock(
    store_id: StoreId,
    request: Request,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.STOCK_WRITE)],
) -> StockImportOut:
    """Count a whole store from CSV (UTF-8): a first line naming the columns
    (``sku,on_hand``, ``gtin,on_hand``, ``sku,gtin,on_hand`` or ``gtin,sku,on_hand``),
    then one product a line. Lines that cannot be applied (unknown
    or unlisted product, bad count, fewer than reserved) are refused and reported;
    the others are applied."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("the file is not UTF-8 text", code="import_invalid") from None
    report = await run_in_threadpool(stock.import_stock, context, principal, store_id, text)
    return StockImportOut.of(report)
