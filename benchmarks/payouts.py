"""Payout batches at scale: 10,000 payees in one batch and its pain.001 file.

For each database (SQLite: a temporary file; PostgreSQL: a scratch database,
created, migrated and dropped here), the script seeds ``--payees`` parties with an
IBAN and an address and money available in their payable accounts (through real
ledger transfers, so ``check_ledger`` holds), then measures, through the services:

1. ``create``: ``payouts.create_batch`` — one transaction gathering every payee;
2. ``file``: ``payouts.batch_file`` streamed to a temporary file (pages of items);
3. ``confirm (all rejected)``: ``payouts.confirm_batch`` rejecting every item, so
   the money is available again;
4. the same ``create`` and ``file`` again under ``tracemalloc``: the peak of Python
   allocations of each step (the file's must stay bounded: it is streamed);

and ends with ``check_ledger`` over the whole database (every invariant, including
the money-out ones) and an optional XSD validation of the file (``--validate``).

    .venv/bin/python benchmarks/payouts.py                          # both databases
    .venv/bin/python benchmarks/payouts.py --database sqlite --payees 1000
    .venv/bin/python benchmarks/payouts.py --validate

Results: a table on stdout and JSON in benchmarks/results/payouts-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from schwifty import IBAN
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from axokey.adapters.db import ledger_store
from axokey.adapters.db.engine import Database, make_engine, normalise_url
from axokey.adapters.db.migrations import upgrade_database
from axokey.adapters.db.tables import parties
from axokey.config import Settings
from axokey.domain import accounts
from axokey.domain.ledger import MAX_TRANSFERS_PER_BATCH, TransferKind, TransferRequest
from axokey.domain.parties import Principal, Role
from axokey.services import payouts
from axokey.services.context import ServiceContext
from axokey.services.ledger import check_ledger

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SCRATCH_DATABASE = "axokey_bench_payouts"
RESULTS = Path(__file__).parent / "results"
OPERATOR = Principal(
    role=Role.ADMIN, party=None, key_hash="benchmark", authenticated_by="command_line"
)
T = TypeVar("T")


@dataclass
class Cell:
    database: str
    payees: int
    seed_seconds: float
    create_seconds: float
    file_seconds: float
    file_bytes: int
    confirm_seconds: float
    create_peak_mib: float
    file_peak_mib: float
    ledger_violations: int
    xsd_valid: bool | None
    create_cpu_seconds: float = 0.0
    file_cpu_seconds: float = 0.0
    confirm_cpu_seconds: float = 0.0


@contextmanager
def scratch_database(kind: str, postgres_url: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{directory}/payouts.db"
            upgrade_database(url)
            yield url
        return
    base = make_url(normalise_url(postgres_url))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{SCRATCH_DATABASE}"'))
    url = base.set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
        admin.dispose()


CPU_SECONDS: dict[str, float] = {}


def timed(work: Callable[[], T], name: str = "") -> tuple[T, float]:
    """The result and the wall time; this process's CPU time goes in CPU_SECONDS
    (on a loaded machine it says what the step costs, whatever the wait)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = work()
    if name:
        CPU_SECONDS[name] = round(time.process_time() - cpu, 2)
    return result, time.perf_counter() - start


