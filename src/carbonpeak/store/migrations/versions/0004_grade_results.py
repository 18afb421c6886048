"""grade results

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 22:27:08.536384
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "grade_results",
        sa.Column("grade_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=True),
        sa.Column("indicator_value", sa.Float(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("code_version", sa.String(length=32), nullable=False),
        sa.Column("reference_digest", sa.String(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.submission_id"],
        ),
        sa.PrimaryKeyConstraint("grade_id"),
    )
    with op.batch_alter_table("grade_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_grade_results_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("grade_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grade_results_submission_id"))

    op.drop_table("grade_results")
