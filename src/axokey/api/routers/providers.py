"""Payment providers' notifications, and the sandbox's scripting API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from axokey.api.deps import ContextDep, requires
from axokey.api.openapi import problems
from axokey.api.schemas.payments import PaymentOut, SandboxPayIn, SandboxSweepIn, SweepOut
from axokey.domain.access import Scope
from axokey.domain.parties import Principal
from axokey.services import payments, sweeping

router = APIRouter(tags=["payments"])


@router.post("/v1/providers/{provider}/notifications", responses=problems(403))
async def provider_notification(
    provider: str, request: Request, context: ContextDep
) -> dict[str, str]:
    """Where the configured provider tells us a payment changed. Verified, stored,
    acknowledged in the provider's own format, and processed once per provider
    event id; the payment's status is confirmed with the provider before any money
    moves. Only the configured provider has this route (any other name is 404)."""
    body = await request.body()
    outcome = await run_in_threadpool(
        payments.receive_notification, context, provider, dict(request.headers), body
    )
    return payments.acknowledgement(context, provider, outcome)


@router.post("/v1/sandbox/payments/{payment_id}/pay", response_model=PaymentOut, tags=["sandbox"])
def sandbox_pay(payment_id: str, body: SandboxPayIn, context: ContextDep) -> PaymentOut:
    """Sandbox only: play the customer on the hosted page (test cards: docs/getting-started.md)."""
    return PaymentOut.of(payments.pay_in_sandbox(context, payment_id, body.card_number, body.otp))


@router.post("/v1/sandbox/sweep", response_model=SweepOut, tags=["sandbox"])
def sandbox_sweep(
    body: SandboxSweepIn,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.SANDBOX_WRITE)],
) -> SweepOut:
    """Sandbox only (operator): run the sweep as if the clock read ``as_of``."""
    report = sweeping.sandbox_sweep(context, principal, as_of=body.as_of)
    return SweepOut(**report.__dict__)
