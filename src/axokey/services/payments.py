"""Pay-in: checkout, the provider's notifications, reconciliation, and the
capture into escrow.

Per STYLE.md: a provider's notification is stored first and acknowledged, then
processed once per provider event id; the payment's status is always confirmed by
asking the provider (``fetch_status``) before acting, so an unsigned or replayed
callback can never capture money on its own. The provider is never called
inside a database transaction: record the intent, commit, call, record the result.

Nothing is lost to a crash: a notification stored but not processed is processed
by the next reconciliation (the sweep, and ``serve`` at start), and a payment still
open after ``payment_reconcile_after_seconds`` is asked about again, through the
same path as a notification. What the payment may become is decided by its state
machine (``domain/payments.py``); this module only persists those decisions.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from axokey.adapters.db import (
    event_repository,
    ledger_store,
    notification_repository,
    order_repository,
    payment_repository,
)
from axokey.adapters.db.transaction import Connection
from axokey.adapters.providers.base import (
    CheckoutRequest,
    HostedTestPayments,
    InvalidNotification,
    PaymentProvider,
    ProviderError,
    ProviderPaymentState,
    UnrecognisedProviderAnswer,
)
from axokey.domain import accounts
from axokey.domain import payments as payment_states
from axokey.domain.errors import AxokeyError, Conflict, NotFound, ProviderUnavailable
from axokey.domain.identifiers import new_id
from axokey.domain.orders import Order, OrderStatus
from axokey.domain.parties import Principal, Role
from axokey.domain.payments import (
    MoneyAction,
    Payment,
    PaymentStatus,
    PaymentTransitionRefused,
    ProviderReport,
)
from axokey.domain.refunds import refuse_foreign_currency_payment, refuse_payment
from axokey.services import refunding, signing, stock
from axokey.services.context import ServiceContext
from axokey.services.events import record_event, record_order_events
from axokey.services.ledger import post_or_raise
from axokey.services.parties import require_role

__all__ = ["Payment"]

PAYMENT_ATTEMPTS_PER_ORDER_MAX = 20
# A rejected notification keeps its hash and this many first bytes, not its body.
REJECTED_BODY_PREFIX_BYTES = 64
# Outcome of a notification stored (and acknowledged) whose processing failed: the
# next reconciliation processes it.
STORED_FOR_LATER = "stored"

logger = logging.getLogger("axokey.payments")


class InvalidNotificationError(AxokeyError):
    # 403: a notification that does not verify is not the provider's (its signature
    # is its credential); well-formed or not, the document cannot tell it apart.
    status = 403
    code = "invalid_notification"
    title = "Notification rejected"


@dataclass(frozen=True)
class ReconciliationReport:
    notifications_redelivered: int = 0
    notifications_processed: int = 0
    payments_synchronised: int = 0
    payments_captured: int = 0


def _reconcile_delay(context: ServiceContext, attempts: int) -> timedelta:
    settings = context.settings
    return timedelta(
        seconds=payment_states.reconcile_delay_seconds(
            settings.payment_reconcile_after_seconds,
            attempts,
            cap_seconds=settings.payment_reconcile_delay_max_seconds,
        )
    )


# --- checkout ----------------------------------------------------------------


def start_checkout(
    context: ServiceContext, principal: Principal, order_id: str, return_url: str | None
) -> Payment:
    """The merchant asks for a hosted payment page for an unpaid order."""
    require_role(principal, Role.MERCHANT)
    return _start_checkout(context, order_id, return_url, merchant_id=principal.party_id)


def start_checkout_for_customer(context: ServiceContext, order_id: str, token: str) -> Payment:
    """The customer, from the order page's link, starts (or retries) a payment."""
    if not signing.customer_link_matches(context, order_id, token):
        raise NotFound("order not found", code="order_not_found")
    # The provider sends the browser back there (PayXpert by a form POST), which
    # synchronises the payment and redirects to the customer's page.
    return_url = signing.customer_url(context, order_id) + "/return"
    return _start_checkout(context, order_id, return_url, merchant_id=None)


