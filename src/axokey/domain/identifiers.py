"""Prefixed, time-ordered, unguessable identifiers (``ord_01J…``).

The 26 characters after the prefix are a ULID: 48 bits of milliseconds then 80
random bits, in Crockford base32. Ids sort by creation time, which gives cursor
pagination a stable order, and cannot be guessed.
"""

from __future__ import annotations

import secrets
import time

from axokey.domain.errors import InvariantBroken

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

PREFIXES = frozenset(
    {
        "pty",
        "prd",
        "agr",
        "lst",
        "ord",
        "ln",
        "pay",
        "rdm",
        "rfd",
        "po",
        "pob",
        "crt",
        "whe",
        "evt",
        "key",
        "aud",
        "wha",
        "eml",
        "cln",
    }
)


def encode_crockford(value: int, length: int) -> str:
    characters = []
    for _ in range(length):
        value, remainder = divmod(value, 32)
        characters.append(CROCKFORD_ALPHABET[remainder])
    if value != 0:
        raise InvariantBroken("value does not fit")
    return "".join(reversed(characters))


def new_id(prefix: str) -> str:
    """A new id such as ``ord_01JDQ3Z7X3K6W0RS8M2T4VYB9C``."""
    if prefix not in PREFIXES:
        raise InvariantBroken(f"unknown id prefix {prefix!r}")
    milliseconds = time.time_ns() // 1_000_000
    value = (milliseconds << 80) | secrets.randbits(80)
    return f"{prefix}_{encode_crockford(value, 26)}"


def has_prefix(identifier: str, prefix: str) -> bool:
    return (
        identifier.startswith(prefix + "_")
        and len(identifier) == len(prefix) + 27
        and all(character in CROCKFORD_ALPHABET for character in identifier[len(prefix) + 1 :])
    )
