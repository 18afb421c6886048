"""In-process DuckDB: one connection per computation, nothing on disk unless asked."""

from __future__ import annotations

import threading

import duckdb

from carbonpeak.settings import settings

_lock = threading.Lock()
_database: duckdb.DuckDBPyConnection | None = None


def connect() -> duckdb.DuckDBPyConnection:
    """A connection of its own to the process's in-memory DuckDB database.

    Temporary tables and registered frames belong to the connection, so concurrent
    computations (the API's worker threads) never see each other's; opening one costs well
    under a millisecond, where a new database costs about ten. Threads: `CARBONPEAK_THREADS`
    or, unset, DuckDB's choice (one per core); memory: `CARBONPEAK_MEMORY_LIMIT` (e.g. 2GB;
    DuckDB spills to its temporary directory beyond it) or, unset, DuckDB's 80 % of RAM."""
    global _database
    with _lock:
        if _database is None:
            _database = duckdb.connect(":memory:")
            configured = settings()
            if configured.threads > 0:
                _database.execute(f"SET threads = {configured.threads}")
            memory = configured.memory_limit
            if memory:
                _database.execute("SET memory_limit = ?", [memory])
        return _database.cursor()
