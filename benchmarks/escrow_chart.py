"""The operator's escrow chart (``GET /v1/balance/history`` without a party): its
series summed by the database (``ledger_reads.escrow_changes_by_day``) against the
replay of every order transfer of the currency in Python (how it was computed
before), on the same ledger; both must give the same series.

The transfers are inserted directly (bulk SQL) on a scratch database: SQLite (a
temporary file) or PostgreSQL (``axokey_bench_escrow_chart``, created and dropped),
spread over a year: captures into orders' escrows, releases and refunds out of them.

    .venv/bin/python benchmarks/escrow_chart.py                          # SQLite, 200,000
    .venv/bin/python benchmarks/escrow_chart.py --database postgresql
    .venv/bin/python benchmarks/escrow_chart.py --transfers 20000        # smoke run

Results: a table on stdout and JSON in benchmarks/results/escrow_chart-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text

from axokey.adapters.db import ledger_reads
from axokey.adapters.db.engine import make_engine
from axokey.adapters.db.ledger_store import transfer_from_row
from axokey.adapters.db.migrations import upgrade_database
from axokey.adapters.db.tables import ledger_transfers
from axokey.domain.escrow_history import DailyHeld, daily, held_in_escrows

RESULTS = Path(__file__).parent / "results"
LAST_DAY = date(2026, 12, 1)
SPAN_DAYS = 365
ORDERS = 20_000
PARTIES = 200
BATCH = 20_000
WINDOW_DAYS = 30


def transfers(count: int) -> Iterator[dict[str, Any]]:
    start = datetime.combine(LAST_DAY - timedelta(days=SPAN_DAYS - 1), datetime.min.time(), UTC)
    step = timedelta(days=SPAN_DAYS) / max(count, 1)
    for index in range(count):
        order = f"ord_bench{index % ORDERS:08d}"
        party = f"pty_bench{index % PARTIES:05d}"
        debit, credit, code = [
            ("acc_clearing_sandbox_EUR", f"acc_escrow_{order}_EUR", "capture"),
            (f"acc_escrow_{order}_EUR", f"acc_payable_{party}_EUR", "release"),
            (f"acc_escrow_{order}_EUR", "acc_refunds_EUR", "refund"),
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
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("PRAGMA foreign_keys=OFF"))
        else:
            connection.execute(text("SET session_replication_role = replica"))  # no FK checks
        rows: list[dict[str, Any]] = []
        for row in transfers(count):
            rows.append(row)
            if len(rows) == BATCH:
                connection.execute(insert(ledger_transfers), rows)
                rows.clear()
        if rows:
            connection.execute(insert(ledger_transfers), rows)
    engine.dispose()


def replayed(url: str) -> list[DailyHeld]:
    """As the chart was computed before: every order transfer of the currency loaded."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(ledger_transfers)
                .where(
                    ledger_transfers.c.currency == "EUR",
                    ledger_transfers.c.order_id.is_not(None),
                    ledger_transfers.c.kind.in_(("single", "post_pending")),
                )
                .order_by(ledger_transfers.c.seq)
            ).all()
            changes = held_in_escrows(transfer_from_row(row) for row in rows)
    finally:
        engine.dispose()
    return daily(changes, LAST_DAY - timedelta(days=WINDOW_DAYS - 1), LAST_DAY)


def summed(url: str) -> list[DailyHeld]:
    """As the chart is computed now."""
    first_day = LAST_DAY - timedelta(days=WINDOW_DAYS - 1)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            changes = ledger_reads.escrow_changes_by_day(
                connection, "EUR", first_day=first_day, last_day=LAST_DAY
            )
    finally:
        engine.dispose()
    return daily(changes, first_day, LAST_DAY)


def measure(run: Callable[[], list[DailyHeld]]) -> tuple[float, int, list[DailyHeld]]:
    """The best of three wall times, then one more run for the Python allocations' peak."""
    best = float("inf")
    series: list[DailyHeld] = []
    for _ in range(3):
        started = time.perf_counter()
        series = run()
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak, series


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--transfers", type=int, default=200_000)
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    arguments = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="axokey-bench-escrow-chart-")
    name = "axokey_bench_escrow_chart"
    if arguments.database == "sqlite":
        url = f"sqlite:///{scratch}/bench.db"
    else:
        admin = create_engine(arguments.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = arguments.postgres_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade_database(url)
        fill(url, arguments.transfers)
        before_seconds, before_peak, before = measure(lambda: replayed(url))
        after_seconds, after_peak, after = measure(lambda: summed(url))
    finally:
        if arguments.database == "postgresql":
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for path in Path(scratch).glob("*"):
            path.unlink()
        os.rmdir(scratch)
    if before != after:
        raise SystemExit("the two series differ")

    results = [
        {"computed": "replay (before)", "seconds": before_seconds, "peak_bytes": before_peak},
        {"computed": "summed (now)", "seconds": after_seconds, "peak_bytes": after_peak},
    ]
    print(
        f"database: {arguments.database}; {arguments.transfers} order transfers over "
        f"{SPAN_DAYS} days; a {WINDOW_DAYS}-day series, the same both ways"
    )
    print(f"{'computed':16} {'seconds':>8} {'peak MB':>8}")
    for result in results:
        print(
            f"{result['computed']:16} {result['seconds']:>8.3f} {result['peak_bytes'] / 1e6:>8.1f}"
        )
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (a shared machine)")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"escrow_chart-{stamp}.json").write_text(
        json.dumps(
            {
                "database": arguments.database,
                "transfers": arguments.transfers,
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
