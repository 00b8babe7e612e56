"""Request and response bodies of parties (merchants, suppliers, couriers, stores)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from axokey.api.schemas.base import NOT_BLANK, Country, Strict
from axokey.domain.parties import Party

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=200)
]


class AddressIn(Strict):
    street: Annotated[str, StringConstraints(max_length=140)] | None = None
    building_number: Annotated[str, StringConstraints(max_length=16)] | None = None
    postcode: Annotated[str, StringConstraints(max_length=16)] | None = None
    town: Annotated[str, StringConstraints(max_length=35)] | None = None
    country: Country | None = None


class AddressOut(BaseModel):
    street: str | None
    building_number: str | None = None
    postcode: str | None
    town: str | None
    country: str | None


class PartyCreate(Strict):
    """A store names its merchant (422 merchant_required); no other party names one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {"properties": {"role": {"const": "store"}}, "required": ["role"]},
            "then": {
                "required": ["merchant_id"],
                "properties": {"merchant_id": {"type": "string"}},
            },
            "else": {"properties": {"merchant_id": {"type": "null"}}},
        },
    )

    role: Literal["merchant", "supplier", "courier", "store"]
    name: Name
    email: EmailStr | None = None
    iban: Annotated[str, StringConstraints(max_length=42)] | None = None
    bic: Annotated[str, StringConstraints(max_length=11)] | None = None
    merchant_id: Annotated[str, StringConstraints(max_length=40)] | None = None
    address: AddressIn | None = None


class PartyOut(BaseModel):
    id: str
    object: Literal["party"] = "party"
    role: str
    name: str
    email: str | None
    iban: str | None
    bic: str | None
    address: AddressOut
    merchant_id: str | None
    created_at: datetime

    @classmethod
    def of(cls, party: Party) -> PartyOut:
        return cls(
            id=party.id,
            role=party.role.value,
            name=party.name,
            email=party.email,
            iban=party.iban,
            bic=party.bic,
            address=AddressOut(
                street=party.address.street,
                building_number=party.address.building_number,
                postcode=party.address.postcode,
                town=party.address.town,
                country=party.address.country,
            ),
            merchant_id=party.merchant_id,
            created_at=party.created_at,
        )


class PartyCreated(PartyOut):
    api_key: str = Field(
        description="The party's first API key (all scopes), shown once. Only its hash "
        "is stored; manage it and add narrower keys with /v1/api-keys."
    )
