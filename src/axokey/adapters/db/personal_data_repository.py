"""Personal data across tables: a customer's orders found by the blind index of their
email, what is held about them (the export), replacing their contact data by a
pseudonym, and rewriting every encrypted column under the newest data key.

A read model over ``orders``, ``order_lines``, ``payments``, ``refunds``,
``payout_items`` (the transfers that paid refunds), ``events`` and
``outbound_emails``, for the customer's rights only; the aggregates' own repositories stay
the place that loads and saves them for the use cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Connection, String, Table, exists, func, select, type_coerce, update

from axokey.adapters.db import field_encryption
from axokey.adapters.db.tables import (
    EncryptedString,
    events,
    metadata,
    order_lines,
    orders,
    outbound_emails,
    payments,
    payout_items,
    refunds,
)

# Columns never handed out in an export: credentials and internal references, not
# data about the person.
_NOT_EXPORTED = frozenset({"customer_token_hash", "customer_email_index", "qr_reference"})

# Refunds whose money has reached the customer: nothing left to pay, so the IBAN they
# were paid to is no longer needed. (A failed refund is still owed: the operator
# retries it or pays it by transfer.)
REFUND_FINAL_STATUSES = frozenset({"succeeded"})


@dataclass(frozen=True)
class CustomerOrder:
    """One order of a customer, with what decides what of their data may go."""

    order_id: str
    status: str
    created_at: datetime
    closed_at: datetime | None
    has_iban: bool
    pseudonymised_at: datetime | None
    # Refunds not final yet: (method, status) of each.
    open_refunds: tuple[tuple[str, str], ...]
    # Whether a payout batch transferred a refund of the order to the customer's IBAN.
    refund_transferred: bool = False


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def _row_dict(row: Any) -> dict[str, Any]:
    return {key: _plain(value) for key, value in row._mapping.items() if key not in _NOT_EXPORTED}


def order_ids_by_email(connection: Connection, email: str, *, lock: bool = False) -> list[str]:
    """The ids of the orders placed with this email (normalised), oldest first, found by
    the blind index under every data key: the clear column is never scanned."""
    query = (
        select(orders.c.id)
        .where(orders.c.customer_email_index.in_(field_encryption.email_indexes(connection, email)))
        .order_by(orders.c.created_at, orders.c.id)
    )
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return [str(order_id) for order_id in connection.execute(query).scalars()]


def customer_orders(connection: Connection, order_ids: Sequence[str]) -> list[CustomerOrder]:
    if not order_ids:
        return []
    open_refunds: dict[str, list[tuple[str, str]]] = {order_id: [] for order_id in order_ids}
    for row in connection.execute(
        select(refunds.c.order_id, refunds.c.method, refunds.c.status).where(
            refunds.c.order_id.in_(order_ids), refunds.c.status.not_in(REFUND_FINAL_STATUSES)
        )
    ):
        open_refunds[row.order_id].append((row.method, row.status))
    transferred = set(
        connection.execute(
            select(refunds.c.order_id)
            .join(payout_items, payout_items.c.refund_id == refunds.c.id)
            .where(refunds.c.order_id.in_(order_ids), payout_items.c.status == "paid")
        ).scalars()
    )
    rows = connection.execute(
        select(
            orders.c.id,
            orders.c.status,
            orders.c.created_at,
            orders.c.closed_at,
            orders.c.customer_iban.is_not(None).label("has_iban"),
            orders.c.customer_pseudonymised_at,
        )
        .where(orders.c.id.in_(order_ids))
        .order_by(orders.c.created_at, orders.c.id)
    )
    return [
        CustomerOrder(
            row.id,
            row.status,
            row.created_at,
            row.closed_at,
            bool(row.has_iban),
            row.customer_pseudonymised_at,
            tuple(open_refunds[row.id]),
            row.id in transferred,
        )
        for row in rows
    ]


def orders_closed_before(connection: Connection, cutoff: datetime, limit: int) -> list[str]:
    """Orders closed before ``cutoff`` whose customer is not pseudonymised yet."""
    query = (
        select(orders.c.id)
        .where(
            orders.c.closed_at.is_not(None),
            orders.c.closed_at < cutoff,
            orders.c.customer_pseudonymised_at.is_(None),
            # Waiting for a refund to be paid: not due yet (and not in the way of others).
            ~exists(
                select(refunds.c.id).where(
                    refunds.c.order_id == orders.c.id,
                    refunds.c.status.not_in(REFUND_FINAL_STATUSES),
                )
            ),
        )
        .order_by(orders.c.closed_at, orders.c.id)
        .limit(limit)
    )
    return [str(order_id) for order_id in connection.execute(query).scalars()]


def customer_email_of(connection: Connection, order_id: str) -> str:
    return str(
        connection.execute(
            select(orders.c.customer_email).where(orders.c.id == order_id)
        ).scalar_one()
    )


def count_email_indexes(connection: Connection) -> int:
    return int(
        connection.execute(
            select(func.count()).where(orders.c.customer_email_index.is_not(None))
        ).scalar_one()
    )


def export_orders(connection: Connection, order_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Every order with its lines, payments, refunds, the transfers that paid them, its
    events and the emails sent about it, as plain JSON values (IBANs decrypted: this is
    what the customer is entitled to read)."""
    if not order_ids:
        return []

    def by_order(
        table: Table, order_column: Column[Any], sort: Column[Any]
    ) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {order_id: [] for order_id in order_ids}
        for row in connection.execute(
            select(table).where(order_column.in_(order_ids)).order_by(sort)
        ):
            grouped[row._mapping[order_column.name]].append(_row_dict(row))
        return grouped

    lines = by_order(order_lines, order_lines.c.order_id, order_lines.c.position)
    order_payments = by_order(payments, payments.c.order_id, payments.c.created_at)
    order_refunds = by_order(refunds, refunds.c.order_id, refunds.c.created_at)
    order_events = by_order(events, events.c.order_id, events.c.seq)
    order_emails = by_order(outbound_emails, outbound_emails.c.order_id, outbound_emails.c.seq)
    transfers: dict[str, list[dict[str, Any]]] = {order_id: [] for order_id in order_ids}
    for row in connection.execute(
        select(payout_items, refunds.c.order_id.label("order_id"))
        .join(refunds, refunds.c.id == payout_items.c.refund_id)
        .where(refunds.c.order_id.in_(order_ids))
        .order_by(payout_items.c.id)
    ):
        transfers[row.order_id].append(_row_dict(row))
    exported = []
    for row in connection.execute(
        select(orders).where(orders.c.id.in_(order_ids)).order_by(orders.c.created_at)
    ):
        entry = _row_dict(row)
        entry["lines"] = lines[row.id]
        entry["payments"] = order_payments[row.id]
        entry["refunds"] = order_refunds[row.id]
        entry["refund_transfers"] = transfers[row.id]
        entry["events"] = order_events[row.id]
        entry["emails"] = order_emails[row.id]
        exported.append(entry)
    return exported


