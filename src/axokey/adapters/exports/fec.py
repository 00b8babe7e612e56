"""The FEC (Fichier des écritures comptables, article A47 A-1 of the LPF) writer:
one ``EcritureNum`` per ledger movement, a debit line and a credit line each, ``|``
separated, dates ``YYYYMMDD``, amounts with a decimal comma. Streams: it holds one
movement at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from axokey.domain.accounting import (
    FEC_COLUMNS,
    JOURNAL_CODE,
    JOURNAL_LABEL,
    MOVEMENT_LABELS,
    GeneralAccount,
    decimal_comma,
    fec_field,
)

LINE_END = "\r\n"
CHUNK_LINES = 1000

AccountLookup = Callable[[str], GeneralAccount]


def header() -> str:
    return "|".join(FEC_COLUMNS) + LINE_END


def movement_lines(number: int, movement: Any, account_of: AccountLookup) -> str:
    """The two lines of one movement: debit, then credit (balanced by construction)."""
    day = movement.created_at.strftime("%Y%m%d")
    amount = decimal_comma(movement.amount, movement.currency)
    zero = decimal_comma(0, movement.currency)
    piece = movement.order_id or movement.id
    label = MOVEMENT_LABELS.get(movement.code, movement.code)
    if movement.line_id:
        label += f" {movement.line_id}"
    lines = []
    for account_id, debit, credit in (
        (movement.debit_account_id, amount, zero),
        (movement.credit_account_id, zero, amount),
    ):
        account = account_of(account_id)
        fields = (
            JOURNAL_CODE,
            JOURNAL_LABEL,
            str(number),
            day,
            account.number,
            account.label,
            account.auxiliary_number,
            account.auxiliary_label,
            piece,
            day,
            label,
            debit,
            credit,
            "",
            "",
            day,
            "",
            "",
        )
        lines.append("|".join(fec_field(field) for field in fields) + LINE_END)
    return "".join(lines)


def fec_chunks(
    movements: Iterable[Any],
    account_of: AccountLookup,
    *,
    first_number: int,
    encoding: str,
    on_movement: Callable[[], None] | None = None,
) -> Iterator[bytes]:
    """The file, in encoded chunks: the header, then each movement's lines."""
    yield header().encode(encoding, errors="replace")
    buffer: list[str] = []
    for index, movement in enumerate(movements):
        buffer.append(movement_lines(first_number + index, movement, account_of))
        if on_movement is not None:
            on_movement()
        if len(buffer) >= CHUNK_LINES:
            yield "".join(buffer).encode(encoding, errors="replace")
            buffer.clear()
    if buffer:
        yield "".join(buffer).encode(encoding, errors="replace")
