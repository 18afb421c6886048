"""carbon dual control (issue 18): budgets, the budget a project application holds, early-warning
alerts, and rows of authority-supplied reference tables

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("budget_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=18), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.String(length=8), nullable=False),
        sa.Column("cap", sa.Float(), nullable=True),
        sa.Column("intensity", sa.Float(), nullable=True),
        sa.Column("basis", sa.String(length=16), nullable=True),
        sa.Column("item", sa.String(length=64), nullable=True),
        sa.Column("planned", sa.Float(), nullable=True),
        sa.Column("profile", sa.String(length=12), nullable=False),
        sa.Column("shares", sa.JSON(), nullable=True),
        sa.Column("reserve", sa.Float(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["budgets.budget_id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("budget_id"),
        sa.UniqueConstraint("scope", "code", "year", "quantity"),
    )
    op.create_index("ix_budgets_code", "budgets", ["code"])
    op.create_index("ix_budgets_parent_id", "budgets", ["parent_id"])
    op.create_table(
        "budget_commitments",
        sa.Column("commitment_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["budget_id"], ["budgets.budget_id"]),
        sa.ForeignKeyConstraint(["application_id"], ["policy_applications.application_id"]),
        sa.PrimaryKeyConstraint("commitment_id"),
        sa.UniqueConstraint("budget_id", "application_id"),
    )
    op.create_index("ix_budget_commitments_budget_id", "budget_commitments", ["budget_id"])
    op.create_index(
        "ix_budget_commitments_application_id", "budget_commitments", ["application_id"]
    )
    op.create_table(
        "budget_alerts",
        sa.Column("alert_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("indicator", sa.String(length=12), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("raised_at", WHEN, nullable=False),
        sa.Column("cleared_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["budget_id"], ["budgets.budget_id"]),
        sa.PrimaryKeyConstraint("alert_id"),
    )
    op.create_index("ix_budget_alerts_budget_id", "budget_alerts", ["budget_id"])
    op.create_table(
        "authority_rows",
        sa.Column("row_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=False),
        sa.Column("entered_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["entered_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("row_id"),
    )
    op.create_index("ix_authority_rows_table_name", "authority_rows", ["table_name"])


def downgrade() -> None:
    op.drop_index("ix_authority_rows_table_name", table_name="authority_rows")
    op.drop_table("authority_rows")
    op.drop_index("ix_budget_alerts_budget_id", table_name="budget_alerts")
    op.drop_table("budget_alerts")
    op.drop_index("ix_budget_commitments_application_id", table_name="budget_commitments")
    op.drop_index("ix_budget_commitments_budget_id", table_name="budget_commitments")
    op.drop_table("budget_commitments")
    op.drop_index("ix_budgets_parent_id", table_name="budgets")
    op.drop_index("ix_budgets_code", table_name="budgets")
    op.drop_table("budgets")
