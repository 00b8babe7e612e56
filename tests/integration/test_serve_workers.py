"""``axokey serve --workers N``: refused on SQLite (one writer); on PostgreSQL N
processes answer on one port, and ``/metrics`` adds up every worker's counts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from axokey.cli import app as cli_app
from tests.conftest import ADMIN, ADMIN_KEY, ON_POSTGRES


def test_several_workers_are_refused_on_sqlite(tmp_path: Any) -> None:
    result = CliRunner().invoke(
        cli_app,
        ["serve", "--workers", "2"],
        env={"AXOKEY_DATABASE_URL": f"sqlite:///{tmp_path}/one.db", "COLUMNS": "250"},
    )
    assert result.exit_code == 2
    assert "--workers needs PostgreSQL" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="several workers need PostgreSQL")
def test_two_workers_answer_and_metrics_add_up_across_them(context: Any, tmp_path: Any) -> None:
    port = _free_port()
    environment = {
        **os.environ,
        "AXOKEY_DATABASE_URL": context.settings.database_url,
        "AXOKEY_ADMIN_KEY": ADMIN_KEY,
        "AXOKEY_SIGNING_KEYS": context.settings.secret("signing_keys"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "axokey.cli", "serve", "--workers", "2", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):  # until it answers (start-up under load), at most ~2 min
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        answered_by: set[str] = set()
        for _ in range(40):  # new connections: the kernel spreads them over the workers
            with httpx.Client(base_url=base) as fresh:
                assert fresh.get("/healthz").status_code == 200
        exposition = httpx.get(f"{base}/metrics", headers=ADMIN, timeout=10).text
        for line in exposition.splitlines():
            if line.startswith("axokey_http_requests_total{") and 'route="/healthz"' in line:
                answered_by.add(line)
        [healthz] = answered_by  # one series: the workers' counts added up
        assert float(healthz.rsplit(" ", 1)[1]) == 40
        # Each worker (and the parent, which built a context) writes its own counts file.
        assert len(list(tmp_path.glob("counter_*.db"))) >= 2
    finally:
        server.terminate()
        server.wait(timeout=60)
