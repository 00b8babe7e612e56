"""Accounting exports at scale: the FEC and the journal CSV of 10⁶ ledger movements,
streamed to a file, with the time taken and the peak of Python memory while
exporting (bounded: it must not grow with the number of movements).

The movements are inserted directly (bulk SQL) on a scratch database: SQLite (a
temporary file) or PostgreSQL (``axokey_bench_exports``, created and dropped).

    .venv/bin/python benchmarks/exports.py                              # SQLite, 10⁶
    .venv/bin/python benchmarks/exports.py --database postgresql --movements 1000000
    .venv/bin/python benchmarks/exports.py --movements 20000            # smoke run

Results: a table on stdout and JSON in benchmarks/results/exports-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text

from axokey.adapters.db.engine import Database, make_engine
from axokey.adapters.db.migrations import upgrade_database
from axokey.adapters.db.tables import ledger_transfers, parties
from axokey.config import Settings
from axokey.domain.parties import Principal, Role
from axokey.services import exports
from axokey.services.context import ServiceContext

RESULTS = Path(__file__).parent / "results"
DAY = date(2026, 6, 15)
PARTIES = 200
ORDERS = 5000
BATCH = 20_000


def movements(count: int) -> Any:
    start = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
    step = timedelta(seconds=86_000) / max(count, 1)
    for index in range(count):
        order = f"ord_bench{index % ORDERS:08d}"
        party = f"pty_bench{index % PARTIES:05d}"
        debit, credit, code = [
            ("acc_clearing_sandbox_EUR", f"acc_escrow_{order}", "capture"),
            (f"acc_escrow_{order}", f"acc_payable_{party}_EUR", "release"),
            (f"acc_escrow_{order}", "acc_refunds_EUR", "refund"),
        ][index % 3]
        yield {
            "id": f"{order}:{code}:{index}",
            "kind": "single",
            "debit_account_id": debit,
            "credit_account_id": credit,
            "amount": 100 + index % 9_900,
            "currency": "EUR",
            "code": code,
            "order_id": order,
            "line_id": None,
            "created_at": start + step * index,
        }


def fill(url: str, count: int) -> None:
    engine = create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("PRAGMA foreign_keys=OFF"))
        else:
            connection.execute(text("SET session_replication_role = replica"))  # no FK checks
        connection.execute(
            insert(parties),
            [
                {
                    "id": f"pty_bench{index:05d}",
                    "role": "supplier" if index % 2 else "merchant",
                    "name": f"Partie {index} é",
                    "api_key_hash": f"{index:064d}",
                    "api_key_prefix": "bench",
                    "created_at": now,
                }
                for index in range(PARTIES)
            ],
        )
        rows: list[dict[str, Any]] = []
        for row in movements(count):
            rows.append(row)
            if len(rows) == BATCH:
                connection.execute(insert(ledger_transfers), rows)
                rows.clear()
        if rows:
            connection.execute(insert(ledger_transfers), rows)
    engine.dispose()


def measure(run: Callable[[], int], *, trace: bool) -> tuple[float, int, int]:
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    written = run()
    elapsed = time.perf_counter() - started
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return elapsed, peak, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    arguments = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="axokey-bench-exports-")
    if arguments.database == "sqlite":
        url = f"sqlite:///{scratch}/bench.db"
    else:
        admin = create_engine(arguments.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "axokey_bench_exports" WITH (FORCE)'))
            connection.execute(text('CREATE DATABASE "axokey_bench_exports"'))
        url = arguments.postgres_url.rsplit("/", 1)[0] + "/axokey_bench_exports"
    try:
        upgrade_database(url)
        started = time.perf_counter()
        fill(url, arguments.movements)
        fill_seconds = time.perf_counter() - started
        settings = Settings(database_url=url, operator_siren="123456789")
        context = ServiceContext(database=Database(make_engine(url)), settings=settings)
        operator = Principal(role=Role.ADMIN, party=None, key_hash="bench")
        results = []
        for kind in ("fec", "journal"):
            target = Path(scratch) / f"{kind}.out"

            def run(kind: str = kind, target: Path = target) -> int:
                if kind == "fec":
                    export = exports.open_fec(context, operator, DAY, DAY)
                else:
                    export = exports.open_journal(context, operator, DAY, DAY)
                size = 0
                with target.open("wb") as file:
                    for chunk in export.chunks:
                        size += file.write(chunk)
                return size

            seconds, _peak, size = measure(run, trace=False)
            _seconds, peak, _size = measure(run, trace=True)
            results.append(
                {
                    "export": kind,
                    "movements": arguments.movements,
                    "seconds": round(seconds, 2),
                    "movements_per_second": round(arguments.movements / seconds),
                    "file_megabytes": round(size / 1e6, 1),
                    "python_peak_megabytes": round(peak / 1e6, 1),
                }
            )
        context.database.dispose()
    finally:
        if arguments.database == "postgresql":
            with admin.connect() as connection:
                connection.execute(
                    text('DROP DATABASE IF EXISTS "axokey_bench_exports" WITH (FORCE)')
                )
        for path in Path(scratch).glob("*"):
            path.unlink()
        os.rmdir(scratch)

    print(
        f"database: {arguments.database}; {arguments.movements} movements "
        f"inserted in {fill_seconds:.1f} s"
    )
    print(f"{'export':8} {'seconds':>8} {'mov/s':>9} {'file MB':>8} {'peak MB':>8}")
    for result in results:
        print(
            f"{result['export']:8} {result['seconds']:>8} {result['movements_per_second']:>9} "
            f"{result['file_megabytes']:>8} {result['python_peak_megabytes']:>8}"
        )
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (a shared machine)")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"exports-{stamp}.json").write_text(
        json.dumps(
            {
                "database": arguments.database,
                "results": results,
                "load_average": load,
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
