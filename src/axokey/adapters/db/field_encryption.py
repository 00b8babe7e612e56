"""Personal data at rest: encrypted columns, blind indexes and pseudonyms.

IBANs are stored encrypted (AES-256-GCM, ``cryptography``) in columns typed
``tables.EncryptedString``: every repository that writes such a column encrypts, every
read decrypts, with no code of its own. A stored value reads::

    enc1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>

The key id says which data key encrypted it, so keys rotate: ``AXOKEY_DATA_KEYS`` is
a ``kid:secret[,kid:secret...]`` list (like ``AXOKEY_SIGNING_KEYS``); the first key
encrypts, every key decrypts, and ``axokey data reencrypt`` rewrites every value under
the first. Without the setting, one key (id ``D1``) is derived from the admin key —
fine for a demo, but then changing the admin key makes the stored IBANs unreadable:
set ``AXOKEY_DATA_KEYS`` in production.

A column that must be found by equality (a customer's email) gets a *blind index*
beside it: HMAC-SHA256 of the normalised value under a key derived from the data key.
A lookup computes the index under every key (so it works during a rotation).

The keyring belongs to one engine: :func:`install` ties it to the engine's dialect
(what a column type is given), so two databases in one process may use different
keys. Writing an encrypted column on an engine without a keyring raises: nothing is
ever stored in clear by accident.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine
from sqlalchemy.engine import Dialect

PREFIX = "enc1"
NONCE_BYTES = 12
SECRET_MIN_BYTES = 32
KEY_ID_MAX_LENGTH = 8
DERIVED_KEY_ID = "D1"
_KEY_ID_PATTERN = re.compile(rf"[A-Z0-9]{{1,{KEY_ID_MAX_LENGTH}}}")
_ENCRYPTION_PURPOSE = b"axokey/data-encryption/v1"
_BLIND_INDEX_PURPOSE = b"axokey/blind-index/v1"
_PSEUDONYM_PURPOSE = b"axokey/pseudonym/v1"
_DERIVE_SALT = b"axokey/derive-data-keys/v1"
# Bound to every encrypted column value (AES-GCM associated data).
COLUMN_PURPOSE = b"axokey/personal-data/v1"


class DataKeyError(ValueError):
    """A data keyring setting that cannot be used (said without echoing secrets)."""


class UndecryptableValue(RuntimeError):
    """A stored value no key of the keyring opens (unknown key id, or tampered)."""


@dataclass(frozen=True)
class DataKey:
    key_id: str
    secret: bytes = field(repr=False)

    def purpose_key(self, purpose: bytes) -> bytes:
        return hmac.new(self.secret, purpose, hashlib.sha256).digest()


@dataclass(frozen=True)
class DataKeyring:
    """Data keys: the first encrypts, every one decrypts."""

    keys: tuple[DataKey, ...]
    derived_from_admin_key: bool = False

    def __post_init__(self) -> None:
        if not self.keys:
            raise DataKeyError("a data keyring needs at least one key")
        key_ids = [key.key_id for key in self.keys]
        if len(set(key_ids)) != len(key_ids):
            raise DataKeyError("data key ids must be distinct")
        for key in self.keys:
            if _KEY_ID_PATTERN.fullmatch(key.key_id) is None:
                raise DataKeyError(
                    f"data key id {key.key_id!r} must be 1 to {KEY_ID_MAX_LENGTH} "
                    "characters A-Z or 0-9"
                )
            if len(key.secret) < SECRET_MIN_BYTES:
                raise DataKeyError(
                    f"the secret of data key {key.key_id!r} is too short: "
                    f"at least {SECRET_MIN_BYTES} bytes"
                )

    @property
    def current(self) -> DataKey:
        return self.keys[0]

    def find(self, key_id: str) -> DataKey | None:
        return next((key for key in self.keys if key.key_id == key_id), None)

    # --- encryption -----------------------------------------------------------------------

    def encrypt(self, plaintext: str, *, purpose: bytes) -> str:
        key = self.current
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(key.purpose_key(_ENCRYPTION_PURPOSE)).encrypt(
            nonce, plaintext.encode("utf-8"), purpose
        )
        token = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{PREFIX}:{key.key_id}:{token}"

    def decrypt(self, stored: str, *, purpose: bytes) -> str:
        key_id = key_id_of(stored)
        if key_id is None:
            raise UndecryptableValue("the stored value is not an encrypted value")
        key = self.find(key_id)
        if key is None:
            raise UndecryptableValue(f"no data key {key_id!r} in AXOKEY_DATA_KEYS")
        token = stored.split(":", 2)[2]
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            plaintext = AESGCM(key.purpose_key(_ENCRYPTION_PURPOSE)).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose
            )
        except (InvalidTag, ValueError):
            raise UndecryptableValue(f"a value under data key {key_id!r} fails its check") from None
        return plaintext.decode("utf-8")

    # --- blind indexes and pseudonyms -----------------------------------------------------

    def blind_index(self, value: str, *, key: DataKey | None = None) -> str:
        """The index of a normalised value under ``key`` (the current one by default)."""
        key = key or self.current
        return hmac.new(key.purpose_key(_BLIND_INDEX_PURPOSE), value.encode(), "sha256").hexdigest()

    def blind_indexes(self, value: str) -> list[str]:
        """The value's index under every key: what a lookup searches for."""
        return [self.blind_index(value, key=key) for key in self.keys]

    def pseudonym(self, value: str) -> str:
        """A stable pseudonym of a normalised value: the same value always gives the
        same pseudonym under the current key; it says nothing of the value without it."""
        digest = hmac.new(self.current.purpose_key(_PSEUDONYM_PURPOSE), value.encode(), "sha256")
        return digest.hexdigest()[:20]


