"""Complete order lifecycles per second: create → pay → redeem, on SQLite and PostgreSQL.

One lifecycle is SPEC example B's shape: an order of 2 lines from 2 suppliers,
delivered by a courier for a fee, in deposit mode with agreements (the deposits
are paid at capture); paid with the sandbox's card 4242424242424242 (the sandbox
delivers its signed notification in-process and the payment is captured into
escrow); redeemed by the courier with line 1 handed over and line 2 missing
(``complete: true``), whose card refund goes through the sandbox.

Cells (each on a database emptied of orders first, each ending with
``check_ledger`` and a count of completed orders and succeeded refunds):

- ``service``: the services called directly, with 1 and 4 worker threads;
- ``http``: the real app under uvicorn in a subprocess (127.0.0.1), driven by
  1, 4 and 8 client threads with httpx (the app runs the routes in its threadpool);
- ``hot``: every order on one merchant, one courier and the same two suppliers;
  ``spread``: orders round-robin over many merchant/supplier/courier worlds.

Redemption latency (p50, p99) is the time of ``redeem_order`` in the service layer
and of ``POST /v1/redemptions`` over HTTP. With pgbench installed, its TPC-B TPS
(``-c 4 -j 2``) on the same PostgreSQL gives the scale.

    .venv/bin/python benchmarks/lifecycle.py                 # both databases
    .venv/bin/python benchmarks/lifecycle.py --database sqlite --seconds 10
    .venv/bin/python benchmarks/lifecycle.py --quick         # a 1 s smoke run

Results: a table on stdout and JSON in benchmarks/results/lifecycle-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.engine import make_url

from axokey.adapters.db.engine import Database, make_engine, normalise_url
from axokey.adapters.db.migrations import upgrade_database
from axokey.adapters.db.tables import metadata, orders, refunds
from axokey.adapters.providers.base import PaymentStatus
from axokey.config import Settings
from axokey.domain.catalog import ProductKind
from axokey.domain.orders import (
    Customer,
    Fulfilment,
    LineRequest,
    OrderStatus,
    PaymentMode,
)
from axokey.domain.parties import Principal, Role
from axokey.domain.redemption import Handover
from axokey.services import catalog, ordering, payments, redeeming
from axokey.services.context import ServiceContext
from axokey.services.keys import hash_api_key
from axokey.services.ledger import check_ledger
from axokey.services.parties import create_party

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
ADMIN_KEY = "axk_admin_bench_" + "k" * 40
SIGNING_KEYS = "k1:" + "b" * 43
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SCRATCH_DATABASE = "axokey_bench_lifecycle"
PGBENCH_DATABASE = "axokey_bench_pgbench"
CARD_SUCCEEDS = "4242424242424242"
SPREAD_WORLDS = 32
SPREAD_WORLDS_QUICK = 8
WARMUP_LIFECYCLES = 3
SERVICE_THREADS = (1, 4)
HTTP_CLIENTS = (1, 4, 8)
# The tables that hold the worlds (parties and catalog); every other table is
# emptied between cells.
WORLD_TABLES = frozenset({"parties", "api_keys", "products", "listings", "agreements"})
# What one lifecycle moves (SPEC example B): the total, and the refund of line 2.
ORDER_TOTAL = 13589
MISSING_LINE_REFUND = 2599


# --- settings and context -----------------------------------------------------------


def bench_settings(
    database_url: str, *, public_base_url: str = "http://127.0.0.1:8000", pool_size: int = 25
) -> Settings:
    """The tests' settings (tests/conftest.py), with the rate limits out of the way."""
    return Settings(
        database_url=database_url,
        admin_key=ADMIN_KEY,
        provider="sandbox",
        public_base_url=public_base_url,
        signing_keys=SIGNING_KEYS,
        rate_limit_requests_per_second=1_000_000.0,
        rate_limit_burst_requests=1_000_000,
        database_pool_size=pool_size,
    )


def build_context(settings: Settings, *, engine: Any = None) -> ServiceContext:
    """As tests/conftest.py's ``context`` fixture: engine, Database, context, providers."""
    from axokey.bootstrap import bootstrap

    if engine is None:
        engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
    return bootstrap(settings, database=Database(engine))


