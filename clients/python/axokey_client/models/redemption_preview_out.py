from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.preview_line_out import PreviewLineOut


T = TypeVar("T", bound="RedemptionPreviewOut")


@_attrs_define
class RedemptionPreviewOut:
    """
    Attributes:
        order_id (str):
        order_status (str):
        currency (str):
        lines (list[PreviewLineOut]):
        courier_fee (int):
    """

    order_id: str
    order_status: str
    currency: str
    lines: list[PreviewLineOut]
    courier_fee: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        order_status = self.order_status

        currency = self.currency

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        courier_fee = self.courier_fee

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "order_id": order_id,
                "order_status": order_status,
                "currency": currency,
                "lines": lines,
                "courier_fee": courier_fee,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preview_line_out import PreviewLineOut  # noqa: PLC0415

        d = dict(src_dict)
        order_id = d.pop("order_id")

        order_status = d.pop("order_status")

        currency = d.pop("currency")

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = PreviewLineOut.from_dict(lines_item_data)

            lines.append(lines_item)

        courier_fee = d.pop("courier_fee")

        redemption_preview_out = cls(
            order_id=order_id,
            order_status=order_status,
            currency=currency,
            lines=lines,
            courier_fee=courier_fee,
        )

        redemption_preview_out.additional_properties = d
        return redemption_preview_out

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
