from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.payee_address_in import PayeeAddressIn


T = TypeVar("T", bound="PayoutDetailsPatch")


@_attrs_define
class PayoutDetailsPatch:
    """Only the fields given change; ``null`` clears one.

    Attributes:
        iban (None | str | Unset):
        bic (None | str | Unset):
        address (None | PayeeAddressIn | Unset):
    """

    iban: None | str | Unset = UNSET
    bic: None | str | Unset = UNSET
    address: None | PayeeAddressIn | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.payee_address_in import PayeeAddressIn  # noqa: PLC0415

        iban: None | str | Unset
        if isinstance(self.iban, Unset):
            iban = UNSET
        else:
            iban = self.iban

        bic: None | str | Unset
        if isinstance(self.bic, Unset):
            bic = UNSET
        else:
            bic = self.bic

        address: dict[str, Any] | None | Unset
        if isinstance(self.address, Unset):
            address = UNSET
        elif isinstance(self.address, PayeeAddressIn):
            address = self.address.to_dict()
        else:
            address = self.address

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if iban is not UNSET:
            field_dict["iban"] = iban
        if bic is not UNSET:
            field_dict["bic"] = bic
        if address is not UNSET:
            field_dict["address"] = address

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payee_address_in import PayeeAddressIn  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_iban(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        iban = _parse_iban(d.pop("iban", UNSET))

        def _parse_bic(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bic = _parse_bic(d.pop("bic", UNSET))

        def _parse_address(data: object) -> None | PayeeAddressIn | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                address_type_0 = PayeeAddressIn.from_dict(data)

                return address_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PayeeAddressIn | Unset, data)

        address = _parse_address(d.pop("address", UNSET))

        payout_details_patch = cls(
            iban=iban,
            bic=bic,
            address=address,
        )

        return payout_details_patch