def peak_mib(work: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def seed(context: ServiceContext, count: int) -> None:
    """``count`` payable parties, each with 100.00 to 199.99 EUR available: one
    capture into an escrow, then one release per party, as real transfers."""
    now = context.now()
    amounts = [10_000 + (index * 7919) % 10_000 for index in range(count)]
    rows = [
        {
            "id": f"pty_bench{index:010d}",
            "role": "supplier",
            "name": f"Fournisseur n°{index} — Société Générale d'Épicerie",
            "email": None,
            "iban": IBAN.generate("FR", bank_code="30006", account_code=f"{index:011d}").compact,
            "bic": "AGRIFRPP",
            "street": "Rue de la République",
            "building_number": str(index % 200 + 1),
            "postcode": "69002",
            "town": "Lyon",
            "country": "FR",
            "merchant_id": None,
            "api_key_hash": f"{index:064d}",
            "api_key_prefix": "bench",
            "created_at": now,
        }
        for index in range(count)
    ]
    escrow = accounts.escrow_account("ord_bench", "EUR")
    clearing = accounts.clearing_account("sandbox", "EUR")
    payables = [accounts.payable_account(row["id"], "EUR") for row in rows]
    requests = [
        TransferRequest(
            "ord_bench:capture",
            TransferKind.SINGLE,
            sum(amounts),
            clearing.id,
            escrow.id,
            code="capture",
            order_id="ord_bench",
        )
    ] + [
        TransferRequest(
            f"ord_bench:release:{index}",
            TransferKind.SINGLE,
            amount,
            escrow.id,
            payable.id,
            code="release",
            order_id="ord_bench",
        )
        for index, (amount, payable) in enumerate(zip(amounts, payables, strict=True))
    ]

    def work(connection: Any) -> None:
        for start in range(0, count, 1000):
            connection.execute(insert(parties), rows[start : start + 1000])
        ledger_store.ensure_accounts(connection, [escrow, clearing, *payables], now)
        for start in range(0, len(requests), MAX_TRANSFERS_PER_BATCH):
            outcome = ledger_store.post_transfers(
                connection, requests[start : start + MAX_TRANSFERS_PER_BATCH], now=now
            )
            assert outcome.succeeded, outcome.first_failure()

    context.database.run(work)


def write_file(context: ServiceContext, batch_id: str, path: Path) -> int:
    _, chunks = payouts.batch_file(context, OPERATOR, batch_id)
    written = 0
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
            written += len(chunk)
    return written


def run_cell(kind: str, count: int, postgres_url: str, validate: bool) -> Cell:
    with scratch_database(kind, postgres_url) as url:
        settings = Settings(
            database_url=url,
            admin_key="axk_admin_bench_" + "k" * 40,
            signing_keys="k1:" + "s" * 43,
            operator_name="AXOKEY SAS",
            operator_iban="FR7630006000011234567890189",
            operator_bic="AGRIFRPP",
            payout_minimum_minor=1,
        )
        context = ServiceContext(database=Database(make_engine(url)), settings=settings)
        try:
            _, seed_seconds = timed(lambda: seed(context, count))
            view, create_seconds = timed(
                lambda: payouts.create_batch(context, OPERATOR, "EUR"), "create"
            )
            assert view.batch.item_count == count
            with tempfile.TemporaryDirectory() as directory:
                path = Path(directory) / "pain.xml"
                size, file_seconds = timed(lambda: write_file(context, view.batch.id, path), "file")
                valid = None
                if validate:
                    from importlib import resources

                    import xmlschema

                    schema = resources.files("sepaxml") / "schemas" / "pain.001.001.09.xsd"
                    valid = xmlschema.XMLSchema(str(schema)).is_valid(str(path))
                rejected = [(item.id, "AC04 benchmark") for item in view.items]
                _, confirm_seconds = timed(
                    lambda: payouts.confirm_batch(context, OPERATOR, view.batch.id, rejected),
                    "confirm",
                )
                again: dict[str, Any] = {}
                create_peak = peak_mib(
                    lambda: again.update(view=payouts.create_batch(context, OPERATOR, "EUR"))
                )
                file_peak = peak_mib(lambda: write_file(context, again["view"].batch.id, path))
            violations = check_ledger(context)
        finally:
            context.database.dispose()
    return Cell(
        database=kind,
        payees=count,
        seed_seconds=round(seed_seconds, 2),
        create_seconds=round(create_seconds, 2),
        file_seconds=round(file_seconds, 2),
        file_bytes=size,
        confirm_seconds=round(confirm_seconds, 2),
        create_peak_mib=round(create_peak, 1),
        file_peak_mib=round(file_peak, 1),
        ledger_violations=len(violations),
        xsd_valid=valid,
        create_cpu_seconds=CPU_SECONDS["create"],
        file_cpu_seconds=CPU_SECONDS["file"],
        confirm_cpu_seconds=CPU_SECONDS["confirm"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--payees", type=int, default=10_000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--validate", action="store_true", help="validate the file (XSD)")
    options = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if options.database == "both" else [options.database]
    cells = [
        run_cell(kind, options.payees, options.postgres_url, options.validate) for kind in kinds
    ]
    header = (
        f"{'database':<11}{'payees':>8}{'create s':>10}{'file s':>8}{'file MiB':>10}"
        f"{'confirm s':>11}{'create peak MiB':>17}{'file peak MiB':>15}{'violations':>12}"
        f"{'XSD':>7}"
    )
    print(header)
    for cell in cells:
        print(
            f"{cell.database:<11}{cell.payees:>8}{cell.create_seconds:>10}{cell.file_seconds:>8}"
            f"{cell.file_bytes / 2**20:>10.1f}{cell.confirm_seconds:>11}"
            f"{cell.create_peak_mib:>17}{cell.file_peak_mib:>15}{cell.ledger_violations:>12}"
            f"{'-' if cell.xsd_valid is None else 'valid' if cell.xsd_valid else 'INVALID':>7}"
        )
    print("this process's CPU seconds (create / file / confirm):")
    for cell in cells:
        print(
            f"  {cell.database}: {cell.create_cpu_seconds} / {cell.file_cpu_seconds} / "
            f"{cell.confirm_cpu_seconds}"
        )
    load = os.getloadavg()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; process max RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"payouts-{stamp}.json").write_text(
        json.dumps({"cells": [asdict(cell) for cell in cells], "load_average": load}, indent=2)
    )
    if any(cell.ledger_violations or cell.xsd_valid is False for cell in cells):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
