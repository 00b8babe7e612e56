"""The sandbox's hosted pages: the card page and the 3-D Secure challenge, as a
remote provider would host them, served here so a demo needs nothing else.

Each page calls a use case of ``services.sandbox_checkout``, never the sandbox
provider itself. Card numbers typed here go to the sandbox and nowhere else: they
are never logged, stored (the sandbox keeps the last four digits) or echoed back
into a page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from axokey import i18n
from axokey.adapters.providers import sandbox as sandbox_cards
from axokey.adapters.providers.base import PaymentStatus
from axokey.domain.errors import AxokeyError, ValidationFailed
from axokey.i18n import N_
from axokey.services.context import ServiceContext
from axokey.services.sandbox_checkout import (
    SandboxCheckout,
    answer_sandbox_challenge,
    sandbox_checkout,
    submit_sandbox_card,
)
from axokey.web.rendering import (
    FAILURE_LABELS,
    PageContextDep,
    error_page,
    page_language,
    redirect,
    render,
)

# Translated on the page (``%(otp)s`` is the one-time code that passes).
TEST_CARDS = (
    (sandbox_cards.CARD_SUCCEEDS, N_("succeeds without a challenge")),
    (
        sandbox_cards.CARD_NEEDS_CHALLENGE,
        N_("asks for 3-D Secure: one-time code %(otp)s passes"),
    ),
    (sandbox_cards.CARD_DECLINED, N_("declined")),
    (sandbox_cards.CARD_INSUFFICIENT_FUNDS, N_("fails for insufficient funds")),
    (sandbox_cards.CARD_REFUNDS_FAIL, N_("succeeds, but refunds to it fail")),
)

router = APIRouter(include_in_schema=False)


def _checkout_path(reference: str) -> str:
    return f"/sandbox/checkout/{quote(reference, safe='')}"


def _challenge_path(reference: str) -> str:
    return f"/sandbox/3ds/{quote(reference, safe='')}"


def _sandbox_page(
    request: Request,
    template: str,
    checkout: SandboxCheckout,
    *,
    status: int = 200,
    error: str | None = None,
) -> Response:
    state = checkout.state
    return render(
        request,
        template,
        status=status,
        state=state,
        status_value=state.status.value,
        failure=FAILURE_LABELS.get(state.failure_code or "", state.failure_code),
        return_url=checkout.return_url,
        checkout_url=_checkout_path(checkout.reference),
        challenge_url=_challenge_path(checkout.reference),
        cards=TEST_CARDS,
        challenge_otp=sandbox_cards.CHALLENGE_OTP,
        error=error,
    )


def _after_step(checkout: SandboxCheckout) -> Response:
    """Where the customer goes after a step: the challenge, else back to the shop."""
    if checkout.state.status is PaymentStatus.REQUIRES_ACTION:
        return redirect(_challenge_path(checkout.reference))
    return redirect(checkout.return_url or _checkout_path(checkout.reference))


def _take_step(
    request: Request,
    context: ServiceContext,
    reference: str,
    *,
    template: str,
    expected: PaymentStatus,
    step: Callable[[], SandboxCheckout],
    back_url: str,
) -> Response:
    """One step of the hosted payment (a card, a one-time code): refused with the
    page as it is (409) unless the payment waits for this step; the form again with
    the error (422) on bad input, which is never echoed back."""
    try:
        checkout = sandbox_checkout(context, reference)
    except AxokeyError as error:
        return error_page(request, error)
    if checkout.state.status is not expected:
        # Paid, failed or at another step already: say so, take nothing.
        return _sandbox_page(request, template, checkout, status=409)
    try:
        after = step()
    except ValidationFailed as error:
        _title, detail = i18n.translate_problem(
            error.code, error.title, error.detail, page_language(request)
        )
        return _sandbox_page(request, template, checkout, status=422, error=detail)
    except AxokeyError as error:
        return error_page(request, error, back_url=back_url)
    return _after_step(after)


def _show(request: Request, context: ServiceContext, reference: str, template: str) -> Response:
    try:
        checkout = sandbox_checkout(context, reference)
    except AxokeyError as error:
        return error_page(request, error)
    return _sandbox_page(request, template, checkout)


@router.get("/sandbox/checkout/{reference}", response_class=HTMLResponse)
def sandbox_checkout_page(reference: str, request: Request, context: PageContextDep) -> Response:
    """The sandbox's hosted card page (or the payment's outcome, once it has one)."""
    return _show(request, context, reference, "sandbox_checkout.html")


@router.post("/sandbox/checkout/{reference}")
def sandbox_checkout_submit(
    reference: str,
    request: Request,
    context: PageContextDep,
    card_number: Annotated[str, Form()] = "",
) -> Response:
    # Only the number is read; expiry and CVC are ignored, as the test cards allow.
    return _take_step(
        request,
        context,
        reference,
        template="sandbox_checkout.html",
        expected=PaymentStatus.REQUIRES_PAYMENT_METHOD,
        step=lambda: submit_sandbox_card(context, reference, card_number),
        back_url=_checkout_path(reference),
    )


@router.get("/sandbox/3ds/{reference}", response_class=HTMLResponse)
def sandbox_challenge_page(reference: str, request: Request, context: PageContextDep) -> Response:
    """The sandbox's 3-D Secure challenge: a one-time code (the test code is shown)."""
    return _show(request, context, reference, "sandbox_3ds.html")


@router.post("/sandbox/3ds/{reference}")
def sandbox_challenge_submit(
    reference: str,
    request: Request,
    context: PageContextDep,
    otp: Annotated[str, Form()] = "",
) -> Response:
    return _take_step(
        request,
        context,
        reference,
        template="sandbox_3ds.html",
        expected=PaymentStatus.REQUIRES_ACTION,
        step=lambda: answer_sandbox_challenge(context, reference, otp),
        back_url=_challenge_path(reference),
    )
