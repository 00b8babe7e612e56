"""The application factory. Nothing connects to a database at import time."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from axokey import __version__
from axokey.adapters.db.engine import Database, make_engine
from axokey.api.middleware import ApiGuardMiddleware
from axokey.api.problems import install_problem_handlers
from axokey.api.routers import catalog, ledger, money, orders, parties, providers, redemptions
from axokey.config import Settings, load_settings
from axokey.services.context import ServiceContext
from axokey.web import pages

DESCRIPTION = """
AXOKEY holds a customer's pre-payment in escrow and releases it in cascade —
suppliers, the merchant's commission, the courier's fee — when a registered
professional scans the customer's QR code. Missing items are refunded automatically.

Authenticate with `Authorization: Bearer <api key>`. Every POST accepts an
`Idempotency-Key`. Errors are RFC 9457 problem details with a stable `code`.
"""


def build_context(settings: Settings, *, with_providers: bool = True) -> ServiceContext:
    """The services' context. Without providers for commands that move no money
    through a provider (``ledger check``), so they need no signing keys."""
    engine = make_engine(
        settings.database_url,
        busy_timeout_seconds=settings.database_busy_timeout_seconds,
        pool_size=settings.database_pool_size,
    )
    context = ServiceContext(database=Database(engine), settings=settings)
    if with_providers:
        attach_providers(context)
    return context


def attach_providers(context: ServiceContext) -> None:
    """Build the providers into ``context``, the sandbox's notifications wired to
    the app's notification intake (the adapters import no service: it is given)."""
    from collections.abc import Mapping

    from axokey.adapters.providers.registry import build_providers, hosted_test_payments
    from axokey.services import codes, payments

    def deliver(headers: Mapping[str, str], body: bytes) -> None:
        payments.receive_notification(context, "sandbox", headers, body)

    context.providers = build_providers(
        context.settings,
        database=context.database,
        clock=context.clock,
        sandbox_notification_key=codes.sandbox_notification_key(context),
        deliver_sandbox_notification=deliver,
    )
    context.test_payments = hosted_test_payments(context.providers, context.settings)


def create_app(
    settings: Settings | None = None, *, context: ServiceContext | None = None, **extra: Any
) -> FastAPI:
    """Build the app. Pass a ``context`` to share one (tests, the CLI), else one is
    built from ``settings`` (or the environment)."""
    if context is None:
        context = build_context(settings or load_settings())
    app = FastAPI(
        title="AXOKEY API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        **extra,
    )
    app.state.context = context
    install_problem_handlers(app)
    for router in _routers():
        app.include_router(router)
    app.add_middleware(ApiGuardMiddleware, context=context)
    return app


def _routers() -> list[Any]:
    return [
        parties.router,
        catalog.router,
        orders.router,
        providers.router,
        redemptions.router,
        money.router,
        ledger.router,
        pages.router,
    ]
