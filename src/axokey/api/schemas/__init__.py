"""Request and response bodies (separate models, with length limits), one module
per resource: ``parties``, ``catalog``, ``orders``, ``payments``, ``redemptions``,
``refunds``, ``balances``, ``ledger``, ``api_keys``, ``audit``; what they share is in
``base``."""
