from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.currency import Currency

T = TypeVar("T", bound="BatchCreate")


@_attrs_define
class BatchCreate:
    """
    Attributes:
        currency (Currency): ISO 4217, upper case, with a minor unit (the currencies a payment can be made in).
    """

    currency: Currency

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "currency": currency,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = Currency(d.pop("currency"))

        batch_create = cls(
            currency=currency,
        )

        return batch_create
