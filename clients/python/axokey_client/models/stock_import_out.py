from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.imported_line_out import ImportedLineOut
    from ..models.refused_line_out import RefusedLineOut


T = TypeVar("T", bound="StockImportOut")


@_attrs_define
class StockImportOut:
    """
    Attributes:
        store_id (str):
        imported_count (int):
        refused_count (int):
        imported (list[ImportedLineOut]):
        refused (list[RefusedLineOut]):
    """

    store_id: str
    imported_count: int
    refused_count: int
    imported: list[ImportedLineOut]
    refused: list[RefusedLineOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        store_id = self.store_id

        imported_count = self.imported_count

        refused_count = self.refused_count

        imported = []
        for imported_item_data in self.imported:
            imported_item = imported_item_data.to_dict()
            imported.append(imported_item)

        refused = []
        for refused_item_data in self.refused:
            refused_item = refused_item_data.to_dict()
            refused.append(refused_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "store_id": store_id,
                "imported_count": imported_count,
                "refused_count": refused_count,
                "imported": imported,
                "refused": refused,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.imported_line_out import ImportedLineOut  # noqa: PLC0415
        from ..models.refused_line_out import RefusedLineOut  # noqa: PLC0415

        d = dict(src_dict)
        store_id = d.pop("store_id")

        imported_count = d.pop("imported_count")

        refused_count = d.pop("refused_count")

        imported = []
        _imported = d.pop("imported")
        for imported_item_data in _imported:
            imported_item = ImportedLineOut.from_dict(imported_item_data)

            imported.append(imported_item)

        refused = []
        _refused = d.pop("refused")
        for refused_item_data in _refused:
            refused_item = RefusedLineOut.from_dict(refused_item_data)

            refused.append(refused_item)

        stock_import_out = cls(
            store_id=store_id,
            imported_count=imported_count,
            refused_count=refused_count,
            imported=imported,
            refused=refused,
        )

        stock_import_out.additional_properties = d
        return stock_import_out

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
