"""The crash suite: kill ``axokey serve`` with SIGKILL under load, and prove that no
money is lost.

For each database (a scratch SQLite file, a scratch PostgreSQL database):

1. start the real ``axokey serve`` (uvicorn, a subprocess on 127.0.0.1) with the
   sandbox provider, a short reconciliation age and a fast in-process sweep;
2. set up parties, products and agreements over HTTP;
3. run ``--workers`` client threads of full lifecycles over HTTP — create an
   order (with an ``Idempotency-Key``), check out, pay with the sandbox's card,
   redeem with one line missing (``complete: true``) — recording every operation
   the server acknowledged (a 2xx answer);
4. meanwhile, ``--kills`` times at a random moment, SIGKILL the server and start it
   again (a lifecycle cut by a kill is abandoned: its order and payment stay as the
   crash left them);
5. stop the clients, start the server once more (``serve`` reconciles at start),
   stop it, run ``axokey sweep`` (reconciliation included) a few times;
6. check: every acknowledged operation is in the database; ``axokey ledger check``
   is clean; every payment the sandbox took is captured into an escrow or
   refunded whole (charged-but-unescrowed = 0) and the cents agree (drift = 0);
   the sandbox owes no notification and none is left unprocessed.

Bounded: at most ``--operations`` acknowledged operations (it stops once it has
them and has killed ``--kills`` times), at most ``--max-seconds`` per database,
loopback only. It exits 1 when a check fails.

    .venv/bin/python benchmarks/crash_suite.py                          # both, short
    .venv/bin/python benchmarks/crash_suite.py --kills 6 --operations 2500
    .venv/bin/python benchmarks/crash_suite.py --database sqlite --kills 2 --operations 200

Results: a summary on stdout and JSON in benchmarks/results/crash-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from axokey.adapters.db.engine import normalise_url
from axokey.adapters.db.tables import (
    ledger_transfers,
    orders,
    payments,
    provider_notifications,
    redemptions,
    refunds,
    sandbox_notifications,
    sandbox_payments,
    sandbox_refunds,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ADMIN_KEY = "axk_admin_crash_" + "c" * 40
SIGNING_KEYS = "k1:" + "crash-suite-signing-key-".ljust(43, "x")
CARD_SUCCEEDS = "4242424242424242"
RECONCILE_AFTER_SECONDS = 2
REQUEST_TIMEOUT_SECONDS = 20.0


@dataclass
class Acknowledged:
    """Operations the server answered 2xx to: they must survive any crash."""

    orders: set[str] = field(default_factory=set)
    payments: set[str] = field(default_factory=set)
    succeeded_payments: set[str] = field(default_factory=set)  # pay answered "succeeded"
    redeemed_orders: set[str] = field(default_factory=set)
    operations: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return self.operations


@dataclass
class Result:
    database: str
    kills: int = 0
    starts: int = 0
    operations_acknowledged: int = 0
    lifecycles_completed: int = 0
    lifecycles_cut: int = 0
    seconds: float = 0.0
    sweeps: int = 0
    missing_acknowledged: dict[str, int] = field(default_factory=dict)
    ledger_check_exit: int | None = None
    ledger_check_output: str = ""
    provider_succeeded_payments: int = 0
    charged_but_unescrowed: int = 0
    drift_cents: int = 0
    refund_drift_cents: int = 0
    sandbox_notifications_pending: int = 0
    notifications_unprocessed: int = 0
    payments_still_open: int = 0
    card_refunds_unfinished: int = 0
    # Evidence that the kills hit the windows reconciliation closes:
    sandbox_notifications_redelivered: int = 0  # the outbox delivered them more than once
    notifications_reclaimed: int = 0  # claimed again after their worker died or failed
    refunds_resent: int = 0  # card refunds claimed more than once
    load_average: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


# --- the server ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _axokey_command() -> list[str]:
    script = Path(sys.executable).parent / "axokey"
    return [str(script)] if script.exists() else [sys.executable, "-m", "axokey.cli"]


class Server:
    """``axokey serve`` in a subprocess, killed and started again at will."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.environment = {
            **os.environ,
            "AXOKEY_DATABASE_URL": database_url,
            "AXOKEY_ADMIN_KEY": ADMIN_KEY,
            "AXOKEY_SIGNING_KEYS": SIGNING_KEYS,
            "AXOKEY_PROVIDER": "sandbox",
            "AXOKEY_PUBLIC_BASE_URL": self.base_url,
            "AXOKEY_PAYMENT_RECONCILE_AFTER_SECONDS": str(RECONCILE_AFTER_SECONDS),
            "AXOKEY_SWEEP_INTERVAL_SECONDS": "2",
            "AXOKEY_REFUND_SENDING_LEASE_SECONDS": str(RECONCILE_AFTER_SECONDS),
            "AXOKEY_RATE_LIMIT_REQUESTS_PER_SECOND": "100000",
            "AXOKEY_RATE_LIMIT_BURST_REQUESTS": "100000",
        }
        self.log_path = workdir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 60.0) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [*_axokey_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        log.close()
        self.starts += 1
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"axokey serve exited:\n{self.output()}")
            try:
                httpx.get(f"{self.base_url}/openapi.json", timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"axokey serve did not start in {timeout} s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no goodbye."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def cli(self, *arguments: str, timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*_axokey_command(), *arguments],
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            check=False,
        )


