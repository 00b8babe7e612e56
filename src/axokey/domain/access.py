"""API keys and their scopes: who may do what with a key.

A key holds a set of scopes. ``*`` grants everything; ``<area>:write`` also grants
``<area>:read``; any other scope grants only itself. A route needs one scope; a key
may only create keys whose every scope it grants itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from axokey.domain.errors import FieldError, ValidationFailed


class Scope(StrEnum):
    ALL = "*"
    PARTIES_READ = "parties:read"
    PARTIES_WRITE = "parties:write"
    CATALOG_READ = "catalog:read"
    CATALOG_WRITE = "catalog:write"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    REDEEM = "redeem"
    STOCK_READ = "stock:read"
    STOCK_WRITE = "stock:write"
    PAYOUTS_READ = "payouts:read"
    PAYOUTS_WRITE = "payouts:write"
    WEBHOOKS_READ = "webhooks:read"
    WEBHOOKS_WRITE = "webhooks:write"
    KEYS_READ = "keys:read"
    KEYS_WRITE = "keys:write"
    AUDIT_READ = "audit:read"
    LEDGER_READ = "ledger:read"
    SANDBOX_WRITE = "sandbox:write"
    METRICS_READ = "metrics:read"


SCOPE_DESCRIPTIONS: dict[Scope, str] = {
    Scope.ALL: "everything the key's party (or the operator) may do",
    Scope.PARTIES_READ: "read parties (a party itself, a merchant's stores)",
    Scope.PARTIES_WRITE: "onboard and change parties, payee details",
    Scope.CATALOG_READ: "read products, listings, agreements",
    Scope.CATALOG_WRITE: "create products, listings, agreements; accept agreements",
    Scope.ORDERS_READ: "read orders, their QR codes, payments and refunds",
    Scope.ORDERS_WRITE: "create, pay (checkout), cancel orders; rotate their codes",
    Scope.REDEEM: "preview and redeem a customer's code (the scanner)",
    Scope.STOCK_READ: "read stock, reservations and carts",
    Scope.STOCK_WRITE: "change stock, reservations and carts",
    Scope.PAYOUTS_READ: "read balances and payouts",
    Scope.PAYOUTS_WRITE: "create and confirm payout batches",
    Scope.WEBHOOKS_READ: "read webhook endpoints and events",
    Scope.WEBHOOKS_WRITE: "create, change and delete webhook endpoints",
    Scope.KEYS_READ: "list API keys",
    Scope.KEYS_WRITE: "create, rotate and revoke API keys",
    Scope.AUDIT_READ: "read the audit trail",
    Scope.LEDGER_READ: "read ledger transfers (operator)",
    Scope.SANDBOX_WRITE: "sandbox time travel (operator)",
    Scope.METRICS_READ: "read the Prometheus metrics at /metrics (operator)",
}

SCOPES_MAX = len(Scope)
KEY_NAME_MAX_LENGTH = 100


def grants(held: Iterable[str], needed: str) -> bool:
    """Whether a key holding ``held`` may do what needs ``needed``."""
    held = frozenset(held)
    if Scope.ALL in held or needed in held:
        return True
    area, _, access = needed.partition(":")
    return access == "read" and f"{area}:write" in held


def parse_scopes(requested: Iterable[str]) -> frozenset[Scope]:
    """Known scopes only; an empty list is refused (a key that can do nothing)."""
    names = list(requested)
    unknown = [name for name in names if name not in Scope.__members__.values()]
    if unknown:
        known = ", ".join(scope.value for scope in Scope)
        raise ValidationFailed(
            f"unknown scope(s): {', '.join(sorted(set(unknown)))}",
            code="unknown_scope",
            errors=[FieldError("scopes", f"each one of: {known}")],
        )
    if not names:
        raise ValidationFailed(
            "a key needs at least one scope",
            code="invalid_scopes",
            errors=[FieldError("scopes", "at least one scope, or omit it for *")],
        )
    return frozenset(Scope(name) for name in names)


def ungranted(held: Iterable[str], requested: Iterable[str]) -> list[str]:
    """The requested scopes that ``held`` does not grant (sorted)."""
    held = frozenset(held)
    return sorted(scope for scope in set(requested) if not grants(held, scope))


def normalise_scopes(scopes: Iterable[str]) -> list[str]:
    """Sorted, and just ``["*"]`` when ``*`` is among them."""
    unique = set(scopes)
    return ["*"] if Scope.ALL in unique else sorted(unique)


@dataclass(frozen=True)
class ApiKey:
    """A key as stored: never its secret, only the secret's hash (in the adapter)."""

    id: str
    party_id: str | None  # None: an operator key (a person at the operator)
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    last_used_ip: str | None
    # After a rotation, the previous secret works until this time.
    previous_secret_expires_at: datetime | None

    @property
    def is_operator_key(self) -> bool:
        return self.party_id is None

    def is_usable(self, now: datetime) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def previous_secret_usable(self, now: datetime) -> bool:
        return self.previous_secret_expires_at is not None and self.previous_secret_expires_at > now

    def use_is_stale(self, now: datetime, interval_seconds: int) -> bool:
        """Whether ``last_used_at`` is old enough to be written again (kept cheap:
        at most one write per key per interval)."""
        return (
            self.last_used_at is None
            or (now - self.last_used_at).total_seconds() >= interval_seconds
        )
