"""The ``axokey`` command: serve, migrate, keys, ledger check, sweep, demo."""

from __future__ import annotations

import logging
import os
import re
import secrets
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import SecretStr, ValidationError
from rich.console import Console
from rich.table import Table

from axokey.config import Settings, load_settings
from axokey.domain.parties import Principal
from axokey.services.context import ServiceContext

if TYPE_CHECKING:
    from axokey.services.demo import DemoWorld

# Plain help (no rich boxes): options read "--port PORT", never "<int>" type tags.
app = typer.Typer(
    help="AXOKEY: escrow payments for safe drop shipping.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True, rich_markup_mode=None)
ledger_app = typer.Typer(
    help="The double-entry ledger.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(keys_app, name="keys")
app.add_typer(ledger_app, name="ledger")
data_app = typer.Typer(help="Personal data at rest (AXOKEY_DATA_KEYS).", no_args_is_help=True)
app.add_typer(data_app, name="data")
export_app = typer.Typer(help="Accounting exports of the ledger.", no_args_is_help=True)
app.add_typer(export_app, name="export")
payouts_app = typer.Typer(
    help="Payout batches: SEPA transfers to payees and bank refunds.", no_args_is_help=True
)
app.add_typer(payouts_app, name="payouts")
stock_app = typer.Typer(help="Stock per store.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(stock_app, name="stock")

console = Console()
errors = Console(stderr=True)


def cli_language() -> str:
    """The language of the terminal: ``AXOKEY_LANGUAGE``, else the locale's
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``fr_FR.UTF-8`` is French), else English."""
    from axokey import i18n

    for name in ("AXOKEY_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return i18n.supported(value.split(".")[0]) or i18n.DEFAULT_LANGUAGE
    return i18n.DEFAULT_LANGUAGE


def gettext(message: str, **values: Any) -> str:
    """A message of the CLI in the terminal's language, its ``%(name)s`` filled."""
    from axokey import i18n

    text = i18n.gettext_in(cli_language(), message)
    return text % values if values else text


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
    from axokey.bootstrap import migrate_database

    shown = migrate_database(_settings())
    console.print(f"database at head: {shown}")


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on.", metavar="HOST")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", metavar="PORT")] = 8000,
    demo: Annotated[bool, typer.Option(help="Add demo parties, products and orders.")] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes (more than one needs PostgreSQL).",
            metavar="N",
        ),
    ] = 1,
) -> None:
    """Run the API and the web pages, after applying pending migrations.

    With ``--workers N`` (PostgreSQL), N processes share the port; each runs the
    background jobs' loops, and each job's round runs in one of them at a time."""
    import uvicorn

    from axokey.api.app import create_app
    from axokey.bootstrap import migrate_database

    settings = _settings()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        errors.print(
            "axokey: --workers needs PostgreSQL: SQLite takes one writer at a time, "
            "so one process serves it (see README, running several workers)"
        )
        raise typer.Exit(2)
    migrate_database(settings)
    demo_state = _demo_state(settings) if demo else None
    generated = None
    if settings.admin_key is None and demo_state is not None and demo_state.admin_key:
        # The demo's own key, from its state file: links and keys of the last run
        # stay valid.
        settings.admin_key = SecretStr(demo_state.admin_key)
        os.environ["AXOKEY_ADMIN_KEY"] = demo_state.admin_key
        console.print(
            f"[bold]AXOKEY_ADMIN_KEY[/bold] (the demo's, from {_demo_state_path(settings)}): "
            f"{demo_state.admin_key}",
            soft_wrap=True,
        )
    elif settings.admin_key is None and not _operator_keys_exist(settings):
        # A fresh demo must work with zero configuration: make a key and say it. Once
        # operators have named keys, none is made: the bootstrap key is gone.
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
            "this run only." + (" With --demo, the demo's state file keeps it." if demo else "")
        )
    if settings.data_keys is None:
        console.print(
            "AXOKEY_DATA_KEYS is not set: IBANs are encrypted with a key derived from "
            "AXOKEY_ADMIN_KEY (a new admin key would make them unreadable). Set "
            "AXOKEY_DATA_KEYS before storing real IBANs (docs/operations.md, key rotation)."
        )
    if settings.public_base_url == Settings.model_fields["public_base_url"].default:
        settings.public_base_url = f"http://{host}:{port}"
    context = _context(settings)
    demo_world = _run_demo(context, settings, demo_state, generated) if demo else None
    if demo and not settings.secret("smtp_url") and not settings.email_directory:
        # No SMTP: the customer's emails are written as .eml files to look at.
        settings.email_directory = str(Path("axokey-emails").resolve())
        console.print(f"customer emails (no SMTP configured) go to: {settings.email_directory}")
    console.print(
        gettext("AXOKEY on %(url)s — API docs at %(url)s/docs", url=settings.public_base_url)
    )
    if workers > 1:
        context.database.dispose()
        _serve_workers(settings, host=host, port=port, workers=workers, demo=demo)
        return
    from axokey.api.background import background_lifespan

    application = create_app(context=context, lifespan=background_lifespan(context))
    application.state.demo = demo_world
    _hide_link_tokens_in_access_log()
    uvicorn.run(application, host=host, port=port, log_level="info")