# --- worlds: the parties and catalog orders are placed against ---------------------


@dataclass(frozen=True)
class World:
    merchant: Principal
    merchant_key: str
    courier: Principal
    courier_key: str
    product_ids: tuple[str, str]

    @property
    def courier_id(self) -> str:
        assert self.courier.party_id is not None
        return self.courier.party_id


def _principal(context: ServiceContext, role: Role, name: str) -> tuple[Principal, str]:
    party, key = create_party(context, role=role, name=name, email=f"{name}@bench.example")
    return Principal(role=role, party=party, key_hash=hash_api_key(key)), key


def make_world(context: ServiceContext, label: str) -> World:
    """SPEC's cast through the services: merchant, suppliers S1 and S2, courier;
    P1 by S1 (wholesale 3500, sold 5000), P2 by S2 (2000, 2999); agreements of
    3000 and 2000 basis points, accepted."""
    merchant, merchant_key = _principal(context, Role.MERCHANT, f"merchant-{label}")
    courier, courier_key = _principal(context, Role.COURIER, f"courier-{label}")
    product_ids = []
    for sku, wholesale, retail, deposit_bps in (("P1", 3500, 5000, 3000), ("P2", 2000, 2999, 2000)):
        supplier, _ = _principal(context, Role.SUPPLIER, f"supplier-{sku}-{label}")
        product = catalog.create_product(
            context,
            supplier,
            sku=sku,
            name=f"{sku} {label}",
            kind=ProductKind.GOOD,
            currency="EUR",
            wholesale_price=wholesale,
        )
        catalog.create_listing(context, merchant, product_id=product.id, unit_price=retail)
        assert supplier.party_id is not None
        agreement = catalog.propose_agreement(
            context, merchant, supplier_id=supplier.party_id, deposit_bps=deposit_bps
        )
        catalog.accept_agreement(context, supplier, agreement.id)
        product_ids.append(product.id)
    return World(merchant, merchant_key, courier, courier_key, (product_ids[0], product_ids[1]))


# --- one lifecycle, in the service layer and over HTTP --------------------------------


class LifecycleFailed(Exception):
    pass


Phases = dict[str, float]  # phase → seconds


def _no_mark(_phase: str) -> None:
    pass


def service_lifecycle(
    context: ServiceContext, world: World, mark: Callable[[str], None] = _no_mark
) -> Phases:
    """Create, pay (checkout + the sandbox's card page), read the code, redeem.
    ``mark`` is told each phase as it starts (the profiler counts queries by phase)."""
    sandbox = context.providers["sandbox"]
    mark("create")
    started = time.perf_counter()
    view = ordering.create_order(
        context,
        world.merchant,
        ordering.NewOrder(
            currency="EUR",
            payment_mode=PaymentMode.DEPOSIT,
            fulfilment=Fulfilment.DELIVERY,
            customer=Customer("customer@example.com", "Camille"),
            lines=[
                LineRequest(world.product_ids[0], 2, None, None),
                LineRequest(world.product_ids[1], 1, None, None),
            ],
            courier_id=world.courier_id,
            delivery_fee=590,
        ),
    )
    order = view.order
    created = time.perf_counter()
    mark("pay")
    payment = payments.start_checkout(context, world.merchant, order.id, None)
    _, reference = payments.provider_reference_of(context, payment.id)
    state = sandbox.submit_card(reference, CARD_SUCCEEDS)  # type: ignore[attr-defined]
    if state.status is not PaymentStatus.SUCCEEDED:
        raise LifecycleFailed(f"payment {payment.id} is {state.status}")
    paid = time.perf_counter()
    mark("code")
    code = ordering.get_order(context, world.merchant, order.id).qr_payload
    if code is None:
        raise LifecycleFailed(f"order {order.id} has no code after payment")
    read = time.perf_counter()
    mark("redeem")
    redemption = redeeming.redeem_order(
        context,
        world.courier,
        code=code,
        handovers=[Handover(order.lines[0].id)],
        gtins=[],
        complete=True,
    )
    redeemed = time.perf_counter()
    mark("done")
    refunded = [decision.amount for decision in redemption.decision.refunds]
    if redemption.order.status is not OrderStatus.COMPLETED or refunded != [MISSING_LINE_REFUND]:
        raise LifecycleFailed(f"order {order.id}: {redemption.order.status}, refunds {refunded}")
    return {
        "create": created - started,
        "pay": paid - created,
        "code": read - paid,
        "redeem": redeemed - read,
        "total": redeemed - started,
    }


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _expect(response: Any, status: int) -> Any:
    if response.status_code != status:
        raise LifecycleFailed(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:300]}"
        )
    return response.json()


