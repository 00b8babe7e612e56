from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ImportedLineOut")


@_attrs_define
class ImportedLineOut:
    """
    Attributes:
        line (int):
        product_id (str):
        on_hand (int):
    """

    line: int
    product_id: str
    on_hand: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        line = self.line

        product_id = self.product_id

        on_hand = self.on_hand

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "line": line,
                "product_id": product_id,
                "on_hand": on_hand,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        line = d.pop("line")

        product_id = d.pop("product_id")

        on_hand = d.pop("on_hand")

        imported_line_out = cls(
            line=line,
            product_id=product_id,
            on_hand=on_hand,
        )

        imported_line_out.additional_properties = d
        return imported_line_out

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
