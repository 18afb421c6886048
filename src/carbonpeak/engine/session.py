"""One way to open a DataFrame engine: DuckDB through SQLFrame (in process, the default) or
Apache Spark (`local[N]` or a cluster master URL), chosen by the caller, else by
`CARBONPEAK_ENGINE`.

Analytics written against `Engine.F` (the engine's `functions` module) and the PySpark
DataFrame API subset both run, run unchanged on both. Where the engines differ, the helpers
here say it once: division by zero (Spark's ANSI mode raises, DuckDB gives NULL or infinity:
here it is NULL on both) and the China Standard Time day of a UTC timestamp (by epoch
arithmetic, the same on both and much faster than time-zone conversion).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pandas as pd
import pyarrow as pa

from carbonpeak.errors import CarbonpeakError
from carbonpeak.settings import settings

ENGINES = ("duckdb", "spark")
CST_OFFSET_SECONDS = 8 * 3600  # China Standard Time is UTC+8 all year (no daylight time)


@dataclass
class Engine:
    """An open engine: its name, its session, its `functions` module and `Window` class."""

    name: str
    session: Any
    F: ModuleType
    Window: Any
    connection: Any = None  # DuckDB's, to register in-memory tables
    tables: list[str] = field(default_factory=list)  # those tables, dropped by stop()

    def table(self, data: pd.DataFrame) -> Any:
        """A DataFrame of a small pandas table. On DuckDB it is registered on the connection
        and read by name (SQLFrame would otherwise inline it as a VALUES list into every
        query, which is slow to plan); on Spark it is a local relation."""
        if self.connection is None:  # Spark takes Arrow (pandas 3 it does not support yet)
            return self.session.createDataFrame(pa.Table.from_pandas(data, preserve_index=False))
        name = f"carbonpeak_{uuid.uuid4().hex}"
        rows = pa.Table.from_pandas(data, preserve_index=False)  # noqa: F841 (read by name)
        self.connection.execute(f"CREATE TABLE {name} AS SELECT * FROM rows")
        self.tables.append(name)
        return self.session.table(name)

    def frame(self, data: Any, schema: Any = None) -> Any:
        """A DataFrame of rows (tuples) with column names, or of a pandas DataFrame."""
        return self.session.createDataFrame(data, schema)

    def safe_divide(self, numerator: Any, denominator: Any) -> Any:
        """numerator / denominator, NULL where the denominator is 0 or NULL."""
        F = self.F
        return F.when(denominator == 0, F.lit(None)).otherwise(numerator / denominator)

    def epoch(self, timestamp: Any) -> Any:
        """Seconds since 1970-01-01 UTC of a timestamp column (`unix_seconds`: on DuckDB a
        plain epoch, where `unix_timestamp` converts through the session's time zone and is
        several times slower)."""
        return self.F.unix_seconds(timestamp)

    def cst_day(self, timestamp: Any) -> Any:
        """The China Standard Time date of a UTC timestamp column."""
        F = self.F
        shifted = self.epoch(timestamp) + F.lit(CST_OFFSET_SECONDS)
        return F.to_date(F.from_unixtime(shifted))

    def cst_hour(self, timestamp: Any) -> Any:
        """The China Standard Time hour (a timestamp without zone, on the hour) of a UTC
        timestamp column."""
        F = self.F
        shifted = self.epoch(timestamp) + F.lit(CST_OFFSET_SECONDS)
        return F.to_timestamp(F.from_unixtime(shifted - shifted % 3600))

    def stop(self) -> None:
        if self.name == "spark":
            self.session.stop()
        for name in self.tables:
            self.connection.execute(f"DROP TABLE IF EXISTS {name}")
        self.tables.clear()


def open_engine(name: str | None = None, master: str | None = None) -> Engine:
    """Open `name` (default `CARBONPEAK_ENGINE`, else duckdb). Spark runs on `master`
    (default `CARBONPEAK_SPARK_MASTER`, else `local[2]`) with timestamps in UTC."""
    chosen = (name or settings().engine).strip().lower()
    if chosen not in ENGINES:
        raise CarbonpeakError(f"engine {chosen!r}: choose one of {', '.join(ENGINES)}")
    if chosen == "duckdb":
        from sqlframe.duckdb import DuckDBSession, Window
        from sqlframe.duckdb import functions as duckdb_functions

        from carbonpeak.engine.local import connect

        connection = connect()
        connection.execute("SET TimeZone = 'UTC'")  # as Spark's session time zone below
        return Engine(
            "duckdb", DuckDBSession(conn=connection), duckdb_functions, Window, connection
        )
    from pyspark.sql import SparkSession
    from pyspark.sql import Window as SparkWindow
    from pyspark.sql import functions as spark_functions

    builder = (
        SparkSession.builder.master(master or settings().spark_master)
        .appName("carbonpeak")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(settings().spark_partitions))
        .config("spark.ui.enabled", "false")
    )
    return Engine("spark", builder.getOrCreate(), spark_functions, SparkWindow)
