"""The ledger's rules, example by example, against an in-memory view (no database).

One test (at least) per result code of ``apply_transfers``; every refusal also
checks that nothing changed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from axokey.domain.ledger import (
    MAX_TRANSFERS_PER_BATCH,
    Account,
    BatchOutcome,
    BatchTooLarge,
    ResultCode,
    Transfer,
    TransferKind,
    TransferRequest,
    apply_transfers,
    recompute_counters,
    verify_ledger,
)
from axokey.domain.money import MAX_AMOUNT_MINOR

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)

SINGLE = TransferKind.SINGLE
PENDING = TransferKind.PENDING
POST = TransferKind.POST_PENDING
VOID = TransferKind.VOID_PENDING
EXPIRE = TransferKind.EXPIRE_PENDING


class MemoryLedger:
    """A ``LedgerView`` over dicts, which records a batch's outcome like the store does."""

    def __init__(self, *accounts: Account) -> None:
        self.accounts = {account.id: account for account in accounts}
        self.transfers: dict[str, Transfer] = {}

    def account(self, account_id: str) -> Account | None:
        found = self.accounts.get(account_id)
        return None if found is None else replace(found)

    def transfer(self, transfer_id: str) -> Transfer | None:
        return self.transfers.get(transfer_id)

    def resolution_of(self, pending_id: str) -> Transfer | None:
        for transfer in self.transfers.values():
            if transfer.pending_id == pending_id:
                return transfer
        return None

    def post(
        self, *requests: TransferRequest, now: datetime = NOW, linked: bool = True
    ) -> BatchOutcome:
        outcome = apply_transfers(self, requests, now=now, linked=linked)
        for transfer in outcome.created:
            assert transfer.id not in self.transfers
            self.transfers[transfer.id] = transfer
        for account in outcome.accounts.values():
            self.accounts[account.id] = replace(account)
        return outcome

    def counters(self, account_id: str) -> tuple[int, int, int, int]:
        return self.accounts[account_id].counters()

    def state(self) -> tuple[dict[str, tuple[int, int, int, int]], dict[str, Transfer]]:
        return (
            {key: account.counters() for key, account in self.accounts.items()},
            dict(self.transfers),
        )

    def violations(self) -> list[str]:
        return [
            str(v) for v in verify_ledger(self.accounts.values(), list(self.transfers.values()))
        ]


def account(account_id: str, currency: str = "EUR", **flags: bool) -> Account:
    return Account(id=account_id, currency=currency, kind="test", **flags)


def single(
    transfer_id: str, debit: str | None, credit: str | None, amount: int | None, **fields: object
) -> TransferRequest:
    return TransferRequest(transfer_id, SINGLE, amount, debit, credit, **fields)  # type: ignore[arg-type]


def pending(
    transfer_id: str,
    debit: str,
    credit: str,
    amount: int,
    timeout_at: datetime | None = None,
) -> TransferRequest:
    return TransferRequest(transfer_id, PENDING, amount, debit, credit, timeout_at=timeout_at)


def resolve(
    transfer_id: str, kind: TransferKind, pending_id: str | None, amount: int | None = None
) -> TransferRequest:
    return TransferRequest(transfer_id, kind, amount, pending_id=pending_id)


def only_code(outcome: BatchOutcome) -> ResultCode:
    assert len(outcome.results) == 1
    return outcome.results[0].code


def refused(ledger: MemoryLedger, request: TransferRequest, now: datetime = NOW) -> ResultCode:
    """Post one request that must be refused; check that nothing changed."""
    before = ledger.state()
    outcome = ledger.post(request, now=now)
    assert not outcome.succeeded
    assert outcome.created == [] and outcome.accounts == {}
    assert outcome.first_failure() is outcome.results[0]
    assert outcome.results[0].transfer is None
    assert ledger.state() == before
    assert ledger.violations() == []
    return only_code(outcome)


@pytest.fixture
def ledger() -> MemoryLedger:
    """``world`` (may go negative) funds ``alice`` (may not), who pays ``bob``."""
    ledger = MemoryLedger(
        account("world"),
        account("alice", debits_must_not_exceed_credits=True),
        account("bob", debits_must_not_exceed_credits=True),
        account("yen", currency="JPY"),
        account("capped", credits_must_not_exceed_debits=True),
    )
    assert only_code(ledger.post(single("fund", "world", "alice", 1000))) is ResultCode.OK
    return ledger


