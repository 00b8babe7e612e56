"""Personal data: IBANs encrypted at rest (a dump of the database after SPEC.md's
example A shows none in clear), the keys rotated by ``axokey data reencrypt``, the
customer's rights (export, erasure) with their forbidden paths, retention applied by
the sweep, and no personal data in the logs or the events of a full example A."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, select, text, type_coerce

from axokey.adapters.db import field_encryption
from axokey.adapters.db.tables import events, ledger_transfers, metadata, orders, parties, refunds
from axokey.services.ledger import check_ledger
from tests.conftest import ADMIN, ADMIN_KEY, ON_POSTGRES, make_settings
from tests.payouts_scenario import OPERATOR, confirm, create_batch
from tests.scenario import World, ok

CUSTOMER_EMAIL = "Camille.Durand@example.com"
CUSTOMER_NAME = "Camille Durand"
CUSTOMER_IBAN = "FR1420041010050500013M02606"
PARTY_IBANS = {
    "M": "FR7630006000011234567890189",
    "S1": "DE89370400440532013000",
    "S2": "NL91ABNA0417164300",
    "C": "BE68539007547034",
}


def example_a_world(client: Any) -> World:
    """SPEC.md's world for example A, every payee with an IBAN."""
    world = World(client)
    world.party("M", "merchant", iban=PARTY_IBANS["M"])
    world.party("S1", "supplier", iban=PARTY_IBANS["S1"])
    world.party("S2", "supplier", iban=PARTY_IBANS["S2"])
    world.party("C", "courier", iban=PARTY_IBANS["C"])
    world.product("P1", "S1", 3500, 5000, gtin="4006381333931")
    world.product("P2", "S2", 2000, 2999, gtin="5901234123457")
    return world


def run_example_a(
    world: World, *, email: str = CUSTOMER_EMAIL, iban: str | None = CUSTOMER_IBAN
) -> str:
    """Example A (escrow, delivery): pay, the courier hands over line 1 only; line 2 is
    refunded (by SEPA transfer to the customer's IBAN when given). The order's id."""
    customer: dict[str, Any] = {"email": email, "name": CUSTOMER_NAME}
    if iban is not None:
        customer["iban"] = iban
    order = world.order(
        payment_mode="escrow",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        delivery_fee=590,
        customer=customer,
        lines=[
            {"product_id": world.products["P1"], "quantity": 2},
            {"product_id": world.products["P2"], "quantity": 1},
        ],
    )
    assert order["amount_total"] == 13589
    world.pay(order["id"])
    line1 = order["lines"][0]
    result = world.redeem(
        "C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True
    )
    assert result["order_status"] == "completed"
    return str(order["id"])


def small_order(world: World, email: str) -> str:
    """A delivery order of one item for ``email``, not paid."""
    order = world.order(
        payment_mode="escrow",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        customer={"email": email, "name": CUSTOMER_NAME},
        lines=[{"product_id": world.products["P2"], "quantity": 1}],
    )
    return str(order["id"])


def database_dump(context: Any, tmp_path: Path) -> bytes:
    """Everything the database holds, as bytes: on SQLite its SQL dump plus the raw
    bytes of its files (database and write-ahead log); on PostgreSQL ``pg_dump`` (data
    and schema) plus every row of every table as text."""
    url = context.settings.database_url
    parts: list[bytes] = []
    if ON_POSTGRES:
        plain_url = url.replace("postgresql+psycopg://", "postgresql://")
        dumped = subprocess.run(
            ["pg_dump", "--no-owner", f"--dbname={plain_url}"],
            capture_output=True,
            check=True,
        )
        parts.append(dumped.stdout)
        with context.database.read() as connection:
            for table in metadata.sorted_tables:
                rows = connection.execute(text(f'SELECT CAST(t AS text) FROM "{table.name}" AS t'))
                parts.extend(str(row[0]).encode() for row in rows)
        return b"\n".join(parts)
    path = Path(url.removeprefix("sqlite:///"))
    with context.database.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        parts.append("\n".join(raw.iterdump()).encode())  # type: ignore[attr-defined]
    for suffix in ("", "-wal"):
        file = Path(str(path) + suffix)
        if file.exists():
            parts.append(file.read_bytes())
    return b"\n".join(parts)


