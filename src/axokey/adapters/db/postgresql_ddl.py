"""PostgreSQL-only DDL that Alembic's autogenerate cannot see (triggers).

The migration template (``migrations/script.py.mako``) calls ``upgrade(op)`` at the
end of every generated migration, so ``scripts/regenerate-initial-migration`` keeps
it. Every statement is idempotent (``CREATE OR REPLACE``, ``DROP … IF EXISTS``).
"""

from __future__ import annotations

from typing import Any

# Tables whose rows are never changed nor deleted once written.
APPEND_ONLY_TABLES = ("audit_events",)

_REFUSE_CHANGE_FUNCTION = """
CREATE OR REPLACE FUNCTION axokey_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def statements() -> list[str]:
    result = [_REFUSE_CHANGE_FUNCTION]
    for table in APPEND_ONLY_TABLES:
        trigger = f"{table}_append_only"
        result.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        result.append(
            f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION axokey_refuse_change()"
        )
    return result


def upgrade(op: Any) -> None:
    """Apply the PostgreSQL-only DDL (nothing on SQLite)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in statements():
        op.execute(statement)
