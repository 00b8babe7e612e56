"""Request and response bodies of stock levels and their import."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from axokey.api.schemas.base import Id, Strict
from axokey.domain.stock import ADJUSTMENT_REASON_LENGTH_MAX, STOCK_QUANTITY_MAX, StockLevel
from axokey.services.stock import ImportReport

# Bounded by the schema; the domain gives the clear problem (invalid_stock_quantity).
Units = Annotated[int, Field(ge=-STOCK_QUANTITY_MAX, le=STOCK_QUANTITY_MAX, strict=True)]


class StockSetIn(Strict):
    on_hand: Units


class StockAdjustmentIn(Strict):
    product_id: Id
    delta: Units
    reason: Annotated[str, StringConstraints(min_length=1, max_length=ADJUSTMENT_REASON_LENGTH_MAX)]


class StockLevelOut(BaseModel):
    object: Literal["stock_level"] = "stock_level"
    store_id: str
    product_id: str
    on_hand: int
    reserved: int
    available: int

    @classmethod
    def of(cls, level: StockLevel) -> StockLevelOut:
        return cls(
            store_id=level.store_id,
            product_id=level.product_id,
            on_hand=level.on_hand,
            reserved=level.reserved,
            available=level.available,
        )


class ImportedLineOut(BaseModel):
    line: int
    product_id: str
    on_hand: int


class RefusedLineOut(BaseModel):
    line: int
    reference: str
    code: str
    message: str


class StockImportOut(BaseModel):
    store_id: str
    imported_count: int
    refused_count: int
    imported: list[ImportedLineOut]
    refused: list[RefusedLineOut]

    @classmethod
    def of(cls, report: ImportReport) -> StockImportOut:
        return cls(
            store_id=report.store_id,
            imported_count=len(report.imported),
            refused_count=len(report.refused),
            imported=[
                ImportedLineOut(line=i.line, product_id=i.product_id, on_hand=i.on_hand)
                for i in report.imported
            ],
            refused=[
                RefusedLineOut(line=r.line, reference=r.reference, code=r.code, message=r.message)
                for r in report.refused
            ],
        )
