from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.country import Country
from ..types import UNSET, Unset

T = TypeVar("T", bound="AddressIn")


@_attrs_define
class AddressIn:
    """
    Attributes:
        street (None | str | Unset):
        building_number (None | str | Unset):
        postcode (None | str | Unset):
        town (None | str | Unset):
        country (Country | None | Unset):
    """

    street: None | str | Unset = UNSET
    building_number: None | str | Unset = UNSET
    postcode: None | str | Unset = UNSET
    town: None | str | Unset = UNSET
    country: Country | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        street: None | str | Unset
        if isinstance(self.street, Unset):
            street = UNSET
        else:
            street = self.street

        building_number: None | str | Unset
        if isinstance(self.building_number, Unset):
            building_number = UNSET
        else:
            building_number = self.building_number

        postcode: None | str | Unset
        if isinstance(self.postcode, Unset):
            postcode = UNSET
        else:
            postcode = self.postcode

        town: None | str | Unset
        if isinstance(self.town, Unset):
            town = UNSET
        else:
            town = self.town

        country: None | str | Unset
        if isinstance(self.country, Unset):
            country = UNSET
        elif isinstance(self.country, Country):
            country = self.country.value
        else:
            country = self.country

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if street is not UNSET:
            field_dict["street"] = street
        if building_number is not UNSET:
            field_dict["building_number"] = building_number
        if postcode is not UNSET:
            field_dict["postcode"] = postcode
        if town is not UNSET:
            field_dict["town"] = town
        if country is not UNSET:
            field_dict["country"] = country

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_street(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        street = _parse_street(d.pop("street", UNSET))

        def _parse_building_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        building_number = _parse_building_number(d.pop("building_number", UNSET))

        def _parse_postcode(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        postcode = _parse_postcode(d.pop("postcode", UNSET))

        def _parse_town(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        town = _parse_town(d.pop("town", UNSET))

        def _parse_country(data: object) -> Country | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                country_type_0 = Country(data)

                return country_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Country | None | Unset, data)

        country = _parse_country(d.pop("country", UNSET))

        address_in = cls(
            street=street,
            building_number=building_number,
            postcode=postcode,
            town=town,
            country=country,
        )

        return address_in
