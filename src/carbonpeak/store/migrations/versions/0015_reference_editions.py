"""the reference library's editions (issue 20): imported by an editor, approved or rejected by
a reviewer, merged over the shipped tables by the services

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_editions",
        sa.Column("edition_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("author", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["author"], ["users.user_id"]),
        sa.ForeignKeyConstraint(["reviewer"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("edition_id"),
    )
    op.create_index("ix_reference_editions_state", "reference_editions", ["state"])


def downgrade() -> None:
    op.drop_index("ix_reference_editions_state", table_name="reference_editions")
    op.drop_table("reference_editions")
