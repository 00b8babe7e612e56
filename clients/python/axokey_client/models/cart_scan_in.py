from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CartScanIn")


@_attrs_define
class CartScanIn:
    """
    Attributes:
        gtin (str):
        quantity (int | Unset):  Default: 1.
    """

    gtin: str
    quantity: int | Unset = 1

    def to_dict(self) -> dict[str, Any]:
        gtin = self.gtin

        quantity = self.quantity

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "gtin": gtin,
            }
        )
        if quantity is not UNSET:
            field_dict["quantity"] = quantity

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        gtin = d.pop("gtin")

        quantity = d.pop("quantity", UNSET)

        cart_scan_in = cls(
            gtin=gtin,
            quantity=quantity,
        )

        return cart_scan_in