def http_lifecycle(client: Any, world: World) -> Phases:
    """The same lifecycle through the API (scenario.py's requests)."""
    merchant = _bearer(world.merchant_key)
    started = time.perf_counter()
    order = _expect(
        client.post(
            "/v1/orders",
            json={
                "currency": "EUR",
                "payment_mode": "deposit",
                "fulfilment": "delivery",
                "customer": {"email": "customer@example.com", "name": "Camille"},
                "courier_id": world.courier_id,
                "delivery_fee": 590,
                "lines": [
                    {"product_id": world.product_ids[0], "quantity": 2},
                    {"product_id": world.product_ids[1], "quantity": 1},
                ],
            },
            headers=merchant,
        ),
        201,
    )
    created = time.perf_counter()
    payment = _expect(
        client.post(f"/v1/orders/{order['id']}/checkout", json={}, headers=merchant), 201
    )
    paid_payment = _expect(
        client.post(
            f"/v1/sandbox/payments/{payment['id']}/pay", json={"card_number": CARD_SUCCEEDS}
        ),
        200,
    )
    if paid_payment["status"] != "succeeded":
        raise LifecycleFailed(f"payment {payment['id']} is {paid_payment['status']}")
    paid = time.perf_counter()
    current = _expect(client.get(f"/v1/orders/{order['id']}", headers=merchant), 200)
    if current["redemption"] is None:
        raise LifecycleFailed(f"order {order['id']} has no code after payment")
    read = time.perf_counter()
    result = _expect(
        client.post(
            "/v1/redemptions",
            json={
                "code": current["redemption"]["qr_payload"],
                "lines": [{"line_id": order["lines"][0]["id"]}],
                "complete": True,
            },
            headers=_bearer(world.courier_key),
        ),
        201,
    )
    redeemed = time.perf_counter()
    refunded = [item["amount"] for item in result["refunded"]]
    if result["order_status"] != "completed" or refunded != [MISSING_LINE_REFUND]:
        raise LifecycleFailed(f"order {order['id']}: {result['order_status']}, {refunded}")
    return {
        "create": created - started,
        "pay": paid - created,
        "code": read - paid,
        "redeem": redeemed - read,
        "total": redeemed - started,
    }


# --- driving a cell ------------------------------------------------------------------


@dataclass
class Run:
    samples: list[Phases] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    cpu_busy_fraction: float | None = None  # the whole machine, over the run
    process_cpu_seconds: float = 0.0  # this process (the service layer, or the clients)
    load_average: float | None = None  # 1-minute load average before the run


def proc_cpu_seconds(pid: int) -> float | None:
    """user + system CPU time of a process so far (Linux /proc; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of the whole machine, from /proc/stat (Linux)."""
    try:
        with open("/proc/stat") as stat:
            values = [int(value) for value in stat.readline().split()[1:]]
    except OSError:
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


def drive(
    threads: int,
    seconds: float,
    worlds: list[World],
    lifecycle: Callable[[Any, World], Phases],
    session: Callable[[], Any],
    close_session: Callable[[Any], None] = lambda _session: None,
) -> Run:
    """``threads`` workers run lifecycles back to back for ``seconds`` (a lifecycle
    in flight at the deadline is finished and counted); worlds are taken in turn."""
    run = Run()
    lock = threading.Lock()
    turn = itertools.count()
    ready = threading.Barrier(threads + 1)
    deadline = [0.0]

    def worker() -> None:
        handle = session()
        try:
            ready.wait()
            while time.perf_counter() < deadline[0]:
                world = worlds[next(turn) % len(worlds)]
                try:
                    phases = lifecycle(handle, world)
                except Exception as error:
                    with lock:
                        run.errors.append(f"{type(error).__name__}: {error}"[:500])
                    continue
                with lock:
                    run.samples.append(phases)
        finally:
            close_session(handle)

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in workers:
        thread.start()
    run.load_average = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    cpu_before = _cpu_times()
    process_before = time.process_time()
    started = time.perf_counter()
    deadline[0] = started + seconds
    ready.wait()
    for thread in workers:
        thread.join()
    run.elapsed = time.perf_counter() - started
    run.process_cpu_seconds = time.process_time() - process_before
    cpu_after = _cpu_times()
    if cpu_before and cpu_after and cpu_after[1] > cpu_before[1]:
        run.cpu_busy_fraction = (cpu_after[0] - cpu_before[0]) / (cpu_after[1] - cpu_before[1])
    return run


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