def _start_checkout(
    context: ServiceContext, order_id: str, return_url: str | None, *, merchant_id: str | None
) -> Payment:
    provider = context.provider
    payment_id = new_id("pay")
    now = context.now()

    def record_intent(connection: Connection) -> Order:
        order = order_repository.load_order(connection, order_id, lock=True)
        if order is None or (merchant_id is not None and order.merchant_id != merchant_id):
            raise NotFound(f"order {order_id} not found", code="order_not_found")
        if order.status is not OrderStatus.AWAITING_PAYMENT:
            raise Conflict(f"the order is {order.status.value}", code="order_not_payable")
        if not order.accepts_payment(now, context.settings.itinerary_grace):
            raise Conflict("the order's deadline has passed", code="order_expired")
        attempts = payment_repository.count_for_order(connection, order_id)
        if attempts >= PAYMENT_ATTEMPTS_PER_ORDER_MAX:
            raise Conflict("too many payment attempts for this order", code="too_many_attempts")
        payment_repository.add_payment(
            connection,
            payment_id=payment_id,
            order_id=order_id,
            amount=order.amount_total,
            currency=order.currency,
            provider=provider.name,
            return_url=return_url,
            now=now,
            reconcile_after=now + _reconcile_delay(context, 0),
        )
        return order

    order = context.database.run(record_intent)
    base = context.settings.public_base_url.rstrip("/")
    try:
        session = provider.start_checkout(
            CheckoutRequest(
                payment_id=payment_id,
                order_id=order.id,
                amount_minor=order.amount_total,
                currency=order.currency,
                customer_email=order.customer.email,
                return_url=return_url,
                notification_url=f"{base}/v1/providers/{provider.name}/notifications",
            )
        )
    except ProviderError as error:
        _fail_open_payment(context, payment_id, "provider_unavailable")
        raise ProviderUnavailable(f"the payment provider is unavailable: {error}") from error

    def record_session(connection: Connection) -> Payment:
        payment = payment_repository.record_session(
            connection,
            payment_id,
            reference=session.provider_reference,
            checkout_url=session.checkout_url,
            now=context.now(),
        )
        assert payment is not None
        return payment

    return context.database.run(record_session)


def _fail_open_payment(context: ServiceContext, payment_id: str, failure_code: str) -> None:
    """A payment that never reached a checkout page: failed (if still open)."""

    def record_failure(connection: Connection) -> None:
        payment = payment_repository.load_payment(connection, payment_id, lock=True)
        if payment is None or payment.status not in payment_states.OPEN_STATUSES:
            return
        payment_repository.save_status(
            connection,
            payment_id,
            expected=payment.status,
            status=payment_states.move(payment.status, PaymentStatus.FAILED),
            failure_code=failure_code,
            now=context.now(),
        )

    context.database.run(record_failure)


def get_payment(context: ServiceContext, principal: Principal, payment_id: str) -> Payment:
    with context.database.read() as connection:
        found = payment_repository.load_with_merchant(connection, payment_id)
    if found is None or not (principal.is_admin or principal.party_id == found[1]):
        raise NotFound(f"payment {payment_id} not found", code="payment_not_found")
    return found[0]


def provider_reference_of(context: ServiceContext, payment_id: str) -> tuple[str, str]:
    """(provider, provider_reference) of a payment, for the sandbox's customer API."""
    with context.database.read_one_statement() as connection:
        payment = payment_repository.load_payment(connection, payment_id)
    if payment is None or payment.provider_reference is None:
        raise NotFound(f"payment {payment_id} not found", code="payment_not_found")
    return payment.provider, payment.provider_reference


def order_payment_references(
    context: ServiceContext, order_id: str
) -> list[tuple[str, str, PaymentStatus]]:
    """An order's payments at a provider, newest first: (provider, reference, status)."""
    with context.database.read() as connection:
        found = payment_repository.references_of_order(
            connection, order_id, limit=PAYMENT_ATTEMPTS_PER_ORDER_MAX
        )
    return [(payment.provider, reference, payment.status) for payment, reference in found]


