"""The configured store as a whole (`CARBONPEAK_DATABASE_URL`, else SQLite in
`CARBONPEAK_HOME`): its schema, its audit chain, and the session a command works in.

The API holds one engine for its life; a command opens the store, does one thing and closes
it, through these functions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from carbonpeak.store.audit import Verification, verify
from carbonpeak.store.db import current_revision, opened, require_schema, transaction, upgrade


@contextmanager
def store_session() -> Iterator[Session]:
    """A transaction on the configured store, committed if the block ends normally; refused
    while the store's schema is missing or behind the code."""
    with opened() as engine:
        require_schema(engine)
        with transaction(engine) as session:
            yield session


def upgrade_schema() -> dict[str, str | None]:
    """Create or migrate the configured store's schema: the database and the revisions."""
    with opened() as engine:
        before = current_revision(engine)
        upgrade(engine)
        return {
            "database": engine.url.render_as_string(hide_password=True),
            "from": before,
            "to": current_revision(engine),
        }


def check_schema() -> None:
    """Refuse (`CarbonpeakError`) a configured store whose schema is missing or behind."""
    with opened() as engine:
        require_schema(engine)


def verify_audit() -> Verification:
    """Walk the audit log's hash chain of the configured store."""
    with store_session() as session:
        return verify(session)
