from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.refunded_out import RefundedOut
    from ..models.released_out import ReleasedOut


T = TypeVar("T", bound="RedemptionOut")


@_attrs_define
class RedemptionOut:
    """
    Attributes:
        id (str):
        order_id (str):
        professional_id (str):
        released (list[ReleasedOut]):
        refunded (list[RefundedOut]):
        courier_fee_released (int):
        order_status (str):
        object_ (Literal['redemption'] | Unset):  Default: 'redemption'.
    """

    id: str
    order_id: str
    professional_id: str
    released: list[ReleasedOut]
    refunded: list[RefundedOut]
    courier_fee_released: int
    order_status: str
    object_: Literal["redemption"] | Unset = "redemption"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        order_id = self.order_id

        professional_id = self.professional_id

        released = []
        for released_item_data in self.released:
            released_item = released_item_data.to_dict()
            released.append(released_item)

        refunded = []
        for refunded_item_data in self.refunded:
            refunded_item = refunded_item_data.to_dict()
            refunded.append(refunded_item)

        courier_fee_released = self.courier_fee_released

        order_status = self.order_status

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "order_id": order_id,
                "professional_id": professional_id,
                "released": released,
                "refunded": refunded,
                "courier_fee_released": courier_fee_released,
                "order_status": order_status,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.refunded_out import RefundedOut  # noqa: PLC0415
        from ..models.released_out import ReleasedOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        order_id = d.pop("order_id")

        professional_id = d.pop("professional_id")

        released = []
        _released = d.pop("released")
        for released_item_data in _released:
            released_item = ReleasedOut.from_dict(released_item_data)

            released.append(released_item)

        refunded = []
        _refunded = d.pop("refunded")
        for refunded_item_data in _refunded:
            refunded_item = RefundedOut.from_dict(refunded_item_data)

            refunded.append(refunded_item)

        courier_fee_released = d.pop("courier_fee_released")

        order_status = d.pop("order_status")

        object_ = cast(Literal["redemption"] | Unset, d.pop("object", UNSET))
        if object_ != "redemption" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'redemption', got '{object_}'")

        redemption_out = cls(
            id=id,
            order_id=order_id,
            professional_id=professional_id,
            released=released,
            refunded=refunded,
            courier_fee_released=courier_fee_released,
            order_status=order_status,
            object_=object_,
        )

        redemption_out.additional_properties = d
        return redemption_out

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
