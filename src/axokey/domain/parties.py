"""Parties and their roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MERCHANT = "merchant"
    SUPPLIER = "supplier"
    COURIER = "courier"
    STORE = "store"


PARTY_ROLES = (Role.MERCHANT, Role.SUPPLIER, Role.COURIER, Role.STORE)
PROFESSIONAL_ROLES = frozenset({Role.COURIER, Role.STORE, Role.SUPPLIER})


@dataclass(frozen=True)
class PostalAddress:
    street: str | None
    postcode: str | None
    town: str | None
    country: str | None


@dataclass(frozen=True)
class Party:
    id: str
    role: Role
    name: str
    email: str | None
    iban: str | None
    bic: str | None
    address: PostalAddress
    merchant_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class Principal:
    """Who is calling: the operator (``party is None``) or a party, with which key
    (``key_id``; None for the environment's bootstrap key and the command line),
    its scopes, and where the request came from (for the audit trail)."""

    role: Role
    party: Party | None
    key_hash: str
    key_id: str | None = None
    scopes: frozenset[str] = frozenset({"*"})
    authenticated_by: str = "api_key"  # audit.Actor: api_key | bootstrap_key | command_line
    client_address: str | None = None
    request_id: str | None = None

    @property
    def party_id(self) -> str | None:
        return self.party.id if self.party else None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
