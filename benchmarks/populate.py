"""Fill a PostgreSQL database with many completed orders and their ledger, fast.

One real lifecycle (SPEC example B, through the services, as ``lifecycle.py``
runs it) is the template: every row it wrote, in every table but the worlds'
(parties, keys, catalog), is cloned ``--orders`` times on the server by
``INSERT … SELECT … FROM generate_series`` in chunks (no row crosses the network;
no API). In a clone every identifier the lifecycle made (a ULID, alone or inside
another id such as ``acc_escrow_ord_…`` or a JSON payload) gets its last 10
characters replaced by the clone's number, and every other unique text (codes,
token hashes) likewise; the accounts shared by all orders (clearing, refunds, the
parties' payables) get the template's counters times the number of orders, so the
ledger stays exact: ``axokey ledger check`` must find nothing.

    .venv/bin/python benchmarks/populate.py --orders 1000000     # into axokey_bench_populated
    .venv/bin/python benchmarks/populate.py --orders 10000 --database-name mydb

It is also ``scale_report.py``'s size part (``size_report``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, String, Text, cast, func, literal, select, text
from sqlalchemy.engine import Connection, Engine

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import lifecycle as lc  # noqa: E402

from axokey.adapters.db.tables import ledger_accounts, metadata  # noqa: E402

# The ids a lifecycle makes: ULIDs (``ord_01J…``) and the sandbox's references.
ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}|(?<=sbx_)[0-9a-f]{24}")
CODE_LENGTH = 10  # the clone's number, in upper-case hex, at the end of each id
CHUNK = 25_000
# Rows that name another table's sequence number (which a clone does not know):
# who may read an order's events. Not cloned: the orders' events are.
NOT_CLONED = frozenset({"event_recipients", "webhook_deliveries", "webhook_attempts"})
COUNTERS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")


def clone_code(g: Any) -> Any:
    return func.upper(func.lpad(func.to_hex(g), CODE_LENGTH, "0"))


def template_rows(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table but the worlds', JSON as its text."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in metadata.sorted_tables:
        if table.name in lc.WORLD_TABLES:
            continue
        columns = [
            cast(column, Text).label(column.name) if isinstance(column.type, JSON) else column
            for column in table.columns
        ]
        order = [table.c.seq] if "seq" in table.c else []
        found = connection.execute(select(*columns).order_by(*order)).mappings().all()
        if found:
            rows[table.name] = [dict(row) for row in found]
    return rows


def world_ulids(connection: Connection) -> set[str]:
    found: set[str] = set()
    for table in metadata.sorted_tables:
        if table.name not in lc.WORLD_TABLES:
            continue
        for row in connection.execute(select(table)).all():
            for value in row:
                if isinstance(value, str):
                    found.update(ULID.findall(value))
    return found


class Cloner:
    """The INSERT … SELECT statements that clone the template rows."""

    def __init__(self, rows: dict[str, list[dict[str, Any]]], world: set[str]) -> None:
        self.rows = rows
        self.ulids = sorted(
            {
                ulid
                for table_rows in rows.values()
                for row in table_rows
                for value in row.values()
                if isinstance(value, str)
                for ulid in ULID.findall(value)
            }
            - world
        )
        heads = {ulid[: len(ulid) - CODE_LENGTH] for ulid in self.ulids}
        assert len(heads) == len(self.ulids), "two template ids share their first 16 characters"
        self.shared_accounts = [
            row
            for row in rows.get("ledger_accounts", [])
            if not ULID.findall(row["id"]) or not set(ULID.findall(row["id"])) - world
        ]

    def _text(self, value: str, g: Any) -> Any:
        expression: Any = literal(value, String)
        for ulid in ULID.findall(value):
            if ulid in self.ulids:
                expression = func.replace(
                    expression, ulid, func.concat(ulid[: len(ulid) - CODE_LENGTH], clone_code(g))
                )
        return expression

    def _expression(self, column: Any, value: Any, g: Any) -> Any:
        if value is None:
            return literal(None, column.type)
        if isinstance(column.type, JSON):
            return cast(self._text(value, g), column.type)
        if isinstance(value, str) and any(
            u in value for u in ULID.findall(value) if u in self.ulids
        ):
            return self._text(value, g)
        alone_unique = column.unique or (
            column.primary_key and len(column.table.primary_key.columns) == 1
        )
        if isinstance(value, str) and alone_unique and len(value) > CODE_LENGTH:
            return func.concat(value[: len(value) - CODE_LENGTH], clone_code(g))
        return literal(value, column.type)

    def statements(self, first: int, last: int) -> list[Any]:
        made = []
        series = func.generate_series(first, last).table_valued("g").render_derived(name="series")
        g = series.c.g
        for table in metadata.sorted_tables:
            if table.name in NOT_CLONED:
                continue
            for row in self.rows.get(table.name, []):
                if table.name == "ledger_accounts" and row in self.shared_accounts:
                    continue
                columns = [
                    column
                    for column in table.columns
                    if not (column.name == "seq" and column.primary_key)
                ]
                values = [self._expression(c, row[c.name], g).label(c.name) for c in columns]
                query = select(*values).select_from(series).order_by(g)
                made.append(table.insert().from_select([c.name for c in columns], query))
        return made

    def add_to_shared_accounts(self, connection: Connection, clones: int) -> None:
        """The accounts shared by every order move by the template's amounts once per
        clone (added to what is there: real lifecycles may have run in between)."""
        for row in self.shared_accounts:
            connection.execute(
                ledger_accounts.update()
                .where(ledger_accounts.c.id == row["id"])
                .values(
                    {
                        ledger_accounts.c[name]: ledger_accounts.c[name] + row[name] * clones
                        for name in COUNTERS
                    }
                )
            )


class Populator:
    """One template lifecycle (run now, on an emptied database), then clones of it
    until the database holds the orders asked for."""

    def __init__(self, engine: Engine, context: Any, world: lc.World) -> None:
        self.engine = engine
        lc.service_lifecycle(context, world)
        with engine.connect() as connection:
            rows = template_rows(connection)
            world_ids = world_ulids(connection)
        self.cloner = Cloner(rows, world_ids)
        self.rows_per_order = sum(len(r) for n, r in rows.items() if n not in NOT_CLONED) - len(
            self.cloner.shared_accounts
        )
        self.tables = {name: len(r) for name, r in rows.items()}
        self.orders = 1  # the template

    def grow_to(self, orders: int, progress: bool = True) -> dict[str, Any]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        started = time.perf_counter()
        first_clone, last_clone = self.orders, orders - 1  # clone numbers; 0 is the template
        added = max(0, last_clone - first_clone + 1)
        columns = [BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
        # Non-unique indexes are built once at the end (faster than row by row).
        indexes = [
            index
            for table in metadata.sorted_tables
            if table.name in self.tables and table.name not in NOT_CLONED
            for index in table.indexes
            if not index.unique and added > CHUNK
        ]
        with self.engine.begin() as connection:
            for index in indexes:
                index.drop(connection, checkfirst=True)
        with Progress(*columns, disable=not progress) as bar:
            task = bar.add_task("orders", total=added)
            for first in range(first_clone, last_clone + 1, CHUNK):
                last = min(first + CHUNK - 1, last_clone)
                with self.engine.begin() as connection:
                    connection.execute(text("SET LOCAL synchronous_commit = off"))
                    for statement in self.cloner.statements(first, last):
                        connection.execute(statement)
                    self.cloner.add_to_shared_accounts(connection, last - first + 1)
                bar.advance(task, last - first + 1)
        with self.engine.begin() as connection:
            connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
            for index in indexes:
                index.create(connection)
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        self.orders = max(self.orders, orders)
        return {
            "orders": self.orders,
            "added": added,
            "rows_per_order": self.rows_per_order,
            "rows_added": added * self.rows_per_order,
            "seconds": round(time.perf_counter() - started, 1),
        }


# --- the size part of scale_report.py ------------------------------------------------------

# The list queries of the API, as a merchant / the operator calls them.
LIST_REQUESTS = (
    ("merchant: GET /v1/orders?limit=100", "M", "/v1/orders?limit=100"),
    ("merchant: GET /v1/balance", "M", "/v1/balance"),
    ("merchant: GET /v1/refunds?limit=100", "M", "/v1/refunds?limit=100"),
    ("operator: GET /v1/ledger/transfers?limit=100", "admin", "/v1/ledger/transfers?limit=100"),
    ("operator: GET /v1/events?limit=100", "admin", "/v1/events?limit=100"),
    ("operator: GET /v1/audit-events?limit=100", "admin", "/v1/audit-events?limit=100"),
)


def explain_list_queries(
    context: Any, world: lc.World
) -> tuple[dict[str, list[str]], dict[str, float]]:
    """Every SELECT the list endpoints run (captured from the app in-process), with
    PostgreSQL's plan and the time of the whole request."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from axokey.api.app import create_app

    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FOR UPDATE" not in statement:
            captured.append((statement, parameters))

    engine = context.database.engine
    plans: dict[str, list[str]] = {}
    timings: dict[str, float] = {}
    with TestClient(create_app(context=context)) as client:
        for name, who, path in LIST_REQUESTS:
            key = lc.ADMIN_KEY if who == "admin" else world.merchant_key
            headers = {"Authorization": f"Bearer {key}"}
            client.get(path, headers=headers)  # warm
            captured.clear()
            event.listen(engine, "before_cursor_execute", capture)
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            timings[name] = round((time.perf_counter() - started) * 1000, 1)
            event.remove(engine, "before_cursor_execute", capture)
            assert response.status_code == 200, (path, response.text[:300])
            with engine.connect() as connection:
                for index, (statement, parameters) in enumerate(captured):
                    if "api_keys" in statement or "alembic" in statement:
                        continue  # the key's look-up: by its hash's unique index
                    rows = connection.exec_driver_sql(
                        "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + statement,
                        parameters,
                    ).all()
                    plans[f"{name} #{index + 1}"] = [row[0] for row in rows]
    return plans, timings


