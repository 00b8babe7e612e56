"""Idempotency-key records: claimed by one request, marked used by its use case's
first commit, completed with its sealed response.

Every change names the owner's token (a random value each request draws), so a
request that lost its key (its lease passed and another request took the key
over) changes nothing. Whether a statement changed a row is read from
``RETURNING``, never from ``rowcount`` (psycopg 3 reports -1 for some statements).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, delete, func, literal, select, update

from axokey.adapters.db.engine import insert_if_absent
from axokey.adapters.db.tables import UTCDateTime, idempotency_keys

IN_PROGRESS = "in_progress"
COMPLETED = "completed"


@dataclass(frozen=True)
class IdempotencyRecord:
    scope: str
    key: str
    request_hash: str
    status: str
    owner_token: str
    created_at: datetime
    expires_at: datetime
    committed_at: datetime | None
    response_status: int | None
    response_content_type: str | None
    response_body: bytes | None


@dataclass(frozen=True)
class NewOwner:
    """A request claiming a key: what its record starts with."""

    scope: str
    key: str
    request_hash: str
    owner_token: str
    now: datetime
    expires_at: datetime


def _where(scope: str, key: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return idempotency_keys.c.scope == scope, idempotency_keys.c.key == key


def find(connection: Connection, scope: str, key: str) -> IdempotencyRecord | None:
    row = connection.execute(select(idempotency_keys).where(*_where(scope, key))).first()
    if row is None:
        return None
    return IdempotencyRecord(
        scope=row.scope,
        key=row.key,
        request_hash=row.request_hash,
        status=row.status,
        owner_token=row.owner_token,
        created_at=row.created_at,
        expires_at=row.expires_at,
        committed_at=row.committed_at,
        response_status=row.response_status,
        response_content_type=row.response_content_type,
        response_body=row.response_body,
    )


def claim(connection: Connection, owner: NewOwner) -> bool:
    """Record a new key as in progress for its owner; False when the key exists."""
    return insert_if_absent(
        connection,
        idempotency_keys,
        ["scope", "key"],
        {
            "scope": owner.scope,
            "key": owner.key,
            "request_hash": owner.request_hash,
            "status": IN_PROGRESS,
            "owner_token": owner.owner_token,
            "created_at": owner.now,
            "expires_at": owner.expires_at,
        },
    )


def take_over(
    connection: Connection,
    owner: NewOwner,
    *,
    previous_owner_token: str,
    only_if_uncommitted: bool,
) -> bool:
    """Give an existing key to ``owner``, starting afresh, if it still belongs to
    ``previous_owner_token`` (and, with ``only_if_uncommitted``, if that owner's
    use case never committed). True when this call took it."""
    conditions = [
        *_where(owner.scope, owner.key),
        idempotency_keys.c.owner_token == previous_owner_token,
    ]
    if only_if_uncommitted:
        conditions.append(idempotency_keys.c.committed_at.is_(None))
    statement = (
        update(idempotency_keys)
        .where(*conditions)
        .values(
            request_hash=owner.request_hash,
            status=IN_PROGRESS,
            owner_token=owner.owner_token,
            created_at=owner.now,
            expires_at=owner.expires_at,
            committed_at=None,
            response_status=None,
            response_content_type=None,
            response_body=None,
        )
        .returning(idempotency_keys.c.key)
    )
    return connection.execute(statement).first() is not None


def mark_committed(
    connection: Connection, *, scope: str, key: str, owner_token: str, now: datetime
) -> bool:
    """Note that the owner's use case commits (the first commit's time is kept);
    False when ``owner_token`` no longer owns the key."""
    committed_at = idempotency_keys.c.committed_at
    statement = (
        update(idempotency_keys)
        .where(*_where(scope, key), idempotency_keys.c.owner_token == owner_token)
        .values(committed_at=func.coalesce(committed_at, literal(now, UTCDateTime())))
        .returning(idempotency_keys.c.key)
    )
    return connection.execute(statement).first() is not None


def complete(
    connection: Connection,
    *,
    scope: str,
    key: str,
    owner_token: str,
    response_status: int,
    response_content_type: str,
    sealed_body: bytes,
) -> bool:
    """Store the owner's response; never overwrites a completed record."""
    statement = (
        update(idempotency_keys)
        .where(
            *_where(scope, key),
            idempotency_keys.c.owner_token == owner_token,
            idempotency_keys.c.status == IN_PROGRESS,
        )
        .values(
            status=COMPLETED,
            response_status=response_status,
            response_content_type=response_content_type,
            response_body=sealed_body,
        )
        .returning(idempotency_keys.c.key)
    )
    return connection.execute(statement).first() is not None


def release(
    connection: Connection, *, scope: str, key: str, owner_token: str, only_if_uncommitted: bool
) -> bool:
    """Forget an in-progress key so that it can be used again; True when forgotten."""
    conditions = [
        *_where(scope, key),
        idempotency_keys.c.owner_token == owner_token,
        idempotency_keys.c.status == IN_PROGRESS,
    ]
    if only_if_uncommitted:
        conditions.append(idempotency_keys.c.committed_at.is_(None))
    statement = delete(idempotency_keys).where(*conditions).returning(idempotency_keys.c.key)
    return connection.execute(statement).first() is not None


def purge_expired(connection: Connection, now: datetime) -> int:
    """Delete the expired records (one statement); the number deleted."""
    result = connection.execute(
        delete(idempotency_keys).where(idempotency_keys.c.expires_at <= now)
    )
    return int(result.rowcount)