# --- databases -------------------------------------------------------------------------


class Scratch:
    """A migrated scratch database, its worlds, and a reset between cells."""

    name: str
    url: str
    hot: list[World]
    spread: list[World]

    def setup_worlds(self, spread_count: int) -> float:
        started = time.perf_counter()
        context = build_context(bench_settings(self.url))
        try:
            self.hot = [make_world(context, "hot")]
            self.spread = [make_world(context, f"w{index}") for index in range(spread_count)]
        finally:
            context.database.dispose()
        return time.perf_counter() - started

    def reset(self) -> None:
        """Empty every table but the worlds' (orders, payments, ledger, events...)."""
        engine = create_engine(self.url)
        try:
            with engine.begin() as connection:
                self._empty(
                    connection, [t for t in metadata.sorted_tables if t.name not in WORLD_TABLES]
                )
        finally:
            engine.dispose()

    def _empty(self, connection: Any, tables: list[Any]) -> None:
        for table in reversed(tables):
            connection.execute(delete(table))

    def close(self) -> None:
        pass

    def describe(self) -> dict[str, Any]:
        return {}

    def backend_cpu(self) -> dict[int, float]:
        """CPU seconds so far of each server process serving this database (PostgreSQL)."""
        return {}


class SqliteScratch(Scratch):
    name = "sqlite"

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="axokey-bench-"))
        self.path = self.directory / "lifecycle.db"
        self.url = f"sqlite:///{self.path}"
        upgrade_database(self.url)

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def describe(self) -> dict[str, Any]:
        return {
            "sqlite_version": sqlite3.sqlite_version,
            "file": "temporary file (WAL, synchronous=NORMAL: make_engine's pragmas)",
        }


class PostgresScratch(Scratch):
    name = "postgresql"

    def __init__(self, base_url: str) -> None:
        self.base = make_url(normalise_url(base_url))
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{SCRATCH_DATABASE}"'))
        self.url = self.base.set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)
        upgrade_database(self.url)

    def _empty(self, connection: Any, tables: list[Any]) -> None:
        # No CASCADE: a world table that referenced one of these would make this fail
        # rather than silently empty it.
        names = ", ".join(f'"{table.name}"' for table in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))

    def backend_cpu(self) -> dict[int, float]:
        with self.admin.connect() as connection:
            pids = connection.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                {"name": SCRATCH_DATABASE},
            ).scalars()
            seconds = {pid: proc_cpu_seconds(pid) for pid in pids}
        return {pid: value for pid, value in seconds.items() if value is not None}

    def close(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
        self.admin.dispose()

    def describe(self) -> dict[str, Any]:
        with self.admin.connect() as connection:
            info: dict[str, Any] = {
                "version": connection.execute(text("SHOW server_version")).scalar()
            }
            for setting in ("fsync", "synchronous_commit", "wal_sync_method", "shared_buffers"):
                info[setting] = connection.execute(text(f"SHOW {setting}")).scalar()
        info["url"] = self.base.set(database=SCRATCH_DATABASE).render_as_string(hide_password=True)
        return info


# --- the HTTP server -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(database_url: str, port: int) -> None:
    """The subprocess: the real app (create_app) under uvicorn, without the
    background sweep of ``axokey serve`` and without access logs."""
    import uvicorn

    from axokey.api.app import create_app

    settings = bench_settings(database_url, public_base_url=f"http://127.0.0.1:{port}")
    app = create_app(context=build_context(settings))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


class Server:
    def __init__(self, database_url: str) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", database_url, "--port", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=BENCH_DIR.parent,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        import httpx

        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.output()}")
            try:
                httpx.get(f"{self.base_url}/openapi.json", timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"the server did not start in {timeout} s:\n{self.output()}")

    def cpu_seconds(self) -> float | None:
        return proc_cpu_seconds(self.process.pid)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- cells -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CellSpec:
    layer: str  # service | http
    accounts: str  # hot | spread
    threads: int


