"""The customer's emails: when an order is paid (its QR code inline, the short
code, the items, the link to the customer's page) and for each refund. Queued in
the outbox with their event (``services/events.py``), sent here with retries."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from axokey.adapters import qr_images
from axokey.adapters.db import catalog_repository, email_repository, order_repository
from axokey.adapters.email.messages import (
    Item,
    PaidOrder,
    Refund,
    order_paid_message,
    refund_message,
)
from axokey.adapters.email.transport import DirectoryTransport, EmailTransport, SmtpTransport
from axokey.domain.webhooks import after_failure, parse_retry_schedule
from axokey.services import signing
from axokey.services.context import ServiceContext

logger = logging.getLogger("axokey.emails")
BATCH_SIZE = 20
LEASE_SECONDS = 120.0


def transport_of(context: ServiceContext) -> EmailTransport | None:
    """SMTP when configured, else the demo's folder, else None (emails wait)."""
    smtp_url = context.settings.secret("smtp_url")
    if smtp_url:
        return SmtpTransport(smtp_url)
    if context.settings.email_directory:
        return DirectoryTransport(context.settings.email_directory)
    return None


def compose(context: ServiceContext, email: Any) -> EmailMessage | None:
    """The message for a queued email; None when nothing is to be sent (an order
    paid whose code was since withdrawn: cancelled or closed)."""
    with context.database.read() as connection:
        order = order_repository.load_order(connection, email.order_id)
        assert order is not None
        found = email_repository.order_codes_and_merchant(connection, email.order_id)
        products = catalog_repository.products_by_ids(
            connection, [line.product_id for line in order.lines]
        )
    names = {product_id: product.name for product_id, product in products.items()}
    locale = order.customer.locale
    link = signing.customer_url(context, order.id)
    sender = context.settings.email_from
    now = context.now()
    if email.kind == "order_paid":
        if found.qr_reference is None:
            return None
        paid = PaidOrder(
            order_id=order.id,
            merchant_name=found.merchant_name,
            customer_name=order.customer.name,
            short_code=signing.display_short_code(found.short_code),
            qr_png=qr_images.qr_png(signing.qr_payload(context, found.qr_reference)),
            items=[
                Item(names.get(line.product_id, line.product_id), line.quantity, line.amount)
                for line in order.lines
            ],
            total=order.amount_total,
            currency=order.currency,
            link=link,
        )
        return order_paid_message(
            paid, sender=sender, to=order.customer.email, locale=locale, now=now
        )
    details = email.details
    line = order.line(details["line_id"]) if details.get("line_id") else None
    refund = Refund(
        order_id=order.id,
        merchant_name=found.merchant_name,
        customer_name=order.customer.name,
        amount=int(details["amount"]),
        currency=str(details.get("currency") or order.currency),
        item_name=names.get(line.product_id) if line is not None else None,
        link=link,
    )
    return refund_message(refund, sender=sender, to=order.customer.email, locale=locale, now=now)


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0


def send_due(context: ServiceContext, transport: EmailTransport) -> SendReport:
    """One round: lease due emails, send each, record the outcome."""
    schedule = parse_retry_schedule(context.settings.email_retry_schedule_seconds)
    now = context.now()
    due = context.database.run(
        lambda connection: email_repository.claim_due(
            connection, now=now, limit=BATCH_SIZE, lease_seconds=LEASE_SECONDS
        )
    )
    report = SendReport()
    for email in due:
        error: str | None = None
        status = "sent"
        try:
            message = compose(context, email)
            if message is None:
                status = "skipped"
            else:
                transport.send(message, name=f"{email.id}-{email.kind}")
        except Exception as failure:  # noqa: BLE001 (SMTP, network or composing: retried later)
            logger.warning("email %s not sent: %s", email.id, failure)
            error = f"{type(failure).__name__}: {failure}"
            status = "pending"
        attempts = email.attempts + 1
        retry_at = None
        if status == "pending":
            retry_at = after_failure(attempts, schedule, context.now()).retry_at
            if retry_at is None:
                status = "failed"

        def record(
            connection: Any,
            email: Any = email,
            status: str = status,
            attempts: int = attempts,
            retry_at: Any = retry_at,
            error: str | None = error,
        ) -> None:
            email_repository.finish(
                connection,
                email.seq,
                status=status,
                attempts=attempts,
                next_attempt_at=retry_at,
                error=error,
                now=context.now(),
            )

        context.database.run(record)
        if status == "sent":
            report.sent += 1
        elif status == "pending":
            report.retried += 1
        elif status == "failed":
            report.failed += 1
        else:
            report.skipped += 1
    return report


def send_until_idle(
    context: ServiceContext, transport: EmailTransport, rounds_max: int = 100
) -> SendReport:
    total = SendReport()
    for _ in range(rounds_max):
        report = send_due(context, transport)
        if not (report.sent or report.retried or report.failed or report.skipped):
            break
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(report, name))
    return total
