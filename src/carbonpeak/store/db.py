"""Engines, sessions and migrations of the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from carbonpeak.errors import CarbonpeakError
from carbonpeak.settings import settings


def home() -> Path:
    """`CARBONPEAK_HOME`, by default `~/.local/share/carbonpeak`."""
    return settings().home


def database_url() -> str:
    """`CARBONPEAK_DATABASE_URL`, or the SQLite file in the home directory."""
    configured = settings().database_url
    if configured:
        return configured
    directory = home()
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'carbonpeak.db'}"


SQLITE_BUSY_MS = 30_000  # how long a SQLite writer waits for another to finish


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: `database_url()`); SQLite gets WAL and foreign keys."""
    url = url or database_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # A connection pool smaller than the server's worker threads can deadlock (each request
    # holds a connection while it waits for a thread, see FastAPI's sync dependencies), so
    # SQLite's pool may always open one more (connections to a file are cheap) and
    # PostgreSQL's may overflow to more connections than threads (anyio's default is 40) but
    # stays under the server's default limit of 100.
    options: dict[str, Any] = (
        {"pool_size": 8, "max_overflow": -1}  # unbounded: never waits, file connections
        if url.startswith("sqlite")
        else {"pool_size": 10, "max_overflow": 70, "pool_pre_ping": True}
    )
    try:
        engine = create_engine(url, **options)
    except Exception as exc:  # bad URL, missing driver
        raise CarbonpeakError(f"cannot use database {url!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@contextmanager
def opened(url: str | None = None) -> Iterator[Engine]:
    """An engine that is disposed when the block ends (for commands and scripts)."""
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed if the block ends normally, else rolled back."""
    with session_factory(engine)() as session, session.begin():
        yield session


def migrations_dir() -> Path:
    return Path(str(resources.files("carbonpeak.store") / "migrations"))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` with Alembic."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return ScriptDirectory.from_config(config).get_current_head()


def require_schema(engine: Engine) -> None:
    """Refuse to work on a store whose schema is missing or behind the code."""
    try:
        current = current_revision(engine)
    except Exception as exc:  # unreachable server, bad credentials
        raise CarbonpeakError(f"cannot open the store: {exc}") from None
    if current != head_revision():
        state = "has no schema" if current is None else f"is at schema {current}"
        raise CarbonpeakError(
            f"the store {engine.url.render_as_string(hide_password=True)} {state}; "
            "run `carbonpeak store upgrade`"
        )
