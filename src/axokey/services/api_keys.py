"""API keys: several per party and one per person at the operator, with scopes,
an optional expiry, rotation with a grace period, and revocation.

Authentication is one indexed read (the key and its party, by the SHA-256 hash of
the presented secret), kept a few seconds per process (``key_cache``: revoking or
rotating a key takes effect at once in the process that did it, within
``api_key_cache_seconds`` in the others). The key's last use is written at most once per
``api_key_last_used_interval_seconds`` per key, not on every request.

Key management follows one rule: a key manages (creates, rotates, revokes) only
keys whose every scope it holds itself, so a narrow key can never obtain a wider
secret. A party never sees another party's keys (404), nor the operator's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axokey.adapters.db import api_key_repository, party_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.access import ApiKey, Scope, normalise_scopes, parse_scopes, ungranted
from axokey.domain.audit import Action, Actor
from axokey.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from axokey.domain.identifiers import new_id
from axokey.domain.parties import Principal, Role
from axokey.services import audit
from axokey.services.context import ServiceContext
from axokey.services.keys import hash_api_key, key_prefix, keys_match, new_api_key

FIRST_KEY_NAME = "first key"


def command_line_principal() -> Principal:
    """The operator acting through an ``axokey`` command on the server."""
    return Principal(
        role=Role.ADMIN,
        party=None,
        key_hash="",
        scopes=frozenset({Scope.ALL.value}),
        authenticated_by=Actor.COMMAND_LINE.value,
    )


def authenticate(
    context: ServiceContext,
    presented_key: str | None,
    *,
    client_address: str | None = None,
    request_id: str | None = None,
) -> Principal:
    """The principal behind a bearer key, or ``Unauthenticated``."""
    principal = _authenticate(context, presented_key, client_address, request_id, wait=True)
    assert principal is not None
    return principal


def authenticate_without_waiting(
    context: ServiceContext,
    presented_key: str | None,
    *,
    client_address: str | None = None,
    request_id: str | None = None,
) -> Principal | None:
    """:func:`authenticate` when it needs no database (the key is in ``key_cache``
    and its last use need not be written), so that an event loop may call it;
    else None: call :func:`authenticate`, which may wait for the database."""
    return _authenticate(context, presented_key, client_address, request_id, wait=False)


def _authenticate(
    context: ServiceContext,
    presented_key: str | None,
    client_address: str | None,
    request_id: str | None,
    *,
    wait: bool,
) -> Principal | None:
    if not presented_key:
        raise Unauthenticated("an API key is required: Authorization: Bearer <key>")
    key_hash = hash_api_key(presented_key)
    admin_key = context.settings.secret("admin_key")
    if admin_key and keys_match(presented_key, admin_key):
        return Principal(
            role=Role.ADMIN,
            party=None,
            key_hash=key_hash,
            scopes=frozenset({Scope.ALL.value}),
            authenticated_by=Actor.BOOTSTRAP_KEY.value,
            client_address=client_address,
            request_id=request_id,
        )
    cache = context.key_cache
    found = cache.get(key_hash)
    if found is None:
        if not wait:
            return None
        generation = cache.generation
        with context.database.read() as connection:
            found = api_key_repository.find_by_secret_hash(connection, key_hash)
        if found is not None:
            cache.put(key_hash, found, generation)
    if found is None:
        raise Unauthenticated("the API key is not valid")
    key, party = found.key, found.party
    now = context.now()
    _refuse_unusable(found, key_hash, now)
    interval = context.settings.api_key_last_used_interval_seconds
    if key.use_is_stale(now, interval):
        if not wait:
            return None
        stale_before = now - timedelta(seconds=interval)
        # Apart from the request's use case: this write never marks its idempotency key.
        context.database.run_apart(
            lambda connection: api_key_repository.record_use(
                connection, key.id, now=now, ip=client_address, stale_before=stale_before
            )
        )
        cache.used(key_hash, now)
    return Principal(
        role=party.role if party is not None else Role.ADMIN,
        party=party,
        key_hash=key_hash,
        key_id=key.id,
        scopes=frozenset(key.scopes),
        authenticated_by=Actor.API_KEY.value,
        client_address=client_address,
        request_id=request_id,
    )


def _refuse_unusable(found: api_key_repository.KeyMatch, key_hash: str, now: datetime) -> None:
    """``Unauthenticated`` unless the key found may be used now."""
    key = found.key
    if not keys_match(found.stored_hash, key_hash):
        raise Unauthenticated("the API key is not valid")
    if key.revoked_at is not None:
        raise Unauthenticated("the API key was revoked", code="api_key_revoked")
    if key.expires_at is not None and key.expires_at <= now:
        raise Unauthenticated("the API key has expired", code="api_key_expired")
    if not found.is_current and not key.previous_secret_usable(now):
        raise Unauthenticated(
            "this secret was replaced by a rotation and its grace period is over",
            code="api_key_rotated",
        )


def _mint_key(
    connection: Connection,
    *,
    party_id: str | None,
    role: Role,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    now: datetime,
) -> tuple[ApiKey, str]:
    """A new key stored by its hash; returns it and its secret (shown once)."""
    secret = new_api_key(role.value)
    key = api_key_repository.add_key(
        connection,
        key_id=new_id("key"),
        party_id=party_id,
        name=name,
        prefix=key_prefix(secret),
        secret_hash=hash_api_key(secret),
        scopes=scopes,
        expires_at=expires_at,
        now=now,
    )
    return key, secret


def issue_first_key(
    connection: Connection, context: ServiceContext, principal: Principal, party_id: str, role: Role
) -> str:
    """The key given with a new party (its first key, all scopes), in the party's
    creation transaction. Returns the secret."""
    key, secret = _mint_key(
        connection,
        party_id=party_id,
        role=role,
        name=FIRST_KEY_NAME,
        scopes=[Scope.ALL.value],
        expires_at=None,
        now=context.now(),
    )
    audit.record(
        connection,
        context,
        principal,
        Action.API_KEY_CREATED,
        object_id=key.id,
        subject_party_id=party_id,
        details={"name": key.name, "scopes": list(key.scopes)},
    )
    return secret


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once


def create_key(
    context: ServiceContext,
    principal: Principal,
    *,
    name: str,
    scopes: list[str] | None,
    expires_at: datetime | None,
    party_id: str | None = None,
) -> IssuedKey:
    """A new key: a party's for itself; the operator's for any party (``party_id``)
    or, without ``party_id``, for a person at the operator."""
    name = name.strip()
    if not name:
        raise ValidationFailed(
            "a key needs a name (the device or system it is for)",
            errors=[FieldError("name", "must not be blank")],
        )
    if party_id is not None and not principal.is_admin and party_id != principal.party_id:
        raise Forbidden("only the operator creates keys for another party", code="forbidden")
    owner_id = principal.party_id if not principal.is_admin else party_id
    requested = sorted(principal.scopes) if scopes is None else scopes
    granted = normalise_scopes(parse_scopes(requested))
    now = context.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(
            "the expiry is in the past",
            code="expiry_in_past",
            errors=[FieldError("expires_at", "must be in the future")],
        )
    _require_scopes(principal, granted, "create")

    def issue_key(connection: Connection) -> IssuedKey:
        role = Role.ADMIN
        if owner_id is not None:
            party = party_repository.get_party(connection, owner_id)
            if party is None:
                raise NotFound(f"party {owner_id} not found", code="party_not_found")
            role = party.role
        key, secret = _mint_key(
            connection,
            party_id=owner_id,
            role=role,
            name=name,
            scopes=granted,
            expires_at=expires_at,
            now=now,
        )
        audit.record(
            connection,
            context,
            principal,
            Action.API_KEY_CREATED,
            object_id=key.id,
            subject_party_id=owner_id,
            details={
                "name": name,
                "scopes": granted,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
        return IssuedKey(key, secret)

    return context.database.run(issue_key)


@dataclass(frozen=True)
class KeyPage:
    keys: list[ApiKey]
    has_more: bool


def list_keys(
    context: ServiceContext,
    principal: Principal,
    *,
    party_id: str | None = None,
    operator_keys: bool = False,
    limit: int = 20,
    starting_after: str | None = None,
) -> KeyPage:
    """A party: its own keys. The operator: every key, or one party's
    (``party_id``), or the operator's own (``operator_keys``)."""
    if not principal.is_admin:
        if operator_keys or (party_id is not None and party_id != principal.party_id):
            raise Forbidden("a party lists only its own keys", code="forbidden")
        party_id = principal.party_id
    with context.database.read() as connection:
        keys, has_more = api_key_repository.list_keys(
            connection,
            party_id=party_id,
            operator_keys=operator_keys,
            all_parties=principal.is_admin and party_id is None and not operator_keys,
            limit=limit,
            starting_after=starting_after,
        )
    return KeyPage(keys=keys, has_more=has_more)


