from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BalanceOut")


@_attrs_define
class BalanceOut:
    """
    Attributes:
        currency (str):
        held (int):
        available (int):
        paid_out (int):
        in_transit (int):
    """

    currency: str
    held: int
    available: int
    paid_out: int
    in_transit: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        held = self.held

        available = self.available

        paid_out = self.paid_out

        in_transit = self.in_transit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "held": held,
                "available": available,
                "paid_out": paid_out,
                "in_transit": in_transit,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = d.pop("currency")

        held = d.pop("held")

        available = d.pop("available")

        paid_out = d.pop("paid_out")

        in_transit = d.pop("in_transit")

        balance_out = cls(
            currency=currency,
            held=held,
            available=available,
            paid_out=paid_out,
            in_transit=in_transit,
        )

        balance_out.additional_properties = d
        return balance_out

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
