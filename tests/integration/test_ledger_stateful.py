"""The ledger against a model, through the real database (Hypothesis stateful test).

The model below is written from the rules (TigerBeetle's two-phase transfers), not
from ``axokey.domain.ledger``: four counters per account, the transfers recorded
by id, and the state of each pending transfer. Every step posts a batch through
``ledger_store.post_transfers`` in a real transaction, with an explicit clock
(``now=``), and compares:

- each result code with the model's: a success must be expected, and a refusal
  must carry one of the reasons the model finds (when several rules are broken at
  once, the order in which they are checked is not the model's business);
- after every step, the stored accounts and transfers with the model's, and
  ``verify_ledger`` over the whole database.

Each example starts from empty ledger tables. ``AXOKEY_LEDGER_MODEL_EXAMPLES``
raises the number of examples for a longer hunt (default 50).
"""

from __future__ import annotations

import copy
import itertools
import os
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Connection, delete, text

from axokey.adapters.db import ledger_store
from axokey.adapters.db.tables import ledger_accounts, ledger_transfers
from axokey.domain.ledger import (
    Account,
    BatchOutcome,
    ResultCode,
    TransferKind,
    TransferRequest,
    verify_ledger,
)
from axokey.domain.money import MAX_AMOUNT_MINOR
from axokey.services.context import ServiceContext
from axokey.services.ledger import expire_pending_transfers
from tests.conftest import FakeClock

START = datetime(2030, 1, 1, tzinfo=UTC)
CURRENCIES = ("EUR", "USD", "JPY")
UNKNOWN_ACCOUNT = "acc_unknown"
UNKNOWN_TRANSFER = "trf_unknown"
# Mostly euros, so that transfers between two accounts often share a currency.
ACCOUNT_SPECS = st.tuples(
    st.sampled_from(["EUR", "EUR", *CURRENCIES]),
    st.booleans(),  # debits_must_not_exceed_credits
    st.sampled_from([False, False, True]),  # credits_must_not_exceed_debits
)
EXAMPLES = int(os.environ.get("AXOKEY_LEDGER_MODEL_EXAMPLES", "50"))

SINGLE = TransferKind.SINGLE
PENDING = TransferKind.PENDING
POST = TransferKind.POST_PENDING
VOID = TransferKind.VOID_PENDING
EXPIRE = TransferKind.EXPIRE_PENDING
R = ResultCode

# --- The model ------------------------------------------------------------------------

DEBITS_PENDING, DEBITS_POSTED, CREDITS_PENDING, CREDITS_POSTED = range(4)


@dataclass
class ModelAccount:
    currency: str
    debits_must_not_exceed_credits: bool
    credits_must_not_exceed_debits: bool
    counters: list[int] = field(default_factory=lambda: [0, 0, 0, 0])


@dataclass
class ModelTransfer:
    request: TransferRequest  # as first submitted: a replay must equal it to "exist"
    kind: TransferKind
    debit: str
    credit: str
    amount: int
    pending_id: str | None = None
    timeout_at: datetime | None = None
    state: str = "pending"  # pending transfers only: pending, posted, voided, expired


