from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BatchSummaryOut")


@_attrs_define
class BatchSummaryOut:
    """
    Attributes:
        id (str):
        status (str):
        currency (str):
        item_count (int):
        total (int):
        cutoff_key (None | str):
        created_at (datetime.datetime):
        executed_at (datetime.datetime | None):
        object_ (Literal['payout_batch'] | Unset):  Default: 'payout_batch'.
    """

    id: str
    status: str
    currency: str
    item_count: int
    total: int
    cutoff_key: None | str
    created_at: datetime.datetime
    executed_at: datetime.datetime | None
    object_: Literal["payout_batch"] | Unset = "payout_batch"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status

        currency = self.currency

        item_count = self.item_count

        total = self.total

        cutoff_key: None | str
        cutoff_key = self.cutoff_key

        created_at = self.created_at.isoformat()

        executed_at: None | str
        if isinstance(self.executed_at, datetime.datetime):
            executed_at = self.executed_at.isoformat()
        else:
            executed_at = self.executed_at

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "currency": currency,
                "item_count": item_count,
                "total": total,
                "cutoff_key": cutoff_key,
                "created_at": created_at,
                "executed_at": executed_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        status = d.pop("status")

        currency = d.pop("currency")

        item_count = d.pop("item_count")

        total = d.pop("total")

        def _parse_cutoff_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        cutoff_key = _parse_cutoff_key(d.pop("cutoff_key"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_executed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                executed_at_type_0 = datetime.datetime.fromisoformat(data)

                return executed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        executed_at = _parse_executed_at(d.pop("executed_at"))

        object_ = cast(Literal["payout_batch"] | Unset, d.pop("object", UNSET))
        if object_ != "payout_batch" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'payout_batch', got '{object_}'")

        batch_summary_out = cls(
            id=id,
            status=status,
            currency=currency,
            item_count=item_count,
            total=total,
            cutoff_key=cutoff_key,
            created_at=created_at,
            executed_at=executed_at,
            object_=object_,
        )

        batch_summary_out.additional_properties = d
        return batch_summary_out

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
