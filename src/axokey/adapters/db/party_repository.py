"""Parties: the row-to-domain mapping of the ``parties`` table, and look-ups."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from axokey.adapters.db.tables import parties
from axokey.domain.parties import Party, PostalAddress, Role


def party_from_row(row: Any) -> Party:
    return Party(
        id=row.id,
        role=Role(row.role),
        name=row.name,
        email=row.email,
        iban=row.iban,
        bic=row.bic,
        address=PostalAddress(row.street, row.postcode, row.town, row.country),
        merchant_id=row.merchant_id,
        created_at=row.created_at,
    )


def get_party(connection: Connection, party_id: str) -> Party | None:
    row = connection.execute(select(parties).where(parties.c.id == party_id)).first()
    return party_from_row(row) if row else None
