"""the automaker's fleet (issue 19): the models of its fleet workbook, by enterprise and year,
so that the fleet page, the home and the plan read it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 02:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fleet_models",
        sa.Column("fleet_model_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(length=64), nullable=False),
        sa.Column("powertrain", sa.String(length=8), nullable=False),
        sa.Column("curb_mass_kg", sa.Float(), nullable=False),
        sa.Column("seat_rows", sa.Integer(), nullable=False),
        sa.Column("fuel_consumption_l_per_100km", sa.Float(), nullable=True),
        sa.Column("electric_range_km", sa.Float(), nullable=True),
        sa.Column("electric_energy_kwh_per_100km", sa.Float(), nullable=True),
        sa.Column("fuel_cell_power_kw", sa.Float(), nullable=True),
        sa.Column("volume", sa.Float(), nullable=False),
        sa.Column("imported", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("fleet_model_id"),
        sa.UniqueConstraint("enterprise_id", "year", "model_id"),
    )
    op.create_index("ix_fleet_models_enterprise_id", "fleet_models", ["enterprise_id"])


def downgrade() -> None:
    op.drop_index("ix_fleet_models_enterprise_id", table_name="fleet_models")
    op.drop_table("fleet_models")
