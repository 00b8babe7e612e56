"""What the operations endpoints read: the schema's revision, the money held in
escrow per currency, the webhook deliveries owed."""

from __future__ import annotations

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from axokey.adapters.db.tables import ledger_accounts, webhook_deliveries
from axokey.domain.accounts import ESCROW


def schema_revision(connection: Connection) -> str | None:
    """The migration the database is at (alembic's version table), or None."""
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def held_in_escrow(connection: Connection) -> dict[str, int]:
    """The posted balance of every escrow account that holds money, per currency.

    Only open orders' escrows hold money: the partial index
    ``ix_ledger_accounts_escrow_holding`` lists just those, so the cost follows the
    open orders, not every order ever made."""
    held = ledger_accounts.c.credits_posted - ledger_accounts.c.debits_posted
    rows = connection.execute(
        select(ledger_accounts.c.currency, func.sum(held))
        .where(
            ledger_accounts.c.kind == ESCROW,
            ledger_accounts.c.credits_posted != ledger_accounts.c.debits_posted,
        )
        .group_by(ledger_accounts.c.currency)
    )
    return {currency: int(amount or 0) for currency, amount in rows}


def webhook_deliveries_owed(connection: Connection) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(webhook_deliveries)
            .where(webhook_deliveries.c.status == "pending")
        ).scalar_one()
    )
