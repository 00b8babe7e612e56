from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="IbanChangeOut")


@_attrs_define
class IbanChangeOut:
    """
    Attributes:
        previous_iban (None | str):
        iban (None | str):
        changed_by (str):
        changed_at (datetime.datetime):
    """

    previous_iban: None | str
    iban: None | str
    changed_by: str
    changed_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        previous_iban: None | str
        previous_iban = self.previous_iban

        iban: None | str
        iban = self.iban

        changed_by = self.changed_by

        changed_at = self.changed_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "previous_iban": previous_iban,
                "iban": iban,
                "changed_by": changed_by,
                "changed_at": changed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_previous_iban(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_iban = _parse_previous_iban(d.pop("previous_iban"))

        def _parse_iban(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        iban = _parse_iban(d.pop("iban"))

        changed_by = d.pop("changed_by")

        changed_at = datetime.datetime.fromisoformat(d.pop("changed_at"))

        iban_change_out = cls(
            previous_iban=previous_iban,
            iban=iban,
            changed_by=changed_by,
            changed_at=changed_at,
        )

        iban_change_out.additional_properties = d
        return iban_change_out

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
