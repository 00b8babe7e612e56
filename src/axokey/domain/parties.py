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
    building_number: str | None = None

    @property
    def payable(self) -> bool:
        """Enough for a SEPA credit transfer's structured address: town and country."""
        return bool(self.town and self.country)


@dataclass(frozen=True)
class IbanChange:
    """One change of a party's IBAN: kept, because a changed IBAN is the classic
    payout fraud."""

    previous_iban: str | None
    iban: str | None
    changed_by: str  # admin | party
    changed_at: datetime


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

    @property
    def payable(self) -> bool:
        """Paid out only with an IBAN and at least a town and a country."""
        return bool(self.iban) and self.address.payable


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
