"""Hand-written DDL that Alembic's autogenerate cannot produce from ``tables.py``.

The initial migration is regenerated from ``tables.py`` by
``scripts/regenerate-initial-migration``; its ``upgrade()`` ends by calling
``upgrade(op)`` below and its ``downgrade()`` starts with ``downgrade(op)``
(``script.py.mako`` writes those calls into the initial revision only). So
what is listed here survives every regeneration.

To add a rule (a trigger, a function): append a ``DatabaseRule`` to ``RULES``
with the statements that create it and those that drop it, and the databases it
is for (``dialects``, PostgreSQL by default; the rule is skipped on the others).
An append-only table (a ledger, an audit trail) is one line:
``*append_only("audit_events", what="audit events")``.
Each rule's ``create`` must run on a database built by the generated part of the
migration (its tables exist), and ``drop`` must undo ``create`` exactly.

A rule on a table that the test suite empties with ``TRUNCATE`` (every table, on
PostgreSQL) must not fire on ``TRUNCATE``: a row-level ``BEFORE UPDATE OR
DELETE`` trigger does not (``TRUNCATE`` is an event of its own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DatabaseRule:
    name: str
    create: tuple[str, ...]
    drop: tuple[str, ...]
    dialects: frozenset[str] = field(default_factory=lambda: frozenset({"postgresql"}))


def append_only(table: str, *, what: str, clearable: tuple[str, ...] = ()) -> list[DatabaseRule]:
    """A PostgreSQL trigger refusing every UPDATE and DELETE of ``table``'s rows
    (``what`` names the rows in the error message), but an UPDATE that only sets
    ``clearable`` columns to NULL (personal data past its retention). ``TRUNCATE``
    is not refused (a separate event, that no code of the service issues; the tests
    empty tables with it). None on SQLite: it has no ``TRUNCATE``, and the test
    suite's state machines empty tables between examples with ``DELETE``."""
    function = f"axokey_{table}_append_only"
    trigger = f"{table}_append_only"
    allow_clearing = ""
    if clearable:
        cleared = " AND ".join(
            f"(NEW.{column} IS NULL OR NEW.{column} IS NOT DISTINCT FROM OLD.{column})"
            for column in clearable
        )
        others = " - ".join(f"'{column}'" for column in clearable)
        allow_clearing = f"""
                IF TG_OP = 'UPDATE' AND {cleared}
                   AND (to_jsonb(NEW) - {others}) = (to_jsonb(OLD) - {others}) THEN
                    RETURN NEW;
                END IF;"""
    postgresql = DatabaseRule(
        name=trigger,
        create=(
            f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN{allow_clearing}
                RAISE EXCEPTION '{what} cannot be changed or deleted (% on {table})', TG_OP
                    USING ERRCODE = 'integrity_constraint_violation';
            END;
            $$
            """,
            f"""
            CREATE TRIGGER {trigger}
            BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}()
            """,
        ),
        drop=(
            f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
            f"DROP FUNCTION IF EXISTS {function}()",
        ),
    )
    return [postgresql]


RULES: list[DatabaseRule] = [
    # Posted, pending and resolving transfers alike: a transfer is a fact, and a
    # correction is a new transfer.
    *append_only("ledger_transfers", what="ledger transfers"),
    # The audit trail: an entry records what happened; nothing rewrites it. Its client
    # address alone is cleared past its retention (``client_address_retention_months``).
    *append_only("audit_events", what="audit events", clearable=("ip",)),
    # ``axokey ledger check`` sums the transfers of every account (10⁶ accounts on
    # 10⁶ orders). ``sum(bigint)`` keeps a 128-bit state allocated apart for each
    # group (about 80 bytes; six sums per account): the check's hash tables outgrow
    # ``work_mem`` and spill to disk. This one keeps a BIGINT state in the group
    # itself (``int8pl``: no allocation) and returns BIGINT; like any BIGINT
    # addition it raises ``bigint out of range`` rather than wrap (an account's
    # counters are BIGINT columns: no account can hold a larger sum). As ``sum``:
    # NULLs skipped, NULL over no row. ``ledger_check_reads`` falls back to ``sum``
    # on a database built before this rule.
    DatabaseRule(
        name="axokey_bigint_sum",
        create=(
            "CREATE AGGREGATE axokey_bigint_sum(bigint)"
            " (SFUNC = int8pl, STYPE = bigint, COMBINEFUNC = int8pl, PARALLEL = SAFE)",
        ),
        drop=("DROP AGGREGATE IF EXISTS axokey_bigint_sum(bigint)",),
    ),
]


def _applies(rule: DatabaseRule, op: Any) -> bool:
    return bool(op.get_bind().dialect.name in rule.dialects)


def upgrade(op: Any) -> None:
    """Create every rule (called at the end of the initial migration's upgrade)."""
    for rule in RULES:
        if _applies(rule, op):
            for statement in rule.create:
                op.execute(statement)


def downgrade(op: Any) -> None:
    """Drop every rule, last first (called at the start of its downgrade)."""
    for rule in reversed(RULES):
        if _applies(rule, op):
            for statement in rule.drop:
                op.execute(statement)
