"""readings over HTTP (issue 17): API keys narrowed to an enterprise; posted reading batches

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("enterprise_id", sa.String(length=18), nullable=True))
    op.create_table(
        "reading_batches",
        sa.Column("reading_batch_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flushed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("reading_batch_id"),
        sa.UniqueConstraint("enterprise_id", "batch_id"),
    )
    op.create_index("ix_reading_batches_digest", "reading_batches", ["digest"])


def downgrade() -> None:
    op.drop_index("ix_reading_batches_digest", table_name="reading_batches")
    op.drop_table("reading_batches")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("enterprise_id")
