"""Idempotency keys, as in the IETF draft "The Idempotency-Key HTTP Header Field".

A POST with a key is recorded before it runs (``in_progress``), scoped to the
caller's API key (or, for the few unauthenticated POSTs, to the route and the
client's address). Exactly one request owns a key: the record is claimed with an
insert that reports whether it inserted (``insert_if_absent``), so of any number
of concurrent requests with one key one runs the use case, on SQLite and on
PostgreSQL. The others wait briefly (the middleware polls) and replay the
owner's stored response, or get 409 ``idempotency_key_in_use``. The same key
with another request is refused (422); a completed record is never overwritten.
Records live at least ``idempotency_key_ttl_seconds``.

The first commit of the owner's use case marks the key used *in that same
transaction* (``Database.checking_commits``): if the process dies after the
commit and before the response is stored, a retry is never run again; it gets
409 ``idempotency_response_lost`` (the request was carried out: read the
resource). A request whose key was taken over (its lease of
``idempotency_lease_seconds`` passed before its use case committed) cannot
commit at all: its transaction is rolled back with 409 ``idempotency_key_lost``.
Only a key whose use case never committed is taken over.

Failed requests: a 5xx the use case declared (a provider unavailable) releases
the key, so the client may retry with it; an unexpected failure releases it only
if the use case committed nothing.

Stored responses are sealed (AES-256-GCM under a purpose key of the keyring):
some carry secrets shown once, such as a new party's API key, and the database
keeps no secret in the clear.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from axokey.adapters.db import idempotency_repository as records
from axokey.adapters.db.engine import CommitCheck, Database
from axokey.adapters.db.transaction import Connection
from axokey.domain.errors import Conflict, ValidationFailed
from axokey.services import signing
from axokey.services.context import ServiceContext

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
    # Replayed as they were sent (a redirect's Location, a page's policy headers).
    headers: tuple[tuple[str, str], ...] = ()


def _pack(response: StoredResponse) -> bytes:
    """What is sealed: the headers (JSON, length-prefixed), then the body."""
    headers = json.dumps([list(header) for header in response.headers]).encode()
    return len(headers).to_bytes(4, "big") + headers + response.body


def _unpack(plain: bytes) -> tuple[tuple[tuple[str, str], ...], bytes]:
    length = int.from_bytes(plain[:4], "big")
    headers = tuple((str(name), str(value)) for name, value in json.loads(plain[4 : 4 + length]))
    return headers, plain[4 + length :]


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Claim:
    """A request's ownership of a key: only the request holding it may use it."""

    scope: str
    key: str
    owner_token: str


def key_in_use() -> Conflict:
    return Conflict(
        "a request with this Idempotency-Key is still being processed",
        code="idempotency_key_in_use",
    )


def begin_request(
    context: ServiceContext, *, scope: str, key: str, fingerprint: str
) -> Claim | StoredResponse:
    """Claim a key for this request, or return the stored response to replay.

    Raises 409 ``idempotency_key_in_use`` while another request owns the key,
    409 ``idempotency_response_lost`` when the owner's use case committed but its
    response was lost, 422 ``idempotency_key_reused`` for another request.
    """
    now = context.now()
    expires_at = now + timedelta(seconds=context.settings.idempotency_key_ttl_seconds)
    lease = timedelta(seconds=context.settings.idempotency_lease_seconds)
    owner_token = secrets.token_hex(16)
    claim = Claim(scope, key, owner_token)
    new_owner = records.NewOwner(scope, key, fingerprint, owner_token, now, expires_at)

    def claim_or_replay(connection: Connection) -> Claim | StoredResponse:
        record = records.find(connection, scope, key)
        if record is None:
            if records.claim(connection, new_owner):
                return claim
            # Another request claimed it first (on PostgreSQL this insert waited
            # for that request's transaction to commit): read what it recorded.
            record = records.find(connection, scope, key)
            if record is None:
                raise key_in_use()
        expired = record.expires_at <= now  # past its lifetime: the key is free again
        if not expired:
            stored = _replay_or_refuse(context, record, fingerprint, now=now, lease=lease)
            if stored is not None:
                return stored
        # Expired, or its owner died before its use case committed: run it afresh.
        if records.take_over(
            connection,
            new_owner,
            previous_owner_token=record.owner_token,
            only_if_uncommitted=not expired,
        ):
            return claim
        raise key_in_use()

    return context.database.run(claim_or_replay)


def _replay_or_refuse(
    context: ServiceContext,
    record: records.IdempotencyRecord,
    fingerprint: str,
    *,
    now: datetime,
    lease: timedelta,
) -> StoredResponse | None:
    """For a live record: the response to replay; None when its owner died before
    its use case committed anything (the key may be taken over); else refused."""
    if record.request_hash != fingerprint:
        raise ValidationFailed(
            "this Idempotency-Key was used with a different request",
            code="idempotency_key_reused",
        )
    if record.status == records.COMPLETED:
        plain = _open(context, record.response_body or b"")
        if plain is None or record.response_status is None:
            raise Conflict(
                "the stored response of this Idempotency-Key can no longer be read",
                code="idempotency_key_unreadable",
            )
        headers, body = _unpack(plain)
        return StoredResponse(
            record.response_status, record.response_content_type or "", body, headers
        )
    if now - record.created_at <= lease:
        raise key_in_use()
    if record.committed_at is not None:
        raise Conflict(
            "the request with this Idempotency-Key was carried out, but its response "
            "was lost; read the resource instead of retrying",
            code="idempotency_response_lost",
        )
    return None


def commit_check(context: ServiceContext, claim: Claim) -> CommitCheck:
    """The check run in each transaction of the claim's use case before it commits:
    marks the key used, or rolls the transaction back if the claim was lost."""

    def check(connection: Connection) -> None:
        if not records.mark_committed(
            connection,
            scope=claim.scope,
            key=claim.key,
            owner_token=claim.owner_token,
            now=context.now(),
        ):
            raise Conflict(
                "another request took this Idempotency-Key over; nothing was changed",
                code="idempotency_key_lost",
            )

    return check


@contextmanager
def use_cases_owned_by(context: ServiceContext, claim: Claim) -> Iterator[None]:
    """Within this block (the request's use case), every write transaction also
    marks the claim's key used before it commits, or is rolled back with 409
    ``idempotency_key_lost`` if the claim was lost (``commit_check``)."""
    with Database.checking_commits(commit_check(context, claim)):
        yield


def complete_request(context: ServiceContext, claim: Claim, response: StoredResponse) -> bool:
    """Store the owner's response (never over a completed one); False if the claim
    was lost meanwhile."""
    sealed = _seal(context, _pack(response))

    def store_response(connection: Connection) -> bool:
        return records.complete(
            connection,
            scope=claim.scope,
            key=claim.key,
            owner_token=claim.owner_token,
            response_status=response.status,
            response_content_type=response.content_type,
            sealed_body=sealed,
        )

    return context.database.run(store_response)


def abandon_request(context: ServiceContext, claim: Claim, *, declared: bool) -> bool:
    """Free the key of a request that failed, so that it can be retried: always
    after a failure the use case declared (a provider unavailable), only if it
    committed nothing after an unexpected one. True when freed."""

    def free_the_key(connection: Connection) -> bool:
        return records.release(
            connection,
            scope=claim.scope,
            key=claim.key,
            owner_token=claim.owner_token,
            only_if_uncommitted=not declared,
        )

    return context.database.run(free_the_key)


def purge_expired_keys(context: ServiceContext) -> int:
    now = context.now()
    return context.database.run(lambda connection: records.purge_expired(connection, now))
