"""policy applications: submitted with their verdict, decided by a regulator

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_applications",
        sa.Column("application_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["submitted_by"], ["users.user_id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("application_id"),
    )
    with op.batch_alter_table("policy_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_applications_enterprise_id"), ["enterprise_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("policy_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_applications_enterprise_id"))
    op.drop_table("policy_applications")
