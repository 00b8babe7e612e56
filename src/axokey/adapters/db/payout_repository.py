"""Payout batches and their items: the only module that queries them.

Also reads what a batch gathers (parties' available balances with their payout
details, pending SEPA refunds). What a confirmation decides for a SEPA refund
(succeeded, or pending again with the bank's reason) is written by
``refund_repository``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, Exists, Row, and_, exists, func, insert, select, update

from axokey.adapters.db.engine import insert_ignoring_conflicts
from axokey.adapters.db.pagination import newest_first_page
from axokey.adapters.db.tables import (
    ledger_accounts,
    ledger_transfers,
    orders,
    parties,
    payout_batches,
    payout_items,
    payout_locks,
    refunds,
)
from axokey.domain.accounts import PAYABLE
from axokey.domain.parties import PostalAddress
from axokey.domain.payouts import (
    BatchStatus,
    Creditor,
    ItemKind,
    ItemStatus,
    PayeeDue,
    PayoutBatch,
    PayoutItem,
    RefundDue,
    RefundRecord,
)


def batch_from_row(row: Row) -> PayoutBatch:  # type: ignore[type-arg]
    return PayoutBatch(
        id=row.id,
        currency=row.currency,
        status=BatchStatus(row.status),
        item_count=row.item_count,
        total=row.total,
        created_at=row.created_at,
        executed_at=row.executed_at,
        cutoff_key=row.cutoff_key,
    )


def item_from_row(row: Row) -> PayoutItem:  # type: ignore[type-arg]
    address = (
        PostalAddress(row.street, row.postcode, row.town, row.country, row.building_number)
        if row.town or row.country or row.street
        else None
    )
    return PayoutItem(
        id=row.id,
        batch_id=row.batch_id,
        position=row.position,
        kind=ItemKind(row.kind),
        party_id=row.party_id,
        refund_id=row.refund_id,
        amount=row.amount,
        currency=row.currency,
        creditor=Creditor(row.creditor_name, row.iban, row.bic, address),
        remittance=row.remittance,
        status=ItemStatus(row.status),
        transfer_id=row.transfer_id,
        rejection_reason=row.rejection_reason,
        resolved_at=row.resolved_at,
    )


def lock_currency(connection: Connection, currency: str) -> None:
    """Serialise batch creation per currency (a row lock held to the commit)."""
    connection.execute(
        insert_ignoring_conflicts(connection, payout_locks, ["currency"]), [{"currency": currency}]
    )
    query = select(payout_locks.c.currency).where(payout_locks.c.currency == currency)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    connection.execute(query).one()


def ledger_cursor(connection: Connection) -> int:
    """The last ledger transfer's sequence number (0 when there is none)."""
    return int(connection.execute(select(func.max(ledger_transfers.c.seq))).scalar() or 0)


def previous_cursor(connection: Connection, currency: str) -> int:
    return int(
        connection.execute(
            select(func.max(payout_batches.c.ledger_cursor)).where(
                payout_batches.c.currency == currency
            )
        ).scalar()
        or 0
    )


