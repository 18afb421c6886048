"""green products (issue 23): the equipment inventories of diagnoses (motors by GB 18613 grade)

Reserved in the session that split issue 23 into three wings, so that each wing's tables land
in a revision of its own; filled by the wing's work: `diagnosis_motors`, the motors of a
registered diagnosis (store/models_green.py).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "diagnosis_motors",
        sa.Column("motor_row_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("equipment", sa.String(length=64), nullable=False),
        sa.Column("rated_kw", sa.Float(), nullable=False),
        sa.Column("poles", sa.Integer(), nullable=False),
        sa.Column("efficiency", sa.Float(), nullable=False),
        sa.Column("efficiency_given", sa.Boolean(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("load", sa.Float(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("motor_row_id"),
    )
    op.create_index("ix_diagnosis_motors_enterprise_id", "diagnosis_motors", ["enterprise_id"])


def downgrade() -> None:
    op.drop_index("ix_diagnosis_motors_enterprise_id", table_name="diagnosis_motors")
    op.drop_table("diagnosis_motors")
