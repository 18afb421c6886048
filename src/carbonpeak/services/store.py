"""The configured store as a whole (`CARBONPEAK_DATABASE_URL`, else SQLite in
`CARBONPEAK_HOME`): its schema, its audit chain, and the session a command works in.

The API holds one engine for its life; a command opens the store, does one thing and closes
it, through these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from carbonpeak.store.audit import Verification, verify
from carbonpeak.store.db import (
    current_revision,
    make_engine,
    opened,
    require_schema,
    session_factory,
    transaction,
    upgrade,
)
from carbonpeak.store.models import AuditHead

Sessions = sessionmaker[Session]


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


def open_store(engine: Engine | None = None) -> tuple[Engine, Sessions]:
    """The engine a server holds for its life (default: the configured store) and its
    session factory."""
    engine = engine or make_engine()
    return engine, session_factory(engine)


@contextmanager
def unit_of_work(sessions: Sessions) -> Iterator[Session]:
    """A session of `sessions` in one transaction: committed if the block ends normally,
    rolled back on any error."""
    with sessions() as session, session.begin():
        yield session


def audit_position(sessions: Callable[[], AbstractContextManager[Session]]) -> int:
    """The sequence number of the last audit entry: it changes with every write to the
    store, so it versions anything computed from the store (one indexed row)."""
    with sessions() as session:
        return int(
            session.execute(select(AuditHead.last_seq).where(AuditHead.head_id == 1)).scalar_one()
        )