def payees_due(
    connection: Connection, currency: str, *, after_seq: int, up_to_seq: int
) -> list[PayeeDue]:
    """Every party with money available in ``currency``, with its payout details and
    the orders credited to it between the two ledger cursors."""
    available = (
        ledger_accounts.c.credits_posted
        - ledger_accounts.c.debits_posted
        - ledger_accounts.c.debits_pending
    )
    rows = connection.execute(
        select(
            ledger_accounts.c.id.label("account_id"),
            ledger_accounts.c.owner_id,
            available.label("available"),
            parties.c.name,
            parties.c.iban,
            parties.c.bic,
            parties.c.street,
            parties.c.building_number,
            parties.c.postcode,
            parties.c.town,
            parties.c.country,
        )
        .select_from(ledger_accounts.join(parties, parties.c.id == ledger_accounts.c.owner_id))
        .where(
            ledger_accounts.c.kind == PAYABLE,
            ledger_accounts.c.currency == currency,
            available > 0,
        )
        .order_by(ledger_accounts.c.id)
    ).all()
    credited: dict[str, list[str]] = defaultdict(list)
    if rows:
        for credit in connection.execute(
            select(ledger_transfers.c.credit_account_id, ledger_transfers.c.order_id)
            .where(
                ledger_transfers.c.seq > after_seq,
                ledger_transfers.c.seq <= up_to_seq,
                ledger_transfers.c.currency == currency,
                ledger_transfers.c.kind.in_(("single", "post_pending")),
                ledger_transfers.c.order_id.is_not(None),
                ledger_transfers.c.credit_account_id.startswith(f"acc_{PAYABLE}_"),
            )
            .order_by(ledger_transfers.c.seq)
        ):
            seen = credited[credit.credit_account_id]
            if credit.order_id not in seen:
                seen.append(credit.order_id)
    return [
        PayeeDue(
            party_id=row.owner_id,
            name=row.name,
            iban=row.iban,
            bic=row.bic,
            address=PostalAddress(
                row.street, row.postcode, row.town, row.country, row.building_number
            ),
            available=int(row.available),
            orders=tuple(credited.get(row.account_id, ())),
        )
        for row in rows
    ]


def _in_transit_item_of_refund() -> Exists:
    return exists(
        select(payout_items.c.id).where(
            payout_items.c.refund_id == refunds.c.id,
            payout_items.c.status == ItemStatus.IN_TRANSIT.value,
        )
    )


def refunds_due(connection: Connection, currency: str) -> list[RefundDue]:
    """Pending SEPA refunds that no batch carries."""
    rows = connection.execute(
        select(
            refunds.c.id,
            refunds.c.order_id,
            refunds.c.amount,
            refunds.c.iban,
            orders.c.customer_name,
        )
        .select_from(refunds.join(orders, orders.c.id == refunds.c.order_id))
        .where(
            refunds.c.currency == currency,
            refunds.c.method == "sepa",
            refunds.c.status == "pending",
            refunds.c.iban.is_not(None),
            ~_in_transit_item_of_refund(),
        )
        .order_by(refunds.c.created_at, refunds.c.id)
    ).all()
    return [
        RefundDue(
            refund_id=row.id,
            order_id=row.order_id,
            amount=row.amount,
            customer_name=row.customer_name or f"Client {row.order_id}",
            iban=row.iban,
        )
        for row in rows
    ]


def insert_batch(
    connection: Connection, batch: PayoutBatch, items: Sequence[PayoutItem], cursor: int
) -> None:
    connection.execute(
        insert(payout_batches).values(
            id=batch.id,
            currency=batch.currency,
            status=batch.status.value,
            item_count=batch.item_count,
            total=batch.total,
            cutoff_key=batch.cutoff_key,
            ledger_cursor=cursor,
            created_at=batch.created_at,
        )
    )
    rows = []
    for item in items:
        address = item.creditor.address
        rows.append(
            {
                "id": item.id,
                "batch_id": item.batch_id,
                "position": item.position,
                "kind": item.kind.value,
                "party_id": item.party_id,
                "refund_id": item.refund_id,
                "amount": item.amount,
                "currency": item.currency,
                "creditor_name": item.creditor.name[:200],
                "iban": item.creditor.iban,
                "bic": item.creditor.bic,
                "street": address.street if address else None,
                "building_number": address.building_number if address else None,
                "postcode": address.postcode if address else None,
                "town": address.town if address else None,
                "country": address.country if address else None,
                "remittance": item.remittance,
                "status": item.status.value,
                "rejection_reason": None,
                "transfer_id": item.transfer_id,
                "resolved_at": None,
            }
        )
    for start in range(0, len(rows), 1000):
        connection.execute(insert(payout_items), rows[start : start + 1000])


def cutoff_taken(connection: Connection, key: str) -> bool:
    return (
        connection.execute(
            select(payout_batches.c.id).where(payout_batches.c.cutoff_key == key)
        ).first()
        is not None
    )


def get_batch(connection: Connection, batch_id: str, *, lock: bool = False) -> PayoutBatch | None:
    query = select(payout_batches).where(payout_batches.c.id == batch_id)
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).first()
    return batch_from_row(row) if row else None


