"""What the migration tests share: taking a store down to a revision with the project's own
migrations (the upgrade is `carbonpeak.store.db.upgrade`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from carbonpeak.store.db import migrations_dir


def downgrade(engine: Engine, revision: str) -> None:
    """Take the store of `engine` down to `revision`, in one transaction."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
