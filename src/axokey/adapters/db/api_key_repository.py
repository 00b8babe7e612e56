"""API keys: the only place that queries the ``api_keys`` table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from axokey.adapters.db.pagination import newest_first_page
from axokey.adapters.db.party_repository import party_from_row
from axokey.adapters.db.tables import api_keys, parties
from axokey.domain.access import ApiKey
from axokey.domain.parties import Party


def api_key_from_row(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        party_id=row.party_id,
        name=row.name,
        prefix=row.prefix,
        scopes=tuple(row.scopes),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
        last_used_ip=row.last_used_ip,
        previous_secret_expires_at=row.previous_secret_expires_at,
    )


def add_key(
    connection: Connection,
    *,
    key_id: str,
    party_id: str | None,
    name: str,
    prefix: str,
    secret_hash: str,
    scopes: list[str],
    expires_at: datetime | None,
    now: datetime,
) -> ApiKey:
    connection.execute(
        insert(api_keys).values(
            id=key_id,
            party_id=party_id,
            name=name,
            prefix=prefix,
            secret_hash=secret_hash,
            scopes=scopes,
            created_at=now,
            expires_at=expires_at,
        )
    )
    key = get_key(connection, key_id)
    assert key is not None
    return key


def get_key(connection: Connection, key_id: str, *, lock: bool = False) -> ApiKey | None:
    query = select(api_keys).where(api_keys.c.id == key_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return api_key_from_row(row) if row else None


# The authentication read: the key and its party in one statement, by a unique index.
# Built once (bound parameter): SQLAlchemy then reuses its compiled form without
# recomputing its cache key on every request.
_KEY_COLUMNS = [column.label(f"key_{column.name}") for column in api_keys.c]
_KEY_AND_PARTY = select(*_KEY_COLUMNS, *parties.c).select_from(
    api_keys.outerjoin(parties, parties.c.id == api_keys.c.party_id)
)
_BY_CURRENT_HASH = _KEY_AND_PARTY.where(api_keys.c.secret_hash == bindparam("secret_hash"))
_BY_PREVIOUS_HASH = _KEY_AND_PARTY.where(
    api_keys.c.previous_secret_hash == bindparam("secret_hash")
)


class _Prefixed:
    """A row's ``key_*`` columns seen without their prefix."""

    def __init__(self, row: Any) -> None:
        self._mapping = row._mapping

    def __getattr__(self, name: str) -> Any:
        return self._mapping[f"key_{name}"]


@dataclass(frozen=True)
class KeyMatch:
    key: ApiKey
    party: Party | None
    stored_hash: str  # the stored hash that matched
    is_current: bool  # the current secret's (else the previous one, after a rotation)


def find_by_secret_hash(connection: Connection, secret_hash: str) -> KeyMatch | None:
    """The key whose current secret has this hash, with its party: one read by a
    unique index. Only when none has it (an unknown key, or a secret replaced by a
    rotation), a second read by the previous secret's unique index."""
    for statement, is_current in ((_BY_CURRENT_HASH, True), (_BY_PREVIOUS_HASH, False)):
        row = connection.execute(statement, {"secret_hash": secret_hash}).first()
        if row is not None:
            key_row = _Prefixed(row)
            key = api_key_from_row(key_row)
            party = party_from_row(row) if key.party_id is not None else None
            stored = key_row.secret_hash if is_current else key_row.previous_secret_hash
            return KeyMatch(key=key, party=party, stored_hash=stored, is_current=is_current)
    return None


def secret_hashes(connection: Connection, key_id: str) -> tuple[str, str | None]:
    row = connection.execute(
        select(api_keys.c.secret_hash, api_keys.c.previous_secret_hash).where(
            api_keys.c.id == key_id
        )
    ).one()
    return row.secret_hash, row.previous_secret_hash


def list_keys(
    connection: Connection,
    *,
    party_id: str | None,
    operator_keys: bool,
    all_parties: bool,
    limit: int,
    starting_after: str | None,
) -> tuple[list[ApiKey], bool]:
    """Newest first, and whether more follow. ``all_parties``: every key; else the
    operator's keys (``operator_keys``) or one party's keys."""
    query = select(api_keys)
    if not all_parties:
        if operator_keys:
            query = query.where(api_keys.c.party_id.is_(None))
        else:
            query = query.where(api_keys.c.party_id == party_id)
    rows, has_more = newest_first_page(
        connection, query, api_keys.c.id, limit=limit, starting_after=starting_after
    )
    return [api_key_from_row(row) for row in rows], has_more


def revoke(connection: Connection, key_id: str, *, now: datetime) -> None:
    connection.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def replace_secret(
    connection: Connection,
    key_id: str,
    *,
    secret_hash: str,
    prefix: str,
    previous_secret_hash: str | None,
    previous_secret_expires_at: datetime | None,
) -> None:
    connection.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id)
        .values(
            secret_hash=secret_hash,
            prefix=prefix,
            previous_secret_hash=previous_secret_hash,
            previous_secret_expires_at=previous_secret_expires_at,
        )
    )


def record_use(
    connection: Connection, key_id: str, *, now: datetime, ip: str | None, stale_before: datetime
) -> None:
    """Write the last use unless another request did since ``stale_before``."""
    connection.execute(
        update(api_keys)
        .where(
            api_keys.c.id == key_id,
            or_(api_keys.c.last_used_at.is_(None), api_keys.c.last_used_at < stale_before),
        )
        .values(last_used_at=now, last_used_ip=ip)
    )


def forget_addresses_before(connection: Connection, cutoff: datetime) -> int:
    """Clear the address a key was last used from when that use is older than
    ``cutoff`` (the time of the last use stays); how many."""
    cleared = connection.execute(
        update(api_keys)
        .where(api_keys.c.last_used_at < cutoff, api_keys.c.last_used_ip.is_not(None))
        .values(last_used_ip=None)
    )
    return int(cleared.rowcount)