def cell_specs() -> list[CellSpec]:
    specs = [
        CellSpec("service", accounts, threads)
        for accounts in ("hot", "spread")
        for threads in SERVICE_THREADS
    ]
    specs += [
        CellSpec("http", accounts, threads)
        for accounts in ("hot", "spread")
        for threads in HTTP_CLIENTS
    ]
    return specs


def _verify(context: ServiceContext, lifecycles: int) -> dict[str, Any]:
    """The ledger's invariants, and the database's own count of what was done."""
    started = time.perf_counter()
    violations = check_ledger(context)
    with context.database.read() as connection:
        by_status: dict[str, int] = dict(
            connection.execute(
                select(orders.c.status, func.count()).group_by(orders.c.status)
            ).all()
        )
        refund_status: dict[str, int] = dict(
            connection.execute(
                select(refunds.c.status, func.count()).group_by(refunds.c.status)
            ).all()
        )
    completed = int(by_status.get(OrderStatus.COMPLETED.value, 0))
    succeeded = int(refund_status.get("succeeded", 0))
    return {
        "ledger_clean": not violations,
        "ledger_violations": [str(violation) for violation in violations[:10]],
        "ledger_violation_count": len(violations),
        "orders_by_status": by_status,
        "refunds_by_status": refund_status,
        "counts_match": completed == lifecycles and succeeded == lifecycles,
        "check_seconds": round(time.perf_counter() - started, 3),
    }


def run_cell(scratch: Scratch, spec: CellSpec, seconds: float) -> dict[str, Any]:
    import httpx

    scratch.reset()
    worlds = scratch.hot if spec.accounts == "hot" else scratch.spread
    settings = bench_settings(scratch.url)
    server_cpu: float | None = None
    if spec.layer == "service":
        context = build_context(settings)
        try:
            for index in range(WARMUP_LIFECYCLES):
                service_lifecycle(context, worlds[index % len(worlds)])
            database_before = scratch.backend_cpu()
            run = drive(spec.threads, seconds, worlds, service_lifecycle, lambda: context)
            database_after = scratch.backend_cpu()
            verified = _verify(context, WARMUP_LIFECYCLES + len(run.samples))
        finally:
            context.database.dispose()
    else:
        server = Server(scratch.url)
        try:
            server.wait_ready()

            def session() -> httpx.Client:
                return httpx.Client(base_url=server.base_url, timeout=60.0)

            with session() as client:
                for index in range(WARMUP_LIFECYCLES):
                    http_lifecycle(client, worlds[index % len(worlds)])
            cpu_before = server.cpu_seconds()
            database_before = scratch.backend_cpu()
            run = drive(
                spec.threads,
                seconds,
                worlds,
                http_lifecycle,
                session,
                lambda client: client.close(),
            )
            cpu_after = server.cpu_seconds()
            database_after = scratch.backend_cpu()
            if cpu_before is not None and cpu_after is not None:
                server_cpu = cpu_after - cpu_before
        finally:
            server.stop()
        context = build_context(settings)
        try:
            verified = _verify(context, WARMUP_LIFECYCLES + len(run.samples))
        finally:
            context.database.dispose()
    database_cpu = sum(
        after - database_before.get(pid, 0.0) for pid, after in database_after.items()
    )
    totals = [sample["total"] for sample in run.samples]
    redeems = [sample["redeem"] for sample in run.samples]
    count = len(run.samples)
    return {
        "database": scratch.name,
        "layer": spec.layer,
        "accounts": spec.accounts,
        "threads": spec.threads,
        "worlds": len(worlds),
        "lifecycles": count,
        "errors": len(run.errors),
        "first_errors": run.errors[:3],
        "elapsed_s": round(run.elapsed, 3),
        "lifecycles_per_s": round(count / run.elapsed, 2) if run.elapsed else 0.0,
        "lifecycle_ms": {"p50": _ms(percentile(totals, 0.5)), "p99": _ms(percentile(totals, 0.99))},
        "redeem_ms": {"p50": _ms(percentile(redeems, 0.5)), "p99": _ms(percentile(redeems, 0.99))},
        "phase_p50_ms": {
            phase: _ms(percentile([sample[phase] for sample in run.samples], 0.5))
            for phase in ("create", "pay", "code", "redeem")
        },
        "machine_cpu_busy": None
        if run.cpu_busy_fraction is None
        else round(run.cpu_busy_fraction, 3),
        "process_cpu_ms_per_lifecycle": round(run.process_cpu_seconds * 1000 / count, 2)
        if count
        else None,
        "database_server_cpu_ms_per_lifecycle": round(database_cpu * 1000 / count, 2)
        if database_after and count
        else None,
        "load_average_before": run.load_average,
        "server_cpu_ms_per_lifecycle": round(server_cpu * 1000 / count, 2)
        if server_cpu is not None and count
        else None,
        **verified,
    }


