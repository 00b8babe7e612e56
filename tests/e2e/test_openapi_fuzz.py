"""The OpenAPI document, proven by schemathesis with every check on every operation.

For every operation of the served document, schemathesis generates valid
(``positive``) and invalid (``negative``) requests and sends each one with the key
of every role — the operator, a merchant, a supplier, a courier and a store — and
validates each response with **all** its checks (``case.call_and_validate()``
without a ``checks=`` list runs every registered check: no server error, status
codes, content types, headers and bodies as documented, valid data accepted,
invalid data refused, authentication not ignored, ...). A failure of any check on
any operation fails the test, with every failure listed.

The database holds SPEC.md's cast, an agreement, a paid and an unpaid order and a
completed one (with a refund); half of the generated ids (path parameters, body
fields) are replaced by ids that exist, so requests reach past the 404s into the
services. What JSON Schema cannot say is made real the same way: an
``Idempotency-Key`` is unique per request (the same key with another body is
refused 422 by design), a GTIN has its check digit.

Rules the schema cannot state (an order's lines against the stored products, a
photo's content, two parameters together) are handled both ways:

- each operation lists them in ``x-rules-beyond-schema`` (status, stable code, rule;
  see ``axokey.api.openapi.beyond_schema``), and the positive-data check accepts a
  schema-valid request's refusal only when its (status, code) pair is one of them —
  any other refusal of valid data still fails;
- the fuzzer also builds, often, the request an integrator would send (an order of
  listed products in their currency at a price not below wholesale, a listing at or
  above the wholesale price, a photo of a real code, a date range in order), so the
  happy path is exercised, not just the documented refusals.

Bounded for CI (``AXOKEY_FUZZ_EXAMPLES`` examples per operation, mode and role;
derandomised by default). A long run: ``AXOKEY_FUZZ_EXAMPLES=60`` (randomised,
and it prints the number of requests sent), with ``-p no:timeout``; split over
processes with ``AXOKEY_FUZZ_SHARD=1/2`` and ``2/2``.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.transport.serialization import Binary

from axokey.api.openapi import RULES_EXTENSION
from tests.conftest import ADMIN
from tests.photos import qr_photo
from tests.scenario import (
    DECLINED,
    NEEDS_CHALLENGE,
    SUCCEEDS,
    World,
    delivery_order,
    ok,
    spec_world,
)

EXAMPLES = int(os.environ.get("AXOKEY_FUZZ_EXAMPLES", "3"))
DERANDOMIZE = "AXOKEY_FUZZ_EXAMPLES" not in os.environ
ROLES = ("operator", "M", "S1", "C", "ST")
# While fixing: AXOKEY_FUZZ_OPERATIONS="POST /v1/orders" (a part of the labels to run).
ONLY = os.environ.get("AXOKEY_FUZZ_OPERATIONS", "")
# A long run split over processes: AXOKEY_FUZZ_SHARD="1/2" runs every second operation
# of the document, from the first; "2/2" the others.
SHARD, SHARDS = (int(part) for part in os.environ.get("AXOKEY_FUZZ_SHARD", "1/1").split("/"))
# A long run's progress: one line per operation and mode appended to this file.
LOG = os.environ.get("AXOKEY_FUZZ_LOG")


def _future(data: st.DataObject) -> str:
    days = data.draw(st.integers(min_value=1, max_value=300), label="days ahead")
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _one_of(*values: Any) -> Callable[[st.DataObject], Any]:
    return lambda data: data.draw(st.sampled_from(values))


# Rules the document states in words, that JSON Schema cannot check: a valid request
# always follows them (an expiry or deadline in the future; a webhook URL that
# resolves to an address the sandbox may call; check digits and checksums).
RULES: dict[str, Callable[[st.DataObject], Any]] = {
    "expires_at": _future,
    "redeem_by": _future,
    "card_number": _one_of(SUCCEEDS, NEEDS_CHALLENGE, DECLINED),
    "gtin": _one_of("4006381333931", "5901234123457"),
    "gtins": _one_of(["4006381333931"], ["5901234123457", "5901234123457"]),
    # A deliverable address's syntax (email-validator refuses reserved domains).
    "email": _one_of("customer@example.com", "camille.martin@example.fr"),
    "iban": _one_of("FR7630006000011234567890189", "DE89370400440532013000"),
    "bic": _one_of("BNPAFRPPXXX", "DEUTDEFF"),
    "url": lambda data: data.draw(
        st.sampled_from(["https://127.0.0.1:9/hooks", "http://localhost:9/axokey"]), label="url"
    ),
}


def realistic(value: Any, ids: dict[str, list[Any]], data: st.DataObject) -> Any:
    """A valid body's fields, by name: some replaced by values that exist, those
    bound by a rule replaced by values that follow it."""
    if isinstance(value, list):
        return [realistic(item, ids, data) for item in value]
    if not isinstance(value, dict):
        return value
    replaced = {}
    for key, item in value.items():
        known = ids.get(key)
        if key in RULES and item is not None:
            replaced[key] = RULES[key](data)
        elif known and data.draw(st.booleans(), label=f"real {key}"):
            replaced[key] = data.draw(st.sampled_from(known))
        else:
            replaced[key] = realistic(item, ids, data)
    return replaced


def seeded(client: Any) -> tuple[World, dict[str, list[Any]]]:
    """SPEC.md's cast, an agreement, a paid, an unpaid and a completed order (one of
    its lines refunded); the ids that exist."""
    world = spec_world(client)
    world.agree("S1", 3000)
    paid = delivery_order(world, "escrow")
    payment = world.pay(paid["id"])
    unpaid = delivery_order(world, "escrow")
    pending = world.checkout(unpaid["id"])
    completed = delivery_order(world, "escrow")
    world.pay(completed["id"])
    world.redeem(
        "C",
        world.code(completed["id"]),
        lines=[{"line_id": completed["lines"][0]["id"]}],
        complete=True,
    )
    refund = world.refunds(completed["id"])[0]
    paid_code = world.get_order(paid["id"])["redemption"]
    # Products no one lists yet: a new listing of one of them can succeed (once).
    unlisted = [
        ok(
            client.post(
                "/v1/products",
                json={
                    "sku": f"NEW{number}",
                    "name": f"New {number}",
                    "kind": "good",
                    "currency": "EUR",
                    "wholesale_price": 1000 * number,
                },
                headers=world.parties["S1"].headers,
            ),
            201,
        )["id"]
        for number in range(1, 6)
    ]
    listing = ok(client.get("/v1/listings", headers=world.parties["M"].headers))["data"][0]
    agreement = ok(client.get("/v1/agreements", headers=world.parties["M"].headers))["data"][0]
    ids = {
        "order_id": [paid["id"], unpaid["id"], completed["id"]],
        "payment_id": [payment["id"], pending["id"]],
        "party_id": [party.id for party in world.parties.values()],
        "product_id": list(world.products.values()),
        "listing_id": [listing["id"]],
        "agreement_id": [agreement["id"]],
        "refund_id": [refund["id"]],
        "provider": ["sandbox"],
        # Body fields
        "currency": ["EUR", "USD"],
        "supplier_id": [world.parties["S1"].id, world.parties["H"].id],
        "courier_id": [world.parties["C"].id],
        "store_id": [world.parties["ST"].id],
        "merchant_id": [world.parties["M"].id],
        "line_id": [line["id"] for line in paid["lines"]],
        "code": [paid_code["qr_payload"], paid_code["short_code"]],
        "card_number": [SUCCEEDS, NEEDS_CHALLENGE, DECLINED],
        "gtin": ["4006381333931", "5901234123457"],
        "gtins": [["4006381333931"], ["5901234123457", "5901234123457"]],
        "payment_mode": ["escrow", "deposit"],
    }
    # What an integrator knows of the catalog: each product as the API shows it.
    products = [
        ok(client.get(f"/v1/products/{product_id}", headers=ADMIN))
        for product_id in [*world.products.values(), *unlisted]
    ]
    ids["_catalog"] = products
    ids["_listed"] = list(world.products.values())
    ids["_photo"] = [qr_photo(paid_code["qr_payload"])]  # made once: slow to draw
    return world, ids


def integrator_order(body: dict[str, Any], ids: dict[str, Any], data: st.DataObject) -> None:
    """A schema-valid order made into one an integrator would send: the lines name
    listed products of one currency, a service with a day ahead on an itinerary, a
    good of a supplier under agreement in deposit mode, a price at least wholesale;
    the merchant's own courier or store."""
    catalog = {product["id"]: product for product in ids["_catalog"]}
    listed = [catalog[product_id] for product_id in ids["_listed"]]
    agreed = set(ids["supplier_id"][:1])  # S1: the seeded agreement
    body["currency"] = listed[0]["currency"]
    if body.get("fulfilment") == "delivery":
        body["courier_id"] = ids["courier_id"][0]
    if body.get("fulfilment") == "store":
        body["store_id"] = ids["store_id"][0]
    for line in body.get("lines", []):
        choices = [
            product
            for product in listed
            if (product["kind"] == "service")
            == (body.get("fulfilment") == "itinerary" or line.get("service_date") is not None)
            and (
                body.get("payment_mode") != "deposit"
                or product["kind"] == "service"
                or product["supplier_id"] in agreed
            )
        ]
        product = data.draw(st.sampled_from(choices), label="listed product")
        line["product_id"] = product["id"]
        line["quantity"] = 1 + line["quantity"] % 3
        if line.get("unit_price") is not None:
            line["unit_price"] = product["wholesale_price"] + line["unit_price"] % 10_000
        if line.get("service_date") is not None:
            days = data.draw(st.integers(min_value=1, max_value=300), label="service in")
            line["service_date"] = (date.today() + timedelta(days=days)).isoformat()


