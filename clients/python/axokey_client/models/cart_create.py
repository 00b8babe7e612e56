from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.currency import Currency
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cart_line_in import CartLineIn


T = TypeVar("T", bound="CartCreate")


@_attrs_define
class CartCreate:
    """
    Attributes:
        currency (Currency): ISO 4217, upper case, with a minor unit (the currencies a payment can be made in).
        store_id (None | str | Unset):
        lines (list[CartLineIn] | Unset):
    """

    currency: Currency
    store_id: None | str | Unset = UNSET
    lines: list[CartLineIn] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency.value

        store_id: None | str | Unset
        if isinstance(self.store_id, Unset):
            store_id = UNSET
        else:
            store_id = self.store_id

        lines: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.lines, Unset):
            lines = []
            for lines_item_data in self.lines:
                lines_item = lines_item_data.to_dict()
                lines.append(lines_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "currency": currency,
            }
        )
        if store_id is not UNSET:
            field_dict["store_id"] = store_id
        if lines is not UNSET:
            field_dict["lines"] = lines

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cart_line_in import CartLineIn  # noqa: PLC0415

        d = dict(src_dict)
        currency = Currency(d.pop("currency"))

        def _parse_store_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        store_id = _parse_store_id(d.pop("store_id", UNSET))

        _lines = d.pop("lines", UNSET)
        lines: list[CartLineIn] | Unset = UNSET
        if _lines is not UNSET:
            lines = []
            for lines_item_data in _lines:
                lines_item = CartLineIn.from_dict(lines_item_data)

                lines.append(lines_item)

        cart_create = cls(
            currency=currency,
            store_id=store_id,
            lines=lines,
        )

        return cart_create
