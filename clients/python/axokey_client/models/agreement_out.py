from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.agreement_status import AgreementStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="AgreementOut")


@_attrs_define
class AgreementOut:
    """
    Attributes:
        id (str):
        merchant_id (str):
        supplier_id (str):
        deposit_bps (int):
        status (AgreementStatus):
        created_at (datetime.datetime):
        accepted_at (datetime.datetime | None):
        object_ (Literal['agreement'] | Unset):  Default: 'agreement'.
    """

    id: str
    merchant_id: str
    supplier_id: str
    deposit_bps: int
    status: AgreementStatus
    created_at: datetime.datetime
    accepted_at: datetime.datetime | None
    object_: Literal["agreement"] | Unset = "agreement"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        merchant_id = self.merchant_id

        supplier_id = self.supplier_id

        deposit_bps = self.deposit_bps

        status = self.status.value

        created_at = self.created_at.isoformat()

        accepted_at: None | str
        if isinstance(self.accepted_at, datetime.datetime):
            accepted_at = self.accepted_at.isoformat()
        else:
            accepted_at = self.accepted_at

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "merchant_id": merchant_id,
                "supplier_id": supplier_id,
                "deposit_bps": deposit_bps,
                "status": status,
                "created_at": created_at,
                "accepted_at": accepted_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        merchant_id = d.pop("merchant_id")

        supplier_id = d.pop("supplier_id")

        deposit_bps = d.pop("deposit_bps")

        status = AgreementStatus(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_accepted_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                accepted_at_type_0 = datetime.datetime.fromisoformat(data)

                return accepted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        accepted_at = _parse_accepted_at(d.pop("accepted_at"))

        object_ = cast(Literal["agreement"] | Unset, d.pop("object", UNSET))
        if object_ != "agreement" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'agreement', got '{object_}'")

        agreement_out = cls(
            id=id,
            merchant_id=merchant_id,
            supplier_id=supplier_id,
            deposit_bps=deposit_bps,
            status=status,
            created_at=created_at,
            accepted_at=accepted_at,
            object_=object_,
        )

        agreement_out.additional_properties = d
        return agreement_out

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
