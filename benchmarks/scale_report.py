"""Issue 11's figures from one run on one machine: pgbench beside them.

    .venv/bin/python benchmarks/scale_report.py                 # every figure, ~10 min
    .venv/bin/python benchmarks/scale_report.py --quick         # smoke run (~3 min)
    .venv/bin/python benchmarks/scale_report.py --write-readme  # also into benchmarks/README.md

On a scratch PostgreSQL database (``axokey_bench_scale``) of the server at
``--postgres-url``, in this order:

1. pgbench TPC-B (``pgbench -i -s 1`` on a scratch database, ``-c 4 -j 2 -T 20``);
2. statements and transactions per lifecycle (service layer and over HTTP);
3. the service layer, 1 thread, 32 worlds: lifecycles/s and CPU per lifecycle
   (this process; PostgreSQL's backends, from /proc);
4. over HTTP, the app under uvicorn with 1, 2 and 4 worker processes (a factory,
   as ``axokey serve --workers N``), 8 client threads, orders spread over 32
   worlds; 1 and 2 workers interleaved twice (A/B in the same run); then 4 workers
   with every order on one merchant and the same two suppliers (``hot``) against
   the spread cell. CPU per lifecycle: the server's processes (all workers), the
   PostgreSQL backends, the clients;
5. size: ``populate.py`` fills the database with ``--orders`` (10⁶) completed
   orders and their ledger by COPY, then ``axokey ledger check`` (time, peak RSS, CPU),
   EXPLAIN of the main list queries, and one HTTP cell on it against the same cell
   on 10⁴ orders.

Every cell ends with ``check_ledger`` clean and the counts of completed orders and
succeeded refunds equal to the lifecycles run; the exit status is 1 otherwise.
The load average (``/proc/loadavg``) is recorded beside every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import lifecycle as lc  # noqa: E402 - the lifecycle benchmark's worlds, cells and pgbench

SCRATCH_DATABASE = "axokey_bench_scale"
lc.SCRATCH_DATABASE = SCRATCH_DATABASE  # PostgresScratch reads it when it runs
CLIENTS = 8
README = BENCH_DIR / "README.md"
README_BEGIN = "<!-- scale_report: begin -->"
README_END = "<!-- scale_report: end -->"


def load_average() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


# --- the server: the app under uvicorn with N worker processes ---------------------------


def bench_app() -> Any:
    """uvicorn's factory in each worker: the benchmark's settings (rate limits out of
    the way), no background jobs, as ``lifecycle.py``'s server."""
    from axokey.api.app import create_app

    url = os.environ["AXOKEY_BENCH_DATABASE_URL"]
    port = os.environ["AXOKEY_BENCH_PORT"]
    settings = lc.bench_settings(url, public_base_url=f"http://127.0.0.1:{port}", pool_size=10)
    return create_app(context=lc.build_context(settings))