# --- the clients -----------------------------------------------------------------------


class Cut(Exception):
    """The server went away mid-lifecycle (killed) or answered unexpectedly."""


@dataclass
class Cast:
    merchant_key: str
    courier_key: str
    courier_id: str
    product_ids: list[str]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _expect(response: httpx.Response, status: int) -> Any:
    if response.status_code != status:
        raise Cut(f"{response.request.method} {response.request.url.path}: {response.status_code}")
    return response.json()


def set_up(base_url: str) -> Cast:
    """Parties, products, listings and agreements, through the API (before any kill)."""
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        admin = _bearer(ADMIN_KEY)

        def party(role: str, name: str) -> dict[str, Any]:
            body = {"role": role, "name": name}
            return dict(_expect(client.post("/v1/parties", json=body, headers=admin), 201))

        merchant = party("merchant", "Crash merchant")
        courier = party("courier", "Crash courier")
        product_ids = []
        for index, (wholesale, retail) in enumerate(((3500, 5000), (2000, 2999))):
            supplier = party("supplier", f"Crash supplier {index + 1}")
            product = _expect(
                client.post(
                    "/v1/products",
                    json={
                        "sku": f"CRASH-{index}",
                        "name": f"Crash product {index}",
                        "kind": "good",
                        "currency": "EUR",
                        "wholesale_price": wholesale,
                    },
                    headers=_bearer(supplier["api_key"]),
                ),
                201,
            )
            _expect(
                client.post(
                    "/v1/listings",
                    json={"product_id": product["id"], "unit_price": retail},
                    headers=_bearer(merchant["api_key"]),
                ),
                201,
            )
            agreement = _expect(
                client.post(
                    "/v1/agreements",
                    json={"supplier_id": supplier["id"], "deposit_bps": 3000 - 1000 * index},
                    headers=_bearer(merchant["api_key"]),
                ),
                201,
            )
            _expect(
                client.post(
                    f"/v1/agreements/{agreement['id']}/accept",
                    headers=_bearer(supplier["api_key"]),
                ),
                200,
            )
            product_ids.append(product["id"])
    return Cast(merchant["api_key"], courier["api_key"], courier["id"], product_ids)