WORKER_DEMO_ENVIRONMENT = "AXOKEY_SERVE_DEMO"


def _serve_workers(settings: Settings, *, host: str, port: int, workers: int, demo: bool) -> None:
    """uvicorn's worker processes, each building the app with :func:`worker_app` from
    the environment (the settings this command decided are passed through it), and
    the metrics of all of them added up (prometheus-client's multiprocess mode)."""
    import shutil
    import tempfile

    import uvicorn

    os.environ["AXOKEY_PUBLIC_BASE_URL"] = settings.public_base_url
    if settings.email_directory:
        os.environ["AXOKEY_EMAIL_DIRECTORY"] = settings.email_directory
    os.environ[WORKER_DEMO_ENVIRONMENT] = "1" if demo else ""
    made_directory = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        made_directory = tempfile.mkdtemp(prefix="axokey-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = made_directory
    console.print(f"{workers} worker processes")
    try:
        uvicorn.run(
            "axokey.cli:worker_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
    finally:
        if made_directory is not None:
            shutil.rmtree(made_directory, ignore_errors=True)


def worker_app() -> Any:
    """The app of one worker process of ``serve --workers N`` (uvicorn's factory)."""
    from axokey.api.app import create_app
    from axokey.api.background import background_lifespan

    settings = _settings()
    context = _context(settings)
    application = create_app(context=context, lifespan=background_lifespan(context))
    if os.environ.get(WORKER_DEMO_ENVIRONMENT) == "1":
        application.state.demo = _demo_state(settings)
    _hide_link_tokens_in_access_log()
    return application


def _demo_state_path(settings: Settings) -> Path:
    from axokey.services.demo import state_path

    return state_path(settings.database_url)


def _demo_state(settings: Settings) -> DemoWorld | None:
    from axokey.services.demo import load_state

    return load_state(_demo_state_path(settings))


def _with_demo_admin_key(settings: Settings) -> Settings:
    """Without AXOKEY_ADMIN_KEY, the key ``serve --demo`` generated and kept in the
    demo's state file (so ``axokey sweep`` works in a second terminal)."""
    if settings.admin_key is None:
        state = _demo_state(settings)
        if state is not None and state.admin_key:
            settings.admin_key = SecretStr(state.admin_key)
            errors.print(f"AXOKEY_ADMIN_KEY: the demo's, from {_demo_state_path(settings)}")
    return settings


def _run_demo(
    context: ServiceContext,
    settings: Settings,
    previous: DemoWorld | None,
    generated_admin_key: str | None,
) -> DemoWorld:
    """The demo of the state file when the database still holds it, else a new one
    (saved in the state file); then its parties, keys and links, printed."""
    from dataclasses import replace

    from axokey.services import demo as demo_service

    path = _demo_state_path(settings)
    if previous is not None and demo_service.still_there(context, previous):
        world = previous
        console.print(
            gettext("Demo data already there (state in %(path)s): nothing added.", path=path)
        )
    else:
        world = demo_service.seed_demo(context)
        # The admin key is kept only when this run made it (never one from the
        # environment): links are signed with it.
        admin_key = generated_admin_key or (previous.admin_key if previous else None)
        world = replace(world, admin_key=admin_key)
        demo_service.save_state(path, world)
        console.print(
            gettext("Demo data created; its keys and links are kept in %(path)s.", path=path)
        )
    _print_demo(world, settings.public_base_url)
    return world


def _print_demo(world: DemoWorld, base_url: str) -> None:
    table = Table(gettext("party"), gettext("role"), "id", title=gettext("AXOKEY demo parties"))
    for party in world.parties:
        table.add_row(party.name, party.role, party.id)
    console.print(table)
    console.print(
        gettext("API keys (only their hashes are in the database; also in the state file):")
    )
    for party in world.parties:
        # Plain lines, never wrapped or cut, so that they can be copied.
        console.print(f"  {party.name}: {party.api_key}", soft_wrap=True, highlight=False)
    for order in world.orders:
        console.print(
            gettext(
                "Demo %(channel)s order %(order)s: %(description)s",
                channel=gettext(order.channel),
                order=order.id,
                description=order.description,
            )
        )
        console.print(
            "  "
            + gettext(
                "the customer's page (Pay, then the QR code): %(url)s", url=order.customer_url
            ),
            soft_wrap=True,
        )
    console.print(
        gettext(
            "Pay with the test card 4000002760003184 and the code 123456. Everything, with "
            "links signed in as each party: %(url)s/",
            url=base_url,
        ),
        soft_wrap=True,
    )


def _operator_keys_exist(settings: Settings) -> bool:
    """Whether a named operator key is usable (neither revoked nor expired)."""
    from axokey.services import api_keys

    context = _context(settings, with_providers=False)
    now = datetime.now(UTC)
    try:
        starting_after: str | None = None
        while True:
            page = api_keys.list_keys(
                context,
                api_keys.command_line_principal(),
                operator_keys=True,
                limit=100,
                starting_after=starting_after,
            )
            if any(key.is_usable(now) for key in page.keys):
                return True
            if not page.has_more:
                return False
            starting_after = page.keys[-1].id
    finally:
        context.database.dispose()


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
def create_admin(
    name: Annotated[
        str, typer.Option("--name", help="Who the key is for: a person at the operator.")
    ],
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="A scope (repeat for several). Default: *."),
    ] = None,
) -> None:
    """Create a named operator key (stored hashed; the secret is printed once)."""
    from axokey.domain.errors import AxokeyError
    from axokey.services import api_keys

    context = _context(_settings(), with_providers=False)
    try:
        issued = api_keys.create_key(
            context,
            api_keys.command_line_principal(),
            name=name,
            scopes=scope or None,
            expires_at=None,
        )
    except AxokeyError as error:
        errors.print(f"axokey: {error.detail}")
        raise typer.Exit(2) from None
    finally:
        context.database.dispose()
    typer.echo(issued.secret)
    errors.print(
        f"Operator key {issued.key.id} ({issued.key.name}, scopes {' '.join(issued.key.scopes)}). "
        "The secret above is shown once; only its hash is stored."
    )