def payment_by_reference(context: ServiceContext, provider: str, reference: str) -> Payment:
    with context.database.read_one_statement() as connection:
        payment = payment_repository.find_by_reference(connection, provider, reference)
    if payment is None:
        raise NotFound("payment not found", code="payment_not_found")
    return payment


def last_payment(connection: Connection, order_id: str) -> Payment | None:
    """The order's latest payment attempt."""
    return payment_repository.last_for_order(connection, order_id)


def enabled_sandbox(context: ServiceContext) -> HostedTestPayments:
    """The sandbox's customer side, when the sandbox is the configured provider
    (else 404)."""
    configured = context.settings.provider == "sandbox" and "sandbox" in context.providers
    if not configured or context.test_payments is None:
        raise NotFound("the sandbox is not enabled", code="sandbox_disabled")
    return context.test_payments


def pay_in_sandbox(
    context: ServiceContext, payment_id: str, card_number: str, otp: str | None
) -> Payment:
    """Sandbox only: play the customer on the hosted page — a card, and the 3-D
    Secure one-time code when the card asks for one."""
    sandbox = enabled_sandbox(context)
    provider, reference = provider_reference_of(context, payment_id)
    if provider != sandbox.name:
        raise Conflict("this payment is not a sandbox payment", code="not_a_sandbox_payment")
    if sandbox.fetch_status(reference).status is PaymentStatus.REQUIRES_ACTION:
        if otp is None:
            raise Conflict("the 3-D Secure challenge needs the one-time code", code="otp_required")
        sandbox.complete_challenge(reference, otp)
    else:
        sandbox.submit_card(reference, card_number, otp)
    return payment_by_reference(context, sandbox.name, reference)


# --- notifications -----------------------------------------------------------


def _notifying_provider(context: ServiceContext, provider_name: str) -> PaymentProvider:
    """Only the configured provider may notify us (the sandbox only when it is the
    provider): any other name is 404, and nothing is stored."""
    provider = context.providers.get(provider_name)
    if provider is None or provider_name != context.settings.provider:
        raise NotFound(f"unknown provider {provider_name}", code="unknown_provider")
    return provider


def receive_notification(
    context: ServiceContext, provider_name: str, headers: Mapping[str, str], body: bytes
) -> str:
    """A provider tells us something changed. Store, then process once.

    Returns ``processed``, ``duplicate`` (stored before: processed, or being
    processed by another worker) or ``stored`` (kept, but processing failed: the
    next reconciliation does it); raises ``InvalidNotificationError`` for a
    notification that does not verify, of which only a hash and the first bytes
    are kept.
    """
    provider = _notifying_provider(context, provider_name)
    now = context.now()
    digest = hashlib.sha256(body).hexdigest()
    try:
        notification = provider.parse_notification(headers, body)
    except InvalidNotification as error:
        reason = str(error)
        context.database.run(
            lambda connection: notification_repository.store(
                connection,
                provider=provider_name,
                event_id=f"rejected:{digest}",
                provider_reference=None,
                body=body[:REJECTED_BODY_PREFIX_BYTES],
                body_sha256=digest,
                status=notification_repository.REJECTED,
                detail=reason,
                now=now,
            )
        )
        raise InvalidNotificationError("the notification does not verify") from error
    stale_before = now - timedelta(seconds=context.settings.payment_reconcile_after_seconds)

    def store_and_claim(connection: Connection) -> tuple[bool, Payment | None]:
        # New: stored already claimed by this worker (one statement).
        claimed = notification_repository.store(
            connection,
            provider=provider_name,
            event_id=notification.event_id,
            provider_reference=notification.provider_reference,
            body=body,
            body_sha256=digest,
            status=notification_repository.PROCESSING,
            detail=None,
            now=now,
            claimed=True,
        ) or notification_repository.claim(
            # Stored before but never processed (its worker died): process it now.
            connection,
            provider_name,
            notification.event_id,
            now=now,
            stale_before=stale_before,
        )
        # The payment it is about, read here rather than in a transaction of its own.
        reference = notification.provider_reference
        known = (
            payment_repository.find_by_reference(connection, provider_name, reference)
            if claimed and reference is not None
            else None
        )
        return claimed, known

    claimed, known = context.database.run(store_and_claim)
    if not claimed:
        return "duplicate"
    return _process_claimed(
        context,
        provider_name,
        notification.event_id,
        notification.provider_reference,
        known=known,
    )


