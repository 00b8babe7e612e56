from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StockLevelOut")


@_attrs_define
class StockLevelOut:
    """
    Attributes:
        store_id (str):
        product_id (str):
        on_hand (int):
        reserved (int):
        available (int):
        object_ (Literal['stock_level'] | Unset):  Default: 'stock_level'.
    """

    store_id: str
    product_id: str
    on_hand: int
    reserved: int
    available: int
    object_: Literal["stock_level"] | Unset = "stock_level"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        store_id = self.store_id

        product_id = self.product_id

        on_hand = self.on_hand

        reserved = self.reserved

        available = self.available

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "store_id": store_id,
                "product_id": product_id,
                "on_hand": on_hand,
                "reserved": reserved,
                "available": available,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        store_id = d.pop("store_id")

        product_id = d.pop("product_id")

        on_hand = d.pop("on_hand")

        reserved = d.pop("reserved")

        available = d.pop("available")

        object_ = cast(Literal["stock_level"] | Unset, d.pop("object", UNSET))
        if object_ != "stock_level" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'stock_level', got '{object_}'")

        stock_level_out = cls(
            store_id=store_id,
            product_id=product_id,
            on_hand=on_hand,
            reserved=reserved,
            available=available,
            object_=object_,
        )

        stock_level_out.additional_properties = d
        return stock_level_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