# --- pgbench ---------------------------------------------------------------------------


def run_pgbench(base_url: str, seconds: int) -> dict[str, Any] | None:
    """TPC-B (pgbench's default script) on a scratch database of the same server."""
    if shutil.which("pgbench") is None:
        return None
    url = make_url(normalise_url(base_url))
    connection_args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    connection_args += ["-U", url.username or "postgres"]
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{PGBENCH_DATABASE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{PGBENCH_DATABASE}"'))
        subprocess.run(
            ["pgbench", *connection_args, "-i", "-s", "1", "-q", PGBENCH_DATABASE],
            check=True,
            capture_output=True,
            env=environment,
        )
        command = ["pgbench", *connection_args, "-c", "4", "-j", "2", "-T", str(seconds)]
        finished = subprocess.run(
            [*command, PGBENCH_DATABASE],
            check=True,
            capture_output=True,
            text=True,
            env=environment,
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{PGBENCH_DATABASE}" WITH (FORCE)'))
        admin.dispose()
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", finished.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", finished.stdout)
    return {
        "command": " ".join([*command, PGBENCH_DATABASE]),
        "scale": 1,
        "tps": float(tps.group(1)) if tps else None,
        "latency_average_ms": float(latency.group(1)) if latency else None,
    }


# --- report ----------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def print_tables(cells: list[dict[str, Any]], pgbench: dict[str, Any] | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    table = Table(title="Complete lifecycles (create → pay → redeem with one line missing)")
    for column in (
        "database",
        "layer",
        "accounts",
        "threads",
        "lifecycles",
        "lifecycles/s",
        "lifecycle p50 ms",
        "redeem p50 ms",
        "redeem p99 ms",
        "errors",
        "CPU busy",
        "ledger",
    ):
        table.add_column(
            column,
            justify="left" if column in ("database", "layer", "accounts", "ledger") else "right",
        )
    for cell in cells:
        ledger = (
            "[green]clean[/green]"
            if cell["ledger_clean"]
            else f"[red]{cell['ledger_violation_count']} violations[/red]"
        )
        if not cell["counts_match"]:
            ledger += " [red](counts differ)[/red]"
        table.add_row(
            cell["database"],
            cell["layer"],
            cell["accounts"],
            str(cell["threads"]),
            str(cell["lifecycles"]),
            _fmt(cell["lifecycles_per_s"]),
            _fmt(cell["lifecycle_ms"]["p50"]),
            _fmt(cell["redeem_ms"]["p50"]),
            _fmt(cell["redeem_ms"]["p99"]),
            str(cell["errors"]),
            "–" if cell["machine_cpu_busy"] is None else f"{cell['machine_cpu_busy']:.0%}",
            ledger,
        )
    console.print(table)
    phases = Table(title="Phase medians (ms)")
    for column in (
        "database",
        "layer",
        "accounts",
        "threads",
        "create",
        "pay",
        "code",
        "redeem",
        "bench CPU ms/lc",
        "app server CPU ms/lc",
        "PostgreSQL CPU ms/lc",
        "load avg",
    ):
        phases.add_column(
            column, justify="left" if column in ("database", "layer", "accounts") else "right"
        )
    for cell in cells:
        phase = cell["phase_p50_ms"]
        phases.add_row(
            cell["database"],
            cell["layer"],
            cell["accounts"],
            str(cell["threads"]),
            *(_fmt(phase[name]) for name in ("create", "pay", "code", "redeem")),
            _fmt(cell["process_cpu_ms_per_lifecycle"]),
            _fmt(cell["server_cpu_ms_per_lifecycle"]),
            _fmt(cell["database_server_cpu_ms_per_lifecycle"]),
            _fmt(cell["load_average_before"]),
        )
    console.print(phases)
    for cell in cells:
        for error in cell["first_errors"]:
            where = f"{cell['database']}/{cell['layer']}/{cell['accounts']}/{cell['threads']}"
            console.print(f"[red]{where}:[/red] {error}")
    if pgbench is not None:
        console.print(
            f"pgbench TPC-B on the same PostgreSQL: [bold]{_fmt(pgbench['tps'])} TPS[/bold] "
            f"(latency average {_fmt(pgbench['latency_average_ms'], 2)} ms; {pgbench['command']})"
        )


def _git_revision() -> dict[str, Any]:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=BENCH_DIR, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            cwd=BENCH_DIR,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {}
    return {"commit": head, "modified_files": bool(dirty)}


@contextmanager
def scratch_database(name: str, postgres_url: str) -> Iterator[Scratch]:
    scratch: Scratch = SqliteScratch() if name == "sqlite" else PostgresScratch(postgres_url)
    try:
        yield scratch
    finally:
        scratch.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per cell")
    parser.add_argument("--quick", action="store_true", help="1 s cells, 8 worlds, pgbench 2 s")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="server (any db)")
    parser.add_argument("--no-pgbench", action="store_true")
    parser.add_argument("--layer", choices=("service", "http", "both"), default="both")
    parser.add_argument("--serve", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=8000, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port)
        return 0

    seconds = 1.0 if args.quick else args.seconds
    spread_count = SPREAD_WORLDS_QUICK if args.quick else SPREAD_WORLDS
    pgbench_seconds = 2 if args.quick else 10
    names = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    specs = [s for s in cell_specs() if args.layer in ("both", s.layer)]
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "seconds_per_cell": seconds,
        "warmup_lifecycles_per_cell": WARMUP_LIFECYCLES,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            **_git_revision(),
        },
        "databases": {},
        "cells": [],
        "pgbench": None,
    }
    run_started = time.perf_counter()
    for name in names:
        with scratch_database(name, args.postgres_url) as scratch:
            setup = scratch.setup_worlds(spread_count)
            report["databases"][name] = {**scratch.describe(), "world_setup_s": round(setup, 2)}
            print(f"{name}: {1 + spread_count} worlds set up in {setup:.1f} s", flush=True)
            for spec in specs:
                cell = run_cell(scratch, spec, seconds)
                report["cells"].append(cell)
                redeem = cell["redeem_ms"]
                print(
                    f"  {spec.layer:7} {spec.accounts:6} x{spec.threads}: "
                    f"{cell['lifecycles_per_s']:7.1f}/s  redeem p50 {_fmt(redeem['p50'])}"
                    f" p99 {_fmt(redeem['p99'])} ms  errors {cell['errors']}  "
                    f"ledger {'clean' if cell['ledger_clean'] else 'VIOLATIONS'}"
                    f"{'' if cell['counts_match'] else ' (counts differ)'}",
                    flush=True,
                )
        if name == "postgresql" and not args.no_pgbench:
            report["pgbench"] = run_pgbench(args.postgres_url, pgbench_seconds)
    report["total_seconds"] = round(time.perf_counter() - run_started, 1)
    print_tables(report["cells"], report["pgbench"])
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"lifecycle-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"total {report['total_seconds']} s; results: {path}")
    failed = any(
        not cell["ledger_clean"] or not cell["counts_match"] or cell["errors"]
        for cell in report["cells"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
