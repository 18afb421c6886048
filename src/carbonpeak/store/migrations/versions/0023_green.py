"""green products (issue 23): the equipment inventories of diagnoses (motors by GB 18613 grade)

Reserved in the session that split issue 23 into three wings, so that each wing's tables land
in a revision of its own; filled by the wing's work.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 01:10:00
"""

from __future__ import annotations

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
