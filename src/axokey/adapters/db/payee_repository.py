"""A party's payout details (IBAN, BIC, postal address) and the history of its IBAN."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from axokey.adapters.db.tables import parties, party_iban_changes
from axokey.domain.parties import IbanChange, PostalAddress


@dataclass(frozen=True)
class PayoutDetails:
    iban: str | None
    bic: str | None
    address: PostalAddress


def lock_payout_details(connection: Connection, party_id: str) -> PayoutDetails | None:
    query = select(
        parties.c.iban,
        parties.c.bic,
        parties.c.street,
        parties.c.building_number,
        parties.c.postcode,
        parties.c.town,
        parties.c.country,
    ).where(parties.c.id == party_id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).first()
    if row is None:
        return None
    return PayoutDetails(
        row.iban,
        row.bic,
        PostalAddress(row.street, row.postcode, row.town, row.country, row.building_number),
    )


def save_payout_details(
    connection: Connection,
    party_id: str,
    details: PayoutDetails,
    *,
    previous_iban: str | None,
    changed_by: str,
    now: datetime,
) -> None:
    """Write the details; a changed IBAN is recorded with its date."""
    address = details.address
    connection.execute(
        update(parties)
        .where(parties.c.id == party_id)
        .values(
            iban=details.iban,
            bic=details.bic,
            street=address.street,
            building_number=address.building_number,
            postcode=address.postcode,
            town=address.town,
            country=address.country,
        )
    )
    if details.iban != previous_iban:
        record_iban(connection, party_id, previous_iban, details.iban, changed_by, now)


def record_iban(
    connection: Connection,
    party_id: str,
    previous_iban: str | None,
    iban: str | None,
    changed_by: str,
    now: datetime,
) -> None:
    connection.execute(
        insert(party_iban_changes).values(
            party_id=party_id,
            previous_iban=previous_iban,
            iban=iban,
            changed_by=changed_by,
            changed_at=now,
        )
    )


def iban_history(connection: Connection, party_id: str) -> list[IbanChange]:
    """Oldest first."""
    rows = connection.execute(
        select(party_iban_changes)
        .where(party_iban_changes.c.party_id == party_id)
        .order_by(party_iban_changes.c.seq)
    )
    return [IbanChange(row.previous_iban, row.iban, row.changed_by, row.changed_at) for row in rows]


def last_iban_change(connection: Connection, party_id: str) -> datetime | None:
    row = connection.execute(
        select(party_iban_changes.c.changed_at)
        .where(party_iban_changes.c.party_id == party_id)
        .order_by(party_iban_changes.c.seq.desc())
        .limit(1)
    ).first()
    return row.changed_at if row else None
