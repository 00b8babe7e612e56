"""The composition root: the one place that builds the settings, the database, the
payment providers and the services' context.

The API (``api/app.py``), the pages (served by the same app), the CLI (``cli.py``)
and the background sweep (``api/background.py``) all get their context from
:func:`bootstrap`; nothing else wires adapters to services. This is where the
sandbox provider is given its hook to deliver notifications to the payment
service, so ``adapters/`` never imports ``services/``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from axokey.adapters.db import field_encryption
from axokey.adapters.db.engine import Database, make_engine, shown_url
from axokey.adapters.providers.base import PaymentProvider
from axokey.adapters.providers.registry import build_providers as build_provider_adapters
from axokey.adapters.providers.registry import hosted_test_payments
from axokey.config import Settings, load_settings
from axokey.services import payments, signing
from axokey.services.context import ServiceContext, system_clock


def migrate_database(settings: Settings) -> str:
    """Apply the pending migrations to the configured database (``axokey migrate``,
    and ``axokey serve`` before it serves); returns its URL as it may be printed."""
    from axokey.adapters.db.migrations import upgrade_database  # alembic: on demand

    upgrade_database(settings.database_url)
    return shown_url(settings.database_url)


def build_database(settings: Settings, *, pool_size: int | None = None) -> Database:
    """The database the settings name (no connection is made until first use)."""
    engine = make_engine(
        settings.database_url,
        busy_timeout_seconds=settings.database_busy_timeout_seconds,
        pool_size=pool_size if pool_size is not None else settings.database_pool_size,
    )
    return Database(engine)


def build_providers(context: ServiceContext) -> dict[str, PaymentProvider]:
    """The payment providers, by name, wired to this context's payment service."""

    def deliver_sandbox_notification(headers: Mapping[str, str], body: bytes) -> None:
        payments.receive_notification(context, "sandbox", headers, body)

    return build_provider_adapters(
        context.settings,
        database=context.database,
        clock=context.clock,
        sandbox_notification_key=signing.sandbox_notification_key(context),
        deliver_sandbox_notification=deliver_sandbox_notification,
    )


def install_data_keys(context: ServiceContext) -> None:
    """Give the database its data keys (``AXOKEY_DATA_KEYS``, or derived from the admin
    key): the encrypted columns and blind indexes need them. Without either, nothing
    personal can be written (the repositories say which setting is missing)."""
    keyring = field_encryption.keyring_from_settings(
        context.settings.secret("data_keys"), context.settings.secret("admin_key")
    )
    if keyring is not None:
        field_encryption.install(context.database.engine, keyring)


def bootstrap(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Callable[[], datetime] = system_clock,
    with_providers: bool = True,
) -> ServiceContext:
    """The services' context: settings (from the environment when not given), the
    database, the clock and the providers. Without providers for commands that move
    no money through a provider (``ledger check``), so they need no signing keys."""
    settings = settings if settings is not None else load_settings()
    context = ServiceContext(
        database=database if database is not None else build_database(settings),
        settings=settings,
        clock=clock,
    )
    install_data_keys(context)
    if with_providers:
        attach_providers(context)
    return context


def attach_providers(context: ServiceContext) -> None:
    """Build the providers into ``context``, with the sandbox's customer side when
    the sandbox is the configured provider."""
    context.providers = build_providers(context)
    context.test_payments = hosted_test_payments(context.providers, context.settings)
