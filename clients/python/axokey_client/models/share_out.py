from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ShareOut")


@_attrs_define
class ShareOut:
    """The caller's own part of the order: what it earns if everything is handed over
    (a supplier its lines' share, the merchant its commissions, the courier its fee),
    released to it, still held for it, and refunded to the customer from its part.

        Attributes:
            party_id (str):
            role (str):
            amount (int):
            released (int):
            held (int):
            refunded (int):
    """

    party_id: str
    role: str
    amount: int
    released: int
    held: int
    refunded: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        party_id = self.party_id

        role = self.role

        amount = self.amount

        released = self.released

        held = self.held

        refunded = self.refunded

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "party_id": party_id,
                "role": role,
                "amount": amount,
                "released": released,
                "held": held,
                "refunded": refunded,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        party_id = d.pop("party_id")

        role = d.pop("role")

        amount = d.pop("amount")

        released = d.pop("released")

        held = d.pop("held")

        refunded = d.pop("refunded")

        share_out = cls(
            party_id=party_id,
            role=role,
            amount=amount,
            released=released,
            held=held,
            refunded=refunded,
        )

        share_out.additional_properties = d
        return share_out

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
