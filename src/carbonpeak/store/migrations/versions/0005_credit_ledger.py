"""dual-credit ledger: credit entries (append-only) and affiliate groups

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("affiliate_group", sa.String(length=64), nullable=True))
    op.create_table(
        "credit_entries",
        sa.Column("entry_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("credit", sa.String(length=8), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("entity", sa.String(length=18), nullable=False),
        sa.Column("counterparty", sa.String(length=18), nullable=True),
        sa.Column("settles", sa.Integer(), nullable=True),
        sa.Column("settles_credit", sa.String(length=8), nullable=True),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entity"], ["enterprises.enterprise_id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.user_id"]),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_entries_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_entries_entity"), ["entity"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION credit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the credit ledger is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER credit_entries_append_only BEFORE UPDATE OR DELETE ON credit_entries "
            "FOR EACH ROW EXECUTE FUNCTION credit_entries_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER credit_entries_no_{event.lower()} BEFORE {event} "
                "ON credit_entries BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); "
                "END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER credit_entries_append_only ON credit_entries")
        op.execute("DROP FUNCTION credit_entries_append_only()")
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_entries_entity"))
        batch_op.drop_index(batch_op.f("ix_credit_entries_day"))
    op.drop_table("credit_entries")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_column("affiliate_group")
