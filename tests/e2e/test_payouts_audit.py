"""Money out in the audit trail: IBAN changes, batch creation and confirmation."""

from __future__ import annotations

from typing import Any

import pytest

from axokey.config import Settings
from tests.conftest import ADMIN, make_settings
from tests.e2e.test_payouts_api import example_a_redeemed
from tests.payouts_scenario import OPERATOR, confirm, create_batch, new_iban
from tests.scenario import ok


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, **OPERATOR)


def test_iban_changes_and_batches_are_in_the_audit_trail(client: Any) -> None:
    world, _ = example_a_redeemed(client, new_iban())
    supplier = world.parties["S1"]
    iban = new_iban()
    ok(client.patch("/v1/me", json={"iban": iban}, headers=supplier.headers))
    batch = create_batch(client)
    item = batch["items"][0]["id"]
    confirm(client, batch["id"], [(item, "AC04")])

    events = ok(client.get("/v1/audit-events?limit=100", headers=ADMIN))["data"]
    changes = [
        e
        for e in events
        if e["action"] == "party.payout_details_changed" and e["object_id"] == supplier.id
    ]
    assert changes[0]["party_id"] == supplier.id  # the last change, by the party itself
    assert changes[0]["details"]["iban_changed"] is True
    assert changes[0]["details"]["iban_last4"] == iban[-4:]
    assert iban not in str(changes)  # never a full IBAN in the trail
    created = [e for e in events if e["action"] == "payout_batch.created"]
    assert [(e["object_id"], e["details"]["total"]) for e in created] == [(batch["id"], 13589)]
    [confirmed] = [e for e in events if e["action"] == "payout_batch.confirmed"]
    assert confirmed["details"] == {"paid": 3, "rejected": [[item, "AC04"]]}
    # A party sees its own entries only.
    own = ok(client.get("/v1/audit-events?limit=100", headers=supplier.headers))["data"]
    assert {e["action"] for e in own} >= {"party.payout_details_changed"}
    assert all(e["action"] != "payout_batch.created" for e in own)
