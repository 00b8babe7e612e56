from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PayoutItemOut")


@_attrs_define
class PayoutItemOut:
    """
    Attributes:
        id (str):
        kind (str):
        party_id (None | str):
        refund_id (None | str):
        amount (int):
        currency (str):
        creditor_name (str):
        iban (str):
        remittance (str):
        status (str):
        rejection_reason (None | str):
        resolved_at (datetime.datetime | None):
        object_ (Literal['payout_item'] | Unset):  Default: 'payout_item'.
    """

    id: str
    kind: str
    party_id: None | str
    refund_id: None | str
    amount: int
    currency: str
    creditor_name: str
    iban: str
    remittance: str
    status: str
    rejection_reason: None | str
    resolved_at: datetime.datetime | None
    object_: Literal["payout_item"] | Unset = "payout_item"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind

        party_id: None | str
        party_id = self.party_id

        refund_id: None | str
        refund_id = self.refund_id

        amount = self.amount

        currency = self.currency

        creditor_name = self.creditor_name

        iban = self.iban

        remittance = self.remittance

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
                "kind": kind,
                "party_id": party_id,
                "refund_id": refund_id,
                "amount": amount,
                "currency": currency,
                "creditor_name": creditor_name,
                "iban": iban,
                "remittance": remittance,
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

        kind = d.pop("kind")

        def _parse_party_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        party_id = _parse_party_id(d.pop("party_id"))

        def _parse_refund_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        refund_id = _parse_refund_id(d.pop("refund_id"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        creditor_name = d.pop("creditor_name")

        iban = d.pop("iban")

        remittance = d.pop("remittance")

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

        object_ = cast(Literal["payout_item"] | Unset, d.pop("object", UNSET))
        if object_ != "payout_item" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'payout_item', got '{object_}'")

        payout_item_out = cls(
            id=id,
            kind=kind,
            party_id=party_id,
            refund_id=refund_id,
            amount=amount,
            currency=currency,
            creditor_name=creditor_name,
            iban=iban,
            remittance=remittance,
            status=status,
            rejection_reason=rejection_reason,
            resolved_at=resolved_at,
            object_=object_,
        )

        payout_item_out.additional_properties = d
        return payout_item_out

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