def traces(value: str) -> list[bytes]:
    """The forms a value could take in a dump: as is, lower-case, hex (bytea)."""
    forms = {value, value.lower(), value.upper()}
    return [form.encode() for form in forms] + [value.encode().hex().encode()]


def assert_absent(dump: bytes, *values: str) -> None:
    for value in values:
        for form in traces(value):
            assert form not in dump, f"{value!r} found in the database dump"


def test_a_dump_after_example_a_shows_no_iban_in_clear(
    client: Any, context: Any, tmp_path: Path
) -> None:
    world = example_a_world(client)
    order_id = run_example_a(world)
    # The refund of line 2 is due by transfer to the customer's IBAN: it is stored too.
    assert [(r["method"], r["amount"]) for r in world.refunds(order_id)] == [("sepa", 2999)]

    dump = database_dump(context, tmp_path)
    assert_absent(dump, CUSTOMER_IBAN, *PARTY_IBANS.values())
    # They are there, encrypted under the current data key (not simply missing).
    keyring = field_encryption.keyring_of(context.database.engine.dialect)
    with context.database.read() as connection:
        stored = [
            *connection.execute(select(type_coerce(parties.c.iban, String))).scalars(),
            *connection.execute(select(type_coerce(orders.c.customer_iban, String))).scalars(),
            *connection.execute(select(type_coerce(refunds.c.iban, String))).scalars(),
        ]
    assert len([value for value in stored if value]) == len(PARTY_IBANS) + 2
    assert {field_encryption.key_id_of(value) for value in stored if value} == {
        keyring.current.key_id
    }
    # ... and read back in clear by those entitled to them.
    assert (
        ok(client.get(f"/v1/parties/{world.parties['S1'].id}", headers=ADMIN))["iban"]
        == (PARTY_IBANS["S1"])
    )
    assert world.get_order(order_id)["customer"]["iban"] == CUSTOMER_IBAN
    assert check_ledger(context) == []


def test_a_tampered_or_foreign_ciphertext_is_refused(context: Any) -> None:
    keyring = field_encryption.parse_data_keys("K1:" + "a" * 40)
    other = field_encryption.parse_data_keys("K1:" + "b" * 40)
    sealed = keyring.encrypt(CUSTOMER_IBAN, purpose=field_encryption.COLUMN_PURPOSE)
    assert keyring.decrypt(sealed, purpose=field_encryption.COLUMN_PURPOSE) == CUSTOMER_IBAN
    with pytest.raises(field_encryption.UndecryptableValue):
        other.decrypt(sealed, purpose=field_encryption.COLUMN_PURPOSE)
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(field_encryption.UndecryptableValue):
        keyring.decrypt(tampered, purpose=field_encryption.COLUMN_PURPOSE)
    with pytest.raises(field_encryption.DataKeyError):
        field_encryption.parse_data_keys("K1:short")
    with pytest.raises(field_encryption.DataKeyError):
        field_encryption.parse_data_keys("no-separator")
    with pytest.raises(field_encryption.DataKeyError):
        field_encryption.parse_data_keys("K1:" + "a" * 40 + ",k1:" + "b" * 40)
    # Configured keys first; the admin key's derived one last, to read older values.
    configured = field_encryption.keyring_from_settings("N1:" + "n" * 40, ADMIN_KEY)
    assert configured is not None
    assert [key.key_id for key in configured.keys] == ["N1", "D1"]
    derived = field_encryption.keyring_from_settings(None, ADMIN_KEY)
    assert derived is not None and derived.derived_from_admin_key
    assert field_encryption.keyring_from_settings(None, None) is None
    # The blind index is of the normalised email, and differs by key.
    assert keyring.blind_index("a@b.fr") == keyring.blind_index("a@b.fr")
    assert keyring.blind_index("a@b.fr") != other.blind_index("a@b.fr")
    assert field_encryption.normalise_email("  A@B.fr ") == "a@b.fr"


