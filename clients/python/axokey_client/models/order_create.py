from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.currency import Currency
from ..models.order_create_fulfilment import OrderCreateFulfilment
from ..models.order_create_payment_mode import OrderCreatePaymentMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.customer_in import CustomerIn
    from ..models.line_in import LineIn


T = TypeVar("T", bound="OrderCreate")


@_attrs_define
class OrderCreate:
    """A delivery names its courier, a store order its store; only a delivery has a
    courier and a delivery fee, only a store order a store; an itinerary's lines each
    have a service date (422 otherwise).

        Attributes:
            currency (Currency): ISO 4217, upper case, with a minor unit (the currencies a payment can be made in).
            payment_mode (OrderCreatePaymentMode):
            fulfilment (OrderCreateFulfilment):
            customer (CustomerIn):
            lines (list[LineIn]):
            courier_id (None | str | Unset):
            delivery_fee (int | Unset):  Default: 0.
            store_id (None | str | Unset):
            redeem_by (datetime.datetime | None | Unset):
    """

    currency: Currency
    payment_mode: OrderCreatePaymentMode
    fulfilment: OrderCreateFulfilment
    customer: CustomerIn
    lines: list[LineIn]
    courier_id: None | str | Unset = UNSET
    delivery_fee: int | Unset = 0
    store_id: None | str | Unset = UNSET
    redeem_by: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency.value

        payment_mode = self.payment_mode.value

        fulfilment = self.fulfilment.value

        customer = self.customer.to_dict()

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

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
                "currency": currency,
                "payment_mode": payment_mode,
                "fulfilment": fulfilment,
                "customer": customer,
                "lines": lines,
            }
        )
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
        from ..models.line_in import LineIn  # noqa: PLC0415

        d = dict(src_dict)
        currency = Currency(d.pop("currency"))

        payment_mode = OrderCreatePaymentMode(d.pop("payment_mode"))

        fulfilment = OrderCreateFulfilment(d.pop("fulfilment"))

        customer = CustomerIn.from_dict(d.pop("customer"))

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = LineIn.from_dict(lines_item_data)

            lines.append(lines_item)

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

        order_create = cls(
            currency=currency,
            payment_mode=payment_mode,
            fulfilment=fulfilment,
            customer=customer,
            lines=lines,
            courier_id=courier_id,
            delivery_fee=delivery_fee,
            store_id=store_id,
            redeem_by=redeem_by,
        )

        return order_create