# --- Success and idempotency ---------------------------------------------------------


def test_a_single_phase_transfer_moves_posted_money(ledger: MemoryLedger) -> None:
    outcome = ledger.post(single("t1", "alice", "bob", 300, code="pay", order_id="ord_1"))
    assert only_code(outcome) is ResultCode.OK
    transfer = outcome.results[0].transfer
    assert transfer is not None and transfer == outcome.created[0]
    assert (transfer.amount, transfer.currency, transfer.created_at) == (300, "EUR", NOW)
    assert (transfer.code, transfer.order_id) == ("pay", "ord_1")
    assert ledger.counters("alice") == (0, 300, 0, 1000)
    assert ledger.counters("bob") == (0, 0, 0, 300)
    assert ledger.counters("world") == (0, 1000, 0, 0)
    assert ledger.violations() == []


def test_the_same_id_with_the_same_content_exists_and_changes_nothing(
    ledger: MemoryLedger,
) -> None:
    request = single("t1", "alice", "bob", 300)
    first = ledger.post(request)
    before = ledger.state()
    again = ledger.post(request, now=NOW + HOUR)
    assert only_code(again) is ResultCode.EXISTS
    assert again.succeeded
    assert again.results[0].transfer == first.results[0].transfer  # the recorded one
    assert again.created == []
    assert ledger.state() == before


def test_a_repeated_pending_post_and_void_exist(ledger: MemoryLedger) -> None:
    deadline = NOW + HOUR
    ledger.post(pending("p1", "alice", "bob", 100, deadline), pending("p2", "alice", "bob", 50))
    ledger.post(resolve("post1", POST, "p1", 60), resolve("void2", VOID, "p2"))
    before = ledger.state()
    # Replays succeed even though a new attempt would now be refused.
    outcome = ledger.post(
        pending("p1", "alice", "bob", 100, deadline),
        resolve("post1", POST, "p1", 60),
        resolve("void2", VOID, "p2"),
        now=NOW + 2 * HOUR,
    )
    assert [r.code for r in outcome.results] == [ResultCode.EXISTS] * 3
    assert ledger.state() == before


@pytest.mark.parametrize(
    "changed",
    [
        single("t1", "alice", "bob", 301),
        single("t1", "alice", "world", 300),
        single("t1", "bob", "alice", 300),
        single("t1", "alice", "bob", 300, code="other"),
        single("t1", "alice", "bob", 300, order_id="ord_2"),
        single("t1", "alice", "bob", 300, line_id="lin_2"),
        pending("t1", "alice", "bob", 300),
        resolve("t1", VOID, "t0"),
    ],
    ids=["amount", "credit", "debit", "code", "order", "line", "kind", "void"],
)
def test_the_same_id_with_different_fields_is_refused(
    ledger: MemoryLedger, changed: TransferRequest
) -> None:
    assert only_code(ledger.post(single("t1", "alice", "bob", 300))) is ResultCode.OK
    assert refused(ledger, changed) is ResultCode.EXISTS_WITH_DIFFERENT_FIELDS


def test_a_resolution_replayed_with_different_fields_is_refused(ledger: MemoryLedger) -> None:
    ledger.post(pending("p1", "alice", "bob", 100), pending("p2", "alice", "bob", 100))
    ledger.post(resolve("post1", POST, "p1", 60))
    assert refused(ledger, resolve("post1", POST, "p1", 70)) is (
        ResultCode.EXISTS_WITH_DIFFERENT_FIELDS
    )
    assert refused(ledger, resolve("post1", POST, "p2", 60)) is (
        ResultCode.EXISTS_WITH_DIFFERENT_FIELDS
    )
    assert refused(ledger, resolve("post1", VOID, "p1")) is ResultCode.EXISTS_WITH_DIFFERENT_FIELDS
    assert (
        refused(ledger, pending("p1", "alice", "bob", 100, NOW + HOUR))
        is ResultCode.EXISTS_WITH_DIFFERENT_FIELDS
    )


