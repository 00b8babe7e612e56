"""The audit trail of privileged and money-moving actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.api.schemas.audit import AuditEventOut
from axokey.domain.access import Scope
from axokey.domain.audit import Action
from axokey.domain.parties import Principal
from axokey.services import audit

router = APIRouter(tags=["audit"])


@router.get("/v1/audit-events", response_model=Page[AuditEventOut])
def list_audit_events(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.AUDIT_READ)],
    page: PageDep,
    action: Annotated[
        str | None,
        Query(
            max_length=64,
            description="e.g. api_key.revoked",
            json_schema_extra={"enum": [action.value for action in Action]},
        ),
    ] = None,
    object_id: Annotated[str | None, Query(max_length=160)] = None,
) -> Page[AuditEventOut]:
    """Newest first. The operator reads every entry; a party what it did and what was
    done to its objects (an operator's address, request id and key are not shown)."""
    result = audit.list_events(
        context,
        principal,
        action=action,
        object_id=object_id,
        limit=page.limit,
        starting_after=page.starting_after,
    )
    return Page(data=[AuditEventOut.of(event) for event in result.events], has_more=result.has_more)
