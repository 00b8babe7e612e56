from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.address_out import AddressOut


T = TypeVar("T", bound="PartyOut")


@_attrs_define
class PartyOut:
    """
    Attributes:
        id (str):
        role (str):
        name (str):
        email (None | str):
        iban (None | str):
        bic (None | str):
        address (AddressOut):
        merchant_id (None | str):
        created_at (datetime.datetime):
        object_ (Literal['party'] | Unset):  Default: 'party'.
    """

    id: str
    role: str
    name: str
    email: None | str
    iban: None | str
    bic: None | str
    address: AddressOut
    merchant_id: None | str
    created_at: datetime.datetime
    object_: Literal["party"] | Unset = "party"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        role = self.role

        name = self.name

        email: None | str
        email = self.email

        iban: None | str
        iban = self.iban

        bic: None | str
        bic = self.bic

        address = self.address.to_dict()

        merchant_id: None | str
        merchant_id = self.merchant_id

        created_at = self.created_at.isoformat()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "role": role,
                "name": name,
                "email": email,
                "iban": iban,
                "bic": bic,
                "address": address,
                "merchant_id": merchant_id,
                "created_at": created_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.address_out import AddressOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        role = d.pop("role")

        name = d.pop("name")

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        def _parse_iban(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        iban = _parse_iban(d.pop("iban"))

        def _parse_bic(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        bic = _parse_bic(d.pop("bic"))

        address = AddressOut.from_dict(d.pop("address"))

        def _parse_merchant_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        merchant_id = _parse_merchant_id(d.pop("merchant_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        object_ = cast(Literal["party"] | Unset, d.pop("object", UNSET))
        if object_ != "party" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'party', got '{object_}'")

        party_out = cls(
            id=id,
            role=role,
            name=name,
            email=email,
            iban=iban,
            bic=bic,
            address=address,
            merchant_id=merchant_id,
            created_at=created_at,
            object_=object_,
        )

        party_out.additional_properties = d
        return party_out

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