# --- Validation of a single or pending transfer --------------------------------------


def test_an_empty_id_is_refused(ledger: MemoryLedger) -> None:
    assert refused(ledger, single("", "alice", "bob", 1)) is ResultCode.ID_MUST_NOT_BE_EMPTY


def test_the_accounts_must_be_different(ledger: MemoryLedger) -> None:
    assert refused(ledger, single("t", "alice", "alice", 1)) is (
        ResultCode.ACCOUNTS_MUST_BE_DIFFERENT
    )


def test_unknown_or_missing_accounts_are_refused(ledger: MemoryLedger) -> None:
    assert refused(ledger, single("t", "nobody", "bob", 1)) is ResultCode.DEBIT_ACCOUNT_NOT_FOUND
    assert refused(ledger, single("t", "alice", "nobody", 1)) is (
        ResultCode.CREDIT_ACCOUNT_NOT_FOUND
    )
    assert refused(ledger, single("t", None, "bob", 1)) is ResultCode.DEBIT_ACCOUNT_NOT_FOUND
    assert refused(ledger, single("t", "alice", None, 1)) is ResultCode.CREDIT_ACCOUNT_NOT_FOUND


def test_the_currencies_must_match(ledger: MemoryLedger) -> None:
    assert refused(ledger, single("t", "world", "yen", 1)) is ResultCode.CURRENCY_MISMATCH
    assert refused(ledger, pending("t", "yen", "bob", 1)) is ResultCode.CURRENCY_MISMATCH


@pytest.mark.parametrize("amount", [0, -1, None])
def test_the_amount_must_be_positive(ledger: MemoryLedger, amount: int | None) -> None:
    assert refused(ledger, single("t", "alice", "bob", amount)) is (
        ResultCode.AMOUNT_MUST_BE_POSITIVE
    )


def test_the_amount_is_bounded(ledger: MemoryLedger) -> None:
    assert refused(ledger, single("t", "world", "bob", MAX_AMOUNT_MINOR + 1)) is (
        ResultCode.AMOUNT_TOO_LARGE
    )
    assert only_code(ledger.post(single("t", "world", "bob", MAX_AMOUNT_MINOR))) is ResultCode.OK


def test_a_timeout_is_for_pending_transfers_only(ledger: MemoryLedger) -> None:
    request = single("t", "alice", "bob", 1, timeout_at=NOW + HOUR)
    assert refused(ledger, request) is ResultCode.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
    ledger.post(pending("p", "alice", "bob", 10))
    post = TransferRequest("post", POST, pending_id="p", timeout_at=NOW + HOUR)
    assert refused(ledger, post) is ResultCode.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER


@pytest.mark.parametrize("deadline", [NOW, NOW - timedelta(microseconds=1)])
def test_a_timeout_must_be_in_the_future(ledger: MemoryLedger, deadline: datetime) -> None:
    assert refused(ledger, pending("p", "alice", "bob", 1, deadline)) is (
        ResultCode.TIMEOUT_MUST_BE_IN_THE_FUTURE
    )


def test_a_pending_id_is_for_resolutions_only(ledger: MemoryLedger) -> None:
    ledger.post(pending("p", "alice", "bob", 10))
    request = TransferRequest("t", SINGLE, 1, "alice", "bob", pending_id="p")
    assert refused(ledger, request) is ResultCode.PENDING_ID_MUST_BE_EMPTY


@pytest.mark.parametrize("kind", [POST, VOID, EXPIRE])
def test_a_resolution_needs_a_pending_id(ledger: MemoryLedger, kind: TransferKind) -> None:
    assert refused(ledger, resolve("r", kind, None)) is ResultCode.PENDING_ID_REQUIRED


# --- Balance limits (pessimistic: pending amounts count) ------------------------------


def test_debits_may_not_exceed_credits(ledger: MemoryLedger) -> None:
    assert refused(ledger, single("t", "alice", "bob", 1001)) is ResultCode.EXCEEDS_CREDITS
    assert refused(ledger, single("t", "bob", "alice", 1)) is ResultCode.EXCEEDS_CREDITS
    assert only_code(ledger.post(single("t", "alice", "bob", 1000))) is ResultCode.OK
    assert ledger.counters("alice") == (0, 1000, 0, 1000)


