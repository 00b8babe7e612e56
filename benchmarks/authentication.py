"""Authentication per second: one API key looked up by its hash, on SQLite and PostgreSQL.

Cells (database × layer):

- ``service``: ``authenticate(context, key)`` called in a loop (the key and its party
  in one indexed read; the key's last use written at most once a minute);
- ``http``: ``GET /v1/me`` with ``Authorization: Bearer <key>`` through the whole app
  (middleware, the scope dependency, the route) with Starlette's TestClient, in process;
- ``miss``: ``authenticate`` with an unknown key (the hash is not found: 401).

It only uses what the code had before API keys moved to their own table
(``services.parties.create_party`` / ``authenticate``, ``create_app``), so the same
script measures an older checkout: ``PYTHONPATH=/path/to/old/src``.

    .venv/bin/python benchmarks/authentication.py                       # both, ~20 s
    .venv/bin/python benchmarks/authentication.py --database sqlite --seconds 5

Results: a table on stdout and JSON in benchmarks/results/authentication-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from axokey.adapters.db.engine import Database, make_engine, normalise_url
from axokey.adapters.db.migrations import upgrade_database
from axokey.config import Settings
from axokey.domain.errors import Unauthenticated
from axokey.domain.parties import Role
from axokey.services.context import ServiceContext
from axokey.services.parties import authenticate, create_party

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ADMIN_KEY = "axk_admin_bench_" + "k" * 40
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SCRATCH_DATABASE = "axokey_bench_authentication"


@contextmanager
def scratch_database(kind: str, postgres_url: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{directory}/bench.db"
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


def measure(operation: Callable[[], None], seconds: float) -> dict[str, float]:
    warm_until = time.perf_counter() + min(1.0, seconds / 3)
    while time.perf_counter() < warm_until:
        operation()
    latencies: list[float] = []
    end = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < end:
        begin = time.perf_counter()
        operation()
        latencies.append(time.perf_counter() - begin)
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "operations": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
    }


def run_cells(kind: str, url: str, seconds: float) -> list[dict[str, Any]]:
    from fastapi.testclient import TestClient

    from axokey.api.app import create_app

    settings = Settings(  # type: ignore[call-arg]
        database_url=url,
        admin_key=ADMIN_KEY,
        signing_keys="k1:" + "s" * 43,
        rate_limit_requests_per_second=1_000_000.0,
        rate_limit_burst_requests=1_000_000,
    )
    context = ServiceContext(database=Database(make_engine(url)), settings=settings)
    _party, key = create_party(context, role=Role.MERCHANT, name="Bench merchant")
    unknown = "axk_merchant_" + "u" * 43

    def service() -> None:
        authenticate(context, key)

    def miss() -> None:
        try:
            authenticate(context, unknown)
        except Unauthenticated:
            return
        raise AssertionError("an unknown key was accepted")

    cells = []
    try:
        cells.append({"database": kind, "layer": "service", **measure(service, seconds)})
        cells.append({"database": kind, "layer": "miss", **measure(miss, seconds)})
        with TestClient(create_app(context=context)) as client:
            headers = {"Authorization": f"Bearer {key}"}

            def http() -> None:
                response = client.get("/v1/me", headers=headers)
                assert response.status_code == 200, response.text

            cells.append({"database": kind, "layer": "http", **measure(http, seconds)})
    finally:
        context.database.dispose()
    return cells


def git_revision() -> str:
    try:
        import axokey

        source = Path(axokey.__file__).resolve().parent
        return subprocess.run(
            ["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    arguments = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if arguments.database == "both" else [arguments.database]
    cells: list[dict[str, Any]] = []
    for kind in kinds:
        with scratch_database(kind, arguments.postgres_url) as url:
            cells.extend(run_cells(kind, url, arguments.seconds))
    revision = git_revision()
    load = os.getloadavg()
    print(f"axokey {revision}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'database':<11}{'layer':<9}{'per second':>12}{'p50 ms':>9}{'p99 ms':>9}")
    for cell in cells:
        print(
            f"{cell['database']:<11}{cell['layer']:<9}{cell['per_second']:>12.0f}"
            f"{cell['p50_ms']:>9.3f}{cell['p99_ms']:>9.3f}"
        )
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS_DIR / f"authentication-{stamp}.json").write_text(
        json.dumps(
            {
                "revision": revision,
                "load_average": load,
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "seconds": arguments.seconds,
                "cells": cells,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
