from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="StockSetIn")


@_attrs_define
class StockSetIn:
    """
    Attributes:
        on_hand (int):
    """

    on_hand: int

    def to_dict(self) -> dict[str, Any]:
        on_hand = self.on_hand

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "on_hand": on_hand,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        on_hand = d.pop("on_hand")

        stock_set_in = cls(
            on_hand=on_hand,
        )

        return stock_set_in
