"""The catalog through HTTP: products, listings, agreements."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest

from tests.conftest import ADMIN, bearer

_names = count(1)


def create_party(client: Any, role: str, **fields: Any) -> dict[str, Any]:
    response = client.post(
        "/v1/parties",
        json={"role": role, "name": f"{role} {next(_names)}", **fields},
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    party: dict[str, Any] = response.json()
    party["headers"] = bearer(party["api_key"])
    return party


def product_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sku": f"SKU-{next(_names)}",
        "name": "Espresso machine",
        "kind": "good",
        "currency": "EUR",
        "wholesale_price": 3500,
    }
    body.update(overrides)
    return body


def create_product(client: Any, supplier: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    response = client.post(
        "/v1/products", json=product_body(**overrides), headers=supplier["headers"]
    )
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()
    return product


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith(code) and body["title"] and body["detail"]
    return body


@pytest.fixture
def supplier(client: Any) -> dict[str, Any]:
    return create_party(client, "supplier")


@pytest.fixture
def merchant(client: Any) -> dict[str, Any]:
    return create_party(client, "merchant")


# --- products -------------------------------------------------------------------------


def test_a_supplier_creates_a_product_that_everyone_can_read(
    client: Any, supplier: dict[str, Any], merchant: dict[str, Any]
) -> None:
    response = client.post(
        "/v1/products",
        json=product_body(sku="EM-1", gtin="4006381333931"),
        headers=supplier["headers"],
    )
    assert response.status_code == 201, response.text
    product = response.json()
    assert product["id"].startswith("prd_")
    assert product["object"] == "product"
    assert product["supplier_id"] == supplier["id"]
    assert (product["sku"], product["name"], product["kind"]) == (
        "EM-1",
        "Espresso machine",
        "good",
    )
    assert (product["currency"], product["wholesale_price"]) == ("EUR", 3500)
    assert product["gtin"] == "4006381333931"
    assert product["deposit_bps"] is None
    assert product["created_at"].endswith(("Z", "+00:00"))

    courier = create_party(client, "courier")
    store = create_party(client, "store", merchant_id=merchant["id"])
    for headers in (merchant["headers"], courier["headers"], store["headers"], ADMIN):
        read = client.get(f"/v1/products/{product['id']}", headers=headers)
        assert read.status_code == 200
        assert read.json() == product
    assert client.get(f"/v1/products/{product['id']}").status_code == 401


def test_unknown_product_is_404(client: Any, merchant: dict[str, Any]) -> None:
    response = client.get(
        "/v1/products/prd_01JDQ3Z7X3K6W0RS8M2T4VYB9C", headers=merchant["headers"]
    )
    assert_problem(response, 404, "product_not_found")


def test_the_operator_creates_a_product_for_a_named_supplier(
    client: Any, supplier: dict[str, Any], merchant: dict[str, Any]
) -> None:
    created = client.post(
        "/v1/products", json=product_body(supplier_id=supplier["id"]), headers=ADMIN
    )
    assert created.status_code == 201, created.text
    assert created.json()["supplier_id"] == supplier["id"]

    missing = client.post("/v1/products", json=product_body(), headers=ADMIN)
    body = assert_problem(missing, 403, "supplier_required")
    assert body["errors"][0]["field"] == "supplier_id"

    not_a_supplier = client.post(
        "/v1/products", json=product_body(supplier_id=merchant["id"]), headers=ADMIN
    )
    assert_problem(not_a_supplier, 404, "unknown_supplier")
    nobody = client.post("/v1/products", json=product_body(supplier_id="pty_nobody"), headers=ADMIN)
    assert_problem(nobody, 404, "unknown_supplier")


def test_a_supplier_names_only_itself(client: Any, supplier: dict[str, Any]) -> None:
    other = create_party(client, "supplier")
    itself = client.post(
        "/v1/products", json=product_body(supplier_id=supplier["id"]), headers=supplier["headers"]
    )
    assert itself.status_code == 201
    response = client.post(
        "/v1/products", json=product_body(supplier_id=other["id"]), headers=supplier["headers"]
    )
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", ["courier", "merchant"])
def test_other_roles_may_not_create_products(client: Any, role: str) -> None:
    party = create_party(client, role)
    response = client.post("/v1/products", json=product_body(), headers=party["headers"])
    assert_problem(response, 403, "role_not_allowed")
    assert client.get("/v1/products", headers=ADMIN).json()["data"] == []


def test_gtin_check_digit_and_normalisation(client: Any, supplier: dict[str, Any]) -> None:
    invalid = client.post(
        "/v1/products", json=product_body(gtin="4006381333932"), headers=supplier["headers"]
    )
    body = assert_problem(invalid, 422, "invalid_gtin")
    assert body["errors"][0]["field"] == "gtin"
    too_short = client.post(
        "/v1/products", json=product_body(gtin="1234567"), headers=supplier["headers"]
    )
    assert_problem(too_short, 422, "invalid_gtin")
    letters = client.post(
        "/v1/products", json=product_body(gtin="40063813339A1"), headers=supplier["headers"]
    )
    assert_problem(letters, 422, "invalid_gtin")
    spaced = create_product(client, supplier, gtin="4006381 333-931")
    assert spaced["gtin"] == "4006381333931"
    upc = create_product(client, supplier, gtin="036000291452")
    assert upc["gtin"] == "036000291452"  # stored in the length given
    gtin14 = create_product(client, supplier, gtin="10012345678902")
    assert gtin14["gtin"] == "10012345678902"
    gtin8 = create_product(client, supplier, gtin="96385074")
    assert gtin8["gtin"] == "96385074"


def test_look_up_by_gtin_in_any_length_and_by_supplier(
    client: Any, supplier: dict[str, Any], merchant: dict[str, Any]
) -> None:
    other_supplier = create_party(client, "supplier")
    ean = create_product(client, supplier, gtin="4006381333931")
    upc = create_product(client, supplier, gtin="036000291452")
    same_ean_elsewhere = create_product(client, other_supplier, gtin="4006381333931")
    create_product(client, other_supplier)

    def ids(**params: Any) -> list[str]:
        response = client.get("/v1/products", params=params, headers=merchant["headers"])
        assert response.status_code == 200, response.text
        return [product["id"] for product in response.json()["data"]]

    assert ids(gtin="4006381333931") == [same_ean_elsewhere["id"], ean["id"]]
    assert ids(gtin="04006381333931") == [same_ean_elsewhere["id"], ean["id"]]
    # A POS scanner reading the UPC-A as an EAN-13 finds the same product.
    assert ids(gtin="0036000291452") == [upc["id"]]
    assert ids(gtin="00036000291452") == [upc["id"]]
    assert ids(gtin="96385074") == []
    assert ids(gtin="4006381333931", supplier_id=supplier["id"]) == [ean["id"]]
    assert ids(supplier_id=supplier["id"]) == [upc["id"], ean["id"]]
    assert len(ids()) == 4
    bad = client.get("/v1/products", params={"gtin": "4006381333932"}, headers=ADMIN)
    assert_problem(bad, 422, "invalid_gtin")


def test_deposit_is_for_services_only(client: Any, supplier: dict[str, Any]) -> None:
    on_good = client.post(
        "/v1/products", json=product_body(deposit_bps=1000), headers=supplier["headers"]
    )
    body = assert_problem(on_good, 422, "deposit_on_good")
    assert body["errors"][0]["field"] == "deposit_bps"
    zero_on_good = client.post(
        "/v1/products", json=product_body(deposit_bps=0), headers=supplier["headers"]
    )
    assert_problem(zero_on_good, 422, "deposit_on_good")
    hotel = create_product(
        client,
        supplier,
        kind="service",
        name="Hotel night",
        wholesale_price=10000,
        deposit_bps=2500,
    )
    assert (hotel["kind"], hotel["deposit_bps"]) == ("service", 2500)
    no_deposit = create_product(client, supplier, kind="service")
    assert no_deposit["deposit_bps"] is None
    too_much = client.post(
        "/v1/products",
        json=product_body(kind="service", deposit_bps=10001),
        headers=supplier["headers"],
    )
    assert_problem(too_much, 422, "validation_error")


def test_duplicate_sku_is_409_per_supplier(client: Any, supplier: dict[str, Any]) -> None:
    create_product(client, supplier, sku="A-1")
    again = client.post("/v1/products", json=product_body(sku="A-1"), headers=supplier["headers"])
    assert_problem(again, 409, "duplicate_sku")
    other = create_party(client, "supplier")
    assert create_product(client, other, sku="A-1")["sku"] == "A-1"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"currency": "EURO"}, "invalid_currency", None),
        ({"currency": "eur"}, "invalid_currency", None),
        ({"currency": "ABC"}, "invalid_currency", None),
        ({"wholesale_price": 0}, "invalid_amount", None),
        ({"wholesale_price": -5}, "invalid_amount", None),
        ({"wholesale_price": 10**13}, "amount_too_large", None),
        ({"wholesale_price": 35.5}, "validation_error", "wholesale_price"),
        ({"wholesale_price": "3500"}, "validation_error", "wholesale_price"),
        ({"kind": "gadget"}, "validation_error", "kind"),
        ({"sku": "   "}, "validation_error", "sku"),
        ({"sku": "x" * 65}, "validation_error", "sku"),
        ({"colour": "red"}, "validation_error", "colour"),
    ],
)
def test_invalid_product_fields_are_422(
    client: Any, supplier: dict[str, Any], overrides: dict[str, Any], code: str, field: str | None
) -> None:
    response = client.post(
        "/v1/products", json=product_body(**overrides), headers=supplier["headers"]
    )
    body = assert_problem(response, 422, code)
    if field is not None:
        assert field in {error["field"] for error in body["errors"]}


def test_product_pagination_is_newest_first_with_cursor(
    client: Any, supplier: dict[str, Any], merchant: dict[str, Any]
) -> None:
    created = [create_product(client, supplier)["id"] for _ in range(5)]
    newest_first = sorted(created, reverse=True)
    # ULIDs created in order sort in order (ties within a millisecond are random).
    assert set(newest_first) == set(created)

    first = client.get("/v1/products", params={"limit": 2}, headers=merchant["headers"]).json()
    assert [p["id"] for p in first["data"]] == newest_first[:2]
    assert first["has_more"] is True
    second = client.get(
        "/v1/products",
        params={"limit": 2, "starting_after": first["data"][-1]["id"]},
        headers=merchant["headers"],
    ).json()
    assert [p["id"] for p in second["data"]] == newest_first[2:4]
    assert second["has_more"] is True
    last = client.get(
        "/v1/products",
        params={"limit": 2, "starting_after": second["data"][-1]["id"]},
        headers=merchant["headers"],
    ).json()
    assert [p["id"] for p in last["data"]] == newest_first[4:]
    assert last["has_more"] is False
    exact = client.get("/v1/products", params={"limit": 5}, headers=ADMIN).json()
    assert len(exact["data"]) == 5 and exact["has_more"] is False

    for limit in (0, 101):
        response = client.get("/v1/products", params={"limit": limit}, headers=ADMIN)
        assert_problem(response, 422, "validation_error")


def test_idempotent_product_creation(client: Any, supplier: dict[str, Any]) -> None:
    headers = {**supplier["headers"], "Idempotency-Key": "product-1"}
    body = product_body(sku="IDEM-1")
    first = client.post("/v1/products", json=body, headers=headers)
    second = client.post("/v1/products", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    listed = client.get("/v1/products", params={"supplier_id": supplier["id"]}, headers=ADMIN)
    assert len(listed.json()["data"]) == 1


# --- listings -------------------------------------------------------------------------


def create_listing(
    client: Any, merchant: dict[str, Any], product: dict[str, Any], unit_price: int
) -> dict[str, Any]:
    response = client.post(
        "/v1/listings",
        json={"product_id": product["id"], "unit_price": unit_price},
        headers=merchant["headers"],
    )
    assert response.status_code == 201, response.text
    listing: dict[str, Any] = response.json()
    return listing


def test_a_merchant_lists_a_product_at_or_above_wholesale(
    client: Any, supplier: dict[str, Any], merchant: dict[str, Any]
) -> None:
    product = create_product(client, supplier, wholesale_price=3500, currency="EUR")
    below = client.post(
        "/v1/listings",
        json={"product_id": product["id"], "unit_price": 3499},
        headers=merchant["headers"],
    )
    body = assert_problem(below, 422, "price_below_wholesale")
    assert body["errors"][0]["field"] == "unit_price"

    listing = create_listing(client, merchant, product, 5000)
    assert listing["id"].startswith("lst_")
    assert listing["object"] == "listing"
    assert listing["merchant_id"] == merchant["id"]
    assert listing["product_id"] == product["id"]
    assert (listing["unit_price"], listing["currency"]) == (5000, "EUR")
    assert listing["created_at"]

    again = client.post(
        "/v1/listings",
        json={"product_id": product["id"], "unit_price": 6000},
        headers=merchant["headers"],
    )
    assert_problem(again, 409, "duplicate_listing")
    read = client.get(f"/v1/listings/{listing['id']}", headers=merchant["headers"])
    assert read.status_code == 200 and read.json() == listing

    # Zero commission is allowed: the retail price may equal the wholesale price.
    other_merchant = create_party(client, "merchant")
    at_wholesale = create_listing(client, other_merchant, product, 3500)
    assert at_wholesale["unit_price"] == 3500


def test_listing_refusals(client: Any, supplier: dict[str, Any], merchant: dict[str, Any]) -> None:
    product = create_product(client, supplier)
    unknown = client.post(
        "/v1/listings",
        json={"product_id": "prd_nothing", "unit_price": 5000},
        headers=merchant["headers"],
    )
    body = assert_problem(unknown, 404, "unknown_product")
    assert body["errors"][0]["field"] == "product_id"
    zero = client.post(
        "/v1/listings",
        json={"product_id": product["id"], "unit_price": 0},
        headers=merchant["headers"],
    )
    assert_problem(zero, 422, "invalid_amount")
    for headers in (supplier["headers"], create_party(client, "courier")["headers"], ADMIN):
        response = client.post(
            "/v1/listings", json={"product_id": product["id"], "unit_price": 5000}, headers=headers
        )
        assert_problem(response, 403, "role_not_allowed")


def test_a_merchant_may_not_list_two_products_with_the_same_barcode(
    client: Any, merchant: dict[str, Any]
) -> None:
    factory = create_party(client, "supplier")
    wholesaler = create_party(client, "supplier")
    from_factory = create_product(client, factory, gtin="036000291452")
    from_wholesaler = create_product(client, wholesaler, gtin="0036000291452")
    create_listing(client, merchant, from_factory, 5000)
    clash = client.post(
        "/v1/listings",
        json={"product_id": from_wholesaler["id"], "unit_price": 5000},
        headers=merchant["headers"],
    )
    assert_problem(clash, 409, "gtin_already_listed")
    # Another merchant may list the wholesaler's.
    create_listing(client, create_party(client, "merchant"), from_wholesaler, 5000)


def test_listings_are_visible_to_their_merchant_and_the_operator_only(
    client: Any, supplier: dict[str, Any], merchant: dict[str, Any]
) -> None:
    product = create_product(client, supplier)
    listing = create_listing(client, merchant, product, 5000)
    other = create_party(client, "merchant")
    other_listing = create_listing(client, other, product, 5200)
    store = create_party(client, "store", merchant_id=merchant["id"])

    for headers in (other["headers"], supplier["headers"], store["headers"]):
        response = client.get(f"/v1/listings/{listing['id']}", headers=headers)
        assert_problem(response, 404, "listing_not_found")
    assert client.get(f"/v1/listings/{listing['id']}", headers=ADMIN).status_code == 200
    assert_problem(
        client.get("/v1/listings/lst_nothing", headers=merchant["headers"]),
        404,
        "listing_not_found",
    )

    mine = client.get("/v1/listings", headers=merchant["headers"]).json()
    assert [item["id"] for item in mine["data"]] == [listing["id"]]
    assert mine["has_more"] is False
    theirs_filter = client.get(
        "/v1/listings", params={"merchant_id": other["id"]}, headers=merchant["headers"]
    ).json()
    assert theirs_filter["data"] == []
    everything = client.get("/v1/listings", headers=ADMIN).json()
    assert {item["id"] for item in everything["data"]} == {listing["id"], other_listing["id"]}
    by_merchant = client.get(
        "/v1/listings", params={"merchant_id": other["id"]}, headers=ADMIN
    ).json()
    assert [item["id"] for item in by_merchant["data"]] == [other_listing["id"]]
    for headers in (supplier["headers"], store["headers"]):
        assert_problem(client.get("/v1/listings", headers=headers), 403, "role_not_allowed")


def test_listing_pagination_and_product_filter(
    client: Any, supplier: dict[str, Any], merchant: dict[str, Any]
) -> None:
    products = [create_product(client, supplier) for _ in range(3)]
    listing_ids = sorted(
        (create_listing(client, merchant, product, 4000)["id"] for product in products),
        reverse=True,
    )
    first = client.get("/v1/listings", params={"limit": 2}, headers=merchant["headers"]).json()
    assert [item["id"] for item in first["data"]] == listing_ids[:2]
    assert first["has_more"] is True
    rest = client.get(
        "/v1/listings",
        params={"limit": 2, "starting_after": listing_ids[1]},
        headers=merchant["headers"],
    ).json()
    assert [item["id"] for item in rest["data"]] == listing_ids[2:]
    assert rest["has_more"] is False
    filtered = client.get(
        "/v1/listings", params={"product_id": products[0]["id"]}, headers=merchant["headers"]
    ).json()
    assert [item["product_id"] for item in filtered["data"]] == [products[0]["id"]]


# --- agreements -----------------------------------------------------------------------


def propose(
    client: Any, merchant: dict[str, Any], supplier: dict[str, Any], deposit_bps: int
) -> dict[str, Any]:
    response = client.post(
        "/v1/agreements",
        json={"supplier_id": supplier["id"], "deposit_bps": deposit_bps},
        headers=merchant["headers"],
    )
    assert response.status_code == 201, response.text
    agreement: dict[str, Any] = response.json()
    return agreement


def test_propose_and_accept_an_agreement(
    client: Any, supplier: dict[str, Any], merchant: dict[str, Any]
) -> None:
    agreement = propose(client, merchant, supplier, 3000)
    assert agreement["id"].startswith("agr_")
    assert agreement["object"] == "agreement"
    assert (agreement["merchant_id"], agreement["supplier_id"]) == (merchant["id"], supplier["id"])
    assert (agreement["deposit_bps"], agreement["status"]) == (3000, "proposed")
    assert agreement["accepted_at"] is None and agreement["created_at"]

    accepted = client.post(f"/v1/agreements/{agreement['id']}/accept", headers=supplier["headers"])
    assert accepted.status_code == 200, accepted.text
    active = accepted.json()
    assert active["status"] == "active"
    assert active["accepted_at"] is not None
    assert {key: active[key] for key in ("id", "deposit_bps", "created_at")} == {
        key: agreement[key] for key in ("id", "deposit_bps", "created_at")
    }
    # Accepting twice is idempotent.
    twice = client.post(f"/v1/agreements/{agreement['id']}/accept", headers=supplier["headers"])
    assert twice.status_code == 200 and twice.json() == active
    for headers in (merchant["headers"], supplier["headers"], ADMIN):
        read = client.get(f"/v1/agreements/{agreement['id']}", headers=headers)
        assert read.status_code == 200 and read.json() == active


def test_who_may_accept_an_agreement(
    client: Any, supplier: dict[str, Any], merchant: dict[str, Any]
) -> None:
    agreement = propose(client, merchant, supplier, 2000)
    url = f"/v1/agreements/{agreement['id']}/accept"
    assert_problem(client.post(url, headers=merchant["headers"]), 403, "role_not_allowed")
    assert_problem(client.post(url, headers=ADMIN), 403, "role_not_allowed")
    for outsider in ("supplier", "merchant", "courier"):
        response = client.post(url, headers=create_party(client, outsider)["headers"])
        assert_problem(response, 404, "agreement_not_found")
    assert_problem(
        client.post("/v1/agreements/agr_nothing/accept", headers=supplier["headers"]),
        404,
        "agreement_not_found",
    )
    still = client.get(f"/v1/agreements/{agreement['id']}", headers=merchant["headers"]).json()
    assert still["status"] == "proposed"


def test_proposal_refusals(client: Any, supplier: dict[str, Any], merchant: dict[str, Any]) -> None:
    not_a_supplier = client.post(
        "/v1/agreements",
        json={"supplier_id": create_party(client, "merchant")["id"], "deposit_bps": 1000},
        headers=merchant["headers"],
    )
    body = assert_problem(not_a_supplier, 404, "unknown_supplier")
    assert body["errors"][0]["field"] == "supplier_id"
    nobody = client.post(
        "/v1/agreements",
        json={"supplier_id": "pty_nobody", "deposit_bps": 1000},
        headers=merchant["headers"],
    )
    assert_problem(nobody, 404, "unknown_supplier")
    for bad in (-1, 10001, 12.5):
        response = client.post(
            "/v1/agreements",
            json={"supplier_id": supplier["id"], "deposit_bps": bad},
            headers=merchant["headers"],
        )
        assert_problem(response, 422, "validation_error")
    for headers in (supplier["headers"], ADMIN, create_party(client, "courier")["headers"]):
        response = client.post(
            "/v1/agreements",
            json={"supplier_id": supplier["id"], "deposit_bps": 1000},
            headers=headers,
        )
        assert_problem(response, 403, "role_not_allowed")


def test_the_latest_accepted_agreement_supersedes_the_earlier_one(
    client: Any, supplier: dict[str, Any], merchant: dict[str, Any]
) -> None:
    older = propose(client, merchant, supplier, 3000)
    newer = propose(client, merchant, supplier, 2000)
    stale = propose(client, merchant, supplier, 1000)
    client.post(f"/v1/agreements/{older['id']}/accept", headers=supplier["headers"])
    accepted = client.post(f"/v1/agreements/{newer['id']}/accept", headers=supplier["headers"])
    assert accepted.json()["status"] == "active"

    def status(agreement: dict[str, Any]) -> str:
        read = client.get(f"/v1/agreements/{agreement['id']}", headers=merchant["headers"])
        result: str = read.json()["status"]
        return result

    assert (status(older), status(newer), status(stale)) == ("superseded", "active", "proposed")
    again = client.post(f"/v1/agreements/{older['id']}/accept", headers=supplier["headers"])
    assert_problem(again, 409, "agreement_superseded")
    active = client.get(
        "/v1/agreements", params={"status": "active"}, headers=merchant["headers"]
    ).json()
    assert [item["id"] for item in active["data"]] == [newer["id"]]

    # Another merchant's agreement with the same supplier is untouched.
    other_merchant = create_party(client, "merchant")
    theirs = propose(client, other_merchant, supplier, 500)
    client.post(f"/v1/agreements/{theirs['id']}/accept", headers=supplier["headers"])
    assert status(newer) == "active"


def test_agreements_are_listed_for_their_parties(
    client: Any, supplier: dict[str, Any], merchant: dict[str, Any]
) -> None:
    other_supplier = create_party(client, "supplier")
    other_merchant = create_party(client, "merchant")
    with_supplier = propose(client, merchant, supplier, 1000)
    with_other_supplier = propose(client, merchant, other_supplier, 1500)
    others = propose(client, other_merchant, supplier, 2000)

    def ids(headers: dict[str, str], **params: Any) -> list[str]:
        response = client.get("/v1/agreements", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["data"]]

    assert ids(merchant["headers"]) == [with_other_supplier["id"], with_supplier["id"]]
    assert ids(supplier["headers"]) == [others["id"], with_supplier["id"]]
    assert ids(other_supplier["headers"]) == [with_other_supplier["id"]]
    assert ids(merchant["headers"], supplier_id=supplier["id"]) == [with_supplier["id"]]
    assert ids(merchant["headers"], merchant_id=other_merchant["id"]) == []
    assert len(ids(ADMIN)) == 3
    assert ids(ADMIN, merchant_id=other_merchant["id"]) == [others["id"]]
    page = client.get("/v1/agreements", params={"limit": 1}, headers=merchant["headers"]).json()
    assert page["has_more"] is True
    following = client.get(
        "/v1/agreements",
        params={"limit": 1, "starting_after": page["data"][0]["id"]},
        headers=merchant["headers"],
    ).json()
    assert [item["id"] for item in following["data"]] == [with_supplier["id"]]
    assert following["has_more"] is False
    bad_status = client.get("/v1/agreements", params={"status": "signed"}, headers=ADMIN)
    assert_problem(bad_status, 422, "validation_error")

    courier = create_party(client, "courier")
    assert_problem(
        client.get("/v1/agreements", headers=courier["headers"]), 403, "role_not_allowed"
    )
    for headers in (other_merchant["headers"], other_supplier["headers"], courier["headers"]):
        response = client.get(f"/v1/agreements/{with_supplier['id']}", headers=headers)
        assert_problem(response, 404, "agreement_not_found")
