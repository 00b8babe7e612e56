"""``axokey payouts create | file | confirm``, run as a person runs them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from axokey.config import Settings
from axokey.services.ledger import check_ledger
from tests.conftest import make_settings
from tests.e2e.test_payouts_api import example_a_redeemed
from tests.payouts_scenario import OPERATOR, balance, new_iban, pain001_schema


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, **OPERATOR)


def axokey(
    settings: Settings, tmp_path: Path, *arguments: str
) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "AXOKEY_DATABASE_URL": settings.database_url,
        # The IBANs are stored encrypted: the command needs the data keys (here
        # derived from the admin key, as in the tests' service context).
        "AXOKEY_ADMIN_KEY": settings.secret("admin_key") or "",
        "AXOKEY_OPERATOR_NAME": OPERATOR["operator_name"],
        "AXOKEY_OPERATOR_IBAN": OPERATOR["operator_iban"],
        "AXOKEY_OPERATOR_BIC": OPERATOR["operator_bic"],
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "axokey.cli", "payouts", *arguments],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_create_file_confirm_with_a_rejection(
    client: Any, context: Any, settings: Settings, tmp_path: Path
) -> None:
    world, order = example_a_redeemed(client, new_iban())
    created = axokey(settings, tmp_path, "create", "--currency", "EUR")
    assert created.returncode == 0, created.stderr.decode()
    output = created.stdout.decode()
    [batch_id] = set(re.findall(r"pob_\w+", output))
    assert "4 transfer(s), total 135.89 EUR" in output

    written = axokey(settings, tmp_path, "file", batch_id)
    assert written.returncode == 0, written.stderr.decode()
    pain001_schema().validate(written.stdout)
    assert b"<CtrlSum>135.89</CtrlSum>" in written.stdout

    s1_item = next(
        line.split()[1]
        for line in output.splitlines()
        if world.parties["S1"].id in line and "po_" in line
    )
    confirmed = axokey(
        settings, tmp_path, "confirm", batch_id, "--rejected", f"{s1_item}:AC04 closed"
    )
    assert confirmed.returncode == 0, confirmed.stderr.decode()
    assert "executed, 3 paid, 1 rejected" in confirmed.stdout.decode()
    assert balance(world, "S1")["available"] == 7000
    assert balance(world, "M")["paid_out"] == 3000
    assert world.refunds(order["id"])[0]["status"] == "succeeded"

    again = axokey(settings, tmp_path, "confirm", batch_id)
    assert again.returncode == 1 and b"batch_executed" in again.stderr
    nothing = axokey(settings, tmp_path, "create", "--currency", "XYZ")
    assert nothing.returncode == 1 and b"invalid_currency" in nothing.stderr
    bad = axokey(settings, tmp_path, "confirm", batch_id, "--rejected", "no-reason")
    assert bad.returncode == 2
    assert check_ledger(context) == []


def test_confirm_from_the_banks_status_report(
    client: Any, context: Any, settings: Settings, tmp_path: Path
) -> None:
    from tests.e2e.test_payouts_api import status_report

    world, _ = example_a_redeemed(client)
    output = axokey(settings, tmp_path, "create").stdout.decode()
    [batch_id] = set(re.findall(r"pob_\w+", output))
    s1_item = next(
        line.split()[1]
        for line in output.splitlines()
        if world.parties["S1"].id in line and "po_" in line
    )
    report = tmp_path / "pain.002.xml"
    report.write_bytes(status_report(batch_id, [(s1_item, "AC04")]))
    confirmed = axokey(settings, tmp_path, "confirm", batch_id, "--pain002", str(report))
    assert confirmed.returncode == 0, confirmed.stderr.decode()
    assert "executed, 2 paid, 1 rejected" in confirmed.stdout.decode()
    assert balance(world, "S1")["available"] == 7000
    assert check_ledger(context) == []
