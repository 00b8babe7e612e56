"""Chooses and builds the payment providers from the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from axokey.adapters.providers.base import PaymentProvider
    from axokey.services.context import ServiceContext


def build_providers(context: ServiceContext) -> dict[str, PaymentProvider]:
    """Every provider the app can receive notifications from, by name."""
    providers: dict[str, PaymentProvider] = {}
    return providers
