from enum import StrEnum


class ApiKeyCreateScopesType0Item(StrEnum):
    AUDITREAD = "audit:read"
    CATALOGREAD = "catalog:read"
    CATALOGWRITE = "catalog:write"
    KEYSREAD = "keys:read"
    KEYSWRITE = "keys:write"
    LEDGERREAD = "ledger:read"
    METRICSREAD = "metrics:read"
    ORDERSREAD = "orders:read"
    ORDERSWRITE = "orders:write"
    PARTIESREAD = "parties:read"
    PARTIESWRITE = "parties:write"
    PAYOUTSREAD = "payouts:read"
    PAYOUTSWRITE = "payouts:write"
    REDEEM = "redeem"
    SANDBOXWRITE = "sandbox:write"
    STOCKREAD = "stock:read"
    STOCKWRITE = "stock:write"
    VALUE_0 = "*"
    WEBHOOKSREAD = "webhooks:read"
    WEBHOOKSWRITE = "webhooks:write"

    def __str__(self) -> str:
        return str(self.value)