def lifecycle(client: httpx.Client, cast: Cast, acknowledged: Acknowledged) -> None:
    """create → checkout → pay → read the code → redeem with line 2 missing."""
    merchant = _bearer(cast.merchant_key)

    def acknowledge(kind: str, identifier: str) -> None:
        with acknowledged.lock:
            getattr(acknowledged, kind).add(identifier)
            acknowledged.operations += 1

    order = _expect(
        client.post(
            "/v1/orders",
            json={
                "currency": "EUR",
                "payment_mode": "deposit",
                "fulfilment": "delivery",
                "customer": {"email": "customer@example.com", "name": "Camille"},
                "courier_id": cast.courier_id,
                "delivery_fee": 590,
                "lines": [
                    {"product_id": cast.product_ids[0], "quantity": 2},
                    {"product_id": cast.product_ids[1], "quantity": 1},
                ],
            },
            headers={**merchant, "Idempotency-Key": str(uuid.uuid4())},
        ),
        201,
    )
    acknowledge("orders", order["id"])
    payment = _expect(
        client.post(f"/v1/orders/{order['id']}/checkout", json={}, headers=merchant), 201
    )
    acknowledge("payments", payment["id"])
    paid = _expect(
        client.post(
            f"/v1/sandbox/payments/{payment['id']}/pay", json={"card_number": CARD_SUCCEEDS}
        ),
        200,
    )
    if paid["status"] != "succeeded":
        raise Cut(f"payment {payment['id']} answered {paid['status']}")
    acknowledge("succeeded_payments", payment["id"])
    current = _expect(client.get(f"/v1/orders/{order['id']}", headers=merchant), 200)
    if current["redemption"] is None:
        raise Cut(f"order {order['id']} has no code")
    with acknowledged.lock:
        acknowledged.operations += 1
    _expect(
        client.post(
            "/v1/redemptions",
            json={
                "code": current["redemption"]["qr_payload"],
                "lines": [{"line_id": order["lines"][0]["id"]}],
                "complete": True,
            },
            headers=_bearer(cast.courier_key),
        ),
        201,
    )
    acknowledge("redeemed_orders", order["id"])


# --- one database ----------------------------------------------------------------------


