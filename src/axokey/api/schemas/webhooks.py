"""Request and response bodies of webhook endpoints and events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from axokey.api.schemas.base import Strict
from axokey.domain.webhooks import Attempt, Endpoint
from axokey.services.webhook_endpoints import EventView

Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
EventType = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Description = Annotated[str, StringConstraints(max_length=500)]


class WebhookEndpointCreate(Strict):
    url: Url
    events: Annotated[list[EventType], Field(min_length=1, max_length=50)]
    description: Description | None = None


class WebhookEndpointUpdate(Strict):
    url: Url | None = None
    events: Annotated[list[EventType], Field(min_length=1, max_length=50)] | None = None
    enabled: bool | None = None
    description: Description | None = None


class WebhookEndpointOut(BaseModel):
    id: str
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    url: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None
    description: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, endpoint: Endpoint) -> WebhookEndpointOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            events=endpoint.events,
            enabled=endpoint.enabled,
            disabled_reason=endpoint.disabled_reason,
            description=endpoint.description,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
        )


class WebhookEndpointWithSecret(WebhookEndpointOut):
    """Only in the answer to a creation or a rotation: the signing secret."""

    secret: str

    @classmethod
    def with_secret(cls, endpoint: Endpoint, secret: str) -> WebhookEndpointWithSecret:
        return cls(**WebhookEndpointOut.of(endpoint).model_dump(), secret=secret)


class AttemptOut(BaseModel):
    id: str
    object: Literal["webhook_attempt"] = "webhook_attempt"
    endpoint_id: str
    event_id: str
    event_type: str
    succeeded: bool
    response_status: int | None
    error: str | None
    duration_ms: int
    response_excerpt: str | None
    attempted_at: datetime

    @classmethod
    def of(cls, attempt: Attempt) -> AttemptOut:
        return cls(**{name: getattr(attempt, name) for name in Attempt.__dataclass_fields__})


class EventOut(BaseModel):
    id: str
    object: Literal["event"] = "event"
    type: str
    created_at: datetime
    data: dict[str, Any]

    @classmethod
    def of(cls, event: EventView) -> EventOut:
        return cls(id=event.id, type=event.type, created_at=event.created_at, data=event.data)


class RedeliveryOut(BaseModel):
    event_id: str
    deliveries_queued: int
