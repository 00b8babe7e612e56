"""Where a lifecycle's time goes: queries per phase, a cProfile, PostgreSQL's waits,
and A/B runs of engine settings (without changing src/).

    PY=.venv/bin/python  # from the repository root
    $PY benchmarks/profile_lifecycle.py counts                 # both databases
    $PY benchmarks/profile_lifecycle.py cprofile --database sqlite --threads 1
    $PY benchmarks/profile_lifecycle.py cprofile --database postgresql --threads 4
    $PY benchmarks/profile_lifecycle.py waits --threads 4 [--accounts spread]
    $PY benchmarks/profile_lifecycle.py ab --database sqlite       # NullPool vs QueuePool
    $PY benchmarks/profile_lifecycle.py ab --database postgresql   # pre-ping; commit flush

``counts``: statements, transactions and new connections per phase of one lifecycle
(service layer), and per lifecycle over HTTP (in-process TestClient, same app).
``cprofile``: one profiler per worker thread, merged; the top functions by own
time and the own time by category (driver wait, SQLAlchemy, domain, ...).
``waits``: samples pg_stat_activity every 10 ms during a 4-thread run: the mean
number of the benchmark's backends in each state (executing, waiting for a row
lock, flushing WAL, idle in a transaction = waiting for Python).
``ab``: alternating runs of the same cell with the engine as ``make_engine``
builds it and with one setting changed.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lifecycle  # benchmarks/ is not a package: imported from its directory
from lifecycle import (
    Scratch,
    World,
    bench_settings,
    build_context,
    drive,
    http_lifecycle,
    percentile,
    scratch_database,
    service_lifecycle,
)

from axokey.adapters.db.engine import make_engine
from axokey.services.context import ServiceContext
from axokey.services.ledger import check_ledger

PHASES = ("create", "pay", "code", "redeem")


# --- counting statements ---------------------------------------------------------------


class StatementCounter:
    """Counts, per phase, the statements (by kind), commits and new DBAPI connections."""

    def __init__(self, engine: Engine) -> None:
        self.phase = "setup"
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)
        event.listen(engine.pool, "connect", self._connect)
        event.listen(engine.pool, "checkout", self._checkout)

    def mark(self, phase: str) -> None:
        self.phase = phase

    @staticmethod
    def kind(statement: str) -> str:
        words = statement.lstrip().split(None, 2)
        head = words[0].upper() if words else "?"
        if head == "SELECT" and "FOR UPDATE" in statement.upper():
            return "SELECT FOR UPDATE"
        if head == "BEGIN":
            return " ".join(word.upper() for word in words[:2])
        return head

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.counts[self.phase]["statements"] += 1
        self.counts[self.phase][self.kind(statement)] += 1

    def _commit(self, _conn: Any) -> None:
        self.counts[self.phase]["commits"] += 1

    def _rollback(self, _conn: Any) -> None:
        self.counts[self.phase]["rollbacks"] += 1

    def _connect(self, *_args: Any) -> None:
        self.counts[self.phase]["new connections"] += 1

    def _checkout(self, *_args: Any) -> None:
        self.counts[self.phase]["pool checkouts"] += 1


def _print_counts(title: str, counts: dict[str, Counter[str]], phases: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    keys = ["statements", "commits", "rollbacks", "pool checkouts", "new connections"]
    kinds = sorted({k for phase in phases for k in counts[phase]} - set(keys))
    table = Table(title=title)
    table.add_column("")
    for phase in phases:
        table.add_column(phase, justify="right")
    table.add_column("total", justify="right")
    for key in keys + kinds:
        values = [counts[phase][key] for phase in phases]
        table.add_row(key, *(str(value) for value in values), str(sum(values)))
    Console(width=140).print(table)


def command_counts(args: argparse.Namespace) -> None:
    names = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for name in names:
        with scratch_database(name, args.postgres_url) as scratch:
            scratch.setup_worlds(1)
            world = scratch.hot[0]
            context = build_context(bench_settings(scratch.url))
            counter = StatementCounter(context.database.engine)
            try:
                service_lifecycle(context, world)  # warm the statement caches
                counter.counts.clear()
                service_lifecycle(context, world, counter.mark)
                _print_counts(
                    f"{name}: one lifecycle in the service layer", counter.counts, list(PHASES)
                )
                http_counts = _http_counts(context, world)
                _print_counts(
                    f"{name}: per HTTP request of one lifecycle (in-process TestClient)",
                    http_counts,
                    list(http_counts),
                )
            finally:
                context.database.dispose()


def _http_counts(context: ServiceContext, world: World) -> dict[str, Counter[str]]:
    """Counts per HTTP request, through the real app in-process (TestClient)."""
    from fastapi.testclient import TestClient

    from axokey.api.app import create_app

    counter = StatementCounter(context.database.engine)
    with TestClient(create_app(context=context), raise_server_exceptions=True) as client:
        http_lifecycle(client, world)  # warm up
        counter.counts.clear()
        names = iter(
            ("POST orders", "POST checkout", "POST sandbox pay", "GET order", "POST redeem")
        )

        def before(_request: Any) -> None:
            counter.mark(next(names))

        client.event_hooks["request"] = [before]
        http_lifecycle(client, world)
    return counter.counts


# --- cProfile over worker threads ----------------------------------------------------------


CATEGORIES: list[tuple[str, Callable[[str, str], bool]]] = [
    ("sleep (retry backoff)", lambda f, n: n == "<built-in method time.sleep>"),
    (
        "driver: sqlite3 execute/commit (C, incl. lock waits)",
        lambda f, n: "sqlite3.Cursor" in n or "sqlite3.Connection" in n,
    ),
    ("driver: sqlite3 connect", lambda f, n: "_sqlite3.connect" in n or "sqlite3.connect" in n),
    (
        "driver: psycopg wait (network + server)",
        lambda f, n: ("psycopg" in f and "wait" in n) or "wait_c" in n or "select.select" in n,
    ),
    ("driver: psycopg (Python)", lambda f, n: "/psycopg/" in f or "psycopg_binary" in n),
    ("locks (pool queue, threads)", lambda f, n: "_thread.lock" in n or "/threading.py" in f),
    ("SQLAlchemy", lambda f, n: "/sqlalchemy/" in f),
    ("axokey domain", lambda f, n: "/axokey/domain/" in f),
    ("axokey services", lambda f, n: "/axokey/services/" in f),
    ("axokey adapters", lambda f, n: "/axokey/adapters/" in f),
    ("hashing / hmac / secrets", lambda f, n: any(x in f for x in ("hmac", "hashlib", "secrets"))),
    ("json", lambda f, n: "/json/" in f or "json" in n),
    (
        "pydantic / fastapi / starlette",
        lambda f, n: any(x in f for x in ("pydantic", "fastapi", "starlette")),
    ),
    (
        "datetime / uuid / enum / dataclasses",
        lambda f, n: any(x in f for x in ("enum.py", "uuid.py", "dataclasses.py", "datetime")),
    ),
]


def _category(filename: str, name: str) -> str:
    for category, matches in CATEGORIES:
        if matches(filename, name):
            return category
    return "other Python / builtins"


def profile_threads(
    context: ServiceContext, worlds: list[World], threads: int, seconds: float
) -> tuple[pstats.Stats, int, float]:
    """Run lifecycles in ``threads`` threads for ``seconds``, each thread profiled."""
    profilers: list[cProfile.Profile] = []
    done = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    turn = iter(range(10**9))

    def worker() -> None:
        profiler = cProfile.Profile()
        profiler.enable()
        count = 0
        while time.perf_counter() < deadline:
            with lock:
                index = next(turn)
            service_lifecycle(context, worlds[index % len(worlds)])
            count += 1
        profiler.disable()
        with lock:
            profilers.append(profiler)
            done[0] += count

    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    stats = pstats.Stats(profilers[0])
    for profiler in profilers[1:]:
        stats.add(profiler)
    return stats, done[0], elapsed


def report_profile(stats: pstats.Stats, lifecycles: int, threads: int, top: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    by_category: Counter[str] = Counter()
    total = 0.0
    for (filename, _line, name), (_cc, _nc, own, _cumulative, _callers) in raw.items():
        by_category[_category(filename, name)] += own
        total += own
    table = Table(title=f"own time by category: {lifecycles} lifecycles, {threads} thread(s)")
    table.add_column("category")
    table.add_column("ms per lifecycle (summed over threads)", justify="right")
    table.add_column("share", justify="right")
    for category, seconds in by_category.most_common():
        table.add_row(category, f"{seconds * 1000 / lifecycles:.2f}", f"{seconds / total:.0%}")
    console.print(table)
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    console.print(buffer.getvalue().split("\n", 4)[-1][:12000], markup=False, highlight=False)
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(r"axokey", top)
    console.print(buffer.getvalue().split("\n", 4)[-1][:12000], markup=False, highlight=False)


def command_cprofile(args: argparse.Namespace) -> None:
    with scratch_database(args.database, args.postgres_url) as scratch:
        scratch.setup_worlds(args.worlds)
        worlds = scratch.hot if args.accounts == "hot" else scratch.spread
        context = build_context(bench_settings(scratch.url))
        try:
            for world in worlds[:3]:
                service_lifecycle(context, world)
            stats, count, elapsed = profile_threads(context, worlds, args.threads, args.seconds)
        finally:
            context.database.dispose()
    print(
        f"{args.database}, service layer, {args.accounts}, {args.threads} thread(s): "
        f"{count} lifecycles in {elapsed:.1f} s under cProfile = {count / elapsed:.1f}/s"
    )
    report_profile(stats, count, args.threads, args.top)


# --- PostgreSQL's waits --------------------------------------------------------------------


def _classify(state: str | None, wait_type: str | None, wait: str | None) -> str:
    if state == "idle":
        return "idle: no transaction open (app between transactions, or a spare pool slot)"
    if state == "idle in transaction":
        return "idle in transaction: waiting for the app (Python, GIL) mid-transaction"
    if wait_type == "Lock":
        return f"waiting for a lock ({wait})"
    if wait_type in ("IO", "LWLock") and wait and wait.startswith("WAL"):
        return f"WAL flush at commit ({wait_type}:{wait})"
    if wait_type == "Client":
        return f"client I/O ({wait})"
    if wait_type is None:
        return "executing (server CPU)"
    return f"other wait ({wait_type}:{wait})"


@contextmanager
def sample_waits(
    admin_url: str, database: str, interval: float = 0.01
) -> Iterator[tuple[Counter[str], Counter[str]]]:
    """Count, every ``interval``, the database's client backends by what they do,
    and the statements that wait for a lock."""
    samples: Counter[str] = Counter()
    waiting: Counter[str] = Counter()
    stop = threading.Event()
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def sampler() -> None:
        with engine.connect() as connection:
            query = text(
                "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity "
                "WHERE datname = :db AND backend_type = 'client backend' "
                "AND pid <> pg_backend_pid()"
            )
            while not stop.is_set():
                samples["ticks"] += 1
                for row in connection.execute(query, {"db": database}):
                    samples[_classify(row.state, row.wait_event_type, row.wait_event)] += 1
                    if row.wait_event_type == "Lock":
                        waiting[" ".join(row.query.split())[:110]] += 1
                time.sleep(interval)

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    try:
        yield samples, waiting
    finally:
        stop.set()
        thread.join()
        engine.dispose()


def command_waits(args: argparse.Namespace) -> None:
    from rich.console import Console
    from rich.table import Table

    with scratch_database("postgresql", args.postgres_url) as scratch:
        scratch.setup_worlds(args.worlds)
        worlds = scratch.hot if args.accounts == "hot" else scratch.spread
        # Pool as big as the threads, so that idle backends are the app's, not spares.
        context = build_context(bench_settings(scratch.url, pool_size=args.threads))
        try:
            for world in worlds[:3]:
                service_lifecycle(context, world)
            with sample_waits(args.postgres_url, lifecycle.SCRATCH_DATABASE) as (
                samples,
                waiting,
            ):
                run = drive(args.threads, args.seconds, worlds, service_lifecycle, lambda: context)
        finally:
            context.database.dispose()
    ticks = samples.pop("ticks", 1)
    rate = len(run.samples) / run.elapsed
    table = Table(
        title=f"PostgreSQL backends of {args.threads} service threads ({args.accounts}): "
        f"{rate:.1f} lifecycles/s; mean backends per state over {ticks} samples"
    )
    table.add_column("state")
    table.add_column("mean backends", justify="right")
    table.add_column("share", justify="right")
    total = sum(samples.values())
    for state, count in samples.most_common():
        table.add_row(state, f"{count / ticks:.2f}", f"{count / total:.0%}")
    console = Console(width=150)
    console.print(table)
    locked = sum(waiting.values()) or 1
    for query, count in waiting.most_common(5):
        console.print(f"  {count / locked:4.0%} of lock waits: {query}", markup=False)


# --- A/B runs of engine settings --------------------------------------------------------------


def _sqlite_engine(url: str, pool: str) -> Engine:
    """make_engine's SQLite engine, with NullPool (as is) or a QueuePool."""
    if pool == "NullPool (as is)":
        return make_engine(url, pool_size=25)
    from sqlalchemy.pool import QueuePool

    from axokey.adapters.db.engine import _configure_sqlite

    engine = create_engine(
        url,
        connect_args={"timeout": 30.0, "check_same_thread": False},
        poolclass=QueuePool,
        pool_size=8,
        max_overflow=8,
    )
    _configure_sqlite(engine, 30.0)
    return engine