def run(
    database_url: str,
    *,
    label: str,
    kills: int,
    operations: int,
    workers: int,
    max_seconds: float,
    seed: int,
    sweeps: int = 3,
) -> Result:
    """The whole suite on one (migrated or empty) database."""
    randomness = random.Random(seed)
    result = Result(database=label, load_average=list(os.getloadavg()))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="axokey-crash-") as workdir:
        server = Server(database_url, Path(workdir))
        server.start()
        cast = set_up(server.base_url)
        acknowledged = Acknowledged()
        up = threading.Event()
        up.set()
        stopping = threading.Event()
        counts: dict[str, int] = defaultdict(int)
        counts_lock = threading.Lock()

        def client_loop() -> None:
            with httpx.Client(base_url=server.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
                while not stopping.is_set():
                    up.wait()
                    try:
                        lifecycle(client, cast, acknowledged)
                        outcome = "completed"
                    except (Cut, httpx.HTTPError):
                        outcome = "cut"
                        time.sleep(0.05)
                    with counts_lock:
                        counts[outcome] += 1

        threads = [
            threading.Thread(target=client_loop, name=f"crash-client-{index}", daemon=True)
            for index in range(workers)
        ]
        for thread in threads:
            thread.start()
        deadline = started + max_seconds
        try:
            while time.monotonic() < deadline:
                if result.kills >= kills and acknowledged.count() >= operations:
                    break
                if result.kills < kills:
                    # A random moment, spread so the kills fall across the run.
                    remaining = max(operations - acknowledged.count(), 0)
                    spread = remaining / max(kills - result.kills, 1)
                    target = acknowledged.count() + randomness.uniform(0.3, 1.0) * spread
                    while acknowledged.count() < target and time.monotonic() < deadline:
                        time.sleep(0.01)
                    time.sleep(randomness.uniform(0.0, 0.3))
                    up.clear()
                    server.kill()
                    result.kills += 1
                    time.sleep(randomness.uniform(0.0, 0.5))
                    server.start()
                    up.set()
                else:
                    time.sleep(0.05)
        finally:
            stopping.set()
            up.set()
            for thread in threads:
                thread.join(timeout=REQUEST_TIMEOUT_SECONDS + 5)
        if time.monotonic() >= deadline:
            result.failures.append(
                f"time limit of {max_seconds} s reached with {result.kills} kill(s) and "
                f"{acknowledged.count()} operation(s)"
            )
        # One more start: ``serve`` reconciles what the last kill left, at once.
        server.kill()
        server.start()
        time.sleep(1.0)
        server.stop()
        time.sleep(RECONCILE_AFTER_SECONDS + 0.5)  # every open payment is due now
        for _ in range(sweeps):
            swept = server.cli("sweep")
            result.sweeps += 1
            if swept.returncode != 0:
                result.failures.append(f"axokey sweep exited {swept.returncode}: {swept.stderr}")
            time.sleep(RECONCILE_AFTER_SECONDS + 0.5)
        checked = server.cli("ledger", "check")
        result.ledger_check_exit = checked.returncode
        result.ledger_check_output = (checked.stdout + checked.stderr)[-2000:]
        if checked.returncode != 0:
            result.failures.append("axokey ledger check is not clean")
        result.starts = server.starts
    result.operations_acknowledged = acknowledged.count()
    result.lifecycles_completed = counts["completed"]
    result.lifecycles_cut = counts["cut"]
    verify(database_url, acknowledged, result)
    result.seconds = round(time.monotonic() - started, 1)
    return result


def verify(database_url: str, acknowledged: Acknowledged, result: Result) -> None:
    """What the database says after the crashes, the restarts and the sweeps."""
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as connection:
            order_ids = set(connection.execute(select(orders.c.id)).scalars())
            payment_rows = {row.id: row for row in connection.execute(select(payments))}
            redeemed = set(connection.execute(select(redemptions.c.order_id)).scalars())
            transfers = {
                row.id: row
                for row in connection.execute(
                    select(ledger_transfers.c.id, ledger_transfers.c.amount)
                )
            }
            provider_rows = list(connection.execute(select(sandbox_payments)))
            provider_refunded = connection.execute(
                select(func.coalesce(func.sum(sandbox_refunds.c.amount), 0)).where(
                    sandbox_refunds.c.status == "succeeded"
                )
            ).scalar_one()
            our_refunded = connection.execute(
                select(func.coalesce(func.sum(refunds.c.amount), 0)).where(
                    refunds.c.status == "succeeded", refunds.c.method == "card"
                )
            ).scalar_one()
            result.sandbox_notifications_pending = connection.execute(
                select(func.count())
                .select_from(sandbox_notifications)
                .where(sandbox_notifications.c.status == "pending")
            ).scalar_one()
            result.notifications_unprocessed = connection.execute(
                select(func.count())
                .select_from(provider_notifications)
                .where(provider_notifications.c.status.in_(["received", "processing"]))
            ).scalar_one()
            result.sandbox_notifications_redelivered = connection.execute(
                select(func.count())
                .select_from(sandbox_notifications)
                .where(sandbox_notifications.c.attempts > 1)
            ).scalar_one()
            result.notifications_reclaimed = connection.execute(
                select(func.count())
                .select_from(provider_notifications)
                .where(provider_notifications.c.attempts > 1)
            ).scalar_one()
            result.refunds_resent = connection.execute(
                select(func.count()).select_from(refunds).where(refunds.c.attempts > 1)
            ).scalar_one()
            result.card_refunds_unfinished = connection.execute(
                select(func.count())
                .select_from(refunds)
                .where(refunds.c.method == "card", refunds.c.status.in_(["pending", "sending"]))
            ).scalar_one()
    finally:
        engine.dispose()

    missing = {
        "orders": len(acknowledged.orders - order_ids),
        "payments": len(acknowledged.payments - set(payment_rows)),
        "succeeded_payments": sum(
            1
            for payment_id in acknowledged.succeeded_payments
            if payment_id not in payment_rows or payment_rows[payment_id].status != "succeeded"
        ),
        "redemptions": len(acknowledged.redeemed_orders - redeemed),
    }
    result.missing_acknowledged = missing
    if any(missing.values()):
        result.failures.append(f"acknowledged operations missing: {missing}")

    # Every payment the provider took is in exactly one capture (the order's, or
    # its own when refused whole) or refunded whole in another currency.
    taken_by_order: dict[str, list[Any]] = defaultdict(list)
    for row in provider_rows:
        if row.status == "succeeded":
            payment = payment_rows.get(row.merchant_reference)
            if payment is None:
                result.failures.append(f"the sandbox took {row.reference} for no payment of ours")
                continue
            taken_by_order[payment.order_id].append((payment, row))
    unescrowed = drift = 0
    for order_id, taken in taken_by_order.items():
        # The order's capture, or a payment's own (refused whole: paid twice, too
        # late, another amount or currency).
        entries = [f"{order_id}:capture"] + [f"{payment.id}:capture" for payment, _ in taken]
        recorded = [transfers[entry] for entry in entries if entry in transfers]
        unescrowed += max(len(taken) - len(recorded), 0)
        drift += sum(row.amount for _, row in taken) - sum(entry.amount for entry in recorded)
    result.provider_succeeded_payments = sum(len(taken) for taken in taken_by_order.values())
    result.charged_but_unescrowed = unescrowed
    result.drift_cents = drift
    result.refund_drift_cents = int(provider_refunded) - int(our_refunded)
    result.payments_still_open = sum(
        1
        for row in payment_rows.values()
        if row.status in ("requires_payment_method", "requires_action", "processing")
    )
    if unescrowed:
        result.failures.append(f"{unescrowed} payment(s) charged but not in escrow")
    if drift:
        result.failures.append(f"{drift} cent(s) of drift between the provider and the ledger")
    if result.refund_drift_cents:
        result.failures.append(f"{result.refund_drift_cents} cent(s) of card refund drift")
    if result.sandbox_notifications_pending:
        result.failures.append(
            f"{result.sandbox_notifications_pending} notification(s) undelivered"
        )
    if result.notifications_unprocessed:
        result.failures.append(f"{result.notifications_unprocessed} notification(s) unprocessed")
    if result.card_refunds_unfinished:
        result.failures.append(f"{result.card_refunds_unfinished} card refund(s) not sent")


# --- scratch databases -----------------------------------------------------------------


def scratch_postgres(server_url: str, name: str) -> str:
    base = make_url(normalise_url(server_url))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_postgres(server_url: str, name: str) -> None:
    admin = create_engine(make_url(normalise_url(server_url)), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--operations", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    arguments = parser.parse_args()
    if arguments.kills > 50 or arguments.workers > 32 or arguments.operations > 100_000:
        parser.error("bounded: at most 50 kills, 32 workers and 100,000 operations")
    databases = ["sqlite", "postgresql"] if arguments.database == "both" else [arguments.database]
    results = []
    for database in databases:
        with tempfile.TemporaryDirectory(prefix="axokey-crash-db-") as directory:
            name = f"axokey_crash_{os.getpid()}"
            if database == "sqlite":
                url = f"sqlite:///{Path(directory) / 'crash.db'}"
            else:
                url = scratch_postgres(arguments.postgres_url, name)
            try:
                result = run(
                    url,
                    label=database,
                    kills=arguments.kills,
                    operations=arguments.operations,
                    workers=arguments.workers,
                    max_seconds=arguments.max_seconds,
                    seed=arguments.seed,
                )
            finally:
                if database == "postgresql":
                    drop_postgres(arguments.postgres_url, name)
        results.append(result)
        print(summary(result, arguments.seed))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"crash-{stamp}.json"
    path.write_text(
        json.dumps(
            {"seed": arguments.seed, "results": [asdict(result) for result in results]},
            indent=2,
            default=str,
        )
    )
    print(f"results: {path}")
    return 0 if all(result.ok for result in results) else 1


def summary(result: Result, seed: int) -> str:
    lines = [
        f"== crash suite on {result.database} (seed {seed}, load average "
        f"{' '.join(f'{value:.2f}' for value in result.load_average)})",
        f"kills {result.kills}, starts {result.starts}, sweeps {result.sweeps}, {result.seconds} s",
        f"operations acknowledged {result.operations_acknowledged}; lifecycles completed "
        f"{result.lifecycles_completed}, cut by a kill {result.lifecycles_cut}",
        f"acknowledged but missing {result.missing_acknowledged}",
        f"ledger check exit {result.ledger_check_exit}",
        f"payments the provider took {result.provider_succeeded_payments}; charged but "
        f"unescrowed {result.charged_but_unescrowed}; drift {result.drift_cents} cents; "
        f"card refund drift {result.refund_drift_cents} cents",
        f"left: sandbox notifications pending {result.sandbox_notifications_pending}, "
        f"notifications unprocessed {result.notifications_unprocessed}, card refunds "
        f"unsent {result.card_refunds_unfinished}, payments still open "
        f"{result.payments_still_open} (abandoned checkouts)",
        f"recovered: notifications redelivered by the sandbox's outbox "
        f"{result.sandbox_notifications_redelivered}, notifications claimed again "
        f"{result.notifications_reclaimed}, card refunds sent again {result.refunds_resent}",
        "OK" if result.ok else "FAILED: " + "; ".join(result.failures),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
