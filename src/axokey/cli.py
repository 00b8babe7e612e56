"""The ``axokey`` command: serve, migrate, keys, ledger check, sweep, demo."""

from __future__ import annotations

import logging
import os
import re
import secrets
from datetime import UTC, datetime
from typing import Annotated

import typer
from pydantic import SecretStr, ValidationError
from rich.console import Console
from rich.table import Table

from axokey.config import Settings, load_settings
from axokey.services.context import ServiceContext

app = typer.Typer(help="AXOKEY: escrow payments for safe drop shipping.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
ledger_app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(ledger_app, name="ledger")

console = Console()
errors = Console(stderr=True)


def _new_admin_key() -> str:
    return "axk_admin_" + secrets.token_urlsafe(32)


def _settings() -> Settings:
    """The settings, or each refused one's message and exit 2 (a limit out of its
    bounds, two limits that contradict each other)."""
    try:
        return load_settings()
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"])
            message = problem["msg"].removeprefix("Value error, ")
            errors.print(f"invalid settings: {where + ': ' if where else ''}{message}")
        raise typer.Exit(2) from error


def _context(settings: Settings, *, with_providers: bool = True) -> ServiceContext:
    """The services' context, or a clear message and exit 2 when it cannot be built
    (no signing keys, a bad database URL)."""
    from axokey.bootstrap import bootstrap

    try:
        return bootstrap(settings, with_providers=with_providers)
    except ValueError as error:
        errors.print(f"axokey: {error}")
        raise typer.Exit(2) from None


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from axokey.adapters.db.migrations import upgrade_database

    settings = _settings()
    upgrade_database(settings.database_url)
    from sqlalchemy.engine import make_url

    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    console.print(f"database at head: {shown}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option(help="Add demo parties, products and orders.")] = False,
) -> None:
    """Run the API and the web pages, after applying pending migrations."""
    import uvicorn

    from axokey.adapters.db.migrations import upgrade_database
    from axokey.api.app import create_app

    settings = _settings()
    if settings.admin_key is None:
        # A fresh demo must work with zero configuration: make a key and say it.
        generated = _new_admin_key()
        settings.admin_key = SecretStr(generated)
        os.environ["AXOKEY_ADMIN_KEY"] = generated
        console.print(
            f"[bold]AXOKEY_ADMIN_KEY[/bold] (generated for this run): {generated}",
            soft_wrap=True,
        )
        console.print(
            "Set AXOKEY_ADMIN_KEY (or AXOKEY_SIGNING_KEYS) to keep QR codes and customer "
            "links valid across restarts: without them, they are signed with a key of "
            "this run only."
        )
    if settings.public_base_url == Settings.model_fields["public_base_url"].default:
        settings.public_base_url = f"http://{host}:{port}"
    upgrade_database(settings.database_url)
    context = _context(settings)
    if demo:
        from axokey.services.demo import seed_demo

        seed_demo(context, console)
    from axokey.api.background import sweep_lifespan

    application = create_app(context=context, lifespan=sweep_lifespan(context))
    console.print(
        f"AXOKEY on {settings.public_base_url} — API docs at {settings.public_base_url}/docs"
    )
    _hide_link_tokens_in_access_log()
    uvicorn.run(application, host=host, port=port, log_level="info")


class _LinkTokenFilter(logging.Filter):
    """The customer's page link carries a secret (it opens the QR code): the access
    log shows ``/orders/<id>/…`` instead of the token."""

    PATTERN = re.compile(r"^(/orders/[^/?]+/)[^/?]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            arguments = list(record.args)
            if isinstance(arguments[2], str):
                arguments[2] = self.PATTERN.sub(r"\1…", arguments[2])
                record.args = tuple(arguments)
        return True


def _hide_link_tokens_in_access_log() -> None:
    logging.getLogger("uvicorn.access").addFilter(_LinkTokenFilter())


@keys_app.command("create-admin")
def create_admin() -> None:
    """Print a new random admin key to put in AXOKEY_ADMIN_KEY."""
    key = _new_admin_key()
    console.print(key, soft_wrap=True)
    errors.print("Set it as AXOKEY_ADMIN_KEY for `axokey serve`; it is not stored anywhere.")


@ledger_app.command("check")
def ledger_check() -> None:
    """Verify every ledger invariant over the whole database (exit 1 on violation)."""
    from axokey.services.ledger import check_ledger

    context = _context(_settings(), with_providers=False)
    try:
        violations = check_ledger(context)
    finally:
        context.database.dispose()
    if not violations:
        console.print("[green]ledger ok[/green]: every invariant holds")
        raise typer.Exit(0)
    table = Table("invariant", "subject", "violation", title="ledger violations")
    for violation in violations:
        table.add_row(violation.invariant, violation.subject, violation.detail)
    errors.print(table)
    for violation in violations:
        typer.echo(f"VIOLATION {violation}", err=True)
    raise typer.Exit(1)


@app.command()
def sweep(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Run as if the clock read this RFC 3339 time (sandbox only)."),
    ] = None,
) -> None:
    """Reconcile payments with the provider; refund what is past its deadline; expire
    pending transfers; retry card refunds; purge old provider notifications."""
    from axokey.services.sweeping import sweep as run_sweep

    settings = _settings()
    when = _parse_time(as_of) if as_of else None
    if when is not None and settings.provider != "sandbox" and when > datetime.now(UTC):
        errors.print("--as-of in the future is only allowed with the sandbox provider")
        raise typer.Exit(2)
    context = _context(settings)
    try:
        report = run_sweep(context, as_of=when)
    finally:
        context.database.dispose()
    table = Table(
        "as of",
        "orders settled",
        "lines refunded",
        "amount refunded",
        "pending expired",
        "card refunds retried",
        "orders failed",
        "payments reconciled",
        "notifications processed",
        "notifications purged",
        title="sweep",
    )
    table.add_row(
        report.as_of.isoformat(),
        str(report.orders_settled),
        str(report.lines_refunded),
        str(report.amount_refunded),
        str(report.pending_transfers_expired),
        str(report.card_refunds_retried),
        str(report.orders_failed),
        str(report.payments_reconciled),
        str(report.notifications_processed),
        str(report.notifications_purged),
    )
    console.print(table)
    if report.orders_failed:
        errors.print(f"{report.orders_failed} order(s) could not be settled: see the log")
        raise typer.Exit(1)


def _parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors.print(f"not an RFC 3339 time: {value!r}")
        raise typer.Exit(2) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
