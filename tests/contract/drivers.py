"""Test drivers of the provider contract suite: one per ``PaymentProvider``.

A driver builds a provider wired to something that plays the provider's other side,
plays the customer on the provider's hosted page, and hands over the notification the
provider sent. ``DRIVERS`` lists them; the suite runs once per entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Protocol

import pytest

from axokey.adapters.providers.base import PaymentProvider
from axokey.adapters.providers.payxpert import PayXpertProvider
from axokey.adapters.providers.sandbox import SandboxProvider
from axokey.services.context import ServiceContext
from tests.fakes.connect2pay import CustomerOutcome, FakeConnect2Pay


class PaymentOutcome(StrEnum):
    """What the customer does on the hosted page. Mirrors the sandbox's test cards."""

    SUCCEEDS = "succeeds"  # 4242424242424242: no challenge
    SUCCEEDS_AFTER_CHALLENGE = "succeeds_after_challenge"  # 4000002760003184 + 123456
    FAILS_CHALLENGE = "fails_challenge"  # 4000002760003184 + a wrong one-time code
    DECLINED = "declined"  # 4000000000000002
    INSUFFICIENT_FUNDS = "insufficient_funds"  # 4000000000009995


class ProviderDriver(Protocol):
    # How many attempts one checkout allows (a refused one leaves the page open while
    # attempts remain). The sandbox: one; PayXpert: the account's ``maxAttempts``.
    attempts_per_checkout: int

    def make_provider(self) -> PaymentProvider:
        """The provider under test (always the same one for this driver)."""
        ...

    def pay(self, reference: str, outcome: PaymentOutcome) -> None:
        """The customer pays the checkout ``reference`` (provider_reference) so."""
        ...

    def notification_for(self, reference: str) -> tuple[Mapping[str, str], bytes]:
        """The last notification the provider sent about ``reference``: headers, body."""
        ...

    def return_fields(self, reference: str) -> dict[str, str]:
        """What the customer's browser brings back to the return URL."""
        ...


class PayXpertDriver:
    """PayXpert's adapter against the in-memory fake Connect2Pay (no network)."""

    def __init__(self) -> None:
        self.fake = FakeConnect2Pay()
        self.attempts_per_checkout = self.fake.max_attempts
        self.provider = PayXpertProvider(
            base_url=self.fake.base_url,
            originator=self.fake.originator,
            password=self.fake.password,
            timeout_seconds=5.0,
            transport=self.fake.transport(),
        )

    def make_provider(self) -> PaymentProvider:
        return self.provider

    def pay(self, reference: str, outcome: PaymentOutcome) -> None:
        self.fake.pay(reference, _PAYXPERT_OUTCOMES[outcome])

    def notification_for(self, reference: str) -> tuple[Mapping[str, str], bytes]:
        callback = self.fake.last_callback(reference)
        return callback.headers, callback.body

    def return_fields(self, reference: str) -> dict[str, str]:
        # The form POST to ctrlRedirectURL: data (encrypted status) and customer.
        return self.fake.browser_return(reference).fields

    def close(self) -> None:
        self.provider.close()


_PAYXPERT_OUTCOMES = {
    PaymentOutcome.SUCCEEDS: CustomerOutcome.SUCCEED,
    PaymentOutcome.SUCCEEDS_AFTER_CHALLENGE: CustomerOutcome.SUCCEED_AFTER_CHALLENGE,
    PaymentOutcome.FAILS_CHALLENGE: CustomerOutcome.FAIL_CHALLENGE,
    PaymentOutcome.DECLINED: CustomerOutcome.DECLINE,
    PaymentOutcome.INSUFFICIENT_FUNDS: CustomerOutcome.INSUFFICIENT_FUNDS,
}


def _payxpert(request: pytest.FixtureRequest) -> ProviderDriver:
    driver = PayXpertDriver()
    request.addfinalizer(driver.close)
    return driver


class SandboxDriver:
    """The real sandbox provider on the test database; its notifications are kept
    here instead of being delivered to the app."""

    CARDS = {
        PaymentOutcome.SUCCEEDS: ("4242424242424242", None),
        PaymentOutcome.SUCCEEDS_AFTER_CHALLENGE: ("4000002760003184", "123456"),
        PaymentOutcome.FAILS_CHALLENGE: ("4000002760003184", "654321"),
        PaymentOutcome.DECLINED: ("4000000000000002", None),
        PaymentOutcome.INSUFFICIENT_FUNDS: ("4000000000009995", None),
    }

    attempts_per_checkout = 1

    def __init__(self, context: ServiceContext) -> None:
        self.sent: dict[str, tuple[Mapping[str, str], bytes]] = {}
        self.provider = SandboxProvider(
            database=context.database,
            base_url="http://testserver",
            notification_key=b"k" * 32,
            clock=context.clock,
            deliver=self._record,
        )

    def _record(self, headers: Mapping[str, str], body: bytes) -> None:
        self.sent[json.loads(body)["reference"]] = (dict(headers), body)

    def make_provider(self) -> PaymentProvider:
        return self.provider

    def pay(self, reference: str, outcome: PaymentOutcome) -> None:
        card, otp = self.CARDS[outcome]
        self.provider.submit_card(reference, card, otp)

    def notification_for(self, reference: str) -> tuple[Mapping[str, str], bytes]:
        return self.sent[reference]

    def return_fields(self, reference: str) -> dict[str, str]:
        # The sandbox's pages send the browser back by a plain GET.
        return {}


def _sandbox(request: pytest.FixtureRequest) -> ProviderDriver:
    return SandboxDriver(request.getfixturevalue("context"))


# Each driver factory gets the test's ``pytest.FixtureRequest``, so a driver that needs
# fixtures (the sandbox needs the database) can take them.
DRIVERS: dict[str, Callable[[pytest.FixtureRequest], ProviderDriver]] = {
    "payxpert": _payxpert,
    "sandbox": _sandbox,
}
