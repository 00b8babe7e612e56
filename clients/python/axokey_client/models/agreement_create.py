from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="AgreementCreate")


@_attrs_define
class AgreementCreate:
    """
    Attributes:
        supplier_id (str):
        deposit_bps (int): Integer basis points (3000 = 30 %).
    """

    supplier_id: str
    deposit_bps: int

    def to_dict(self) -> dict[str, Any]:
        supplier_id = self.supplier_id

        deposit_bps = self.deposit_bps

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "supplier_id": supplier_id,
                "deposit_bps": deposit_bps,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        supplier_id = d.pop("supplier_id")

        deposit_bps = d.pop("deposit_bps")

        agreement_create = cls(
            supplier_id=supplier_id,
            deposit_bps=deposit_bps,
        )

        return agreement_create
