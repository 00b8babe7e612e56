"""The refund use cases (``services/refunding.py``) against in-memory fakes of the
refund repository, the ledger and the events (no database): a card refund is sent
once and its money leaves the ledger once; a provider that cannot be reached leaves
it for a later attempt, then for the operator; a refund whose outcome is unknown is
reconciled with the provider, never sent again blindly; a worker that died mid-send
is taken over after its lease; every move is one the refund's machine allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from axokey.adapters.providers.base import (
    REFUND_NOT_RECEIVED,
    ProviderError,
    RefundOutcome,
    RefundStatus,
)
from axokey.config import Settings
from axokey.domain.errors import NotFound
from axokey.domain.orders import RefundReason
from axokey.domain.refund_states import RefundState
from axokey.domain.refunds import RefundDecision
from axokey.services import refunding
from axokey.services.context import ServiceContext
from tests.fakes.repositories import NOW, FakeDatabase, FakeEvents, FakeLedger, FakeRefunds

MAX = refunding.CARD_REFUND_ATTEMPTS_MAX


@dataclass
class FakeCardProvider:
    """A provider's refund calls: a scripted outcome (or error) per call, every call
    kept."""

    name: str = "sandbox"
    refunds_are_idempotent: bool = True
    outcomes: list[RefundOutcome | ProviderError] = field(default_factory=list)
    reconciled: list[RefundOutcome | ProviderError] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    asked: list[tuple[str, list[str]]] = field(default_factory=list)

    def refund(self, *, refund_id: str, **_: Any) -> RefundOutcome:
        self.sent.append(refund_id)
        return self._next(self.outcomes)

    def reconcile_refund(
        self, *, refund_id: str, known_refund_ids: list[str], **_: Any
    ) -> RefundOutcome:
        self.asked.append((refund_id, list(known_refund_ids)))
        return self._next(self.reconciled)

    @staticmethod
    def _next(script: list[RefundOutcome | ProviderError]) -> RefundOutcome:
        answer = script.pop(0)
        if isinstance(answer, ProviderError):
            raise answer
        return answer


PAID = RefundOutcome(RefundStatus.SUCCEEDED, "prv_rfd_1")
DOWN = ProviderError("unreachable")


@dataclass
class World:
    context: ServiceContext
    provider: FakeCardProvider
    refunds: FakeRefunds
    ledger: FakeLedger
    events: FakeEvents


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    provider = FakeCardProvider()
    context = ServiceContext(
        database=FakeDatabase(),  # type: ignore[arg-type]
        settings=Settings(provider="sandbox", database_url="sqlite://"),
        clock=lambda: NOW,
        providers={"sandbox": provider},  # type: ignore[dict-item]
    )
    built = World(context, provider, FakeRefunds(), FakeLedger(), FakeEvents())
    built.refunds.payments["pay_1"] = ("sandbox", "ref_1", "txn_1")
    monkeypatch.setattr(refunding, "refund_repository", built.refunds)
    monkeypatch.setattr(refunding, "post_or_raise", built.ledger.post_or_raise)
    monkeypatch.setattr(refunding, "record_event", built.events.record_event)
    monkeypatch.setattr(
        refunding, "order_repository", SimpleNamespace(load_order=lambda _c, order_id: order_id)
    )
    monkeypatch.setattr(
        refunding,
        "payment_repository",
        SimpleNamespace(captured_payment_id=lambda _c, order_id: built.refunds.captured[order_id]),
    )
    return built


# --- recorded ------------------------------------------------------------------------------


def an_order(iban: str | None) -> Any:
    return SimpleNamespace(id="ord_1", currency="EUR", customer=SimpleNamespace(iban=iban))


def decisions() -> list[RefundDecision]:
    return [
        RefundDecision("lin_1", 2999, RefundReason.MISSING, "trf_1"),
        RefundDecision(None, 590, RefundReason.NO_DELIVERY, "trf_2"),
    ]


def test_refunds_go_back_to_the_card_without_an_iban_and_by_transfer_with_one(
    world: World,
) -> None:
    world.refunds.captured["ord_1"] = "pay_1"
    to_send = refunding.record_refunds(None, world.context, an_order(None), decisions())  # type: ignore[arg-type]
    assert len(to_send) == 2
    assert {world.refunds.rows[i]["payment_id"] for i in to_send} == {"pay_1"}
    assert all(world.refunds.state(i) is RefundState.PENDING for i in to_send)

    world.refunds.rows.clear()
    by_transfer = refunding.record_refunds(
        None,  # type: ignore[arg-type]
        world.context,
        an_order("FR1420041010050500013M02606"),
        decisions(),
    )
    assert by_transfer == []  # nothing to send to a card: the next payout batch pays them
    assert {row["method"] for row in world.refunds.rows.values()} == {"sepa"}
    assert sorted(row["amount"] for row in world.refunds.rows.values()) == [590, 2999]


# --- sent ------------------------------------------------------------------------------------


def test_a_card_refund_is_sent_once_and_its_money_leaves_once(world: World) -> None:
    world.refunds.add("rfd_1")
    world.provider.outcomes = [PAID]
    refunding.send_card_refunds(world.context, ["rfd_1"])
    refunding.send_card_refunds(world.context, ["rfd_1"])  # again: finished, not sent
    assert world.provider.sent == ["rfd_1"]
    assert world.refunds.state("rfd_1") is RefundState.SUCCEEDED
    assert world.refunds.rows["rfd_1"]["provider_refund_id"] == "prv_rfd_1"
    [transfer] = world.ledger.posted.values()
    assert (transfer.id, transfer.amount, transfer.code) == ("rfd_1:card", 1000, "refund_out")
    assert world.events.types() == ["refund.succeeded"]


def test_a_refund_another_worker_holds_is_not_sent(world: World) -> None:
    world.refunds.add("rfd_1", state=RefundState.SENDING)
    refunding.send_card_refunds(world.context, ["rfd_1"])
    assert world.provider.sent == [] and world.events.recorded == []


def test_an_unreachable_provider_leaves_the_refund_for_later_then_for_the_operator(
    world: World,
) -> None:
    world.refunds.add("rfd_1")
    world.provider.outcomes = [DOWN] * MAX
    for attempt in range(1, MAX):
        refunding.send_card_refunds(world.context, ["rfd_1"])
        assert world.refunds.state("rfd_1") is RefundState.PENDING
        assert world.refunds.rows["rfd_1"]["attempts"] == attempt
    assert world.events.recorded == []
    refunding.send_card_refunds(world.context, ["rfd_1"])
    assert world.refunds.state("rfd_1") is RefundState.FAILED
    assert world.refunds.rows["rfd_1"]["failure_code"] == "provider_unavailable"
    assert world.events.types() == ["refund.failed"]
    assert world.ledger.posted == {}  # the money stays set aside for the operator


def test_a_refund_without_a_card_payment_fails_at_once(world: World) -> None:
    world.refunds.add("rfd_1", payment_id=None)
    refunding.send_card_refunds(world.context, ["rfd_1"])
    assert world.provider.sent == []
    assert world.refunds.rows["rfd_1"]["failure_code"] == "no_card_payment"
    assert world.events.types() == ["refund.failed"]


def test_a_refused_refund_fails_with_the_providers_reason(world: World) -> None:
    world.refunds.add("rfd_1")
    world.provider.outcomes = [RefundOutcome(RefundStatus.FAILED, None, "refund_declined")]
    refunding.send_card_refunds(world.context, ["rfd_1"])
    assert world.refunds.state("rfd_1") is RefundState.FAILED
    assert world.refunds.rows["rfd_1"]["failure_code"] == "refund_declined"
    assert world.ledger.posted == {}


# --- unknown outcomes: reconciled, never sent twice blindly -----------------------------


def test_a_cut_call_through_a_non_idempotent_provider_is_reconciled_not_resent(
    world: World,
) -> None:
    world.provider.refunds_are_idempotent = False
    world.refunds.add("rfd_1")
    world.refunds.add("rfd_0", state=RefundState.SUCCEEDED, provider_refund_id="prv_rfd_0")
    world.provider.outcomes = [DOWN]
    refunding.send_card_refunds(world.context, ["rfd_1"])
    assert world.refunds.state("rfd_1") is RefundState.UNCONFIRMED

    world.provider.reconciled = [PAID]
    assert refunding.reconcile_card_refunds(world.context, limit=10) == 1
    assert world.provider.sent == ["rfd_1"]  # asked about, never sent again
    assert world.provider.asked == [("rfd_1", ["prv_rfd_0"])]
    assert world.refunds.state("rfd_1") is RefundState.SUCCEEDED
    assert list(world.ledger.posted) == ["rfd_1:card"]


def test_a_refund_the_provider_never_received_is_sent_again(world: World) -> None:
    world.refunds.add("rfd_1", state=RefundState.UNCONFIRMED)
    world.provider.reconciled = [RefundOutcome(RefundStatus.FAILED, None, REFUND_NOT_RECEIVED)]
    refunding.reconcile_card_refunds(world.context, limit=10)
    assert world.refunds.state("rfd_1") is RefundState.PENDING
    world.provider.outcomes = [PAID]
    refunding.send_card_refunds(world.context, ["rfd_1"])
    assert world.refunds.state("rfd_1") is RefundState.SUCCEEDED


def test_a_refund_still_unknown_after_every_attempt_reaches_the_operator(world: World) -> None:
    world.refunds.add("rfd_1", state=RefundState.UNCONFIRMED, attempts=MAX - 1)
    world.provider.reconciled = [RefundOutcome(RefundStatus.PENDING)]
    refunding.reconcile_card_refunds(world.context, limit=10)
    assert world.refunds.state("rfd_1") is RefundState.FAILED
    assert world.refunds.rows["rfd_1"]["failure_code"] == "refund_outcome_unknown"
    assert world.ledger.posted == {}


def test_a_refund_pending_at_the_provider_stays_unconfirmed_with_its_id(world: World) -> None:
    world.refunds.add("rfd_1")
    world.provider.outcomes = [RefundOutcome(RefundStatus.PENDING, "prv_rfd_9")]
    refunding.send_card_refunds(world.context, ["rfd_1"])
    assert world.refunds.state("rfd_1") is RefundState.UNCONFIRMED
    assert world.refunds.rows["rfd_1"]["provider_refund_id"] == "prv_rfd_9"
    assert world.events.recorded == []


# --- workers that died -------------------------------------------------------------------


def test_a_stalled_send_is_taken_over_after_its_lease(world: World) -> None:
    lease = world.context.settings.refund_sending_lease_seconds
    world.refunds.add("rfd_old", state=RefundState.SENDING, updated_at=NOW - timedelta(hours=1))
    world.refunds.add("rfd_new", state=RefundState.SENDING, updated_at=NOW)
    world.provider.outcomes = [PAID]
    assert lease < 3600
    assert refunding.retry_stalled_card_refunds(world.context, limit=10) == 1
    assert world.provider.sent == ["rfd_old"]
    assert world.refunds.state("rfd_old") is RefundState.SUCCEEDED
    assert world.refunds.state("rfd_new") is RefundState.SENDING  # its worker is alive


def test_a_stalled_send_through_a_non_idempotent_provider_is_asked_about_first(
    world: World,
) -> None:
    world.provider.refunds_are_idempotent = False
    world.refunds.add("rfd_1", state=RefundState.SENDING, updated_at=NOW - timedelta(hours=1))
    world.provider.reconciled = [RefundOutcome(RefundStatus.PENDING)]
    refunding.retry_stalled_card_refunds(world.context, limit=10)
    assert world.provider.sent == []
    assert world.provider.asked == [("rfd_1", [])]
    assert world.refunds.state("rfd_1") is RefundState.UNCONFIRMED


# --- the machine guards every move -------------------------------------------------------


def test_a_refund_finished_by_another_worker_is_not_finished_twice(world: World) -> None:
    world.refunds.add("rfd_1")
    claimed = refunding._claim(world.context, "rfd_1")
    assert claimed is not None
    world.refunds.rows["rfd_1"]["status"] = RefundState.SUCCEEDED.value  # the other worker
    refunding._finish(world.context, claimed, status=RefundState.SUCCEEDED)
    assert world.ledger.posted == {} and world.events.recorded == []


@pytest.mark.parametrize("state", [RefundState.PENDING, RefundState.UNCONFIRMED])
def test_only_a_final_state_finishes_a_refund(world: World, state: RefundState) -> None:
    world.refunds.add("rfd_1")
    claimed = refunding._claim(world.context, "rfd_1")
    assert claimed is not None
    with pytest.raises(ValueError, match="does not finish"):
        refunding._finish(world.context, claimed, status=state)
    assert world.refunds.state("rfd_1") is RefundState.SENDING


def test_a_refund_is_read_as_its_reader_sees_it(world: World) -> None:
    world.refunds.add("rfd_1", state=RefundState.UNCONFIRMED)
    assert refunding.get_refund(world.context, None, "rfd_1").status == "pending"  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        refunding.get_refund(world.context, None, "rfd_missing")  # type: ignore[arg-type]
