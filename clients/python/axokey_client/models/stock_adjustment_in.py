from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="StockAdjustmentIn")


@_attrs_define
class StockAdjustmentIn:
    """
    Attributes:
        product_id (str):
        delta (int):
        reason (str):
    """

    product_id: str
    delta: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        product_id = self.product_id

        delta = self.delta

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "product_id": product_id,
                "delta": delta,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        product_id = d.pop("product_id")

        delta = d.pop("delta")

        reason = d.pop("reason")

        stock_adjustment_in = cls(
            product_id=product_id,
            delta=delta,
            reason=reason,
        )

        return stock_adjustment_in
