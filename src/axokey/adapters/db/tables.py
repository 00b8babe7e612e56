"""Table definitions (SQLAlchemy Core). The single source of the schema; Alembic
migrations in ``migrations/`` are generated from it and run on SQLite and PostgreSQL.

Money columns are ``BigInteger`` minor units. Timestamps are stored as naive UTC
and returned as aware UTC (``UTCDateTime``), identically on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from axokey.adapters.db import field_encryption
from axokey.domain.errors import InvariantBroken

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, naive UTC in storage."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise InvariantBroken("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class EncryptedString(TypeDecorator[str]):
    """Personal data stored encrypted (``field_encryption``: AES-GCM, the key id in
    the value); reads give the plaintext back. Never compare such a column with a
    value in SQL (each encryption differs): look up by a blind index column."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return field_encryption.keyring_of(dialect).encrypt(
            value, purpose=field_encryption.COLUMN_PURPOSE
        )

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or field_encryption.key_id_of(value) is None:
            # None, or written before encryption existed (``axokey data reencrypt`` seals it).
            return value
        return field_encryption.keyring_of(dialect).decrypt(
            value, purpose=field_encryption.COLUMN_PURPOSE
        )


# An encrypted IBAN: "enc1:" + key id + base64 of nonce, 34 bytes and tag (< 100).
ENCRYPTED_IBAN = 255
# A blind index: hex HMAC-SHA256.
BLIND_INDEX = 64

Money = BigInteger
# An autoincrementing 64-bit key that is SQLite's rowid on SQLite.
Sequence64 = BigInteger().with_variant(Integer(), "sqlite")

ID = 40  # prefixed ids: "ord_" + 26 characters, with room to spare
LEDGER_ID = 160

parties = Table(
    "parties",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(254)),
    Column("iban", EncryptedString(ENCRYPTED_IBAN)),
    Column("bic", String(11)),
    Column("street", String(140)),
    Column("building_number", String(16)),
    Column("postcode", String(16)),
    Column("town", String(35)),
    Column("country", String(2)),
    Column("merchant_id", String(ID), ForeignKey("parties.id")),
    Column("created_at", UTCDateTime(), nullable=False),
)

# API keys: several per party (one per device or system), and the operator's people
# (``party_id`` NULL). Only SHA-256 hashes of the 256-bit secrets are stored; the
# look-up by hash is one indexed read. After a rotation the previous secret works
# until ``previous_secret_expires_at``.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("party_id", String(ID), ForeignKey("parties.id"), index=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(24), nullable=False),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("previous_secret_hash", String(64), unique=True),
    Column("previous_secret_expires_at", UTCDateTime()),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime()),
    Column("revoked_at", UTCDateTime()),
    Column("last_used_at", UTCDateTime()),
    Column("last_used_ip", String(45)),
)

