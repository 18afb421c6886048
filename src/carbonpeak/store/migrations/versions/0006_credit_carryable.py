"""dual-credit ledger: NEV credits earned in a year whose carry-forward condition was missed

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 02:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite rebuilds the table for ALTER in batch mode: keep the append-only triggers
    # by adding a plain column (ADD COLUMN needs no rebuild)
    op.add_column(
        "credit_entries",
        sa.Column("carryable", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.drop_column("carryable")