def pseudonymise_order_customer(
    connection: Connection,
    order_id: str,
    *,
    pseudonym_email: str,
    pseudonym_name: str | None,
    remove_iban: bool,
    now: datetime,
) -> None:
    """Replace the order's customer contact data by the pseudonym, and its blind index
    by none (the email can no longer find it). With ``remove_iban``, the IBAN goes from
    the order and from its final refunds."""
    before = connection.execute(
        select(orders.c.customer_email, orders.c.customer_name).where(orders.c.id == order_id)
    ).one()
    values: dict[str, Any] = {
        "customer_email": pseudonym_email,
        "customer_name": pseudonym_name,
        "customer_email_index": None,
        "customer_pseudonymised_at": now,
    }
    if remove_iban:
        values["customer_iban"] = None
    connection.execute(update(orders).where(orders.c.id == order_id).values(**values))
    if remove_iban:
        remove_refund_ibans(connection, order_id)
    if pseudonym_name:
        # The transfers that paid the order's refunds name the customer as creditor.
        connection.execute(
            update(payout_items)
            .where(
                payout_items.c.refund_id.in_(
                    select(refunds.c.id).where(refunds.c.order_id == order_id)
                )
            )
            .values(creditor_name=pseudonym_name)
        )
    replacements = {before.customer_email.lower(): pseudonym_email}
    if before.customer_name and pseudonym_name:
        replacements[before.customer_name.lower()] = pseudonym_name
    _replace_in_events(connection, order_id, replacements)


