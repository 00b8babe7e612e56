"""API keys: 256 random bits behind a readable prefix; only a hash is stored.

A key looks like ``axk_merchant_3q2…``. The stored SHA-256 hash is the look-up
index (a hash of a 256-bit random secret needs no salt or slow KDF), and the
final comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_RANDOM_BYTES = 32


def new_api_key(role: str) -> str:
    return f"axk_{role}_{secrets.token_urlsafe(KEY_RANDOM_BYTES)}"


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str:
    """What is shown to identify a key without revealing it."""
    return key[: key.rfind("_") + 5] if "_" in key else key[:4]


def keys_match(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode(), expected.encode())
