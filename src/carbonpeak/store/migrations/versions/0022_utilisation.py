"""comprehensive utilisation of industrial resources (issue 23): the industrial solid wastes
an enterprise reports by kind and period

Reserved in the session that split issue 23 into three wings, so that each wing's tables land
in a revision of its own; filled by the wing's work: one table, an enterprise's report of a
year (`store.models_utilisation.SolidWasteReport`).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "solid_waste_reports",
        sa.Column("report_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("report_id"),
        sa.UniqueConstraint("enterprise_id", "year", name="uq_solid_waste_reports_enterprise_year"),
    )
    op.create_index("ix_solid_waste_reports_year", "solid_waste_reports", ["year"])


def downgrade() -> None:
    op.drop_index("ix_solid_waste_reports_year", table_name="solid_waste_reports")
    op.drop_table("solid_waste_reports")