@keys_app.command("list")
def list_keys(
    all_parties: Annotated[
        bool, typer.Option("--all", help="Every key, the parties' too.")
    ] = False,
    party: Annotated[str | None, typer.Option("--party", help="One party's keys.")] = None,
) -> None:
    """List the operator's keys (or every key, or one party's), newest first."""
    from axokey.services import api_keys

    context = _context(_settings(), with_providers=False)
    principal = api_keys.command_line_principal()
    # One tab-separated line per key (header first): never cut to the terminal's width,
    # and easy to read with `column -t -s $'\t'` or a script.
    typer.echo(
        "\t".join(("id", "party", "name", "prefix", "scopes", "created", "last used", "state"))
    )
    now = datetime.now(UTC)
    try:
        starting_after: str | None = None
        while True:
            page = api_keys.list_keys(
                context,
                principal,
                party_id=party,
                operator_keys=not all_parties and party is None,
                limit=100,
                starting_after=starting_after,
            )
            for key in page.keys:
                state = (
                    "revoked" if key.revoked_at else "active" if key.is_usable(now) else "expired"
                )
                fields = (
                    key.id,
                    key.party_id or "operator",
                    key.name,
                    key.prefix,
                    " ".join(key.scopes),
                    key.created_at.isoformat(timespec="seconds"),
                    key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "-",
                    state,
                )
                typer.echo("\t".join(field.replace("\t", " ") for field in fields))
            if not page.has_more:
                break
            starting_after = page.keys[-1].id
    finally:
        context.database.dispose()


