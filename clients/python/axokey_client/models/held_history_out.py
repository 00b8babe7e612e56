from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.held_day_out import HeldDayOut


T = TypeVar("T", bound="HeldHistoryOut")


@_attrs_define
class HeldHistoryOut:
    """What was held in escrow at the end of each day (UTC), oldest first.

    Attributes:
        party_id (None | str):
        currency (str):
        days (list[HeldDayOut]):
        object_ (Literal['held_history'] | Unset):  Default: 'held_history'.
    """

    party_id: None | str
    currency: str
    days: list[HeldDayOut]
    object_: Literal["held_history"] | Unset = "held_history"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        party_id: None | str
        party_id = self.party_id

        currency = self.currency

        days = []
        for days_item_data in self.days:
            days_item = days_item_data.to_dict()
            days.append(days_item)

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "party_id": party_id,
                "currency": currency,
                "days": days,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.held_day_out import HeldDayOut  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_party_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        party_id = _parse_party_id(d.pop("party_id"))

        currency = d.pop("currency")

        days = []
        _days = d.pop("days")
        for days_item_data in _days:
            days_item = HeldDayOut.from_dict(days_item_data)

            days.append(days_item)

        object_ = cast(Literal["held_history"] | Unset, d.pop("object", UNSET))
        if object_ != "held_history" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'held_history', got '{object_}'")

        held_history_out = cls(
            party_id=party_id,
            currency=currency,
            days=days,
            object_=object_,
        )

        held_history_out.additional_properties = d
        return held_history_out

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