def integrator_listing(body: dict[str, Any], ids: dict[str, Any], data: st.DataObject) -> None:
    """A listing of a product at a price not below its wholesale price."""
    product = data.draw(st.sampled_from(ids["_catalog"]), label="product to list")
    body["product_id"] = product["id"]
    body["unit_price"] = product["wholesale_price"] + body["unit_price"] % 10_000


def valid(case: Any, location: ParameterLocation) -> bool:
    """Whether schemathesis made this part of the case valid."""
    component = case.meta.components.get(location) if case.meta else None
    return component is None or component.mode is GenerationMode.POSITIVE


def first_found(group: FlakyFailure) -> Found:
    for error in group.exceptions:
        if isinstance(error, Found):
            return error
    raise group


class Found(AssertionError):
    def __init__(self, codes: list[str], message: str) -> None:
        super().__init__(message)
        self.codes = codes


def problem_code(response: Any) -> str | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def positive_data_accepted_or_documented(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' positive-data check (ST202), which also lets through a refusal
    the operation documents in ``x-rules-beyond-schema`` — that exact status with
    that exact code, nothing wider (not "any 422")."""
    try:
        return positive_data_acceptance(ctx, response, case)  # type: ignore[no-any-return]
    except RejectedPositiveData:
        documented = {
            (rule["status"], rule["code"])
            for rule in case.operation.definition.raw.get(RULES_EXTENSION, [])
        }
        if (response.status_code, problem_code(response)) in documented:
            return None
        raise


@dataclass
class Outcome:
    operations: int = 0
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    # Valid requests answered 2xx, by operation: the happy path was reached.
    accepted: dict[str, int] = field(default_factory=dict)


def fuzz(client: Any, keys: dict[str, dict[str, str]], ids: dict[str, list[Any]]) -> Outcome:
    """Every operation of the served document, every mode, every role's key."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    # An invalid body too large to read (the fuzzer builds arrays of thousands of items)
    # is refused with 413 before it is parsed: a rejection, like 400 or 422, which
    # schemathesis' negative-data check (ST201) does not list by default.
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    outcome = Outcome()
    for result in schema.get_all_operations():
        operation = result.ok()
        outcome.operations += 1
        if ONLY and ONLY not in operation.label:
            continue
        if outcome.operations % SHARDS != SHARD % SHARDS:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if LOG:
                with open(LOG, "a", encoding="utf-8") as log:
                    log.write(f"{outcome.requests} requests so far; {operation.label} {mode}\n")

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=DERANDOMIZE,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def run(case: Any, data: st.DataObject) -> None:
                # Only valid parts are made real: an invalid one keeps what makes it so.
                if valid(case, ParameterLocation.PATH):
                    for name in list(case.path_parameters or {}):
                        known = ids.get(name)
                        if known and data.draw(st.booleans(), label=f"real {name}"):
                            case.path_parameters[name] = data.draw(st.sampled_from(known))
                if valid(case, ParameterLocation.BODY) and isinstance(case.body, (dict, list)):
                    case.body = realistic(case.body, ids, data)
                    # Often, the request an integrator would send (see the docstring).
                    if isinstance(case.body, dict) and data.draw(st.booleans(), label="integrator"):
                        if operation.label == "POST /v1/orders":
                            integrator_order(case.body, ids, data)
                        if operation.label == "POST /v1/listings":
                            integrator_listing(case.body, ids, data)
                photo = None
                if (
                    operation.label == "POST /v1/redemptions/code-image"
                    and valid(case, ParameterLocation.BODY)
                    and data.draw(st.booleans(), label="a real code's photo")
                ):
                    # Binary: what schemathesis makes of a "binary" string.
                    photo = Binary(ids["_photo"][0])
                    case.media_type = "image/jpeg"
                query = case.query or {}
                if valid(case, ParameterLocation.QUERY):
                    for name in [name for name in query if name in RULES]:
                        query[name] = RULES[name](data)
                if (
                    valid(case, ParameterLocation.QUERY)
                    and query.get("created_from", "") > query.get("created_to", "\uffff")
                    and data.draw(st.booleans(), label="a range in order")
                ):
                    query["created_from"], query["created_to"] = (
                        query["created_to"],
                        query["created_from"],
                    )
                if valid(case, ParameterLocation.QUERY) and "from" in query and "to" in query:
                    # An export's period: at most 366 days, both ends included.
                    start = date(2026, 1, 1) + timedelta(days=data.draw(st.integers(0, 700)))
                    query["from"] = start.isoformat()
                    query["to"] = (
                        start + timedelta(days=data.draw(st.integers(0, 365)))
                    ).isoformat()
                callers = keys
                if photo is not None:
                    callers = {"C": keys["C"]}  # a courier photographs the customer's code
                if not valid(case, ParameterLocation.HEADER):
                    # Invalid headers (a malformed or missing Authorization...) are
                    # sent as they are, not replaced by a role's key.
                    callers = {"its own headers": {}}
                for role, headers in callers.items():
                    if photo is not None:
                        # A photo is a valid "binary", but schemathesis 4.32 re-checks
                        # an edited body and judges any binary one invalid
                        # (``contains_binary``): keep the body's generated, positive mode
                        # (``_meta``: the public ``meta`` would re-check it first). It
                        # re-checks it again after a success (resent without the key, by
                        # the authentication check): the photo goes to one role only.
                        case.body = photo
                        case._meta.clear_dirty(ParameterLocation.BODY)
                    if case.headers and "Idempotency-Key" in case.headers:
                        case.headers["Idempotency-Key"] = f"fuzz-{uuid.uuid4()}"
                    outcome.requests += 1
                    try:
                        response = case.call_and_validate(
                            headers=headers,
                            excluded_checks=[positive_data_acceptance],
                            additional_checks=[positive_data_accepted_or_documented],
                        )
                    except FailureGroup as error:
                        codes = sorted({failure.code for failure in error.exceptions})
                        raise Found(codes, f"as {role}: {error.args[0]}") from None
                    if mode is GenerationMode.POSITIVE and 200 <= response.status_code < 300:
                        outcome.accepted[operation.label] = (
                            outcome.accepted.get(operation.label, 0) + 1
                        )

            try:
                run()
            except Unsatisfiable:
                # Nothing invalid can be made of this operation (e.g. no parameter
                # and no body): there is no negative case to send.
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Found, FlakyFailure) as error:
                # A failure; or one that did not fail again when replayed (the world's
                # state had moved on): hypothesis' FlakyFailure, reported the same.
                found = error if isinstance(error, Found) else first_found(error)
                if LOG:
                    with open(LOG, "a", encoding="utf-8") as log:
                        log.write(f"FAILED {operation.label} ({mode.value}): {found}\n")
                outcome.failures.append(f"{operation.label} ({mode.value}): {found}")
    return outcome


