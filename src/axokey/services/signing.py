"""Signing: the keyring and what it signs or checks — the customer's redemption
codes (the QR token; the short code beside it), the customer's page link, and the
sandbox's notification signatures.

Everything is derived from one keyring (``AXOKEY_SIGNING_KEYS``, or derived from
the admin key), each use with its own purpose key. (Not to be confused with the
problems' error ``code`` or the ledger's ``ResultCode``.)
"""

from __future__ import annotations

import base64
import hmac
from functools import lru_cache

from axokey.adapters.db import order_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain import redemption_codes
from axokey.domain.orders import Order
from axokey.domain.redemption_codes import Keyring, UnknownCode
from axokey.services.context import ServiceContext

_CUSTOMER_LINK_PURPOSE = b"axokey/customer-link/v1"
_SANDBOX_PURPOSE = b"axokey/sandbox-notifications/v1"


@lru_cache(maxsize=8)
def _keyring(signing_keys: str | None, admin_key: str | None) -> Keyring:
    return redemption_codes.keyring_from_settings(signing_keys, admin_key)


def keyring(context: ServiceContext) -> Keyring:
    settings = context.settings
    return _keyring(settings.secret("signing_keys"), settings.secret("admin_key"))


def new_redemption_codes() -> tuple[str, str]:
    """A fresh (qr_reference as hex, short code) pair for an order."""
    return redemption_codes.new_reference().hex(), redemption_codes.new_short_code()


def qr_payload(context: ServiceContext, qr_reference_hex: str) -> str:
    return redemption_codes.issue_token(keyring(context), bytes.fromhex(qr_reference_hex))


def display_short_code(short_code: str) -> str:
    return redemption_codes.format_short_code(short_code)


def _link_token(key: redemption_codes.SigningKey, order_id: str) -> str:
    digest = hmac.new(key.purpose_key(_CUSTOMER_LINK_PURPOSE), order_id.encode(), "sha256")
    return base64.b32encode(digest.digest()[:20]).decode().lower()


def customer_link_token(context: ServiceContext, order_id: str) -> str:
    """The unguessable part of the customer's page link (160 bits)."""
    return _link_token(keyring(context).signing_key, order_id)


def customer_url(context: ServiceContext, order_id: str) -> str:
    """The customer's page: the order, then its QR code (the link is the credential)."""
    base = context.settings.public_base_url.rstrip("/")
    return f"{base}/orders/{order_id}/{customer_link_token(context, order_id)}"


def customer_link_matches(context: ServiceContext, order_id: str, token: str) -> bool:
    """Whether ``token`` opens this order's page, under any key of the keyring."""
    return any(
        hmac.compare_digest(_link_token(key, order_id).encode(), token.encode())
        for key in keyring(context).keys
    )


def sandbox_notification_key(context: ServiceContext) -> bytes:
    return keyring(context).signing_key.purpose_key(_SANDBOX_PURPOSE)


def read_code(context: ServiceContext, text: str) -> redemption_codes.ReadCode:
    """A scanned or typed code, verified (signature, check symbol) without the
    database. Unknown, forged, tampered codes raise ``UnknownCode``."""
    return redemption_codes.read_code(keyring(context), text)


def order_of_code(
    connection: Connection, code: redemption_codes.ReadCode, *, lock: bool = False
) -> Order:
    """The order a verified code belongs to, with its lines (its row locked with
    ``lock``), in one read; rotated-away codes match none."""
    if code.reference is not None:
        order = order_repository.load_order_by_code(
            connection, code.reference.hex(), short_code=False, lock=lock
        )
    else:
        assert code.short_code is not None, "a code is a reference or a short code"
        order = order_repository.load_order_by_code(
            connection, code.short_code, short_code=True, lock=lock
        )
    if order is None:
        raise UnknownCode()
    return order
