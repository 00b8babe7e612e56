"""Idempotency keys, as in the IETF draft "The Idempotency-Key HTTP Header Field".

A POST with a key is recorded before it runs (``in_progress``), scoped to the
caller's API key. The same key and the same request replays the stored response;
another request under the same key is refused (422); a request still running
under that key is refused (409). Responses of 5xx are not stored, so the client
may retry. Records live at least ``idempotency_key_ttl_seconds``.

Stored responses are sealed (AES-256-GCM under a purpose key of the keyring):
some carry secrets shown once, such as a new party's API key, and the database
keeps no secret in the clear.

What a crash between the use case's commit and the record's completion means: the
money paths are idempotent on their own (deterministic transfer ids, state
checks), so a retry moves no money twice; a retry of a use case that creates an
object (an order, a payment attempt, a party) after the record's lease has passed
creates a second one. That window is one process crash wide.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, delete, select, update

from axokey.adapters.db.engine import insert_ignoring_conflicts
from axokey.adapters.db.tables import idempotency_keys
from axokey.domain.errors import Conflict, ValidationFailed
from axokey.services import signing
from axokey.services.context import ServiceContext

# A request recorded as running for longer than this is taken to have died
# with its process; its key may be used again.
IN_PROGRESS_LEASE_SECONDS = 120


_SEAL_PURPOSE = b"axokey/idempotent-responses/v1"
_NONCE_BYTES = 12


def _seal(context: ServiceContext, body: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = signing.keyring(context).signing_key
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key.purpose_key(_SEAL_PURPOSE)).encrypt(nonce, body, key.key_id.encode())
    return key.key_id.encode() + b":" + nonce + sealed


def _open(context: ServiceContext, sealed: bytes) -> bytes | None:
    """The stored body, or None when its key has left the keyring."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key_id, _, rest = sealed.partition(b":")
    key = signing.keyring(context).find(key_id.decode(errors="replace"))
    if key is None:
        return None
    nonce, ciphertext = rest[:_NONCE_BYTES], rest[_NONCE_BYTES:]
    try:
        return AESGCM(key.purpose_key(_SEAL_PURPOSE)).decrypt(nonce, ciphertext, key_id)
    except InvalidTag:
        return None


@dataclass(frozen=True)
class StoredResponse:
    status: int
    content_type: str
    body: bytes


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def begin_request(
    context: ServiceContext, *, scope: str, key: str, fingerprint: str
) -> StoredResponse | None:
    """Record the start of a keyed request; return a stored response to replay."""
    now = context.now()
    expires_at = now + timedelta(seconds=context.settings.idempotency_key_ttl_seconds)

    def work(connection: Connection) -> StoredResponse | None:
        row = connection.execute(
            select(idempotency_keys).where(
                idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
            )
        ).first()
        if row is not None:
            stale = row.status == "in_progress" and (
                now - row.created_at > timedelta(seconds=IN_PROGRESS_LEASE_SECONDS)
            )
            if row.expires_at > now and not stale:
                if row.request_hash != fingerprint:
                    raise ValidationFailed(
                        "this Idempotency-Key was used with a different request",
                        code="idempotency_key_reused",
                    )
                if row.status == "in_progress":
                    raise Conflict(
                        "a request with this Idempotency-Key is still being processed",
                        code="idempotency_key_in_use",
                    )
                body = _open(context, row.response_body)
                if body is None:
                    raise Conflict(
                        "the stored response of this Idempotency-Key can no longer be read",
                        code="idempotency_key_unreadable",
                    )
                return StoredResponse(row.response_status, row.response_content_type, body)
            connection.execute(
                delete(idempotency_keys).where(
                    idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
                )
            )
        result = connection.execute(
            insert_ignoring_conflicts(connection, idempotency_keys, ["scope", "key"]).values(
                scope=scope,
                key=key,
                request_hash=fingerprint,
                status="in_progress",
                created_at=now,
                expires_at=expires_at,
            )
        )
        if result.rowcount == 0:
            raise Conflict(
                "a request with this Idempotency-Key is still being processed",
                code="idempotency_key_in_use",
            )
        return None

    return context.database.run(work)


def complete_request(
    context: ServiceContext, *, scope: str, key: str, response: StoredResponse
) -> None:
    def work(connection: Connection) -> None:
        connection.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
            .values(
                status="completed",
                response_status=response.status,
                response_content_type=response.content_type,
                response_body=_seal(context, response.body),
            )
        )

    context.database.run(work)


def abandon_request(context: ServiceContext, *, scope: str, key: str) -> None:
    """Forget a key whose request failed unexpectedly, so that it can be retried."""

    def work(connection: Connection) -> None:
        connection.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
            )
        )

    context.database.run(work)


def purge_expired_keys(context: ServiceContext) -> int:
    now = context.now()

    def work(connection: Connection) -> int:
        result = connection.execute(
            delete(idempotency_keys).where(idempotency_keys.c.expires_at <= now)
        )
        return result.rowcount

    return context.database.run(work)
