"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
import axokey.adapters.db.tables
from axokey.adapters.db import postgresql_ddl
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}
    # Hand-written, kept by scripts/regenerate-initial-migration (the template):
    # triggers and other PostgreSQL-only DDL.
    postgresql_ddl.upgrade(op)


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
