"""The customer's redemption code: a signed QR token and a short human code.

The QR code carries no money and no personal data. It holds the order's
``qr_reference`` (16 random bytes) and the id of the key that signed it::

    AXK1:<KEY_ID>:<REFERENCE>:<TAG>

- ``AXK1`` names the format and its version (``AXK2`` may follow);
- ``KEY_ID`` is 1 to 8 characters ``A-Z0-9``, so keys can be rotated;
- ``REFERENCE`` is the 16-byte reference in base32 (RFC 4648, upper case, no
  padding): 26 characters;
- ``TAG`` is HMAC-SHA256 over ``AXK1:<KEY_ID>:<REFERENCE>``, truncated to 16 bytes
  (128 bits), in base32: 26 characters. The HMAC key is not the configured secret
  itself but ``HMAC-SHA256(secret, "axokey/qr-token/v1")``, so the same secret can
  sign other things (notifications) without one signature passing for another.

Every character is in the QR alphanumeric set, so the QR code is encoded in
alphanumeric mode: 60 to 67 characters, version 3 or 4 at error correction M.

A token is verified (in constant time) before anything is looked up, so a caller
only ever gets a reference out of a token that AXOKEY signed. Whatever does not
verify (malformed, unknown key id, wrong tag) raises the same ``unknown_code``
error as an authentic code that matches no order: a forged code is
indistinguishable from an unknown one.

The short code is for when the camera fails: 10 Crockford base32 characters
(50 random bits) and Crockford's mod-37 check symbol, shown as ``7K3Q-M9XD-2VN``.
The check symbol catches every single-character typo and every swap of two
adjacent characters before the database is asked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Literal

from axokey.domain.errors import InvariantBroken, NotFound
from axokey.domain.identifiers import CROCKFORD_ALPHABET, encode_crockford

PAYLOAD_VERSION = "AXK1"
REFERENCE_BYTES = 16
TAG_BYTES = 16
KEY_ID_MAX_LENGTH = 8
SECRET_MIN_BYTES = 32
# Longer than any token (67 characters) with room for a scanner's whitespace;
# anything longer is refused before it is parsed.
CODE_INPUT_MAX_LENGTH = 128

SHORT_CODE_DATA_LENGTH = 10
SHORT_CODE_LENGTH = SHORT_CODE_DATA_LENGTH + 1
# Crockford's check symbols: the 32 data symbols, then five more for values 32 to 36.
CHECK_ALPHABET = CROCKFORD_ALPHABET + "*~$=U"
SHORT_CODE_GROUP_SIZE = 4
DERIVED_KEY_ID = "A1"

_TOKEN_PURPOSE = b"axokey/qr-token/v1"
_DERIVE_SALT = b"axokey/derive-keyring/v1"
_DERIVE_INFO = b"signing-key"
_KEY_ID_PATTERN = re.compile(rf"[A-Z0-9]{{1,{KEY_ID_MAX_LENGTH}}}")
_BASE32_PATTERN = re.compile(r"[A-Z2-7]+")
# Crockford decoding is lenient for the characters it leaves out of its alphabet.
_CROCKFORD_TYPOS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SHORT_CODE_SEPARATORS = re.compile(r"[\s\-]+")

CodeKind = Literal["token", "short_code"]


class UnknownCode(NotFound):
    """A code that is malformed, forged, signed by a removed key, or matches nothing.

    One code, one status and one message for every case, so that nobody can tell a
    forged code from an unknown one. Services raise it too when an authentic code
    matches no order. Subclasses exist for the server's own logs only.
    """

    code = "unknown_code"
    title = "Unknown code"

    def __init__(self, detail: str = "This is not a known AXOKEY redemption code.") -> None:
        super().__init__(detail)


class MalformedCode(UnknownCode):
    """Neither a token nor a short code: wrong shape, alphabet, length or check symbol."""


class UnverifiedToken(UnknownCode):
    """A well-formed token whose key id is not in the keyring or whose tag is wrong."""


class NotEntitled(UnknownCode):
    """An authentic code of an order this professional has nothing to hand over in:
    answered exactly like an unknown code, so that the order's existence, status
    and assignment never leak to another party."""


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    secret: bytes = field(repr=False)

    def purpose_key(self, purpose: bytes) -> bytes:
        """A key for one purpose only, derived from the secret (HKDF-expand style)."""
        return hmac.new(self.secret, purpose, hashlib.sha256).digest()


@dataclass(frozen=True)
class Keyring:
    """Signing keys: the first signs, every one verifies (key rotation)."""

    keys: tuple[SigningKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a keyring needs at least one key")
        key_ids = [key.key_id for key in self.keys]
        if len(set(key_ids)) != len(key_ids):
            raise ValueError("key ids in a keyring must be distinct")
        for key in self.keys:
            _check_key(key.key_id, key.secret)

    @property
    def signing_key(self) -> SigningKey:
        return self.keys[0]

    def find(self, key_id: str) -> SigningKey | None:
        for key in self.keys:
            if key.key_id == key_id:
                return key
        return None


def _check_key(key_id: str, secret: bytes) -> None:
    if _KEY_ID_PATTERN.fullmatch(key_id) is None:
        raise ValueError(
            f"key id {key_id!r} must be 1 to {KEY_ID_MAX_LENGTH} characters A-Z or 0-9"
        )
    if len(secret) < SECRET_MIN_BYTES:
        raise ValueError(
            f"the secret of key {key_id!r} is too short: at least {SECRET_MIN_BYTES} bytes"
        )


def parse_keyring(setting: str) -> Keyring:
    """The keyring of a setting ``"kid:secret[,kid:secret...]"``; the first entry signs.

    A key id is 1 to 8 letters or digits (case does not matter: it is upper-cased,
    because scanned tokens are read case-insensitively). A secret is taken as its
    UTF-8 bytes and must be at least 32 bytes long, e.g. ``secrets.token_urlsafe(32)``
    (see :func:`new_keyring_entry`). Raises ``ValueError`` without echoing secrets.
    """
    keys = []
    for position, entry in enumerate(setting.split(","), start=1):
        key_id, separator, secret = entry.strip().partition(":")
        if not separator:
            raise ValueError(f"signing key entry {position} is not of the form kid:secret")
        keys.append(SigningKey(key_id.strip().upper(), secret.strip().encode("utf-8")))
    return Keyring(tuple(keys))


def derive_keyring(secret_material: str) -> Keyring:
    """A one-key keyring derived from another secret (the admin key) when none is set.

    The key is HKDF-SHA256 (RFC 5869) of the material's UTF-8 bytes, with salt
    ``axokey/derive-keyring/v1``, info ``signing-key`` and 32 bytes of output; its id
    is ``A1``. The same material always gives the same key, so tokens survive a
    restart, and changing the admin key invalidates them. The material must be at
    least 32 bytes long.
    """
    material = secret_material.encode("utf-8")
    if len(material) < SECRET_MIN_BYTES:
        raise ValueError(
            f"the material to derive signing keys from must be at least {SECRET_MIN_BYTES}"
            " bytes long"
        )
    pseudo_random_key = hmac.new(_DERIVE_SALT, material, hashlib.sha256).digest()
    secret = hmac.new(pseudo_random_key, _DERIVE_INFO + b"\x01", hashlib.sha256).digest()
    return Keyring((SigningKey(DERIVED_KEY_ID, secret),))


def keyring_from_settings(signing_keys: str | None, admin_key: str | None) -> Keyring:
    """The configured keyring, or one derived from the admin key when none is set."""
    if signing_keys:
        return parse_keyring(signing_keys)
    if admin_key:
        return derive_keyring(admin_key)
    raise ValueError("set AXOKEY_SIGNING_KEYS (or at least AXOKEY_ADMIN_KEY) to sign QR codes")


def new_keyring_entry(key_id: str) -> str:
    """A new ``kid:secret`` entry with a random 256-bit secret, to put in the setting."""
    entry = f"{key_id.upper()}:{secrets.token_urlsafe(32)}"
    parse_keyring(entry)
    return entry


def new_reference() -> bytes:
    """A new order ``qr_reference``: 16 random bytes (128 bits)."""
    return secrets.token_bytes(REFERENCE_BYTES)


def _encode_base32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _decode_base32(text: str, size: int) -> bytes:
    """Exactly ``size`` bytes from canonical unpadded base32, or ``MalformedCode``.

    Canonical: the unused low bits of the last character must be zero, otherwise
    several spellings would decode to the same bytes (a changed character that
    still verifies).
    """
    if _BASE32_PATTERN.fullmatch(text) is None:
        raise MalformedCode()
    padded = text + "=" * (-len(text) % 8)
    try:
        data = base64.b32decode(padded)
    except ValueError:
        raise MalformedCode() from None
    if len(data) != size or _encode_base32(data) != text:
        raise MalformedCode()
    return data


def _tag(key: SigningKey, signed_part: str) -> bytes:
    mac = hmac.new(key.purpose_key(_TOKEN_PURPOSE), signed_part.encode("ascii"), hashlib.sha256)
    return mac.digest()[:TAG_BYTES]


def issue_token(keyring: Keyring, reference: bytes) -> str:
    """The QR payload for an order's reference, signed with the keyring's first key.

    >>> issue_token(keyring, reference)  # doctest: +SKIP
    'AXK1:K1:7CNSAECE3F4DJZDSXLEHXGS6S4:DPS2UCSBKQRKCR7XIWYK3KRONU'
    """
    if len(reference) != REFERENCE_BYTES:
        raise ValueError(f"a reference is {REFERENCE_BYTES} bytes")
    key = keyring.signing_key
    signed_part = f"{PAYLOAD_VERSION}:{key.key_id}:{_encode_base32(reference)}"
    return f"{signed_part}:{_encode_base32(_tag(key, signed_part))}"


# Verifying against this when the key id is unknown keeps the work (and the
# time) the same as for a wrong tag.
_ABSENT_KEY = SigningKey("ABSENT", secrets.token_bytes(SECRET_MIN_BYTES))


def verify_token(keyring: Keyring, payload: str) -> bytes:
    """The reference inside a token that one of the keyring's keys signed.

    Case and surrounding whitespace do not matter (scanners vary). Raises
    ``UnknownCode`` (``MalformedCode`` or ``UnverifiedToken``) otherwise.
    """
    if len(payload) > CODE_INPUT_MAX_LENGTH:
        raise MalformedCode()
    text = payload.strip().upper()
    if not text.isascii():
        raise MalformedCode()
    parts = text.split(":")
    if len(parts) != 4:
        raise MalformedCode()
    version, key_id, reference_text, tag_text = parts
    if version != PAYLOAD_VERSION or _KEY_ID_PATTERN.fullmatch(key_id) is None:
        raise MalformedCode()
    reference = _decode_base32(reference_text, REFERENCE_BYTES)
    presented_tag = _decode_base32(tag_text, TAG_BYTES)
    key = keyring.find(key_id)
    expected_tag = _tag(key or _ABSENT_KEY, f"{version}:{key_id}:{reference_text}")
    if not hmac.compare_digest(expected_tag, presented_tag) or key is None:
        raise UnverifiedToken()
    return reference


def _check_symbol(value: int) -> str:
    return CHECK_ALPHABET[value % len(CHECK_ALPHABET)]


def new_short_code() -> str:
    """A new short code in canonical form: 10 random Crockford characters and a check.

    >>> new_short_code()  # doctest: +SKIP
    '7K3QM9XD2VN'
    """
    value = secrets.randbits(5 * SHORT_CODE_DATA_LENGTH)
    return encode_crockford(value, SHORT_CODE_DATA_LENGTH) + _check_symbol(value)


def format_short_code(code: str) -> str:
    """A canonical short code grouped for people: ``7K3QM9XD2VN`` → ``7K3Q-M9XD-2VN``."""
    if len(code) != SHORT_CODE_LENGTH:
        raise InvariantBroken("not a canonical short code")
    size = SHORT_CODE_GROUP_SIZE
    return "-".join(code[start : start + size] for start in range(0, len(code), size))


def normalise_short_code(typed: str) -> str:
    """The canonical form of a typed short code, its check symbol verified.

    Spaces and dashes are dropped, case does not matter, and I or L read as 1 and O
    as 0, as Crockford base32 prescribes. Raises ``MalformedCode`` (an
    ``UnknownCode``) on any other character, a wrong length or a wrong check symbol.

    >>> normalise_short_code("7k3q-m9xd-2vn")  # doctest: +SKIP
    '7K3QM9XD2VN'
    """
    if len(typed) > CODE_INPUT_MAX_LENGTH:
        raise MalformedCode()
    text = _SHORT_CODE_SEPARATORS.sub("", typed).upper().translate(_CROCKFORD_TYPOS)
    if len(text) != SHORT_CODE_LENGTH or not text.isascii():
        raise MalformedCode()
    data, check = text[:SHORT_CODE_DATA_LENGTH], text[SHORT_CODE_DATA_LENGTH:]
    if any(character not in CROCKFORD_ALPHABET for character in data):
        raise MalformedCode()
    value = 0
    for character in data:
        value = value * 32 + CROCKFORD_ALPHABET.index(character)
    if check != _check_symbol(value):
        raise MalformedCode()
    return text


def classify_code(text: str) -> CodeKind:
    """Whether a scanned or typed code is a QR token or a short code.

    A token always contains ``:``; a short code never does. This only tells the two
    apart: :func:`verify_token` or :func:`normalise_short_code` validates.
    """
    if len(text) > CODE_INPUT_MAX_LENGTH:
        raise MalformedCode()
    return "token" if ":" in text else "short_code"


@dataclass(frozen=True)
class ReadCode:
    """A code checked without the database: a verified reference or a short code."""

    kind: CodeKind
    reference: bytes | None = None
    short_code: str | None = None


def read_code(keyring: Keyring, text: str) -> ReadCode:
    """A scanned or typed code, verified: what a service may then look up.

    Raises ``UnknownCode`` when the code is malformed or forged.
    """
    if classify_code(text) == "token":
        return ReadCode(kind="token", reference=verify_token(keyring, text))
    return ReadCode(kind="short_code", short_code=normalise_short_code(text))
