from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReleasedOut")


@_attrs_define
class ReleasedOut:
    """
    Attributes:
        line_id (str):
        product_name (None | str):
        supplier_id (str):
        supplier_name (None | str):
        amount (int):
        commission (int):
        quantity (int):
    """

    line_id: str
    product_name: None | str
    supplier_id: str
    supplier_name: None | str
    amount: int
    commission: int
    quantity: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        line_id = self.line_id

        product_name: None | str
        product_name = self.product_name

        supplier_id = self.supplier_id

        supplier_name: None | str
        supplier_name = self.supplier_name

        amount = self.amount

        commission = self.commission

        quantity = self.quantity

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "line_id": line_id,
                "product_name": product_name,
                "supplier_id": supplier_id,
                "supplier_name": supplier_name,
                "amount": amount,
                "commission": commission,
                "quantity": quantity,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        line_id = d.pop("line_id")

        def _parse_product_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        product_name = _parse_product_name(d.pop("product_name"))

        supplier_id = d.pop("supplier_id")

        def _parse_supplier_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        supplier_name = _parse_supplier_name(d.pop("supplier_name"))

        amount = d.pop("amount")

        commission = d.pop("commission")

        quantity = d.pop("quantity")

        released_out = cls(
            line_id=line_id,
            product_name=product_name,
            supplier_id=supplier_id,
            supplier_name=supplier_name,
            amount=amount,
            commission=commission,
            quantity=quantity,
        )

        released_out.additional_properties = d
        return released_out

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
