"""What every use case is given: the database, the settings, the clock, the provider."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from axokey.adapters.db.engine import Database
from axokey.config import Settings
from axokey.services.key_cache import KeyCache

if TYPE_CHECKING:
    from axokey.adapters.providers.base import HostedTestPayments, PaymentProvider


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceContext:
    database: Database
    settings: Settings
    clock: Callable[[], datetime] = system_clock
    providers: dict[str, PaymentProvider] = field(default_factory=dict)
    # The sandbox's customer side (its hosted pages' actions), only when the sandbox
    # is the configured provider: given by whoever builds the providers.
    test_payments: HostedTestPayments | None = None
    # What authentication read for each key, for a few seconds (``key_cache``).
    key_cache: KeyCache = field(init=False)

    def __post_init__(self) -> None:
        self.key_cache = KeyCache(self.settings.api_key_cache_seconds)

    def now(self) -> datetime:
        return self.clock()

    @property
    def provider(self) -> PaymentProvider:
        """The provider that new payments go through (``AXOKEY_PROVIDER``)."""
        return self.providers[self.settings.provider]