# The operations whose success the fuzzer builds on purpose (see the docstring).
HAPPY_PATHS = (
    "POST /v1/orders",
    "POST /v1/listings",
    "POST /v1/redemptions/code-image",
    "GET /v1/orders",
)


# Some 1,800 requests (each validated by every check) and photos to decode: longer than
# the suite's default limit when the machine is loaded. Not a speed assertion.
@pytest.mark.timeout(1200)
def test_every_check_passes_on_every_operation_for_every_role(client: Any) -> None:
    world, ids = seeded(client)
    keys = {role: ADMIN if role == "operator" else world.parties[role].headers for role in ROLES}
    for role, headers in keys.items():  # a 401 everywhere would pass many checks
        assert client.get("/v1/orders", headers=headers).status_code == 200, role
    outcome = fuzz(client, keys, ids)
    print(
        f"\nschemathesis: {outcome.operations} operations, {outcome.requests} requests, "
        f"{len(outcome.failures)} failures"
    )
    for label in HAPPY_PATHS:
        print(f"valid requests accepted (2xx): {outcome.accepted.get(label, 0)} {label}")
    assert outcome.operations >= 60, "the document was not loaded"
    assert outcome.failures == [], f"{len(outcome.failures)} failing:\n\n" + "\n\n".join(
        outcome.failures
    )
