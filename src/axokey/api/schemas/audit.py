"""The audit trail: its entries as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from axokey.domain.audit import AuditEvent


class AuditEventOut(BaseModel):
    id: str
    object: Literal["audit_event"] = "audit_event"
    action: str
    object_id: str | None
    party_id: str | None = Field(description="The acting party; None: the operator.")
    key_id: str | None = Field(
        description="The acting key; None: the bootstrap admin key, the command line, "
        "or (for a party reading its trail) a key of the operator."
    )
    actor: str = Field(description="api_key, bootstrap_key or command_line.")
    subject_party_id: str | None = Field(description="The party whose object it was.")
    ip: str | None
    request_id: str | None
    created_at: datetime
    details: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            id=event.id,
            action=event.action,
            object_id=event.object_id,
            party_id=event.party_id,
            key_id=event.key_id,
            actor=event.actor.value,
            subject_party_id=event.subject_party_id,
            ip=event.ip,
            request_id=event.request_id,
            created_at=event.created_at,
            details=event.details,
        )
