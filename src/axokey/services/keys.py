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
    parts = key.split("_", 2)
    if len(parts) == 3:
        return f"{parts[0]}_{parts[1]}_{parts[2][:4]}"[:24]
    return key[:4]


def keys_match(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode(), expected.encode())