def ledger_check_cli(url: str, timeout: float, memory_limit_bytes: int) -> dict[str, Any]:
    """``axokey ledger check`` in a subprocess: seconds, peak RSS, exit status."""
    import os
    import resource
    import subprocess

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))

    environment = {**os.environ, "AXOKEY_DATABASE_URL": url, "AXOKEY_ADMIN_KEY": lc.ADMIN_KEY}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = children.ru_maxrss
    cpu_before = children.ru_utime + children.ru_stime
    load_before = os.getloadavg()
    started = time.perf_counter()
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "axokey.cli", "ledger", "check"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            preexec_fn=limit,
        )
    except subprocess.TimeoutExpired:
        return {
            "finished": False,
            "seconds": None,
            "peak_rss_mib": None,
            "exit": None,
            "detail": f"did not finish in {timeout:.0f} s",
        }
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = children.ru_maxrss
    return {
        "finished": True,
        "seconds": round(seconds, 1),
        # The command's own CPU (user + system); PostgreSQL's backend is not in it.
        "cpu_seconds": round(children.ru_utime + children.ru_stime - cpu_before, 1),
        "load_average": [round(value, 2) for value in (*load_before, *os.getloadavg())],
        # ru_maxrss of the children so far (KiB): the largest, this one if it grew it.
        "peak_rss_mib": round(max(peak, before) / 1024, 1),
        "exit": finished.returncode,
        "detail": (finished.stdout + finished.stderr)[-400:],
    }


