from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.kept_data import KeptData


T = TypeVar("T", bound="ErasedOrder")


@_attrs_define
class ErasedOrder:
    """
    Attributes:
        order_id (str):
        order_status (str):
        pseudonymised (bool):
        iban_removed (bool):
        kept (list[KeptData]):
    """

    order_id: str
    order_status: str
    pseudonymised: bool
    iban_removed: bool
    kept: list[KeptData]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        order_status = self.order_status

        pseudonymised = self.pseudonymised

        iban_removed = self.iban_removed

        kept = []
        for kept_item_data in self.kept:
            kept_item = kept_item_data.to_dict()
            kept.append(kept_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "order_id": order_id,
                "order_status": order_status,
                "pseudonymised": pseudonymised,
                "iban_removed": iban_removed,
                "kept": kept,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.kept_data import KeptData  # noqa: PLC0415

        d = dict(src_dict)
        order_id = d.pop("order_id")

        order_status = d.pop("order_status")

        pseudonymised = d.pop("pseudonymised")

        iban_removed = d.pop("iban_removed")

        kept = []
        _kept = d.pop("kept")
        for kept_item_data in _kept:
            kept_item = KeptData.from_dict(kept_item_data)

            kept.append(kept_item)

        erased_order = cls(
            order_id=order_id,
            order_status=order_status,
            pseudonymised=pseudonymised,
            iban_removed=iban_removed,
            kept=kept,
        )

        erased_order.additional_properties = d
        return erased_order

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
