"""SPEC.md's cast and catalog, set up through the HTTP API, for scenario tests.

Parties: merchant M, suppliers S1 and S2, courier C, store ST (of M), and for
itineraries hotel H and kayak K. Products: P1 by S1 (wholesale 3500, sold 5000),
P2 by S2 (wholesale 2000, sold 2999); H's night (service, wholesale 10000, booking
deposit 2500 bps, sold 12000); K's outing (service, wholesale 4000, 1000 bps, sold
4500).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.conftest import ADMIN, bearer

SUCCEEDS = "4242424242424242"
NEEDS_CHALLENGE = "4000002760003184"
DECLINED = "4000000000000002"
INSUFFICIENT_FUNDS = "4000000000009995"
REFUNDS_FAIL = "4000000000005126"
# What spec_world's store ST holds of each of P1 and P2.
STORE_STOCK = 100


@dataclass
class Party:
    id: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.key)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json()


@dataclass
class World:
    client: Any
    parties: dict[str, Party] = field(default_factory=dict)
    products: dict[str, str] = field(default_factory=dict)

    def party(self, name: str, role: str, **fields: Any) -> Party:
        body = ok(
            self.client.post(
                "/v1/parties", json={"role": role, "name": name, **fields}, headers=ADMIN
            ),
            201,
        )
        self.parties[name] = Party(body["id"], body["api_key"])
        return self.parties[name]

    def product(
        self,
        name: str,
        supplier: str,
        wholesale: int,
        retail: int,
        *,
        kind: str = "good",
        deposit_bps: int | None = None,
        gtin: str | None = None,
        merchant: str = "M",
    ) -> str:
        body: dict[str, Any] = {
            "sku": name,
            "name": name,
            "kind": kind,
            "currency": "EUR",
            "wholesale_price": wholesale,
        }
        if deposit_bps is not None:
            body["deposit_bps"] = deposit_bps
        if gtin is not None:
            body["gtin"] = gtin
        product = ok(
            self.client.post("/v1/products", json=body, headers=self.parties[supplier].headers), 201
        )
        ok(
            self.client.post(
                "/v1/listings",
                json={"product_id": product["id"], "unit_price": retail},
                headers=self.parties[merchant].headers,
            ),
            201,
        )
        self.products[name] = product["id"]
        return str(product["id"])

    def agree(self, supplier: str, deposit_bps: int, merchant: str = "M") -> None:
        agreement = ok(
            self.client.post(
                "/v1/agreements",
                json={"supplier_id": self.parties[supplier].id, "deposit_bps": deposit_bps},
                headers=self.parties[merchant].headers,
            ),
            201,
        )
        ok(
            self.client.post(
                f"/v1/agreements/{agreement['id']}/accept", headers=self.parties[supplier].headers
            )
        )

    def stock(self, store: str, product: str, on_hand: int, *, as_party: str = "M") -> Any:
        """Count ``on_hand`` units of a product at a store (as its merchant)."""
        return ok(
            self.client.put(
                f"/v1/stock/{self.parties[store].id}/{self.products[product]}",
                json={"on_hand": on_hand},
                headers=self.parties[as_party].headers,
            )
        )

    def stock_level(self, store: str, product: str, as_party: str = "M") -> dict[str, int]:
        body = ok(
            self.client.get(
                f"/v1/stock/{self.parties[store].id}/{self.products[product]}",
                headers=self.parties[as_party].headers,
            )
        )
        return {key: body[key] for key in ("on_hand", "reserved", "available")}

    def get_cart(self, cart_id: str, as_party: str = "M") -> Any:
        return ok(self.client.get(f"/v1/carts/{cart_id}", headers=self.parties[as_party].headers))

    def order(self, *, merchant: str = "M", expect: int = 201, **body: Any) -> Any:
        body.setdefault("currency", "EUR")
        body.setdefault("customer", {"email": "customer@example.com", "name": "Camille"})
        response = self.client.post("/v1/orders", json=body, headers=self.parties[merchant].headers)
        return ok(response, expect)

    def checkout(self, order_id: str, merchant: str = "M") -> Any:
        return ok(
            self.client.post(
                f"/v1/orders/{order_id}/checkout", json={}, headers=self.parties[merchant].headers
            ),
            201,
        )

    def pay(self, order_id: str, card: str = SUCCEEDS, otp: str | None = None) -> Any:
        payment = self.checkout(order_id)
        body: dict[str, Any] = {"card_number": card}
        if otp is not None:
            body["otp"] = otp
        return ok(self.client.post(f"/v1/sandbox/payments/{payment['id']}/pay", json=body))

    def get_order(self, order_id: str, merchant: str = "M") -> Any:
        return ok(self.client.get(f"/v1/orders/{order_id}", headers=self.parties[merchant].headers))

    def code(self, order_id: str) -> str:
        return str(self.get_order(order_id)["redemption"]["qr_payload"])

    def redeem(self, as_party: str, code: str, *, expect: int = 201, **body: Any) -> Any:
        response = self.client.post(
            "/v1/redemptions", json={"code": code, **body}, headers=self.parties[as_party].headers
        )
        return ok(response, expect)

    def short_code(self, order_id: str) -> str:
        return str(self.get_order(order_id)["redemption"]["short_code"])

    def cancel(self, order_id: str, merchant: str = "M", expect: int = 200) -> Any:
        response = self.client.post(
            f"/v1/orders/{order_id}/cancel", headers=self.parties[merchant].headers
        )
        return ok(response, expect)

    def sweep(self, as_of: datetime) -> Any:
        response = self.client.post(
            "/v1/sandbox/sweep", json={"as_of": as_of.isoformat()}, headers=ADMIN
        )
        return ok(response)

    def refunds(self, order_id: str, as_party: str = "M") -> list[Any]:
        response = self.client.get(
            f"/v1/refunds?order_id={order_id}&limit=100", headers=self.parties[as_party].headers
        )
        return list(ok(response)["data"])

    def balances(self) -> dict[str, dict[str, int]]:
        """Every party's EUR balance, by name."""
        return {name: self.balance(name) for name in self.parties}

    def balance(self, name: str, currency: str = "EUR") -> dict[str, int]:
        body = ok(self.client.get("/v1/balance", headers=self.parties[name].headers))
        for entry in body["balances"]:
            if entry["currency"] == currency:
                return {k: entry[k] for k in ("held", "available", "paid_out")}
        return {"held": 0, "available": 0, "paid_out": 0}


