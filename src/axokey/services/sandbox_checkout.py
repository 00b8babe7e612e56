"""The sandbox's hosted checkout, played by a person in a browser: read a sandbox
payment, submit a test card, answer the 3-D Secure challenge.

The pages call these use cases and never the sandbox provider itself. Card numbers
go to the sandbox and nowhere else: they are never logged, stored (the sandbox
keeps the last four digits) or echoed back.
"""

from __future__ import annotations

from dataclasses import dataclass

from axokey.adapters.providers.base import ProviderError, ProviderPaymentState
from axokey.domain.errors import FieldError, NotFound, ValidationFailed
from axokey.services.context import ServiceContext
from axokey.services.payments import enabled_sandbox

# Longer than any card number (19 digits) with room for the spaces people type.
CARD_NUMBER_INPUT_MAX_LENGTH = 32
ONE_TIME_CODE_INPUT_MAX_LENGTH = 12


@dataclass(frozen=True)
class SandboxCheckout:
    """A sandbox payment as its hosted page shows it."""

    state: ProviderPaymentState
    return_url: str | None  # the merchant's page the customer goes back to

    @property
    def reference(self) -> str:
        return self.state.provider_reference


def sandbox_checkout(context: ServiceContext, reference: str) -> SandboxCheckout:
    """The sandbox payment behind a hosted page (404 when the sandbox is off or the
    reference is unknown)."""
    sandbox = enabled_sandbox(context)
    try:
        state = sandbox.fetch_status(reference)
    except ProviderError as error:  # the sandbox has no payment by that reference
        raise NotFound("no such sandbox payment", code="payment_not_found") from error
    return SandboxCheckout(state=state, return_url=sandbox.return_url(reference))


def _check_length(value: str, length_max: int, *, field: str, detail: str, code: str) -> None:
    """What a person typed is bounded before anything reads it."""
    if len(value) > length_max:
        raise ValidationFailed(detail, code=code, errors=[FieldError(field, "too long")])


def submit_sandbox_card(
    context: ServiceContext, reference: str, card_number: str
) -> SandboxCheckout:
    """The customer submits a test card on the hosted card page."""
    _check_length(
        card_number,
        CARD_NUMBER_INPUT_MAX_LENGTH,
        field="card_number",
        detail="the card number is not valid",
        code="invalid_card_number",
    )
    enabled_sandbox(context).submit_card(reference, card_number)
    return sandbox_checkout(context, reference)


def answer_sandbox_challenge(
    context: ServiceContext, reference: str, one_time_code: str
) -> SandboxCheckout:
    """The customer answers the 3-D Secure challenge with a one-time code."""
    _check_length(
        one_time_code,
        ONE_TIME_CODE_INPUT_MAX_LENGTH,
        field="otp",
        detail=f"the code has at most {ONE_TIME_CODE_INPUT_MAX_LENGTH} characters",
        code="invalid_one_time_code",
    )
    enabled_sandbox(context).complete_challenge(reference, one_time_code)
    return sandbox_checkout(context, reference)
