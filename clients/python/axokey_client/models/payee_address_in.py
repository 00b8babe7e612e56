from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.country import Country
from ..types import UNSET, Unset

T = TypeVar("T", bound="PayeeAddressIn")


@_attrs_define
class PayeeAddressIn:
    """A structured postal address, as SEPA credit transfers carry it.

    Attributes:
        street (str):
        postcode (str):
        town (str):
        country (Country): ISO 3166-1 alpha-2, upper case.
        building_number (None | str | Unset):
    """

    street: str
    postcode: str
    town: str
    country: Country
    building_number: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        street = self.street

        postcode = self.postcode

        town = self.town

        country = self.country.value

        building_number: None | str | Unset
        if isinstance(self.building_number, Unset):
            building_number = UNSET
        else:
            building_number = self.building_number

        field_dict: dict[str, Any] = {}

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
        street = d.pop("street")

        postcode = d.pop("postcode")

        town = d.pop("town")

        country = Country(d.pop("country"))

        def _parse_building_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        building_number = _parse_building_number(d.pop("building_number", UNSET))

        payee_address_in = cls(
            street=street,
            postcode=postcode,
            town=town,
            country=country,
            building_number=building_number,
        )

        return payee_address_in
