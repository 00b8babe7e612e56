from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.iban_change_out import IbanChangeOut


T = TypeVar("T", bound="IbanHistoryOut")


@_attrs_define
class IbanHistoryOut:
    """
    Attributes:
        party_id (str):
        changes (list[IbanChangeOut]):
        object_ (Literal['iban_history'] | Unset):  Default: 'iban_history'.
    """

    party_id: str
    changes: list[IbanChangeOut]
    object_: Literal["iban_history"] | Unset = "iban_history"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        party_id = self.party_id

        changes = []
        for changes_item_data in self.changes:
            changes_item = changes_item_data.to_dict()
            changes.append(changes_item)

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "party_id": party_id,
                "changes": changes,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.iban_change_out import IbanChangeOut  # noqa: PLC0415

        d = dict(src_dict)
        party_id = d.pop("party_id")

        changes = []
        _changes = d.pop("changes")
        for changes_item_data in _changes:
            changes_item = IbanChangeOut.from_dict(changes_item_data)

            changes.append(changes_item)

        object_ = cast(Literal["iban_history"] | Unset, d.pop("object", UNSET))
        if object_ != "iban_history" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'iban_history', got '{object_}'")

        iban_history_out = cls(
            party_id=party_id,
            changes=changes,
            object_=object_,
        )

        iban_history_out.additional_properties = d
        return iban_history_out

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
