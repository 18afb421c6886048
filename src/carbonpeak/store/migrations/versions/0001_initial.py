"""initial schema: enterprises, users, submissions, results, audit log

Revision ID: 0001
Revises:
Create Date: 2026-11-24 21:09:06.130375

The audit log is made append-only in the database itself: triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("head_id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("head_id"),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column("before_hash", sa.String(length=64), nullable=True),
        sa.Column("after_hash", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("hash"),
    )
    op.create_table(
        "enterprises",
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("industry_code", sa.String(length=4), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id"),
    )
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprises_industry_code"), ["industry_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enterprises_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("user_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "sites",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.enterprise_id"],
        ),
        sa.PrimaryKeyConstraint("site_id"),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sites_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "submissions",
        sa.Column("submission_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.user_id"],
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.enterprise_id"],
        ),
        sa.PrimaryKeyConstraint("submission_id"),
        sa.UniqueConstraint("enterprise_id", "period", "content_hash"),
        sa.UniqueConstraint("enterprise_id", "period", "version"),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submissions_enterprise_id"), ["enterprise_id"], unique=False
        )

    op.create_table(
        "user_scopes",
        sa.Column("scope_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=18), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
        ),
        sa.PrimaryKeyConstraint("scope_id"),
        sa.UniqueConstraint("user_id", "kind", "code"),
    )
    with op.batch_alter_table("user_scopes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_scopes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "account_results",
        sa.Column("result_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.String(length=18), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("energy_tce", sa.Float(), nullable=False),
        sa.Column("co2_combustion_t", sa.Float(), nullable=False),
        sa.Column("co2_process_t", sa.Float(), nullable=False),
        sa.Column("co2_electricity_t", sa.Float(), nullable=False),
        sa.Column("co2_heat_t", sa.Float(), nullable=False),
        sa.Column("co2_t", sa.Float(), nullable=False),
        sa.Column("co2e_t", sa.Float(), nullable=False),
        sa.Column("uncertainty_pct", sa.Float(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("code_version", sa.String(length=32), nullable=False),
        sa.Column("reference_digest", sa.String(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.submission_id"],
        ),
        sa.PrimaryKeyConstraint("result_id"),
        sa.UniqueConstraint("submission_id", "enterprise_id", "period"),
    )
    with op.batch_alter_table("account_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_results_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_account_results_period"), ["period"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_account_results_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "activity_lines",
        sa.Column("line_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.submission_id"],
        ),
        sa.PrimaryKeyConstraint("line_id"),
    )
    with op.batch_alter_table("activity_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_lines_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "production_units",
        sa.Column("unit_id", sa.String(length=80), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("process", sa.String(length=64), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("capacity", sa.Float(), nullable=False),
        sa.Column("capacity_unit", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.site_id"],
        ),
        sa.PrimaryKeyConstraint("unit_id"),
    )
    with op.batch_alter_table("production_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_production_units_site_id"), ["site_id"], unique=False)
    # the head row exists from the start, so every writer locks the same row
    op.execute(f"INSERT INTO audit_head (head_id, last_seq, last_hash) VALUES (1, 0, '{'0' * 64}')")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    with op.batch_alter_table("production_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_production_units_site_id"))

    op.drop_table("production_units")
    with op.batch_alter_table("activity_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_lines_submission_id"))

    op.drop_table("activity_lines")
    with op.batch_alter_table("account_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_results_submission_id"))
        batch_op.drop_index(batch_op.f("ix_account_results_period"))
        batch_op.drop_index(batch_op.f("ix_account_results_enterprise_id"))

    op.drop_table("account_results")
    with op.batch_alter_table("user_scopes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_scopes_user_id"))

    op.drop_table("user_scopes")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_enterprise_id"))

    op.drop_table("submissions")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_enterprise_id"))

    op.drop_table("sites")
    op.drop_table("users")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprises_region_code"))
        batch_op.drop_index(batch_op.f("ix_enterprises_industry_code"))

    op.drop_table("enterprises")
    op.drop_table("audit_log")
    op.drop_table("audit_head")
