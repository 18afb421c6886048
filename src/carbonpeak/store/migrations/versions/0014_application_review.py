"""the review workflow of policy applications (issue 19): a resubmitted application names the
one returned to its applicant that it corrects (states under_review, returned and resubmitted
need no schema change: the state column is free text of 16 characters)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 02:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policy_applications") as batch:
        batch.add_column(sa.Column("resubmits", sa.Integer(), nullable=True))
    op.create_index(
        "ix_policy_applications_resubmits", "policy_applications", ["resubmits"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_policy_applications_resubmits", table_name="policy_applications")
    with op.batch_alter_table("policy_applications") as batch:
        batch.drop_column("resubmits")