def spec_world(client: Any) -> World:
    world = World(client)
    world.party("M", "merchant")
    world.party("S1", "supplier")
    world.party("S2", "supplier")
    world.party("C", "courier")
    world.party("ST", "store", merchant_id=world.parties["M"].id)
    world.party("H", "supplier")
    world.party("K", "supplier")
    world.product("P1", "S1", 3500, 5000, gtin="4006381333931")
    world.product("P2", "S2", 2000, 2999, gtin="5901234123457")
    world.product("NIGHT", "H", 10000, 12000, kind="service", deposit_bps=2500)
    world.product("KAYAK", "K", 4000, 4500, kind="service", deposit_bps=1000)
    # The store has its goods on the shelf: store orders reserve there.
    for product in ("P1", "P2"):
        world.stock("ST", product, STORE_STOCK)
    return world


def delivery_order(world: World, mode: str, **extra: Any) -> Any:
    return world.order(
        **extra,
        payment_mode=mode,
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        delivery_fee=590,
        lines=[
            {"product_id": world.products["P1"], "quantity": 2},
            {"product_id": world.products["P2"], "quantity": 1},
        ],
    )


def money_snapshot(world: World, context: Any) -> dict[str, Any]:
    """Everything money: each party's balance, every ledger account's counters, and
    how many transfers, refunds and redemptions exist (to prove nothing moved)."""
    from sqlalchemy import func, select

    from axokey.adapters.db import ledger_store
    from axokey.adapters.db.tables import ledger_transfers, redemptions, refunds

    with context.database.read() as connection:
        accounts = {a.id: a.counters() for a in ledger_store.all_accounts(connection)}
        counts = {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (ledger_transfers, refunds, redemptions)
        }
    return {"balances": world.balances(), "accounts": accounts, "counts": counts}


def world_for(client: Any, mode: str) -> World:
    """SPEC.md's world; in deposit mode with the agreements of example B."""
    world = spec_world(client)
    if mode == "deposit":
        world.agree("S1", 3000)
        world.agree("S2", 2000)
    return world


def paid_delivery(world: World, mode: str) -> Any:
    """Examples A/B's delivery order, paid."""
    order = delivery_order(world, mode)
    world.pay(order["id"])
    return world.get_order(order["id"])
