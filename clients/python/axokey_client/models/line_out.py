from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LineOut")


@_attrs_define
class LineOut:
    """A line. ``supplier_amount``, ``commission``, ``deposit`` and the released and
    refunded amounts are null for a professional who does not earn on the line.

        Attributes:
            id (str):
            product_id (str):
            product_name (None | str):
            supplier_id (str):
            supplier_name (None | str):
            kind (str):
            quantity (int):
            unit_price (int):
            amount (int):
            supplier_amount (int | None):
            commission (int | None):
            deposit_bps (int | None):
            deposit (int | None):
            service_date (datetime.date | None):
            deadline (datetime.datetime):
            status (str):
            quantity_released (int):
            released_amount (int | None):
            refunded_amount (int | None):
    """

    id: str
    product_id: str
    product_name: None | str
    supplier_id: str
    supplier_name: None | str
    kind: str
    quantity: int
    unit_price: int
    amount: int
    supplier_amount: int | None
    commission: int | None
    deposit_bps: int | None
    deposit: int | None
    service_date: datetime.date | None
    deadline: datetime.datetime
    status: str
    quantity_released: int
    released_amount: int | None
    refunded_amount: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        product_id = self.product_id

        product_name: None | str
        product_name = self.product_name

        supplier_id = self.supplier_id

        supplier_name: None | str
        supplier_name = self.supplier_name

        kind = self.kind

        quantity = self.quantity

        unit_price = self.unit_price

        amount = self.amount

        supplier_amount: int | None
        supplier_amount = self.supplier_amount

        commission: int | None
        commission = self.commission

        deposit_bps: int | None
        deposit_bps = self.deposit_bps

        deposit: int | None
        deposit = self.deposit

        service_date: None | str
        if isinstance(self.service_date, datetime.date):
            service_date = self.service_date.isoformat()
        else:
            service_date = self.service_date

        deadline = self.deadline.isoformat()

        status = self.status

        quantity_released = self.quantity_released

        released_amount: int | None
        released_amount = self.released_amount

        refunded_amount: int | None
        refunded_amount = self.refunded_amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "product_id": product_id,
                "product_name": product_name,
                "supplier_id": supplier_id,
                "supplier_name": supplier_name,
                "kind": kind,
                "quantity": quantity,
                "unit_price": unit_price,
                "amount": amount,
                "supplier_amount": supplier_amount,
                "commission": commission,
                "deposit_bps": deposit_bps,
                "deposit": deposit,
                "service_date": service_date,
                "deadline": deadline,
                "status": status,
                "quantity_released": quantity_released,
                "released_amount": released_amount,
                "refunded_amount": refunded_amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        product_id = d.pop("product_id")

        def _parse_product_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        product_name = _parse_product_name(d.pop("product_name"))

        supplier_id = d.pop("supplier_id")

        def _parse_supplier_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        supplier_name = _parse_supplier_name(d.pop("supplier_name"))

        kind = d.pop("kind")

        quantity = d.pop("quantity")

        unit_price = d.pop("unit_price")

        amount = d.pop("amount")

        def _parse_supplier_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        supplier_amount = _parse_supplier_amount(d.pop("supplier_amount"))

        def _parse_commission(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        commission = _parse_commission(d.pop("commission"))

        def _parse_deposit_bps(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        deposit_bps = _parse_deposit_bps(d.pop("deposit_bps"))

        def _parse_deposit(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        deposit = _parse_deposit(d.pop("deposit"))

        def _parse_service_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                service_date_type_0 = datetime.date.fromisoformat(data)

                return service_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        service_date = _parse_service_date(d.pop("service_date"))

        deadline = datetime.datetime.fromisoformat(d.pop("deadline"))

        status = d.pop("status")

        quantity_released = d.pop("quantity_released")

        def _parse_released_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        released_amount = _parse_released_amount(d.pop("released_amount"))

        def _parse_refunded_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        refunded_amount = _parse_refunded_amount(d.pop("refunded_amount"))

        line_out = cls(
            id=id,
            product_id=product_id,
            product_name=product_name,
            supplier_id=supplier_id,
            supplier_name=supplier_name,
            kind=kind,
            quantity=quantity,
            unit_price=unit_price,
            amount=amount,
            supplier_amount=supplier_amount,
            commission=commission,
            deposit_bps=deposit_bps,
            deposit=deposit,
            service_date=service_date,
            deadline=deadline,
            status=status,
            quantity_released=quantity_released,
            released_amount=released_amount,
            refunded_amount=refunded_amount,
        )

        line_out.additional_properties = d
        return line_out

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
