from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rejected_item_in import RejectedItemIn


T = TypeVar("T", bound="BatchConfirm")


@_attrs_define
class BatchConfirm:
    """
    Attributes:
        rejected (list[RejectedItemIn] | Unset):
    """

    rejected: list[RejectedItemIn] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        rejected: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.rejected, Unset):
            rejected = []
            for rejected_item_data in self.rejected:
                rejected_item = rejected_item_data.to_dict()
                rejected.append(rejected_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if rejected is not UNSET:
            field_dict["rejected"] = rejected

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rejected_item_in import RejectedItemIn  # noqa: PLC0415

        d = dict(src_dict)
        _rejected = d.pop("rejected", UNSET)
        rejected: list[RejectedItemIn] | Unset = UNSET
        if _rejected is not UNSET:
            rejected = []
            for rejected_item_data in _rejected:
                rejected_item = RejectedItemIn.from_dict(rejected_item_data)

                rejected.append(rejected_item)

        batch_confirm = cls(
            rejected=rejected,
        )

        return batch_confirm
