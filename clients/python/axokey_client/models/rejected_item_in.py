from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RejectedItemIn")


@_attrs_define
class RejectedItemIn:
    """
    Attributes:
        item_id (str):
        reason (str):
    """

    item_id: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        item_id = self.item_id

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "item_id": item_id,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        item_id = d.pop("item_id")

        reason = d.pop("reason")

        rejected_item_in = cls(
            item_id=item_id,
            reason=reason,
        )

        return rejected_item_in
