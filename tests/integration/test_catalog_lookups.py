"""The catalog's look-ups that other use cases call inside their own transaction,
and the catalog's rules under concurrent writers (real database)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import count
from typing import Any

import pytest
from sqlalchemy import insert

from axokey.adapters.db import catalog_repository as lookups
from axokey.adapters.db.tables import listings
from axokey.domain.catalog import AgreementStatus, ProductKind
from axokey.domain.errors import AxokeyError, ValidationFailed
from axokey.domain.identifiers import new_id
from axokey.domain.parties import Party, Principal, Role
from axokey.services import catalog, parties
from axokey.services.context import ServiceContext

ADMIN = Principal(role=Role.ADMIN, party=None, key_hash="admin")
_skus = count(1)


def principal_of(party: Party) -> Principal:
    return Principal(role=party.role, party=party, key_hash=party.id)


def id_of(principal: Principal) -> str:
    assert principal.party_id is not None
    return principal.party_id


def new_party(context: ServiceContext, role: Role) -> Principal:
    party, _key = parties.create_party(context, role=role, name=f"{role.value} party")
    return principal_of(party)


def new_product(context: ServiceContext, supplier: Principal, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "sku": f"SKU-{next(_skus)}",
        "name": "Kayak",
        "kind": ProductKind.GOOD,
        "currency": "EUR",
        "wholesale_price": 4000,
    }
    values.update(overrides)
    return catalog.create_product(context, supplier, **values)


def test_products_and_listings_by_id(context: ServiceContext) -> None:
    supplier = new_party(context, Role.SUPPLIER)
    merchant = new_party(context, Role.MERCHANT)
    other_merchant = new_party(context, Role.MERCHANT)
    first = new_product(context, supplier)
    second = new_product(context, supplier, kind=ProductKind.SERVICE, deposit_bps=1000)
    unlisted = new_product(context, supplier)
    _, listing = catalog.create_listing(context, merchant, product_id=first.id, unit_price=4500)
    catalog.create_listing(context, other_merchant, product_id=second.id, unit_price=4100)

    with context.database.read() as connection:
        assert lookups.get_product(connection, second.id) == second
        assert lookups.get_product(connection, "prd_nothing") is None
        found = lookups.products_by_ids(connection, [first.id, second.id, first.id, "prd_x"])
        assert found == {first.id: first, second.id: second}
        assert lookups.products_by_ids(connection, []) == {}
        assert lookups.find_listing(connection, id_of(merchant), first.id) == listing
        assert lookups.find_listing(connection, id_of(merchant), second.id) is None
        assert lookups.listings_for(
            connection, id_of(merchant), iter([first.id, second.id, unlisted.id])
        ) == {first.id: listing}
        assert lookups.listings_for(connection, id_of(merchant), []) == {}


def test_look_ups_see_the_callers_uncommitted_writes(context: ServiceContext) -> None:
    supplier = new_party(context, Role.SUPPLIER)
    merchant = new_party(context, Role.MERCHANT)
    product = new_product(context, supplier, gtin="4006381333931")
    merchant_id = id_of(merchant)
    listing_id = new_id("lst")

    def work(connection: Any) -> Any:
        connection.execute(
            insert(listings).values(
                id=listing_id,
                merchant_id=merchant_id,
                product_id=product.id,
                unit_price=5000,
                created_at=context.now(),
            )
        )
        return lookups.listed_product_by_gtin(connection, merchant_id, "4006381333931")

    found = context.database.run(work)
    assert found is not None
    assert found[0] == product and found[1].id == listing_id


def test_listed_product_by_gtin(context: ServiceContext) -> None:
    supplier = new_party(context, Role.SUPPLIER)
    merchant = new_party(context, Role.MERCHANT)
    other_merchant = new_party(context, Role.MERCHANT)
    upc = new_product(context, supplier, gtin="036000291452", wholesale_price=2000)
    ean = new_product(context, supplier, gtin="4006381333931")
    new_product(context, supplier, gtin="96385074")  # not listed
    _, upc_listing = catalog.create_listing(context, merchant, product_id=upc.id, unit_price=2999)
    catalog.create_listing(context, other_merchant, product_id=ean.id, unit_price=5000)

    with context.database.read() as connection:
        for scanned in ("036000291452", "0036000291452", "00036000291452", "0036-0002 91452"):
            assert lookups.listed_product_by_gtin(connection, id_of(merchant), scanned) == (
                upc,
                upc_listing,
            )
        assert lookups.listed_product_by_gtin(connection, id_of(merchant), "4006381333931") is None
        assert lookups.listed_product_by_gtin(connection, id_of(merchant), "96385074") is None
        other = lookups.listed_product_by_gtin(connection, id_of(other_merchant), "4006381333931")
        assert other is not None and other[0] == ean
        with pytest.raises(ValidationFailed) as raised:
            lookups.listed_product_by_gtin(connection, id_of(merchant), "0036000291453")
        assert raised.value.code == "invalid_gtin"


def test_active_agreement_is_the_latest_accepted(context: ServiceContext) -> None:
    supplier = new_party(context, Role.SUPPLIER)
    merchant = new_party(context, Role.MERCHANT)
    merchant_id, supplier_id = id_of(merchant), id_of(supplier)

    other = id_of(new_party(context, Role.SUPPLIER))  # no agreement at all

    def active() -> Any:
        with context.database.read() as connection:
            found = lookups.active_agreements(connection, merchant_id, [supplier_id, other])
        assert found[other] is None
        return found[supplier_id]

    first = catalog.propose_agreement(
        context, merchant, supplier_id=id_of(supplier), deposit_bps=3000
    )
    second = catalog.propose_agreement(
        context, merchant, supplier_id=id_of(supplier), deposit_bps=2000
    )
    assert active() is None  # proposals are not in force
    accepted_second = catalog.accept_agreement(context, supplier, second.id)
    assert active() == accepted_second
    # Accepting the older proposal later makes it the latest accepted: it wins.
    accepted_first = catalog.accept_agreement(context, supplier, first.id)
    assert active() == accepted_first
    assert active().deposit_bps == 3000
    with context.database.read() as connection:
        reversed_pair = lookups.active_agreements(connection, supplier_id, [merchant_id])
        assert reversed_pair == {merchant_id: None}
    assert catalog.read_agreement(context, ADMIN, second.id).status is AgreementStatus.SUPERSEDED


def test_concurrent_acceptances_leave_exactly_one_active_agreement(
    context: ServiceContext,
) -> None:
    supplier = new_party(context, Role.SUPPLIER)
    merchant = new_party(context, Role.MERCHANT)
    assert id_of(supplier) is not None and id_of(merchant) is not None
    proposals = [
        catalog.propose_agreement(
            context, merchant, supplier_id=id_of(supplier), deposit_bps=100 * index
        )
        for index in range(8)
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        accepted = list(
            pool.map(lambda p: catalog.accept_agreement(context, supplier, p.id), proposals)
        )
    assert all(agreement.status is AgreementStatus.ACTIVE for agreement in accepted)
    statuses = [
        catalog.read_agreement(context, ADMIN, proposal.id).status for proposal in proposals
    ]
    assert statuses.count(AgreementStatus.ACTIVE) == 1
    assert statuses.count(AgreementStatus.SUPERSEDED) == 7
    winner = proposals[statuses.index(AgreementStatus.ACTIVE)]
    latest = max(accepted, key=lambda agreement: (agreement.accepted_at, agreement.id))
    assert winner.id == latest.id


def test_concurrent_listings_of_one_barcode_admit_exactly_one(context: ServiceContext) -> None:
    merchant = new_party(context, Role.MERCHANT)
    products = [
        new_product(context, new_party(context, Role.SUPPLIER), gtin=gtin)
        for gtin in ("036000291452", "0036000291452", "00036000291452", "036000291452")
    ]

    def attempt(product: Any) -> str:
        try:
            catalog.create_listing(context, merchant, product_id=product.id, unit_price=5000)
        except AxokeyError as error:
            return error.code
        return "listed"

    with ThreadPoolExecutor(max_workers=len(products)) as pool:
        outcomes = list(pool.map(attempt, products))
    assert sorted(outcomes) == ["gtin_already_listed"] * 3 + ["listed"]
