from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AddressOut")


@_attrs_define
class AddressOut:
    """
    Attributes:
        street (None | str):
        postcode (None | str):
        town (None | str):
        country (None | str):
        building_number (None | str | Unset):
    """

    street: None | str
    postcode: None | str
    town: None | str
    country: None | str
    building_number: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        street: None | str
        street = self.street

        postcode: None | str
        postcode = self.postcode

        town: None | str
        town = self.town

        country: None | str
        country = self.country

        building_number: None | str | Unset
        if isinstance(self.building_number, Unset):
            building_number = UNSET
        else:
            building_number = self.building_number

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "street": street,
                "postcode": postcode,
                "town": town,
                "country": country,
            }
        )
        if building_number is not UNSET:
            field_dict["building_number"] = building_number

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_street(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        street = _parse_street(d.pop("street"))

        def _parse_postcode(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        postcode = _parse_postcode(d.pop("postcode"))

        def _parse_town(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        town = _parse_town(d.pop("town"))

        def _parse_country(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        country = _parse_country(d.pop("country"))

        def _parse_building_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        building_number = _parse_building_number(d.pop("building_number", UNSET))

        address_out = cls(
            street=street,
            postcode=postcode,
            town=town,
            country=country,
            building_number=building_number,
        )

        address_out.additional_properties = d
        return address_out

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
