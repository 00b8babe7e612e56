"""Ledger throughput: linked two-phase batches per second, on SQLite and PostgreSQL.

One batch is a complete two-phase transfer, posted as one linked batch through
``ledger_store.post_transfers`` in its own write transaction (``Database.run``):
``[pending A → B, post_pending of it]``. Cells:

- database: SQLite (a temporary file, WAL) and PostgreSQL (a scratch database,
  created, migrated and dropped by this script);
- workload: ``spread`` — each batch between two random distinct accounts among
  ``--accounts`` (1000); ``hot`` — every batch debits or credits one same account;
- 1, 4 and 8 worker threads, each with its own transactions.

Each cell starts on empty ledger tables, runs a short warm-up, then measures for
``--seconds``; it reports batches/s, transfers/s and the p50/p99 latency of one
batch (the whole transaction, retries included), and ends with ``check_ledger``
and a count of the rows written. With pgbench installed, its TPC-B TPS
(``pgbench -i -s 1``, then ``-c 4 -j 2 -T 10``) on the same PostgreSQL server gives
the scale.

    .venv/bin/python benchmarks/ledger.py                        # both databases
    .venv/bin/python benchmarks/ledger.py --database sqlite --seconds 10
    .venv/bin/python benchmarks/ledger.py --database postgresql --threads 1 8

Results: a table on stdout and JSON in benchmarks/results/ledger-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, delete, func, select, text
from sqlalchemy.engine import URL, make_url

from axokey.adapters.db import ledger_store
from axokey.adapters.db.engine import Database, make_engine, normalise_url
from axokey.adapters.db.migrations import upgrade_database
from axokey.adapters.db.tables import ledger_accounts, ledger_transfers
from axokey.config import Settings
from axokey.domain.ledger import Account, TransferKind, TransferRequest
from axokey.services.context import ServiceContext
from axokey.services.ledger import check_ledger

RESULTS_DIRECTORY = Path(__file__).resolve().parent / "results"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "axokey_bench_ledger"
PGBENCH_DATABASE = "axokey_bench_ledger_pgbench"
HOT_ACCOUNT = "acc_bench_hot"
WARM_UP_SECONDS_MAX = 1.0
HOLD_TIMEOUT = timedelta(days=30)


@dataclass
class Cell:
    database: str
    workload: str
    threads: int
    seconds: float = 0.0
    batches: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    rows_checked: int = 0
    violations: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "workload": self.workload,
            "threads": self.threads,
            "seconds": round(self.seconds, 3),
            "batches": self.batches,
            "batches_per_second": round(self.batches / self.seconds, 1),
            "transfers_per_second": round(2 * self.batches / self.seconds, 1),
            "latency_p50_ms": round(percentile(self.latencies_ms, 50), 2),
            "latency_p99_ms": round(percentile(self.latencies_ms, 99), 2),
            "latency_max_ms": round(max(self.latencies_ms, default=math.nan), 2),
            "transfers_recorded": self.rows_checked,
            "ledger_violations": self.violations,
        }


def percentile(values: list[float], rank: float) -> float:
    """Nearest-rank percentile (``nan`` when there is nothing to rank)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)]


# --- Databases ----------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="axokey-bench-") as directory:
        url = f"sqlite:///{Path(directory) / 'ledger.db'}"
        upgrade_database(url)
        yield url


def _server_url(base_url: str, database: str) -> URL:
    return make_url(normalise_url(base_url)).set(database=database)