def completed_orders(url: str) -> int:
    from sqlalchemy import create_engine

    from axokey.adapters.db.tables import orders

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).select_from(orders).where(orders.c.status == "completed")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def size_report(
    scratch: Any,
    orders: int,
    small_orders: int,
    seconds: float,
    http_cell: Callable[..., dict[str, Any]],
    say: Callable[[dict[str, Any]], None],
    check_timeout: float = 600.0,
    check_memory_gib: float = 8.0,
) -> dict[str, Any]:
    scratch.reset()
    context = lc.build_context(lc.bench_settings(scratch.url))
    cells = []
    try:
        world = scratch.spread[0]
        populator = Populator(context.database.engine, context, world)
        small = populator.grow_to(small_orders)
        print(f"populated {small}", flush=True)
        small_cell = http_cell(scratch, "spread", 1, seconds, reset=False)
        small_cell["label"] = f" ({small_orders:,} orders)"
        say(small_cell)
        cells.append(small_cell)
        large = populator.grow_to(orders)
        print(f"populated {large}", flush=True)
        large_cell = http_cell(scratch, "spread", 1, seconds, reset=False, full_check=False)
        large_cell["label"] = f" ({orders:,} orders)"
        say(large_cell)
        cells.append(large_cell)
        plans, list_ms = explain_list_queries(context, world)
    finally:
        context.database.dispose()
    check = ledger_check_cli(scratch.url, check_timeout, int(check_memory_gib * 2**30))
    print(f"ledger check: {check}", flush=True)
    flat = large_cell["app_cpu_ms"] + large_cell["postgres_cpu_ms"]
    flat_small = small_cell["app_cpu_ms"] + small_cell["postgres_cpu_ms"]
    return {
        "orders": orders,
        "small_orders": small_orders,
        "populate_seconds": round(small["seconds"] + large["seconds"], 1),
        "rows": large["rows_per_order"] * orders,
        "rows_per_order": large["rows_per_order"],
        "small_per_s": small_cell["lifecycles_per_s"],
        "large_per_s": large_cell["lifecycles_per_s"],
        "small_app_cpu_ms": small_cell["app_cpu_ms"],
        "large_app_cpu_ms": large_cell["app_cpu_ms"],
        "cpu_ratio": round(flat / flat_small, 2) if flat_small else None,
        "goal_flat": bool(flat_small and flat / flat_small <= 1.2),
        "check": check,
        "check_seconds": check["seconds"],
        "check_peak_rss_mib": check["peak_rss_mib"],
        "check_violations": "none" if check["exit"] == 0 else check["detail"][-120:],
        "goal_check": bool(check["finished"] and check["exit"] == 0 and check["seconds"] < 60),
        "list_request_ms": list_ms,
        "explain": plans,
        "cells": cells,
    }


def main(argv: list[str] | None = None) -> int:
    """Populate a database of its own (kept, unless --drop) and check its ledger."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", default=lc.DEFAULT_POSTGRES_URL)
    parser.add_argument("--database-name", default="axokey_bench_populated")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--no-check", action="store_true", help="skip `axokey ledger check`")
    args = parser.parse_args(argv)
    lc.SCRATCH_DATABASE = args.database_name
    scratch = lc.PostgresScratch(args.postgres_url)
    try:
        scratch.setup_worlds(1)
        scratch.reset()
        context = lc.build_context(lc.bench_settings(scratch.url))
        try:
            populator = Populator(context.database.engine, context, scratch.spread[0])
            print(populator.grow_to(args.orders))
        finally:
            context.database.dispose()
        if not args.no_check:
            print(ledger_check_cli(scratch.url, 3600, 16 * 2**30))
        print(f"database: {scratch.url}")
    finally:
        if args.drop:
            scratch.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
