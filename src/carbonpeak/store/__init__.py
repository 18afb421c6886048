"""The SQL store: SQLAlchemy models, Alembic migrations, sessions and the audit log.

SQLite (WAL) at `$CARBONPEAK_HOME/carbonpeak.db` by default; PostgreSQL (or any SQLAlchemy
URL) when `CARBONPEAK_DATABASE_URL` is set. Only `carbonpeak.services` uses it.
"""
