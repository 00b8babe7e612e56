from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RefundToSepa")


@_attrs_define
class RefundToSepa:
    """
    Attributes:
        iban (None | str | Unset):
    """

    iban: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        iban: None | str | Unset
        if isinstance(self.iban, Unset):
            iban = UNSET
        else:
            iban = self.iban

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if iban is not UNSET:
            field_dict["iban"] = iban

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_iban(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        iban = _parse_iban(d.pop("iban", UNSET))

        refund_to_sepa = cls(
            iban=iban,
        )

        return refund_to_sepa
