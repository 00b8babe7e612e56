from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.cart_out_status import CartOutStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cart_line_out import CartLineOut


T = TypeVar("T", bound="CartOut")


@_attrs_define
class CartOut:
    """
    Attributes:
        id (str):
        status (CartOutStatus):
        merchant_id (str):
        store_id (None | str):
        currency (str):
        lines (list[CartLineOut]):
        amount_total (int):
        order_id (None | str):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        expires_at (datetime.datetime):
        object_ (Literal['cart'] | Unset):  Default: 'cart'.
    """

    id: str
    status: CartOutStatus
    merchant_id: str
    store_id: None | str
    currency: str
    lines: list[CartLineOut]
    amount_total: int
    order_id: None | str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    expires_at: datetime.datetime
    object_: Literal["cart"] | Unset = "cart"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status.value

        merchant_id = self.merchant_id

        store_id: None | str
        store_id = self.store_id

        currency = self.currency

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        amount_total = self.amount_total

        order_id: None | str
        order_id = self.order_id

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        expires_at = self.expires_at.isoformat()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "merchant_id": merchant_id,
                "store_id": store_id,
                "currency": currency,
                "lines": lines,
                "amount_total": amount_total,
                "order_id": order_id,
                "created_at": created_at,
                "updated_at": updated_at,
                "expires_at": expires_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cart_line_out import CartLineOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        status = CartOutStatus(d.pop("status"))

        merchant_id = d.pop("merchant_id")

        def _parse_store_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        store_id = _parse_store_id(d.pop("store_id"))

        currency = d.pop("currency")

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = CartLineOut.from_dict(lines_item_data)

            lines.append(lines_item)

        amount_total = d.pop("amount_total")

        def _parse_order_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        order_id = _parse_order_id(d.pop("order_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        object_ = cast(Literal["cart"] | Unset, d.pop("object", UNSET))
        if object_ != "cart" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'cart', got '{object_}'")

        cart_out = cls(
            id=id,
            status=status,
            merchant_id=merchant_id,
            store_id=store_id,
            currency=currency,
            lines=lines,
            amount_total=amount_total,
            order_id=order_id,
            created_at=created_at,
            updated_at=updated_at,
            expires_at=expires_at,
            object_=object_,
        )

        cart_out.additional_properties = d
        return cart_out

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
