from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SweepOut")


@_attrs_define
class SweepOut:
    """
    Attributes:
        as_of (datetime.datetime):
        orders_settled (int):
        lines_refunded (int):
        amount_refunded (int):
        pending_transfers_expired (int):
        card_refunds_retried (int):
        orders_failed (int):
        unpaid_store_orders_expired (int | Unset):  Default: 0.
        carts_expired (int | Unset):  Default: 0.
    """

    as_of: datetime.datetime
    orders_settled: int
    lines_refunded: int
    amount_refunded: int
    pending_transfers_expired: int
    card_refunds_retried: int
    orders_failed: int
    unpaid_store_orders_expired: int | Unset = 0
    carts_expired: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        as_of = self.as_of.isoformat()

        orders_settled = self.orders_settled

        lines_refunded = self.lines_refunded

        amount_refunded = self.amount_refunded

        pending_transfers_expired = self.pending_transfers_expired

        card_refunds_retried = self.card_refunds_retried

        orders_failed = self.orders_failed

        unpaid_store_orders_expired = self.unpaid_store_orders_expired

        carts_expired = self.carts_expired

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "as_of": as_of,
                "orders_settled": orders_settled,
                "lines_refunded": lines_refunded,
                "amount_refunded": amount_refunded,
                "pending_transfers_expired": pending_transfers_expired,
                "card_refunds_retried": card_refunds_retried,
                "orders_failed": orders_failed,
            }
        )
        if unpaid_store_orders_expired is not UNSET:
            field_dict["unpaid_store_orders_expired"] = unpaid_store_orders_expired
        if carts_expired is not UNSET:
            field_dict["carts_expired"] = carts_expired

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        orders_settled = d.pop("orders_settled")

        lines_refunded = d.pop("lines_refunded")

        amount_refunded = d.pop("amount_refunded")

        pending_transfers_expired = d.pop("pending_transfers_expired")

        card_refunds_retried = d.pop("card_refunds_retried")

        orders_failed = d.pop("orders_failed")

        unpaid_store_orders_expired = d.pop("unpaid_store_orders_expired", UNSET)

        carts_expired = d.pop("carts_expired", UNSET)

        sweep_out = cls(
            as_of=as_of,
            orders_settled=orders_settled,
            lines_refunded=lines_refunded,
            amount_refunded=amount_refunded,
            pending_transfers_expired=pending_transfers_expired,
            card_refunds_retried=card_refunds_retried,
            orders_failed=orders_failed,
            unpaid_store_orders_expired=unpaid_store_orders_expired,
            carts_expired=carts_expired,
        )

        sweep_out.additional_properties = d
        return sweep_out

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
