"""Chooses and builds the payment providers from the settings.

The composition root (``axokey.bootstrap``) passes in what the providers need from
the rest of the app — the sandbox's signing key and how its notifications reach
the payment service — so this adapter imports nothing from ``services``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from axokey.adapters.db.engine import Database
from axokey.adapters.providers.base import HostedTestPayments, PaymentProvider
from axokey.config import Settings

# How the sandbox's notifications reach the app: (headers, body) → None, raising
# when the app could not store it (the sandbox then keeps it in its outbox).
NotificationSink = Callable[[Mapping[str, str], bytes], None]


def build_providers(
    settings: Settings,
    *,
    database: Database,
    clock: Callable[[], datetime],
    sandbox_notification_key: bytes,
    deliver_sandbox_notification: NotificationSink,
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


def hosted_test_payments(
    providers: Mapping[str, PaymentProvider], settings: Settings
) -> HostedTestPayments | None:
    """The sandbox's customer side, when the sandbox is the configured provider."""
    if settings.provider != "sandbox":
        return None
    from axokey.adapters.providers.sandbox import SandboxProvider

    sandbox = providers.get("sandbox")
    return sandbox if isinstance(sandbox, SandboxProvider) else None
