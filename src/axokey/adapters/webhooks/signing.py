"""Standard Webhooks signatures, made by the ``standardwebhooks`` library."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_secret() -> str:
    """A signing secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_header(
    signing_secrets: Sequence[str], message_id: str, timestamp: datetime, body: str
) -> str:
    """``webhook-signature``: one ``v1,…`` signature per secret, space separated
    (during a rotation, the new secret and the old one both sign)."""
    return " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body)
        for secret in signing_secrets
    )
