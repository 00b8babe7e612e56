"""The customer's return from the provider's hosted payment page.

PayXpert sends the browser back to ``ctrlRedirectURL`` with a form POST (``data``, the
payment status encrypted with the merchant token; ``customer``, the customer token);
the sandbox sends it back with a plain GET. Either way the page must show the real
state at once, without waiting for the provider's callback: the return triggers a
status synchronisation of the payment it is about, confirmed with the provider (what
the browser brings back is never trusted; it only says which payment).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from axokey.adapters.providers.base import PaymentStatus
from axokey.domain.errors import AxokeyError, NotFound
from axokey.services import payments, signing
from axokey.services.context import ServiceContext

logger = logging.getLogger("axokey.payments")

# Statuses that no synchronisation can change any more.
SETTLED_STATUSES = frozenset({PaymentStatus.SUCCEEDED})
RETURN_FIELD_MAX_LENGTH = 64 * 1024


def customer_returned(
    context: ServiceContext, order_id: str, token: str, fields: Mapping[str, str]
) -> str:
    """Synchronise the payment the customer came back from; the outcome, for logs.

    404 for a link that does not open this order. A provider that cannot be reached
    leaves the payment as it is: the page shows what is known, the callback follows.
    """
    if not signing.customer_link_matches(context, order_id, token):
        raise NotFound("order not found", code="order_not_found")
    known = payments.order_payment_references(context, order_id)
    if not known:
        return "no_payment"
    brought = {
        name: value
        for name, value in fields.items()
        if isinstance(value, str) and len(value) <= RETURN_FIELD_MAX_LENGTH
    }
    chosen: tuple[str, str, PaymentStatus] | None = None
    for provider_name in dict.fromkeys(provider for provider, _, _ in known):
        provider = context.providers.get(provider_name)
        if provider is None:
            continue
        candidates = [reference for name, reference, _ in known if name == provider_name]
        found = provider.reference_from_return(brought, candidates)
        if found is not None:
            chosen = next(entry for entry in known if entry[:2] == (provider_name, found))
            break
    if chosen is None:
        chosen = known[0]  # the return does not say: the order's latest payment
    provider_name, reference, status = chosen
    if status in SETTLED_STATUSES or provider_name not in context.providers:
        return status.value
    try:
        return payments.synchronise_payment(context, provider_name, reference)
    except AxokeyError as error:
        logger.warning("customer return for order %s: not synchronised (%s)", order_id, error)
        return "not_synchronised"
