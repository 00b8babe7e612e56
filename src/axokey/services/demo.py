"""Demo data for ``axokey serve --demo``: SPEC.md's cast, a catalog, and an unpaid
order with its checkout link, so a newcomer can pay it in a browser with a test card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.console import Console
from rich.table import Table

from axokey.domain.catalog import ProductKind
from axokey.domain.orders import Customer, Fulfilment, LineRequest, PaymentMode
from axokey.domain.parties import PostalAddress, Role
from axokey.services import catalog, ordering, parties, payments
from axokey.services.context import ServiceContext

DEMO_IBANS = {
    "supplier": "FR1420041010050500013M02606",
    "merchant": "DE89370400440532013000",
    "courier": "NL91ABNA0417164300",
}


def seed_demo(context: ServiceContext, console: Console) -> None:
    """Create the demo world and print its keys and links."""
    paris = PostalAddress("1 rue de Rivoli", "75001", "Paris", "FR")
    created: dict[str, tuple[str, str, str]] = {}

    def party(name: str, role: Role, **extra: object) -> str:
        found, key = parties.create_party(
            context,
            role=role,
            name=name,
            address=paris,
            iban=DEMO_IBANS.get(role.value),
            **extra,  # type: ignore[arg-type]
        )
        created[name] = (role.value, found.id, key)
        return key

    principals = {}
    for name, role in (
        ("Demo Shop", Role.MERCHANT),
        ("Atelier Lumière (supplier)", Role.SUPPLIER),
        ("Maison Verte (supplier)", Role.SUPPLIER),
        ("Hôtel du Port (supplier)", Role.SUPPLIER),
        ("Rapide Coursier (courier)", Role.COURIER),
    ):
        principals[name] = parties.authenticate(context, party(name, role))
    merchant = principals["Demo Shop"]
    principals["Demo Shop – Store"] = parties.authenticate(
        context, party("Demo Shop – Store", Role.STORE, merchant_id=merchant.party_id)
    )

    lamp = catalog.create_product(
        context,
        principals["Atelier Lumière (supplier)"],
        sku="LAMP-01",
        name="Desk lamp",
        kind=ProductKind.GOOD,
        currency="EUR",
        wholesale_price=3500,
        gtin="4006381333931",
    )
    vase = catalog.create_product(
        context,
        principals["Maison Verte (supplier)"],
        sku="VASE-02",
        name="Stoneware vase",
        kind=ProductKind.GOOD,
        currency="EUR",
        wholesale_price=2000,
        gtin="5901234123457",
    )
    night = catalog.create_product(
        context,
        principals["Hôtel du Port (supplier)"],
        sku="NIGHT",
        name="Sea-view night",
        kind=ProductKind.SERVICE,
        currency="EUR",
        wholesale_price=10000,
        deposit_bps=2500,
    )
    for product, price in ((lamp, 5000), (vase, 2999), (night, 12000)):
        catalog.create_listing(context, merchant, product_id=product.id, unit_price=price)

    courier_id = created["Rapide Coursier (courier)"][1]
    view = ordering.create_order(
        context,
        merchant,
        ordering.NewOrder(
            currency="EUR",
            payment_mode=PaymentMode.ESCROW,
            fulfilment=Fulfilment.DELIVERY,
            customer=Customer("camille@example.com", "Camille"),
            lines=[LineRequest(lamp.id, 2, None, None), LineRequest(vase.id, 1, None, None)],
            courier_id=courier_id,
            delivery_fee=590,
            redeem_by=datetime.now(UTC) + timedelta(days=14),
        ),
    )
    payment = payments.start_checkout(context, merchant, view.order.id, view.customer_url)

    table = Table("party", "role", "id", title="AXOKEY demo parties")
    for name, (role_name, party_id, _key) in created.items():
        table.add_row(name, role_name, party_id)
    console.print(table)
    console.print("API keys (shown once; only their hashes are stored):")
    for name, (_role_name, _party_id, key) in created.items():
        # Plain lines, never wrapped or cut, so that they can be copied.
        console.print(f"  {name}: {key}", soft_wrap=True, highlight=False)
    console.print(f"Demo order {view.order.id}: total 135.89 EUR (2 lamps, 1 vase, delivery 5.90)")
    console.print(
        f"  pay it (test card 4000002760003184, code 123456): {payment.checkout_url}",
        soft_wrap=True,
    )
    console.print(f"  the customer's page (QR code once paid): {view.customer_url}", soft_wrap=True)
    console.print("  the courier scans it at /scan with the courier's key above")
