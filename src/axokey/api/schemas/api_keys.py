"""API keys: what a caller sends and gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from axokey.api.schemas.base import NOT_BLANK, Strict, Timestamp
from axokey.domain.access import KEY_NAME_MAX_LENGTH, SCOPES_MAX, ApiKey, Scope

# The server refuses an unknown scope (422 unknown_scope) and an empty list (422
# invalid_scopes) itself; the document says so with an enum and minItems.
ScopeName = Annotated[
    str,
    StringConstraints(max_length=32),
    Field(json_schema_extra={"enum": [scope.value for scope in Scope]}),
]


class ApiKeyCreate(Strict):
    name: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=KEY_NAME_MAX_LENGTH
        ),
    ] = Field(description="The device or system the key is for, e.g. “POS 2” or “Phone of Léa”.")
    scopes: list[ScopeName] | None = Field(
        default=None,
        max_length=SCOPES_MAX,
        # Refused by the service (422 invalid_scopes), said here.
        json_schema_extra={"minItems": 1},
        description="Among: "
        + ", ".join(scope.value for scope in Scope)
        + ". Default: the calling key's own scopes.",
    )
    expires_at: Timestamp | None = Field(default=None, description="RFC 3339, in the future.")
    party_id: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        default=None,
        description="Operator only: the party the key is for. Without it the operator "
        "creates a key for one of its own people.",
    )


class ApiKeyOut(BaseModel):
    id: str
    object: Literal["api_key"] = "api_key"
    party_id: str | None = Field(description="None for an operator's key.")
    name: str
    scopes: list[str]
    prefix: str = Field(description="The start of the secret, to recognise it.")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    last_used_ip: str | None
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation: until then the previous secret still works."
    )

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(
            id=key.id,
            party_id=key.party_id,
            name=key.name,
            scopes=list(key.scopes),
            prefix=key.prefix,
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
            last_used_ip=key.last_used_ip,
            previous_secret_expires_at=key.previous_secret_expires_at,
        )


class ApiKeyCreated(ApiKeyOut):
    secret: str = Field(description="Shown once, here. Only its hash is stored.")