@contextmanager
def scratch_postgres_database(base_url: str, name: str) -> Iterator[str]:
    """A database created on the server of ``base_url``, dropped afterwards."""
    admin = create_engine(_server_url(base_url, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield _server_url(base_url, name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    with scratch_postgres_database(base_url, BENCH_DATABASE) as url:
        upgrade_database(url)
        yield url


def describe_server(database: Database) -> str:
    with database.read() as connection:
        if database.dialect == "postgresql":
            version = connection.execute(text("SHOW server_version")).scalar_one()
            return f"PostgreSQL {version}"
        return f"SQLite {sqlite3.sqlite_version}"


# --- One cell -------------------------------------------------------------------------


def reset_ledger(database: Database, accounts: int) -> list[str]:
    ids = [f"acc_bench_{index:05}" for index in range(accounts)]
    now = datetime.now(UTC)

    def work(connection: Connection) -> None:
        connection.execute(delete(ledger_transfers))
        connection.execute(delete(ledger_accounts))
        ledger_store.ensure_accounts(
            connection,
            [Account(id=key, currency="EUR", kind="bench") for key in [*ids, HOT_ACCOUNT]],
            now,
        )

    database.run(work)
    return ids


def two_phase_batch(
    prefix: str, debit: str, credit: str, amount: int, now: datetime
) -> list[TransferRequest]:
    return [
        TransferRequest(
            f"{prefix}p",
            TransferKind.PENDING,
            amount,
            debit,
            credit,
            timeout_at=now + HOLD_TIMEOUT,
            code="bench_hold",
        ),
        TransferRequest(f"{prefix}q", TransferKind.POST_PENDING, pending_id=f"{prefix}p"),
    ]


def run_cell(
    context: ServiceContext, cell: Cell, *, accounts: int, seconds: float, seed: int
) -> Cell:
    database = context.database
    ids = reset_ledger(database, accounts)
    warm_up = min(WARM_UP_SECONDS_MAX, seconds / 5)
    started = time.perf_counter()
    measure_from = started + warm_up
    stop_at = measure_from + seconds
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        sequence = 0
        latencies: list[float] = []
        batches = 0
        try:
            while True:
                before = time.perf_counter()
                if before >= stop_at:
                    break
                if cell.workload == "hot":
                    other = rng.choice(ids)
                    debit, credit = (
                        (HOT_ACCOUNT, other) if rng.random() < 0.5 else (other, HOT_ACCOUNT)
                    )
                else:
                    debit, credit = rng.sample(ids, 2)
                sequence += 1
                now = datetime.now(UTC)
                requests = two_phase_batch(
                    f"w{number}_{sequence}_", debit, credit, rng.randint(1, 100_000), now
                )
                outcome = database.run(
                    lambda connection, requests=requests, now=now: ledger_store.post_transfers(
                        connection, requests, now=now
                    )
                )
                after = time.perf_counter()
                if not outcome.succeeded:
                    raise AssertionError(f"batch refused: {outcome.first_failure()}")
                if before >= measure_from and after <= stop_at:
                    batches += 1
                    latencies.append((after - before) * 1000)
        except BaseException as error:  # reported after the cell, never swallowed
            with lock:
                errors.append(error)
        with lock:
            cell.batches += batches
            cell.latencies_ms.extend(latencies)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(cell.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    cell.seconds = seconds

    violations = check_ledger(context)
    cell.violations = len(violations)
    if violations:
        raise AssertionError(f"the ledger is broken after {cell}: {violations[:5]}")
    with database.read() as connection:
        cell.rows_checked = connection.execute(
            select(func.count()).select_from(ledger_transfers)
        ).scalar_one()
        hot = connection.execute(
            select(ledger_accounts).where(ledger_accounts.c.id == HOT_ACCOUNT)
        ).one()
    if cell.rows_checked % 2 or cell.rows_checked < 2 * cell.batches:
        raise AssertionError(f"{cell.rows_checked} transfers recorded for {cell.batches} batches")
    if cell.workload == "hot" and hot.debits_posted + hot.credits_posted == 0:
        raise AssertionError("the hot account was never touched")
    return cell


# --- pgbench ------------------------------------------------------------------------------


def run_pgbench(base_url: str, seconds: int) -> dict[str, Any]:
    """TPC-B (pgbench's built-in script) on a scratch database of the same server."""
    if shutil.which("pgbench") is None:
        return {"skipped": "pgbench is not installed"}
    url = make_url(normalise_url(base_url))
    connection = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    connection += ["-U", url.username or "postgres"]
    environment = {**os.environ}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    with scratch_postgres_database(base_url, PGBENCH_DATABASE):
        subprocess.run(
            ["pgbench", *connection, "-i", "-s", "1", "-q", PGBENCH_DATABASE],
            check=True,
            capture_output=True,
            env=environment,
        )
        command = ["pgbench", *connection, "-c", "4", "-j", "2", "-T", str(seconds)]
        finished = subprocess.run(
            [*command, PGBENCH_DATABASE],
            check=True,
            capture_output=True,
            text=True,
            env=environment,
        )
    output = finished.stdout
    tps = re.search(r"^tps = ([0-9.]+)", output, re.MULTILINE)
    latency = re.search(r"^latency average = ([0-9.]+) ms", output, re.MULTILINE)
    if tps is None:
        raise RuntimeError(f"no tps line in pgbench's output:\n{output}")
    return {
        "command": " ".join([*command, PGBENCH_DATABASE]),
        "scale": 1,
        "tps": float(tps.group(1)),
        "latency_average_ms": float(latency.group(1)) if latency else None,
    }


# --- Report ---------------------------------------------------------------------------


def print_table(cells: list[dict[str, Any]], pgbench: dict[str, Any] | None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=r"Ledger: linked \[pending, post] batches (one two-phase transfer each)")
    for header in ("database", "workload", "threads", "batches/s", "transfers/s"):
        table.add_column(header, justify="right" if header[0] in "bt" else "left")
    for header in ("p50 ms", "p99 ms", "batches"):
        table.add_column(header, justify="right")
    for cell in cells:
        table.add_row(
            cell["database"],
            cell["workload"],
            str(cell["threads"]),
            f"{cell['batches_per_second']:,.0f}",
            f"{cell['transfers_per_second']:,.0f}",
            f"{cell['latency_p50_ms']:.2f}",
            f"{cell['latency_p99_ms']:.2f}",
            f"{cell['batches']:,}",
        )
    console = Console()
    if not console.is_terminal:  # a file or a pipe: room for every column
        console = Console(width=120)
    console.print(table)
    if pgbench is None:
        return
    if "skipped" in pgbench:
        console.print(f"pgbench: skipped ({pgbench['skipped']})")
        return
    console.print(
        f"pgbench TPC-B on the same PostgreSQL: [bold]{pgbench['tps']:,.0f} TPS[/bold] "
        f"(latency average {pgbench['latency_average_ms']} ms; {pgbench['command']})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per cell")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--workloads", nargs="+", choices=("spread", "hot"), default=None)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="the server")
    parser.add_argument("--no-pgbench", action="store_true")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.accounts < 2 or args.seconds <= 0 or min(args.threads) < 1:
        parser.error("need at least 2 accounts, 1 thread and a positive duration")

    names = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    workloads = args.workloads or ["spread", "hot"]
    report: dict[str, Any] = {
        "benchmark": "ledger",
        "started_at": datetime.now(UTC).isoformat(),
        "batch": "linked [pending A→B, post_pending] via ledger_store.post_transfers",
        "seconds_per_cell": args.seconds,
        "accounts": args.accounts,
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
        },
        "servers": {},
        "cells": [],
        "pgbench": None,
    }
    run_started = time.perf_counter()
    for name in names:
        with sqlite_database() if name == "sqlite" else postgres_database(args.postgres_url) as url:
            database = Database(make_engine(url, pool_size=max(args.threads) + 2))
            context = ServiceContext(database=database, settings=Settings(database_url=url))
            try:
                report["servers"][name] = describe_server(database)
                for workload in workloads:
                    for threads in args.threads:
                        cell = run_cell(
                            context,
                            Cell(name, workload, threads),
                            accounts=args.accounts,
                            seconds=args.seconds,
                            seed=args.seed,
                        )
                        summary = cell.summary()
                        report["cells"].append(summary)
                        print(
                            f"{name:10} {workload:6} {threads} threads: "
                            f"{summary['batches_per_second']:>8,.1f} batches/s, "
                            f"p50 {summary['latency_p50_ms']:.2f} ms, "
                            f"p99 {summary['latency_p99_ms']:.2f} ms",
                            flush=True,
                        )
            finally:
                database.dispose()
        if name == "postgresql" and not args.no_pgbench:
            report["pgbench"] = run_pgbench(args.postgres_url, args.pgbench_seconds)
    report["total_seconds"] = round(time.perf_counter() - run_started, 1)
    print_table(report["cells"], report["pgbench"])
    RESULTS_DIRECTORY.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIRECTORY / f"ledger-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {path} (total {report['total_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
