"""Card refunds that failed get a way out (issue 8):

- the operator retries one (sent to the provider again), or turns it into a SEPA
  refund once an IBAN is known (the customer's, given at the order or later);
- the customer, on the order's page, gives an IBAN: every failed card refund of the
  order becomes a SEPA refund, paid by the next payout batch.

A refund whose outcome is unknown (the provider may have paid it) is neither
retried nor converted: paying it twice is worse than waiting for the operator to
check with the provider.
"""

from __future__ import annotations

from axokey.adapters.db import payout_repository, refund_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.audit import Action
from axokey.domain.errors import Conflict, NotFound
from axokey.domain.parties import Principal, Role
from axokey.domain.refund_states import Refund, RefundState, reopened_by_operator
from axokey.services import audit, refunding, signing
from axokey.services.context import ServiceContext
from axokey.services.parties import normalise_bank_details, require_role

UNSAFE_TO_RESEND = frozenset({"refund_outcome_unknown"})


def _failed_card_refund(connection: Connection, refund_id: str) -> Refund:
    refund = refund_repository.lock_refund(connection, refund_id)
    if refund is None:
        raise NotFound(f"refund {refund_id} not found", code="refund_not_found")
    if refund.method != "card" or refund.status != "failed":
        raise Conflict(
            f"refund {refund_id} is a {refund.method} refund, {refund.status}: only a failed "
            "card refund is retried or converted",
            code="refund_not_failed",
        )
    if refund.failure_code in UNSAFE_TO_RESEND:
        raise Conflict(
            "the provider may have paid this refund: check with it before sending it again",
            code="refund_outcome_unknown",
        )
    return refund


def retry_card_refund(
    context: ServiceContext, principal: Principal, refund_id: str
) -> refunding.Refund:
    """Send a failed card refund to the provider again (operator)."""
    require_role(principal, Role.ADMIN)

    def reopen_for_the_card(connection: Connection) -> None:
        refund = _failed_card_refund(connection, refund_id)
        refund_repository.reopen(
            connection,
            refund_id,
            status=reopened_by_operator(RefundState(refund.status)),
            now=context.now(),
        )
        audit.record(
            connection,
            context,
            principal,
            Action.REFUND_RETRIED,
            object_id=refund_id,
            details={"order_id": refund.order_id, "failure_code": refund.failure_code},
        )

    context.database.run(reopen_for_the_card)
    refunding.send_card_refunds(context, [refund_id])
    return refunding.get_refund(context, principal, refund_id)


def convert_to_sepa(
    context: ServiceContext, principal: Principal, refund_id: str, iban: str | None
) -> refunding.Refund:
    """Pay a failed card refund by SEPA transfer to ``iban`` (or the customer's IBAN
    given with the order). Operator only."""
    require_role(principal, Role.ADMIN)
    compact, _ = normalise_bank_details(iban, None)

    def reopen_for_a_transfer(connection: Connection) -> None:
        refund = _failed_card_refund(connection, refund_id)
        target = compact or payout_repository.customer_iban(connection, refund.order_id)
        if target is None:
            raise Conflict(
                "no IBAN is known for this customer: give one", code="customer_iban_required"
            )
        refund_repository.reopen(
            connection,
            refund_id,
            status=reopened_by_operator(RefundState(refund.status)),
            now=context.now(),
            sepa_iban=target,
        )
        audit.record(
            connection,
            context,
            principal,
            Action.REFUND_CONVERTED_TO_SEPA,
            object_id=refund_id,
            details={"order_id": refund.order_id, "iban_last4": target[-4:]},
        )

    context.database.run(reopen_for_a_transfer)
    return refunding.get_refund(context, principal, refund_id)


def failed_card_refunds(context: ServiceContext, order_id: str, token: str) -> list[Refund]:
    """The order's failed card refunds, for the customer's page (its link's token)."""
    if not signing.customer_link_matches(context, order_id, token):
        raise NotFound("order not found", code="order_not_found")
    with context.database.read() as connection:
        return refund_repository.failed_card_refunds_of_order(connection, order_id)


def customer_gives_iban(context: ServiceContext, order_id: str, token: str, iban: str) -> int:
    """The customer gives an IBAN on the order's page: its failed card refunds are
    paid by SEPA transfer. Returns how many were converted."""
    if not signing.customer_link_matches(context, order_id, token):
        raise NotFound("order not found", code="order_not_found")
    compact, _ = normalise_bank_details(iban, None)
    assert compact is not None

    def pay_failed_refunds_by_transfer(connection: Connection) -> int:
        converted = 0
        for refund in refund_repository.failed_card_refunds_of_order(connection, order_id):
            if refund.failure_code in UNSAFE_TO_RESEND:
                continue
            converted += refund_repository.reopen(
                connection,
                refund.id,
                status=reopened_by_operator(RefundState(refund.status)),
                now=context.now(),
                sepa_iban=compact,
            )
        if not converted:
            raise Conflict("no refund of this order waits for an IBAN", code="no_failed_refund")
        payout_repository.set_customer_iban(connection, order_id, compact)
        return converted

    return context.database.run(pay_failed_refunds_by_transfer)
