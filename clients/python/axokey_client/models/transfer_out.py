from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TransferOut")


@_attrs_define
class TransferOut:
    """
    Attributes:
        id (str):
        kind (str):
        debit_account_id (str):
        credit_account_id (str):
        amount (int):
        currency (str):
        pending_id (None | str):
        timeout_at (datetime.datetime | None):
        code (str):
        order_id (None | str):
        line_id (None | str):
        created_at (datetime.datetime):
    """

    id: str
    kind: str
    debit_account_id: str
    credit_account_id: str
    amount: int
    currency: str
    pending_id: None | str
    timeout_at: datetime.datetime | None
    code: str
    order_id: None | str
    line_id: None | str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind

        debit_account_id = self.debit_account_id

        credit_account_id = self.credit_account_id

        amount = self.amount

        currency = self.currency

        pending_id: None | str
        pending_id = self.pending_id

        timeout_at: None | str
        if isinstance(self.timeout_at, datetime.datetime):
            timeout_at = self.timeout_at.isoformat()
        else:
            timeout_at = self.timeout_at

        code = self.code

        order_id: None | str
        order_id = self.order_id

        line_id: None | str
        line_id = self.line_id

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "debit_account_id": debit_account_id,
                "credit_account_id": credit_account_id,
                "amount": amount,
                "currency": currency,
                "pending_id": pending_id,
                "timeout_at": timeout_at,
                "code": code,
                "order_id": order_id,
                "line_id": line_id,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        kind = d.pop("kind")

        debit_account_id = d.pop("debit_account_id")

        credit_account_id = d.pop("credit_account_id")

        amount = d.pop("amount")

        currency = d.pop("currency")

        def _parse_pending_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        pending_id = _parse_pending_id(d.pop("pending_id"))

        def _parse_timeout_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                timeout_at_type_0 = datetime.datetime.fromisoformat(data)

                return timeout_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        timeout_at = _parse_timeout_at(d.pop("timeout_at"))

        code = d.pop("code")

        def _parse_order_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        order_id = _parse_order_id(d.pop("order_id"))

        def _parse_line_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        line_id = _parse_line_id(d.pop("line_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        transfer_out = cls(
            id=id,
            kind=kind,
            debit_account_id=debit_account_id,
            credit_account_id=credit_account_id,
            amount=amount,
            currency=currency,
            pending_id=pending_id,
            timeout_at=timeout_at,
            code=code,
            order_id=order_id,
            line_id=line_id,
            created_at=created_at,
        )

        transfer_out.additional_properties = d
        return transfer_out

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