@contextmanager
def ledger_posted_last() -> Iterator[None]:
    """Experiment (benchmark only, src/ untouched): inside ``Database.run``, the
    ledger calls of the lifecycle's units of work (``ensure_accounts`` and
    ``post_or_raise`` in capture, redemption and card refunds) are deferred to the
    end of the unit of work, in the same transaction and in the same order. Account
    rows (the global clearing and refunds accounts among them) are then locked just
    before commit instead of in the middle of the transaction. All or nothing still
    holds: a refused batch raises before commit and rolls everything back."""
    from axokey.adapters.db import ledger_store
    from axokey.adapters.db.engine import Database
    from axokey.services import payments, redeeming, refunding
    from axokey.services.ledger import post_or_raise

    state = threading.local()
    original_run = Database.run
    original_ensure = ledger_store.ensure_accounts

    def deferred(function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> None:
            queue = getattr(state, "queue", None)
            if queue is None:
                function(*args, **kwargs)
                return
            frozen = [list(arg) if isinstance(arg, list) else arg for arg in args]
            queue.append((function, frozen, kwargs))

        return call

    def run(self: Database, work: Callable[[Any], Any]) -> Any:
        def work_then_ledger(connection: Any) -> Any:
            state.queue = []
            try:
                result = work(connection)
                for function, args, kwargs in state.queue:
                    function(*args, **kwargs)
            finally:
                state.queue = None
            return result

        return original_run(self, work_then_ledger)

    patches = [
        (Database, "run", run),
        (ledger_store, "ensure_accounts", deferred(original_ensure)),
        (payments, "post_or_raise", deferred(post_or_raise)),
        (redeeming, "post_or_raise", deferred(post_or_raise)),
        (refunding, "post_or_raise", deferred(post_or_raise)),
    ]
    saved = [(target, name, getattr(target, name)) for target, name, _ in patches]
    try:
        for target, name, replacement in patches:
            setattr(target, name, replacement)
        yield
    finally:
        for target, name, value in saved:
            setattr(target, name, value)


def _postgres_engine(url: str, variant: str) -> Engine:
    """make_engine's PostgreSQL engine (as is), or with one setting changed."""
    if variant in ("as is (pre-ping)", "ledger posted last (experiment)"):
        return make_engine(url, pool_size=25)
    options: dict[str, Any] = {"pool_size": 25, "max_overflow": 25, "pool_timeout": 30}
    if variant == "no pre-ping":
        return create_engine(url, pool_pre_ping=False, **options)
    # Diagnostic only: how much of a lifecycle is waiting for the WAL flush at commit.
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"options": "-c synchronous_commit=off"},
        **options,
    )


