from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.handover_in import HandoverIn


T = TypeVar("T", bound="RedemptionIn")


@_attrs_define
class RedemptionIn:
    """Lines named (``lines`` or ``gtins``), or ``complete``: else 422 nothing_to_redeem.

    Attributes:
        code (str):
        lines (list[HandoverIn] | Unset):
        gtins (list[str] | Unset):
        complete (bool | Unset):  Default: False.
    """

    code: str
    lines: list[HandoverIn] | Unset = UNSET
    gtins: list[str] | Unset = UNSET
    complete: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        lines: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.lines, Unset):
            lines = []
            for lines_item_data in self.lines:
                lines_item = lines_item_data.to_dict()
                lines.append(lines_item)

        gtins: list[str] | Unset = UNSET
        if not isinstance(self.gtins, Unset):
            gtins = self.gtins

        complete = self.complete

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
            }
        )
        if lines is not UNSET:
            field_dict["lines"] = lines
        if gtins is not UNSET:
            field_dict["gtins"] = gtins
        if complete is not UNSET:
            field_dict["complete"] = complete

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.handover_in import HandoverIn  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        _lines = d.pop("lines", UNSET)
        lines: list[HandoverIn] | Unset = UNSET
        if _lines is not UNSET:
            lines = []
            for lines_item_data in _lines:
                lines_item = HandoverIn.from_dict(lines_item_data)

                lines.append(lines_item)

        gtins = cast(list[str], d.pop("gtins", UNSET))

        complete = d.pop("complete", UNSET)

        redemption_in = cls(
            code=code,
            lines=lines,
            gtins=gtins,
            complete=complete,
        )

        return redemption_in
