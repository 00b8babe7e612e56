"""Parties: the one place that reads and writes the ``parties`` table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select

from axokey.adapters.db.tables import parties
from axokey.domain.parties import Party, PostalAddress, Role


def party_from_row(row: Row[Any]) -> Party:
    return Party(
        id=row.id,
        role=Role(row.role),
        name=row.name,
        email=row.email,
        iban=row.iban,
        bic=row.bic,
        address=PostalAddress(row.street, row.postcode, row.town, row.country, row.building_number),
        merchant_id=row.merchant_id,
        created_at=row.created_at,
    )


_PARTY = select(parties).where(parties.c.id == bindparam("party_id"))


def get_party(connection: Connection, party_id: str) -> Party | None:
    row = connection.execute(_PARTY, {"party_id": party_id}).first()
    return party_from_row(row) if row else None


def role_of(connection: Connection, party_id: str, *, lock: bool = False) -> Role | None:
    """The party's role, or None. With ``lock``, the party's row stays locked until
    the transaction ends (PostgreSQL; SQLite serialises every writer already).

    Why lock: checks such as "no other listing of this merchant has this GTIN" or
    "no other active agreement for this pair" read and then write; taking the
    owning party's row lock first serialises those writers.
    """
    query = select(parties.c.role).where(parties.c.id == party_id)
    if lock:
        query = query.with_for_update()
    role = connection.execute(query).scalar()
    return Role(role) if role is not None else None


def insert_party(connection: Connection, party: Party) -> None:
    connection.execute(
        insert(parties).values(
            id=party.id,
            role=party.role.value,
            name=party.name,
            email=party.email,
            iban=party.iban,
            bic=party.bic,
            street=party.address.street,
            building_number=party.address.building_number,
            postcode=party.address.postcode,
            town=party.address.town,
            country=party.address.country,
            merchant_id=party.merchant_id,
            created_at=party.created_at,
        )
    )
