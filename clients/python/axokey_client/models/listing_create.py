from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ListingCreate")


@_attrs_define
class ListingCreate:
    """
    Attributes:
        product_id (str):
        unit_price (int): The retail price, at least the wholesale price.
    """

    product_id: str
    unit_price: int

    def to_dict(self) -> dict[str, Any]:
        product_id = self.product_id

        unit_price = self.unit_price

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "product_id": product_id,
                "unit_price": unit_price,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        product_id = d.pop("product_id")

        unit_price = d.pop("unit_price")

        listing_create = cls(
            product_id=product_id,
            unit_price=unit_price,
        )

        return listing_create
