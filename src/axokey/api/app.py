"""The application factory. Nothing connects to a database at import time."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from axokey import __version__
from axokey.api import docs
from axokey.api.metrics_middleware import MetricsMiddleware
from axokey.api.middleware import ApiGuardMiddleware
from axokey.api.problems import install_problem_handlers
from axokey.api.request_id import RequestIdMiddleware
from axokey.api.routers import (
    alerts,
    api_keys,
    audit,
    carts,
    catalog,
    customers,
    exports,
    ledger,
    money,
    operations,
    orders,
    parties,
    payouts,
    providers,
    redemptions,
    stock,
    webhooks,
)
from axokey.bootstrap import bootstrap
from axokey.config import Settings
from axokey.services.context import ServiceContext
from axokey.web import pages

DESCRIPTION = """
AXOKEY holds a customer's pre-payment in escrow and releases it in cascade —
suppliers, the merchant's commission, the courier's fee — when a registered
professional scans the customer's QR code. Missing items are refunded automatically.

Authenticate with `Authorization: Bearer <api key>`. Every POST accepts an
`Idempotency-Key`. Errors are RFC 9457 problem details with a stable `code`.
"""


def create_app(
    settings: Settings | None = None, *, context: ServiceContext | None = None, **extra: Any
) -> FastAPI:
    """Build the app. Pass a ``context`` to share one (tests, the CLI), else the
    composition root builds one from ``settings`` (or the environment)."""
    if context is None:
        context = bootstrap(settings)
    app = FastAPI(
        title="AXOKEY API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # served by ``api.docs``, from the package (no CDN)
        redoc_url=None,
        **extra,
    )
    app.state.context = context
    install_problem_handlers(app)
    for router in _routers():
        app.include_router(router)
    app.add_middleware(ApiGuardMiddleware, context=context)
    # Outermost: every response, a 429 or 413 too, carries the request id.
    app.add_middleware(RequestIdMiddleware)
    # Outermost of all: counts every answer, a 429 too, by route template.
    app.add_middleware(MetricsMiddleware)
    return app


def _routers() -> list[Any]:
    return [
        parties.router,
        api_keys.router,
        audit.router,
        catalog.router,
        orders.router,
        providers.router,
        redemptions.router,
        stock.router,
        carts.router,
        money.router,
        ledger.router,
        customers.router,
        webhooks.router,
        exports.router,
        alerts.router,
        payouts.router,
        operations.router,
        docs.router,
        pages.router,
    ]
