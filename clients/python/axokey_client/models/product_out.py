from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.product_kind import ProductKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProductOut")


@_attrs_define
class ProductOut:
    """
    Attributes:
        id (str):
        supplier_id (str):
        sku (str):
        name (str):
        kind (ProductKind):
        currency (str):
        wholesale_price (int):
        gtin (None | str):
        deposit_bps (int | None):
        created_at (datetime.datetime):
        object_ (Literal['product'] | Unset):  Default: 'product'.
    """

    id: str
    supplier_id: str
    sku: str
    name: str
    kind: ProductKind
    currency: str
    wholesale_price: int
    gtin: None | str
    deposit_bps: int | None
    created_at: datetime.datetime
    object_: Literal["product"] | Unset = "product"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        supplier_id = self.supplier_id

        sku = self.sku

        name = self.name

        kind = self.kind.value

        currency = self.currency

        wholesale_price = self.wholesale_price

        gtin: None | str
        gtin = self.gtin

        deposit_bps: int | None
        deposit_bps = self.deposit_bps

        created_at = self.created_at.isoformat()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "supplier_id": supplier_id,
                "sku": sku,
                "name": name,
                "kind": kind,
                "currency": currency,
                "wholesale_price": wholesale_price,
                "gtin": gtin,
                "deposit_bps": deposit_bps,
                "created_at": created_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        supplier_id = d.pop("supplier_id")

        sku = d.pop("sku")

        name = d.pop("name")

        kind = ProductKind(d.pop("kind"))

        currency = d.pop("currency")

        wholesale_price = d.pop("wholesale_price")

        def _parse_gtin(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        gtin = _parse_gtin(d.pop("gtin"))

        def _parse_deposit_bps(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        deposit_bps = _parse_deposit_bps(d.pop("deposit_bps"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        object_ = cast(Literal["product"] | Unset, d.pop("object", UNSET))
        if object_ != "product" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'product', got '{object_}'")

        product_out = cls(
            id=id,
            supplier_id=supplier_id,
            sku=sku,
            name=name,
            kind=kind,
            currency=currency,
            wholesale_price=wholesale_price,
            gtin=gtin,
            deposit_bps=deposit_bps,
            created_at=created_at,
            object_=object_,
        )

        product_out.additional_properties = d
        return product_out

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