def test_pending_debits_count_against_the_credits(ledger: MemoryLedger) -> None:
    ledger.post(pending("p", "alice", "bob", 700))
    assert refused(ledger, single("t", "alice", "bob", 301)) is ResultCode.EXCEEDS_CREDITS
    assert refused(ledger, pending("p2", "alice", "bob", 301)) is ResultCode.EXCEEDS_CREDITS
    # Pending credits do not count as money one may spend.
    assert refused(ledger, single("t", "bob", "world", 1)) is ResultCode.EXCEEDS_CREDITS
    assert only_code(ledger.post(single("t", "alice", "bob", 300))) is ResultCode.OK
    # Voiding gives the reservation back.
    assert only_code(ledger.post(resolve("v", VOID, "p"))) is ResultCode.OK
    assert only_code(ledger.post(single("t2", "alice", "bob", 700))) is ResultCode.OK
    assert ledger.counters("alice") == (0, 1000, 0, 1000)
    assert ledger.violations() == []


def test_credits_may_not_exceed_debits(ledger: MemoryLedger) -> None:
    assert refused(ledger, single("t", "world", "capped", 1)) is ResultCode.EXCEEDS_DEBITS
    ledger.post(single("out", "capped", "world", 100))
    ledger.post(pending("in", "world", "capped", 60))
    # 60 pending + 41 > 100 debited: refused, pending counts.
    assert refused(ledger, single("t", "world", "capped", 41)) is ResultCode.EXCEEDS_DEBITS
    assert only_code(ledger.post(single("t", "world", "capped", 40))) is ResultCode.OK
    assert ledger.counters("capped") == (0, 100, 60, 40)


# --- Resolving a pending transfer -----------------------------------------------------


def test_a_full_post_moves_the_pending_amount(ledger: MemoryLedger) -> None:
    ledger.post(pending("p", "alice", "bob", 400))
    assert ledger.counters("alice") == (400, 0, 0, 1000)
    assert ledger.counters("bob") == (0, 0, 400, 0)
    outcome = ledger.post(resolve("post", POST, "p"))
    assert only_code(outcome) is ResultCode.OK
    transfer = outcome.created[0]
    assert (transfer.amount, transfer.pending_id) == (400, "p")
    assert (transfer.debit_account_id, transfer.credit_account_id) == ("alice", "bob")
    assert ledger.counters("alice") == (0, 400, 0, 1000)
    assert ledger.counters("bob") == (0, 0, 0, 400)
    assert ledger.violations() == []


def test_a_partial_post_gives_the_rest_back(ledger: MemoryLedger) -> None:
    ledger.post(pending("p", "alice", "bob", 400))
    assert only_code(ledger.post(resolve("post", POST, "p", 150))) is ResultCode.OK
    assert ledger.counters("alice") == (0, 150, 0, 1000)
    assert ledger.counters("bob") == (0, 0, 0, 150)
    # The rest went back: alice may spend it again.
    assert only_code(ledger.post(single("t", "alice", "bob", 850))) is ResultCode.OK
    assert ledger.violations() == []


def test_a_post_may_name_the_pending_transfers_accounts(ledger: MemoryLedger) -> None:
    ledger.post(pending("p", "alice", "bob", 400), pending("q", "alice", "bob", 100))
    wrong = TransferRequest("post", POST, 100, "alice", "world", pending_id="p")
    assert refused(ledger, wrong) is ResultCode.PENDING_TRANSFER_HAS_DIFFERENT_ACCOUNTS
    swapped = TransferRequest("post", POST, 100, "bob", "alice", pending_id="p")
    assert refused(ledger, swapped) is ResultCode.PENDING_TRANSFER_HAS_DIFFERENT_ACCOUNTS
    right = TransferRequest("post", POST, 100, "alice", "bob", pending_id="p")
    assert only_code(ledger.post(right)) is ResultCode.OK


