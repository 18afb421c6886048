"""product carbon (issue 22): each enterprise's process map of a year, the footprints it
published (PACT ids, kept as published), and the footprints it collected from its suppliers

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_maps",
        sa.Column("map_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("map_id"),
        sa.UniqueConstraint("enterprise_id", "year", name="uq_product_maps_enterprise_year"),
    )
    op.create_table(
        "product_footprints",
        sa.Column("footprint_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("preceding_id", sa.String(length=36), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("footprint_id"),
    )
    op.create_index("ix_product_footprints_enterprise_id", "product_footprints", ["enterprise_id"])
    op.create_table(
        "supplier_footprints",
        sa.Column("row_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("footprint_id", sa.String(length=36), nullable=False),
        sa.Column("company_name", sa.String(length=255), nullable=False),
        sa.Column("product_name", sa.String(length=255), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["imported_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("row_id"),
        sa.UniqueConstraint(
            "enterprise_id", "footprint_id", name="uq_supplier_footprints_enterprise_footprint"
        ),
    )


def downgrade() -> None:
    op.drop_table("supplier_footprints")
    op.drop_index("ix_product_footprints_enterprise_id", table_name="product_footprints")
    op.drop_table("product_footprints")
    op.drop_table("product_maps")
