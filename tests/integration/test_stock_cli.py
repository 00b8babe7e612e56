"""``axokey stock import STORE_ID FILE``, run as a person runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from axokey.config import Settings
from tests.scenario import spec_world


def axokey(settings: Settings, tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AXOKEY_DATABASE_URL": settings.database_url,
        "AXOKEY_ADMIN_KEY": settings.secret("admin_key") or "",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "axokey.cli", "stock", *arguments],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_import_counts_a_store_and_lists_the_refused_lines(
    client: Any, settings: Settings, tmp_path: Path
) -> None:
    world = spec_world(client)
    store = world.parties["ST"].id
    good = tmp_path / "good.csv"
    good.write_text("sku,on_hand\nP1,12\nP2,7\n", encoding="utf-8")
    done = axokey(settings, tmp_path, "import", store, str(good))
    assert done.returncode == 0, done.stderr
    assert "2 line(s) imported, 0 refused" in done.stdout
    assert world.stock_level("ST", "P1")["on_hand"] == 12
    assert world.stock_level("ST", "P2")["on_hand"] == 7

    mixed = tmp_path / "mixed.csv"
    mixed.write_text("gtin,on_hand\n4006381333931,20\n0000000000000,1\n", encoding="utf-8")
    partly = axokey(settings, tmp_path, "import", store, str(mixed))
    assert partly.returncode == 1
    assert "1 line(s) imported, 1 refused" in partly.stdout
    assert "unknown_gtin" in partly.stdout or "invalid_gtin" in partly.stdout
    assert world.stock_level("ST", "P1")["on_hand"] == 20

    unknown = axokey(settings, tmp_path, "import", "pty_nope", str(good))
    assert unknown.returncode == 1 and "store_not_found" in unknown.stderr
    missing = axokey(settings, tmp_path, "import", store, str(tmp_path / "none.csv"))
    assert missing.returncode == 2