@keys_app.command("revoke")
def revoke_key(key_id: Annotated[str, typer.Argument(help="The key's id, key_…")]) -> None:
    """Revoke a key at once (an operator's or a party's)."""
    from axokey.domain.errors import AxokeyError
    from axokey.services import api_keys

    context = _context(_settings(), with_providers=False)
    try:
        key = api_keys.revoke_key(context, api_keys.command_line_principal(), key_id)
    except AxokeyError as error:
        errors.print(f"axokey: {error.detail}")
        raise typer.Exit(1 if error.status == 409 else 2) from None
    finally:
        context.database.dispose()
    console.print(f"revoked {key.id} ({key.name})")


@ledger_app.command("check")
def ledger_check() -> None:
    """Verify every ledger invariant over the whole database (exit 1 on violation)."""
    from axokey.services.ledger import check_ledger

    context = _context(_with_demo_admin_key(_settings()), with_providers=False)
    try:
        violations = check_ledger(context)
    finally:
        context.database.dispose()
    if not violations:
        console.print(gettext("[green]ledger ok[/green]: every invariant holds"))
        raise typer.Exit(0)
    # Each violation once, on one plain line (greppable, never wrapped), then the count.
    for violation in violations:
        typer.echo(f"VIOLATION {violation}", err=True)
    errors.print(gettext("%(count)s ledger violation(s)", count=len(violations)))
    raise typer.Exit(1)


@data_app.command("reencrypt")
def data_reencrypt() -> None:
    """Re-encrypt every encrypted value (IBANs) under the first key of
    AXOKEY_DATA_KEYS, and recompute the email blind indexes with it. Run it after
    putting a new key first; then the old key may leave the list. Safe to run again."""
    from rich.progress import Progress, TaskID

    from axokey.services.personal_data import DATA_KEY_ERRORS, reencrypt_personal_data

    context = _context(_settings(), with_providers=False)
    try:
        with Progress(console=errors, transient=False) as progress:
            task: list[TaskID] = []

            def on_column(name: str, total: int) -> None:
                task[:] = [progress.add_task(name, total=total or None)]
                if not total:
                    progress.update(task[0], total=1, completed=1)

            def on_progress(advanced: int) -> None:
                if task:
                    progress.advance(task[0], advanced)

            rewritten = reencrypt_personal_data(
                context, on_column=on_column, on_progress=on_progress
            )
    except DATA_KEY_ERRORS as error:
        errors.print(f"axokey: {error}")
        raise typer.Exit(1) from None
    finally:
        context.database.dispose()
    table = Table("column", "values rewritten", title="re-encrypted under the newest data key")
    for name, count in rewritten.items():
        table.add_row(name, str(count))
    console.print(table)


@app.command()
def sweep(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Run as if the clock read this RFC 3339 time (sandbox only).",
            metavar="TIME",
        ),
    ] = None,
) -> None:
    """Reconcile payments with the provider; refund what is past its deadline; expire
    pending transfers; retry card refunds; purge old provider notifications."""
    from axokey.services.sweeping import sweep as run_sweep

    settings = _with_demo_admin_key(_settings())
    when = _parse_time(as_of) if as_of else None
    if when is not None and settings.provider != "sandbox" and when > datetime.now(UTC):
        errors.print("--as-of in the future is only allowed with the sandbox provider")
        raise typer.Exit(2)
    context = _context(settings)
    try:
        report = _sweep_with_progress(context, run_sweep, when)
    finally:
        context.database.dispose()
    # One figure a row: it reads on a narrow terminal, amounts never wrapped.
    table = Table("", "", title=gettext("sweep"), show_header=False)
    for name, value in (
        (gettext("as of"), report.as_of.isoformat()),
        (gettext("orders settled"), str(report.orders_settled)),
        (gettext("lines refunded"), str(report.lines_refunded)),
        (gettext("amount refunded"), _amounts(report.refunded_by_currency)),
        (gettext("pending transfers expired"), str(report.pending_transfers_expired)),
        (gettext("card refunds retried"), str(report.card_refunds_retried)),
        (gettext("orders failed"), str(report.orders_failed)),
        (gettext("payments reconciled"), str(report.payments_reconciled)),
        (gettext("notifications processed"), str(report.notifications_processed)),
        (gettext("notifications purged"), str(report.notifications_purged)),
        (gettext("unpaid store orders expired"), str(report.unpaid_store_orders_expired)),
        (gettext("carts expired"), str(report.carts_expired)),
    ):
        table.add_row(name, value)
    console.print(table)
    if report.orders_failed:
        errors.print(
            gettext(
                "%(count)s order(s) could not be settled: see the log", count=report.orders_failed
            )
        )
        raise typer.Exit(1)


