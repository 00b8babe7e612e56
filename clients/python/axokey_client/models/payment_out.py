from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.next_action_out import NextActionOut


T = TypeVar("T", bound="PaymentOut")


@_attrs_define
class PaymentOut:
    """
    Attributes:
        id (str):
        order_id (str):
        status (str):
        amount (int):
        currency (str):
        provider (str):
        checkout_url (None | str):
        next_action (NextActionOut | None):
        failure_code (None | str):
        created_at (datetime.datetime):
        object_ (Literal['payment'] | Unset):  Default: 'payment'.
    """

    id: str
    order_id: str
    status: str
    amount: int
    currency: str
    provider: str
    checkout_url: None | str
    next_action: NextActionOut | None
    failure_code: None | str
    created_at: datetime.datetime
    object_: Literal["payment"] | Unset = "payment"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.next_action_out import NextActionOut  # noqa: PLC0415

        id = self.id

        order_id = self.order_id

        status = self.status

        amount = self.amount

        currency = self.currency

        provider = self.provider

        checkout_url: None | str
        checkout_url = self.checkout_url

        next_action: dict[str, Any] | None
        if isinstance(self.next_action, NextActionOut):
            next_action = self.next_action.to_dict()
        else:
            next_action = self.next_action

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
                "status": status,
                "amount": amount,
                "currency": currency,
                "provider": provider,
                "checkout_url": checkout_url,
                "next_action": next_action,
                "failure_code": failure_code,
                "created_at": created_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.next_action_out import NextActionOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        order_id = d.pop("order_id")

        status = d.pop("status")

        amount = d.pop("amount")

        currency = d.pop("currency")

        provider = d.pop("provider")

        def _parse_checkout_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        checkout_url = _parse_checkout_url(d.pop("checkout_url"))

        def _parse_next_action(data: object) -> NextActionOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                next_action_type_0 = NextActionOut.from_dict(data)

                return next_action_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(NextActionOut | None, data)

        next_action = _parse_next_action(d.pop("next_action"))

        def _parse_failure_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        failure_code = _parse_failure_code(d.pop("failure_code"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        object_ = cast(Literal["payment"] | Unset, d.pop("object", UNSET))
        if object_ != "payment" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'payment', got '{object_}'")

        payment_out = cls(
            id=id,
            order_id=order_id,
            status=status,
            amount=amount,
            currency=currency,
            provider=provider,
            checkout_url=checkout_url,
            next_action=next_action,
            failure_code=failure_code,
            created_at=created_at,
            object_=object_,
        )

        payment_out.additional_properties = d
        return payment_out

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