def acknowledgement(context: ServiceContext, provider_name: str, outcome: str) -> dict[str, str]:
    """What to answer the provider for a stored notification (its own format)."""
    return _notifying_provider(context, provider_name).acknowledge_notification(outcome)


class NotRead(Enum):
    """A payment the caller has not read (as opposed to one it found missing)."""

    NOT_READ = "not_read"


NOT_READ = NotRead.NOT_READ


def _process_claimed(
    context: ServiceContext,
    provider_name: str,
    event_id: str,
    reference: str | None,
    *,
    known: Payment | NotRead | None = NOT_READ,
) -> str:
    """Process a notification this worker claimed; mark it processed, or give it
    back for the next reconciliation when the provider cannot be asked.
    ``known``: the payment of ``reference`` (or None), when the caller read it."""
    try:
        detail = (
            synchronise_payment(context, provider_name, reference, known=known)
            if reference is not None
            else "no_reference"
        )
    except PaymentTransitionRefused as error:
        # The provider reports a move the payment cannot make: recorded, not applied.
        logger.error("notification %s/%s: %s", provider_name, event_id, error.detail)
        detail = f"{error.code}: {error.detail}"
    except Exception as error:  # stored and acknowledged: reconciliation retries it
        logger.exception("notification %s/%s: processing failed", provider_name, event_id)
        failure = f"failed: {error!r}"
        context.database.run(
            lambda connection: notification_repository.release(
                connection, provider_name, event_id, detail=failure
            )
        )
        return STORED_FOR_LATER
    context.database.run(
        lambda connection: notification_repository.finish(
            connection, provider_name, event_id, detail=detail, now=context.now()
        )
    )
    return "processed"


def synchronise_payment(
    context: ServiceContext,
    provider_name: str,
    reference: str,
    *,
    known: Payment | NotRead | None = NOT_READ,
) -> str:
    """Ask the provider for a payment's status and apply it (capture on success).
    The one path by which a provider's word changes a payment: notifications and
    reconciliation both come here. ``known``: the payment of ``reference`` (or
    None) as the caller just read it, so as not to read it again."""
    provider = context.providers[provider_name]
    if isinstance(known, NotRead):
        with context.database.read() as connection:
            known = payment_repository.find_by_reference(connection, provider_name, reference)
    if known is None:
        # Not one of ours (the provider's own test event, or a stale one): nothing to
        # do, and nothing to ask the provider.
        return "unknown_payment"
    found: Payment = known
    try:
        state = provider.fetch_status(reference)
    except UnrecognisedProviderAnswer as error:
        # Never guessed at: the payment stays as it is; an operator looks.
        alert_operator(context, provider_name, reference, "unrecognised_answer", str(error))
        return "unrecognised_answer"
    except ProviderError as error:
        raise ProviderUnavailable(f"the payment provider is unavailable: {error}") from error

    def apply_state(connection: Connection) -> tuple[str, list[str]]:
        # Lock order: the order first, then its payment (everyone does the same).
        order = order_repository.load_order(connection, found.order_id, lock=True)
        assert order is not None
        payment = payment_repository.load_payment(connection, found.id, lock=True)
        assert payment is not None
        return _apply_state(connection, context, order, payment, provider_name, state)

    outcome, card_refunds = context.database.run(apply_state)
    refunding.send_card_refunds(context, card_refunds)
    if outcome == AUTHORISATION_TO_RELEASE and state.transaction_id is not None:
        return _release_authorisation(context, provider_name, state)
    return outcome


AUTHORISATION_TO_RELEASE = "authorisation_to_release"
FAILURE_AUTHORISATION_RELEASED = "authorisation_released"


