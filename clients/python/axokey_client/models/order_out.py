from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.amounts_out import AmountsOut
    from ..models.customer_out import CustomerOut
    from ..models.line_out import LineOut
    from ..models.redemption_code_out import RedemptionCodeOut
    from ..models.share_out import ShareOut


T = TypeVar("T", bound="OrderOut")


@_attrs_define
class OrderOut:
    """An order as its caller may see it. A supplier sees its own lines and its own
    share only: the order's total, delivery fee and escrow figures are ``null`` for it.

        Attributes:
            id (str):
            merchant_id (str):
            merchant_name (None | str):
            status (str):
            currency (str):
            payment_mode (str):
            fulfilment (str):
            amount_total (int | None):
            delivery_fee (int | None):
            courier_fee_status (str):
            courier_id (None | str):
            store_id (None | str):
            customer (CustomerOut): The customer: contact and bank details for the merchant and the operator; the
                professionals who hand over (courier, store) see the name only; a supplier,
                nothing but the language.
            lines (list[LineOut]):
            amounts (AmountsOut | None):
            share (None | ShareOut):
            customer_url (None | str):
            redemption (None | RedemptionCodeOut):
            created_at (datetime.datetime):
            paid_at (datetime.datetime | None):
            redeem_by (datetime.datetime):
            object_ (Literal['order'] | Unset):  Default: 'order'.
    """

    id: str
    merchant_id: str
    merchant_name: None | str
    status: str
    currency: str
    payment_mode: str
    fulfilment: str
    amount_total: int | None
    delivery_fee: int | None
    courier_fee_status: str
    courier_id: None | str
    store_id: None | str
    customer: CustomerOut
    lines: list[LineOut]
    amounts: AmountsOut | None
    share: None | ShareOut
    customer_url: None | str
    redemption: None | RedemptionCodeOut
    created_at: datetime.datetime
    paid_at: datetime.datetime | None
    redeem_by: datetime.datetime
    object_: Literal["order"] | Unset = "order"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.amounts_out import AmountsOut  # noqa: PLC0415
        from ..models.redemption_code_out import RedemptionCodeOut  # noqa: PLC0415
        from ..models.share_out import ShareOut  # noqa: PLC0415

        id = self.id

        merchant_id = self.merchant_id

        merchant_name: None | str
        merchant_name = self.merchant_name

        status = self.status

        currency = self.currency

        payment_mode = self.payment_mode

        fulfilment = self.fulfilment

        amount_total: int | None
        amount_total = self.amount_total

        delivery_fee: int | None
        delivery_fee = self.delivery_fee

        courier_fee_status = self.courier_fee_status

        courier_id: None | str
        courier_id = self.courier_id

        store_id: None | str
        store_id = self.store_id

        customer = self.customer.to_dict()

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        amounts: dict[str, Any] | None
        if isinstance(self.amounts, AmountsOut):
            amounts = self.amounts.to_dict()
        else:
            amounts = self.amounts

        share: dict[str, Any] | None
        if isinstance(self.share, ShareOut):
            share = self.share.to_dict()
        else:
            share = self.share

        customer_url: None | str
        customer_url = self.customer_url

        redemption: dict[str, Any] | None
        if isinstance(self.redemption, RedemptionCodeOut):
            redemption = self.redemption.to_dict()
        else:
            redemption = self.redemption

        created_at = self.created_at.isoformat()

        paid_at: None | str
        if isinstance(self.paid_at, datetime.datetime):
            paid_at = self.paid_at.isoformat()
        else:
            paid_at = self.paid_at

        redeem_by = self.redeem_by.isoformat()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "merchant_id": merchant_id,
                "merchant_name": merchant_name,
                "status": status,
                "currency": currency,
                "payment_mode": payment_mode,
                "fulfilment": fulfilment,
                "amount_total": amount_total,
                "delivery_fee": delivery_fee,
                "courier_fee_status": courier_fee_status,
                "courier_id": courier_id,
                "store_id": store_id,
                "customer": customer,
                "lines": lines,
                "amounts": amounts,
                "share": share,
                "customer_url": customer_url,
                "redemption": redemption,
                "created_at": created_at,
                "paid_at": paid_at,
                "redeem_by": redeem_by,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.amounts_out import AmountsOut  # noqa: PLC0415
        from ..models.customer_out import CustomerOut  # noqa: PLC0415
        from ..models.line_out import LineOut  # noqa: PLC0415
        from ..models.redemption_code_out import RedemptionCodeOut  # noqa: PLC0415
        from ..models.share_out import ShareOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        merchant_id = d.pop("merchant_id")

        def _parse_merchant_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        merchant_name = _parse_merchant_name(d.pop("merchant_name"))

        status = d.pop("status")

        currency = d.pop("currency")

        payment_mode = d.pop("payment_mode")

        fulfilment = d.pop("fulfilment")

        def _parse_amount_total(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        amount_total = _parse_amount_total(d.pop("amount_total"))

        def _parse_delivery_fee(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        delivery_fee = _parse_delivery_fee(d.pop("delivery_fee"))

        courier_fee_status = d.pop("courier_fee_status")

        def _parse_courier_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        courier_id = _parse_courier_id(d.pop("courier_id"))

        def _parse_store_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        store_id = _parse_store_id(d.pop("store_id"))

        customer = CustomerOut.from_dict(d.pop("customer"))

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = LineOut.from_dict(lines_item_data)

            lines.append(lines_item)

        def _parse_amounts(data: object) -> AmountsOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                amounts_type_0 = AmountsOut.from_dict(data)

                return amounts_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AmountsOut | None, data)

        amounts = _parse_amounts(d.pop("amounts"))

        def _parse_share(data: object) -> None | ShareOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                share_type_0 = ShareOut.from_dict(data)

                return share_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ShareOut, data)

        share = _parse_share(d.pop("share"))

        def _parse_customer_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        customer_url = _parse_customer_url(d.pop("customer_url"))

        def _parse_redemption(data: object) -> None | RedemptionCodeOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                redemption_type_0 = RedemptionCodeOut.from_dict(data)

                return redemption_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RedemptionCodeOut, data)

        redemption = _parse_redemption(d.pop("redemption"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_paid_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                paid_at_type_0 = datetime.datetime.fromisoformat(data)

                return paid_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        paid_at = _parse_paid_at(d.pop("paid_at"))

        redeem_by = datetime.datetime.fromisoformat(d.pop("redeem_by"))

        object_ = cast(Literal["order"] | Unset, d.pop("object", UNSET))
        if object_ != "order" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'order', got '{object_}'")

        order_out = cls(
            id=id,
            merchant_id=merchant_id,
            merchant_name=merchant_name,
            status=status,
            currency=currency,
            payment_mode=payment_mode,
            fulfilment=fulfilment,
            amount_total=amount_total,
            delivery_fee=delivery_fee,
            courier_fee_status=courier_fee_status,
            courier_id=courier_id,
            store_id=store_id,
            customer=customer,
            lines=lines,
            amounts=amounts,
            share=share,
            customer_url=customer_url,
            redemption=redemption,
            created_at=created_at,
            paid_at=paid_at,
            redeem_by=redeem_by,
            object_=object_,
        )

        order_out.additional_properties = d
        return order_out

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
