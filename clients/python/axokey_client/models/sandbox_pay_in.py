from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SandboxPayIn")


@_attrs_define
class SandboxPayIn:
    """
    Attributes:
        card_number (str):
        otp (None | str | Unset):
    """

    card_number: str
    otp: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        card_number = self.card_number

        otp: None | str | Unset
        if isinstance(self.otp, Unset):
            otp = UNSET
        else:
            otp = self.otp

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "card_number": card_number,
            }
        )
        if otp is not UNSET:
            field_dict["otp"] = otp

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        card_number = d.pop("card_number")

        def _parse_otp(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        otp = _parse_otp(d.pop("otp", UNSET))

        sandbox_pay_in = cls(
            card_number=card_number,
            otp=otp,
        )

        return sandbox_pay_in
