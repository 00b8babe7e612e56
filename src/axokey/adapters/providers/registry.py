"""Chooses and builds the payment providers from the settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from axokey.adapters.providers.base import PaymentProvider
    from axokey.services.context import ServiceContext


def build_providers(context: ServiceContext) -> dict[str, PaymentProvider]:
    """The providers the app talks to, by name: the sandbox always (it is local and
    keeps its own records), PayXpert when it is the configured provider."""
    from axokey.adapters.providers.sandbox import SandboxProvider
    from axokey.services import codes, payments

    def deliver(headers: Mapping[str, str], body: bytes) -> None:
        payments.receive_notification(context, "sandbox", headers, body)

    providers: dict[str, PaymentProvider] = {
        "sandbox": SandboxProvider(
            database=context.database,
            base_url=context.settings.public_base_url,
            notification_key=codes.sandbox_notification_key(context),
            clock=context.clock,
            deliver=deliver,
        )
    }
    if context.settings.provider == "payxpert":
        from axokey.adapters.providers.payxpert import build_payxpert

        providers["payxpert"] = build_payxpert(context.settings)
    return providers
