"""Stock per store: count it, adjust it, import it, list it; and the reservations
of store orders (taken at the order's creation, ended by its hand-over or its end).

Who may act: the store itself, its merchant, and the operator. Anyone else is told
the store does not exist (404 ``store_not_found``); a supplier or a courier key is
refused outright (403). Every change of a level writes a ``stock.changed`` event in
the same transaction (the outbox), for the store and its merchant.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axokey.adapters.db import (
    catalog_repository,
    order_repository,
    party_repository,
    payment_repository,
    stock_repository,
)
from axokey.adapters.db.transaction import Connection
from axokey.domain.audit import Action
from axokey.domain.catalog import GTIN_LENGTH_MAX
from axokey.domain.errors import AxokeyError, FieldError, NotFound, ValidationFailed
from axokey.domain.orders import Order
from axokey.domain.parties import Party, Principal, Role
from axokey.domain.stock import (
    IMPORT_BYTES_MAX,
    IMPORT_HEADERS,
    IMPORT_LINES_MAX,
    StockLevel,
    adjust,
    check_adjustment,
    check_on_hand,
    expire_unpaid,
    out_of_stock,
    reservation_end,
    reservations_of,
    set_on_hand,
)
from axokey.services import audit
from axokey.services.context import ServiceContext
from axokey.services.events import record_event, record_order_events
from axokey.services.parties import require_role

STOCK_ROLES = (Role.ADMIN, Role.MERCHANT, Role.STORE)


# --- who may see and change a store's stock ---------------------------------------------


def store_for(connection: Connection, principal: Principal, store_id: str) -> Party:
    """The store, if ``principal`` may manage it: the store itself, its merchant, the
    operator. Anything else is 404 (never tell another merchant a store exists)."""
    require_role(principal, *STOCK_ROLES)
    store = party_repository.get_party(connection, store_id)
    if store is None or store.role is not Role.STORE:
        raise NotFound(f"store {store_id} not found", code="store_not_found")
    if principal.is_admin or principal.party_id == store.id:
        return store
    if principal.role is Role.MERCHANT and store.merchant_id == principal.party_id:
        return store
    raise NotFound(f"store {store_id} not found", code="store_not_found")


def _check_listed(connection: Connection, store: Party, product_id: str, *, field: str) -> None:
    """Only a product the store's merchant lists is stocked there: the stock of any
    other product does not exist (404, whether the product exists or not)."""
    assert store.merchant_id is not None
    if catalog_repository.find_listing(connection, store.merchant_id, product_id) is None:
        raise NotFound(
            f"product {product_id} is not listed by this store's merchant",
            code="product_not_listed",
            errors=[FieldError(field, "not one of the merchant's listed products")],
        )


def record_stock_change(
    connection: Connection,
    level: StockLevel,
    merchant_id: str | None,
    *,
    change: str,
    now: datetime,
    **details: Any,
) -> None:
    record_event(
        connection,
        "stock.changed",
        now=now,
        party_ids=[party for party in (level.store_id, merchant_id) if party],
        data={
            "store_id": level.store_id,
            "product_id": level.product_id,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "available": level.available,
            "change": change,
            **details,
        },
        object_id=level.store_id,
    )


# --- counting, adjusting, listing -------------------------------------------------------


def set_stock(
    context: ServiceContext, principal: Principal, store_id: str, product_id: str, on_hand: int
) -> StockLevel:
    """A count of the shelf: ``on_hand`` becomes this (never below what is reserved)."""
    check_on_hand(on_hand)

    def count(connection: Connection) -> StockLevel:
        store = store_for(connection, principal, store_id)
        _check_listed(connection, store, product_id, field="product_id")
        now = context.now()
        current = stock_repository.lock_level(connection, store_id, product_id, now=now)
        level = set_on_hand(current, on_hand)
        stock_repository.write_level(connection, level, now=now)
        if level != current:
            record_stock_change(
                connection,
                level,
                store.merchant_id,
                change="set",
                now=now,
                previous_on_hand=current.on_hand,
            )
        audit.record(
            connection,
            context,
            principal,
            Action.STOCK_SET,
            object_id=store.id,
            subject_party_id=store.merchant_id,
            details={
                "product_id": product_id,
                "on_hand_before": current.on_hand,
                "on_hand_after": level.on_hand,
                "reserved": level.reserved,
            },
        )
        return level

    return context.database.run(count)


def adjust_stock(
    context: ServiceContext,
    principal: Principal,
    store_id: str,
    product_id: str,
    *,
    delta: int,
    reason: str,
) -> StockLevel:
    """A reception (``delta > 0``) or a loss (``delta < 0``)."""
    reason = check_adjustment(delta, reason)

    def apply(connection: Connection) -> StockLevel:
        store = store_for(connection, principal, store_id)
        _check_listed(connection, store, product_id, field="product_id")
        now = context.now()
        current = stock_repository.lock_level(connection, store_id, product_id, now=now)
        level = adjust(current, delta)
        stock_repository.write_level(connection, level, now=now)
        record_stock_change(
            connection,
            level,
            store.merchant_id,
            change="adjustment",
            now=now,
            delta=delta,
            reason=reason,
        )
        audit.record(
            connection,
            context,
            principal,
            Action.STOCK_ADJUSTED,
            object_id=store.id,
            subject_party_id=store.merchant_id,
            details={
                "product_id": product_id,
                "delta": delta,
                "reason": reason,
                "on_hand_before": current.on_hand,
                "on_hand_after": level.on_hand,
            },
        )
        return level

    return context.database.run(apply)


def get_stock(
    context: ServiceContext, principal: Principal, store_id: str, product_id: str
) -> StockLevel:
    with context.database.read() as connection:
        store_for(connection, principal, store_id)
        return stock_repository.get_level(connection, store_id, product_id)


def list_stock(
    context: ServiceContext,
    principal: Principal,
    store_id: str,
    *,
    limit: int,
    starting_after: str | None,
) -> tuple[list[StockLevel], bool]:
    """The store's counted products, by product id."""
    with context.database.read() as connection:
        store_for(connection, principal, store_id)
        return stock_repository.levels_page(
            connection, store_id, limit=limit, starting_after=starting_after
        )