def _replaced(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, str):
        return replacements.get(value.lower(), value)
    if isinstance(value, list):
        return [_replaced(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, replacements) for key, item in value.items()}
    return value


def _replace_in_events(connection: Connection, order_id: str, replacements: dict[str, str]) -> None:
    """The order's events (their payload and order snapshot) and its queued or sent
    customer emails keep no copy of the customer's email or name: any value equal to
    one becomes the pseudonym."""
    copies = (
        (events, events.c.seq, (events.c.data, events.c.snapshot), events.c.order_id),
        (
            outbound_emails,
            outbound_emails.c.seq,
            (outbound_emails.c.details,),
            outbound_emails.c.order_id,
        ),
    )
    for table, key, columns, order_column in copies:
        for row in connection.execute(select(key, *columns).where(order_column == order_id)).all():
            values = {}
            for column in columns:
                stored = row._mapping[column.name]
                replaced = _replaced(stored, replacements)
                if replaced != stored:
                    values[column.name] = replaced
            if values:
                connection.execute(update(table).where(key == row[0]).values(**values))


def remove_refund_ibans(connection: Connection, order_id: str) -> None:
    connection.execute(
        update(refunds)
        .where(refunds.c.order_id == order_id, refunds.c.status.in_(REFUND_FINAL_STATUSES))
        .values(iban=None)
    )


# --- key rotation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EncryptedColumn:
    table: Table
    column: Column[Any]

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"

    @property
    def key(self) -> Column[Any]:
        (primary_key,) = self.table.primary_key.columns
        return primary_key


def encrypted_columns() -> list[EncryptedColumn]:
    """Every column of the schema stored encrypted (found by its type, so a new
    table's encrypted column is rotated with no change here)."""
    return [
        EncryptedColumn(table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedString)
    ]


def count_values(connection: Connection, encrypted: EncryptedColumn) -> int:
    return int(
        connection.execute(select(func.count()).where(encrypted.column.is_not(None))).scalar_one()
    )


def reencrypt_page(
    connection: Connection, encrypted: EncryptedColumn, *, after: Any, limit: int
) -> tuple[int, int, Any]:
    """Rewrite, under the current data key, the values of one page of rows (by primary
    key, after ``after``). Returns (values looked at, values rewritten, last key)."""
    keyring = field_encryption.keyring_for(connection)
    raw = type_coerce(encrypted.column, String).label("raw")
    query = select(encrypted.key, raw).where(encrypted.column.is_not(None))
    if after is not None:
        query = query.where(encrypted.key > after)
    rows = connection.execute(query.order_by(encrypted.key).limit(limit)).all()
    rewritten = 0
    for row in rows:
        if field_encryption.key_id_of(row.raw) == keyring.current.key_id:
            continue
        plaintext = (
            keyring.decrypt(row.raw, purpose=field_encryption.COLUMN_PURPOSE)
            if field_encryption.key_id_of(row.raw) is not None
            else row.raw
        )
        connection.execute(
            update(encrypted.table)
            .where(encrypted.key == row[0])
            .values({encrypted.column.name: plaintext})
        )
        rewritten += 1
    return len(rows), rewritten, (rows[-1][0] if rows else None)


def reindex_emails_page(
    connection: Connection, *, after: str | None, limit: int
) -> tuple[int, Any]:
    """Recompute one page of the customers' email blind indexes under the current key."""
    query = select(orders.c.id, orders.c.customer_email).where(
        orders.c.customer_email_index.is_not(None)
    )
    if after is not None:
        query = query.where(orders.c.id > after)
    rows = connection.execute(query.order_by(orders.c.id).limit(limit)).all()
    for row in rows:
        connection.execute(
            update(orders)
            .where(orders.c.id == row.id)
            .values(
                customer_email_index=field_encryption.email_index(connection, row.customer_email)
            )
        )
    return len(rows), (rows[-1].id if rows else None)
