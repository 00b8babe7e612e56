"""Chooses and builds the payment providers from the settings.

The composition root (``axokey.bootstrap``) passes in what the providers need from
the rest of the app — the sandbox's signing key and how its notifications reach
the payment service — so this adapter imports nothing from ``services``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from axokey.adapters.db.engine import Database
    from axokey.adapters.providers.base import PaymentProvider
    from axokey.config import Settings


def build_providers(
    settings: Settings,
    *,
    database: Database,
    clock: Callable[[], datetime],
    sandbox_notification_key: bytes,
    deliver_sandbox_notification: Callable[[Mapping[str, str], bytes], None],
) -> dict[str, PaymentProvider]:
    """The providers the app talks to, by name: the sandbox always (it is local and
    keeps its own records), PayXpert when it is the configured provider."""
    from axokey.adapters.providers.sandbox import SandboxProvider

    providers: dict[str, PaymentProvider] = {
        "sandbox": SandboxProvider(
            database=database,
            base_url=settings.public_base_url,
            notification_key=sandbox_notification_key,
            clock=clock,
            deliver=deliver_sandbox_notification,
        )
    }
    if settings.provider == "payxpert":
        from axokey.adapters.providers.payxpert import build_payxpert

        providers["payxpert"] = build_payxpert(settings)
    return providers