# --- the first day's import -------------------------------------------------------------


@dataclass(frozen=True)
class ImportedLine:
    line: int  # the line number in the file (the header is line 1)
    product_id: str
    on_hand: int


@dataclass(frozen=True)
class RefusedLine:
    line: int
    reference: str
    code: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    store_id: str
    imported: list[ImportedLine]
    refused: list[RefusedLine]


def _parse_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    if len(text.encode()) > IMPORT_BYTES_MAX:
        raise ValidationFailed(
            f"the file is larger than {IMPORT_BYTES_MAX} bytes", code="import_too_large"
        )
    try:
        return _read_rows(text)
    except csv.Error as error:
        raise ValidationFailed(f"not a CSV file: {error}", code="import_invalid") from None


def _read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0].removesuffix("\r")
    if first_line not in IMPORT_HEADERS:
        raise ValidationFailed(
            f"the first line names the columns, one of: {' | '.join(IMPORT_HEADERS)}",
            code="import_header_invalid",
            errors=[FieldError("header", " | ".join(IMPORT_HEADERS))],
        )
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        if len(rows) >= IMPORT_LINES_MAX:
            raise ValidationFailed(
                f"at most {IMPORT_LINES_MAX} lines in one import", code="import_too_large"
            )
        cells = {
            key: value.strip() if isinstance(value, str) else ""
            for key, value in row.items()
            if isinstance(key, str) and key
        }
        if any(cells.values()):
            rows.append((reader.line_num, cells))
    return rows


def _product_of_row(connection: Connection, merchant_id: str, cells: dict[str, str]) -> str:
    """The listed product a row names by GTIN or SKU; raises ``ValidationFailed``."""
    gtin, sku = cells.get("gtin", ""), cells.get("sku", "")
    if gtin:
        if len(gtin) > GTIN_LENGTH_MAX + 4:
            raise ValidationFailed("not a GTIN", code="invalid_gtin")
        found = catalog_repository.listed_product_by_gtin(connection, merchant_id, gtin)
        if found is None:
            raise ValidationFailed(f"no listed product with GTIN {gtin}", code="unknown_gtin")
        return found[0].id
    if sku:
        matches = catalog_repository.listed_product_ids_by_sku(connection, merchant_id, sku[:64])
        if not matches:
            raise ValidationFailed(f"no listed product with SKU {sku}", code="unknown_sku")
        if len(matches) > 1:
            raise ValidationFailed(
                f"several listed products have SKU {sku}: use the GTIN", code="ambiguous_sku"
            )
        return matches[0]
    raise ValidationFailed("the line names no sku or gtin", code="validation_error")


def _on_hand_of_row(cells: dict[str, str]) -> int:
    raw = cells.get("on_hand", "")
    if not raw.isdigit() or len(raw) > 10:
        raise ValidationFailed(
            f"on_hand {raw!r} is not a whole number ≥ 0", code="invalid_stock_quantity"
        )
    return check_on_hand(int(raw))


