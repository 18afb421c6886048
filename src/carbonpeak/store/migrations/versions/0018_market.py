"""the national carbon market (issue 21): data-quality control plans by version, monthly
evidence and its documents, and the compliance ledger (append-only)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "market_plans",
        sa.Column("plan_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("plan_id"),
        sa.UniqueConstraint("enterprise_id", "year", "version"),
    )
    op.create_index("ix_market_plans_enterprise_id", "market_plans", ["enterprise_id"])
    op.create_table(
        "market_evidence",
        sa.Column("evidence_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("emission_type", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("parameter", sa.String(length=64), nullable=False),
        sa.Column("clause", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("evidence_id"),
    )
    op.create_index("ix_market_evidence_enterprise_id", "market_evidence", ["enterprise_id"])
    op.create_index("ix_market_evidence_month", "market_evidence", ["month"])
    op.create_table(
        "market_documents",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "market_entries",
        sa.Column("entry_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("holder", sa.String(length=18), nullable=False),
        sa.Column("amount", sa.Numeric(20, 6), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("counterparty", sa.String(length=64), nullable=True),
        sa.Column("price", sa.Numeric(20, 6), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["holder"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_index("ix_market_entries_day", "market_entries", ["day"])
    op.create_index("ix_market_entries_holder", "market_entries", ["holder"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION market_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the compliance ledger is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER market_entries_append_only BEFORE UPDATE OR DELETE ON market_entries "
            "FOR EACH ROW EXECUTE FUNCTION market_entries_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER market_entries_no_{event.lower()} BEFORE {event} "
                "ON market_entries BEGIN SELECT RAISE(ABORT, 'the compliance ledger is "
                "append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER market_entries_append_only ON market_entries")
        op.execute("DROP FUNCTION market_entries_append_only()")
    op.drop_index("ix_market_entries_holder", table_name="market_entries")
    op.drop_index("ix_market_entries_day", table_name="market_entries")
    op.drop_table("market_entries")
    op.drop_table("market_documents")
    op.drop_index("ix_market_evidence_month", table_name="market_evidence")
    op.drop_index("ix_market_evidence_enterprise_id", table_name="market_evidence")
    op.drop_table("market_evidence")
    op.drop_index("ix_market_plans_enterprise_id", table_name="market_plans")
    op.drop_table("market_plans")
