"""A/B of the app's CPU per lifecycle between two revisions, in one run (PostgreSQL).

Each revision's ``src/`` is put first on ``PYTHONPATH`` of a child process (A
exported with ``git archive`` to a temporary directory; B a copy of this working
tree's, taken at the start), so both run on the same database server, the same worlds and
the same load, interleaved round by round (A B, B A, A B, ...). Per cell, one
client thread runs ``lifecycle.py``'s lifecycle back to back for ``--seconds``:

- ``http``: the app (``create_app``) under uvicorn in a subprocess, as
  ``lifecycle.py`` runs it; CPU of the uvicorn process and of PostgreSQL's
  backends of the scratch database, per lifecycle;
- ``service``: the services called in the child process; CPU of that process
  (the client is the app) and of the backends, per lifecycle.

``--callgrind N``: instead of timed cells, N lifecycles per revision and layer
with the app's instructions counted by valgrind's callgrind (the uvicorn process,
or the service-layer process), only between the warm-up and the end: a count that
does not depend on the machine's load, for A/B on a shared machine (valgrind
runs the app uninstrumented until the warm-up ends, then about 50 times slower;
N = 10 takes a few minutes on a quiet machine).

Statements per lifecycle are counted in the app's process (a SQLAlchemy
``before_cursor_execute`` listener, warm-up lifecycles included). Every cell
ends with ``check_ledger`` clean and the counts of completed orders and
succeeded refunds equal to the lifecycles run.

    .venv/bin/python benchmarks/app_cpu_ab.py --before main            # 3 rounds of 8 s
    .venv/bin/python benchmarks/app_cpu_ab.py --before HEAD~2 --rounds 5 --layer http
    .venv/bin/python benchmarks/app_cpu_ab.py --before main --callgrind 10

Results: a table of medians on stdout and JSON in
``benchmarks/results/app-cpu-ab-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
# One per run (two runs may go on at once: a timed one and a callgrind one).
SCRATCH_DATABASE = f"axokey_bench_app_cpu_ab_{os.getpid()}"
WORLDS = 8
WARMUP = 3


# --- the child: one cell with one revision's src on PYTHONPATH ----------------------


def _count_statements(engine: Any) -> list[int]:
    from sqlalchemy import event

    counter = [0]
    texts: Counter[str] | None = Counter() if os.environ.get("AXOKEY_AB_STATEMENTS") else None

    def count(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counter[0] += 1
        if texts is not None:  # which statements, written at each count's request
            texts[" ".join(statement.split())[:300]] += 1
            Path(os.environ["AXOKEY_AB_STATEMENTS"]).write_text(
                "\n".join(f"{n:5} {text}" for text, n in texts.most_common())
            )

    event.listen(engine, "before_cursor_execute", count)
    return counter


def child_serve(url: str, port: int) -> None:
    """The uvicorn subprocess: lifecycle.py's ``serve``; ``GET /_bench/statements``
    (answered before the app) tells how many statements it has run so far."""
    import lifecycle
    import uvicorn

    from axokey.api.app import create_app

    settings = lifecycle.bench_settings(url, public_base_url=f"http://127.0.0.1:{port}")
    context = lifecycle.build_context(settings)
    counter = _count_statements(context.database.engine)
    app = create_app(context=context)

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/_bench/statements":
            body = str(counter[0]).encode()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    uvicorn.run(counting, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _worlds(context: Any, spec: list[dict[str, Any]]) -> list[Any]:
    import lifecycle

    from axokey.services.api_keys import authenticate

    return [
        lifecycle.World(
            authenticate(context, world["merchant_key"]),
            world["merchant_key"],
            authenticate(context, world["courier_key"]),
            world["courier_key"],
            tuple(world["product_ids"]),
        )
        for world in spec
    ]


def _backend_cpu(admin: Any, database: str) -> dict[int, float]:
    import lifecycle
    from sqlalchemy import text

    with admin.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
            {"name": database},
        ).scalars()
        seconds = {pid: lifecycle.proc_cpu_seconds(pid) for pid in pids}
    return {pid: value for pid, value in seconds.items() if value is not None}


def child_cell(layer: str, url: str, admin_url: str, seconds: float, worlds_file: str) -> None:
    """Runs one cell and prints its figures as one JSON line."""
    import lifecycle
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    context = lifecycle.build_context(lifecycle.bench_settings(url))
    worlds = _worlds(context, json.loads(Path(worlds_file).read_text()))
    app_cpu: float
    statements: int
    if layer == "service":
        counter = _count_statements(context.database.engine)
        for index in range(WARMUP):
            lifecycle.service_lifecycle(context, worlds[index % len(worlds)])
        database_before = _backend_cpu(admin, make_url(url).database)
        run = lifecycle.drive(1, seconds, worlds, lifecycle.service_lifecycle, lambda: context)
        database_after = _backend_cpu(admin, make_url(url).database)
        app_cpu = run.process_cpu_seconds
        statements = counter[0]
    else:
        import httpx

        port = lifecycle._free_port()
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", url, str(port)],
            cwd=REPO,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            give_up = time.monotonic() + 600
            while True:
                if server.poll() is not None or time.monotonic() > give_up:
                    raise RuntimeError("the server did not start")
                try:
                    httpx.get(f"{base_url}/healthz", timeout=1.0)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            with httpx.Client(base_url=base_url, timeout=60.0) as client:
                for index in range(WARMUP):
                    lifecycle.http_lifecycle(client, worlds[index % len(worlds)])
            profiler = None
            if os.environ.get("AXOKEY_AB_PY_SPY"):  # a sampled profile of the server
                profiler = subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "py-spy"),
                        "record",
                        "--pid",
                        str(server.pid),
                        "--rate",
                        os.environ.get("AXOKEY_AB_PY_SPY_RATE", "200"),
                        "--format",
                        "raw",
                        "--threads",
                        "--gil",
                        "-o",
                        os.environ["AXOKEY_AB_PY_SPY"],
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(1)
            cpu_before = lifecycle.proc_cpu_seconds(server.pid) or 0.0
            database_before = _backend_cpu(admin, make_url(url).database)
            run = lifecycle.drive(
                1,
                seconds,
                worlds,
                lifecycle.http_lifecycle,
                lambda: httpx.Client(base_url=base_url, timeout=60.0),
                lambda client: client.close(),
            )
            app_cpu = (lifecycle.proc_cpu_seconds(server.pid) or 0.0) - cpu_before
            database_after = _backend_cpu(admin, make_url(url).database)
            statements = int(httpx.get(f"{base_url}/_bench/statements").text)
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)
                profiler.wait(timeout=60)
        finally:
            server.terminate()
            server.wait(timeout=30)
    context.database.dispose()
    admin.dispose()
    count = len(run.samples)
    database_cpu = sum(
        after - database_before.get(pid, 0.0) for pid, after in database_after.items()
    )
    print(
        json.dumps(
            {
                "lifecycles": count,
                "errors": len(run.errors),
                "first_errors": run.errors[:3],
                "elapsed_s": round(run.elapsed, 3),
                "lifecycles_per_s": round(count / run.elapsed, 2),
                "app_cpu_ms": round(app_cpu * 1000 / count, 2),
                "database_cpu_ms": round(database_cpu * 1000 / count, 2),
                "statements_per_lifecycle": round(statements / (count + WARMUP), 1),
                "load_average": run.load_average,
            }
        )
    )


def _callgrind(command: str, pid: int) -> None:
    subprocess.run(
        ["callgrind_control", command, str(pid)], check=True, capture_output=True, timeout=600
    )


def _instructions(pattern: str) -> int:
    """The instructions (Ir) of the dumps callgrind wrote to files named so."""
    total = 0
    for dump in Path(pattern).parent.glob(Path(pattern).name + "*"):
        for line in dump.read_text(errors="replace").splitlines():
            if line.startswith("totals:"):  # the header's "summary:" may say 0
                total += int(line.split()[1])
    return total


def child_callgrind(layer: str, url: str, lifecycles: int, worlds_file: str) -> None:
    """``lifecycles`` lifecycles with instructions counted by callgrind: in the
    uvicorn process (``http``) or in this process run under valgrind (``service``),
    counted only between the warm-up and the end (``callgrind_control``)."""
    import httpx
    import lifecycle

    context = lifecycle.build_context(lifecycle.bench_settings(url))
    worlds = _worlds(context, json.loads(Path(worlds_file).read_text()))
    if layer == "service":
        counter = _count_statements(context.database.engine)
        for index in range(WARMUP):
            lifecycle.service_lifecycle(context, worlds[index % len(worlds)])
        before = counter[0]
        _callgrind("--zero", os.getpid())
        _callgrind("--instr=on", os.getpid())
        for index in range(lifecycles):
            lifecycle.service_lifecycle(context, worlds[index % len(worlds)])
        _callgrind("--instr=off", os.getpid())
        _callgrind("--dump", os.getpid())
        statements = counter[0] - before
        out = os.environ["AXOKEY_AB_CALLGRIND_OUT"]
    else:
        port = lifecycle._free_port()
        out = tempfile.mkdtemp(prefix="axokey-callgrind-") + "/callgrind.out"
        server = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--serve",
                url,
                str(port),
            ],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            give_up = time.monotonic() + 1800
            with httpx.Client(base_url=base_url, timeout=10.0) as probe:
                while True:
                    if server.poll() is not None or time.monotonic() > give_up:
                        raise RuntimeError("the server did not start under valgrind")
                    try:
                        probe.get("/healthz")
                        break
                    except httpx.TransportError:
                        time.sleep(1)
            with httpx.Client(base_url=base_url, timeout=600.0) as client:
                for index in range(WARMUP):
                    lifecycle.http_lifecycle(client, worlds[index % len(worlds)])
                before = int(client.get("/_bench/statements").text)
                _callgrind("--zero", server.pid)
                _callgrind("--instr=on", server.pid)
                for index in range(lifecycles):
                    lifecycle.http_lifecycle(client, worlds[index % len(worlds)])
                _callgrind("--instr=off", server.pid)
                _callgrind("--dump", server.pid)
                statements = int(client.get("/_bench/statements").text) - before
        finally:
            server.terminate()
            server.wait(timeout=300)
    context.database.dispose()
    print(
        json.dumps(
            {
                "lifecycles": lifecycles,
                "instructions_per_lifecycle": round(_instructions(out) / lifecycles),
                "statements_per_lifecycle": round(statements / lifecycles, 1),
                "load_average": os.getloadavg()[0],
            }
        )
    )


# --- the parent ------------------------------------------------------------------------


def export_src(revision: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, "src"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _callgrind_cell(
    scratch: Any, layer: str, src: Path, lifecycles: int, worlds_file: Path, directory: Path
) -> dict[str, Any]:
    import lifecycle

    scratch.reset()
    out = directory / f"service-{src.parent.name}-{layer}.callgrind"
    command = [sys.executable, __file__, "--callgrind-cell", layer, scratch.url]
    command += [str(lifecycles), str(worlds_file)]
    if layer == "service":
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            *command,
        ]
    output = subprocess.run(
        command,
        env={**os.environ, "PYTHONPATH": str(src), "AXOKEY_AB_CALLGRIND_OUT": str(out)},
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    cell: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    context = lifecycle.build_context(lifecycle.bench_settings(scratch.url))
    try:
        verified = lifecycle._verify(context, lifecycles + WARMUP)
    finally:
        context.database.dispose()
    cell.update(ledger_clean=verified["ledger_clean"], counts_match=verified["counts_match"])
    return cell


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="main", help="the revision A (git rev)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--layer", choices=("http", "service", "both"), default="both")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)  # url, port
    parser.add_argument("--cell", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--callgrind-cell", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument(
        "--callgrind",
        type=int,
        metavar="N",
        help="instead of timed cells: N lifecycles per revision and layer under callgrind",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(BENCH_DIR))
    if args.serve:
        url, port = args.serve
        child_serve(url, int(port))
        return 0
    if args.cell:
        layer, url, admin_url, seconds, worlds_file = args.cell
        child_cell(layer, url, admin_url, float(seconds), worlds_file)
        return 0
    if args.callgrind_cell:
        layer, url, lifecycles, worlds_file = args.callgrind_cell
        child_callgrind(layer, url, int(lifecycles), worlds_file)
        return 0

    import lifecycle

    lifecycle.SCRATCH_DATABASE = SCRATCH_DATABASE
    layers = ["http", "service"] if args.layer == "both" else [args.layer]
    commit_before = subprocess.run(
        ["git", "rev-parse", "--short", args.before],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain", "src"],
            check=False,
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    cells: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="axokey-ab-") as directory:
        variants = {
            "A": (
                f"{args.before} ({commit_before})",
                export_src(args.before, Path(directory) / "a"),
            ),
            # A copy: the working tree may change while the run goes on.
            "B": (
                f"{head}{' + working tree' if dirty else ''}",
                Path(shutil.copytree(REPO / "src", Path(directory) / "b" / "src")),
            ),
        }
        scratch = lifecycle.PostgresScratch(args.postgres_url)
        try:
            scratch.setup_worlds(WORLDS - 1)
            worlds = [scratch.hot[0], *scratch.spread]
            worlds_file = Path(directory) / "worlds.json"
            worlds_file.write_text(
                json.dumps(
                    [
                        {
                            "merchant_key": world.merchant_key,
                            "courier_key": world.courier_key,
                            "product_ids": list(world.product_ids),
                        }
                        for world in worlds
                    ]
                )
            )
            admin_url = scratch.base.render_as_string(hide_password=False)
            if args.callgrind:
                for name in ("A", "B"):
                    label, src = variants[name]
                    for layer in layers:
                        cell = _callgrind_cell(
                            scratch, layer, src, args.callgrind, worlds_file, Path(directory)
                        )
                        cell.update(variant=name, revision=label, layer=layer)
                        cells.append(cell)
                        print(
                            f"{name} {layer:7}: {cell['instructions_per_lifecycle']:,} "
                            f"instructions  statements {cell['statements_per_lifecycle']}"
                            f"  load {cell['load_average']:.2f}"
                            f"  ledger {'clean' if cell['ledger_clean'] else 'VIOLATIONS'}"
                            f"{'' if cell['counts_match'] else ' (counts differ)'}",
                            flush=True,
                        )
            for round_number in range(0 if args.callgrind else args.rounds):
                order = ["A", "B"] if round_number % 2 == 0 else ["B", "A"]
                for name in order:
                    label, src = variants[name]
                    for layer in layers:
                        scratch.reset()
                        environment = {**os.environ, "PYTHONPATH": str(src)}
                        done = subprocess.run(
                            [
                                sys.executable,
                                __file__,
                                "--cell",
                                layer,
                                scratch.url,
                                admin_url,
                                str(args.seconds),
                                str(worlds_file),
                            ],
                            env=environment,
                            cwd=REPO,
                            check=False,
                            capture_output=True,
                            text=True,
                        )
                        if done.returncode != 0:
                            raise RuntimeError(f"{name} {layer} failed:\n{done.stderr[-3000:]}")
                        output = done.stdout
                        cell = json.loads(output.strip().splitlines()[-1])
                        context = lifecycle.build_context(lifecycle.bench_settings(scratch.url))
                        try:
                            verified = lifecycle._verify(context, cell["lifecycles"] + WARMUP)
                        finally:
                            context.database.dispose()
                        cell.update(
                            variant=name,
                            revision=label,
                            layer=layer,
                            round=round_number,
                            ledger_clean=verified["ledger_clean"],
                            counts_match=verified["counts_match"],
                        )
                        cells.append(cell)
                        print(
                            f"round {round_number} {name} {layer:7}: "
                            f"{cell['lifecycles_per_s']:6.1f}/s  app {cell['app_cpu_ms']:6.2f} ms"
                            f"  db {cell['database_cpu_ms']:5.2f} ms"
                            f"  statements {cell['statements_per_lifecycle']}"
                            f"  errors {cell['errors']}  load {cell['load_average']:.2f}"
                            f"  ledger {'clean' if cell['ledger_clean'] else 'VIOLATIONS'}"
                            f"{'' if cell['counts_match'] else ' (counts differ)'}",
                            flush=True,
                        )
        finally:
            scratch.close()
    print()
    if args.callgrind:
        print("| revision | layer | instructions/lifecycle (callgrind) | statements/lifecycle |")
        print("|---|---|---:|---:|")
        for cell in cells:
            print(
                f"| {cell['revision']} | {cell['layer']} | {cell['instructions_per_lifecycle']:,} "
                f"| {cell['statements_per_lifecycle']} |"
            )
    timed = [c for c in cells if "lifecycles_per_s" in c]
    if timed:
        print(
            "| revision | layer | lifecycles/s | app CPU ms/lifecycle | PostgreSQL CPU ms | "
            "statements/lifecycle | load average |"
        )
        print("|---|---|---:|---:|---:|---:|---|")
    for layer in layers if timed else []:
        for name in ("A", "B"):
            mine = [c for c in cells if c["variant"] == name and c["layer"] == layer]
            if not mine:
                continue
            loads = [c["load_average"] for c in mine]
            print(
                f"| {variants[name][0]} | {layer} "
                f"| {statistics.median(c['lifecycles_per_s'] for c in mine):.1f} "
                f"| {statistics.median(c['app_cpu_ms'] for c in mine):.1f} "
                f"| {statistics.median(c['database_cpu_ms'] for c in mine):.1f} "
                f"| {statistics.median(c['statements_per_lifecycle'] for c in mine):.1f} "
                f"| {min(loads):.2f}–{max(loads):.2f} |"
            )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"app-cpu-ab-{stamp}.json"
    path.write_text(
        json.dumps({"variants": {k: v[0] for k, v in variants.items()}, "cells": cells}, indent=2)
        + "\n"
    )
    print(f"results: {path}")
    failed = any(c.get("errors") or not c["ledger_clean"] or not c["counts_match"] for c in cells)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