def _release_authorisation(
    context: ServiceContext, provider_name: str, state: ProviderPaymentState
) -> str:
    """An authorisation was taken instead of a sale: void it now, never let it lapse.
    If the provider does not release it, the operator is told and the caller sees
    the provider as unavailable (a callback is then delivered again, and retried)."""
    assert state.transaction_id is not None
    try:
        context.providers[provider_name].release_authorisation(
            provider_reference=state.provider_reference,
            transaction_id=state.transaction_id,
            amount_minor=state.amount_minor,
        )
    except ProviderError as error:
        alert_operator(
            context,
            provider_name,
            state.provider_reference,
            "authorisation_release_failed",
            str(error)[:300],
        )
        raise ProviderUnavailable(f"the authorisation was not released: {error}") from error

    context.database.run(
        lambda connection: payment_repository.set_failure_code_of_failed(
            connection,
            provider_name,
            state.provider_reference,
            failure_code=FAILURE_AUTHORISATION_RELEASED,
            now=context.now(),
        )
    )
    return FAILURE_AUTHORISATION_RELEASED


def alert_operator(
    context: ServiceContext, provider_name: str, reference: str, reason: str, detail: str
) -> None:
    """A ``payment.attention_required`` event (GET /v1/payment-alerts, the dashboard),
    once per payment, reason and detail."""
    now = context.now()

    def record_the_alert_once(connection: Connection) -> None:
        found = payment_repository.find_by_reference(connection, provider_name, reference)
        if found is None:
            return
        data = {
            "payment_id": found.id,
            "provider": provider_name,
            "reason": reason,
            "detail": detail[:300],
        }
        for event_type, seen in event_repository.events_of_order(connection, found.order_id):
            if event_type == "payment.attention_required" and all(
                seen.get(key) == value for key, value in data.items()
            ):
                return
        order = order_repository.load_order(connection, found.order_id)
        record_event(connection, "payment.attention_required", now=now, order=order, data=data)

    context.database.run(record_the_alert_once)
    logger.error(
        "payment %s at %s needs attention: %s (%s)", reference, provider_name, reason, detail
    )


def _apply_state(
    connection: Connection,
    context: ServiceContext,
    order: Order,
    payment: Payment,
    provider_name: str,
    state: ProviderPaymentState,
) -> tuple[str, list[str]]:
    now = context.now()
    if payment_states.is_final(payment.status, payment.failure_code):
        if payment.status is PaymentStatus.SUCCEEDED:
            return "already_succeeded", []
        return "already_refunded", []
    decision = payment_states.decide(
        payment.status,
        payment.failure_code,
        amount_minor=payment.amount,
        currency=payment.currency,
        report=ProviderReport(state.status, state.amount_minor, state.currency, state.failure_code),
        order_can_take_it=order.accepts_payment(now, context.settings.itinerary_grace),
    )
    saved = payment_repository.save_status(
        connection,
        payment.id,
        expected=payment.status,
        status=decision.status,
        failure_code=decision.failure_code,
        now=now,
        next_action_url=state.next_action_url,
        transaction_id=state.transaction_id,
    )
    if not saved:  # cannot happen under the order's lock: never write over a change
        raise Conflict("the payment changed meanwhile", code="payment_changed")
    attempt_changed = (decision.failure_code, state.transaction_id) != (
        payment.failure_code,
        payment.provider_transaction_id,
    )
    if (
        decision.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
        and decision.failure_code
        and attempt_changed
    ):
        # A refused attempt on a page that allows another: told, kept after success.
        record_event(
            connection,
            "payment.attempt_failed",
            now=now,
            order=order,
            data={
                "payment_id": payment.id,
                "failure_code": decision.failure_code,
                "provider_transaction_id": state.transaction_id,
            },
        )
    if decision.status in payment_states.OPEN_STATUSES:
        attempts = payment.reconcile_attempts + 1
        payment_repository.schedule_reconciliation(
            connection,
            payment.id,
            after=now + _reconcile_delay(context, attempts),
            attempts=attempts,
        )
    if state.authorisation_to_release:
        if decision.failure_code != payment.failure_code:
            record_event(
                connection,
                "payment.attention_required",
                now=now,
                order=order,
                data={
                    "payment_id": payment.id,
                    "provider": provider_name,
                    "reason": "authorisation_instead_of_sale",
                    "detail": f"transaction {state.transaction_id} authorised, not captured: "
                    "it is being released",
                },
            )
        return AUTHORISATION_TO_RELEASE, []
    if decision.action is MoneyAction.CAPTURE:
        capture(connection, context, order, provider_name)
        return decision.outcome, []
    if decision.action is MoneyAction.REFUND_WHOLE:
        return decision.outcome, _refund_whole(
            connection, context, order, payment, provider_name, state, decision.failure_code
        )
    return decision.outcome, []


