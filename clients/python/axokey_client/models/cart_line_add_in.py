from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CartLineAddIn")


@_attrs_define
class CartLineAddIn:
    """
    Attributes:
        product_id (str):
        quantity (int | Unset):  Default: 1.
    """

    product_id: str
    quantity: int | Unset = 1

    def to_dict(self) -> dict[str, Any]:
        product_id = self.product_id

        quantity = self.quantity

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "product_id": product_id,
            }
        )
        if quantity is not UNSET:
            field_dict["quantity"] = quantity

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        product_id = d.pop("product_id")

        quantity = d.pop("quantity", UNSET)

        cart_line_add_in = cls(
            product_id=product_id,
            quantity=quantity,
        )

        return cart_line_add_in
