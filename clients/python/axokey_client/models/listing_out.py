from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ListingOut")


@_attrs_define
class ListingOut:
    """
    Attributes:
        id (str):
        merchant_id (str):
        product_id (str):
        unit_price (int):
        currency (str):
        created_at (datetime.datetime):
        object_ (Literal['listing'] | Unset):  Default: 'listing'.
    """

    id: str
    merchant_id: str
    product_id: str
    unit_price: int
    currency: str
    created_at: datetime.datetime
    object_: Literal["listing"] | Unset = "listing"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        merchant_id = self.merchant_id

        product_id = self.product_id

        unit_price = self.unit_price

        currency = self.currency

        created_at = self.created_at.isoformat()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "merchant_id": merchant_id,
                "product_id": product_id,
                "unit_price": unit_price,
                "currency": currency,
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

        merchant_id = d.pop("merchant_id")

        product_id = d.pop("product_id")

        unit_price = d.pop("unit_price")

        currency = d.pop("currency")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        object_ = cast(Literal["listing"] | Unset, d.pop("object", UNSET))
        if object_ != "listing" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'listing', got '{object_}'")

        listing_out = cls(
            id=id,
            merchant_id=merchant_id,
            product_id=product_id,
            unit_price=unit_price,
            currency=currency,
            created_at=created_at,
            object_=object_,
        )

        listing_out.additional_properties = d
        return listing_out

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
