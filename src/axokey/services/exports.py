"""Accounting exports of the ledger's posted movements: the FEC and the journal CSV.

Both are checked (operator only, a valid period) before the first byte, then
streamed from one read transaction over a server-side cursor: memory stays bounded
whatever the number of entries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from axokey.adapters.db import accounting_repository
from axokey.adapters.exports.fec import fec_chunks
from axokey.adapters.exports.journal_csv import journal_chunks
from axokey.domain.accounting import GeneralAccount, general_account, party_of_account
from axokey.domain.errors import FieldError, ValidationFailed
from axokey.domain.parties import Principal, Role
from axokey.services.context import ServiceContext
from axokey.services.parties import require_role

FEC_CURRENCY = "EUR"
FEC_ENCODINGS = {"iso-8859-15": "iso-8859-15", "utf-8": "utf-8"}


@dataclass(frozen=True)
class ExportPeriod:
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: the day after the last day, at midnight UTC."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=UTC)


def check_period(context: ServiceContext, first_day: date, last_day: date) -> ExportPeriod:
    if first_day > last_day:
        raise ValidationFailed(
            "from is after to",
            code="invalid_period",
            errors=[FieldError("from", "must be on or before to")],
        )
    span_max = context.settings.export_span_max_days
    if (last_day - first_day).days + 1 > span_max:
        raise ValidationFailed(
            f"the period spans more than {span_max} days",
            code="period_too_long",
            errors=[FieldError("to", f"at most {span_max - 1} days after from (both included)")],
        )
    return ExportPeriod(first_day, last_day)


@dataclass(frozen=True)
class Export:
    filename: str
    media_type: str
    chunks: Iterator[bytes]


class _Accounts:
    """Ledger account → general account, party names read once per party."""

    def __init__(self, connection: object) -> None:
        self.connection = connection
        self.parties: dict[str, tuple[str, str]] = {}
        self.mapped: dict[str, GeneralAccount] = {}

    def __call__(self, account_id: str) -> GeneralAccount:
        found = self.mapped.get(account_id)
        if found is None:
            party_id = party_of_account(account_id)
            if party_id is not None and party_id not in self.parties:
                self.parties.update(
                    accounting_repository.party_directory(self.connection, {party_id})  # type: ignore[arg-type]
                )
            role, name = self.parties.get(party_id or "", (None, None))
            found = general_account(account_id, role, name)
            if len(self.mapped) < 100_000:
                self.mapped[account_id] = found
        return found


def count_movements(context: ServiceContext, period: ExportPeriod, currency: str | None) -> int:
    with context.database.read() as connection:
        return accounting_repository.count_movements(connection, period.start, period.end, currency)


def fec_filename(context: ServiceContext, period: ExportPeriod) -> str:
    return f"{context.settings.operator_siren}FEC{period.last_day:%Y%m%d}.txt"


def open_fec(
    context: ServiceContext,
    principal: Principal,
    first_day: date,
    last_day: date,
    *,
    encoding: str = "iso-8859-15",
    on_movement: Callable[[], None] | None = None,
) -> Export:
    """The FEC of a period (EUR movements). ``EcritureNum`` continues the year's
    numbering: the first movement of the period is numbered after every movement
    of the same year before it."""
    require_role(principal, Role.ADMIN)
    period = check_period(context, first_day, last_day)
    if encoding not in FEC_ENCODINGS:
        raise ValidationFailed(
            "unknown encoding",
            code="invalid_encoding",
            errors=[FieldError("encoding", "iso-8859-15 or utf-8")],
        )

    def chunks() -> Iterator[bytes]:
        with context.database.read() as connection:
            year_start = datetime(period.first_day.year, 1, 1, tzinfo=UTC)
            earlier = accounting_repository.count_movements(
                connection, year_start, period.start, FEC_CURRENCY
            )
            movements = accounting_repository.stream_movements(
                connection, period.start, period.end, FEC_CURRENCY
            )
            yield from fec_chunks(
                movements,
                _Accounts(connection),
                first_number=earlier + 1,
                encoding=FEC_ENCODINGS[encoding],
                on_movement=on_movement,
            )

    charset = "ISO-8859-15" if encoding == "iso-8859-15" else "utf-8"
    return Export(fec_filename(context, period), f"text/plain; charset={charset}", chunks())


def open_journal(
    context: ServiceContext,
    principal: Principal,
    first_day: date,
    last_day: date,
    *,
    on_movement: Callable[[], None] | None = None,
) -> Export:
    """Every posted movement of the period (all currencies), one CSV row per side."""
    require_role(principal, Role.ADMIN)
    period = check_period(context, first_day, last_day)

    def chunks() -> Iterator[bytes]:
        with context.database.read() as connection:
            movements = accounting_repository.stream_movements(
                connection, period.start, period.end, None
            )
            yield from journal_chunks(movements, on_movement=on_movement)

    filename = f"journal-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.csv"
    return Export(filename, "text/csv; charset=utf-8", chunks())
