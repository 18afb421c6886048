"""the national carbon market's process sheets (issue 21): an enterprise's rows of the fuels
into and out of each process and its product, per year, with who uploaded them and when

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "market_process_rows",
        sa.Column("row_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("process", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("ncv", sa.String(length=64), nullable=False),
        sa.Column("ncv_unit", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("row_id"),
    )
    op.create_index(
        "ix_market_process_rows_enterprise_id", "market_process_rows", ["enterprise_id"]
    )
    op.create_index("ix_market_process_rows_year", "market_process_rows", ["year"])


def downgrade() -> None:
    op.drop_index("ix_market_process_rows_year", table_name="market_process_rows")
    op.drop_index("ix_market_process_rows_enterprise_id", table_name="market_process_rows")
    op.drop_table("market_process_rows")
