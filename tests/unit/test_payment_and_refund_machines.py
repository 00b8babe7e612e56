"""The payment and refund state machines (``domain/payments.py``,
``domain/refund_states.py``): allowed moves, refused moves as typed errors, and
what a provider's report decides."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from axokey.domain import payments, refund_states
from axokey.domain.payments import (
    MoneyAction,
    PaymentStatus,
    PaymentTransitionRefused,
    ProviderReport,
    decide,
)
from axokey.domain.refund_states import RefundState, RefundTransitionRefused

OPEN = sorted(payments.OPEN_STATUSES)
statuses = st.sampled_from(list(PaymentStatus))
failure_codes = st.sampled_from([None, "card_declined", "amount_mismatch", "currency_mismatch"])


def report(status: PaymentStatus, amount: int = 1000, currency: str = "EUR") -> ProviderReport:
    return ProviderReport(status=status, amount_minor=amount, currency=currency)


# --- payments ----------------------------------------------------------------------------


def test_succeeded_is_final() -> None:
    for status in PaymentStatus:
        if status is not PaymentStatus.SUCCEEDED:
            with pytest.raises(PaymentTransitionRefused) as refused:
                payments.move(PaymentStatus.SUCCEEDED, status)
            assert refused.value.code == "payment_transition_refused"
            assert refused.value.status == 409


def test_a_failed_payment_can_only_succeed_late() -> None:
    assert payments.move(PaymentStatus.FAILED, PaymentStatus.SUCCEEDED) is PaymentStatus.SUCCEEDED
    for status in OPEN:
        with pytest.raises(PaymentTransitionRefused):
            payments.move(PaymentStatus.FAILED, status)


def test_processing_does_not_go_back_to_asking_the_customer() -> None:
    for back in (PaymentStatus.REQUIRES_PAYMENT_METHOD, PaymentStatus.REQUIRES_ACTION):
        assert not payments.can_move(PaymentStatus.PROCESSING, back)


@given(statuses, statuses)
def test_move_allows_exactly_the_table(current: PaymentStatus, requested: PaymentStatus) -> None:
    allowed = requested is current or requested in payments.ALLOWED_TRANSITIONS[current]
    if allowed:
        assert payments.move(current, requested) is requested
    else:
        with pytest.raises(PaymentTransitionRefused):
            payments.move(current, requested)


@given(
    st.sampled_from([*OPEN, PaymentStatus.FAILED]),
    st.integers(min_value=1, max_value=10**9),
    st.integers(min_value=1, max_value=10**9),
    st.sampled_from(["EUR", "USD"]),
    st.booleans(),
)
def test_a_success_either_captures_exactly_what_was_asked_or_refunds_it_whole(
    status: PaymentStatus, asked: int, taken: int, currency: str, order_can_take_it: bool
) -> None:
    """Money the provider took never ends with no money action."""
    decision = decide(
        status,
        None,
        amount_minor=asked,
        currency="EUR",
        report=report(PaymentStatus.SUCCEEDED, taken, currency),
        order_can_take_it=order_can_take_it,
    )
    if currency != "EUR":
        assert (decision.status, decision.failure_code) == (
            PaymentStatus.FAILED,
            "currency_mismatch",
        )
        assert decision.action is MoneyAction.REFUND_WHOLE
    elif taken != asked:
        assert decision.failure_code == "amount_mismatch"
        assert decision.action is MoneyAction.REFUND_WHOLE
    elif order_can_take_it:
        assert (decision.status, decision.action) == (PaymentStatus.SUCCEEDED, MoneyAction.CAPTURE)
    else:
        assert (decision.status, decision.action) == (
            PaymentStatus.SUCCEEDED,
            MoneyAction.REFUND_WHOLE,
        )
    assert payments.is_final(decision.status, decision.failure_code)


@given(statuses, failure_codes, statuses, st.booleans())
def test_a_final_payment_ignores_every_report(
    status: PaymentStatus, failure: str | None, reported: PaymentStatus, can_take: bool
) -> None:
    if not payments.is_final(status, failure):
        return
    decision = decide(
        status,
        failure,
        amount_minor=1000,
        currency="EUR",
        report=report(reported),
        order_can_take_it=can_take,
    )
    assert (decision.status, decision.failure_code, decision.action, decision.changed) == (
        status,
        failure,
        MoneyAction.NONE,
        False,
    )


def test_a_report_that_goes_backwards_is_a_typed_error_not_a_write() -> None:
    with pytest.raises(PaymentTransitionRefused) as refused:
        decide(
            PaymentStatus.PROCESSING,
            None,
            amount_minor=1000,
            currency="EUR",
            report=report(PaymentStatus.REQUIRES_PAYMENT_METHOD),
            order_can_take_it=True,
        )
    assert (refused.value.current, refused.value.requested) == (
        PaymentStatus.PROCESSING,
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
    )


def test_a_declined_card_fails_the_payment_and_moves_no_money() -> None:
    decision = decide(
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        None,
        amount_minor=1000,
        currency="EUR",
        report=ProviderReport(PaymentStatus.FAILED, 1000, "EUR", "card_declined"),
        order_can_take_it=True,
    )
    assert (decision.status, decision.failure_code, decision.action) == (
        PaymentStatus.FAILED,
        "card_declined",
        MoneyAction.NONE,
    )


@given(st.integers(min_value=1, max_value=3600), st.integers(min_value=0, max_value=200))
def test_the_reconciliation_delay_doubles_up_to_its_cap(base: int, attempts: int) -> None:
    cap = 6 * 3600
    delay = payments.reconcile_delay_seconds(base, attempts, cap_seconds=cap)
    assert delay == min(cap, base * 2 ** min(attempts, 30))
    assert payments.reconcile_delay_seconds(base, attempts + 1, cap_seconds=cap) >= delay


# --- refunds -----------------------------------------------------------------------------


@given(st.sampled_from(list(RefundState)), st.sampled_from(list(RefundState)))
def test_refund_moves_follow_the_table(current: RefundState, requested: RefundState) -> None:
    if requested in refund_states.ALLOWED_TRANSITIONS[current]:
        assert refund_states.move(current, requested) is requested
    else:
        with pytest.raises(RefundTransitionRefused) as refused:
            refund_states.move(current, requested)
        assert refused.value.code == "refund_transition_refused"


def test_a_finished_refund_never_moves_again() -> None:
    for final in (RefundState.SUCCEEDED, RefundState.FAILED):
        for requested in RefundState:
            assert not refund_states.can_move(final, requested)


def test_a_refund_is_claimed_before_it_succeeds() -> None:
    assert not refund_states.can_move(RefundState.PENDING, RefundState.SUCCEEDED)
    assert refund_states.can_move(RefundState.PENDING, RefundState.SENDING)
    assert refund_states.can_move(RefundState.SENDING, RefundState.SUCCEEDED)


def test_an_unconfirmed_refund_is_only_asked_about_again() -> None:
    assert refund_states.ALLOWED_TRANSITIONS[RefundState.UNCONFIRMED] == {RefundState.SENDING}
    assert refund_states.can_move(RefundState.SENDING, RefundState.UNCONFIRMED)


def test_a_refund_being_sent_is_shown_as_pending() -> None:
    assert refund_states.shown_as(RefundState.SENDING) == "pending"
    assert refund_states.shown_as(RefundState.UNCONFIRMED) == "pending"
    assert refund_states.shown_as(RefundState.FAILED) == "failed"
