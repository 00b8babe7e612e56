"""``axokey ledger check``: the real command, in a subprocess, on the test database.

Exit 0 when every invariant holds; exit 1, naming the account or transfer at fault,
when a row was edited by hand behind the ledger's back.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, update
from sqlalchemy.exc import IntegrityError

from axokey.adapters.db import ledger_store
from axokey.adapters.db.tables import ledger_accounts, ledger_transfers
from axokey.config import Settings
from axokey.domain.accounts import clearing_account, escrow_account, payable_account
from axokey.domain.ledger import TransferKind, TransferRequest, recompute_counters
from axokey.services.context import ServiceContext

NOW = datetime(2030, 1, 1, tzinfo=UTC)
ORDER = "ord_cli"
ESCROW = escrow_account(ORDER, "EUR")
CLEARING = clearing_account("sandbox", "EUR")
SUPPLIER = payable_account("pty_supplier", "EUR")
MERCHANT = payable_account("pty_merchant", "EUR")


def ledger_check(
    settings: Settings, tmp_path: Path, language: str = "en"
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AXOKEY_LANGUAGE": language,
        "AXOKEY_DATABASE_URL": settings.database_url,
        # The command builds the whole service context, whose providers need keys.
        "AXOKEY_SIGNING_KEYS": settings.secret("signing_keys") or "",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "axokey.cli", "ledger", "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def violations(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [
        line.removeprefix("VIOLATION ")
        for line in result.stderr.splitlines()
        if line.startswith("VIOLATION ")
    ]


def post(context: ServiceContext, *requests: TransferRequest, now: datetime = NOW) -> None:
    def work(connection: Connection) -> None:
        ledger_store.ensure_accounts(connection, [ESCROW, CLEARING, SUPPLIER, MERCHANT], NOW)
        outcome = ledger_store.post_transfers(connection, requests, now=now)
        assert outcome.succeeded, outcome.results

    context.database.run(work)


def an_order_paid_and_partly_released(context: ServiceContext) -> None:
    """Capture 13589 into escrow, hold 7000 for the supplier, release 6000 of it."""
    post(
        context,
        TransferRequest("capture", TransferKind.SINGLE, 13_589, CLEARING.id, ESCROW.id),
        TransferRequest(
            "hold_supplier",
            TransferKind.PENDING,
            7_000,
            ESCROW.id,
            SUPPLIER.id,
            timeout_at=NOW + timedelta(days=30),
        ),
        TransferRequest("commission", TransferKind.SINGLE, 3_000, ESCROW.id, MERCHANT.id),
    )
    post(
        context,
        TransferRequest(
            "release_supplier", TransferKind.POST_PENDING, 6_000, pending_id="hold_supplier"
        ),
    )


def insert_transfer_by_hand(connection: Connection, **fields: Any) -> None:
    """What no code path may do: a transfer row written around the ledger's rules."""
    row = {
        "currency": "EUR",
        "pending_id": None,
        "timeout_at": None,
        "code": "by_hand",
        "order_id": None,
        "line_id": None,
        "created_at": NOW + timedelta(hours=1),
        **fields,
    }
    connection.execute(ledger_transfers.insert().values(**row))


def recount_by_hand(connection: Connection) -> None:
    """Make every account's counters agree with the transfers (so invariant 5 holds)."""
    recomputed = recompute_counters(ledger_store.all_transfers(connection))
    for account in ledger_store.all_accounts(connection):
        values = recomputed.get(account.id, [0, 0, 0, 0])
        connection.execute(
            update(ledger_accounts)
            .where(ledger_accounts.c.id == account.id)
            .values(
                debits_pending=values[0],
                debits_posted=values[1],
                credits_pending=values[2],
                credits_posted=values[3],
            )
        )