def test_posting_more_than_pending_is_refused(ledger: MemoryLedger) -> None:
    ledger.post(pending("p", "alice", "bob", 400))
    assert refused(ledger, resolve("post", POST, "p", 401)) is (
        ResultCode.EXCEEDS_PENDING_TRANSFER_AMOUNT
    )
    assert refused(ledger, resolve("post", POST, "p", 0)) is ResultCode.AMOUNT_MUST_BE_POSITIVE
    assert refused(ledger, resolve("post", POST, "p", -5)) is ResultCode.AMOUNT_MUST_BE_POSITIVE
    assert only_code(ledger.post(resolve("post", POST, "p", 400))) is ResultCode.OK


def test_a_void_gives_everything_back(ledger: MemoryLedger) -> None:
    before = ledger.state()
    ledger.post(pending("p", "alice", "bob", 400))
    outcome = ledger.post(resolve("void", VOID, "p", 1))  # a void's amount is ignored
    assert only_code(outcome) is ResultCode.OK
    assert outcome.created[0].amount == 400
    assert ledger.state()[0] == before[0]
    assert ledger.violations() == []


@pytest.mark.parametrize("kind", [POST, VOID, EXPIRE])
def test_resolving_an_unknown_pending_transfer_is_refused(
    ledger: MemoryLedger, kind: TransferKind
) -> None:
    assert refused(ledger, resolve("r", kind, "nothing")) is ResultCode.PENDING_TRANSFER_NOT_FOUND


@pytest.mark.parametrize("kind", [POST, VOID, EXPIRE])
def test_resolving_a_transfer_that_is_not_pending_is_refused(
    ledger: MemoryLedger, kind: TransferKind
) -> None:
    assert refused(ledger, resolve("r", kind, "fund")) is ResultCode.PENDING_TRANSFER_NOT_PENDING
    ledger.post(pending("p", "alice", "bob", 10))
    ledger.post(resolve("void", VOID, "p"))
    assert refused(ledger, resolve("r", kind, "void")) is ResultCode.PENDING_TRANSFER_NOT_PENDING


@pytest.mark.parametrize("kind", [POST, VOID, EXPIRE])
def test_a_posted_pending_transfer_cannot_be_resolved_again(
    ledger: MemoryLedger, kind: TransferKind
) -> None:
    ledger.post(pending("p", "alice", "bob", 400, NOW + HOUR))
    ledger.post(resolve("post", POST, "p", 100))
    assert refused(ledger, resolve("again", kind, "p"), now=NOW + 2 * HOUR) is (
        ResultCode.PENDING_TRANSFER_ALREADY_POSTED
    )


@pytest.mark.parametrize("kind", [POST, VOID, EXPIRE])
def test_a_voided_pending_transfer_cannot_be_resolved_again(
    ledger: MemoryLedger, kind: TransferKind
) -> None:
    ledger.post(pending("p", "alice", "bob", 400, NOW + HOUR))
    ledger.post(resolve("void", VOID, "p"))
    assert refused(ledger, resolve("again", kind, "p"), now=NOW + 2 * HOUR) is (
        ResultCode.PENDING_TRANSFER_ALREADY_VOIDED
    )


@pytest.mark.parametrize("kind", [POST, VOID, EXPIRE])
def test_an_expired_pending_transfer_cannot_be_resolved_again(
    ledger: MemoryLedger, kind: TransferKind
) -> None:
    ledger.post(pending("p", "alice", "bob", 400, NOW + HOUR))
    assert only_code(ledger.post(resolve("expire", EXPIRE, "p"), now=NOW + HOUR)) is ResultCode.OK
    assert refused(ledger, resolve("again", kind, "p"), now=NOW + 2 * HOUR) is (
        ResultCode.PENDING_TRANSFER_EXPIRED
    )


@pytest.mark.parametrize("kind", [POST, VOID])
def test_posting_or_voiding_at_or_after_the_deadline_is_refused(
    ledger: MemoryLedger, kind: TransferKind
) -> None:
    deadline = NOW + HOUR
    ledger.post(pending("p", "alice", "bob", 400, deadline))
    assert refused(ledger, resolve("r", kind, "p"), now=deadline) is (
        ResultCode.PENDING_TRANSFER_EXPIRED
    )
    assert refused(ledger, resolve("r", kind, "p"), now=deadline + HOUR) is (
        ResultCode.PENDING_TRANSFER_EXPIRED
    )
    just_before = deadline - timedelta(microseconds=1)
    assert only_code(ledger.post(resolve("r", kind, "p"), now=just_before)) is ResultCode.OK