def _refund_whole(
    connection: Connection,
    context: ServiceContext,
    order: Order,
    payment: Payment,
    provider_name: str,
    state: ProviderPaymentState,
    failure_code: str | None,
) -> list[str]:
    """The provider took money this order cannot take (paid twice, too late, after
    a cancellation, another amount or currency): into the ledger, and straight
    back, whole. Returns the card refunds to send after commit."""
    now = context.now()
    if failure_code == payment_states.CURRENCY_MISMATCH:
        decision = refuse_foreign_currency_payment(
            order,
            payment_id=payment.id,
            amount=state.amount_minor,
            currency=state.currency,
            provider=provider_name,
        )
    else:
        decision = refuse_payment(
            order,
            payment_id=payment.id,
            amount=state.amount_minor,
            provider=provider_name,
            now=now,
            amount_mismatch=failure_code == payment_states.AMOUNT_MISMATCH,
        )
    ledger_store.ensure_accounts(
        connection,
        [
            accounts.escrow_account(order.id, order.currency),
            accounts.escrow_account(payment.id, state.currency),
            accounts.clearing_account(provider_name, state.currency),
            accounts.refunds_account(state.currency),
        ],
        now,
    )
    post_or_raise(connection, context, decision.transfers, now=now)
    order_repository.save_order(connection, order)
    record_order_events(connection, order, decision.events, now=now)
    stock.settle_reservations(connection, order, now=now)  # an unpaid order expired
    if failure_code in payment_states.REFUSED_WHOLE_CODES:
        logger.error(
            "payment %s: the provider took %s %s, not %s %s: refunded whole",
            payment.id,
            state.amount_minor,
            state.currency,
            payment.amount,
            payment.currency,
        )
        record_event(
            connection,
            "payment.refused",
            now=now,
            order=order,
            data={
                "payment_id": payment.id,
                "reason": failure_code,
                "amount": state.amount_minor,
                "currency": state.currency,
                "expected_amount": payment.amount,
                "expected_currency": payment.currency,
            },
        )
    return refunding.record_refunds(
        connection,
        context,
        order,
        decision.refunds,
        payment_id=payment.id,
        currency=state.currency,
    )


# --- reconciliation ----------------------------------------------------------


def reconcile(context: ServiceContext, *, limit: int) -> ReconciliationReport:
    """Make sure no charged customer is left without escrow, after any crash:

    1. the configured provider delivers again what it still owes us (the sandbox's
       outbox; a remote provider retries by itself);
    2. notifications stored but not processed (released after a failure, or
       claimed by a worker that died) are processed;
    3. payments still open after their reconciliation time are asked about
       (``fetch_status``) and the answer applied exactly as a notification's.

    Each step takes at most ``limit`` items per call.
    """
    now = context.now()
    redelivered = 0
    configured = context.providers.get(context.settings.provider)
    if configured is not None:
        try:
            redelivered = configured.deliver_pending_notifications(limit=limit)
        except Exception:
            logger.exception("reconciliation: redelivering notifications failed")
    stale_before = now - timedelta(seconds=context.settings.payment_reconcile_after_seconds)
    with context.database.read() as connection:
        waiting = notification_repository.unprocessed(
            connection, stale_before=stale_before, limit=limit
        )
    processed = 0
    for stored in waiting:
        claimed = context.database.run(
            lambda connection, n=stored: notification_repository.claim(  # type: ignore[misc]
                connection, n.provider, n.event_id, now=now, stale_before=stale_before
            )
        )
        if claimed and (
            _process_claimed(context, stored.provider, stored.event_id, stored.provider_reference)
            == "processed"
        ):
            processed += 1
    with context.database.read() as connection:
        due = payment_repository.due_for_reconciliation(connection, now, limit)
    synchronised = captured = 0
    for payment in due:
        outcome = _reconcile_payment(context, payment)
        if outcome is not None:
            synchronised += 1
            captured += outcome == "captured"
    return ReconciliationReport(redelivered, processed, synchronised, captured)


