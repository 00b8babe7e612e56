"""Demo data for ``axokey serve --demo``: SPEC.md's cast, a catalog, and one unpaid
order of each channel (delivery, store, itinerary) with its customer's page, so a
newcomer can pay them in a browser with a test card and hand them over.

The demo is created once. What it made (parties, their keys, the orders' links, and
the admin key when ``serve`` generated it) is written to a state file next to the
SQLite database (``axokey.db`` → ``axokey.demo.json``; git-ignored), so that a
restart shows the same links and keys and adds nothing twice, and so that
``axokey sweep`` in a second terminal finds the admin key.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from axokey.adapters.db import party_repository
from axokey.domain.catalog import ProductKind
from axokey.domain.orders import Customer, Fulfilment, LineRequest, PaymentMode
from axokey.domain.parties import PostalAddress, Role
from axokey.services import catalog, ordering, parties, stock
from axokey.services.context import ServiceContext

DEMO_IBANS = {
    "supplier": "FR1420041010050500013M02606",
    "merchant": "DE89370400440532013000",
    "courier": "NL91ABNA0417164300",
    "store": "DE89370400440532013000",
}
STATE_FILE_SUFFIX = ".demo.json"
STATE_FILE_WITHOUT_SQLITE = "axokey.demo.json"


@dataclass(frozen=True)
class DemoParty:
    name: str
    role: str
    id: str
    api_key: str


@dataclass(frozen=True)
class DemoOrder:
    channel: str  # delivery, store, itinerary
    id: str
    description: str
    customer_url: str


@dataclass(frozen=True)
class DemoWorld:
    parties: list[DemoParty] = field(default_factory=list)
    orders: list[DemoOrder] = field(default_factory=list)
    admin_key: str | None = None  # only when ``serve`` generated it

    def party(self, role: str) -> DemoParty | None:
        return next((party for party in self.parties if party.role == role), None)


def state_path(database_url: str) -> Path:
    """The demo's state file: next to the SQLite database, else in the working
    directory."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and ":memory:" not in database_url:
        database = Path(database_url.removeprefix(prefix))
        return database.with_name(database.name + STATE_FILE_SUFFIX)
    return Path(STATE_FILE_WITHOUT_SQLITE)


def load_state(path: Path) -> DemoWorld | None:
    """The demo a previous run made, or None (no file, or one that cannot be read)."""
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return DemoWorld(
            parties=[DemoParty(**party) for party in raw.get("parties", [])],
            orders=[DemoOrder(**order) for order in raw.get("orders", [])],
            admin_key=raw.get("admin_key"),
        )
    except (OSError, ValueError, TypeError):
        return None


