from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PayoutOut")


@_attrs_define
class PayoutOut:
    """A party's own payout (one item of a batch).

    Attributes:
        id (str):
        batch_id (str):
        amount (int):
        currency (str):
        iban (str):
        status (str):
        rejection_reason (None | str):
        resolved_at (datetime.datetime | None):
        object_ (Literal['payout'] | Unset):  Default: 'payout'.
    """

    id: str
    batch_id: str
    amount: int
    currency: str
    iban: str
    status: str
    rejection_reason: None | str
    resolved_at: datetime.datetime | None
    object_: Literal["payout"] | Unset = "payout"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        batch_id = self.batch_id

        amount = self.amount

        currency = self.currency

        iban = self.iban

        status = self.status

        rejection_reason: None | str
        rejection_reason = self.rejection_reason

        resolved_at: None | str
        if isinstance(self.resolved_at, datetime.datetime):
            resolved_at = self.resolved_at.isoformat()
        else:
            resolved_at = self.resolved_at

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "batch_id": batch_id,
                "amount": amount,
                "currency": currency,
                "iban": iban,
                "status": status,
                "rejection_reason": rejection_reason,
                "resolved_at": resolved_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        batch_id = d.pop("batch_id")

        amount = d.pop("amount")

        currency = d.pop("currency")

        iban = d.pop("iban")

        status = d.pop("status")

        def _parse_rejection_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        rejection_reason = _parse_rejection_reason(d.pop("rejection_reason"))

        def _parse_resolved_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolved_at_type_0 = datetime.datetime.fromisoformat(data)

                return resolved_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        resolved_at = _parse_resolved_at(d.pop("resolved_at"))

        object_ = cast(Literal["payout"] | Unset, d.pop("object", UNSET))
        if object_ != "payout" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'payout', got '{object_}'")

        payout_out = cls(
            id=id,
            batch_id=batch_id,
            amount=amount,
            currency=currency,
            iban=iban,
            status=status,
            rejection_reason=rejection_reason,
            resolved_at=resolved_at,
            object_=object_,
        )

        payout_out.additional_properties = d
        return payout_out

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