def get_key(context: ServiceContext, principal: Principal, key_id: str) -> ApiKey:
    with context.database.read() as connection:
        return _visible_key(connection, principal, key_id)


def revoke_key(context: ServiceContext, principal: Principal, key_id: str) -> ApiKey:
    """Revoked at once in this process: its next request with the key gets 401;
    other processes within ``api_key_cache_seconds`` (``key_cache``)."""

    def revoke(connection: Connection) -> ApiKey:
        key = _visible_key(connection, principal, key_id, lock=True)
        if key.revoked_at is not None:
            raise Conflict(f"key {key_id} is already revoked", code="api_key_revoked")
        _require_scopes(principal, key.scopes, "revoke")
        api_key_repository.revoke(connection, key.id, now=context.now())
        audit.record(
            connection,
            context,
            principal,
            Action.API_KEY_REVOKED,
            object_id=key.id,
            subject_party_id=key.party_id,
            details={"name": key.name},
        )
        revoked = api_key_repository.get_key(connection, key.id)
        assert revoked is not None
        return revoked

    try:
        return context.database.run(revoke)
    finally:  # this process's next request with the key reads it again
        context.key_cache.clear()


def rotate_key(context: ServiceContext, principal: Principal, key_id: str) -> IssuedKey:
    """A new secret; the previous one keeps working for
    ``api_key_rotation_grace_seconds`` (0: it stops at once)."""
    grace_seconds = context.settings.api_key_rotation_grace_seconds

    def rotate(connection: Connection) -> IssuedKey:
        key = _visible_key(connection, principal, key_id, lock=True)
        now = context.now()
        if key.revoked_at is not None:
            raise Conflict(f"key {key_id} is revoked", code="api_key_revoked")
        if key.expires_at is not None and key.expires_at <= now:
            raise Conflict(f"key {key_id} has expired", code="api_key_expired")
        _require_scopes(principal, key.scopes, "rotate")
        role = Role.ADMIN
        if key.party_id is not None:
            party = party_repository.get_party(connection, key.party_id)
            assert party is not None
            role = party.role
        secret = new_api_key(role.value)
        current_hash, _previous = api_key_repository.secret_hashes(connection, key.id)
        grace_ends = now + timedelta(seconds=grace_seconds) if grace_seconds > 0 else None
        api_key_repository.replace_secret(
            connection,
            key.id,
            secret_hash=hash_api_key(secret),
            prefix=key_prefix(secret),
            previous_secret_hash=current_hash if grace_ends else None,
            previous_secret_expires_at=grace_ends,
        )
        audit.record(
            connection,
            context,
            principal,
            Action.API_KEY_ROTATED,
            object_id=key.id,
            subject_party_id=key.party_id,
            details={
                "name": key.name,
                "previous_secret_expires_at": grace_ends.isoformat() if grace_ends else None,
            },
        )
        rotated = api_key_repository.get_key(connection, key.id)
        assert rotated is not None
        return IssuedKey(rotated, secret)

    try:
        return context.database.run(rotate)
    finally:  # this process's next request with the old secret reads it again
        context.key_cache.clear()


def _visible_key(
    connection: Connection, principal: Principal, key_id: str, *, lock: bool = False
) -> ApiKey:
    """The key if the caller may see it: the operator any key, a party its own.
    Anything else is 404 (no existence leak)."""
    key = api_key_repository.get_key(connection, key_id, lock=lock) if len(key_id) <= 64 else None
    if key is None or (not principal.is_admin and key.party_id != principal.party_id):
        raise NotFound(f"key {key_id} not found", code="api_key_not_found")
    return key


def _require_scopes(principal: Principal, scopes: list[str] | tuple[str, ...], verb: str) -> None:
    missing = ungranted(principal.scopes, scopes)
    if missing:
        raise Forbidden(
            f"this key cannot {verb} a key with scope(s) it does not hold: {', '.join(missing)}",
            code="insufficient_scope",
        )