def save_state(path: Path, world: DemoWorld) -> None:
    """Write the state file, readable by its owner only (it holds API keys)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as target:
        json.dump(asdict(world), target, indent=2, ensure_ascii=False)
        target.write("\n")


def still_there(context: ServiceContext, world: DemoWorld) -> bool:
    """Whether the database still holds the demo of the state file (it may have
    been deleted, or the file may come from another database)."""
    if not world.parties or not world.orders:
        return False
    with context.database.read() as connection:
        return all(
            party_repository.get_party(connection, party.id) is not None for party in world.parties
        )


def seed_demo(context: ServiceContext, *, admin_key: str | None = None) -> DemoWorld:
    """Create the demo world: six parties, three products, one order per channel."""
    paris = PostalAddress("1 rue de Rivoli", "75001", "Paris", "FR")
    made: list[DemoParty] = []

    def party(name: str, role: Role, **extra: object) -> str:
        found, key = parties.create_party(
            context,
            role=role,
            name=name,
            address=paris,
            iban=DEMO_IBANS.get(role.value),
            **extra,  # type: ignore[arg-type]
        )
        made.append(DemoParty(name, role.value, found.id, key))
        return key

    principals = {}
    for name, role in (
        ("Boutique Camille", Role.MERCHANT),
        ("Atelier Lumière", Role.SUPPLIER),
        ("Maison Verte", Role.SUPPLIER),
        ("Hôtel du Port", Role.SUPPLIER),
        ("Rapide Coursier", Role.COURIER),
    ):
        principals[name] = parties.authenticate(context, party(name, role))
    merchant = principals["Boutique Camille"]
    store_key = party("Boutique Camille – Lyon", Role.STORE, merchant_id=merchant.party_id)
    store = parties.authenticate(context, store_key)

    lamp = catalog.create_product(
        context,
        principals["Atelier Lumière"],
        sku="LAMP-01",
        name="Lampe de bureau",
        kind=ProductKind.GOOD,
        currency="EUR",
        wholesale_price=3500,
        gtin="4006381333931",
    )
    vase = catalog.create_product(
        context,
        principals["Maison Verte"],
        sku="VASE-02",
        name="Vase en grès",
        kind=ProductKind.GOOD,
        currency="EUR",
        wholesale_price=2000,
        gtin="5901234123457",
    )
    night = catalog.create_product(
        context,
        principals["Hôtel du Port"],
        sku="NIGHT",
        name="Nuit vue mer",
        kind=ProductKind.SERVICE,
        currency="EUR",
        wholesale_price=10000,
        deposit_bps=2500,
    )
    for product, price in ((lamp, 5000), (vase, 2999), (night, 12000)):
        catalog.create_listing(context, merchant, product_id=product.id, unit_price=price)
    # The store's shelf: 12 lamps, 3 vases (the store order below reserves 2 vases;
    # the store's page highlights what runs low).
    assert store.party_id is not None
    for product, on_hand in ((lamp, 12), (vase, 3)):
        stock.set_stock(context, merchant, store.party_id, product.id, on_hand)

    redeem_by = datetime.now(UTC) + timedelta(days=14)
    customer = Customer("camille@example.com", "Camille")
    delivery = ordering.create_order(
        context,
        merchant,
        ordering.NewOrder(
            currency="EUR",
            payment_mode=PaymentMode.ESCROW,
            fulfilment=Fulfilment.DELIVERY,
            customer=customer,
            lines=[LineRequest(lamp.id, 2, None, None), LineRequest(vase.id, 1, None, None)],
            courier_id=principals["Rapide Coursier"].party_id,
            delivery_fee=590,
            redeem_by=redeem_by,
        ),
    )
    in_store = ordering.create_order(
        context,
        merchant,
        ordering.NewOrder(
            currency="EUR",
            payment_mode=PaymentMode.ESCROW,
            fulfilment=Fulfilment.STORE,
            customer=customer,
            lines=[LineRequest(vase.id, 2, None, None)],
            store_id=store.party_id,
            redeem_by=redeem_by,
        ),
    )
    stay: date = (datetime.now(UTC) + timedelta(days=7)).date()
    itinerary = ordering.create_order(
        context,
        merchant,
        ordering.NewOrder(
            currency="EUR",
            payment_mode=PaymentMode.DEPOSIT,
            fulfilment=Fulfilment.ITINERARY,
            customer=customer,
            lines=[LineRequest(night.id, 2, None, stay)],
            redeem_by=redeem_by,
        ),
    )
    orders = [
        DemoOrder(
            "delivery",
            delivery.order.id,
            "2 × Lampe de bureau, 1 × Vase en grès, livraison 5,90 € — 135,89 €",
            delivery.customer_url or "",
        ),
        DemoOrder(
            "store",
            in_store.order.id,
            "2 × Vase en grès, retrait en magasin — 59,98 €",
            in_store.customer_url or "",
        ),
        DemoOrder(
            "itinerary",
            itinerary.order.id,
            f"2 × Nuit vue mer le {stay.isoformat()}, acompte 25 % — 240,00 €",
            itinerary.customer_url or "",
        ),
    ]
    return DemoWorld(parties=made, orders=orders, admin_key=admin_key)
