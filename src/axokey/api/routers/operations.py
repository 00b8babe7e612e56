"""Operations: liveness, readiness, Prometheus metrics.

``GET /healthz`` answers while the process runs (no database call): for a process
supervisor's liveness probe. ``GET /readyz`` answers 200 when the database answers
and its schema is at this code's migration, else 503 ``not_ready``: for a load
balancer's readiness probe. Both public, and say nothing but that.

``GET /metrics``: the Prometheus exposition, for an operator key holding the
``metrics:read`` scope (``axokey keys create-admin --name prometheus --scope
metrics:read``) or ``*``; a party's key is refused (403) whatever its scopes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel

from axokey.api.deps import ContextDep, requires
from axokey.domain.access import Scope
from axokey.domain.parties import Principal
from axokey.services import operations

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


class ReadyOut(BaseModel):
    status: str
    database: str
    schema_revision: str | None


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up (nothing else is checked)."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=ReadyOut,
    responses={503: {"description": "not ready (problem `not_ready`)"}},
)
def readyz(context: ContextDep) -> ReadyOut:
    """The database answers and its schema is current; else 503 ``not_ready``."""
    state = operations.require_ready(context)
    return ReadyOut(status="ready", database=state.database, schema_revision=state.revision)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.METRICS_READ)],
) -> Response:
    """Request counts and latency by route, redemptions, completed lifecycles, ledger
    batches, the sweep's duration; held money per currency and the webhook backlog."""
    body, content_type = operations.metrics_text(context, principal)
    return Response(content=body, media_type=content_type)
