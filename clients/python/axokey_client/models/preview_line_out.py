from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PreviewLineOut")


@_attrs_define
class PreviewLineOut:
    """
    Attributes:
        line_id (str):
        product_id (str):
        product_name (None | str):
        supplier_id (str):
        supplier_name (None | str):
        quantity (int):
        amount (int):
        releasable_amount (int):
        releasable_commission (int):
        gtin (None | str):
    """

    line_id: str
    product_id: str
    product_name: None | str
    supplier_id: str
    supplier_name: None | str
    quantity: int
    amount: int
    releasable_amount: int
    releasable_commission: int
    gtin: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        line_id = self.line_id

        product_id = self.product_id

        product_name: None | str
        product_name = self.product_name

        supplier_id = self.supplier_id

        supplier_name: None | str
        supplier_name = self.supplier_name

        quantity = self.quantity

        amount = self.amount

        releasable_amount = self.releasable_amount

        releasable_commission = self.releasable_commission

        gtin: None | str
        gtin = self.gtin

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "line_id": line_id,
                "product_id": product_id,
                "product_name": product_name,
                "supplier_id": supplier_id,
                "supplier_name": supplier_name,
                "quantity": quantity,
                "amount": amount,
                "releasable_amount": releasable_amount,
                "releasable_commission": releasable_commission,
                "gtin": gtin,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        line_id = d.pop("line_id")

        product_id = d.pop("product_id")

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

        quantity = d.pop("quantity")

        amount = d.pop("amount")

        releasable_amount = d.pop("releasable_amount")

        releasable_commission = d.pop("releasable_commission")

        def _parse_gtin(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        gtin = _parse_gtin(d.pop("gtin"))

        preview_line_out = cls(
            line_id=line_id,
            product_id=product_id,
            product_name=product_name,
            supplier_id=supplier_id,
            supplier_name=supplier_name,
            quantity=quantity,
            amount=amount,
            releasable_amount=releasable_amount,
            releasable_commission=releasable_commission,
            gtin=gtin,
        )

        preview_line_out.additional_properties = d
        return preview_line_out

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
