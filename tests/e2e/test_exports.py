"""Accounting exports read back: the FEC of example A's day re-reads to balanced
entries whose totals equal the ledger's; the journal CSV likewise; bad periods and
other parties are refused; the CLI twin writes the same file."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from axokey.adapters.db import ledger_store
from axokey.adapters.db.tables import ledger_transfers, parties
from axokey.domain.accounting import FEC_COLUMNS, general_account
from tests.conftest import ADMIN
from tests.scenario import delivery_order, spec_world

FEC_HEADER = (
    "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|"
    "CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|"
    "Montantdevise|Idevise"
)
JOURNAL_HEADER = (
    "entry_id,transfer_id,created_at,order_id,line_id,account_id,account_kind,party_id,"
    "debit,credit,currency"
)


def example_a_and_b(client: Any) -> Any:
    world = spec_world(client)
    order = delivery_order(world, "escrow")
    line1 = order["lines"][0]
    world.pay(order["id"])
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    world.agree("S1", 3000)
    world.agree("S2", 2000)
    deposit = delivery_order(world, "deposit")
    world.pay(deposit["id"])
    return world


def minor(amount: str) -> int:
    units, cents = amount.split(",")
    assert len(cents) == 2 and units.lstrip("-").isdigit()
    return int(units) * 100 + int(cents)


def ledger_totals(context: Any) -> dict[tuple[str, str], list[int]]:
    """Posted debits and credits of every EUR ledger account, by French account."""
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    with context.database.read() as connection:
        roles = {row.id: (row.role, row.name) for row in connection.execute(select(parties))}
        for account in ledger_store.all_accounts(connection):
            if account.currency != "EUR":
                continue
            owner = roles.get(account.owner_id or "", (None, None))
            mapped = general_account(account.id, *owner)
            totals[(mapped.number, mapped.auxiliary_number)][0] += account.debits_posted
            totals[(mapped.number, mapped.auxiliary_number)][1] += account.credits_posted
    return {key: value for key, value in totals.items() if value != [0, 0]}


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def check_fec(text: str, context: Any) -> int:
    lines = text.split("\r\n")
    assert lines[0] == FEC_HEADER
    assert lines[-1] == ""
    rows = [line.split("|") for line in lines[1:-1]]
    assert all(len(row) == len(FEC_COLUMNS) for row in rows)
    entries: dict[int, list[list[str]]] = defaultdict(list)
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        entries[int(row[2])].append(row)
        assert len(row[3]) == 8 and row[3].isdigit() and row[3] == row[9] == row[15]
        totals[(row[4], row[6])][0] += minor(row[11])
        totals[(row[4], row[6])][1] += minor(row[12])
    # One entry per movement, numbered 1..N in chronological order, each balanced.
    assert sorted(entries) == list(range(1, len(entries) + 1))
    dates = [entries[number][0][3] for number in sorted(entries)]
    assert dates == sorted(dates)
    for lines_of_entry in entries.values():
        assert len(lines_of_entry) == 2
        debit = sum(minor(row[11]) for row in lines_of_entry)
        credit = sum(minor(row[12]) for row in lines_of_entry)
        assert debit == credit > 0
    assert {key: value for key, value in totals.items() if value != [0, 0]} == ledger_totals(
        context
    )
    return len(entries)


def posted_count(context: Any) -> int:
    with context.database.read() as connection:
        return len(
            connection.execute(
                select(ledger_transfers.c.id).where(
                    ledger_transfers.c.kind.in_(("single", "post_pending"))
                )
            ).all()
        )


def test_the_fec_of_the_day_rereads_to_the_ledger(client: Any, context: Any) -> None:
    context.settings.operator_siren = "123456789"
    example_a_and_b(client)
    response = client.get(f"/v1/exports/fec?from={today()}&to={today()}", headers=ADMIN)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; charset=ISO-8859-15"
    day = today().replace("-", "")
    assert (
        response.headers["content-disposition"] == f'attachment; filename="123456789FEC{day}.txt"'
    )
    assert "Séquestre".encode("iso-8859-15") in response.content  # Latin-9, not UTF-8
    text = response.content.decode("iso-8859-15")
    assert check_fec(text, context) == posted_count(context)
    # Suppliers on 401 and merchants on 467, each with its auxiliary account.
    accounts = {tuple(line.split("|")[4:8:2]) for line in text.split("\r\n")[1:-1]}
    assert any(number == "40100000" and aux.startswith("pty_") for number, aux in accounts)
    assert any(number == "46720000" and aux.startswith("pty_") for number, aux in accounts)
    assert {"46710000", "51219000", "41100000"} <= {number for number, _ in accounts}

    utf8 = client.get(f"/v1/exports/fec?from={today()}&to={today()}&encoding=utf-8", headers=ADMIN)
    assert utf8.headers["content-type"] == "text/plain; charset=utf-8"
    assert utf8.content.decode("utf-8") == text


def test_the_journal_csv_rereads_to_the_ledger(client: Any, context: Any) -> None:
    example_a_and_b(client)
    response = client.get(f"/v1/exports/journal.csv?from={today()}&to={today()}", headers=ADMIN)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.split("\r\n", 1)[0] == JOURNAL_HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 * posted_count(context)
    by_account: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        by_account[row["account_id"]][0] += int(row["debit"])
        by_account[row["account_id"]][1] += int(row["credit"])
        if row["account_kind"] == "payable":
            assert row["party_id"].startswith("pty_")
    with context.database.read() as connection:
        expected = {
            account.id: [account.debits_posted, account.credits_posted]
            for account in ledger_store.all_accounts(connection)
            if account.debits_posted or account.credits_posted
        }
    assert dict(by_account) == expected
    assert len({row["entry_id"] for row in rows}) == len(rows)


def test_a_period_outside_the_movements_is_empty_but_valid(client: Any, context: Any) -> None:
    example_a_and_b(client)
    last_year = (datetime.now(UTC) - timedelta(days=400)).date().isoformat()
    response = client.get(f"/v1/exports/fec?from={last_year}&to={last_year}", headers=ADMIN)
    assert response.status_code == 200
    assert response.content.decode("iso-8859-15") == FEC_HEADER + "\r\n"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("from=2026-03-02&to=2026-03-01", "invalid_period"),
        ("from=2024-01-01&to=2026-01-01", "period_too_long"),
        ("from=2026-13-01&to=2026-12-01", "validation_error"),
        ("to=2026-12-01", "validation_error"),
    ],
)
def test_bad_periods_are_refused(client: Any, query: str, code: str) -> None:
    for path in ("/v1/exports/fec", "/v1/exports/journal.csv"):
        response = client.get(f"{path}?{query}", headers=ADMIN)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == code


def test_exports_are_for_the_operator_only(client: Any) -> None:
    world = spec_world(client)
    for who in ("M", "S1", "C", "ST"):
        for path in ("/v1/exports/fec", "/v1/exports/journal.csv"):
            response = client.get(
                f"{path}?from={today()}&to={today()}", headers=world.parties[who].headers
            )
            assert response.status_code == 403
            assert response.json()["code"] == "role_not_allowed"
    assert client.get(f"/v1/exports/fec?from={today()}&to={today()}").status_code == 401


def test_the_cli_writes_the_same_fec_with_its_progress_bar(
    client: Any, context: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    from axokey.cli import app

    example_a_and_b(client)
    monkeypatch.setenv("AXOKEY_DATABASE_URL", context.settings.database_url)
    monkeypatch.setenv("AXOKEY_OPERATOR_SIREN", "987654321")
    runner = CliRunner()
    result = runner.invoke(
        app, ["export", "fec", "--from", today(), "--to", today(), "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    written = tmp_path / f"987654321FEC{today().replace('-', '')}.txt"
    text = written.read_bytes().decode("iso-8859-15")
    assert check_fec(text, context) == posted_count(context)
    over_http = client.get(f"/v1/exports/fec?from={today()}&to={today()}", headers=ADMIN)
    assert over_http.content == written.read_bytes()

    journal = tmp_path / "journal.csv"
    result = runner.invoke(
        app, ["export", "journal", "--from", today(), "--to", today(), "-o", str(journal)]
    )
    assert result.exit_code == 0, result.output
    assert journal.read_bytes().decode().split("\r\n", 1)[0] == JOURNAL_HEADER

    bad = runner.invoke(app, ["export", "fec", "--from", today(), "--to", "2000-01-01"])
    assert bad.exit_code == 2


def test_the_numbering_continues_the_year_from_one_period_to_the_next(
    client: Any, context: Any, clock: Any
) -> None:
    world = spec_world(client)
    first = delivery_order(world, "escrow")
    world.pay(first["id"])
    day1 = context.now().date()
    clock.advance(days=1)
    day2 = context.now().date()
    second = delivery_order(world, "escrow")
    world.pay(second["id"])

    def numbers(start: Any, end: Any) -> list[int]:
        response = client.get(f"/v1/exports/fec?from={start}&to={end}", headers=ADMIN)
        assert response.status_code == 200
        rows = response.content.decode("iso-8859-15").split("\r\n")[1:-1]
        return sorted({int(row.split("|")[2]) for row in rows})

    both = numbers(day1, day2)
    assert both == list(range(1, len(both) + 1))
    first_day, second_day = numbers(day1, day1), numbers(day2, day2)
    if day1.year == day2.year:
        assert first_day + second_day == both
    assert second_day and first_day
