"""Request and response bodies of stock levels and their import."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from axokey.api.schemas.base import Id, Strict
from axokey.domain.stock import ADJUSTMENT_REASON_LENGTH_MAX, STOCK_QUANTITY_MAX, StockLevel
from axokey.services.stock import ImportReport


def _whole_number(value: Any) -> Any:
    """A JSON integer: ``3`` or ``3.0`` (JSON does not tell them apart), never
    ``"3"``, ``true`` or ``3.5``."""
    if isinstance(value, (bool, str)):
        raise ValueError("a whole number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = BeforeValidator(_whole_number)
OnHand = Annotated[int, Field(ge=0, le=STOCK_QUANTITY_MAX), WholeNumber]
# A reception (> 0) or a loss (< 0); never 0, as the document says.
Delta = Annotated[
    int,
    Field(ge=-STOCK_QUANTITY_MAX, le=STOCK_QUANTITY_MAX, json_schema_extra={"not": {"const": 0}}),
    WholeNumber,
]


class StockSetIn(Strict):
    on_hand: OnHand


class StockAdjustmentIn(Strict):
    product_id: Id
    delta: Delta
    # Something besides spaces (the reason is kept without them).
    reason: Annotated[
        str,
        StringConstraints(min_length=1, max_length=ADJUSTMENT_REASON_LENGTH_MAX, pattern=r"\S"),
    ]


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