def serve(database_url: str, port: int, workers: int) -> None:
    import uvicorn

    os.environ["AXOKEY_BENCH_DATABASE_URL"] = database_url
    os.environ["AXOKEY_BENCH_PORT"] = str(port)
    if workers > 1:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="axokey-bench-metrics-")
    uvicorn.run(
        "scale_report:bench_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants (uvicorn's worker processes), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


class WorkerServer(lc.Server):
    def __init__(self, database_url: str, workers: int) -> None:
        self.workers = workers
        self.port = lc._free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        command = [sys.executable, __file__, "--serve", database_url, "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=BENCH_DIR.parent,
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        import httpx

        super().wait_ready(timeout)
        # Every worker up: as many processes as workers answer (the parent too above 1).
        give_up = time.monotonic() + timeout
        expected = self.workers + (1 if self.workers > 1 else 0)
        while len(process_tree(self.process.pid)) < expected and time.monotonic() < give_up:
            time.sleep(0.2)
        for _ in range(4 * self.workers):  # warm every worker's imports and caches
            with httpx.Client(base_url=self.base_url, timeout=30) as client:
                client.get("/openapi.json")

    def cpu_seconds(self) -> float | None:
        values = [lc.proc_cpu_seconds(pid) for pid in process_tree(self.process.pid)]
        return sum(value for value in values if value is not None)


# --- cells ------------------------------------------------------------------------------


def http_cell(
    scratch: lc.Scratch,
    accounts: str,
    workers: int,
    seconds: float,
    clients: int = CLIENTS,
    *,
    reset: bool = True,
    full_check: bool = True,
) -> dict[str, Any]:
    """One cell over HTTP; ``reset=False`` keeps the orders there (the size part):
    the counts checked at the end then include them. ``full_check=False`` skips
    ``check_ledger`` in this process: the size part runs ``axokey ledger check``
    apart instead, to measure it (time, peak RSS, CPU) with a memory cap."""
    import httpx

    if reset:
        scratch.reset()
        baseline = 0
    else:
        import populate

        baseline = populate.completed_orders(scratch.url)
    worlds = scratch.hot if accounts == "hot" else scratch.spread
    server = WorkerServer(scratch.url, workers)
    try:
        server.wait_ready()

        def session() -> httpx.Client:
            return httpx.Client(base_url=server.base_url, timeout=120.0)

        with session() as client:
            for index in range(lc.WARMUP_LIFECYCLES * workers):
                lc.http_lifecycle(client, worlds[index % len(worlds)])
        warmups = lc.WARMUP_LIFECYCLES * workers
        load = load_average()
        cpu_before = server.cpu_seconds()
        database_before = scratch.backend_cpu()
        run = lc.drive(clients, seconds, worlds, lc.http_lifecycle, session, lambda c: c.close())
        cpu_after = server.cpu_seconds()
        database_after = scratch.backend_cpu()
    finally:
        server.stop()
    context = lc.build_context(lc.bench_settings(scratch.url))
    try:
        verified = (
            lc._verify(context, baseline + warmups + len(run.samples))
            if full_check
            else counts_only(context, baseline + warmups + len(run.samples))
        )
    finally:
        context.database.dispose()
    count = len(run.samples)
    database_cpu = sum(
        after - database_before.get(pid, 0.0) for pid, after in database_after.items()
    )
    server_cpu = (cpu_after or 0.0) - (cpu_before or 0.0)
    redeems = [sample["redeem"] for sample in run.samples]
    return {
        "layer": "http",
        "accounts": accounts,
        "worlds": len(worlds),
        "workers": workers,
        "clients": clients,
        "lifecycles": count,
        "errors": len(run.errors),
        "first_errors": run.errors[:3],
        "lifecycles_per_s": round(count / run.elapsed, 2) if run.elapsed else 0.0,
        "redeem_ms": {
            "p50": lc._ms(lc.percentile(redeems, 0.5)),
            "p99": lc._ms(lc.percentile(redeems, 0.99)),
        },
        "app_cpu_ms": round(server_cpu * 1000 / count, 2) if count else None,
        "postgres_cpu_ms": round(database_cpu * 1000 / count, 2) if count else None,
        "client_cpu_ms": round(run.process_cpu_seconds * 1000 / count, 2) if count else None,
        "machine_cpu_busy": run.cpu_busy_fraction,
        "loadavg": load,
        **verified,
    }


def counts_only(context: Any, lifecycles: int) -> dict[str, Any]:
    """``lifecycle._verify`` without ``check_ledger``: completed orders and succeeded
    refunds equal the lifecycles run (the ledger is checked apart)."""
    checker = lc.check_ledger
    try:
        lc.check_ledger = lambda _context: []  # type: ignore[assignment]
        verified = lc._verify(context, lifecycles)
    finally:
        lc.check_ledger = checker
    return {**verified, "ledger_clean": None, "ledger_checked_apart": True}


def service_cell(scratch: lc.Scratch, seconds: float) -> dict[str, Any]:
    load = load_average()
    cell = lc.run_cell(scratch, lc.CellSpec("service", "spread", 1), seconds)
    return {
        **cell,
        "app_cpu_ms": cell["process_cpu_ms_per_lifecycle"],
        "postgres_cpu_ms": cell["database_server_cpu_ms_per_lifecycle"],
        "loadavg": load,
    }


def statement_counts(scratch: lc.Scratch) -> dict[str, Any]:
    """Statements and commits of one lifecycle: service layer and over HTTP."""
    import profile_lifecycle as pl

    scratch.reset()
    world = scratch.hot[0]
    context = lc.build_context(lc.bench_settings(scratch.url))
    try:
        counter = pl.StatementCounter(context.database.engine)
        lc.service_lifecycle(context, world)
        counter.counts.clear()
        lc.service_lifecycle(context, world)
        service = sum(counter.counts.values(), start=pl.Counter())
        http = sum(pl._http_counts(context, world).values(), start=pl.Counter())
    finally:
        context.database.dispose()
    return {
        "service": {"statements": service["statements"], "commits": service["commits"]},
        "http": {"statements": http["statements"], "commits": http["commits"]},
        "http_by_kind": dict(http),
    }


def ok_cell(cell: dict[str, Any]) -> bool:
    clean = cell["ledger_clean"] is not False  # None: checked apart (the size part)
    return bool(clean and cell["counts_match"] and not cell["errors"])


def ledger_word(cell: dict[str, Any]) -> str:
    if cell["ledger_clean"] is None:
        return "checked apart"
    return "clean" if cell["ledger_clean"] else "VIOLATIONS"


def say(cell: dict[str, Any]) -> None:
    workers = cell.get("workers", "-")
    print(
        f"  {cell['layer']:7} {cell['accounts']:6} workers {workers}: "
        f"{cell['lifecycles_per_s']:6.1f}/s  app {cell.get('app_cpu_ms')} ms  "
        f"pg {cell.get('postgres_cpu_ms')} ms per lifecycle  errors {cell['errors']}  "
        f"ledger {ledger_word(cell)}"
        f"{'' if cell['counts_match'] else ' (counts differ)'}  load {cell['loadavg']}",
        flush=True,
    )


def mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 2) if values else 0.0


def run_scaling(scratch: lc.Scratch, seconds: float, rounds: int) -> dict[str, Any]:
    cells: list[dict[str, Any]] = []
    for _ in range(rounds):  # A/B interleaved: 1 worker, 2 workers, again
        for workers in (1, 2):
            cells.append(http_cell(scratch, "spread", workers, seconds))
            say(cells[-1])
    for accounts in ("spread", "hot"):
        cells.append(http_cell(scratch, accounts, 4, seconds))
        say(cells[-1])
    return {"cells": cells}


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    cells = report["scaling"]["cells"]

    def rates(workers: int, accounts: str = "spread") -> list[float]:
        return [
            c["lifecycles_per_s"]
            for c in cells
            if c["workers"] == workers and c["accounts"] == accounts
        ]

    one, two = mean(rates(1)), mean(rates(2))
    hot, spread4 = mean(rates(4, "hot")), mean(rates(4, "spread"))
    http_one = [c for c in cells if c["workers"] == 1]
    app = mean([c["app_cpu_ms"] for c in http_one])
    database = mean([c["postgres_cpu_ms"] for c in http_one])
    service = report["service"]
    # What the machine's cores allow 2 workers: the clients, PostgreSQL and the app
    # share them, so the rate cannot exceed cores / (their CPU per lifecycle).
    http_two = [c for c in cells if c["workers"] == 2]
    two_cpu_ms = mean(
        [c["app_cpu_ms"] + c["postgres_cpu_ms"] + (c["client_cpu_ms"] or 0) for c in http_two]
    )
    cpus = report["environment"]["cpus"] or 1
    two_bound = round(cpus * 1000 / two_cpu_ms, 2) if two_cpu_ms else None
    return {
        "two_workers_cpu_ms": two_cpu_ms,
        "two_workers_bound_per_s": two_bound,
        "two_workers_of_bound": round(two / two_bound, 2) if two_bound else None,
        "two_over_one_bound": round(two_bound / one, 2) if two_bound and one else None,
        "http_1_worker_app_cpu_ms": app,
        "http_1_worker_postgres_cpu_ms": database,
        "goal_app_cpu_le_postgres": app <= database,
        "service_app_cpu_ms": service["app_cpu_ms"],
        "workers_1_per_s": one,
        "workers_2_per_s": two,
        "two_over_one": round(two / one, 2) if one else None,
        "goal_two_workers_ge_1_6": bool(one and two / one >= 1.6),
        "hot_4_per_s": hot,
        "spread_4_per_s": spread4,
        "hot_over_spread": round(hot / spread4, 2) if spread4 else None,
        "goal_hot_ge_0_8_spread": bool(spread4 and hot / spread4 >= 0.8),
    }


def markdown(report: dict[str, Any]) -> str:
    summary = report["summary"]
    environment = report["environment"]
    pgbench = report.get("pgbench") or {}
    counts = report["statements"]
    lines = [
        f"Run of {report['started_at'][:16]} UTC, revision {str(environment.get('commit'))[:10]}"
        f"{' (+ working tree)' if environment.get('modified_files') else ''}; "
        f"{environment['cpus']} CPUs, "
        f"PostgreSQL {report['postgresql'].get('version')}; load average at the start "
        f"{report['loadavg_start']}, at the end {report['loadavg_end']}; "
        f"{report['total_seconds']:.0f} s in all.",
        "",
        f"pgbench TPC-B (`{pgbench.get('command', 'skipped')}`): **{pgbench.get('tps')} TPS**, "
        f"{pgbench.get('latency_average_ms')} ms average latency "
        f"(load {report.get('pgbench_loadavg')}).",
        "",
        f"Statements per lifecycle: {counts['service']['statements']} in "
        f"{counts['service']['commits']} transactions (service layer), "
        f"{counts['http']['statements']} in {counts['http']['commits']} over HTTP.",
        "",
        "| goal | figure | met |",
        "|---|---|---|",
        f"| app CPU ≤ PostgreSQL CPU per lifecycle over HTTP (1 worker) | "
        f"{summary['http_1_worker_app_cpu_ms']} ms vs "
        f"{summary['http_1_worker_postgres_cpu_ms']} ms | "
        f"{'yes' if summary['goal_app_cpu_le_postgres'] else 'no'} |",
        f"| service layer CPU per lifecycle ≤ half of 21–24 ms | "
        f"{summary['service_app_cpu_ms']} ms | "
        f"{'yes' if (summary['service_app_cpu_ms'] or 99) <= 11 else 'no'} |",
        f"| 2 workers ≥ 1.6 × 1 worker (spread, {CLIENTS} clients) | "
        f"{summary['workers_2_per_s']} / {summary['workers_1_per_s']} = "
        f"{summary['two_over_one']} | {'yes' if summary['goal_two_workers_ge_1_6'] else 'no'} |",
        f"| hot ≥ 0.8 × spread at 4 workers | {summary['hot_4_per_s']} / "
        f"{summary['spread_4_per_s']} = {summary['hot_over_spread']} | "
        f"{'yes' if summary['goal_hot_ge_0_8_spread'] else 'no'} |",
    ]
    size = report.get("size")
    if size:
        lines += size_rows(size)
    if summary.get("two_workers_bound_per_s"):
        lines += [
            "",
            f"What {environment['cpus']} cores allow: with 2 workers the app, PostgreSQL and "
            f"the clients spend {summary['two_workers_cpu_ms']} ms of CPU per lifecycle "
            f"together, so the cores carry at most {summary['two_workers_bound_per_s']} "
            f"lifecycles/s, {summary['two_over_one_bound']} × the 1-worker rate; 2 workers "
            f"reached {summary['workers_2_per_s']}/s, "
            f"{round(100 * (summary['two_workers_of_bound'] or 0))} % of that bound.",
        ]
    lines += [
        "",
        "| layer | accounts | workers | lifecycles/s | redeem p50 / p99 ms | CPU ms/lifecycle: "
        "app + PostgreSQL (+ clients) | ledger | load average |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for cell in [report["service"], *report["scaling"]["cells"], *(size or {}).get("cells", [])]:
        redeem = cell["redeem_ms"]
        client = f" (+ {cell['client_cpu_ms']})" if cell.get("client_cpu_ms") else ""
        lines.append(
            f"| {cell['layer']} | {cell['accounts']}{cell.get('label', '')} | "
            f"{cell.get('workers', '–')} | {cell['lifecycles_per_s']} | "
            f"{redeem['p50']} / {redeem['p99']} | {cell['app_cpu_ms']} + "
            f"{cell['postgres_cpu_ms']}{client} | "
            f"{ledger_word(cell) + ', counts match' if ok_cell(cell) else 'FAILED'} | "
            f"{cell['loadavg']} |"
        )
    if size and size.get("explain"):
        lines += ["", "EXPLAIN (on the populated database) of the main list queries:", ""]
        for name, plan in size["explain"].items():
            shown = [line if len(line) <= 160 else line[:157] + "..." for line in plan]
            lines += [f"`{name}`:", "", "```", *shown, "```", ""]
    return "\n".join(lines) + "\n"


def size_rows(size: dict[str, Any]) -> list[str]:
    return [
        f"| lifecycle on {size['orders']:,} orders ≤ 1.2 × on {size['small_orders']:,} | "
        f"{size['large_per_s']} vs {size['small_per_s']}/s; app CPU {size['large_app_cpu_ms']}"
        f" vs {size['small_app_cpu_ms']} ms | {'yes' if size['goal_flat'] else 'no'} |",
        f"| `axokey ledger check` on {size['orders']:,} orders < 60 s, bounded memory | "
        f"{size['check_seconds']} s, peak RSS {size['check_peak_rss_mib']} MiB, "
        f"command CPU {size['check'].get('cpu_seconds')} s, load "
        f"{' → '.join(str(v) for v in size['check'].get('load_average', [])[::3])}, "
        f"violations: {size['check_violations']} | {'yes' if size['goal_check'] else 'no'} |",
        f"| populate {size['orders']:,} orders (INSERT … SELECT on the server) | "
        f"{size['populate_seconds']} s, "
        f"{size['rows']:,} rows | – |",
    ]


def write_readme(text: str) -> None:
    readme = README.read_text()
    block = f"{README_BEGIN}\n{text}{README_END}"
    if README_BEGIN in readme:
        head, rest = readme.split(README_BEGIN, 1)
        readme = head + block + rest.split(README_END, 1)[1]
    else:
        readme = (
            readme.rstrip("\n") + "\n\n## `scale_report.py` — issue 11's figures\n\n" + block + "\n"
        )
    README.write_text(readme)


def git_revision() -> dict[str, Any]:
    return lc._git_revision()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=lc.DEFAULT_POSTGRES_URL)
    parser.add_argument("--seconds", type=float, default=12.0, help="measured seconds per cell")
    parser.add_argument("--rounds", type=int, default=2, help="A/B rounds of 1 and 2 workers")
    parser.add_argument("--orders", type=int, default=1_000_000, help="populated orders (size)")
    parser.add_argument("--small-orders", type=int, default=10_000)
    parser.add_argument("--no-size", action="store_true", help="skip the 10⁶ part")
    parser.add_argument("--quick", action="store_true", help="4 s cells, 1 round, 20,000 orders")
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=8000, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, args.workers)
        return 0
    if args.quick:
        args.seconds, args.rounds, args.orders = 4.0, 1, 20_000
        args.small_orders = min(args.small_orders, 2_000)
    started = time.perf_counter()
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "loadavg_start": load_average(),
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            **git_revision(),
        },
        "seconds_per_cell": args.seconds,
    }
    print(f"load average {report['loadavg_start']}; pgbench ...", flush=True)
    report["pgbench_loadavg"] = load_average()
    report["pgbench"] = lc.run_pgbench(args.postgres_url, 20 if not args.quick else 5)
    print(f"  {report['pgbench']}", flush=True)
    scratch = lc.PostgresScratch(args.postgres_url)
    try:
        report["postgresql"] = scratch.describe()
        scratch.setup_worlds(lc.SPREAD_WORLDS)
        report["statements"] = statement_counts(scratch)
        print(
            f"statements per lifecycle: {report['statements']['service']} service, "
            f"{report['statements']['http']} http",
            flush=True,
        )
        report["service"] = service_cell(scratch, args.seconds)
        say(report["service"])
        report["scaling"] = run_scaling(scratch, args.seconds, args.rounds)
        if not args.no_size:
            import populate

            report["size"] = populate.size_report(
                scratch, args.orders, args.small_orders, args.seconds, http_cell, say
            )
    finally:
        scratch.close()
    report["summary"] = summarise(report)
    report["loadavg_end"] = load_average()
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    text = markdown(report)
    print("\n" + text)
    lc.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = lc.RESULTS_DIR / f"scale-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"results: {path}")
    if args.write_readme:
        write_readme(text)
        print(f"written into {README}")
    cells = [
        report["service"],
        *report["scaling"]["cells"],
        *report.get("size", {}).get("cells", []),
    ]
    return 0 if all(ok_cell(cell) for cell in cells) else 1


if __name__ == "__main__":
    sys.exit(main())