def key_id_of(stored: str) -> str | None:
    """The id of the key a stored value is encrypted under; None when not encrypted."""
    parts = stored.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    return parts[1]


def parse_data_keys(setting: str) -> DataKeyring:
    """The keyring of ``"kid:secret[,kid:secret...]"`` (secrets: at least 32 bytes,
    e.g. ``secrets.token_urlsafe(32)``); raises ``DataKeyError`` without the secrets."""
    keys = []
    for position, entry in enumerate(setting.split(","), start=1):
        key_id, separator, secret = entry.strip().partition(":")
        if not separator:
            raise DataKeyError(f"data key entry {position} is not of the form kid:secret")
        keys.append(DataKey(key_id.strip().upper(), secret.strip().encode("utf-8")))
    return DataKeyring(tuple(keys))


def derive_data_keyring(admin_key: str) -> DataKeyring:
    """One data key derived from the admin key (HKDF-SHA256 style, its own salt, so
    it is neither the admin key nor the derived signing key), id ``D1``."""
    material = admin_key.encode("utf-8")
    if len(material) < SECRET_MIN_BYTES:
        raise DataKeyError(
            f"the admin key to derive data keys from must be at least {SECRET_MIN_BYTES} "
            "bytes long; or set AXOKEY_DATA_KEYS"
        )
    pseudo_random_key = hmac.new(_DERIVE_SALT, material, hashlib.sha256).digest()
    secret = hmac.new(pseudo_random_key, b"data-key\x01", hashlib.sha256).digest()
    return DataKeyring((DataKey(DERIVED_KEY_ID, secret),), derived_from_admin_key=True)


def keyring_from_settings(data_keys: str | None, admin_key: str | None) -> DataKeyring | None:
    """The configured data keyring, or one derived from the admin key, or None.

    With both set, the key derived from the admin key is kept last (decrypt only,
    unless listed): what was stored before ``AXOKEY_DATA_KEYS`` was set stays readable
    until ``axokey data reencrypt`` has moved it to the configured key."""
    if data_keys:
        keyring = parse_data_keys(data_keys)
        if admin_key and keyring.find(DERIVED_KEY_ID) is None:
            try:
                derived = derive_data_keyring(admin_key).current
            except DataKeyError:
                return keyring
            return DataKeyring((*keyring.keys, derived))
        return keyring
    if admin_key:
        return derive_data_keyring(admin_key)
    return None


# --- the keyring of an engine ---------------------------------------------------------------

_keyrings: WeakKeyDictionary[Dialect, DataKeyring] = WeakKeyDictionary()


def install(engine: Engine, keyring: DataKeyring) -> None:
    """Encrypt and decrypt this engine's encrypted columns with ``keyring``."""
    _keyrings[engine.dialect] = keyring


def keyring_of(dialect: Dialect) -> DataKeyring:
    keyring = _keyrings.get(dialect)
    if keyring is None:
        raise DataKeyError(
            "no data keys for this database: set AXOKEY_DATA_KEYS (or AXOKEY_ADMIN_KEY)"
        )
    return keyring


def keyring_for(connection: Any) -> DataKeyring:
    """The keyring of an open connection's engine (for blind indexes and pseudonyms)."""
    return keyring_of(connection.dialect)


def normalise_email(email: str) -> str:
    """The form an email's blind index is computed from: trimmed and lower-case."""
    return email.strip().lower()


def email_indexes(connection: Any, email: str) -> list[str]:
    return keyring_for(connection).blind_indexes(normalise_email(email))


def email_index(connection: Any, email: str) -> str:
    return keyring_for(connection).blind_index(normalise_email(email))
