"""Settings, from the environment (prefix ``AXOKEY_``). Every limit names its unit."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AXOKEY_", extra="ignore")

    database_url: str = "sqlite:///./axokey.db"
    # Secrets never show in a repr or a log line: read them with .get_secret_value().
    admin_key: SecretStr | None = None
    provider: Literal["sandbox", "payxpert"] = "sandbox"
    # Public base URL used in links given to customers (checkout, order page).
    public_base_url: str = "http://127.0.0.1:8000"
    # Secret for signing QR tokens and the sandbox's notifications. Derived from
    # the admin key when unset, so a demo runs with zero configuration; set it in
    # production. Format: "kid:secret[,kid:secret...]"; the first signs.
    signing_keys: SecretStr | None = None

    payxpert_base_url: str = "https://connect2.payxpert.com"
    payxpert_originator: str | None = None
    payxpert_password: SecretStr | None = None
    provider_http_timeout_seconds: float = 10.0

    request_body_max_bytes: int = 256 * 1024
    rate_limit_requests_per_second: float = 50.0
    rate_limit_burst_requests: int = 200
    idempotency_key_ttl_seconds: int = 48 * 3600
    idempotency_key_max_length: int = 255
    order_lines_max: int = 100
    line_quantity_max: int = 10_000
    itinerary_grace_seconds: int = 24 * 3600
    default_redeem_window_seconds: int = 30 * 24 * 3600
    sweep_interval_seconds: float = 60.0
    # Reconciliation: an open payment (not succeeded, not failed) is asked about
    # (``fetch_status``) once it is this old, then after doubling delays (at most
    # ``payment_reconcile_delay_max_seconds``); a notification claimed this long ago
    # whose worker died is processed again.
    payment_reconcile_after_seconds: int = Field(default=120, ge=1)
    payment_reconcile_delay_max_seconds: int = Field(default=6 * 3600, ge=1)
    # A card refund claimed for sending whose worker died is sent again after this
    # (only through a provider whose refunds are idempotent; else it is failed).
    refund_sending_lease_seconds: int = Field(default=300, ge=1)
    # Processed and rejected provider notifications are deleted after this long.
    provider_notification_retention_seconds: int = Field(default=30 * 24 * 3600, ge=3600)
    sweep_batch_size: int = 200
    database_busy_timeout_seconds: float = 30.0
    database_pool_size: int = 10

    def secret(self, name: str) -> str | None:
        """A secret setting's value (``admin_key``, ``signing_keys``, ...), or None."""
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else value

    @property
    def itinerary_grace(self) -> timedelta:
        return timedelta(seconds=self.itinerary_grace_seconds)


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]


__all__ = ["Field", "Settings", "load_settings"]
