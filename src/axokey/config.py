"""Settings, from the environment (prefix ``AXOKEY_``). Every limit names its unit.

Limits are bounded where they are declared, and limits that depend on each other
are checked together when the settings load (``_check_dependent_limits``): a
service that could accept an order and then fail to capture it never starts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from axokey.domain.ledger import MAX_TRANSFERS_PER_BATCH
from axokey.domain.orders import TRANSFERS_PER_LINE_MAX, order_batch_transfers_max
from axokey.domain.redemption import MAX_HANDOVERS_PER_REDEMPTION

# The ``idempotency_keys.key`` column's length.
IDEMPOTENCY_KEY_COLUMN_LENGTH = 255


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
    # Keys that encrypt personal data at rest (IBANs) and key the blind indexes.
    # Format: "kid:secret[,kid:secret...]"; the first encrypts, all decrypt
    # (`axokey data reencrypt` moves everything to the first). Derived from the
    # admin key when unset (a demo); set it in production.
    data_keys: SecretStr | None = None
    # Whom a customer writes to about their personal data (the privacy notice).
    privacy_contact: str = "privacy@axokey.example"
    # Retention: a customer's contact data (email, name, IBAN) is pseudonymised this
    # many months after their order closes (the amounts stay: accounting, 10 years).
    customer_contact_retention_months: int = Field(13, ge=1, le=120)
    # Retention: the client addresses (IP) kept with audit entries and API keys' last
    # use are cleared this many months after they were recorded.
    client_address_retention_months: int = Field(12, ge=1, le=120)

    payxpert_base_url: str = "https://connect2.payxpert.com"
    payxpert_originator: str | None = None
    payxpert_password: SecretStr | None = None
    provider_http_timeout_seconds: float = 10.0

    request_body_max_bytes: int = Field(256 * 1024, ge=1024)
    # A photo of a customer's QR code (the scanner on phones without BarcodeDetector):
    # a phone's usual photo is 2 to 6 MB.
    code_image_max_bytes: int = Field(12 * 1024 * 1024, ge=1024)
    rate_limit_requests_per_second: float = Field(50.0, gt=0)
    rate_limit_burst_requests: int = Field(200, ge=1)
    # Where the rate limits count: this process's memory (each worker and instance
    # counts apart), or shared by all, e.g. redis://127.0.0.1:6379/0.
    rate_limit_storage_url: str = "memory://"
    # Prefix of the shared storage's keys (deployments that share one Redis).
    rate_limit_key_prefix: str = "axokey"
    idempotency_key_ttl_seconds: int = Field(48 * 3600, ge=1)
    # A keyed request recorded as running for longer than this is taken to have
    # died with its process: its key may be taken over (if its use case never
    # committed). Must stay shorter than the keys' lifetime.
    idempotency_lease_seconds: int = Field(120, ge=1)
    # How long a request waits for another request that owns its key (then 409).
    idempotency_wait_seconds: float = Field(2.0, ge=0, le=60)
    idempotency_key_max_length: int = Field(255, ge=1, le=IDEMPOTENCY_KEY_COLUMN_LENGTH)
    # Capture posts 3 transfers a line + 2 in one ledger batch: see the check below.
    order_lines_max: int = Field(100, ge=1)
    line_quantity_max: int = Field(10_000, ge=1)
    itinerary_grace_seconds: int = Field(24 * 3600, ge=0)
    default_redeem_window_seconds: int = Field(30 * 24 * 3600, ge=1)
    # A store order reserves its goods at creation; unpaid this long after (or this
    # long after the start of its latest payment attempt still open), it expires
    # and the sweep frees its reservation for other customers.
    store_unpaid_hold_seconds: int = Field(3600, ge=60, le=30 * 24 * 3600)
    # An open cart not changed for this long expires (the sweep marks it).
    cart_ttl_seconds: int = Field(24 * 3600, ge=60, le=90 * 24 * 3600)
    cart_lines_max: int = Field(100, ge=1, le=1000)
    sweep_interval_seconds: float = Field(60.0, gt=0)
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
    sweep_batch_size: int = Field(200, ge=1, le=10_000)
    # API keys: after a rotation the previous secret works this long (0: not at all);
    # a key's last use is written at most once per interval (not on every request).
    api_key_rotation_grace_seconds: int = Field(300, ge=0, le=30 * 24 * 3600)
    api_key_last_used_interval_seconds: int = Field(60, ge=1)
    # What authentication read for a key is kept this long in each process (0: not
    # kept). A key revoked or rotated through another process works here this long.
    api_key_cache_seconds: float = Field(5.0, ge=0, le=60)
    # Money out. The operator's account is the debtor of every SEPA transfer.
    operator_name: str | None = None
    operator_iban: str | None = None
    operator_bic: str | None = None
    # A party is paid once its available balance reaches this (minor units);
    # SEPA refunds to customers are always paid.
    payout_minimum_minor: int = Field(default=100, ge=1)
    # "daily@HH:MM" (UTC): ``serve`` creates each currency's batch at the cut-off.
    payout_schedule: str | None = None
    # Comma-separated currencies that the schedule pays out.
    payout_currencies: str = "EUR"
    database_busy_timeout_seconds: float = Field(30.0, gt=0)
    database_pool_size: int = Field(10, ge=1)

    @model_validator(mode="after")
    def _check_dependent_limits(self) -> Self:
        batch = order_batch_transfers_max(self.order_lines_max)
        if batch > MAX_TRANSFERS_PER_BATCH:
            lines_max = (
                MAX_TRANSFERS_PER_BATCH - order_batch_transfers_max(0)
            ) // TRANSFERS_PER_LINE_MAX
            raise ValueError(
                f"AXOKEY_ORDER_LINES_MAX={self.order_lines_max} is too large: capturing such "
                f"an order posts {batch} ledger transfers in one batch, and the ledger takes "
                f"at most {MAX_TRANSFERS_PER_BATCH}; set it to {lines_max} or less"
            )
        if self.order_lines_max > MAX_HANDOVERS_PER_REDEMPTION:
            raise ValueError(
                f"AXOKEY_ORDER_LINES_MAX={self.order_lines_max} is too large: one redemption "
                f"hands over at most {MAX_HANDOVERS_PER_REDEMPTION} lines"
            )
        if self.idempotency_lease_seconds >= self.idempotency_key_ttl_seconds:
            raise ValueError(
                f"AXOKEY_IDEMPOTENCY_LEASE_SECONDS={self.idempotency_lease_seconds} must be "
                "shorter than AXOKEY_IDEMPOTENCY_KEY_TTL_SECONDS="
                f"{self.idempotency_key_ttl_seconds}: a key must outlive the request it guards"
            )
        if self.idempotency_wait_seconds >= self.idempotency_lease_seconds:
            raise ValueError(
                f"AXOKEY_IDEMPOTENCY_WAIT_SECONDS={self.idempotency_wait_seconds} must be "
                f"shorter than AXOKEY_IDEMPOTENCY_LEASE_SECONDS={self.idempotency_lease_seconds}"
            )
        return self

    # Webhooks: waits (seconds) before each retry of a failed delivery; after the
    # last one the delivery is given up and the endpoint disabled.
    webhook_retry_schedule_seconds: str = "5,300,1800,7200,18000,36000,36000"
    # http and loopback/private addresses for endpoints: unset = only with the sandbox.
    webhook_allow_private_urls: bool | None = None
    webhook_delivery_timeout_seconds: float = 10.0
    webhook_delivery_concurrency: int = 8
    webhook_dispatch_interval_seconds: float = 2.0
    webhook_dispatch_batch_size: int = 50
    webhook_previous_secret_ttl_seconds: int = 24 * 3600

    # Accounting exports.
    operator_siren: str = "000000000"
    export_span_max_days: int = 366

    # The customer's emails: smtp://user:pass@host:587 (STARTTLS) or
    # smtps://user:pass@host:465 (TLS). Without it, `serve --demo` writes .eml files.
    smtp_url: SecretStr | None = None
    email_from: str = "AXOKEY <no-reply@axokey.example>"
    email_directory: str | None = None
    email_retry_schedule_seconds: str = "60,300,1800,7200,21600"

    @field_validator("payout_schedule")
    @classmethod
    def _valid_schedule(cls, value: str | None) -> str | None:
        if value:
            from axokey.domain.payouts import PayoutSchedule

            PayoutSchedule.parse(value)  # ValueError: a clear start-up error
        return value or None

    def secret(self, name: str) -> str | None:
        """A secret setting's value (``admin_key``, ``signing_keys``, ...), or None."""
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else value

    @property
    def webhook_private_urls_allowed(self) -> bool:
        if self.webhook_allow_private_urls is not None:
            return self.webhook_allow_private_urls
        return self.provider == "sandbox"

    @property
    def payout_currency_codes(self) -> list[str]:
        return [code.strip() for code in self.payout_currencies.split(",") if code.strip()]

    @property
    def itinerary_grace(self) -> timedelta:
        return timedelta(seconds=self.itinerary_grace_seconds)


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]


__all__ = ["Field", "Settings", "load_settings"]
