from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.erased_order import ErasedOrder


T = TypeVar("T", bound="ErasureReport")


@_attrs_define
class ErasureReport:
    """
    Attributes:
        pseudonym (str):
        orders_found (int):
        orders_pseudonymised (int):
        orders (list[ErasedOrder]):
    """

    pseudonym: str
    orders_found: int
    orders_pseudonymised: int
    orders: list[ErasedOrder]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pseudonym = self.pseudonym

        orders_found = self.orders_found

        orders_pseudonymised = self.orders_pseudonymised

        orders = []
        for orders_item_data in self.orders:
            orders_item = orders_item_data.to_dict()
            orders.append(orders_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pseudonym": pseudonym,
                "orders_found": orders_found,
                "orders_pseudonymised": orders_pseudonymised,
                "orders": orders,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.erased_order import ErasedOrder  # noqa: PLC0415

        d = dict(src_dict)
        pseudonym = d.pop("pseudonym")

        orders_found = d.pop("orders_found")

        orders_pseudonymised = d.pop("orders_pseudonymised")

        orders = []
        _orders = d.pop("orders")
        for orders_item_data in _orders:
            orders_item = ErasedOrder.from_dict(orders_item_data)

            orders.append(orders_item)

        erasure_report = cls(
            pseudonym=pseudonym,
            orders_found=orders_found,
            orders_pseudonymised=orders_pseudonymised,
            orders=orders,
        )

        erasure_report.additional_properties = d
        return erasure_report

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
