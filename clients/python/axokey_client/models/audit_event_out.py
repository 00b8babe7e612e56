from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audit_event_out_details import AuditEventOutDetails


T = TypeVar("T", bound="AuditEventOut")


@_attrs_define
class AuditEventOut:
    """
    Attributes:
        id (str):
        action (str):
        object_id (None | str):
        party_id (None | str): The acting party; None: the operator.
        key_id (None | str): The acting key; None: the bootstrap admin key, the command line, or (for a party reading
            its trail) a key of the operator.
        actor (str): api_key, bootstrap_key or command_line.
        subject_party_id (None | str): The party whose object it was.
        ip (None | str):
        request_id (None | str):
        created_at (datetime.datetime):
        details (AuditEventOutDetails):
        object_ (Literal['audit_event'] | Unset):  Default: 'audit_event'.
    """

    id: str
    action: str
    object_id: None | str
    party_id: None | str
    key_id: None | str
    actor: str
    subject_party_id: None | str
    ip: None | str
    request_id: None | str
    created_at: datetime.datetime
    details: AuditEventOutDetails
    object_: Literal["audit_event"] | Unset = "audit_event"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        action = self.action

        object_id: None | str
        object_id = self.object_id

        party_id: None | str
        party_id = self.party_id

        key_id: None | str
        key_id = self.key_id

        actor = self.actor

        subject_party_id: None | str
        subject_party_id = self.subject_party_id

        ip: None | str
        ip = self.ip

        request_id: None | str
        request_id = self.request_id

        created_at = self.created_at.isoformat()

        details = self.details.to_dict()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "action": action,
                "object_id": object_id,
                "party_id": party_id,
                "key_id": key_id,
                "actor": actor,
                "subject_party_id": subject_party_id,
                "ip": ip,
                "request_id": request_id,
                "created_at": created_at,
                "details": details,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_event_out_details import AuditEventOutDetails  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        action = d.pop("action")

        def _parse_object_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        object_id = _parse_object_id(d.pop("object_id"))

        def _parse_party_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        party_id = _parse_party_id(d.pop("party_id"))

        def _parse_key_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        key_id = _parse_key_id(d.pop("key_id"))

        actor = d.pop("actor")

        def _parse_subject_party_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subject_party_id = _parse_subject_party_id(d.pop("subject_party_id"))

        def _parse_ip(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        ip = _parse_ip(d.pop("ip"))

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        details = AuditEventOutDetails.from_dict(d.pop("details"))

        object_ = cast(Literal["audit_event"] | Unset, d.pop("object", UNSET))
        if object_ != "audit_event" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'audit_event', got '{object_}'")

        audit_event_out = cls(
            id=id,
            action=action,
            object_id=object_id,
            party_id=party_id,
            key_id=key_id,
            actor=actor,
            subject_party_id=subject_party_id,
            ip=ip,
            request_id=request_id,
            created_at=created_at,
            details=details,
            object_=object_,
        )

        audit_event_out.additional_properties = d
        return audit_event_out

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