class Model:
    def __init__(self) -> None:
        self.accounts: dict[str, ModelAccount] = {}
        self.transfers: dict[str, ModelTransfer] = {}

    def pendings(self) -> list[str]:
        return [key for key, value in self.transfers.items() if value.kind is PENDING]

    def submit(self, request: TransferRequest, now: datetime) -> set[ResultCode]:
        """The result codes the ledger may answer; on success the model moves on."""
        recorded = self.transfers.get(request.id)
        if recorded is not None:
            if request == recorded.request:
                return {R.EXISTS}
            return {R.EXISTS_WITH_DIFFERENT_FIELDS}
        if request.kind in (SINGLE, PENDING):
            reasons = self._movement_reasons(request, now)
        else:
            reasons = self._resolution_reasons(request, now)
        if reasons:
            return reasons
        self._apply(request)
        return {R.OK}

    def _movement_reasons(self, request: TransferRequest, now: datetime) -> set[ResultCode]:
        reasons = set()
        if request.pending_id is not None:
            reasons.add(R.PENDING_ID_MUST_BE_EMPTY)
        if request.timeout_at is not None:
            if request.kind is SINGLE:
                reasons.add(R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER)
            elif request.timeout_at <= now:
                reasons.add(R.TIMEOUT_MUST_BE_IN_THE_FUTURE)
        amount = request.amount
        amount_valid = amount is not None and 0 < amount <= MAX_AMOUNT_MINOR
        if amount is None or amount <= 0:
            reasons.add(R.AMOUNT_MUST_BE_POSITIVE)
        elif amount > MAX_AMOUNT_MINOR:
            reasons.add(R.AMOUNT_TOO_LARGE)
        debit = self.accounts.get(request.debit_account_id or "")
        credit = self.accounts.get(request.credit_account_id or "")
        if debit is None:
            reasons.add(R.DEBIT_ACCOUNT_NOT_FOUND)
        if credit is None:
            reasons.add(R.CREDIT_ACCOUNT_NOT_FOUND)
        if request.debit_account_id == request.credit_account_id:
            reasons.add(R.ACCOUNTS_MUST_BE_DIFFERENT)
        if debit is None or credit is None or not amount_valid:
            return reasons
        assert amount is not None
        if debit.currency != credit.currency:
            reasons.add(R.CURRENCY_MISMATCH)
        # Pessimistic: what is pending counts as if it were posted.
        debit_total = debit.counters[DEBITS_PENDING] + debit.counters[DEBITS_POSTED] + amount
        if debit.debits_must_not_exceed_credits and debit_total > debit.counters[CREDITS_POSTED]:
            reasons.add(R.EXCEEDS_CREDITS)
        credit_total = credit.counters[CREDITS_PENDING] + credit.counters[CREDITS_POSTED] + amount
        if credit.credits_must_not_exceed_debits and credit_total > credit.counters[DEBITS_POSTED]:
            reasons.add(R.EXCEEDS_DEBITS)
        return reasons

    def _resolution_reasons(self, request: TransferRequest, now: datetime) -> set[ResultCode]:
        reasons = set()
        if request.pending_id is None:
            return {R.PENDING_ID_REQUIRED}
        if request.timeout_at is not None:
            reasons.add(R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER)
        pending = self.transfers.get(request.pending_id)
        if pending is None:
            return reasons | {R.PENDING_TRANSFER_NOT_FOUND}
        if pending.kind is not PENDING:
            return reasons | {R.PENDING_TRANSFER_NOT_PENDING}
        if request.debit_account_id not in (None, pending.debit) or (
            request.credit_account_id not in (None, pending.credit)
        ):
            reasons.add(R.PENDING_TRANSFER_HAS_DIFFERENT_ACCOUNTS)
        if pending.state != "pending":
            return reasons | {
                {
                    "posted": R.PENDING_TRANSFER_ALREADY_POSTED,
                    "voided": R.PENDING_TRANSFER_ALREADY_VOIDED,
                    "expired": R.PENDING_TRANSFER_EXPIRED,
                }[pending.state]
            }
        deadline_passed = pending.timeout_at is not None and now >= pending.timeout_at
        if request.kind is EXPIRE and not deadline_passed:
            reasons.add(R.PENDING_TRANSFER_HAS_NOT_EXPIRED)
        if request.kind is not EXPIRE and deadline_passed:
            reasons.add(R.PENDING_TRANSFER_EXPIRED)
        if request.kind is POST and request.amount is not None:
            if request.amount <= 0:
                reasons.add(R.AMOUNT_MUST_BE_POSITIVE)
            elif request.amount > pending.amount:
                reasons.add(R.EXCEEDS_PENDING_TRANSFER_AMOUNT)
        return reasons

    def _apply(self, request: TransferRequest) -> None:
        if request.kind in (SINGLE, PENDING):
            assert request.amount is not None
            assert request.debit_account_id is not None
            assert request.credit_account_id is not None
            debit = self.accounts[request.debit_account_id].counters
            credit = self.accounts[request.credit_account_id].counters
            if request.kind is PENDING:
                debit[DEBITS_PENDING] += request.amount
                credit[CREDITS_PENDING] += request.amount
            else:
                debit[DEBITS_POSTED] += request.amount
                credit[CREDITS_POSTED] += request.amount
            self.transfers[request.id] = ModelTransfer(
                request,
                request.kind,
                request.debit_account_id,
                request.credit_account_id,
                request.amount,
                timeout_at=request.timeout_at,
            )
            return
        assert request.pending_id is not None
        pending = self.transfers[request.pending_id]
        debit = self.accounts[pending.debit].counters
        credit = self.accounts[pending.credit].counters
        debit[DEBITS_PENDING] -= pending.amount
        credit[CREDITS_PENDING] -= pending.amount
        amount = pending.amount
        if request.kind is POST:
            amount = pending.amount if request.amount is None else request.amount
            debit[DEBITS_POSTED] += amount
            credit[CREDITS_POSTED] += amount
        pending.state = {POST: "posted", VOID: "voided", EXPIRE: "expired"}[request.kind]
        self.transfers[request.id] = ModelTransfer(
            request, request.kind, pending.debit, pending.credit, amount, request.pending_id
        )


