from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AttemptOut")


@_attrs_define
class AttemptOut:
    """
    Attributes:
        id (str):
        endpoint_id (str):
        event_id (str):
        event_type (str):
        succeeded (bool):
        response_status (int | None):
        error (None | str):
        duration_ms (int):
        response_excerpt (None | str):
        attempted_at (datetime.datetime):
        object_ (Literal['webhook_attempt'] | Unset):  Default: 'webhook_attempt'.
    """

    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    succeeded: bool
    response_status: int | None
    error: None | str
    duration_ms: int
    response_excerpt: None | str
    attempted_at: datetime.datetime
    object_: Literal["webhook_attempt"] | Unset = "webhook_attempt"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        endpoint_id = self.endpoint_id

        event_id = self.event_id

        event_type = self.event_type

        succeeded = self.succeeded

        response_status: int | None
        response_status = self.response_status

        error: None | str
        error = self.error

        duration_ms = self.duration_ms

        response_excerpt: None | str
        response_excerpt = self.response_excerpt

        attempted_at = self.attempted_at.isoformat()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "endpoint_id": endpoint_id,
                "event_id": event_id,
                "event_type": event_type,
                "succeeded": succeeded,
                "response_status": response_status,
                "error": error,
                "duration_ms": duration_ms,
                "response_excerpt": response_excerpt,
                "attempted_at": attempted_at,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        endpoint_id = d.pop("endpoint_id")

        event_id = d.pop("event_id")

        event_type = d.pop("event_type")

        succeeded = d.pop("succeeded")

        def _parse_response_status(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        response_status = _parse_response_status(d.pop("response_status"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        duration_ms = d.pop("duration_ms")

        def _parse_response_excerpt(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        response_excerpt = _parse_response_excerpt(d.pop("response_excerpt"))

        attempted_at = datetime.datetime.fromisoformat(d.pop("attempted_at"))

        object_ = cast(Literal["webhook_attempt"] | Unset, d.pop("object", UNSET))
        if object_ != "webhook_attempt" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'webhook_attempt', got '{object_}'")

        attempt_out = cls(
            id=id,
            endpoint_id=endpoint_id,
            event_id=event_id,
            event_type=event_type,
            succeeded=succeeded,
            response_status=response_status,
            error=error,
            duration_ms=duration_ms,
            response_excerpt=response_excerpt,
            attempted_at=attempted_at,
            object_=object_,
        )

        attempt_out.additional_properties = d
        return attempt_out

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
