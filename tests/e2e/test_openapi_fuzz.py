"""OpenAPI fuzzing with schemathesis: no operation answers a 5xx, whatever it is sent.

The app's own schema drives the generation: for every operation, valid
(``positive``) and invalid (``negative``) requests, with the operator's key and
with a merchant's key. The database holds SPEC.md's cast and a paid and an unpaid
order, and half of the generated path parameters are replaced by ids that exist,
so requests reach past the 404s into the services. Bounded: a few examples per
operation and mode (``AXOKEY_FUZZ_EXAMPLES`` to explore further).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.conftest import ADMIN
from tests.scenario import (
    DECLINED,
    NEEDS_CHALLENGE,
    SUCCEEDS,
    World,
    delivery_order,
    ok,
    spec_world,
)

# Set AXOKEY_FUZZ_EXAMPLES for a longer, randomised exploration; by default the
# run is short and the same every time.
EXAMPLES_PER_OPERATION = int(os.environ.get("AXOKEY_FUZZ_EXAMPLES", "15"))
DERANDOMIZE = "AXOKEY_FUZZ_EXAMPLES" not in os.environ


def realistic(value: Any, ids: dict[str, list[Any]], data: st.DataObject) -> Any:
    """Some of a generated body's fields, by name, replaced by values that exist."""
    if isinstance(value, list):
        return [realistic(item, ids, data) for item in value]
    if not isinstance(value, dict):
        return value
    replaced = {}
    for key, item in value.items():
        known = ids.get(key)
        if known and data.draw(st.booleans(), label=f"real {key}"):
            replaced[key] = data.draw(st.sampled_from(known))
        else:
            replaced[key] = realistic(item, ids, data)
    return replaced


def seeded(client: Any) -> tuple[World, dict[str, list[Any]]]:
    """SPEC.md's cast, an agreement, a paid and an unpaid order; the ids that exist."""
    world = spec_world(client)
    world.agree("S1", 3000)
    paid = delivery_order(world, "escrow")
    payment = world.pay(paid["id"])
    unpaid = delivery_order(world, "escrow")
    pending = world.checkout(unpaid["id"])
    paid_code = world.get_order(paid["id"])["redemption"]
    listing = ok(client.get("/v1/listings", headers=world.parties["M"].headers))["data"][0]
    agreement = ok(client.get("/v1/agreements", headers=world.parties["M"].headers))["data"][0]
    ids = {
        "order_id": [paid["id"], unpaid["id"]],
        "payment_id": [payment["id"], pending["id"]],
        "party_id": [party.id for party in world.parties.values()],
        "product_id": list(world.products.values()),
        "listing_id": [listing["id"]],
        "agreement_id": [agreement["id"]],
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
    return world, ids


def fuzz(client: Any, headers: dict[str, str], ids: dict[str, list[str]]) -> list[str]:
    """Run every operation of the app's schema; return the failures found."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                derandomize=DERANDOMIZE,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def run(case: Any, data: st.DataObject) -> None:
                for name in list(case.path_parameters or {}):
                    known = ids.get(name)
                    if known and data.draw(st.booleans(), label=f"real {name}"):
                        case.path_parameters[name] = data.draw(st.sampled_from(known))
                if case.body is not None and not isinstance(case.body, (str, bytes)):
                    case.body = realistic(case.body, ids, data)
                response = case.call(headers=headers)
                case.validate_response(response, checks=[not_a_server_error])

            try:
                run()
            except Unsatisfiable:
                # Nothing invalid can be made of this operation (e.g. one free-text
                # path parameter and no body): there is no negative case to send.
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as error:
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert operations >= 25, "the schema was not loaded"
    return failures


@pytest.mark.parametrize("who", ["admin", "M", "C"])
def test_no_operation_answers_a_server_error(client: Any, who: str) -> None:
    """With the operator's key, a merchant's, and a courier's (who scans codes)."""
    world, ids = seeded(client)
    headers = ADMIN if who == "admin" else world.parties[who].headers
    failures = fuzz(client, headers, ids)
    assert failures == [], "\n\n".join(failures)