def _reencrypt(database_url: str, data_keys: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AXOKEY_DATABASE_URL": database_url,
        "AXOKEY_ADMIN_KEY": ADMIN_KEY,
        "AXOKEY_DATA_KEYS": data_keys,
    }
    return subprocess.run(
        [sys.executable, "-m", "axokey.cli", "data", "reencrypt"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_reencrypt_moves_every_value_to_the_newest_key(client: Any, context: Any) -> None:
    """Data written under key OLD1; then NEW2 is put first and the real command
    ``axokey data reencrypt`` runs (a subprocess) over the same database: every IBAN
    and email index is rewritten under NEW2, after which OLD1 is no longer needed."""
    old_key, new_key = "OLD1:" + "o" * 43, "NEW2:" + "n" * 43
    field_encryption.install(context.database.engine, field_encryption.parse_data_keys(old_key))
    world = example_a_world(client)
    order_id = run_example_a(world)

    completed = _reencrypt(context.settings.database_url, f"{new_key},{old_key}")
    assert completed.returncode == 0, completed.stderr
    assert "re-encrypted under the newest data key" in completed.stdout

    field_encryption.install(context.database.engine, field_encryption.parse_data_keys(new_key))
    with context.database.read() as connection:
        raw = [
            *connection.execute(select(type_coerce(parties.c.iban, String))).scalars(),
            *connection.execute(select(type_coerce(orders.c.customer_iban, String))).scalars(),
            *connection.execute(select(type_coerce(refunds.c.iban, String))).scalars(),
        ]
    assert len([value for value in raw if value]) == len(PARTY_IBANS) + 2
    assert {field_encryption.key_id_of(value) for value in raw if value} == {"NEW2"}
    assert (
        ok(client.get(f"/v1/parties/{world.parties['M'].id}", headers=ADMIN))["iban"]
        == (PARTY_IBANS["M"])
    )
    found = ok(client.get("/v1/customers/data", params={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    assert [entry["id"] for entry in found["orders"]] == [order_id]
    assert found["orders"][0]["customer_iban"] == CUSTOMER_IBAN
    assert found["orders"][0]["refunds"][0]["iban"] == CUSTOMER_IBAN


def test_the_reencrypt_command_runs_with_a_progress_bar(settings: Any, context: Any) -> None:
    """The real command, in a subprocess, over the test database (an empty one is
    fine: it reports each encrypted column), then again (it can be re-run)."""
    for _ in range(2):
        completed = _reencrypt(settings.database_url, "R1:" + "r" * 43)
        assert completed.returncode == 0, completed.stderr
        assert "parties.iban" in completed.stdout
        assert "orders.customer_iban" in completed.stdout
    refused = _reencrypt(settings.database_url, "R1:tooshort")
    assert refused.returncode == 2
    assert "too short" in refused.stderr


# --- the customer's rights ----------------------------------------------------------------


def test_the_export_lists_every_order_of_the_email_and_nothing_of_others(
    client: Any, context: Any
) -> None:
    world = example_a_world(client)
    first = run_example_a(world, iban=None)
    # The same customer, typed otherwise: the same person (the index is normalised).
    second = small_order(world, "  camille.durand@example.COM ")
    other = small_order(world, "someone.else@example.com")

    body = ok(client.get("/v1/customers/data", params={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    assert body["email"] == CUSTOMER_EMAIL.lower()
    assert sorted(entry["id"] for entry in body["orders"]) == sorted([first, second])
    assert other not in {entry["id"] for entry in body["orders"]}
    completed = next(entry for entry in body["orders"] if entry["id"] == first)
    assert completed["customer_email"] == CUSTOMER_EMAIL
    assert completed["customer_name"] == CUSTOMER_NAME
    assert [line["amount"] for line in completed["lines"]] == [10000, 2999]
    assert [payment["amount"] for payment in completed["payments"]] == [13589]
    assert [refund["amount"] for refund in completed["refunds"]] == [2999]
    assert "order.completed" in {event["type"] for event in completed["events"]}
    assert "customer_token_hash" not in completed  # a credential, not data about them
    assert "customer_email_index" not in completed


def ledger_transfers_snapshot(context: Any) -> list[tuple[Any, ...]]:
    with context.database.read() as connection:
        return [
            tuple(row)
            for row in connection.execute(select(ledger_transfers).order_by(ledger_transfers.c.id))
        ]


def test_erasing_the_customer_of_a_completed_order(
    client: Any, context: Any, tmp_path: Path
) -> None:
    """Pseudonymised at once: no trace of the email left in the database; every amount
    and ledger transfer as it was; the ledger check green; the export finds nothing."""
    world = example_a_world(client)
    order_id = run_example_a(world, iban=None)  # line 2 refunded to the card: paid
    transfers = ledger_transfers_snapshot(context)
    balances = world.balances()
    amounts = world.get_order(order_id)["amounts"]

    report = ok(client.post("/v1/customers/erase", json={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    assert report["orders_found"] == report["orders_pseudonymised"] == 1
    (erased,) = report["orders"]
    assert erased["order_id"] == order_id and erased["pseudonymised"] is True
    assert [kept["reason"] for kept in erased["kept"]] == ["accounting_retention"]
    assert erased["kept"][0]["until"].endswith("-12-31")
    assert "L123-22" in erased["kept"][0]["detail"]

    assert ledger_transfers_snapshot(context) == transfers
    assert world.balances() == balances
    assert world.get_order(order_id)["amounts"] == amounts
    assert check_ledger(context) == []

    dump = database_dump(context, tmp_path)
    assert_absent(dump, CUSTOMER_EMAIL, "Camille.Durand", CUSTOMER_NAME)
    customer = world.get_order(order_id)["customer"]
    assert customer["email"] == report["pseudonym"]
    assert customer["email"].endswith("@pseudonymised.invalid")

    gone = ok(client.get("/v1/customers/data", params={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    assert gone["orders"] == []
    # Erasing again finds nothing more to do; the pseudonym is stable.
    again = ok(client.post("/v1/customers/erase", json={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    assert again["orders_found"] == 0 and again["pseudonym"] == report["pseudonym"]


def fec_of_today(client: Any) -> str:
    today = datetime.now(UTC).date().isoformat()
    response = client.get(f"/v1/exports/fec?from={today}&to={today}", headers=ADMIN)
    assert response.status_code == 200, response.text
    return str(response.content.decode("iso-8859-15"))


def fec_amounts(fec: str) -> list[tuple[str, ...]]:
    """Each FEC line's entry, accounts, piece and amounts (its labels left out)."""
    rows = [line.split("|") for line in fec.split("\r\n")[1:] if line]
    assert rows, "an empty FEC would prove nothing"
    return [(row[2], row[4], row[6], row[8], row[11], row[12], row[17]) for row in rows]


def test_erasing_the_customer_of_example_a_with_ibans_keeps_the_books_and_no_trace(
    client: Any, context: Any, tmp_path: Path
) -> None:
    """SPEC.md's example A, payees and customer with IBANs; line 2's refund paid by
    transfer (a payout batch, confirmed); then the customer erased. The ledger check
    stays green, every ledger transfer as it was, the day's FEC the same amounts on
    the same accounts, and no trace of the email, the name or the IBAN anywhere in
    the database (SQL dump and every row of every table)."""
    for name, value in OPERATOR.items():
        setattr(context.settings, name, value)
    world = example_a_world(client)
    order_id = run_example_a(world)
    (refund,) = ok(client.get("/v1/refunds", params={"order_id": order_id}, headers=ADMIN))["data"]
    assert (refund["method"], refund["status"], refund["amount"]) == ("sepa", "pending", 2999)
    batch = create_batch(client)
    confirm(client, batch["id"])
    refund = ok(client.get(f"/v1/refunds/{refund['id']}", headers=ADMIN))
    assert refund["status"] == "succeeded"
    # What is held about them includes the transfer that paid them and the emails sent.
    held = ok(client.get("/v1/customers/data", params={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    (entry,) = held["orders"]
    (transfer,) = entry["refund_transfers"]
    assert (transfer["creditor_name"], transfer["iban"]) == (CUSTOMER_NAME, CUSTOMER_IBAN)
    assert (transfer["amount"], transfer["status"]) == (2999, "paid")
    assert entry["emails"], "the order's emails to the customer are data about them"
    transfers = ledger_transfers_snapshot(context)
    fec_before = fec_of_today(client)
    assert check_ledger(context) == []

    report = ok(client.post("/v1/customers/erase", json={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    (erased,) = report["orders"]
    assert erased["order_id"] == order_id
    assert erased["pseudonymised"] is True and erased["iban_removed"] is True
    reasons = [kept["reason"] for kept in erased["kept"]]
    assert reasons == ["accounting_retention", "transfer_evidence"]

    assert check_ledger(context) == []
    assert ledger_transfers_snapshot(context) == transfers
    fec_after = fec_of_today(client)
    assert fec_amounts(fec_after) == fec_amounts(fec_before)
    assert fec_after == fec_before  # it held no contact data to begin with
    dump = database_dump(context, tmp_path)
    assert_absent(dump, CUSTOMER_EMAIL, "Camille.Durand", CUSTOMER_NAME, CUSTOMER_IBAN)
    gone = ok(client.get("/v1/customers/data", params={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    assert gone["orders"] == []


def test_erasure_removes_the_iban_once_no_refund_needs_it(client: Any, context: Any) -> None:
    world = example_a_world(client)
    order = world.order(
        payment_mode="escrow",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        customer={"email": CUSTOMER_EMAIL, "name": CUSTOMER_NAME, "iban": CUSTOMER_IBAN},
        lines=[{"product_id": world.products["P2"], "quantity": 1}],
    )
    world.pay(order["id"])
    line = order["lines"][0]
    done = world.redeem(
        "C", world.code(order["id"]), lines=[{"line_id": line["id"]}], complete=True
    )
    assert done["order_status"] == "completed" and done["refunded"] == []
    report = ok(client.post("/v1/customers/erase", json={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    assert report["orders"][0]["iban_removed"] is True
    assert world.get_order(order["id"])["customer"]["iban"] is None
    with context.database.read() as connection:
        stored = connection.execute(
            select(orders.c.customer_iban).where(orders.c.id == order["id"])
        ).scalar_one()
    assert stored is None
    assert check_ledger(context) == []


def test_erasure_replaces_copies_of_the_contact_data_in_the_orders_events(
    client: Any, context: Any
) -> None:
    """An event that carries a snapshot of the order's customer (as webhook payloads
    may) keeps no copy of the email or the name after erasure."""
    from axokey.adapters.db import event_repository

    world = example_a_world(client)
    order_id = run_example_a(world, iban=None)
    snapshot = {
        "order": {
            "id": order_id,
            "customer": {"email": CUSTOMER_EMAIL.upper(), "name": CUSTOMER_NAME},
        }
    }
    with context.database.transaction() as connection:
        event_repository.insert_event(
            connection,
            event_id="evt_privacy_snapshot",
            event_type="order.completed",
            order_id=order_id,
            party_ids=[world.parties["M"].id],
            data=snapshot,
            snapshot={"customer": {"email": CUSTOMER_EMAIL, "name": CUSTOMER_NAME}},
            now=context.now(),
        )
    report = ok(client.post("/v1/customers/erase", json={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    with context.database.read() as connection:
        stored = connection.execute(
            select(events.c.data).where(events.c.id == "evt_privacy_snapshot")
        ).scalar_one()
    assert stored["order"]["customer"] == {
        "email": report["pseudonym"],
        "name": report["pseudonym"].split("@")[0],
    }
    assert stored["order"]["id"] == order_id
    with context.database.read() as connection:
        kept = connection.execute(
            select(events.c.snapshot).where(events.c.id == "evt_privacy_snapshot")
        ).scalar_one()
    assert kept["customer"]["email"] == report["pseudonym"]


def test_erasure_keeps_what_an_open_order_or_a_refund_to_pay_needs(
    client: Any, context: Any
) -> None:
    world = example_a_world(client)
    # Completed, but line 2's refund is still to be paid by transfer to the IBAN.
    refund_pending = run_example_a(world)
    # Paid, not handed over yet: still being performed.
    open_order = small_order(world, CUSTOMER_EMAIL)
    world.pay(open_order)

    report = ok(client.post("/v1/customers/erase", json={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    by_order = {entry["order_id"]: entry for entry in report["orders"]}
    assert report["orders_pseudonymised"] == 0
    assert [k["reason"] for k in by_order[refund_pending]["kept"]] == [
        "accounting_retention",
        "refund_to_pay",
    ]
    assert "IBAN" in by_order[refund_pending]["kept"][1]["data"]
    assert [k["reason"] for k in by_order[open_order]["kept"]] == [
        "accounting_retention",
        "open_order",
    ]
    assert world.get_order(refund_pending)["customer"]["iban"] == CUSTOMER_IBAN
    still = ok(client.get("/v1/customers/data", params={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    assert len(still["orders"]) == 2
    assert check_ledger(context) == []


def audit_trail(client: Any, action: str) -> list[Any]:
    query = {"action": action, "limit": 100}
    return list(ok(client.get("/v1/audit-events", params=query, headers=ADMIN))["data"])


def test_the_export_and_the_erasure_are_audited_by_pseudonym(client: Any) -> None:
    """Who read or erased a customer's data is in the audit trail, under the
    customer's pseudonym (the trail holds no email): the operator can find every
    access to one customer by ``object_id``."""
    world = example_a_world(client)
    run_example_a(world, iban=None)
    assert audit_trail(client, "customer.data_exported") == []
    ok(client.get("/v1/customers/data", params={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    ok(client.get("/v1/customers/data", params={"email": "nobody@example.com"}, headers=ADMIN))
    report = ok(client.post("/v1/customers/erase", json={"email": CUSTOMER_EMAIL}, headers=ADMIN))

    exported = audit_trail(client, "customer.data_exported")
    assert [entry["details"] for entry in exported] == [{"orders": 0}, {"orders": 1}]
    assert exported[1]["object_id"] == report["pseudonym"]
    assert exported[0]["object_id"] != report["pseudonym"]  # another customer
    [erased] = audit_trail(client, "customer.erased")
    assert erased["object_id"] == report["pseudonym"]
    assert erased["details"] == {
        "orders_found": 1,
        "orders_pseudonymised": 1,
        "kept": ["accounting_retention"],
    }
    assert erased["actor"] == "bootstrap_key" and erased["party_id"] is None
    for entry in [*exported, erased]:
        assert "camille" not in str(entry).lower()
    by_customer = ok(
        client.get("/v1/audit-events", params={"object_id": report["pseudonym"]}, headers=ADMIN)
    )["data"]
    assert [entry["action"] for entry in by_customer] == [
        "customer.erased",
        "customer.data_exported",
    ]


def test_refused_calls_to_the_customers_rights_are_not_audited(client: Any) -> None:
    world = example_a_world(client)
    run_example_a(world, iban=None)
    headers = world.parties["M"].headers
    params = {"email": CUSTOMER_EMAIL}
    assert client.get("/v1/customers/data", params=params, headers=headers).status_code == 403
    erase = client.post("/v1/customers/erase", json={"email": "bad"}, headers=ADMIN)
    assert erase.status_code == 422
    assert audit_trail(client, "customer.data_exported") == []
    assert audit_trail(client, "customer.erased") == []


@pytest.mark.parametrize("method", ["export", "erase"])
def test_only_the_operator_may_use_the_customers_rights(client: Any, method: str) -> None:
    world = example_a_world(client)
    run_example_a(world, iban=None)
    for name in ("M", "S1", "C"):
        headers = world.parties[name].headers
        if method == "export":
            response = client.get(
                "/v1/customers/data", params={"email": CUSTOMER_EMAIL}, headers=headers
            )
        else:
            response = client.post(
                "/v1/customers/erase", json={"email": CUSTOMER_EMAIL}, headers=headers
            )
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "role_not_allowed"
    anonymous = (
        client.get("/v1/customers/data", params={"email": CUSTOMER_EMAIL})
        if method == "export"
        else client.post("/v1/customers/erase", json={"email": CUSTOMER_EMAIL})
    )
    assert anonymous.status_code == 401
    # Nothing was erased by the refused calls.
    body = ok(client.get("/v1/customers/data", params={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    assert len(body["orders"]) == 1


@pytest.mark.parametrize("bad", ["not-an-email", "", "a@", "x" * 250 + "@example.com"])
def test_a_bad_email_is_422_and_changes_nothing(client: Any, bad: str) -> None:
    world = example_a_world(client)
    order_id = run_example_a(world, iban=None)
    export = client.get("/v1/customers/data", params={"email": bad}, headers=ADMIN)
    assert export.status_code == 422, export.text
    erase = client.post("/v1/customers/erase", json={"email": bad}, headers=ADMIN)
    assert erase.status_code == 422, erase.text
    missing = client.post("/v1/customers/erase", json={}, headers=ADMIN)
    assert missing.status_code == 422
    extra = client.post(
        "/v1/customers/erase", json={"email": CUSTOMER_EMAIL, "force": True}, headers=ADMIN
    )
    assert extra.status_code == 422
    assert world.get_order(order_id)["customer"]["email"] == CUSTOMER_EMAIL


# --- retention ----------------------------------------------------------------------------


def test_the_sweep_pseudonymises_contact_data_past_its_retention(
    client: Any, context: Any, clock: Any
) -> None:
    world = example_a_world(client)
    closed = run_example_a(world, iban=None)
    waiting = run_example_a(world)  # its SEPA refund is still to pay
    transfers = ledger_transfers_snapshot(context)

    clock.advance(days=12 * 31)  # under 13 months: kept
    world.sweep(clock())
    assert world.get_order(closed)["customer"]["email"] == CUSTOMER_EMAIL

    clock.advance(days=40)  # past 13 months
    world.sweep(clock())
    assert world.get_order(closed)["customer"]["email"].endswith("@pseudonymised.invalid")
    assert world.get_order(closed)["customer"]["name"].startswith("customer-")
    assert world.get_order(waiting)["customer"]["email"] == CUSTOMER_EMAIL
    assert world.get_order(waiting)["customer"]["iban"] == CUSTOMER_IBAN
    assert ledger_transfers_snapshot(context) == transfers
    assert check_ledger(context) == []


def test_the_sweep_clears_client_addresses_past_their_retention(
    client: Any, context: Any, clock: Any
) -> None:
    """Audit entries and API keys' last use keep the client's address 12 months, then
    the sweep clears it; the entry itself, and the time of the last use, stay."""
    from axokey.services.sweeping import sweep

    old_key = ok(client.post("/v1/api-keys", json={"name": "old"}, headers=ADMIN), 201)
    used = {"Authorization": f"Bearer {old_key['secret']}"}
    assert client.get("/v1/audit-events", headers=used).status_code == 200
    [old_entry] = audit_trail(client, "api_key.created")
    assert old_entry["ip"] == "testclient"
    assert ok(client.get(f"/v1/api-keys/{old_key['id']}", headers=ADMIN))["last_used_ip"]

    clock.advance(days=11 * 31)
    ok(client.post("/v1/api-keys", json={"name": "recent"}, headers=ADMIN), 201)
    sweep(context)  # the first entry is 11 months old: kept
    assert audit_trail(client, "api_key.created")[-1]["ip"] == "testclient"

    clock.advance(days=40)  # the first is past 12 months, the second 40 days old
    sweep(context)
    recent, old = audit_trail(client, "api_key.created")
    assert recent["ip"] == "testclient"
    assert old == {**old_entry, "ip": None}
    key = ok(client.get(f"/v1/api-keys/{old_key['id']}", headers=ADMIN))
    assert key["last_used_ip"] is None and key["last_used_at"] is not None


def test_the_client_address_retention_is_configurable(
    database_url: str, client: Any, context: Any, clock: Any
) -> None:
    from axokey.services.sweeping import sweep

    assert make_settings(database_url).client_address_retention_months == 12
    with pytest.raises(ValueError, match="client_address_retention_months"):
        make_settings(database_url, client_address_retention_months=0)
    context.settings.client_address_retention_months = 1
    ok(client.post("/v1/api-keys", json={"name": "k"}, headers=ADMIN), 201)
    clock.advance(days=32)
    sweep(context)
    assert audit_trail(client, "api_key.created")[0]["ip"] is None


def test_the_retention_period_is_configurable(database_url: str) -> None:
    assert make_settings(database_url).customer_contact_retention_months == 13
    assert (
        make_settings(
            database_url, customer_contact_retention_months=6
        ).customer_contact_retention_months
        == 6
    )
    with pytest.raises(ValueError, match="customer_contact_retention_months"):
        make_settings(database_url, customer_contact_retention_months=0)


# --- minimisation -------------------------------------------------------------------------


def test_no_personal_data_in_the_logs_or_the_events_of_example_a(
    client: Any, context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A full example A (payees with IBANs, a customer with an email, a name and an
    IBAN, a refund, an erasure request), the logs captured at DEBUG from every logger,
    then the log text and every event payload scanned for that personal data."""
    # Every logger heard, whatever an earlier test in this process left behind (a
    # library's logging configuration may disable the loggers that existed then).
    logging.disable(logging.NOTSET)
    for logger in logging.Logger.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = False
    caplog.set_level(logging.DEBUG)
    world = example_a_world(client)
    order_id = run_example_a(world)
    world.get_order(order_id)
    ok(client.get("/v1/customers/data", params={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    ok(client.post("/v1/customers/erase", json={"email": CUSTOMER_EMAIL}, headers=ADMIN))
    assert caplog.records, "the scenario logged nothing: the capture would prove nothing"

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    ).lower()
    for value in (CUSTOMER_EMAIL, CUSTOMER_NAME, CUSTOMER_IBAN, *PARTY_IBANS.values()):
        assert value.lower() not in logged, f"{value!r} in the logs"
    with context.database.read() as connection:
        payloads = [str(data) for data in connection.execute(select(events.c.data)).scalars()]
    assert payloads
    for value in (CUSTOMER_EMAIL, CUSTOMER_NAME, CUSTOMER_IBAN, *PARTY_IBANS.values()):
        assert all(value.lower() not in payload.lower() for payload in payloads), value


# --- the notice ---------------------------------------------------------------------------


def test_the_customers_page_links_a_privacy_notice_in_french_then_english(
    client: Any, context: Any
) -> None:
    world = example_a_world(client)
    order = world.get_order(small_order(world, CUSTOMER_EMAIL))
    page = client.get(order["customer_url"].removeprefix("http://testserver"))
    assert page.status_code == 200
    assert 'href="/privacy"' in page.text
    notice = client.get("/privacy")
    assert notice.status_code == 200
    body = notice.text
    assert body.index("Vos données personnelles") < body.index("Your personal data", 200)
    assert context.settings.privacy_contact in body
    assert "13 mois" in body and "13 months" in body
    assert "L123-22" in body