# --- The machine --------------------------------------------------------------------


class LedgerMachine(RuleBasedStateMachine):
    """Bound to a test's database by a subclass that sets ``context`` and ``clock``."""

    context: ClassVar[ServiceContext]
    clock: ClassVar[FakeClock]

    def __init__(self) -> None:
        super().__init__()

        def wipe(connection: Connection) -> None:
            if connection.dialect.name == "postgresql":  # a trigger refuses DELETE of transfers
                connection.execute(text("TRUNCATE ledger_transfers, ledger_accounts"))
                return
            connection.execute(delete(ledger_transfers))
            connection.execute(delete(ledger_accounts))

        self.context.database.run(wipe)
        self.model = Model()
        self.now = START
        self.ids = itertools.count(1)
        self.submitted: list[TransferRequest] = []
        self.banks: dict[str, str] = {}  # per currency, an account with no limit

    # Drawing requests ------------------------------------------------------------------

    def new_id(self) -> str:
        return f"trf_{next(self.ids)}"

    @staticmethod
    def rarely(data: st.DataObject, one_in: int) -> bool:
        """True about once in ``one_in`` draws (a middle value, which Hypothesis favours
        less than the bounds, and shrinks away from)."""
        return data.draw(st.integers(1, one_in)) == one_in // 2

    def draw_accounts(self, data: st.DataObject) -> tuple[str, str]:
        accounts = sorted(self.model.accounts)
        if len(accounts) < 2 or self.rarely(data, 10):
            # The same account twice, or an unknown one.
            pool = [*accounts, UNKNOWN_ACCOUNT]
            return data.draw(st.sampled_from(pool)), data.draw(st.sampled_from(pool))
        same_currency = [
            (debit, credit)
            for debit in accounts
            for credit in accounts
            if debit != credit
            and self.model.accounts[debit].currency == self.model.accounts[credit].currency
        ]
        if same_currency and not self.rarely(data, 6):
            return data.draw(st.sampled_from(same_currency))
        debit, credit = data.draw(st.permutations(accounts))[:2]
        return debit, credit

    def draw_amount(self, data: st.DataObject) -> int:
        if self.rarely(data, 15):
            return data.draw(st.sampled_from([0, -1, MAX_AMOUNT_MINOR + 1]))
        return data.draw(st.integers(1, 400))

    def draw_timeout(self, data: st.DataObject) -> datetime | None:
        if data.draw(st.booleans()):
            return None
        if self.rarely(data, 6):  # at the boundary: refused up to now, accepted after
            return self.now + timedelta(microseconds=data.draw(st.integers(-1, 1)))
        seconds = data.draw(st.integers(-2, 120))
        microseconds = data.draw(st.integers(0, 999_999))
        return self.now + timedelta(seconds=seconds, microseconds=microseconds)

    def draw_movement(self, data: st.DataObject, kind: TransferKind) -> TransferRequest:
        debit, credit = self.draw_accounts(data)
        timeout = self.draw_timeout(data) if kind is PENDING else None
        pending_id = None
        if self.rarely(data, 20):
            if data.draw(st.booleans()):
                timeout = self.now + timedelta(seconds=30)  # refused on a single-phase one
            else:
                pending_id = data.draw(st.sampled_from([UNKNOWN_TRANSFER, *self.model.pendings()]))
        return TransferRequest(
            id=self.new_id(),
            kind=kind,
            amount=self.draw_amount(data),
            debit_account_id=debit,
            credit_account_id=credit,
            pending_id=pending_id,
            timeout_at=timeout,
            code=data.draw(st.sampled_from(["", "capture", "release"])),
        )

    def draw_resolution(self, data: st.DataObject, kind: TransferKind) -> TransferRequest:
        pendings = self.model.pendings()
        pending_id: str | None
        if pendings and not self.rarely(data, 8):
            # The open ones most of the time: resolved ones are refused.
            open_pendings = [
                key for key in pendings if self.model.transfers[key].state == "pending"
            ]
            if open_pendings and data.draw(st.integers(0, 3)) > 0:
                pending_id = data.draw(st.sampled_from(open_pendings))
            else:
                pending_id = data.draw(st.sampled_from(pendings))
        else:
            pending_id = data.draw(
                st.sampled_from([UNKNOWN_TRANSFER, None, *sorted(self.model.transfers)])
            )
        pending = self.model.transfers.get(pending_id or "")
        amount = None
        if kind is POST and data.draw(st.booleans()):
            if pending is None:
                amount = data.draw(st.integers(-1, 50))
            elif data.draw(st.booleans()):  # the boundaries
                amount = data.draw(st.sampled_from([pending.amount, pending.amount + 1, 1, 0]))
            else:
                amount = data.draw(st.integers(1, pending.amount))
        debit = credit = None
        if pending is not None and self.rarely(data, 4):
            debit, credit = pending.debit, pending.credit
            if data.draw(st.booleans()):
                debit, credit = credit, debit
        return TransferRequest(
            id=self.new_id(),
            kind=kind,
            amount=amount,
            debit_account_id=debit,
            credit_account_id=credit,
            pending_id=pending_id,
            code=data.draw(st.sampled_from(["", "release", "refund"])),
        )

    def draw_replay(self, data: st.DataObject) -> TransferRequest:
        original = data.draw(st.sampled_from(self.submitted))
        change = data.draw(st.sampled_from(["none", "none", "code", "amount"]))
        if change == "code":
            return replace(original, code=original.code + "x")
        if change == "amount" and original.kind in (SINGLE, PENDING):
            assert original.amount is not None
            return replace(original, amount=original.amount + 1)
        return original

    def draw_request(self, data: st.DataObject) -> TransferRequest:
        kind = data.draw(st.sampled_from([SINGLE, PENDING, POST, VOID, EXPIRE, "replay"]))
        if kind == "replay":
            if self.submitted:
                return self.draw_replay(data)
            kind = SINGLE
        assert isinstance(kind, TransferKind)
        if kind in (SINGLE, PENDING):
            return self.draw_movement(data, kind)
        return self.draw_resolution(data, kind)

    # Running a batch against the database and the model --------------------------------

    def stored_state(self) -> tuple[dict[str, tuple[int, ...]], set[str]]:
        with self.context.database.read() as connection:
            accounts = ledger_store.all_accounts(connection)
            transfers = ledger_store.all_transfers(connection)
        return {a.id: a.counters() for a in accounts}, {t.id for t in transfers}

    def execute(self, requests: list[TransferRequest], *, linked: bool = True) -> BatchOutcome:
        before = self.stored_state()
        now = self.now
        outcome = self.context.database.run(
            lambda connection: ledger_store.post_transfers(
                connection, requests, now=now, linked=linked
            )
        )
        self.submitted.extend(requests)
        codes = [result.code for result in outcome.results]
        assert len(codes) == len(requests)
        scratch = copy.deepcopy(self.model)
        expected = [scratch.submit(request, now) for request in requests]
        failures = [i for i, allowed in enumerate(expected) if not allowed <= {R.OK, R.EXISTS}]
        if linked and failures:
            first = failures[0]
            for index, (code, allowed) in enumerate(zip(codes, expected, strict=True)):
                if index < first:
                    assert code is R.LINKED_EVENT_FAILED, (index, codes, expected)
                elif index == first:
                    assert code in allowed, (index, codes, expected)
                else:  # after the first failure: refused, for its own reason or the batch's
                    assert code is R.LINKED_EVENT_FAILED or (
                        code in allowed and not code.succeeded
                    ), (index, codes, expected)
            assert not outcome.succeeded
            assert outcome.created == [] and outcome.accounts == {}
            # A refused batch changed no balance and recorded nothing.
            assert self.stored_state() == before
            return outcome
        for index, (code, allowed) in enumerate(zip(codes, expected, strict=True)):
            assert code in allowed, (index, requests[index], codes, expected)
        self.model = scratch
        created = [r.request.id for r in outcome.results if r.code is R.OK]
        assert [transfer.id for transfer in outcome.created] == created
        for result in outcome.results:
            assert (result.transfer is not None) == result.code.succeeded
        return outcome

    # Rules -----------------------------------------------------------------------------

    def add_account(self, currency: str, no_overdraft: bool, no_credit: bool) -> str:
        account_id = f"acc_{len(self.model.accounts) + 1}"
        account = Account(
            id=account_id,
            currency=currency,
            kind="test",
            debits_must_not_exceed_credits=no_overdraft,
            credits_must_not_exceed_debits=no_credit,
        )
        self.context.database.run(
            lambda connection: ledger_store.ensure_accounts(connection, [account], self.now)
        )
        self.model.accounts[account_id] = ModelAccount(currency, no_overdraft, no_credit)
        return account_id

    @initialize(specs=st.lists(ACCOUNT_SPECS, max_size=4))
    def create_some_accounts(self, specs: list[tuple[str, bool, bool]]) -> None:
        # One account per currency that may go negative both ways: where money comes from.
        for currency in CURRENCIES:
            self.banks[currency] = self.add_account(currency, False, False)
        # And one of each limit, in the common currency.
        self.add_account("EUR", True, False)
        self.add_account("EUR", False, True)
        for spec in specs:
            self.add_account(*spec)

    @rule(spec=ACCOUNT_SPECS)
    def create_account(self, spec: tuple[str, bool, bool]) -> None:
        self.add_account(*spec)

    def room(self, account_id: str) -> int:
        """How much more a limited account may be debited (or credited), pending included."""
        account = self.model.accounts[account_id]
        debits_pending, debits_posted, credits_pending, credits_posted = account.counters
        if account.debits_must_not_exceed_credits:
            return credits_posted - debits_posted - debits_pending
        return debits_posted - credits_posted - credits_pending

    def limited_accounts(self) -> list[str]:
        """Accounts limited on one side (both sides: nothing can ever move)."""
        return [
            key
            for key, account in sorted(self.model.accounts.items())
            if account.debits_must_not_exceed_credits != account.credits_must_not_exceed_debits
        ]

    def against_the_bank(self, account_id: str, kind: TransferKind, amount: int) -> TransferRequest:
        """A transfer that uses a limited account's room (or an unlimited one's money)."""
        account = self.model.accounts[account_id]
        bank = self.banks[account.currency]
        if account.credits_must_not_exceed_debits and not account.debits_must_not_exceed_credits:
            return TransferRequest(self.new_id(), kind, amount, bank, account_id)
        return TransferRequest(self.new_id(), kind, amount, account_id, bank)

    def fund(self, account_id: str, kind: TransferKind, amount: int) -> BatchOutcome:
        """The opposite of ``against_the_bank``: gives a limited account room to move."""
        request = self.against_the_bank(account_id, kind, amount)
        return self.execute(
            [
                replace(
                    request,
                    debit_account_id=request.credit_account_id,
                    credit_account_id=request.debit_account_id,
                )
            ]
        )

    @rule(data=st.data(), amount=st.integers(1, 400))
    def fund_an_account(self, data: st.DataObject, amount: int) -> None:
        limited = self.limited_accounts()
        if limited and not self.rarely(data, 4):
            account_id = data.draw(st.sampled_from(limited))
        else:
            account_id = data.draw(st.sampled_from(sorted(self.model.accounts)))
        self.fund(account_id, PENDING if self.rarely(data, 4) else SINGLE, amount)

    def expect_limit(self, account_id: str, outcome: BatchOutcome, room: int, amount: int) -> None:
        account = self.model.accounts[account_id]
        refusal = R.EXCEEDS_CREDITS if account.debits_must_not_exceed_credits else R.EXCEEDS_DEBITS
        assert outcome.results[0].code is (refusal if amount > room else R.OK)

    @precondition(lambda self: bool(self.limited_accounts()))
    @rule(data=st.data(), kind=st.sampled_from([SINGLE, PENDING]), delta=st.integers(-1, 1))
    def move_up_to_the_limit(self, data: st.DataObject, kind: TransferKind, delta: int) -> None:
        """Right at an account's limit: one more unit is refused."""
        account_id = data.draw(st.sampled_from(self.limited_accounts()))
        room = self.room(account_id)
        amount = max(1, room + delta)
        outcome = self.execute([self.against_the_bank(account_id, kind, amount)])
        self.expect_limit(account_id, outcome, room, amount)

    @precondition(lambda self: bool(self.limited_accounts()))
    @rule(data=st.data(), funds=st.integers(2, 300), delta=st.integers(0, 1))
    def reserve_then_reach_the_limit(self, data: st.DataObject, funds: int, delta: int) -> None:
        """Pessimistic limits: what a pending transfer reserves is no longer available."""
        account_id = data.draw(st.sampled_from(self.limited_accounts()))
        assert self.fund(account_id, SINGLE, funds).succeeded
        room = self.room(account_id)
        reserved = data.draw(st.integers(1, room - 1))
        reservation = self.against_the_bank(account_id, PENDING, reserved)
        assert self.execute([reservation]).succeeded
        amount = room - reserved + delta
        outcome = self.execute([self.against_the_bank(account_id, SINGLE, amount)])
        self.expect_limit(account_id, outcome, room - reserved, amount)

    @precondition(lambda self: bool(self.model.accounts))
    @rule(data=st.data())
    def ensure_an_existing_account_again(self, data: st.DataObject) -> None:
        """Creating an account that exists changes nothing, whatever the new values."""
        account_id = data.draw(st.sampled_from(sorted(self.model.accounts)))
        again = Account(
            id=account_id,
            currency="XXX",
            kind="other",
            debits_must_not_exceed_credits=data.draw(st.booleans()),
            credits_must_not_exceed_debits=data.draw(st.booleans()),
            debits_posted=999,
        )
        self.context.database.run(
            lambda connection: ledger_store.ensure_accounts(connection, [again], self.now)
        )

    @precondition(lambda self: len(self.model.accounts) >= 2)
    @rule(data=st.data())
    def single_phase_transfer(self, data: st.DataObject) -> None:
        self.execute([self.draw_movement(data, SINGLE)])

    @precondition(lambda self: len(self.model.accounts) >= 2)
    @rule(data=st.data())
    def pending_transfer(self, data: st.DataObject) -> None:
        self.execute([self.draw_movement(data, PENDING)])

    @rule(
        data=st.data(),
        amount=st.integers(1, 400),
        seconds=st.integers(1, 200),
        microseconds=st.integers(0, 999_999),
    )
    def hold_with_a_deadline(
        self, data: st.DataObject, amount: int, seconds: int, microseconds: int
    ) -> None:
        """A pending transfer from a bank, with a deadline: the escrow hold."""
        account_id = data.draw(st.sampled_from(sorted(self.model.accounts)))
        bank = self.banks[self.model.accounts[account_id].currency]
        if bank == account_id:
            return
        deadline = self.now + timedelta(seconds=seconds, microseconds=microseconds)
        self.execute(
            [TransferRequest(self.new_id(), PENDING, amount, bank, account_id, timeout_at=deadline)]
        )

    @rule(data=st.data(), kind=st.sampled_from([POST, POST, VOID, EXPIRE]))
    def resolve_pending(self, data: st.DataObject, kind: TransferKind) -> None:
        self.execute([self.draw_resolution(data, kind)])

    @precondition(lambda self: bool(self.submitted))
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        """The same id again, with the same content or not."""
        self.execute([self.draw_replay(data)])

    @rule(data=st.data(), linked=st.booleans(), size=st.integers(1, 5))
    def batch(self, data: st.DataObject, linked: bool, size: int) -> None:
        self.execute([self.draw_request(data) for _ in range(size)], linked=linked)

    @precondition(lambda self: len(self.model.accounts) >= 2)
    @rule(data=st.data(), size=st.integers(1, 4))
    def linked_batch_with_a_failing_member(self, data: st.DataObject, size: int) -> None:
        requests = [self.draw_request(data) for _ in range(size)]
        accounts = sorted(self.model.accounts)
        failing = TransferRequest(
            id=self.new_id(),
            kind=SINGLE,
            amount=data.draw(st.sampled_from([0, -7])),
            debit_account_id=accounts[0],
            credit_account_id=accounts[1],
        )
        requests.insert(data.draw(st.integers(0, size)), failing)
        outcome = self.execute(requests)
        assert not outcome.succeeded

    @precondition(lambda self: len(self.model.accounts) >= 2)
    @rule(data=st.data(), amount=st.integers(1, 300), partial=st.booleans())
    def pending_and_post_in_one_batch(
        self, data: st.DataObject, amount: int, partial: bool
    ) -> None:
        pending = self.draw_movement(data, PENDING)
        pending = replace(pending, amount=amount, pending_id=None)
        post = TransferRequest(
            self.new_id(), POST, amount // 2 + 1 if partial else None, pending_id=pending.id
        )
        self.execute([pending, post])

    @rule(seconds=st.integers(0, 150), microseconds=st.integers(0, 999_999))
    def advance_the_clock(self, seconds: int, microseconds: int) -> None:
        self.now += timedelta(seconds=seconds, microseconds=microseconds)

    def open_pendings_with_a_future_deadline(self) -> list[str]:
        return [
            key
            for key, transfer in self.model.transfers.items()
            if transfer.kind is PENDING
            and transfer.state == "pending"
            and transfer.timeout_at is not None
            and transfer.timeout_at > self.now
        ]

    @rule(data=st.data(), kind=st.sampled_from([POST, VOID, EXPIRE, "sweep"]))
    def resolve_exactly_at_the_deadline(
        self, data: st.DataObject, kind: TransferKind | str
    ) -> None:
        """At the deadline a pending transfer expires: expiring works, posting does not.

        One microsecond earlier, it has not expired: neither an expiry nor the sweep
        may touch it.
        """
        candidates = self.open_pendings_with_a_future_deadline()
        if candidates and data.draw(st.booleans()):
            pending_id = data.draw(st.sampled_from(candidates))
        else:  # a new hold (to an account whose credits are not limited)
            pending_id = self.new_id()
            receivers = sorted(
                key
                for key, account in self.model.accounts.items()
                if key != self.banks["EUR"]
                and account.currency == "EUR"
                and not account.credits_must_not_exceed_debits
            )
            deadline = self.now + timedelta(seconds=data.draw(st.integers(1, 100)))
            hold = TransferRequest(
                pending_id,
                PENDING,
                data.draw(st.integers(1, 100)),
                self.banks["EUR"],
                data.draw(st.sampled_from(receivers)),
                timeout_at=deadline,
            )
            assert self.execute([hold]).succeeded
        deadline = self.model.transfers[pending_id].timeout_at
        assert deadline is not None
        self.now = deadline - timedelta(microseconds=1)  # the deadline is in the future
        if kind == "sweep":
            self.sweep_expired_pending_transfers()
            assert self.model.transfers[pending_id].state == "pending"
            self.now = deadline
            self.sweep_expired_pending_transfers()
            assert self.model.transfers[pending_id].state == "expired"
            return
        early = self.execute([TransferRequest(self.new_id(), EXPIRE, pending_id=pending_id)])
        assert early.results[0].code is R.PENDING_TRANSFER_HAS_NOT_EXPIRED
        self.now = deadline
        assert isinstance(kind, TransferKind)
        outcome = self.execute([TransferRequest(self.new_id(), kind, pending_id=pending_id)])
        expected = R.OK if kind is EXPIRE else R.PENDING_TRANSFER_EXPIRED
        assert outcome.results[0].code is expected

    @rule()
    def sweep_expired_pending_transfers(self) -> None:
        self.clock.frozen = self.now
        due = sorted(
            key
            for key, transfer in self.model.transfers.items()
            if transfer.kind is PENDING
            and transfer.state == "pending"
            and transfer.timeout_at is not None
            and transfer.timeout_at <= self.now
        )
        assert expire_pending_transfers(self.context, batch_size=3) == len(due)
        for pending_id in due:
            request = TransferRequest(
                f"{pending_id}:expire", EXPIRE, pending_id=pending_id, code="expire"
            )
            assert self.model.submit(request, self.now) == {R.OK}
            self.submitted.append(request)

    # Invariants ------------------------------------------------------------------------

    @invariant()
    def the_database_matches_the_model(self) -> None:
        with self.context.database.read() as connection:
            accounts = ledger_store.all_accounts(connection)
            transfers = ledger_store.all_transfers(connection)
        assert verify_ledger(accounts, transfers) == []
        stored_accounts = {
            a.id: (
                a.currency,
                a.debits_must_not_exceed_credits,
                a.credits_must_not_exceed_debits,
                list(a.counters()),
            )
            for a in accounts
        }
        model_accounts = {
            key: (
                value.currency,
                value.debits_must_not_exceed_credits,
                value.credits_must_not_exceed_debits,
                value.counters,
            )
            for key, value in self.model.accounts.items()
        }
        assert stored_accounts == model_accounts
        stored_transfers = {
            t.id: (t.kind, t.debit_account_id, t.credit_account_id, t.amount, t.pending_id)
            for t in transfers
        }
        model_transfers = {
            key: (t.kind, t.debit, t.credit, t.amount, t.pending_id)
            for key, t in self.model.transfers.items()
        }
        assert stored_transfers == model_transfers
        for transfer in transfers:
            assert transfer.timeout_at == self.model.transfers[transfer.id].timeout_at
            assert transfer.currency == self.model.accounts[transfer.debit_account_id].currency


def test_the_ledger_behaves_like_its_model(context: ServiceContext, clock: FakeClock) -> None:
    machine = type("BoundLedgerMachine", (LedgerMachine,), {"context": context, "clock": clock})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