def test_expiring_before_the_deadline_is_refused_and_at_the_deadline_works(
    ledger: MemoryLedger,
) -> None:
    deadline = NOW + HOUR
    ledger.post(pending("p", "alice", "bob", 400, deadline))
    for early in (NOW, deadline - timedelta(microseconds=1)):
        assert refused(ledger, resolve("expire", EXPIRE, "p"), now=early) is (
            ResultCode.PENDING_TRANSFER_HAS_NOT_EXPIRED
        )
    outcome = ledger.post(resolve("expire", EXPIRE, "p"), now=deadline)
    assert only_code(outcome) is ResultCode.OK
    assert (outcome.created[0].amount, outcome.created[0].created_at) == (400, deadline)
    assert ledger.counters("alice") == (0, 0, 0, 1000)
    assert ledger.counters("bob") == (0, 0, 0, 0)
    assert ledger.violations() == []


def test_a_pending_transfer_without_a_deadline_never_expires(ledger: MemoryLedger) -> None:
    ledger.post(pending("p", "alice", "bob", 400))
    far = NOW + timedelta(days=36500)
    assert refused(ledger, resolve("expire", EXPIRE, "p"), now=far) is (
        ResultCode.PENDING_TRANSFER_HAS_NOT_EXPIRED
    )
    assert only_code(ledger.post(resolve("post", POST, "p"), now=far)) is ResultCode.OK


# --- Batches ----------------------------------------------------------------------


def test_a_linked_batch_with_a_failing_member_applies_nothing(ledger: MemoryLedger) -> None:
    ledger.post(pending("p", "alice", "bob", 100))
    before = ledger.state()
    outcome = ledger.post(
        single("a", "alice", "bob", 10),
        resolve("b", POST, "p"),
        single("c", "alice", "bob", 5000),  # exceeds alice's credits
        single("d", "world", "bob", 1),
    )
    assert [r.code for r in outcome.results] == [
        ResultCode.LINKED_EVENT_FAILED,
        ResultCode.LINKED_EVENT_FAILED,
        ResultCode.EXCEEDS_CREDITS,
        ResultCode.LINKED_EVENT_FAILED,
    ]
    assert not outcome.succeeded
    failure = outcome.first_failure()
    assert failure is not None and failure.request.id == "c"
    assert all(result.transfer is None for result in outcome.results)
    assert outcome.created == [] and outcome.accounts == {}
    assert ledger.state() == before


def test_a_linked_batch_sees_its_own_earlier_members(ledger: MemoryLedger) -> None:
    # bob has no money until the first transfer of the batch gives him some.
    outcome = ledger.post(single("a", "alice", "bob", 300), single("b", "bob", "world", 300))
    assert [r.code for r in outcome.results] == [ResultCode.OK, ResultCode.OK]
    assert ledger.counters("bob") == (0, 300, 0, 300)
    # The same id twice in one batch: applied once.
    outcome = ledger.post(single("c", "alice", "bob", 1), single("c", "alice", "bob", 1))
    assert [r.code for r in outcome.results] == [ResultCode.OK, ResultCode.EXISTS]
    assert len(outcome.created) == 1
    assert ledger.counters("bob") == (0, 300, 0, 301)
    assert ledger.violations() == []


def test_a_non_linked_batch_applies_each_transfer_alone(ledger: MemoryLedger) -> None:
    outcome = ledger.post(
        single("a", "alice", "bob", 600),
        single("b", "alice", "bob", 600),  # only 400 left
        single("c", "alice", "bob", 400),
        single("d", "alice", "alice", 1),
        single("a", "alice", "bob", 600),  # a replay of the first
        linked=False,
    )
    assert [r.code for r in outcome.results] == [
        ResultCode.OK,
        ResultCode.EXCEEDS_CREDITS,
        ResultCode.OK,
        ResultCode.ACCOUNTS_MUST_BE_DIFFERENT,
        ResultCode.EXISTS,
    ]
    assert not outcome.succeeded
    assert [t.id for t in outcome.created] == ["a", "c"]
    assert ledger.counters("alice") == (0, 1000, 0, 1000)
    assert ledger.counters("bob") == (0, 0, 0, 1000)
    assert ledger.violations() == []


