"""API keys: a party's own (one per device or system), the operator's people."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.api.schemas.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from axokey.domain.access import Scope
from axokey.domain.parties import Principal
from axokey.services import api_keys

router = APIRouter(tags=["api keys"])


def _created(issued: api_keys.IssuedKey) -> ApiKeyCreated:
    return ApiKeyCreated(**ApiKeyOut.of(issued.key).model_dump(), secret=issued.secret)


@router.post("/v1/api-keys", status_code=201, response_model=ApiKeyCreated)
def create_api_key(
    body: ApiKeyCreate,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.KEYS_WRITE)],
) -> ApiKeyCreated:
    """A new key, its secret shown once. Its scopes must be within the calling key's."""
    issued = api_keys.create_key(
        context,
        principal,
        name=body.name,
        scopes=body.scopes,
        expires_at=body.expires_at,
        party_id=body.party_id,
    )
    return _created(issued)


@router.get("/v1/api-keys", response_model=Page[ApiKeyOut])
def list_api_keys(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.KEYS_READ)],
    page: PageDep,
    party_id: Annotated[
        str | None, Query(max_length=40, description="Operator: one party's keys.")
    ] = None,
    operator: Annotated[bool, Query(description="Operator: only the operator's own keys.")] = False,
) -> Page[ApiKeyOut]:
    """A party's own keys, newest first (revoked ones included); the operator's: all."""
    result = api_keys.list_keys(
        context,
        principal,
        party_id=party_id,
        operator_keys=operator,
        limit=page.limit,
        starting_after=page.starting_after,
    )
    return Page(data=[ApiKeyOut.of(key) for key in result.keys], has_more=result.has_more)


@router.get("/v1/api-keys/{key_id}", response_model=ApiKeyOut)
def get_api_key(
    key_id: str, context: ContextDep, principal: Annotated[Principal, requires(Scope.KEYS_READ)]
) -> ApiKeyOut:
    return ApiKeyOut.of(api_keys.get_key(context, principal, key_id))


@router.delete("/v1/api-keys/{key_id}", response_model=ApiKeyOut)
def revoke_api_key(
    key_id: str, context: ContextDep, principal: Annotated[Principal, requires(Scope.KEYS_WRITE)]
) -> ApiKeyOut:
    """Revoke at once: the next request with this key gets 401. 409 if already revoked."""
    return ApiKeyOut.of(api_keys.revoke_key(context, principal, key_id))


@router.post("/v1/api-keys/{key_id}/rotate", response_model=ApiKeyCreated)
def rotate_api_key(
    key_id: str, context: ContextDep, principal: Annotated[Principal, requires(Scope.KEYS_WRITE)]
) -> ApiKeyCreated:
    """A new secret, shown once. The previous one keeps working for a grace period
    (``AXOKEY_API_KEY_ROTATION_GRACE_SECONDS``), then gets 401."""
    return _created(api_keys.rotate_key(context, principal, key_id))