# The audit trail: append-only (on PostgreSQL a trigger refuses UPDATE and DELETE,
# see ``migrations/hand_written.py``). No foreign keys: an entry outlives what it names.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("action", String(64), nullable=False, index=True),
    Column("object_id", String(LEDGER_ID), index=True),
    Column("party_id", String(ID), index=True),  # the acting party; NULL: the operator
    Column("key_id", String(ID)),
    Column("actor", String(16), nullable=False),
    Column("subject_party_id", String(ID), index=True),  # whose trail it is part of
    Column("ip", String(45)),
    Column("request_id", String(128)),
    Column("details", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(64), primary_key=True),  # hash of the caller's API key
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # in_progress | completed
    # The request that owns the key: only it may mark the key used or complete it.
    Column("owner_token", String(32), nullable=False),
    # When the owner's use case first committed (in that same transaction).
    Column("committed_at", UTCDateTime()),
    Column("response_status", Integer),
    Column("response_content_type", String(100)),
    Column("response_body", LargeBinary),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False, index=True),
    CheckConstraint("status IN ('in_progress', 'completed')", name="status_known"),
    CheckConstraint(
        "status = 'in_progress' OR response_status IS NOT NULL", name="completed_has_response"
    ),
)

ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("id", String(LEDGER_ID), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("owner_id", String(ID), index=True),
    Column("debits_must_not_exceed_credits", Boolean, nullable=False),
    Column("credits_must_not_exceed_debits", Boolean, nullable=False),
    Column("debits_pending", Money, nullable=False),
    Column("debits_posted", Money, nullable=False),
    Column("credits_pending", Money, nullable=False),
    Column("credits_posted", Money, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    CheckConstraint("debits_pending >= 0", name="debits_pending_not_negative"),
    CheckConstraint("debits_posted >= 0", name="debits_posted_not_negative"),
    CheckConstraint("credits_pending >= 0", name="credits_pending_not_negative"),
    CheckConstraint("credits_posted >= 0", name="credits_posted_not_negative"),
)
# The escrows that hold money now (open orders): the metrics' held money reads only
# these, however many orders were ever made.
Index(
    "ix_ledger_accounts_escrow_holding",
    ledger_accounts.c.currency,
    postgresql_where=(ledger_accounts.c.kind == "escrow")
    & (ledger_accounts.c.credits_posted != ledger_accounts.c.debits_posted),
    sqlite_where=(ledger_accounts.c.kind == "escrow")
    & (ledger_accounts.c.credits_posted != ledger_accounts.c.debits_posted),
)

ledger_transfers = Table(
    "ledger_transfers",
    metadata,
    Column("seq", Sequence64, primary_key=True, autoincrement=True),
    Column("id", String(LEDGER_ID), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("debit_account_id", String(LEDGER_ID), ForeignKey("ledger_accounts.id"), nullable=False),
    Column(
        "credit_account_id", String(LEDGER_ID), ForeignKey("ledger_accounts.id"), nullable=False
    ),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    # A pending transfer is resolved (posted, voided or expired) at most once:
    # the database enforces it with this unique column.
    Column("pending_id", String(LEDGER_ID), unique=True),
    Column("timeout_at", UTCDateTime()),
    Column("code", String(32), nullable=False),
    Column("order_id", String(ID), index=True),
    Column("line_id", String(ID)),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
    Index("ix_ledger_transfers_kind_timeout_at", "kind", "timeout_at"),
    Index("ix_ledger_transfers_debit_account_id", "debit_account_id"),
    Index("ix_ledger_transfers_credit_account_id", "credit_account_id"),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("debit_account_id <> credit_account_id", name="accounts_differ"),
)

products = Table(
    "products",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("supplier_id", String(ID), ForeignKey("parties.id"), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("wholesale_price", Money, nullable=False),
    Column("gtin", String(14), index=True),
    Column("deposit_bps", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("supplier_id", "sku"),
    CheckConstraint("wholesale_price > 0", name="wholesale_price_positive"),
    CheckConstraint(
        "deposit_bps IS NULL OR deposit_bps BETWEEN 0 AND 10000", name="deposit_bps_range"
    ),
)

listings = Table(
    "listings",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), ForeignKey("parties.id"), nullable=False),
    Column("product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("merchant_id", "product_id"),
    CheckConstraint("unit_price > 0", name="unit_price_positive"),
)

agreements = Table(
    "agreements",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), ForeignKey("parties.id"), nullable=False),
    Column("supplier_id", String(ID), ForeignKey("parties.id"), nullable=False),
    Column("deposit_bps", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("accepted_at", UTCDateTime()),
    Index("ix_agreements_merchant_supplier", "merchant_id", "supplier_id"),
    CheckConstraint("deposit_bps BETWEEN 0 AND 10000", name="deposit_bps_range"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), ForeignKey("parties.id"), nullable=False),
    Column("status", String(24), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("payment_mode", String(16), nullable=False),
    Column("fulfilment", String(16), nullable=False),
    Column("customer_email", String(254), nullable=False),
    # HMAC of the normalised email (field_encryption.email_index): how a customer's
    # orders are found (GET /v1/customers/data, erasure). NULL once pseudonymised.
    Column("customer_email_index", String(BLIND_INDEX), index=True),
    Column("customer_name", String(200)),
    Column("customer_iban", EncryptedString(ENCRYPTED_IBAN)),
    # When the customer's contact data was replaced by a pseudonym (erasure, retention).
    Column("customer_pseudonymised_at", UTCDateTime()),
    # The customer's language for emails and pages: "fr" or "en".
    Column("customer_locale", String(8)),
    Column("courier_id", String(ID), ForeignKey("parties.id"), index=True),
    Column("store_id", String(ID), ForeignKey("parties.id"), index=True),
    Column("delivery_fee", Money, nullable=False),
    Column("courier_fee_status", String(16), nullable=False),
    Column("amount_total", Money, nullable=False),
    Column("redeem_by", UTCDateTime(), nullable=False, index=True),
    # The customer's page link: only its hash is stored.
    Column("customer_token_hash", String(64), nullable=False, unique=True),
    # The QR code: a random reference (its HMAC-signed token is the QR payload)
    # and a short human code; rotation replaces both.
    Column("qr_reference", String(32), unique=True),
    Column("short_code", String(16), unique=True),
    # Indexed for the date filter of GET /v1/orders (created_from, created_to).
    Column("created_at", UTCDateTime(), nullable=False, index=True),
    Column("paid_at", UTCDateTime()),
    Column("closed_at", UTCDateTime()),
    CheckConstraint("amount_total > 0", name="amount_total_positive"),
    CheckConstraint("delivery_fee >= 0", name="delivery_fee_not_negative"),
    # A merchant's orders, newest first, a page at a time (GET /v1/orders): read in
    # index order however many orders the others have.
    Index("ix_orders_merchant_id_id", "merchant_id", "id"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("supplier_id", String(ID), ForeignKey("parties.id"), nullable=False, index=True),
    Column("product_kind", String(16), nullable=False),
    Column("gtin", String(14)),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("wholesale_price", Money, nullable=False),
    Column("amount", Money, nullable=False),
    Column("supplier_amount", Money, nullable=False),
    Column("commission", Money, nullable=False),
    Column("deposit_bps", Integer, nullable=False),
    Column("deposit", Money, nullable=False),
    Column("service_date", Date),
    Column("status", String(16), nullable=False),
    Column("quantity_released", Integer, nullable=False),
    Column("released_amount", Money, nullable=False),
    Column("refunded_amount", Money, nullable=False),
    Column("closed_at", UTCDateTime()),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("unit_price > 0", name="unit_price_positive"),
    CheckConstraint("wholesale_price > 0", name="wholesale_price_positive"),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("supplier_amount >= 0", name="supplier_amount_not_negative"),
    CheckConstraint("commission >= 0", name="commission_not_negative"),
    CheckConstraint("deposit_bps BETWEEN 0 AND 10000", name="deposit_bps_range"),
    CheckConstraint("deposit >= 0", name="deposit_not_negative"),
    CheckConstraint("quantity_released BETWEEN 0 AND quantity", name="quantity_released_range"),
    CheckConstraint("released_amount >= 0", name="released_amount_not_negative"),
    CheckConstraint("refunded_amount >= 0", name="refunded_amount_not_negative"),
    CheckConstraint("released_amount + refunded_amount <= amount", name="settled_within_amount"),
)

payments = Table(
    "payments",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False, index=True),
    Column("status", String(32), nullable=False),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("provider", String(16), nullable=False),
    Column("provider_reference", String(128), index=True),
    Column("provider_transaction_id", String(128)),
    Column("checkout_url", String(2000)),
    Column("next_action_url", String(2000)),
    Column("return_url", String(2000)),
    Column("failure_code", String(64)),
    # Reconciliation: when to ask the provider about this open payment next, and
    # how many times it was asked already (the delay doubles).
    Column("reconcile_after", UTCDateTime(), nullable=False, index=True),
    Column("reconcile_attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
)

provider_notifications = Table(
    "provider_notifications",
    metadata,
    Column("seq", Sequence64, primary_key=True, autoincrement=True),
    Column("provider", String(16), nullable=False),
    Column("event_id", String(128), nullable=False),
    Column("provider_reference", String(128)),
    # A verified notification's body; a rejected one keeps only its first bytes.
    Column("body", LargeBinary, nullable=False),
    Column("body_sha256", String(64), nullable=False),
    # received | processing | processed | rejected
    Column("status", String(16), nullable=False, index=True),
    Column("detail", String(500)),
    Column("attempts", Integer, nullable=False),
    Column("claimed_at", UTCDateTime()),
    Column("received_at", UTCDateTime(), nullable=False, index=True),
    Column("processed_at", UTCDateTime()),
    UniqueConstraint("provider", "event_id"),
)

# The sandbox provider's own records: what a real provider keeps on its side.
sandbox_payments = Table(
    "sandbox_payments",
    metadata,
    Column("reference", String(64), primary_key=True),
    Column("merchant_reference", String(ID), nullable=False),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(32), nullable=False),
    Column("transaction_id", String(64)),
    Column("card_last4", String(4)),
    Column("failure_code", String(64)),
    Column("return_url", String(2000)),
    Column("refunded_amount", Money, nullable=False),
    Column("event_counter", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("refunded_amount BETWEEN 0 AND amount", name="refunded_within_amount"),
    CheckConstraint("event_counter >= 0", name="event_counter_not_negative"),
)

# The sandbox's outbox: each notification it owes the app, written in the same
# transaction as the change it tells of, delivered (and retried) after.
sandbox_notifications = Table(
    "sandbox_notifications",
    metadata,
    Column("seq", Sequence64, primary_key=True, autoincrement=True),
    Column("event_id", String(128), nullable=False, unique=True),
    Column("reference", String(64), ForeignKey("sandbox_payments.reference"), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("status", String(16), nullable=False, index=True),  # pending | delivered
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("delivered_at", UTCDateTime()),
)

sandbox_refunds = Table(
    "sandbox_refunds",
    metadata,
    Column("refund_id", String(ID), primary_key=True),  # the merchant's refund id
    Column("reference", String(64), ForeignKey("sandbox_payments.reference"), nullable=False),
    Column("amount", Money, nullable=False),
    Column("status", String(16), nullable=False),
    Column("failure_code", String(64)),
    Column("created_at", UTCDateTime(), nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
)

redemptions = Table(
    "redemptions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False, index=True),
    Column("professional_id", String(ID), ForeignKey("parties.id"), nullable=False),
    Column("courier_fee_released", Money, nullable=False),
    Column("result", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    CheckConstraint("courier_fee_released >= 0", name="courier_fee_released_not_negative"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False, index=True),
    Column("line_id", String(ID), ForeignKey("order_lines.id")),
    # The ledger transfer (escrow → refunds) that set this refund's money aside.
    Column("transfer_id", String(LEDGER_ID), nullable=False, unique=True),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("method", String(8), nullable=False),  # card | sepa
    Column("status", String(16), nullable=False, index=True),
    Column("provider_refund_id", String(128)),
    Column("failure_code", String(64)),
    Column("iban", EncryptedString(ENCRYPTED_IBAN)),
    Column("payment_id", String(ID), ForeignKey("payments.id")),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("attempts >= 0", name="attempts_not_negative"),
)

# Every change of a party's IBAN, with its date: a changed IBAN is the classic
# payout fraud, so the history is kept and shown.
party_iban_changes = Table(
    "party_iban_changes",
    metadata,
    Column("seq", Sequence64, primary_key=True, autoincrement=True),
    Column("party_id", String(ID), ForeignKey("parties.id"), nullable=False, index=True),
    Column("previous_iban", EncryptedString(ENCRYPTED_IBAN)),
    Column("iban", EncryptedString(ENCRYPTED_IBAN)),
    Column("changed_by", String(16), nullable=False),  # admin | party
    Column("changed_at", UTCDateTime(), nullable=False),
)

# Payout batches: the SEPA credit transfers of one bank file. A batch's money is
# in transit (pending ledger transfers) until the bank's answer is confirmed.
payout_batches = Table(
    "payout_batches",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),  # created | executed
    Column("item_count", Integer, nullable=False),
    Column("total", Money, nullable=False),
    # The scheduled cut-off this batch was made for: one batch per cut-off and
    # currency, even with several instances running the schedule.
    Column("cutoff_key", String(64), unique=True),
    # The last ledger transfer (seq) when the batch was made: remittance texts
    # name the orders credited between the previous batch's cursor and this one.
    Column("ledger_cursor", BigInteger, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
    Column("executed_at", UTCDateTime()),
    CheckConstraint("status IN ('created', 'executed')", name="status_known"),
    CheckConstraint("item_count > 0", name="item_count_positive"),
    CheckConstraint("total > 0", name="total_positive"),
)

payout_items = Table(
    "payout_items",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("batch_id", String(ID), ForeignKey("payout_batches.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(8), nullable=False),  # payout | refund
    Column("party_id", String(ID), ForeignKey("parties.id"), index=True),
    Column("refund_id", String(ID), ForeignKey("refunds.id"), index=True),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    # The creditor as paid: a later change of the party's details never changes
    # a file already made.
    Column("creditor_name", String(200), nullable=False),
    Column("iban", EncryptedString(ENCRYPTED_IBAN), nullable=False),
    Column("bic", String(11)),
    Column("street", String(140)),
    Column("building_number", String(16)),
    Column("postcode", String(16)),
    Column("town", String(35)),
    Column("country", String(2)),
    Column("remittance", String(140), nullable=False),
    Column("status", String(16), nullable=False),  # in_transit | paid | rejected
    Column("rejection_reason", String(140)),
    Column("transfer_id", String(LEDGER_ID), nullable=False, unique=True),
    Column("resolved_at", UTCDateTime()),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("kind IN ('payout', 'refund')", name="kind_known"),
    CheckConstraint("status IN ('in_transit', 'paid', 'rejected')", name="status_known"),
    CheckConstraint(
        "(kind = 'payout' AND party_id IS NOT NULL AND refund_id IS NULL) OR "
        "(kind = 'refund' AND refund_id IS NOT NULL AND party_id IS NULL)",
        name="payee_named",
    ),
)

# One row per currency: creating a batch locks it, so two creators never gather
# the same money (PostgreSQL; SQLite serialises writers anyway).
payout_locks = Table(
    "payout_locks",
    metadata,
    Column("currency", String(3), primary_key=True),
)

# Stock per store and product: 0 <= reserved <= on_hand at every moment (the
# checks below hold it even against a bug; the repository's conditional updates
# hold it under concurrency).
stock_levels = Table(
    "stock_levels",
    metadata,
    Column("store_id", String(ID), ForeignKey("parties.id"), primary_key=True),
    Column("product_id", String(ID), ForeignKey("products.id"), primary_key=True),
    Column("on_hand", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
)

# A store order's reservation, one per line of goods: held from the order's
# creation until its hand-over (``taken`` units left on_hand) or its end (freed).
stock_reservations = Table(
    "stock_reservations",
    metadata,
    Column("line_id", String(ID), ForeignKey("order_lines.id"), primary_key=True),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False, index=True),
    Column("store_id", String(ID), ForeignKey("parties.id"), nullable=False),
    Column("product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("taken", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # held | handed_over | freed
    Column("created_at", UTCDateTime(), nullable=False),
    Column("closed_at", UTCDateTime()),
    Index("ix_stock_reservations_store_status", "store_id", "status"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("taken BETWEEN 0 AND quantity", name="taken_within_quantity"),
    CheckConstraint("status IN ('held', 'handed_over', 'freed')", name="status_known"),
)

# Carts: started online (the merchant's shop) or in a store, checked out once into
# an order; an open cart expires at ``expires_at`` (each change pushes it back).
carts = Table(
    "carts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), ForeignKey("parties.id"), nullable=False, index=True),
    Column("store_id", String(ID), ForeignKey("parties.id"), index=True),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),  # open | checked_out | expired
    Column("order_id", String(ID), ForeignKey("orders.id"), unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_carts_status_expires_at", "status", "expires_at"),
    CheckConstraint("status IN ('open', 'checked_out', 'expired')", name="status_known"),
    CheckConstraint(
        "(status = 'checked_out') = (order_id IS NOT NULL)", name="checked_out_has_order"
    ),
)

cart_lines = Table(
    "cart_lines",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cart_id", String(ID), ForeignKey("carts.id"), nullable=False, index=True),
    Column("product_id", String(ID), ForeignKey("products.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("cart_id", "product_id"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("unit_price > 0", name="unit_price_positive"),
)

# The transactional outbox: written in the same transaction as the change it
# tells of; webhook delivery reads it.
events = Table(
    "events",
    metadata,
    Column("seq", Sequence64, primary_key=True, autoincrement=True),
    Column("id", String(ID), nullable=False, unique=True),
    Column("type", String(40), nullable=False),
    Column("order_id", String(ID), index=True),
    Column("party_ids", JSON, nullable=False),
    Column("data", JSON, nullable=False),
    # The order as it stood when the event happened (every field); each reader
    # is given only the part it may see (domain/event_views.py).
    Column("snapshot", JSON),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Who may read an event (the events API, webhooks): one row per party concerned.
# The operator reads every event.
event_recipients = Table(
    "event_recipients",
    metadata,
    Column("party_id", String(ID), primary_key=True),
    Column("event_seq", BigInteger, primary_key=True),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(ID), primary_key=True),
    # The owner; NULL is the operator (receives every event).
    Column("party_id", String(ID), ForeignKey("parties.id"), index=True),
    Column("url", String(2000), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("description", String(500)),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", String(64)),
    # Secrets sign deliveries, so they are kept (not hashed); the previous one
    # keeps signing until it expires after a rotation.
    Column("secret", String(100), nullable=False),
    Column("previous_secret", String(100)),
    Column("previous_secret_expires_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# One row per (endpoint, event) to deliver: the dispatcher's work queue.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("seq", Sequence64, primary_key=True, autoincrement=True),
    Column("endpoint_id", String(ID), ForeignKey("webhook_endpoints.id"), nullable=False),
    Column("event_id", String(ID), nullable=False),
    Column("event_seq", BigInteger, nullable=False),
    # Deliveries about one object (an order) go out in event order.
    Column("object_id", String(ID), nullable=False),
    Column("status", String(16), nullable=False),  # pending | succeeded | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    # A claimed delivery is leased to one dispatcher until this time.
    Column("lease_until", UTCDateTime()),
    Column("last_attempt_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("endpoint_id", "event_id"),
    Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_endpoint_object", "endpoint_id", "object_id", "event_seq"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("seq", Sequence64, primary_key=True, autoincrement=True),
    Column("id", String(ID), nullable=False, unique=True),
    Column("delivery_seq", BigInteger, index=True),  # NULL for a test ping
    Column("endpoint_id", String(ID), nullable=False, index=True),
    Column("event_id", String(ID), nullable=False),
    Column("event_type", String(40), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Column("response_status", Integer),
    Column("error", String(200)),
    Column("duration_ms", Integer, nullable=False),
    Column("response_excerpt", String(1024)),
    Column("attempted_at", UTCDateTime(), nullable=False),
)

# The customer's emails, written with the event that causes them and sent later.
outbound_emails = Table(
    "outbound_emails",
    metadata,
    Column("seq", Sequence64, primary_key=True, autoincrement=True),
    Column("id", String(ID), nullable=False, unique=True),
    Column("kind", String(24), nullable=False),  # order_paid | refund
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False, index=True),
    Column("event_id", String(ID), nullable=False, unique=True),
    Column("details", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("lease_until", UTCDateTime()),
    Column("last_error", String(300)),
    Column("sent_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_outbound_emails_status_next_attempt_at", "status", "next_attempt_at"),
)

__all__ = [name for name, value in globals().items() if isinstance(value, Table)] + [
    "EncryptedString",
    "UTCDateTime",
    "metadata",
]
