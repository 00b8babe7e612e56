from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.cart_checkout_in_fulfilment import CartCheckoutInFulfilment
from ..models.cart_checkout_in_payment_mode import CartCheckoutInPaymentMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.customer_in import CustomerIn


T = TypeVar("T", bound="CartCheckoutIn")


@_attrs_define
class CartCheckoutIn:
    """As ``POST /v1/orders`` without ``currency`` and ``lines`` (the cart's).
    ``fulfilment`` defaults to ``store``: at the cart's store.

        Attributes:
            payment_mode (CartCheckoutInPaymentMode):
            customer (CustomerIn):
            fulfilment (CartCheckoutInFulfilment | Unset):  Default: CartCheckoutInFulfilment.STORE.
            courier_id (None | str | Unset):
            delivery_fee (int | Unset):  Default: 0.
            store_id (None | str | Unset):
            redeem_by (datetime.datetime | None | Unset):
    """

    payment_mode: CartCheckoutInPaymentMode
    customer: CustomerIn
    fulfilment: CartCheckoutInFulfilment | Unset = CartCheckoutInFulfilment.STORE
    courier_id: None | str | Unset = UNSET
    delivery_fee: int | Unset = 0
    store_id: None | str | Unset = UNSET
    redeem_by: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        payment_mode = self.payment_mode.value

        customer = self.customer.to_dict()

        fulfilment: str | Unset = UNSET
        if not isinstance(self.fulfilment, Unset):
            fulfilment = self.fulfilment.value

        courier_id: None | str | Unset
        if isinstance(self.courier_id, Unset):
            courier_id = UNSET
        else:
            courier_id = self.courier_id

        delivery_fee = self.delivery_fee

        store_id: None | str | Unset
        if isinstance(self.store_id, Unset):
            store_id = UNSET
        else:
            store_id = self.store_id

        redeem_by: None | str | Unset
        if isinstance(self.redeem_by, Unset):
            redeem_by = UNSET
        elif isinstance(self.redeem_by, datetime.datetime):
            redeem_by = self.redeem_by.isoformat()
        else:
            redeem_by = self.redeem_by

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "payment_mode": payment_mode,
                "customer": customer,
            }
        )
        if fulfilment is not UNSET:
            field_dict["fulfilment"] = fulfilment
        if courier_id is not UNSET:
            field_dict["courier_id"] = courier_id
        if delivery_fee is not UNSET:
            field_dict["delivery_fee"] = delivery_fee
        if store_id is not UNSET:
            field_dict["store_id"] = store_id
        if redeem_by is not UNSET:
            field_dict["redeem_by"] = redeem_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer_in import CustomerIn  # noqa: PLC0415

        d = dict(src_dict)
        payment_mode = CartCheckoutInPaymentMode(d.pop("payment_mode"))

        customer = CustomerIn.from_dict(d.pop("customer"))

        _fulfilment = d.pop("fulfilment", UNSET)
        fulfilment: CartCheckoutInFulfilment | Unset
        if isinstance(_fulfilment, Unset):
            fulfilment = UNSET
        else:
            fulfilment = CartCheckoutInFulfilment(_fulfilment)

        def _parse_courier_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        courier_id = _parse_courier_id(d.pop("courier_id", UNSET))

        delivery_fee = d.pop("delivery_fee", UNSET)

        def _parse_store_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        store_id = _parse_store_id(d.pop("store_id", UNSET))

        def _parse_redeem_by(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                redeem_by_type_0 = datetime.datetime.fromisoformat(data)

                return redeem_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        redeem_by = _parse_redeem_by(d.pop("redeem_by", UNSET))

        cart_checkout_in = cls(
            payment_mode=payment_mode,
            customer=customer,
            fulfilment=fulfilment,
            courier_id=courier_id,
            delivery_fee=delivery_fee,
            store_id=store_id,
            redeem_by=redeem_by,
        )

        return cart_checkout_in
