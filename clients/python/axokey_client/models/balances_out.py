from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.balance_out import BalanceOut


T = TypeVar("T", bound="BalancesOut")


@_attrs_define
class BalancesOut:
    """
    Attributes:
        party_id (str):
        balances (list[BalanceOut]):
        object_ (Literal['balance'] | Unset):  Default: 'balance'.
    """

    party_id: str
    balances: list[BalanceOut]
    object_: Literal["balance"] | Unset = "balance"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        party_id = self.party_id

        balances = []
        for balances_item_data in self.balances:
            balances_item = balances_item_data.to_dict()
            balances.append(balances_item)

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "party_id": party_id,
                "balances": balances,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.balance_out import BalanceOut  # noqa: PLC0415

        d = dict(src_dict)
        party_id = d.pop("party_id")

        balances = []
        _balances = d.pop("balances")
        for balances_item_data in _balances:
            balances_item = BalanceOut.from_dict(balances_item_data)

            balances.append(balances_item)

        object_ = cast(Literal["balance"] | Unset, d.pop("object", UNSET))
        if object_ != "balance" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'balance', got '{object_}'")

        balances_out = cls(
            party_id=party_id,
            balances=balances,
            object_=object_,
        )

        balances_out.additional_properties = d
        return balances_out

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
