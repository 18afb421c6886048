"""the technology directory (issue 23): the entry of the directory a measure of the register
used (`opportunities.technology`, `catalogue:entry_no`)

Reserved in the session that split issue 23 into three wings, so that each wing's tables land
in a revision of its own; filled by the wing's work.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.add_column(sa.Column("technology", sa.String(length=200), nullable=True))
        batch.create_index("ix_opportunities_technology", ["technology"])


def downgrade() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.drop_index("ix_opportunities_technology")
        batch.drop_column("technology")
