"""Webhook endpoints, their attempts, and the events feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.api.openapi import problems
from axokey.api.schemas.webhooks import (
    AttemptOut,
    EventOut,
    RedeliveryOut,
    WebhookEndpointCreate,
    WebhookEndpointOut,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
)
from axokey.domain.access import Scope
from axokey.domain.parties import Principal
from axokey.domain.webhooks import EVENT_TYPES
from axokey.services import webhook_endpoints as endpoints

router = APIRouter(tags=["webhooks"])


@router.post("/v1/webhook-endpoints", status_code=201, response_model=WebhookEndpointWithSecret)
def create_endpoint(
    body: WebhookEndpointCreate,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.WEBHOOKS_WRITE)],
) -> WebhookEndpointWithSecret:
    """Register an endpoint (https to a public address). The answer carries its
    signing ``secret`` (``whsec_…``): it is shown only here and on rotation."""
    endpoint, secret = endpoints.create_endpoint(
        context, principal, url=body.url, events=body.events, description=body.description
    )
    return WebhookEndpointWithSecret.with_secret(endpoint, secret)


@router.get("/v1/webhook-endpoints", response_model=Page[WebhookEndpointOut])
def list_endpoints(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.WEBHOOKS_READ)],
    page: PageDep,
) -> Page[WebhookEndpointOut]:
    found, has_more = endpoints.list_endpoints(
        context, principal, starting_after=page.starting_after, limit=page.limit
    )
    return Page[WebhookEndpointOut](
        data=[WebhookEndpointOut.of(endpoint) for endpoint in found], has_more=has_more
    )


@router.get("/v1/webhook-endpoints/{endpoint_id}", response_model=WebhookEndpointOut)
def get_endpoint(
    endpoint_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.WEBHOOKS_READ)],
) -> WebhookEndpointOut:
    return WebhookEndpointOut.of(endpoints.get_endpoint(context, principal, endpoint_id))


@router.patch("/v1/webhook-endpoints/{endpoint_id}", response_model=WebhookEndpointOut)
def update_endpoint(
    endpoint_id: str,
    body: WebhookEndpointUpdate,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.WEBHOOKS_WRITE)],
) -> WebhookEndpointOut:
    """Change the URL, the events, the description, or enable/disable the endpoint
    (re-enabling resumes the deliveries left pending)."""
    return WebhookEndpointOut.of(
        endpoints.update_endpoint(
            context,
            principal,
            endpoint_id,
            url=body.url,
            events=body.events,
            enabled=body.enabled,
            description=body.description,
        )
    )


@router.delete("/v1/webhook-endpoints/{endpoint_id}", response_model=WebhookEndpointOut)
def delete_endpoint(
    endpoint_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.WEBHOOKS_WRITE)],
) -> WebhookEndpointOut:
    return WebhookEndpointOut.of(endpoints.delete_endpoint(context, principal, endpoint_id))


@router.post(
    "/v1/webhook-endpoints/{endpoint_id}/rotate-secret", response_model=WebhookEndpointWithSecret
)
def rotate_secret(
    endpoint_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.WEBHOOKS_WRITE)],
) -> WebhookEndpointWithSecret:
    """A new secret; for 24 hours deliveries carry a signature by the old one too."""
    endpoint, secret = endpoints.rotate_secret(context, principal, endpoint_id)
    return WebhookEndpointWithSecret.with_secret(endpoint, secret)


@router.post("/v1/webhook-endpoints/{endpoint_id}/test", response_model=AttemptOut)
def test_endpoint(
    endpoint_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.WEBHOOKS_WRITE)],
) -> AttemptOut:
    """Send a signed ``webhook_endpoint.test`` event now and answer the attempt."""
    return AttemptOut.of(endpoints.send_test(context, principal, endpoint_id))


@router.get("/v1/webhook-endpoints/{endpoint_id}/attempts", response_model=Page[AttemptOut])
def list_attempts(
    endpoint_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.WEBHOOKS_READ)],
    page: PageDep,
) -> Page[AttemptOut]:
    """Every delivery attempt to this endpoint, newest first."""
    found, has_more = endpoints.list_attempts(
        context, principal, endpoint_id, starting_after=page.starting_after, limit=page.limit
    )
    return Page[AttemptOut](data=[AttemptOut.of(attempt) for attempt in found], has_more=has_more)


@router.get("/v1/events", response_model=Page[EventOut], responses=problems(404))
def list_events(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.WEBHOOKS_READ)],
    page: PageDep,
    type: Annotated[
        str | None,
        Query(max_length=64, json_schema_extra={"enum": sorted(EVENT_TYPES)}),
    ] = None,
) -> Page[EventOut]:
    """The caller's events, newest first, as webhooks carry them (same ids as
    ``webhook-id``); each party sees only what it may see."""
    found, has_more = endpoints.list_events(
        context, principal, event_type=type, starting_after=page.starting_after, limit=page.limit
    )
    return Page[EventOut](data=[EventOut.of(event) for event in found], has_more=has_more)


@router.get("/v1/events/{event_id}", response_model=EventOut)
def get_event(
    event_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.WEBHOOKS_READ)],
) -> EventOut:
    return EventOut.of(endpoints.get_event(context, principal, event_id))


@router.post("/v1/events/{event_id}/redeliver", status_code=202, response_model=RedeliveryOut)
def redeliver(
    event_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.WEBHOOKS_WRITE)],
) -> RedeliveryOut:
    """Deliver the event again to the caller's endpoints that subscribe to it."""
    queued = endpoints.redeliver(context, principal, event_id)
    return RedeliveryOut(event_id=event_id, deliveries_queued=queued)
