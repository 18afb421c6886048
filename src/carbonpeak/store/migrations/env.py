"""Alembic environment: runs on the connection that `carbonpeak.store.db.upgrade` passes."""

from __future__ import annotations

from alembic import context

from carbonpeak.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `carbonpeak db upgrade` runs migrations
    raise RuntimeError("run migrations through carbonpeak.store.db.upgrade")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
