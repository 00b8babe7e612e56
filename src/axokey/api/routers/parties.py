"""Parties: onboarding (operator), look-up, and the caller's own party."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from axokey.api.deps import ContextDep, requires
from axokey.api.openapi import problems
from axokey.api.schemas.parties import PartyCreate, PartyCreated, PartyOut
from axokey.domain.access import Scope
from axokey.domain.errors import NotFound
from axokey.domain.parties import PostalAddress, Principal, Role
from axokey.services import parties

router = APIRouter(tags=["parties"])


@router.post("/v1/parties", status_code=201, response_model=PartyCreated)
def create_party(
    body: PartyCreate,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PARTIES_WRITE)],
) -> PartyCreated:
    """Onboard a merchant, supplier, courier or store (operator only). The API key is
    in the response once; only its hash is kept."""
    parties.require_role(principal, Role.ADMIN)
    address = body.address
    party, api_key = parties.create_party(
        context,
        role=Role(body.role),
        name=body.name,
        email=body.email,
        iban=body.iban,
        bic=body.bic,
        merchant_id=body.merchant_id,
        principal=principal,
        address=PostalAddress(
            address.street, address.postcode, address.town, address.country, address.building_number
        )
        if address
        else None,
    )
    return PartyCreated(**PartyOut.of(party).model_dump(), api_key=api_key)


@router.get("/v1/parties/{party_id}", response_model=PartyOut)
def get_party(
    party_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.PARTIES_READ)],
) -> PartyOut:
    return PartyOut.of(parties.read_party(context, principal, party_id))


@router.get("/v1/me", response_model=PartyOut, responses=problems(404))
def get_me(principal: Annotated[Principal, requires(None)]) -> PartyOut:
    """The caller's own party. The operator's admin key has none (404)."""
    if principal.party is None:
        raise NotFound("the admin key belongs to no party", code="no_party")
    return PartyOut.of(principal.party)
