from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RefundOut")


@_attrs_define
class RefundOut:
    """
    Attributes:
        id (str):
        order_id (str):
        line_id (None | str):
        amount (int):
        currency (str):
        reason (str):
        method (str):
        status (str):
        failure_code (None | str):
        created_at (datetime.datetime):
        object_ (Literal['refund'] | Unset):  Default: 'refund'.
    """

    id: str
    order_id: str
    line_id: None | str
    amount: int
    currency: str
    reason: str
    method: str
    status: str
    failure_code: None | str
    created_at: datetime.datetime
    object_: Literal["refund"] | Unset = "refund"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        order_id = self.order_id

        line_id: None | str
        line_id = self.line_id

        amount = self.amount

        currency = self.currency

        reason = self.reason

        method = self.method

        status = self.status

        failure_code: None | str
        failure_code = self.failure_code

        created_at = self.created_at.isoformat()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "order_id": order_id,
                "line_id": line_id,
                "amount": amount,
                "currency": currency,
                "reason": reason,
                "method": method,
                "status": status,
                "failure_code": failure_code,
                "created_at": created_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        order_id = d.pop("order_id")

        def _parse_line_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        line_id = _parse_line_id(d.pop("line_id"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        reason = d.pop("reason")

        method = d.pop("method")

        status = d.pop("status")

        def _parse_failure_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        failure_code = _parse_failure_code(d.pop("failure_code"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        object_ = cast(Literal["refund"] | Unset, d.pop("object", UNSET))
        if object_ != "refund" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'refund', got '{object_}'")

        refund_out = cls(
            id=id,
            order_id=order_id,
            line_id=line_id,
            amount=amount,
            currency=currency,
            reason=reason,
            method=method,
            status=status,
            failure_code=failure_code,
            created_at=created_at,
            object_=object_,
        )

        refund_out.additional_properties = d
        return refund_out

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
