"""a report's earlier content may be sent again as a new version (issue 15): the content hash
is no longer unique per enterprise and period, only indexed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = ["enterprise_id", "period", "content_hash"]
# SQLite keeps the constraint unnamed: batch mode names it by this convention to drop it
CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def upgrade() -> None:
    found = [
        c
        for c in sa.inspect(op.get_bind()).get_unique_constraints("submissions")
        if c["column_names"] == COLUMNS
    ]
    for constraint in found:
        name = constraint["name"] or "uq_submissions_enterprise_id_period_content_hash"
        with op.batch_alter_table("submissions", naming_convention=CONVENTION) as batch:
            batch.drop_constraint(name, type_="unique")
    op.create_index("ix_submissions_content", "submissions", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_submissions_content", table_name="submissions")
    with op.batch_alter_table("submissions", naming_convention=CONVENTION) as batch:
        batch.create_unique_constraint("uq_submissions_enterprise_id_period_content_hash", COLUMNS)
