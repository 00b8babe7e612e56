"""The customers' personal data: their rights (access and portability, erasure), its
retention, and the rotation of the keys that encrypt it at rest.

The customer is found by the blind index of their normalised email, never by
scanning clear text. Erasure pseudonymises: the email and the name become a stable
pseudonym (the same email always gives the same one, so an accountant can still see
that two orders had one customer), the IBAN goes once no refund needs it; every
amount and ledger transfer stays (``domain/personal_data.py`` says what stays and why).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from axokey.adapters.db import (
    api_key_repository,
    audit_repository,
    field_encryption,
    personal_data_repository,
)
from axokey.adapters.db.transaction import Connection
from axokey.domain import personal_data
from axokey.domain.audit import Action
from axokey.domain.parties import Principal, Role
from axokey.services import audit
from axokey.services.context import ServiceContext
from axokey.services.parties import require_role

logger = logging.getLogger("axokey.personal_data")

DAYS_PER_MONTH = 30.44
RETENTION_BATCH_SIZE = 200
REENCRYPT_PAGE_SIZE = 500
# What re-encryption raises when a data key is malformed or a value cannot be
# decrypted with any configured key (the command line reports it).
DATA_KEY_ERRORS = (field_encryption.DataKeyError, field_encryption.UndecryptableValue)


def export_customer_data(
    context: ServiceContext, principal: Principal, email: str
) -> dict[str, Any]:
    """Everything held about the customer of ``email`` (operator only): their orders
    with lines, payments, refunds, the transfers that paid them, events and emails.
    Articles 15 and 20 of the GDPR. The audit trail records who read it (by the
    customer's pseudonym: the trail holds no email)."""
    require_role(principal, Role.ADMIN)
    normalised = field_encryption.normalise_email(email)

    def export_and_record(connection: Connection) -> dict[str, Any]:
        order_ids = personal_data_repository.order_ids_by_email(connection, email)
        exported = {
            "email": normalised,
            "orders": personal_data_repository.export_orders(connection, order_ids),
        }
        pseudonym = field_encryption.keyring_for(connection).pseudonym(normalised)
        audit.record(
            connection,
            context,
            principal,
            Action.CUSTOMER_DATA_EXPORTED,
            object_id=personal_data.pseudonym_email(pseudonym),
            details={"orders": len(order_ids)},
        )
        return exported

    return context.database.run(export_and_record)


def _erase_order(
    connection: Connection,
    context: ServiceContext,
    order: personal_data_repository.CustomerOrder,
    pseudonym: str,
) -> dict[str, Any]:
    decision = personal_data.decide_erasure(
        status=order.status,
        has_iban=order.has_iban,
        open_refund_methods=tuple(method for method, _status in order.open_refunds),
        retention_until=personal_data.accounting_retention_until(
            order.closed_at, order.created_at.year
        ),
        refund_transferred=order.refund_transferred,
    )
    if decision.pseudonymise:
        personal_data_repository.pseudonymise_order_customer(
            connection,
            order.order_id,
            pseudonym_email=personal_data.pseudonym_email(pseudonym),
            pseudonym_name=personal_data.pseudonym_name(pseudonym),
            remove_iban=decision.remove_iban,
            now=context.now(),
        )
    return {
        "order_id": order.order_id,
        "order_status": order.status,
        "pseudonymised": decision.pseudonymise,
        "iban_removed": decision.remove_iban,
        "kept": [asdict(kept) for kept in decision.kept],
    }


def erase_customer(context: ServiceContext, principal: Principal, email: str) -> dict[str, Any]:
    """Pseudonymise the customer of ``email`` at once wherever no obligation requires
    keeping their data (operator only), and say what was kept and why. Article 17."""
    require_role(principal, Role.ADMIN)
    normalised = field_encryption.normalise_email(email)

    def pseudonymise_customer(connection: Connection) -> dict[str, Any]:
        pseudonym = field_encryption.keyring_for(connection).pseudonym(normalised)
        order_ids = personal_data_repository.order_ids_by_email(connection, email, lock=True)
        results = [
            _erase_order(connection, context, order, pseudonym)
            for order in personal_data_repository.customer_orders(connection, order_ids)
        ]
        report = {
            "pseudonym": personal_data.pseudonym_email(pseudonym),
            "orders_found": len(results),
            "orders_pseudonymised": sum(1 for result in results if result["pseudonymised"]),
            "orders": results,
        }
        audit.record(
            connection,
            context,
            principal,
            Action.CUSTOMER_ERASED,
            object_id=personal_data.pseudonym_email(pseudonym),
            details={
                "orders_found": report["orders_found"],
                "orders_pseudonymised": report["orders_pseudonymised"],
                "kept": sorted({kept["reason"] for result in results for kept in result["kept"]}),
            },
        )
        return report

    report = context.database.run(pseudonymise_customer)
    if report["orders_pseudonymised"]:
        context.database.forget_old_versions()
    logger.info(
        "customer erasure: %s orders found, %s pseudonymised",
        report["orders_found"],
        report["orders_pseudonymised"],
    )
    return report


def apply_retention(context: ServiceContext) -> int:
    """Pseudonymise the customers of orders closed longer ago than the contact data's
    retention period (``AXOKEY_CUSTOMER_CONTACT_RETENTION_MONTHS``), as erasure would
    (an order with a refund still to pay waits). One batch per call; the sweep calls it.
    Returns how many orders it pseudonymised."""
    months = context.settings.customer_contact_retention_months
    cutoff = context.now() - timedelta(days=months * DAYS_PER_MONTH)

    def pseudonymise_expired_contacts(connection: Connection) -> int:
        order_ids = personal_data_repository.orders_closed_before(
            connection, cutoff, RETENTION_BATCH_SIZE
        )
        keyring = field_encryption.keyring_for(connection)
        done = 0
        for order in personal_data_repository.customer_orders(connection, order_ids):
            email = personal_data_repository.customer_email_of(connection, order.order_id)
            pseudonym = keyring.pseudonym(field_encryption.normalise_email(email))
            if _erase_order(connection, context, order, pseudonym)["pseudonymised"]:
                done += 1
        return done

    done = context.database.run(pseudonymise_expired_contacts)
    if done:
        context.database.forget_old_versions()
    return done


def apply_address_retention(context: ServiceContext) -> int:
    """Clear the client addresses (IP) recorded longer ago than their retention period
    (``AXOKEY_CLIENT_ADDRESS_RETENTION_MONTHS``, 12 by default): in the audit trail and
    in API keys' last use. The entries themselves stay. The sweep calls it. Returns
    how many addresses it cleared."""
    months = context.settings.client_address_retention_months
    cutoff = context.now() - timedelta(days=months * DAYS_PER_MONTH)

    def clear_old_addresses(connection: Connection) -> int:
        return audit_repository.forget_addresses_before(
            connection, cutoff
        ) + api_key_repository.forget_addresses_before(connection, cutoff)

    return context.database.run(clear_old_addresses)


def reencrypt_personal_data(
    context: ServiceContext,
    *,
    on_column: Callable[[str, int], None] = lambda _name, _total: None,
    on_progress: Callable[[int], None] = lambda _advanced: None,
) -> dict[str, int]:
    """Rewrite every encrypted value under the newest data key, and every email blind
    index with it; one transaction per page, so it can run beside the service and be
    run again. Returns the values rewritten, by column."""
    rewritten: dict[str, int] = {}
    for encrypted in personal_data_repository.encrypted_columns():
        with context.database.read() as connection:
            total = personal_data_repository.count_values(connection, encrypted)
        on_column(encrypted.name, total)
        rewritten[encrypted.name] = 0
        after: Any = None
        while True:

            def page(
                connection: Connection,
                after: Any = after,
                encrypted: personal_data_repository.EncryptedColumn = encrypted,
            ) -> tuple[int, int, Any]:
                return personal_data_repository.reencrypt_page(
                    connection, encrypted, after=after, limit=REENCRYPT_PAGE_SIZE
                )

            seen, changed, after = context.database.run(page)
            rewritten[encrypted.name] += changed
            on_progress(seen)
            if seen < REENCRYPT_PAGE_SIZE:
                break
    with context.database.read() as connection:
        total = personal_data_repository.count_email_indexes(connection)
    on_column("orders.customer_email_index", total)
    rewritten["orders.customer_email_index"] = 0
    last: str | None = None
    while True:

        def reindex(connection: Connection, after: str | None = last) -> tuple[int, Any]:
            return personal_data_repository.reindex_emails_page(
                connection, after=after, limit=REENCRYPT_PAGE_SIZE
            )

        seen, last = context.database.run(reindex)
        rewritten["orders.customer_email_index"] += seen
        on_progress(seen)
        if seen < REENCRYPT_PAGE_SIZE:
            break
    return rewritten