def test_a_fresh_database_passes(settings: Settings, tmp_path: Path) -> None:
    result = ledger_check(settings, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ledger ok" in result.stdout
    assert violations(result) == []


def test_the_operators_terminal_in_french(settings: Settings, tmp_path: Path) -> None:
    result = ledger_check(settings, tmp_path, language="fr")
    assert result.returncode == 0, result.stderr
    assert "grand livre correct" in result.stdout
    assert "toutes les règles sont respectées" in result.stdout


def test_the_language_of_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from axokey.cli import cli_language

    for name in ("AXOKEY_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert cli_language() == "en"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert cli_language() == "fr"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # LC_ALL wins, and C is English
    assert cli_language() == "en"
    monkeypatch.setenv("AXOKEY_LANGUAGE", "fr")
    assert cli_language() == "fr"


def test_valid_transfers_pass_and_a_balance_edited_by_hand_is_named(
    context: ServiceContext, settings: Settings, tmp_path: Path
) -> None:
    an_order_paid_and_partly_released(context)
    result = ledger_check(settings, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ledger ok" in result.stdout

    context.database.run(
        lambda connection: connection.execute(
            update(ledger_accounts)
            .where(ledger_accounts.c.id == SUPPLIER.id)
            .values(credits_posted=ledger_accounts.c.credits_posted + 1)
        )
    )
    result = ledger_check(settings, tmp_path)
    assert result.returncode == 1
    found = violations(result)
    assert any(line.startswith(f"5: account {SUPPLIER.id}: stored counters") for line in found), (
        found
    )
    assert any(line.startswith("1: currency EUR") for line in found), found
    assert SUPPLIER.id in result.stderr
    assert "ledger ok" not in result.stdout
    # Each violation is reported once: its line, and nowhere else.
    assert len(found) == len(set(found))
    assert result.stderr.count(f"account {SUPPLIER.id}: stored counters") == 1
    assert f"{len(found)} ledger violation(s)" in result.stderr


def test_a_negative_escrow_is_named(
    context: ServiceContext, settings: Settings, tmp_path: Path
) -> None:
    """An escrow paid out beyond what it holds, counters consistent with the rows."""
    an_order_paid_and_partly_released(context)

    def overdraw(connection: Connection) -> None:
        # Held: 13589 − 3000 − 6000 = 4589 (1000 of it reserved no more); pay 5000 out.
        insert_transfer_by_hand(
            connection,
            id="overdraw",
            kind="single",
            debit_account_id=ESCROW.id,
            credit_account_id=MERCHANT.id,
            amount=5_000,
        )
        recount_by_hand(connection)

    context.database.run(overdraw)
    result = ledger_check(settings, tmp_path)
    assert result.returncode == 1
    found = violations(result)
    assert f"2: account {ESCROW.id}: debits exceed credits (negative balance)" in found, found
    assert f"4: order {ORDER}: held -411 < 0" in found, found
    assert not any(line.startswith("5:") or line.startswith("1:") for line in found), found


def test_a_resolution_of_nothing_or_of_too_much_is_named(
    context: ServiceContext, settings: Settings, tmp_path: Path
) -> None:
    an_order_paid_and_partly_released(context)
    post(
        context,
        TransferRequest("hold_merchant", TransferKind.PENDING, 500, ESCROW.id, MERCHANT.id),
    )

    def forge(connection: Connection) -> None:
        insert_transfer_by_hand(
            connection,
            id="post_of_nothing",
            kind="post_pending",
            debit_account_id=ESCROW.id,
            credit_account_id=MERCHANT.id,
            amount=10,
            pending_id="no_such_hold",
        )
        insert_transfer_by_hand(
            connection,
            id="post_too_much",
            kind="post_pending",
            debit_account_id=ESCROW.id,
            credit_account_id=MERCHANT.id,
            amount=501,
            pending_id="hold_merchant",
        )
        recount_by_hand(connection)

    context.database.run(forge)
    result = ledger_check(settings, tmp_path)
    assert result.returncode == 1
    found = violations(result)
    assert "3: transfer post_of_nothing: resolves no pending transfer" in found, found
    assert "3: transfer post_too_much: posts more than was pending" in found, found


def test_the_database_refuses_a_second_resolution_or_a_repeated_id(
    context: ServiceContext, settings: Settings, tmp_path: Path
) -> None:
    """Invariant 3's last line of defence: the unique columns ``pending_id`` and ``id``."""
    an_order_paid_and_partly_released(context)
    again = {
        "kind": "void_pending",
        "debit_account_id": ESCROW.id,
        "credit_account_id": SUPPLIER.id,
        "amount": 7_000,
    }
    with pytest.raises(IntegrityError):
        context.database.run(
            lambda c: insert_transfer_by_hand(c, id="void_too", pending_id="hold_supplier", **again)
        )
    with pytest.raises(IntegrityError):
        context.database.run(
            lambda c: insert_transfer_by_hand(c, id="capture", **{**again, "kind": "single"})
        )
    result = ledger_check(settings, tmp_path)
    assert result.returncode == 0, result.stderr