def _reconcile_payment(context: ServiceContext, payment: Payment) -> str | None:
    """Ask the provider about one open payment; the outcome, or None if it could
    not be asked (then it is asked again later)."""
    if payment.provider_reference is None:
        # The worker died between recording the intent and the provider's session:
        # the customer never got a page to pay on.
        _fail_open_payment(context, payment.id, "checkout_not_started")
        return "failed"
    if payment.provider not in context.providers:
        _postpone(context, payment)
        return None
    try:
        return synchronise_payment(context, payment.provider, payment.provider_reference)
    except (ProviderUnavailable, PaymentTransitionRefused) as error:
        logger.warning("reconciliation of payment %s: %s", payment.id, error)
    except Exception:
        logger.exception("reconciliation of payment %s failed", payment.id)
    _postpone(context, payment)
    return None


def _postpone(context: ServiceContext, payment: Payment) -> None:
    attempts = payment.reconcile_attempts + 1
    after = context.now() + _reconcile_delay(context, attempts)
    context.database.run(
        lambda connection: payment_repository.schedule_reconciliation(
            connection, payment.id, after=after, attempts=attempts
        )
    )


def purge_notifications(context: ServiceContext, *, limit: int) -> int:
    """Delete processed and rejected notifications older than the retention period
    (at most ``limit`` per call). Unprocessed ones are kept until processed."""
    cutoff = context.now() - timedelta(
        seconds=context.settings.provider_notification_retention_seconds
    )
    return context.database.run(
        lambda connection: notification_repository.purge_finished(
            connection, received_before=cutoff, limit=limit
        )
    )


def capture(connection: Connection, context: ServiceContext, order: Order, provider: str) -> None:
    """The payment succeeded: in this one transaction, take the total into the
    order's escrow, pay the deposits, hold the rest, mark the order paid, issue
    its QR code."""
    now = context.now()
    grace = context.settings.itinerary_grace
    transfers = order.capture(provider=provider, now=now, grace=grace)
    ledger_store.ensure_accounts(
        connection,
        [
            accounts.escrow_account(order.id, order.currency),
            accounts.clearing_account(provider, order.currency),
            accounts.refunds_account(order.currency),
            *(accounts.payable_account(party, order.currency) for party in order.ledger_parties()),
        ],
        now,
    )
    post_or_raise(connection, context, transfers, now=now)
    order_repository.save_order(connection, order)
    _give_new_codes(connection, order.id)
    record_event(
        connection,
        "order.paid",
        now=now,
        order=order,
        data={"amount_total": order.amount_total, "deposits": order.deposits_total},
    )


def _give_new_codes(connection: Connection, order_id: str) -> None:
    """New codes for the order; a short code (50 bits) another order has is drawn again."""
    for _ in range(10):
        reference, short_code = signing.new_redemption_codes()
        if order_repository.set_codes_unless_taken(
            connection, order_id, reference=reference, short_code=short_code
        ):
            return
    raise AssertionError("could not draw an unused short code in 10 attempts")


def rotate_codes(context: ServiceContext, principal: Principal, order_id: str) -> None:
    """The merchant replaces a leaked QR code and short code; the old ones stop working."""
    require_role(principal, Role.MERCHANT)

    def replace_codes(connection: Connection) -> None:
        row = order_repository.lock_order_row(connection, order_id)
        if row is None or row.merchant_id != principal.party_id:
            raise NotFound(f"order {order_id} not found", code="order_not_found")
        if row.qr_reference is None:
            raise Conflict("the order has no code yet: it is not paid", code="order_not_paid")
        _give_new_codes(connection, order_id)

    context.database.run(replace_codes)