def test_a_batch_may_create_a_pending_transfer_and_post_it(ledger: MemoryLedger) -> None:
    outcome = ledger.post(
        pending("p", "alice", "bob", 500, NOW + HOUR), resolve("post", POST, "p", 200)
    )
    assert [r.code for r in outcome.results] == [ResultCode.OK, ResultCode.OK]
    assert [t.id for t in outcome.created] == ["p", "post"]
    assert ledger.counters("alice") == (0, 200, 0, 1000)
    assert ledger.counters("bob") == (0, 0, 0, 200)
    # And resolving it twice in one batch is refused as a whole.
    before = ledger.state()
    outcome = ledger.post(
        pending("q", "alice", "bob", 100), resolve("v", VOID, "q"), resolve("w", POST, "q")
    )
    assert [r.code for r in outcome.results] == [
        ResultCode.LINKED_EVENT_FAILED,
        ResultCode.LINKED_EVENT_FAILED,
        ResultCode.PENDING_TRANSFER_ALREADY_VOIDED,
    ]
    assert ledger.state() == before
    assert ledger.violations() == []


def test_a_batch_is_bounded(ledger: MemoryLedger) -> None:
    requests = [single(f"t{i}", "world", "bob", 1) for i in range(MAX_TRANSFERS_PER_BATCH + 1)]
    with pytest.raises(BatchTooLarge) as raised:  # a typed error, not an assert
        ledger.post(*requests)
    assert (raised.value.status, raised.value.code) == (422, "ledger_batch_too_large")
    outcome = ledger.post(*requests[:MAX_TRANSFERS_PER_BATCH])
    assert outcome.succeeded and len(outcome.created) == MAX_TRANSFERS_PER_BATCH
    assert ledger.counters("bob") == (0, 0, 0, MAX_TRANSFERS_PER_BATCH)


def test_the_clock_must_be_timezone_aware(ledger: MemoryLedger) -> None:
    with pytest.raises(ValueError):
        ledger.post(single("t", "world", "bob", 1), now=NOW.replace(tzinfo=None))


# --- Verification -----------------------------------------------------------------


def test_counters_can_be_recomputed_from_the_transfers(ledger: MemoryLedger) -> None:
    deadline = NOW + HOUR
    ledger.post(
        pending("p1", "alice", "bob", 100, deadline),
        pending("p2", "alice", "bob", 200),
        pending("p3", "alice", "bob", 300, deadline),
        pending("p4", "alice", "bob", 50),
        resolve("post1", POST, "p1", 40),
        resolve("void2", VOID, "p2"),
    )
    ledger.post(resolve("exp3", EXPIRE, "p3"), now=deadline)
    recomputed = recompute_counters(ledger.transfers.values())
    assert recomputed == {
        key: list(value) for key, value in ledger.state()[0].items() if any(value)
    }
    assert ledger.counters("alice") == (50, 40, 0, 1000)
    assert ledger.violations() == []


def test_verification_names_what_is_broken(ledger: MemoryLedger) -> None:
    ledger.post(pending("p", "alice", "bob", 100))
    ledger.accounts["bob"].credits_posted += 7
    found = ledger.violations()
    assert any(v.startswith("5: account bob") for v in found), found
    assert any(v.startswith("1: currency EUR") for v in found), found
    ledger.accounts["bob"].credits_posted -= 7
    assert ledger.violations() == []
    # A resolution recorded twice, and one of nothing, by hand.
    ledger.transfers["x"] = Transfer("x", VOID, "alice", "bob", 100, "EUR", NOW, pending_id="p")
    ledger.transfers["y"] = Transfer("y", VOID, "alice", "bob", 100, "EUR", NOW, pending_id="p")
    ledger.transfers["z"] = Transfer("z", VOID, "alice", "bob", 1, "EUR", NOW, pending_id="nope")
    found = ledger.violations()
    assert "3: transfer p: resolved twice (x, y)" in found
    assert "3: transfer z: resolves no pending transfer" in found