@dataclass(frozen=True)
class VariantRun:
    rate: float  # lifecycles per second
    redeem_p50: float | None
    app_cpu_ms: float  # this process's CPU per lifecycle
    database_cpu_ms: float | None  # PostgreSQL's backends' CPU per lifecycle


def _run_variant(
    scratch: Scratch, engine: Engine, worlds: list[World], threads: int, seconds: float
) -> VariantRun:
    scratch.reset()
    context = build_context(bench_settings(scratch.url), engine=engine)
    try:
        for world in worlds[:3]:
            service_lifecycle(context, world)
        before = scratch.backend_cpu()
        run = drive(threads, seconds, worlds, service_lifecycle, lambda: context)
        after = scratch.backend_cpu()
        violations = check_ledger(context)
    finally:
        context.database.dispose()
    if run.errors or violations:
        raise RuntimeError(run.errors[:1] or violations[:3])
    count = len(run.samples)
    database_cpu = sum(value - before.get(pid, 0.0) for pid, value in after.items())
    return VariantRun(
        rate=count / run.elapsed,
        redeem_p50=percentile([sample["redeem"] for sample in run.samples], 0.5),
        app_cpu_ms=run.process_cpu_seconds * 1000 / count,
        database_cpu_ms=database_cpu * 1000 / count if after else None,
    )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def command_ab(args: argparse.Namespace) -> None:
    from rich.console import Console
    from rich.table import Table

    if args.database == "sqlite":
        variants = ["NullPool (as is)", "QueuePool"]
        build: Callable[[str, str], Engine] = _sqlite_engine
    else:
        variants = [
            "as is (pre-ping)",
            "no pre-ping",
            "ledger posted last (experiment)",
            "synchronous_commit=off (diagnostic)",
        ]
        build = _postgres_engine
    if args.variants:
        variants = [v for v in variants if any(word in v for word in args.variants)]
    results: dict[tuple[str, int], list[VariantRun]] = defaultdict(list)
    with scratch_database(args.database, args.postgres_url) as scratch:
        scratch.setup_worlds(args.worlds)
        worlds = scratch.hot if args.accounts == "hot" else scratch.spread
        for round_number in range(args.rounds):
            for threads in args.thread_counts:
                for variant in variants if round_number % 2 == 0 else variants[::-1]:
                    experiment = ledger_posted_last() if "ledger" in variant else nullcontext()
                    with experiment:
                        outcome = _run_variant(
                            scratch, build(scratch.url, variant), worlds, threads, args.seconds
                        )
                    results[(variant, threads)].append(outcome)
                    print(
                        f"  round {round_number} x{threads} {variant}: {outcome.rate:.1f}/s, "
                        f"app CPU {outcome.app_cpu_ms:.1f} ms/lifecycle",
                        flush=True,
                    )
    table = Table(
        title=f"{args.database}, service layer, {args.accounts}: "
        f"{args.rounds} alternating rounds of {args.seconds:.0f} s (medians)"
    )
    columns = (
        "variant",
        "threads",
        "lifecycles/s",
        "runs",
        "redeem p50 ms",
        "app CPU ms/lc",
        "PostgreSQL CPU ms/lc",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "variant" else "right")
    for (variant, threads), outcomes in sorted(results.items(), key=lambda item: item[0][1]):
        database = [o.database_cpu_ms for o in outcomes if o.database_cpu_ms is not None]
        table.add_row(
            variant,
            str(threads),
            f"{_median([o.rate for o in outcomes]):.1f}",
            " ".join(f"{o.rate:.1f}" for o in outcomes),
            f"{_median([(o.redeem_p50 or 0.0) for o in outcomes]) * 1000:.1f}",
            f"{_median([o.app_cpu_ms for o in outcomes]):.1f}",
            f"{_median(database):.1f}" if database else "–",
        )
    Console(width=150).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("counts", "cprofile", "waits", "ab"))
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=lifecycle.DEFAULT_POSTGRES_URL)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--thread-counts", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--accounts", choices=("hot", "spread"), default="hot")
    parser.add_argument("--worlds", type=int, default=32, help="spread worlds")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--variants", nargs="*", help="ab: only variants containing these words")
    args = parser.parse_args()
    if args.command in ("cprofile", "ab") and args.database == "both":
        parser.error(f"{args.command} needs --database sqlite or postgresql")
    {
        "counts": command_counts,
        "cprofile": command_cprofile,
        "waits": command_waits,
        "ab": command_ab,
    }[args.command](args)


if __name__ == "__main__":
    main()
