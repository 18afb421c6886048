"""an approved edition of the reference library can be withdrawn by a reviewer (issue 20):
who withdrew it, when and why

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reference_editions") as table:
        table.add_column(sa.Column("withdrawn_by", sa.Integer(), nullable=True))
        table.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("withdrawal_comment", sa.Text(), nullable=True))
        table.create_foreign_key(
            "fk_reference_editions_withdrawn_by", "users", ["withdrawn_by"], ["user_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("reference_editions") as table:
        table.drop_constraint("fk_reference_editions_withdrawn_by", type_="foreignkey")
        table.drop_column("withdrawal_comment")
        table.drop_column("withdrawn_at")
        table.drop_column("withdrawn_by")