def list_batches(
    connection: Connection, *, limit: int, starting_after: str | None
) -> tuple[list[PayoutBatch], bool]:
    """Newest first."""
    rows, has_more = newest_first_page(
        connection,
        select(payout_batches),
        payout_batches.c.id,
        limit=limit,
        starting_after=starting_after,
    )
    return [batch_from_row(row) for row in rows], has_more


def items_of_batch(
    connection: Connection, batch_id: str, *, after_position: int = -1, limit: int | None = None
) -> list[PayoutItem]:
    """A batch's items in file order (one page of them with ``limit``)."""
    query = (
        select(payout_items)
        .where(payout_items.c.batch_id == batch_id, payout_items.c.position > after_position)
        .order_by(payout_items.c.position)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = connection.execute(query).all()
    items = [item_from_row(row) for row in rows]
    _attach_refund_orders(connection, items)
    return items


def _attach_refund_orders(connection: Connection, items: Sequence[PayoutItem]) -> None:
    refund_ids = [item.refund_id for item in items if item.refund_id]
    if not refund_ids:
        return
    order_of = dict(
        connection.execute(
            select(refunds.c.id, refunds.c.order_id).where(refunds.c.id.in_(refund_ids))
        ).all()
    )
    for item in items:
        if item.refund_id:
            item.order_id = order_of.get(item.refund_id)


def save_confirmation(
    connection: Connection, batch: PayoutBatch, resolved: Iterable[PayoutItem]
) -> int:
    """Mark the batch executed (only if it still was created) and its items resolved.

    Returns 0 when another confirmation won the race (nothing written)."""
    done = connection.execute(
        update(payout_batches)
        .where(
            payout_batches.c.id == batch.id,
            payout_batches.c.status == BatchStatus.CREATED.value,
        )
        .values(status=batch.status.value, executed_at=batch.executed_at)
    ).rowcount
    if done != 1:
        return 0
    by_outcome: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    resolved_at: datetime | None = None
    for item in resolved:
        by_outcome[(item.status.value, item.rejection_reason)].append(item.id)
        resolved_at = item.resolved_at
    for (status, reason), ids in by_outcome.items():
        for start in range(0, len(ids), 1000):
            connection.execute(
                update(payout_items)
                .where(payout_items.c.id.in_(ids[start : start + 1000]))
                .values(status=status, rejection_reason=reason, resolved_at=resolved_at)
            )
    return 1


def items_of_party(
    connection: Connection, party_id: str, *, limit: int, starting_after: str | None
) -> tuple[list[PayoutItem], bool]:
    """A party's payouts, newest first."""
    rows, has_more = newest_first_page(
        connection,
        select(payout_items).where(payout_items.c.party_id == party_id),
        payout_items.c.id,
        limit=limit,
        starting_after=starting_after,
    )
    return [item_from_row(row) for row in rows], has_more


def all_items(connection: Connection) -> list[PayoutItem]:
    items = [item_from_row(row) for row in connection.execute(select(payout_items))]
    _attach_refund_orders(connection, items)
    return items


def refund_records(connection: Connection) -> list[RefundRecord]:
    return [
        RefundRecord(row.id, row.amount, row.currency, row.method, row.status)
        for row in connection.execute(
            select(
                refunds.c.id,
                refunds.c.amount,
                refunds.c.currency,
                refunds.c.method,
                refunds.c.status,
            )
        )
    ]


def refund_in_transit(connection: Connection, refund_id: str) -> bool:
    return (
        connection.execute(
            select(payout_items.c.id).where(
                and_(
                    payout_items.c.refund_id == refund_id,
                    payout_items.c.status == ItemStatus.IN_TRANSIT.value,
                )
            )
        ).first()
        is not None
    )


# --- The customer's IBAN a failed card refund is paid to -----------------------------


def customer_iban(connection: Connection, order_id: str) -> str | None:
    return connection.execute(
        select(orders.c.customer_iban).where(orders.c.id == order_id)
    ).scalar()


def set_customer_iban(connection: Connection, order_id: str, iban: str) -> None:
    connection.execute(update(orders).where(orders.c.id == order_id).values(customer_iban=iban))
