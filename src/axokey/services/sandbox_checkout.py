"""The sandbox's hosted checkout, played by a person in a browser: read a sandbox
payment, submit a test card, answer the 3-D Secure challenge.

The pages call these use cases and never the sandbox provider itself. Card numbers
go to the sandbox and nowhere else: they are never logged, stored (the sandbox
keeps the last four digits) or echoed back.
"""

from __future__ import annotations

from dataclasses import dataclass

from axokey.adapters.providers.base import HostedTestPayments, ProviderError, ProviderPaymentState
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


def _checkout(sandbox: HostedTestPayments, reference: str) -> SandboxCheckout:
    try:
        state = sandbox.fetch_status(reference)
    except ProviderError as error:  # the sandbox has no payment by that reference
        raise NotFound("no such sandbox payment", code="payment_not_found") from error
    return SandboxCheckout(state=state, return_url=sandbox.return_url(reference))


def sandbox_checkout(context: ServiceContext, reference: str) -> SandboxCheckout:
    """The sandbox payment behind a hosted page (404 when the sandbox is off or the
    reference is unknown)."""
    return _checkout(enabled_sandbox(context), reference)


def submit_sandbox_card(
    context: ServiceContext, reference: str, card_number: str
) -> SandboxCheckout:
    """The customer submits a test card on the hosted card page."""
    sandbox = enabled_sandbox(context)
    if len(card_number) > CARD_NUMBER_INPUT_MAX_LENGTH:
        raise ValidationFailed(
            "the card number is not valid",
            code="invalid_card_number",
            errors=[FieldError("card_number", "too long")],
        )
    sandbox.submit_card(reference, card_number)
    return _checkout(sandbox, reference)


def answer_sandbox_challenge(
    context: ServiceContext, reference: str, one_time_code: str
) -> SandboxCheckout:
    """The customer answers the 3-D Secure challenge with a one-time code."""
    sandbox = enabled_sandbox(context)
    if len(one_time_code) > ONE_TIME_CODE_INPUT_MAX_LENGTH:
        raise ValidationFailed(
            f"the code has at most {ONE_TIME_CODE_INPUT_MAX_LENGTH} characters",
            code="invalid_one_time_code",
            errors=[FieldError("otp", "too long")],
        )
    sandbox.complete_challenge(reference, one_time_code)
    return _checkout(sandbox, reference)
