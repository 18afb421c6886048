"""credentials (issue 15): failed logins kept for throttling; API keys' last use

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 17:00:00
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("failure_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=256), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("failure_id"),
    )
    op.create_index("ix_login_failures_username", "login_failures", ["username", "at"])
    op.create_index("ix_login_failures_address", "login_failures", ["address", "at"])
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    # API keys issued before keys expired get the default lifetime from their creation (90
    # days, the CARBONPEAK_API_KEY_DAYS default when this revision was written), so that no
    # key is left without an expiry
    tokens = sa.table(
        "tokens",
        sa.column("token_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    lasting = bind.execute(
        sa.select(tokens.c.token_id, tokens.c.created_at).where(
            tokens.c.kind == "api_key", tokens.c.expires_at.is_(None)
        )
    ).all()
    for token_id, created in lasting:
        bind.execute(
            tokens.update()
            .where(tokens.c.token_id == token_id)
            .values(expires_at=created + timedelta(days=90))
        )


def downgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("last_used_at")
    op.drop_index("ix_login_failures_address", table_name="login_failures")
    op.drop_index("ix_login_failures_username", table_name="login_failures")
    op.drop_table("login_failures")
