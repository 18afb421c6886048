"""comprehensive utilisation of industrial resources (issue 23): the industrial solid wastes an enterprise reports by kind and period

Reserved in the session that split issue 23 into three wings, so that each wing's tables land
in a revision of its own; filled by the wing's work.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 01:10:00
"""

from __future__ import annotations

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
