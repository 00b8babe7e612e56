"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
import axokey.adapters.db.tables
% if not down_revision:
from axokey.adapters.db.migrations import hand_written
% endif
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}
% if not down_revision:
    # Hand-written DDL (PostgreSQL triggers): see migrations/hand_written.py.
    hand_written.upgrade(op)
% endif


def downgrade() -> None:
% if not down_revision:
    # Hand-written DDL first: see migrations/hand_written.py.
    hand_written.downgrade(op)
% endif
    ${downgrades if downgrades else "pass"}
