from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.customer_data_orders_item import CustomerDataOrdersItem


T = TypeVar("T", bound="CustomerData")


@_attrs_define
class CustomerData:
    """Everything held about one email: each order with its lines, payments, refunds,
    the transfers that paid them, its events and the emails sent about it (access and
    portability, GDPR articles 15 and 20).

        Attributes:
            email (str):
            orders (list[CustomerDataOrdersItem]):
    """

    email: str
    orders: list[CustomerDataOrdersItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        orders = []
        for orders_item_data in self.orders:
            orders_item = orders_item_data.to_dict()
            orders.append(orders_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "orders": orders,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer_data_orders_item import CustomerDataOrdersItem  # noqa: PLC0415

        d = dict(src_dict)
        email = d.pop("email")

        orders = []
        _orders = d.pop("orders")
        for orders_item_data in _orders:
            orders_item = CustomerDataOrdersItem.from_dict(orders_item_data)

            orders.append(orders_item)

        customer_data = cls(
            email=email,
            orders=orders,
        )

        customer_data.additional_properties = d
        return customer_data

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