def _write_export(kind: str, first_day: str, last_day: str, output: Path, encoding: str) -> None:
    """Write an export to ``output`` with a progress bar (the operator's own run)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from axokey.domain.errors import AxokeyError
    from axokey.domain.parties import Principal, Role
    from axokey.services import exports

    try:
        start, end = date.fromisoformat(first_day), date.fromisoformat(last_day)
    except ValueError as error:
        errors.print(f"not a date (YYYY-MM-DD): {error}")
        raise typer.Exit(2) from None
    context = _context(_settings(), with_providers=False)
    operator = Principal(role=Role.ADMIN, party=None, key_hash="cli")
    try:
        period = exports.check_period(context, start, end)
        total = exports.count_movements(
            context, period, exports.FEC_CURRENCY if kind == "fec" else None
        )
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=errors,
        ) as progress:
            task = progress.add_task(f"{kind} export", total=total)

            def advance() -> None:
                progress.advance(task)

            if kind == "fec":
                export = exports.open_fec(
                    context, operator, start, end, encoding=encoding, on_movement=advance
                )
            else:
                export = exports.open_journal(context, operator, start, end, on_movement=advance)
            target = output if str(output) else Path(export.filename)
            if target.is_dir():
                target = target / export.filename
            temporary = target.with_name(target.name + ".part")
            with temporary.open("wb") as file:
                for chunk in export.chunks:
                    file.write(chunk)
            temporary.replace(target)
    except AxokeyError as error:
        errors.print(f"axokey: {error.detail}")
        raise typer.Exit(2) from None
    finally:
        context.database.dispose()
    console.print(f"{total} movement(s) written to {target}")


@export_app.command("fec")
def export_fec(
    first_day: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    last_day: Annotated[str, typer.Option("--to", help="Last day (included), YYYY-MM-DD.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="File or folder (default: <SIREN>FEC<date>.txt).")
    ] = Path(),
    encoding: Annotated[str, typer.Option(help="iso-8859-15 (default) or utf-8.")] = "iso-8859-15",
) -> None:
    """Write the FEC (article A47 A-1 of the LPF) of the EUR ledger movements."""
    _write_export("fec", first_day, last_day, output, encoding)


@export_app.command("journal")
def export_journal(
    first_day: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    last_day: Annotated[str, typer.Option("--to", help="Last day (included), YYYY-MM-DD.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File or folder.")] = Path(),
) -> None:
    """Write every posted ledger movement of the period as CSV (minor units)."""
    _write_export("journal", first_day, last_day, output, "utf-8")


def _operator() -> Principal:
    """The command line acts as the operator (it has the database's credentials)."""
    from axokey.services.api_keys import command_line_principal

    return command_line_principal()


def _money(amount: int, currency: str) -> str:
    """An amount in minor units with its currency, as the terminal's language writes
    it (``135.89 EUR``, ``135,89 €``)."""
    from axokey.i18n import format_money

    return format_money(amount, currency, cli_language())


def _amounts(by_currency: dict[str, int]) -> str:
    """Amounts of several currencies, each with its own (``0`` when there are none)."""
    if not by_currency:
        return "0"
    return ", ".join(_money(amount, currency) for currency, amount in sorted(by_currency.items()))


def _sweep_with_progress(context: ServiceContext, run_sweep: Any, when: datetime | None) -> Any:
    """The sweep, with a progress line on the terminal (orders settled so far): on a
    day with many orders due it takes a while."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        TextColumn(gettext("{task.completed} order(s) due")),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("sweep", total=None)
        return run_sweep(context, as_of=when, on_order=lambda: progress.advance(task))


@payouts_app.command("create")
def payouts_create(
    currency: Annotated[str, typer.Option(help="ISO 4217 currency of the batch.")] = "EUR",
) -> None:
    """Gather what is due (payees' available balances, pending SEPA refunds) into a batch."""
    from axokey.domain.errors import AxokeyError
    from axokey.services.payouts import create_batch

    context = _context(_settings(), with_providers=False)
    try:
        view = create_batch(context, _operator(), currency)
    except AxokeyError as error:
        errors.print(f"axokey: {error.detail} ({error.code})")
        raise typer.Exit(1) from None
    finally:
        context.database.dispose()
    table = Table(
        gettext("item"),
        gettext("kind"),
        gettext("payee"),
        gettext("amount"),
        "IBAN",
        title=gettext("batch %(batch)s", batch=view.batch.id),
    )
    for item in view.items:
        table.add_row(
            item.id,
            item.kind.value,
            item.party_id or item.refund_id,
            _money(item.amount, view.batch.currency),
            item.creditor.iban,
        )
    console.print(table)
    total = _money(view.batch.total, view.batch.currency)
    console.print(
        gettext(
            "%(batch)s: %(count)s transfer(s), total %(total)s",
            batch=view.batch.id,
            count=view.batch.item_count,
            total=total,
        )
    )


@payouts_app.command("file")
def payouts_file(batch_id: str) -> None:
    """Write the batch's pain.001.001.09 file to standard output."""
    import sys

    from axokey.domain.errors import AxokeyError
    from axokey.services.payouts import batch_file

    context = _context(_settings(), with_providers=False)
    try:
        _, chunks = batch_file(context, _operator(), batch_id)
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
    except AxokeyError as error:
        errors.print(f"axokey: {error.detail} ({error.code})")
        raise typer.Exit(1) from None
    finally:
        context.database.dispose()


@payouts_app.command("confirm")
def payouts_confirm(
    batch_id: str,
    rejected: Annotated[
        list[str] | None,
        typer.Option("--rejected", help="ITEM_ID:REASON of a transfer the bank sent back."),
    ] = None,
    pain002: Annotated[
        Path | None,
        typer.Option("--pain002", help="The bank's pain.002 status report, instead of --rejected."),
    ] = None,
) -> None:
    """Mark a batch executed by the bank, except the rejected transfers."""
    from axokey.domain.errors import AxokeyError
    from axokey.services.payouts import confirm_batch, confirm_from_status_report

    returns = []
    for entry in rejected or []:
        item_id, _, reason = entry.partition(":")
        if not item_id or not reason.strip():
            errors.print(f"--rejected {entry!r}: expected ITEM_ID:REASON")
            raise typer.Exit(2)
        returns.append((item_id.strip(), reason.strip()))
    if pain002 is not None and returns:
        errors.print("give either --pain002 or --rejected, not both")
        raise typer.Exit(2)
    context = _context(_settings(), with_providers=False)
    try:
        if pain002 is not None:
            view = confirm_from_status_report(context, _operator(), batch_id, pain002.read_bytes())
        else:
            view = confirm_batch(context, _operator(), batch_id, returns)
    except AxokeyError as error:
        errors.print(f"axokey: {error.detail} ({error.code})")
        raise typer.Exit(1) from None
    finally:
        context.database.dispose()
    paid = sum(1 for item in view.items if item.status.value == "paid")
    returned = len(view.items) - paid
    console.print(f"{view.batch.id}: {view.batch.status.value}, {paid} paid, {returned} rejected")


@stock_app.command("import")
def stock_import(
    store_id: Annotated[str, typer.Argument(help="The store, pty_….")],
    file: Annotated[Path, typer.Argument(help="CSV: a header naming sku or gtin, and on_hand.")],
) -> None:
    """Count a whole store from a CSV file (the first day); lines that cannot be
    applied are listed and the command exits 1; the others are applied."""
    from axokey.domain.errors import AxokeyError
    from axokey.services.stock import import_stock

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        errors.print(f"axokey: cannot read {file}: {error}")
        raise typer.Exit(2) from None
    context = _context(_settings(), with_providers=False)
    try:
        report = import_stock(context, _operator(), store_id, text)
    except AxokeyError as error:
        errors.print(f"axokey: {error.detail} ({error.code})")
        raise typer.Exit(1) from None
    finally:
        context.database.dispose()
    console.print(
        f"{store_id}: {len(report.imported)} line(s) imported, {len(report.refused)} refused"
    )
    if report.refused:
        table = Table("line", "reference", "code", "why", title="refused")
        for refused in report.refused:
            table.add_row(str(refused.line), refused.reference, refused.code, refused.message)
        console.print(table)
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
