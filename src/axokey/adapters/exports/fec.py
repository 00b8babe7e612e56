"""The FEC (Fichier des écritures comptables, article A47 A-1 of the LPF) writer:
one ``EcritureNum`` per ledger movement, a debit line and a credit line each, ``|``
separated, dates ``YYYYMMDD``, amounts with a decimal comma. Streams: it holds one
movement at a time."""

from __future__ import annotations

import functools
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


_JOURNAL = f"{fec_field(JOURNAL_CODE)}|{fec_field(JOURNAL_LABEL)}"


@functools.lru_cache(maxsize=65_536)
def _account_fields(account: GeneralAccount) -> str:
    return "|".join(
        fec_field(value)
        for value in (
            account.number,
            account.label,
            account.auxiliary_number,
            account.auxiliary_label,
        )
    )


def movement_lines(number: int, movement: Any, account_of: AccountLookup) -> str:
    """The two lines of one movement: debit, then credit (balanced by construction)."""
    day = movement.created_at.strftime("%Y%m%d")
    amount = decimal_comma(movement.amount, movement.currency)
    zero = decimal_comma(0, movement.currency)
    label = MOVEMENT_LABELS.get(movement.code, movement.code)
    if movement.line_id:
        label += f" {movement.line_id}"
    head = f"{_JOURNAL}|{number}|{day}|"
    middle = f"|{fec_field(movement.order_id or movement.id)}|{day}|{fec_field(label)}|"
    tail = f"|||{day}||{LINE_END}"
    debit = _account_fields(account_of(movement.debit_account_id))
    credit = _account_fields(account_of(movement.credit_account_id))
    return f"{head}{debit}{middle}{amount}|{zero}{tail}{head}{credit}{middle}{zero}|{amount}{tail}"


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