def import_stock(
    context: ServiceContext, principal: Principal, store_id: str, text: str
) -> ImportReport:
    """Count a whole store at once from CSV (``sku`` or ``gtin``, ``on_hand``).
    Lines it cannot apply are refused and reported; the others are applied, in one
    transaction. A later line for the same product wins."""
    with context.database.read() as connection:
        store_for(connection, principal, store_id)  # 404 before the file is judged
    rows = _parse_rows(text)

    def apply(connection: Connection) -> ImportReport:
        store = store_for(connection, principal, store_id)
        assert store.merchant_id is not None
        now = context.now()
        imported: list[ImportedLine] = []
        refused: list[RefusedLine] = []
        changed = 0
        for number, cells in rows:
            reference = cells.get("gtin") or cells.get("sku") or ""
            try:
                product_id = _product_of_row(connection, store.merchant_id, cells)
                on_hand = _on_hand_of_row(cells)
                current = stock_repository.lock_level(connection, store_id, product_id, now=now)
                level = set_on_hand(current, on_hand)
            except AxokeyError as error:
                refused.append(RefusedLine(number, reference[:64], error.code, error.detail))
                continue
            stock_repository.write_level(connection, level, now=now)
            if level != current:
                record_stock_change(
                    connection,
                    level,
                    store.merchant_id,
                    change="import",
                    now=now,
                    previous_on_hand=current.on_hand,
                )
            imported.append(ImportedLine(number, product_id, on_hand))
            changed += level != current
        audit.record(
            connection,
            context,
            principal,
            Action.STOCK_IMPORTED,
            object_id=store.id,
            subject_party_id=store.merchant_id,
            details={
                "lines": len(rows),
                "imported": len(imported),
                "changed": changed,
                "refused": len(refused),
            },
        )
        return ImportReport(store_id, imported, refused)

    return context.database.run(apply)


# --- reservations (inside the order use cases' transactions) --------------------------


def reserve_for_order(connection: Connection, order: Order, *, now: datetime) -> None:
    """A new store order takes its goods out of the available stock, or the whole
    order is refused (409 ``out_of_stock`` naming each short line). Products are
    reserved in a fixed order (by id), so two orders never wait on each other."""
    reservations = reservations_of(order)
    if not reservations:
        return
    assert order.store_id is not None
    wanted: dict[str, int] = {}
    for reservation in reservations:
        wanted[reservation.product_id] = (
            wanted.get(reservation.product_id, 0) + reservation.quantity
        )
    refusal = out_of_stock(order, stock_repository.levels(connection, order.store_id, wanted))
    if refusal is not None:
        raise refusal
    changed: list[StockLevel] = []
    short: list[str] = []
    for product_id in sorted(wanted):
        level = stock_repository.reserve(
            connection, order.store_id, product_id, wanted[product_id], now=now
        )
        if level is None:
            short.append(product_id)
        else:
            changed.append(level)
    if short:  # taken meanwhile by another order: the transaction rolls back
        levels = stock_repository.levels(connection, order.store_id, wanted)
        refusal = out_of_stock(order, levels, short)
        assert refusal is not None
        raise refusal
    stock_repository.insert_reservations(connection, reservations, now=now)
    for level in changed:
        record_stock_change(
            connection,
            level,
            order.merchant_id,
            change="reserved",
            now=now,
            order_id=order.id,
            quantity=wanted[level.product_id],
        )


def settle_reservations(connection: Connection, order: Order, *, now: datetime) -> None:
    """After any change of a store order (hand-over, missing lines, cancellation,
    expiry): end the reservations its new state ends. Idempotent."""
    if order.store_id is None:
        return
    for reservation in stock_repository.held_reservations(connection, order.id):
        end = reservation_end(order, reservation)
        if end is None:
            continue
        level = stock_repository.end_reservation(connection, end, now=now)
        record_stock_change(
            connection,
            level,
            order.merchant_id,
            change=end.status.value,
            now=now,
            order_id=order.id,
            line_id=reservation.line_id,
            quantity=reservation.quantity,
            taken=end.taken,
        )


# --- the unpaid orders' hold (the sweep) ----------------------------------------------


def release_unpaid_reservations(context: ServiceContext, *, now: datetime, limit: int) -> int:
    """Store orders still unpaid ``store_unpaid_hold_seconds`` after their creation
    expire, and their reservations are freed. Returns how many orders expired.

    A customer who started a checkout keeps the goods: while a payment attempt is
    open, the hold counts from that attempt's start (``unpaid_hold_ends``), so an
    order is not expired under a customer on the payment page; an attempt left
    open (an abandoned 3-D Secure page) holds the goods one hold more, no longer."""
    hold = timedelta(seconds=context.settings.store_unpaid_hold_seconds)
    with context.database.read() as connection:
        order_ids = stock_repository.unpaid_orders_holding(
            connection, created_before=now - hold, limit=limit
        )
    expired = 0
    for order_id in order_ids:

        def expire_and_free_stock(connection: Connection, order_id: str = order_id) -> bool:
            order = order_repository.load_order(connection, order_id, lock=True)
            if order is None:
                return False
            decision = expire_unpaid(
                order,
                now=now,
                hold=hold,
                payment_started_at=payment_repository.latest_open_started_at(connection, order_id),
            )
            if decision is None:  # paid, closed or a checkout started meanwhile
                return False
            order_repository.save_order(connection, order)
            record_order_events(connection, order, decision, now=now)
            settle_reservations(connection, order, now=now)
            return True

        if context.database.run(expire_and_free_stock):
            expired += 1
    return expired
